package io.hankyo.node.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Number pools (issue 5) on a single-node cluster with the real Cassandra journal: a pool made of imported inventory
 * numbers (they become pooled), the same session twice gets the same number, another session another one, a pool of
 * one number falls back, a session id of one pool is refused by another, and a number already pooled is refused
 * for a second pool.
 */
class PoolCassandraIntegrationTest {
  private static final Duration ASK = Duration.ofSeconds(10);
  private static ActorTestKit testKit;
  private static ClusterInventoryBackend inventory;
  private static ClusterPoolBackend pools;

  @BeforeAll
  static void start() throws Exception {
    String keyspace = TestCassandra.uniqueKeyspace("pools");
    testKit = DirectoryTestConfig.singleNodeCluster("PoolCassandraIntegrationTest",
        TestCassandra.persistenceConfig(keyspace).withFallback(DirectoryTestConfig.cluster())
            .withFallback(ConfigFactory.load()));
    ActorSystem<Void> system = testKit.system();
    ClusterSharding sharding = ClusterSharding.get(system);
    inventory = new ClusterInventoryBackend(system, sharding, ASK, Duration.ofHours(1), Clock.systemUTC());
    pools = new ClusterPoolBackend(system, sharding, ASK, Duration.ofMillis(2), Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static List<PhoneNumber> imported(String op, String... ns) throws Exception {
    Map<PhoneNumber, NumberRange> m = new LinkedHashMap<>();
    for (String n : ns) {
      PhoneNumber p = PhoneNumbers.parse(n);
      m.put(p, NumberRange.of(p));
    }
    await(inventory.importNumbers(op, m)).values()
        .forEach(r -> assertEquals(InventoryBackend.Outcome.IMPORTED, r.outcome(), r.error()));
    return List.copyOf(m.keySet());
  }

  @Test
  void poolOfInventoryNumbersAssignsPerSessionAndFallsBack() throws Exception {
    List<PhoneNumber> two = imported("op-a", "0120-300-001", "0120-300-002");
    PhoneNumber fallback = PhoneNumbers.parse("0120-300-999");
    PoolBackend.Pool pool = await(pools.create("op-a",
        new PoolBackend.NewPool("dynamic", two, 1800, 600, fallback, List.of("https://shop.example"))));
    assertEquals(List.of("pooled", "pooled"), await(inventory.list("op-a", "pooled", null, null, 100)).entries()
        .stream().map(InventoryBackend.Entry::state).toList());

    PoolBackend.Assignment s1 = await(pools.assign("op-a", pool.poolId(), "s-1", Map.of("gclid", "g1")));
    PoolBackend.Assignment again = await(pools.assign("op-a", pool.poolId(), "s-1", Map.of("gclid", "g1")));
    assertFalse(s1.fallback());
    assertEquals(s1.e164(), again.e164());
    PoolBackend.Assignment s2 = await(pools.assign("op-a", pool.poolId(), "s-2", Map.of()));
    assertNotEquals(s1.e164(), s2.e164());
    assertTrue(await(pools.assign("op-a", pool.poolId(), "s-3", Map.of())).fallback());
    PoolBackend.Pool after = await(pools.get("op-a", pool.poolId()));
    assertEquals(4, after.assignments());
    assertEquals(1, after.fallbacks());
    assertTrue(after.exhausted());
    assertEquals(List.of(pool.poolId()), await(pools.list("op-a")).stream().map(PoolBackend.Pool::poolId).toList());
    assertEquals(List.of(), await(pools.list("op-b")));

    List<PhoneNumber> one = imported("op-a", "0120-300-003");
    PoolBackend.Pool single = await(pools.create("op-a",
        new PoolBackend.NewPool("one_time", one, 60, 0, fallback, List.of())));
    assertEquals("+81120300003", await(pools.assign("op-a", single.poolId(), "s-9", Map.of())).e164());
    PoolBackend.Assignment fb = await(pools.assign("op-a", single.poolId(), "s-10", Map.of()));
    assertTrue(fb.fallback());
    assertEquals(fallback.e164(), fb.e164());

    // a pooled number cannot join another pool; the other, available one is put back
    List<PhoneNumber> fresh = imported("op-a", "0120-300-004");
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(pools.create("op-a",
        new PoolBackend.NewPool("dynamic", List.of(fresh.get(0), two.get(0)), 60, 0, fallback, List.of()))));
    ApiProblem p = assertInstanceOf(ApiProblem.class, e.getCause());
    assertEquals(409, p.status());
    assertTrue(p.getMessage().contains("0120-300-001"), p.getMessage());
    assertEquals(List.of("available"), await(inventory.list("op-a", "available", null, null, 100)).entries()
        .stream().map(InventoryBackend.Entry::state).toList());
    ExecutionException reused = assertThrows(ExecutionException.class,
        () -> await(pools.assign("op-a", single.poolId(), "s-1", Map.of())));
    assertEquals(409, assertInstanceOf(ApiProblem.class, reused.getCause()).status());
    assertTrue(reused.getCause().getMessage().contains(pool.poolId()), reused.getCause().getMessage());
    assertEquals(1, await(pools.get("op-a", single.poolId())).fallbacks(), "the refused session got nothing");
    ExecutionException unknown = assertThrows(ExecutionException.class,
        () -> await(pools.assign("op-b", pool.poolId(), "s-1", Map.of())));
    assertEquals(404, assertInstanceOf(ApiProblem.class, unknown.getCause()).status());
  }
}
