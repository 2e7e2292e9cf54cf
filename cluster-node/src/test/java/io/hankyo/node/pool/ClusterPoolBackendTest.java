package io.hankyo.node.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.api.ApiProblem;
import io.hankyo.api.PoolBackend;
import io.hankyo.node.directory.DirectoryTestConfig;
import io.hankyo.node.directory.TrackingNumber;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ClusterPoolBackend}'s answers over real sharding (single-node cluster, in-memory journal; issue 5 pools):
 * the size of a refused creation's 409, the sizing report of a new pool.
 */
class ClusterPoolBackendTest {
  private static final Duration ASK = Duration.ofSeconds(10);
  private static ActorTestKit testKit;
  private static ClusterSharding sharding;

  @BeforeAll
  static void startCluster() throws Exception {
    testKit = DirectoryTestConfig.singleNodeCluster("ClusterPoolBackendTest", DirectoryTestConfig.cluster());
    sharding = ClusterSharding.get(testKit.system());
  }

  @AfterAll
  static void stopCluster() {
    testKit.shutdownTestKit();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static void tracking(String op, PhoneNumber n) throws Exception {
    StatusReply<TrackingNumber.Details> r = await(sharding.entityRefFor(TrackingNumber.ENTITY_KEY, n.e164())
        .ask(x -> new TrackingNumber.Assign(op, "shop", "Shop", "top", "Top", n, PhoneNumbers.parse("03-1234-5678"),
            x), ASK));
    assertTrue(r.isSuccess());
  }

  @Test
  void aRefusedCreationNamesAtMost100NumbersAndCountsTheRest() throws Exception {
    // the backend starts the shards it uses (TrackingNumber too)
    ClusterPoolBackend pools = new ClusterPoolBackend(testKit.system(), sharding, ASK, Clock.systemUTC());
    PhoneNumber track = PhoneNumbers.parse("0120-810-100");
    tracking("op-r", track);
    List<PhoneNumber> numbers = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      numbers.add(PhoneNumbers.parse(String.format("0120-82%04d", i)));
    }
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(pools.create("op-r",
        new PoolBackend.NewPool("dynamic", numbers, 600, 0, track, List.of(), track))));
    ApiProblem p = assertInstanceOf(ApiProblem.class, e.getCause());
    assertEquals(409, p.status());
    String detail = p.detail();
    assertTrue(detail.contains("0120-820-000 is not in any operator's inventory"), detail);
    assertTrue(detail.contains("0120-820-099 is not in any operator's inventory"), detail);
    assertFalse(detail.contains("0120-820-100"), "the 101st is counted, not named: " + detail);
    assertTrue(detail.endsWith("; … and 100 more refused numbers"), detail);
    assertTrue(detail.length() < 6000, detail.length() + " characters (about 10,000 for the 200 named)");
    // a short list is named whole, without a count
    String few = ClusterPoolBackend.refusedNumbers(List.of("0120-000-001 is pooled, not available"));
    assertTrue(few.endsWith("nothing was created: 0120-000-001 is pooled, not available"), few);
  }

  @Test
  void aNewPoolsSizingReportSaysItHasNotEnoughHistoryInsteadOfAdvisingToShrink() throws Exception {
    java.time.Instant created = java.time.Instant.parse("2026-11-30T01:00:00Z");
    ClusterPoolBackend then = new ClusterPoolBackend(testKit.system(), sharding, ASK,
        Clock.fixed(created, java.time.ZoneOffset.UTC));
    PhoneNumber track = PhoneNumbers.parse("0120-830-100");
    tracking("op-s", track);
    List<PhoneNumber> numbers = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      PhoneNumber n = PhoneNumbers.parse(String.format("0120-84%04d", i));
      numbers.add(n);
      assertTrue(await(sharding.entityRefFor(io.hankyo.node.inventory.InventoryNumber.ENTITY_KEY, n.e164())
          .<StatusReply<io.hankyo.node.inventory.InventoryNumber.ImportResult>>ask(
              r -> new io.hankyo.node.inventory.InventoryNumber.Import("op-s", r), ASK)).isSuccess());
    }
    PoolBackend.Pool pool = await(then.create("op-s", new PoolBackend.NewPool("dynamic", numbers, 600, 0, track,
        List.of(), track)));
    await(then.assign("op-s", pool.poolId(), "s-1", java.util.Map.of()));
    // three hours on: 1 of 10 numbers held at once so far (before: "shrink to about 2")
    ClusterPoolBackend later = new ClusterPoolBackend(testKit.system(), sharding, ASK,
        Clock.fixed(created.plusSeconds(3 * 3600), java.time.ZoneOffset.UTC));
    io.hankyo.api.PoolSizing.Report r = await(later.sizing("op-s", pool.poolId(), 30));
    assertEquals("not_enough_history", r.action(), r.advice());
    assertEquals(null, r.suggestedSize());
    assertEquals(created, r.historySince());
    assertTrue(r.advice().startsWith("not enough history yet: 3 hours of data"), r.advice());
    // forty days on, the same counters cover a 30-day report: judged
    ClusterPoolBackend much = new ClusterPoolBackend(testKit.system(), sharding, ASK,
        Clock.fixed(created.plus(java.time.Duration.ofDays(40)), java.time.ZoneOffset.UTC));
    assertEquals("no_data", await(much.sizing("op-s", pool.poolId(), 30)).action(), "its one display is 40 days old");
    assertEquals("shrink", await(much.sizing("op-s", pool.poolId(), 41)).action());
  }
}
