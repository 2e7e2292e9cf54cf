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
 * for a second pool; display counts per month, the sizing report, and deleting a pool (issue 5, pool usage).
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
    pools = new ClusterPoolBackend(system, sharding, ASK, Duration.ofMillis(2), Duration.ofHours(1),
        Clock.systemUTC());
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

  private static int status(CompletionStage<?> stage) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(stage));
    return assertInstanceOf(ApiProblem.class, e.getCause()).status();
  }

  @Test
  void displaysAreCountedPerMonthAndADeletedPoolsNumbersLeaveItWhileItsCountsStay() throws Exception {
    List<PhoneNumber> three = imported("op-u", "0120-310-001", "0120-310-002", "0120-310-003");
    PhoneNumber fallback = PhoneNumbers.parse("0120-310-999");
    PoolBackend.Pool big = await(pools.create("op-u",
        new PoolBackend.NewPool("dynamic", three, 1800, 0, fallback, List.of())));
    PoolBackend.Pool small = await(pools.create("op-u",
        new PoolBackend.NewPool("one_time", imported("op-u", "0120-310-004"), 1800, 0, fallback, List.of())));
    await(pools.assign("op-u", big.poolId(), "u-1", Map.of()));
    await(pools.assign("op-u", big.poolId(), "u-2", Map.of()));
    await(pools.assign("op-u", small.poolId(), "u-3", Map.of()));
    PoolBackend.Assignment fb = await(pools.assign("op-u", small.poolId(), "u-4", Map.of()));
    assertTrue(fb.fallback());
    assertEquals(null, fb.heldUntil(), "a fallback holds nothing");

    String month = java.time.YearMonth.now(java.time.ZoneId.of("Asia/Tokyo")).toString();
    PoolBackend.Displays d = await(pools.displays("op-u", null));
    assertEquals(month, d.month());
    assertEquals(4, d.displays());
    assertEquals(1, d.fallbacks());
    assertEquals(2, d.pools().size());
    assertEquals(0, await(pools.displays("op-u", java.time.YearMonth.of(2020, 1))).displays());

    io.hankyo.api.PoolSizing.Report bigSizing = await(pools.sizing("op-u", big.poolId(), 7));
    assertEquals(7, bigSizing.days().size());
    assertEquals(2, bigSizing.days().get(6).peakHolds(), "two of three numbers held today");
    assertEquals(2, bigSizing.days().get(6).displays());
    assertEquals("keep", bigSizing.action());
    io.hankyo.api.PoolSizing.Report smallSizing = await(pools.sizing("op-u", small.poolId(), 1));
    assertEquals("grow", smallSizing.action());
    assertEquals(1, smallSizing.daysAtCapacity());

    await(pools.delete("op-u", big.poolId()));
    await(pools.delete("op-u", big.poolId()));
    assertEquals(404, status(pools.delete("op-x", small.poolId())));
    assertEquals(404, status(pools.get("op-u", big.poolId())));
    assertEquals(404, status(pools.assign("op-u", big.poolId(), "u-5", Map.of())));
    assertEquals(404, status(pools.sizing("op-u", big.poolId(), 30)));
    assertEquals(List.of(small.poolId()), await(pools.list("op-u")).stream().map(PoolBackend.Pool::poolId)
        .toList());
    List<InventoryBackend.Entry> cooling = await(inventory.list("op-u", "cooling_down", null, null, 100)).entries();
    assertEquals(2, cooling.size(), "the two numbers handed out cool down");
    assertTrue(cooling.stream().allMatch(e -> e.until() != null), cooling.toString());
    assertEquals(List.of("0120-310-003"), await(inventory.list("op-u", "available", null, null, 100)).entries()
        .stream().map(InventoryBackend.Entry::national).toList(), "the number never handed out is available");
    PoolBackend.Displays after = await(pools.displays("op-u", null));
    assertEquals(4, after.displays(), "a deleted pool's displays stay counted");
    assertTrue(after.pools().stream().anyMatch(p -> p.poolId().equals(big.poolId()) && p.deleted()
        && p.displays() == 2));
    assertEquals(List.of(small.poolId()), await(pools.displays("op-u", java.time.YearMonth.of(2020, 1))).pools()
        .stream().map(PoolBackend.PoolDisplays::poolId).toList(), "a deleted pool without displays is left out");
    PoolBackend.Pool again = await(pools.create("op-u", new PoolBackend.NewPool("dynamic",
        List.of(three.get(2)), 60, 0, fallback, List.of())));
    assertEquals(1, again.numbers().size(), "the available number can join a new pool");
  }
}
