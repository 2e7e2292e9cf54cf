package io.hankyo.node.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.hankyo.api.ApiProblem;
import io.hankyo.api.InventoryBackend;
import io.hankyo.api.PoolBackend;
import io.hankyo.node.directory.DirectoryTestConfig;
import io.hankyo.node.inventory.ClusterInventoryBackend;
import io.hankyo.node.testing.TestCassandra;
import io.hankyo.protocol.number.NumberRange;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Durability of batched assignments and session claims (issue 5 pool benchmark) with the real Cassandra journal:
 * 5,000 assignments sent 64 at a time (so they are written in batches) and more than the events between snapshots one
 * at a time, every one answered, with pools writing their own journal and with pools writing to the shared {@link
 * AssignmentLog} first (their own journal later: at the restart the last assignments are in the log only); after a
 * restart of the node on the same keyspace (recovery from a snapshot plus the events after it) the pool counts exactly
 * the answered assignments, each session still has its number, and the sessions' claims still refuse another pool.
 */
class PoolDurabilityCassandraIntegrationTest {
  private static final Duration ASK = Duration.ofSeconds(20);
  private ActorTestKit testKit;

  @AfterEach
  void stop() {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  private ClusterPoolBackend start(Config persistence) throws InterruptedException {
    testKit = DirectoryTestConfig.singleNodeCluster("PoolDurabilityCassandraIntegrationTest",
        persistence.withFallback(DirectoryTestConfig.cluster()).withFallback(ConfigFactory.load()));
    return new ClusterPoolBackend(testKit.system(), ClusterSharding.get(testKit.system()), ASK, Duration.ofMillis(2),
        Duration.ZERO,
        4, Duration.ofHours(48), Clock.systemUTC());
  }

  @Test
  void everyAnsweredAssignmentAndClaimSurvivesARestartWithPoolsWritingTheirOwnJournal() throws Exception {
    // each batch one event of the pool's journal: more single views than the pool's events between snapshots
    survivesARestart(ConfigFactory.parseString("hankyo.pools.assignment-log.logs = 0"),
        NumberPool.SNAPSHOT_EVERY + 10);
  }

  @Test
  void everyAnsweredAssignmentAndClaimSurvivesARestartWhileWaitingInTheSharedLog() throws Exception {
    // the pool writes its own journal only at NumberPool.MAX_UNWRITTEN: at the restart the last ones are in the log
    // only; the single views make more log rows than the log's events between snapshots
    survivesARestart(ConfigFactory.parseString("hankyo.pools.assignment-log { logs = 1, pool-write-interval = 1h }"),
        AssignmentLog.SNAPSHOT_EVERY + 10);
  }

  private void survivesARestart(Config assignmentLog, int serial) throws Exception {
    Config persistence = assignmentLog.withFallback(
        TestCassandra.persistenceConfig(TestCassandra.uniqueKeyspace("pooldur")));
    ClusterPoolBackend first = start(persistence);
    ClusterInventoryBackend inventory = new ClusterInventoryBackend(testKit.system(),
        ClusterSharding.get(testKit.system()), ASK, Duration.ofHours(1), Clock.systemUTC());
    Map<PhoneNumber, NumberRange> numbers = new LinkedHashMap<>();
    for (int i = 0; i < 50; i++) {
      PhoneNumber p = PhoneNumbers.parse(String.format("0120-310-%03d", i));
      numbers.put(p, NumberRange.of(p));
    }
    await(inventory.importNumbers("op-d", numbers)).values()
        .forEach(r -> assertEquals(InventoryBackend.Outcome.IMPORTED, r.outcome(), r.error()));
    List<PhoneNumber> all = List.copyOf(numbers.keySet());
    PhoneNumber fallback = PhoneNumbers.parse("0120-310-999");
    // the fallback must be a static tracking number of the operator
    var tracking = await(ClusterSharding.get(testKit.system())
        .entityRefFor(io.hankyo.node.directory.TrackingNumber.ENTITY_KEY, fallback.e164())
        .<org.apache.pekko.pattern.StatusReply<io.hankyo.node.directory.TrackingNumber.Details>>ask(
            r -> new io.hankyo.node.directory.TrackingNumber.Assign("op-d", "client-1", "Client", "main", "",
                fallback, PhoneNumbers.parse("03-1234-5678"), r), ASK));
    assertTrue(tracking.isSuccess(), () -> tracking.getError().getMessage());
    String a = await(first.create("op-d", new PoolBackend.NewPool("dynamic", all.subList(0, 40), 3600, 0, fallback,
        List.of()))).poolId();
    String b = await(first.create("op-d", new PoolBackend.NewPool("dynamic", all.subList(40, 50), 3600, 0, fallback,
        List.of()))).poolId();

    // 40 sessions, 5,000 page views 64 at a time (batches, one event each): the first 40 take the 40 numbers, then
    // each session views again and again; then more views one at a time (one event each) than the events between
    // snapshots, so that the restart recovers from a snapshot plus the events after it
    int parallel = 5000;
    List<PoolBackend.Assignment> answers = new java.util.ArrayList<>(await(Source.range(0, parallel - 1)
        .mapAsync(64, i -> first.assign("op-d", a, "s-" + (i % 40), Map.of("utm_source", "u" + (i % 40))))
        .runWith(Sink.seq(), testKit.system())));
    for (int i = 0; i < serial; i++) {
      answers.add(await(first.assign("op-d", a, "s-" + (i % 40), Map.of("utm_source", "u" + (i % 40)))));
    }
    int views = parallel + serial;
    assertEquals(views, answers.size());
    assertTrue(answers.stream().noneMatch(PoolBackend.Assignment::fallback));
    PoolBackend.Pool before = await(first.get("op-d", a));
    assertEquals(views, before.assignments());
    await(first.assign("op-d", b, "t-1", Map.of()));

    testKit.shutdownTestKit();
    testKit = null;
    ClusterPoolBackend pools = start(persistence);

    PoolBackend.Pool after = await(pools.get("op-d", a));
    assertEquals(views, after.assignments(), "every answered assignment was in the journal");
    assertEquals(before.numbers(), after.numbers(), "each number's holder and hold, recovered");
    ExecutionException reused = assertThrows(ExecutionException.class,
        () -> await(pools.assign("op-d", b, "s-7", Map.of())));
    assertEquals(409, assertInstanceOf(ApiProblem.class, reused.getCause()).status());
    assertEquals(before.numbers().stream().filter(m -> "s-7".equals(m.sessionId())).findFirst().orElseThrow().e164(),
        await(pools.assign("op-d", a, "s-7", Map.of())).e164(), "the session keeps its number");
    assertEquals(1, await(pools.get("op-d", b)).assignments());
    // t-1 was claimed for b just before the shutdown, within the claim write window: the graceful stop wrote it
    ExecutionException claimed = assertThrows(ExecutionException.class,
        () -> await(pools.assign("op-d", a, "t-1", Map.of())));
    assertEquals(409, assertInstanceOf(ApiProblem.class, claimed.getCause()).status());
  }
}
