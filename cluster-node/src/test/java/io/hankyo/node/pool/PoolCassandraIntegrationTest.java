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
import java.time.Instant;
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
  private static ClusterSharding sharding;
  private static io.hankyo.node.callback.ClusterCallbackBackend callbacks;

  @BeforeAll
  static void start() throws Exception {
    String keyspace = TestCassandra.uniqueKeyspace("pools");
    testKit = DirectoryTestConfig.singleNodeCluster("PoolCassandraIntegrationTest",
        TestCassandra.persistenceConfig(keyspace).withFallback(DirectoryTestConfig.cluster())
            .withFallback(ConfigFactory.load()));
    ActorSystem<Void> system = testKit.system();
    sharding = ClusterSharding.get(system);
    inventory = new ClusterInventoryBackend(system, sharding, ASK, Duration.ofHours(1), Clock.systemUTC());
    pools = new ClusterPoolBackend(system, sharding, ASK, Duration.ofMillis(2), Duration.ofHours(1),
        Clock.systemUTC());
    callbacks = new io.hankyo.node.callback.ClusterCallbackBackend(sharding, ASK);
  }

  /** Makes {@code number} a static tracking number of {@code op} (the fallback a pool needs). */
  private static PhoneNumber tracking(String op, String number) throws Exception {
    PhoneNumber n = PhoneNumbers.parse(number);
    var reply = await(sharding.entityRefFor(io.hankyo.node.directory.TrackingNumber.ENTITY_KEY, n.e164())
        .<org.apache.pekko.pattern.StatusReply<io.hankyo.node.directory.TrackingNumber.Details>>ask(
            r -> new io.hankyo.node.directory.TrackingNumber.Assign(op, "client-1", "Client", "d-" + n.e164(), "",
                n, PhoneNumbers.parse("03-1234-5678"), r), ASK));
    assertTrue(reply.isSuccess(), () -> reply.getError().getMessage());
    return n;
  }

  private static ApiProblem problem(CompletionStage<?> stage) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(stage));
    return assertInstanceOf(ApiProblem.class, e.getCause());
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
    PhoneNumber fallback = tracking("op-a", "0120-300-999");
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
    PhoneNumber fallback = tracking("op-u", "0120-310-999");
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
    // 2 of 3 held would be "keep", but the pool is seconds old: not judged on so little history
    assertEquals("not_enough_history", bigSizing.action(), bigSizing.advice());
    assertEquals(null, bigSizing.suggestedSize());
    io.hankyo.api.PoolSizing.Report smallSizing = await(pools.sizing("op-u", small.poolId(), 1));
    assertEquals("grow", smallSizing.action());
    assertEquals(1, smallSizing.daysAtCapacity());

    await(pools.delete("op-u", big.poolId()));
    await(pools.delete("op-u", big.poolId()));
    assertEquals(404, status(pools.delete("op-x", small.poolId())));
    assertEquals(404, status(pools.get("op-u", big.poolId())));
    assertEquals(404, status(pools.assign("op-u", big.poolId(), "u-5", Map.of())));
    assertEquals(404, status(pools.assign("op-u", big.poolId(), "u-1", Map.of())),
        "a repeat view of a deleted pool (its session claim known to the node) is refused all the same");
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

  /**
   * A node skips the session claim for repeat page views only while the claim's bucket would acknowledge it without a
   * write (until the claim's end minus half its life, on the backend's clock): past that, the claim is asked again, so
   * a session whose claim expired and was taken by another pool (through another node) is refused by its first pool
   * (409), and a claim first seen late in its life is still renewed before it ends.
   */
  @Test
  void aRepeatViewSkipsTheClaimOnlyWhileTheClaimSurelyLives() throws Exception {
    io.hankyo.node.testing.ManualClock clock = new io.hankyo.node.testing.ManualClock(java.time.Instant.now());
    // the same system: the entities keep the first backend's settings (claims capped at 48 h), as this backend assumes;
    // the pools hold numbers 600 s, so their claims live 20 min
    ClusterPoolBackend timed = new ClusterPoolBackend(testKit.system(), sharding, ASK, Duration.ofMillis(2),
        Duration.ofHours(1), ClusterPoolBackend.DEFAULT_SESSION_BUCKETS, ClusterPoolBackend.DEFAULT_CLAIM_TTL, clock);
    PhoneNumber fallback = tracking("op-c", "0120-340-999");
    PoolBackend.Pool x = await(timed.create("op-c", new PoolBackend.NewPool("dynamic",
        imported("op-c", "0120-340-001"), 600, 0, fallback, List.of())));
    PoolBackend.Pool y = await(timed.create("op-c", new PoolBackend.NewPool("dynamic",
        imported("op-c", "0120-340-002"), 600, 0, fallback, List.of())));
    String first = await(timed.assign("op-c", x.poolId(), "c-1", Map.of())).e164();
    clock.advance(Duration.ofSeconds(60));
    assertEquals(first, await(timed.assign("op-c", x.poolId(), "c-1", Map.of())).e164(), "a repeat view");
    assertEquals(409, status(timed.assign("op-c", y.poolId(), "c-1", Map.of())), "the claim lives");

    // 21 min after the first view the claim (20 min: the repeat view acknowledged it without renewal) has expired:
    // another pool may take the session id, here through another node (another backend: its own memory of claims)
    clock.advance(Duration.ofMinutes(20));
    ClusterPoolBackend otherNode = new ClusterPoolBackend(testKit.system(), sharding, ASK, Duration.ofMillis(2),
        Duration.ofHours(1), ClusterPoolBackend.DEFAULT_SESSION_BUCKETS, ClusterPoolBackend.DEFAULT_CLAIM_TTL, clock);
    assertEquals("+81120340002", await(otherNode.assign("op-c", y.poolId(), "c-1", Map.of())).e164());
    ApiProblem refused = problem(timed.assign("op-c", x.poolId(), "c-1", Map.of()));
    assertEquals(409, refused.status(), "the first pool's claim is asked again, not taken from the node's memory");
    assertTrue(refused.getMessage().contains(y.poolId()), refused.getMessage());
    assertEquals(2, await(timed.get("op-c", x.poolId())).assignments(), "nothing assigned after the refusal");

    // a node that first sees a claim late in its life still renews it in time: the claim must outlive every hold
    Instant start = clock.instant();
    await(timed.assign("op-c", x.poolId(), "c-2", Map.of()));
    clock.set(start.plus(Duration.ofMinutes(9)));
    await(otherNode.assign("op-c", x.poolId(), "c-2", Map.of()));
    clock.set(start.plus(Duration.ofMinutes(11)));
    await(otherNode.assign("op-c", x.poolId(), "c-2", Map.of()));
    clock.set(start.plus(Duration.ofMinutes(25)));
    assertEquals(409, status(timed.assign("op-c", y.poolId(), "c-2", Map.of())),
        "the view at 11 min renewed the claim (20 min from the first view): still the first pool's");
  }

  /**
   * Issue 5 pool trial findings: the fallback must be a static tracking number of the operator; visitor pools and the
   * callback pool refuse each other's numbers (and the callback pool respects inventory states); creation is
   * retry-safe (client pool id, or the same request again); inventory rows of pooled numbers carry the pool id.
   */
  @Test
  void fallbackCallbackPoolAndRetryRulesHoldAcrossEntities() throws Exception {
    List<PhoneNumber> ns = imported("op-f", "0120-320-001", "0120-320-002", "0120-320-003", "0120-320-004",
        "0120-320-005");
    PhoneNumber fallback = tracking("op-f", "0120-320-999");
    PhoneNumber othersFallback = tracking("op-g", "0120-320-998");
    List<PhoneNumber> twoNumbers = ns.subList(0, 2);

    ApiProblem notTracking = problem(pools.create("op-f", new PoolBackend.NewPool("dynamic", twoNumbers, 1800, 0,
        PhoneNumbers.parse("0120-320-777"), List.of())));
    assertEquals(409, notTracking.status());
    assertTrue(notTracking.getMessage().contains("0120-320-777 is not a tracking number"), notTracking.getMessage());
    ApiProblem others = problem(pools.create("op-f", new PoolBackend.NewPool("dynamic", twoNumbers, 1800, 0,
        othersFallback, List.of())));
    assertTrue(others.getMessage().contains("another operator"), others.getMessage());
    assertEquals(5, await(inventory.list("op-f", "available", null, null, 100)).entries().size(), "nothing pooled");

    PoolBackend.NewPool request = new PoolBackend.NewPool("dynamic", twoNumbers, 1800, 0, fallback, List.of());
    PoolBackend.Pool a = await(pools.create("op-f", request));
    // a number of a pool is no fallback (it is not a tracking number)
    assertEquals(409, status(pools.create("op-f", new PoolBackend.NewPool("dynamic", ns.subList(2, 3), 1800, 0,
        ns.get(0), List.of()))));
    // the same request again (its answer was lost): the same pool, not a 409
    assertEquals(a.poolId(), await(pools.create("op-f", request)).poolId());
    // ... but a request naming its own pool id (or an Idempotency-Key, which becomes one) is never answered with
    // another pool holding its numbers: that pool would then be used under the wrong id (newcomer trial)
    ApiProblem ownId = problem(pools.create("op-f", new PoolBackend.NewPool("dynamic", twoNumbers, 1800, 0, fallback,
        List.of(), null, "shop-f.other")));
    assertEquals(409, ownId.status());
    assertTrue(ownId.getMessage().contains("is already in pool " + a.poolId()), ownId.getMessage());
    assertEquals(404, status(pools.get("op-f", "shop-f.other")), "no pool under the client's id");
    ApiProblem otherSettings = problem(pools.create("op-f", new PoolBackend.NewPool("dynamic", twoNumbers, 60, 0,
        fallback, List.of())));
    assertEquals(409, otherSettings.status());
    assertTrue(otherSettings.getMessage().contains("is already in pool " + a.poolId())
        && otherSettings.getMessage().contains("GET /v1/pools/"), otherSettings.getMessage());
    assertEquals(List.of(a.poolId(), a.poolId()), await(inventory.list("op-f", "pooled", null, null, 100)).entries()
        .stream().map(InventoryBackend.Entry::poolId).toList(), "pooled rows carry their pool id");

    // a client pool id: the retry answers the same pool; other settings under that id are refused
    PoolBackend.NewPool withId = new PoolBackend.NewPool("one_time", ns.subList(2, 3), 60, 0, fallback, List.of(), null,
        "shop-f.1");
    assertEquals("shop-f.1", await(pools.create("op-f", withId)).poolId());
    assertEquals("shop-f.1", await(pools.create("op-f", withId)).poolId());
    // the key-less JS tag endpoint finds a pool by the client's id too (it looked for pool-<16 hex> only)
    assertEquals("op-f", await(pools.publicPool("shop-f.1")).operatorId());
    ApiProblem taken = problem(pools.create("op-f", new PoolBackend.NewPool("one_time", ns.subList(2, 3), 120, 0,
        fallback, List.of(), null, "shop-f.1")));
    assertTrue(taken.getMessage().contains("exists with other settings"), taken.getMessage());
    ApiProblem otherOperator = problem(pools.create("op-g", new PoolBackend.NewPool("one_time",
        imported("op-g", "0120-320-101"), 60, 0, othersFallback, List.of(), null, "shop-f.1")));
    assertEquals(409, otherOperator.status());
    assertEquals(List.of("0120-320-101"), await(inventory.list("op-g", "available", null, null, 100)).entries()
        .stream().map(InventoryBackend.Entry::national).toList(), "given back after the id was refused");

    // a pooled number is no callback number: 409 naming it, the callback pool unchanged, the number not claimed
    ApiProblem pooled = problem(callbacks.putPool("op-f", List.of(ns.get(0), ns.get(3)), 3600));
    assertEquals(409, pooled.status());
    assertTrue(pooled.getMessage().contains("0120-320-001 is pooled in pool " + a.poolId()), pooled.getMessage());
    assertFalse(pooled.getMessage().contains("0120-320-004"), pooled.getMessage());
    assertEquals(List.of(), await(callbacks.getPool("op-f")).numbers());
    assertEquals(java.util.Optional.empty(), callbackOwner(ns.get(3)), "nothing claimed by a refused PUT");

    // an available inventory number and a number in no inventory may be callback numbers
    PhoneNumber outside = PhoneNumbers.parse("050-3200-0001");
    assertEquals(2, await(callbacks.putPool("op-f", List.of(ns.get(3), outside), 3600)).numbers().size());
    // ... and then no visitor pool takes it; the other number is given back
    ApiProblem callback = problem(pools.create("op-f", new PoolBackend.NewPool("dynamic", ns.subList(3, 5), 1800, 0,
        fallback, List.of())));
    assertEquals(409, callback.status());
    assertTrue(callback.getMessage().contains("0120-320-004 is a callback number"), callback.getMessage());
    assertFalse(callback.getMessage().contains("0120-320-005"), callback.getMessage());
    assertEquals(List.of("0120-320-004", "0120-320-005"), await(inventory.list("op-f", "available", null, null, 100))
        .entries().stream().map(InventoryBackend.Entry::national).toList());
    assertEquals(io.hankyo.node.inventory.InventoryNumber.Status.AVAILABLE, inventoryState(ns.get(3)).status());
    assertEquals(io.hankyo.node.inventory.InventoryNumber.Status.AVAILABLE, inventoryState(ns.get(4)).status());

    // a number cooling down after its pool was deleted is no callback number either
    await(pools.assign("op-f", "shop-f.1", "s-f", Map.of()));
    await(pools.delete("op-f", "shop-f.1"));
    ApiProblem cooling = problem(callbacks.putPool("op-f", List.of(ns.get(3), ns.get(2)), 3600));
    assertTrue(cooling.getMessage().contains("0120-320-003 is cooling_down until"), cooling.getMessage());
    assertEquals(2, await(callbacks.getPool("op-f")).numbers().size(), "the callback pool is unchanged");
  }

  private static java.util.Optional<String> callbackOwner(PhoneNumber n) throws Exception {
    return await(sharding.entityRefFor(io.hankyo.node.callback.CallbackNumber.ENTITY_KEY, n.e164())
        .ask(io.hankyo.node.callback.CallbackNumber.GetOwner::new, ASK)).operatorId();
  }

  private static io.hankyo.node.inventory.InventoryNumber.State inventoryState(PhoneNumber n) throws Exception {
    return await(sharding.entityRefFor(io.hankyo.node.inventory.InventoryNumber.ENTITY_KEY, n.e164())
        .ask(io.hankyo.node.inventory.InventoryNumber.Get::new, ASK));
  }
}
