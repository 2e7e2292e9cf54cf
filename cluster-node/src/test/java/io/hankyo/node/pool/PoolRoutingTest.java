package io.hankyo.node.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.api.ApiProblem;
import io.hankyo.api.PoolBackend;
import io.hankyo.node.directory.DirectoryTestConfig;
import io.hankyo.node.directory.NumberRoutes;
import io.hankyo.node.directory.TrackingNumber;
import io.hankyo.node.inventory.InventoryNumber;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * Pools' tracking numbers, bindings and the routing of their calls over real sharding (single-node cluster, in-memory
 * journal; issue 5, attribution): {@link ClusterPoolBackend} and {@link NumberRoutes#lookup} together; also the
 * backend's answers on their own (the size of a refused creation's 409, the sizing report of a new pool).
 */
class PoolRoutingTest {
  private static final Duration ASK = Duration.ofSeconds(5);
  private static ActorTestKit testKit;
  private static ClusterSharding sharding;

  @BeforeAll
  static void startCluster() throws Exception {
    testKit = DirectoryTestConfig.singleNodeCluster("PoolRoutingTest", DirectoryTestConfig.cluster());
    sharding = ClusterSharding.get(testKit.system());
  }

  @AfterAll
  static void stopCluster() {
    testKit.shutdownTestKit();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static int status(CompletionStage<?> stage) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(stage));
    return ((ApiProblem) e.getCause()).status();
  }

  private static void tracking(String op, PhoneNumber n) throws Exception {
    StatusReply<TrackingNumber.Details> r = await(sharding.entityRefFor(TrackingNumber.ENTITY_KEY, n.e164())
        .ask(x -> new TrackingNumber.Assign(op, "shop", "Shop", "top", "Top", n, PhoneNumbers.parse("03-1234-5678"),
            x), ASK));
    assertTrue(r.isSuccess());
  }

  @Test
  void poolNumbersTakeTheTrackingNumbersRouteWithTheirAttribution() throws Exception {
    PhoneNumber track = PhoneNumbers.parse("0120-800-100");
    PhoneNumber fallback = PhoneNumbers.parse("0120-800-150");
    PhoneNumber other = PhoneNumbers.parse("0120-800-200");
    PhoneNumber n1 = PhoneNumbers.parse("0120-800-001");
    ClusterPoolBackend pools = new ClusterPoolBackend(testKit.system(), sharding, ASK, Clock.systemUTC());
    NumberRoutes routes = new NumberRoutes(testKit.system(), sharding, ASK);
    tracking("op-a", track);
    tracking("op-a", "shop", "fb", fallback);
    tracking("op-b", other);
    assertTrue(await(sharding.entityRefFor(InventoryNumber.ENTITY_KEY, n1.e164())
        .<StatusReply<InventoryNumber.ImportResult>>ask(r -> new InventoryNumber.Import("op-a", r), ASK))
        .isSuccess());

    assertEquals(404, status(pools.create("op-a", new PoolBackend.NewPool("dynamic", List.of(n1), 600, 0, track,
        List.of(), other))), "another operator's tracking number");
    assertEquals(404, status(pools.create("op-a", new PoolBackend.NewPool("dynamic", List.of(n1), 600, 0, track,
        List.of(), PhoneNumbers.parse("0120-800-999")))), "not a tracking number");
    PoolBackend.Pool pool = await(pools.create("op-a", new PoolBackend.NewPool("dynamic", List.of(n1), 600, 0,
        fallback, List.of(), track)));
    assertEquals(track.e164(), pool.trackingNumberE164());

    NumberRoute never = await(routes.lookup(n1.e164())).orElseThrow();
    assertEquals(n1.e164(), never.din().e164());
    assertEquals("top", never.dialinId());
    assertEquals(Map.of("attribution", "unattributed", "pool_id", pool.poolId()), never.attribution());

    await(pools.assign("op-a", pool.poolId(), "s-1", Map.of("gclid", "g-1")));
    NumberRoute held = await(routes.lookup(n1.e164())).orElseThrow();
    assertEquals(Map.of("attribution", "pool", "pool_id", pool.poolId(), "session_id", "s-1", "gclid", "g-1"),
        held.attribution());
    assertEquals(null, await(routes.lookup(track.e164())).orElseThrow().attribution(),
        "the tracking number without bindings is not attributed");

    assertEquals(404, status(pools.bind("op-b", new PoolBackend.NewBinding(track, null, Map.of(), null, 60))));
    PoolBackend.Binding b = await(pools.bind("op-a",
        new PoolBackend.NewBinding(track, "s-b", Map.of("gclid", "g-b"), null, 600)));
    assertEquals(List.of(b), await(pools.bindings("op-a", track)));
    assertEquals(404, status(pools.bindings("op-b", track)));
    assertEquals(Map.of("attribution", "binding", "binding_id", b.bindingId(), "session_id", "s-b", "gclid", "g-b"),
        await(routes.lookup(track.e164())).orElseThrow().attribution());
    assertEquals(Optional.empty(), await(routes.lookup("+81120800555")), "neither tracking nor pooled: no route");
  }

  @Test
  void aCallIsNeverAttributedToASessionThatGotTheNumberAfterTheCallArrived() throws Exception {
    PhoneNumber track = PhoneNumbers.parse("0120-800-300");
    PhoneNumber n = PhoneNumbers.parse("0120-800-301");
    ClusterPoolBackend now = new ClusterPoolBackend(testKit.system(), sharding, ASK, Clock.systemUTC());
    NumberRoutes routes = new NumberRoutes(testKit.system(), sharding, ASK);
    tracking("op-c", track);
    assertTrue(await(sharding.entityRefFor(InventoryNumber.ENTITY_KEY, n.e164())
        .<StatusReply<InventoryNumber.ImportResult>>ask(r -> new InventoryNumber.Import("op-c", r), ASK))
        .isSuccess());
    PoolBackend.Pool pool = await(now.create("op-c", new PoolBackend.NewPool("dynamic", List.of(n), 60, 0, track,
        List.of(), track)));
    await(now.assign("op-c", pool.poolId(), "s-early", Map.of("gclid", "g-early")));
    // the hold of s-early ends and s-late gets the number an hour on, i.e. after a call that arrives "now" (the
    // routing reads the pool after the hand-over): that call must not be credited to s-late
    ClusterPoolBackend later = new ClusterPoolBackend(testKit.system(), sharding, ASK,
        Clock.offset(Clock.systemUTC(), Duration.ofHours(1)));
    await(later.assign("op-c", pool.poolId(), "s-late", Map.of("gclid", "g-late")));
    NumberRoute call = await(routes.lookup(n.e164())).orElseThrow();
    assertEquals(n.e164(), call.din().e164());
    assertEquals(Map.of("attribution", "unattributed", "pool_id", pool.poolId(), "attribution_note", "reassigned"),
        call.attribution());
  }

  /**
   * Session claims live 2 × the pool's hold (issue 5, a session id reused across pools): a 30-minute pool's claim lives
   * 1 h. The node skips the claim on repeat views only until half of that is left (then it is renewed), and another
   * pool may take the session id 1 h after the last renewal, not before.
   */
  @Test
  void aThirtyMinutePoolsSessionClaimLivesOneHourFromItsLastRenewal() throws Exception {
    PhoneNumber track = PhoneNumbers.parse("0120-806-100");
    PhoneNumber n1 = PhoneNumbers.parse("0120-806-001");
    PhoneNumber n2 = PhoneNumbers.parse("0120-806-002");
    io.hankyo.node.testing.ManualClock clock = new io.hankyo.node.testing.ManualClock(java.time.Instant.now());
    // the same system: the buckets keep the first backend's cap (48 h), as this one assumes
    ClusterPoolBackend pools = new ClusterPoolBackend(testKit.system(), sharding, ASK, clock);
    tracking("op-d", "shop-5", "main", track);
    importNumber("op-d", n1);
    importNumber("op-d", n2);
    PoolBackend.Pool x = await(pools.create("op-d", new PoolBackend.NewPool("dynamic", List.of(n1), 1800, 0, track,
        List.of(), track)));
    PoolBackend.Pool y = await(pools.create("op-d", new PoolBackend.NewPool("dynamic", List.of(n2), 1800, 0, track,
        List.of(), track)));
    java.time.Instant start = clock.instant();
    assertEquals(n1.e164(), await(pools.assign("op-d", x.poolId(), "v-1", Map.of())).e164());
    clock.set(start.plus(Duration.ofMinutes(25)));
    assertEquals(n1.e164(), await(pools.assign("op-d", x.poolId(), "v-1", Map.of())).e164(), "35 min left: skipped");
    clock.set(start.plus(Duration.ofMinutes(35)));
    assertEquals(n1.e164(), await(pools.assign("op-d", x.poolId(), "v-1", Map.of())).e164(),
        "25 min left: asked again and renewed");
    clock.set(start.plus(Duration.ofMinutes(70)));
    assertEquals(409, status(pools.assign("op-d", y.poolId(), "v-1", Map.of())),
        "the view at 35 min renewed the claim (the first one ended at 60 min)");
    clock.set(start.plus(Duration.ofMinutes(95)));
    assertEquals(n2.e164(), await(pools.assign("op-d", y.poolId(), "v-1", Map.of())).e164(),
        "1 h after the last renewal (not 48 h) another pool takes the session id");
    clock.set(start.plus(Duration.ofMinutes(96)));
    assertEquals(409, status(pools.assign("op-d", x.poolId(), "v-1", Map.of())));
  }

  @Test
  void aReturningVisitorOfADeletedPoolIsTakenByTheNextPoolButNotByALiveOne() throws Exception {
    PhoneNumber track = PhoneNumbers.parse("0120-807-100");
    PhoneNumber n1 = PhoneNumbers.parse("0120-807-001");
    PhoneNumber n2 = PhoneNumbers.parse("0120-807-002");
    PhoneNumber n3 = PhoneNumbers.parse("0120-807-003");
    ClusterPoolBackend pools = new ClusterPoolBackend(testKit.system(), sharding, ASK, Clock.systemUTC());
    tracking("op-e", "shop-6", "main", track);
    importNumber("op-e", n1);
    importNumber("op-e", n2);
    importNumber("op-e", n3);
    PoolBackend.Pool old = await(pools.create("op-e", new PoolBackend.NewPool("dynamic", List.of(n1), 1800, 0, track,
        List.of(), track)));
    PoolBackend.Pool replacement = await(pools.create("op-e", new PoolBackend.NewPool("dynamic", List.of(n2), 1800,
        0, track, List.of(), track)));
    PoolBackend.Pool live = await(pools.create("op-e", new PoolBackend.NewPool("dynamic", List.of(n3), 1800, 0, track,
        List.of(), track)));
    assertEquals(n1.e164(), await(pools.assign("op-e", old.poolId(), "v-back", Map.of())).e164());
    assertEquals(409, status(pools.assign("op-e", replacement.poolId(), "v-back", Map.of())), "the old pool lives");

    await(pools.delete("op-e", old.poolId()));
    assertEquals(n2.e164(), await(pools.assign("op-e", replacement.poolId(), "v-back", Map.of())).e164(),
        "the deleted pool's claim is taken over (it answered 409 for the claim's whole life)");
    assertEquals(n2.e164(), await(pools.assign("op-e", replacement.poolId(), "v-back", Map.of())).e164());
    assertEquals(409, status(pools.assign("op-e", live.poolId(), "v-back", Map.of())),
        "a live pool's claim is never taken over");
    assertEquals(404, status(pools.assign("op-e", old.poolId(), "v-back", Map.of())));
  }

  @Test
  void aNodeSkipsTheClaimUntilHalfOfItsLifeIsLeft() {
    java.time.Instant end = java.time.Instant.parse("2026-11-01T01:00:00Z");
    Duration hour = Duration.ofHours(1);
    Duration cap = Duration.ofHours(48);
    assertEquals(end.minus(Duration.ofMinutes(30)),
        ClusterPoolBackend.skipUntil(new PoolSessions.Owner("pool-a", end, hour), hour, cap));
    assertEquals(end.minus(Duration.ofHours(24)),
        ClusterPoolBackend.skipUntil(new PoolSessions.Owner("pool-a", end, null), hour, cap), "no life: the cap");
    assertEquals(end.minus(hour),
        ClusterPoolBackend.skipUntil(new PoolSessions.Owner("pool-a", end, hour), hour.multipliedBy(2), cap),
        "the pool's life when longer");
  }

  private static void tracking(String op, String client, String dialin, PhoneNumber n) throws Exception {
    StatusReply<TrackingNumber.Details> r = await(sharding.entityRefFor(TrackingNumber.ENTITY_KEY, n.e164())
        .ask(x -> new TrackingNumber.Assign(op, client, client, dialin, dialin, n,
            PhoneNumbers.parse("03-1234-5678"), x), ASK));
    assertTrue(r.isSuccess(), () -> String.valueOf(r));
  }

  private static void release(String op, String client, String dialin, PhoneNumber n) throws Exception {
    assertTrue(await(sharding.entityRefFor(TrackingNumber.ENTITY_KEY, n.e164())
        .<StatusReply<org.apache.pekko.Done>>ask(x -> new TrackingNumber.Release(op, client, dialin, x), ASK))
        .isSuccess());
  }

  private static void importNumber(String op, PhoneNumber n) throws Exception {
    assertTrue(await(sharding.entityRefFor(InventoryNumber.ENTITY_KEY, n.e164())
        .<StatusReply<InventoryNumber.ImportResult>>ask(r -> new InventoryNumber.Import(op, r), ASK)).isSuccess());
  }

  @Test
  void aPoolNumberNeverTakesTheRouteOfAnotherOwnerOfItsTrackingNumber() throws Exception {
    PhoneNumber track = PhoneNumbers.parse("0120-801-100");
    PhoneNumber n1 = PhoneNumbers.parse("0120-801-001");
    ClusterPoolBackend pools = new ClusterPoolBackend(testKit.system(), sharding, ASK, Clock.systemUTC());
    NumberRoutes routes = new NumberRoutes(testKit.system(), sharding, ASK);
    tracking("op-a", "shop-2", "main", track);
    importNumber("op-a", n1);
    PoolBackend.Pool pool = await(pools.create("op-a", new PoolBackend.NewPool("dynamic", List.of(n1), 600, 0, track,
        List.of(), track)));
    NumberPool.Holder h = await(sharding.entityRefFor(NumberPool.ENTITY_KEY, pool.poolId())
        .<NumberPool.Holder>ask(r -> new NumberPool.GetHolder(n1.e164(), java.time.Instant.now(), r), ASK));
    assertEquals("shop-2", h.trackingClientId(), "the tracking number's owner is captured at creation");
    assertEquals("main", h.trackingDialinId());
    await(pools.assign("op-a", pool.poolId(), "s-owner", Map.of("gclid", "g-1")));
    NumberRoute held = await(routes.lookup(n1.e164())).orElseThrow();
    assertEquals("shop-2", held.clientId());

    // the tracking number goes (bypassing the API's 409) and comes back for another advertiser of the operator
    release("op-a", "shop-2", "main", track);
    assertEquals(Optional.empty(), await(routes.lookup(n1.e164())), "tracking number gone: no route");
    tracking("op-a", "shop-3", "main", track);
    assertEquals(Optional.empty(), await(routes.lookup(n1.e164())),
        "never another advertiser's route (and never the holder's params logged for it)");
    release("op-a", "shop-3", "main", track);
    // the same advertiser with another record of the number is not the pool's number either
    tracking("op-a", "shop-2", "other", track);
    assertEquals(Optional.empty(), await(routes.lookup(n1.e164())));
    release("op-a", "shop-2", "other", track);
    tracking("op-a", "shop-2", "main", track);
    assertEquals("shop-2", await(routes.lookup(n1.e164())).orElseThrow().clientId(), "the original owner again");
  }

  @Test
  void aNumberCoolingDownAfterItsPoolWasDeletedReachesTheTrackingNumberUnattributedUntilItIsAvailable()
      throws Exception {
    PhoneNumber track = PhoneNumbers.parse("0120-802-100");
    PhoneNumber n1 = PhoneNumbers.parse("0120-802-001");
    PhoneNumber n2 = PhoneNumbers.parse("0120-802-002");
    // no inventory cool-down of its own: the pool's 3 s after the hold's end decide
    ClusterPoolBackend pools = new ClusterPoolBackend(testKit.system(), sharding, ASK, Duration.ZERO, Duration.ZERO,
        Clock.systemUTC());
    NumberRoutes routes = new NumberRoutes(testKit.system(), sharding, ASK);
    tracking("op-a", "shop-4", "main", track);
    importNumber("op-a", n1);
    importNumber("op-a", n2);
    PoolBackend.Pool pool = await(pools.create("op-a", new PoolBackend.NewPool("dynamic", List.of(n1, n2), 1, 3,
        track, List.of(), track)));
    PoolBackend.Assignment a = await(pools.assign("op-a", pool.poolId(), "s-cool", Map.of("gclid", "g-1")));
    PhoneNumber handed = PhoneNumbers.parse(a.e164());
    PhoneNumber never = handed.e164().equals(n1.e164()) ? n2 : n1;
    await(pools.delete("op-a", pool.poolId()));
    // deleting it again succeeds (DELETE /v1/pools/{pool_id} answers 204 again: idempotent, docs/inventory.md)
    await(pools.delete("op-a", pool.poolId()));
    assertEquals(404, status(pools.get("op-a", pool.poolId())));

    NumberRoute r = await(routes.lookup(handed.e164())).orElseThrow(() -> new AssertionError("call lost"));
    assertEquals("shop-4", r.clientId());
    assertEquals(handed.e164(), r.din().e164());
    assertEquals("unattributed", r.attribution().get("attribution"), "the holds ended with the pool");
    assertEquals(pool.poolId(), r.attribution().get("pool_id"));
    assertEquals("s-cool", r.attribution().get("last_session_id"));
    assertTrue(r.attribution().containsKey("last_held_until"));
    assertEquals(null, r.attribution().get("gclid"), "never the holder's params");
    assertEquals(Optional.empty(), await(routes.lookup(never.e164())), "available at once: routes nowhere");

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (await(routes.lookup(handed.e164())).isPresent() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertEquals(Optional.empty(), await(routes.lookup(handed.e164())), "cool-down over: routes nowhere again");
  }

  @Test
  void aBindingNeverOutlivesTheTrackingNumberRecordItWasBoundFor() throws Exception {
    PhoneNumber track = PhoneNumbers.parse("0120-803-100");
    ClusterPoolBackend pools = new ClusterPoolBackend(testKit.system(), sharding, ASK, Clock.systemUTC());
    NumberRoutes routes = new NumberRoutes(testKit.system(), sharding, ASK);
    tracking("op-a", "shop-1", "main", track);
    PoolBackend.Binding old = await(pools.bind("op-a", new PoolBackend.NewBinding(track, "old-visitor",
        Map.of("gclid", "OLD-SHOP1", "member_id", "m-123"), null, 3600)));
    assertEquals("binding", await(routes.lookup(track.e164())).orElseThrow().attribution().get("attribution"));

    // the number is deleted and created again for another advertiser of the operator
    release("op-a", "shop-1", "main", track);
    tracking("op-a", "shop-2", "main", track);
    NumberRoute call = await(routes.lookup(track.e164())).orElseThrow();
    assertEquals("shop-2", call.clientId());
    assertEquals(null, call.attribution(), "never shop-1's visitor credited to shop-2");
    assertEquals(List.of(), await(pools.bindings("op-a", track)), "shop-1's binding is not listed as current");

    // ... and for the first advertiser again: a new record, the old binding still does not count
    release("op-a", "shop-2", "main", track);
    tracking("op-a", "shop-1", "main", track);
    assertEquals(null, await(routes.lookup(track.e164())).orElseThrow().attribution());
    assertEquals(List.of(), await(pools.bindings("op-a", track)));

    // a binding of the current record counts and is listed alone
    PoolBackend.Binding now = await(pools.bind("op-a", new PoolBackend.NewBinding(track, "new-visitor",
        Map.of("gclid", "NEW"), null, 600)));
    assertEquals(List.of(now), await(pools.bindings("op-a", track)));
    assertEquals(Map.of("attribution", "binding", "binding_id", now.bindingId(), "session_id", "new-visitor",
        "gclid", "NEW"), await(routes.lookup(track.e164())).orElseThrow().attribution());
    assertTrue(!now.bindingId().equals(old.bindingId()));
  }

  @Test
  void aBindingStoredBeforeTheOwnerWasRecordedCountsOnlyWhenStoredAfterTheCurrentRecordWasCreated()
      throws Exception {
    PhoneNumber track = PhoneNumbers.parse("0120-803-200");
    ClusterPoolBackend pools = new ClusterPoolBackend(testKit.system(), sharding, ASK, Clock.systemUTC());
    NumberRoutes routes = new NumberRoutes(testKit.system(), sharding, ASK);
    java.time.Instant beforeRecord = java.time.Instant.now().minusSeconds(5);
    tracking("op-a", "shop-5", "main", track);
    java.time.Instant now = java.time.Instant.now();
    // as the entity held them before the owner was kept: no client_id, dialin_id, number_created_at
    NumberBindings.Binding current = new NumberBindings.Binding("bnd-legacy-now", "op-a", "s-now", Map.of("gclid",
        "g-now"), now.minusSeconds(60), now.plusSeconds(600), now, null, null, null);
    NumberBindings.Binding earlier = new NumberBindings.Binding("bnd-legacy-old", "op-a", "s-old", Map.of("gclid",
        "g-old"), now.minusSeconds(30), now.plusSeconds(600), beforeRecord, null, null, null);
    for (NumberBindings.Binding b : List.of(current, earlier)) {
      assertTrue(await(sharding.entityRefFor(NumberBindings.ENTITY_KEY, track.e164())
          .<StatusReply<NumberBindings.Binding>>ask(r -> new NumberBindings.Bind(b, r), ASK)).isSuccess());
    }
    assertEquals(Map.of("attribution", "binding", "binding_id", "bnd-legacy-now", "session_id", "s-now",
        "gclid", "g-now"), await(routes.lookup(track.e164())).orElseThrow().attribution(),
        "the binding stored before the record (bound later, so it would win) is not counted");
    assertEquals(List.of("bnd-legacy-now"),
        await(pools.bindings("op-a", track)).stream().map(PoolBackend.Binding::bindingId).toList());
  }

  @Test
  void aPoolsFallbackNumberIsNeverBoundNorAttributedToABinding() throws Exception {
    PhoneNumber track = PhoneNumbers.parse("0120-804-100");
    PhoneNumber fallback = PhoneNumbers.parse("0120-804-999");
    PhoneNumber n1 = PhoneNumbers.parse("0120-804-001");
    PhoneNumber n2 = PhoneNumbers.parse("0120-804-002");
    ClusterPoolBackend pools = new ClusterPoolBackend(testKit.system(), sharding, ASK, Clock.systemUTC());
    NumberRoutes routes = new NumberRoutes(testKit.system(), sharding, ASK);
    tracking("op-a", "shop-6", "main", track);
    tracking("op-a", "shop-6", "fallback", fallback);
    importNumber("op-a", n1);
    importNumber("op-a", n2);
    // bound while no pool uses it as its fallback: allowed, and attributed
    PoolBackend.Binding early = await(pools.bind("op-a", new PoolBackend.NewBinding(fallback, "s-early",
        Map.of("gclid", "g-early"), null, 3600)));
    assertEquals("binding", await(routes.lookup(fallback.e164())).orElseThrow().attribution().get("attribution"));

    PoolBackend.Pool p1 = await(pools.create("op-a", new PoolBackend.NewPool("dynamic", List.of(n1), 600, 0,
        fallback, List.of(), track)));
    // a pool created later with it as its fallback: every exhausted visitor calls it, so no binding attribution
    NumberRoute call = await(routes.lookup(fallback.e164())).orElseThrow();
    assertEquals("fallback", call.dialinId());
    assertEquals(null, call.attribution(), "a call to a pool's fallback number is credited to no session");

    ExecutionException e = assertThrows(ExecutionException.class, () -> await(pools.bind("op-a",
        new PoolBackend.NewBinding(fallback, "s-1", Map.of("gclid", "g-1"), null, 600))));
    ApiProblem refused = (ApiProblem) e.getCause();
    assertEquals(409, refused.status());
    assertTrue(refused.detail().contains("0120-804-999 is the fallback_number of pool " + p1.poolId()),
        refused.detail());
    PoolBackend.Pool p2 = await(pools.create("op-a", new PoolBackend.NewPool("one_time", List.of(n2), 600, 0,
        fallback, List.of(), track)));
    String both = ((ApiProblem) assertThrows(ExecutionException.class, () -> await(pools.bind("op-a",
        new PoolBackend.NewBinding(fallback, null, Map.of(), null, 600)))).getCause()).detail();
    assertTrue(both.contains(p1.poolId()) && both.contains(p2.poolId()), both);
    assertEquals(List.of(early), await(pools.bindings("op-a", fallback)), "nothing was bound");
    // the pools' tracking number itself is no fallback: it may be bound
    await(pools.bind("op-a", new PoolBackend.NewBinding(track, "s-2", Map.of(), null, 600)));

    // once no live pool uses it as its fallback, its bindings count again
    await(pools.delete("op-a", p1.poolId()));
    await(pools.delete("op-a", p2.poolId()));
    assertEquals(early.bindingId(),
        await(routes.lookup(fallback.e164())).orElseThrow().attribution().get("binding_id"));
  }

  @Test
  void aRefusedCreationNamesAtMost100NumbersAndCountsTheRest() throws Exception {
    // the backend starts the shards it uses (TrackingNumber too)
    ClusterPoolBackend pools = new ClusterPoolBackend(testKit.system(), sharding, ASK, Clock.systemUTC());
    PhoneNumber track = PhoneNumbers.parse("0120-810-100");
    tracking("op-r", track);
    List<PhoneNumber> numbers = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      numbers.add(PhoneNumbers.parse(String.format("0120-82%04d", i)));
    }
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(pools.create("op-r",
        new PoolBackend.NewPool("dynamic", numbers, 600, 0, track, List.of(), track))));
    ApiProblem p = org.junit.jupiter.api.Assertions.assertInstanceOf(ApiProblem.class, e.getCause());
    assertEquals(409, p.status());
    String detail = p.detail();
    assertTrue(detail.contains("0120-820-000 is not in any operator's inventory"), detail);
    assertTrue(detail.contains("0120-820-099 is not in any operator's inventory"), detail);
    org.junit.jupiter.api.Assertions.assertFalse(detail.contains("0120-820-100"), "the 101st is counted, not named: " + detail);
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
    List<PhoneNumber> numbers = new java.util.ArrayList<>();
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
