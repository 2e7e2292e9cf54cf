package io.hankyo.node.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.node.directory.DirectoryTestConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Session claims per operator bucket (issue 5 pools): first pool wins while the claim lives, renewal, expiry, claims
 * answered at once and written together within the write window, a graceful stop writes the waiting claims, bounded
 * state; the testkit also round-trips every command, event and state through Jackson.
 */
class PoolSessionsTest {
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  private static final Duration TTL = Duration.ofHours(48);
  private static ActorTestKit testKit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("PoolSessionsTest", DirectoryTestConfig.eventSourced());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  private static EventSourcedBehaviorTestKit<PoolSessions.Command, PoolSessions.Event, PoolSessions.State> kit(
      String id, Duration window) {
    var kit = EventSourcedBehaviorTestKit.<PoolSessions.Command, PoolSessions.Event, PoolSessions.State>create(
        testKit.system(), PoolSessions.create(id, window, TTL));
    kit.clear();
    return kit;
  }

  private static EventSourcedBehaviorTestKit.CommandResultWithReply<PoolSessions.Command, PoolSessions.Event,
      PoolSessions.State, StatusReply<PoolSessions.Owner>> claim(
      EventSourcedBehaviorTestKit<PoolSessions.Command, PoolSessions.Event, PoolSessions.State> kit, String session,
      String pool, Instant now) {
    return kit.runCommand(r -> new PoolSessions.Claim(session, pool, now, r));
  }

  @Test
  void halfIsWhatDividedByTwoGives() {
    // PoolSessions.half replaces Duration.dividedBy(2) on the claim path: the same value, to the nanosecond
    java.util.Random random = new java.util.Random(7);
    List<Duration> samples = new java.util.ArrayList<>(List.of(Duration.ZERO, Duration.ofNanos(1), Duration.ofNanos(3),
        Duration.ofSeconds(1), Duration.ofSeconds(1, 1), Duration.ofSeconds(3, 999_999_999), TTL,
        PoolSessions.MIN_CLAIM_LIFE, Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)));
    for (int i = 0; i < 10_000; i++) {
      samples.add(Duration.ofSeconds(random.nextLong(0, 400L * 86_400), random.nextInt(1_000_000_000)));
    }
    for (Duration d : samples) {
      assertEquals(d.dividedBy(2), PoolSessions.half(d), d.toString());
    }
  }

  @Test
  void theFirstPoolClaimsTheSessionTheSamePoolIsAnsweredFromMemoryAnotherIsRefusedAfterRecoveryToo() {
    var kit = kit("op-1/0", Duration.ZERO);
    var first = claim(kit, "s-1", "pool-a", T0);
    assertEquals(new PoolSessions.Owner("pool-a", T0.plus(TTL), TTL), first.reply().getValue(), "answers the claim");
    kit.persistenceTestKit().expectNextPersisted("PoolSessions|op-1/0",
        new PoolSessions.Claimed("s-1", "pool-a", T0, T0.plus(TTL), TTL));
    var again = claim(kit, "s-1", "pool-a", T0.plusSeconds(3600));
    assertEquals(T0.plus(TTL), again.reply().getValue().until(), "the claim's end as written");
    kit.getState(); // handled after any write the claim started
    assertEquals(1, kit.persistenceTestKit().persistedInStorage("PoolSessions|op-1/0").size(),
        "a page view of the owning pool writes nothing while more than half is left");
    kit.restart();
    var other = claim(kit, "s-1", "pool-b", T0.plusSeconds(7200));
    assertTrue(other.reply().getError().getMessage().contains("pool-a"));
    assertTrue(other.hasNoEvents());
    assertTrue(claim(kit, "s-2", "pool-b", T0.plusSeconds(7200)).reply().isSuccess(), "other sessions are free");
  }

  @Test
  void aClaimOfTheNamedDeletedPoolIsTakenOverAndTheRefusalNamesTheOwner() {
    var kit = kit("op-1/7", Duration.ZERO);
    claim(kit, "s-1", "pool-a", T0);
    var refused = claim(kit, "s-1", "pool-b", T0.plusSeconds(60));
    assertEquals("pool-a", PoolSessions.ownerIn(refused.reply().getError().getMessage()));
    var wrongOwner = kit.<StatusReply<PoolSessions.Owner>>runCommand(r -> new PoolSessions.Claim("s-1", "pool-b",
        T0.plusSeconds(60), null, "pool-c", r));
    assertTrue(wrongOwner.reply().isError(), "only the named pool's claim is taken over");
    assertTrue(wrongOwner.hasNoEvents());
    Instant at = T0.plusSeconds(120);
    var taken = kit.<StatusReply<PoolSessions.Owner>>runCommand(r -> new PoolSessions.Claim("s-1", "pool-b", at, null,
        "pool-a", r));
    assertEquals(new PoolSessions.Owner("pool-b", at.plus(TTL), TTL), taken.reply().getValue());
    kit.persistenceTestKit().expectNextPersisted("PoolSessions|op-1/7",
        new PoolSessions.Claimed("s-1", "pool-a", T0, T0.plus(TTL), TTL));
    kit.persistenceTestKit().expectNextPersisted("PoolSessions|op-1/7",
        new PoolSessions.Claimed("s-1", "pool-b", at, at.plus(TTL), TTL));
    kit.restart();
    assertEquals("pool-b", PoolSessions.ownerIn(claim(kit, "s-1", "pool-a", at.plusSeconds(1)).reply().getError()
        .getMessage()), "written: the old pool is refused after recovery");
    assertEquals(null, PoolSessions.ownerIn("no such pool"));
    assertEquals(null, PoolSessions.ownerIn(null));
  }

  @Test
  void theOwningPoolRenewsTheClaimWhenLessThanHalfIsLeftAndAnExpiredClaimIsFreeForAnyPool() {
    var kit = kit("op-1/1", Duration.ZERO);
    claim(kit, "s-1", "pool-a", T0);
    Instant late = T0.plus(TTL.dividedBy(2)).plusSeconds(1);
    var renewed = claim(kit, "s-1", "pool-a", late);
    assertEquals(late.plus(TTL), renewed.reply().getValue().until(), "the renewed end");
    kit.persistenceTestKit().expectNextPersisted("PoolSessions|op-1/1",
        new PoolSessions.Claimed("s-1", "pool-a", T0, T0.plus(TTL), TTL));
    kit.persistenceTestKit().expectNextPersisted("PoolSessions|op-1/1",
        new PoolSessions.Claimed("s-1", "pool-a", late, late.plus(TTL), TTL));
    // the renewed claim still refuses pool-b past the first claim's end
    assertTrue(claim(kit, "s-1", "pool-b", T0.plus(TTL).plusSeconds(10)).reply().isError());
    // once the renewed claim has expired, the session id is free: pool-b claims it
    Instant after = late.plus(TTL);
    var taken = claim(kit, "s-1", "pool-b", after);
    assertTrue(taken.reply().isSuccess());
    kit.persistenceTestKit().expectNextPersisted("PoolSessions|op-1/1",
        new PoolSessions.Claimed("s-1", "pool-b", after, after.plus(TTL), TTL));
    assertTrue(claim(kit, "s-1", "pool-a", after.plusSeconds(1)).reply().getError().getMessage()
        .contains("pool-b"));
  }

  @Test
  void claimsWithinTheWriteWindowAreAnsweredAtOnceDecidedInOrderAndWrittenTogether() {
    var kit = kit("op-1/2", Duration.ofMinutes(10));
    TestProbe<StatusReply<PoolSessions.Owner>> p1 = testKit.createTestProbe();
    TestProbe<StatusReply<PoolSessions.Owner>> p2 = testKit.createTestProbe();
    TestProbe<StatusReply<PoolSessions.Owner>> p3 = testKit.createTestProbe();
    TestProbe<StatusReply<PoolSessions.Owner>> p4 = testKit.createTestProbe();
    assertTrue(kit.runCommand(new PoolSessions.Claim("s-1", "pool-a", T0, p1.ref())).hasNoEvents());
    assertTrue(kit.runCommand(new PoolSessions.Claim("s-2", "pool-a", T0, p2.ref())).hasNoEvents());
    assertTrue(kit.runCommand(new PoolSessions.Claim("s-1", "pool-b", T0, p3.ref())).hasNoEvents());
    assertTrue(kit.runCommand(new PoolSessions.Claim("s-1", "pool-a", T0, p4.ref())).hasNoEvents());
    Duration soon = Duration.ofSeconds(5);
    assertTrue(p1.receiveMessage(soon).isSuccess(), "answered before the window (10 minutes) ends");
    assertTrue(p2.receiveMessage(soon).isSuccess());
    assertTrue(p3.receiveMessage(soon).getError().getMessage().contains("pool-a"),
        "decided on the claims still waiting for their write");
    assertEquals(new PoolSessions.Owner("pool-a", T0.plus(TTL), TTL), p4.receiveMessage(soon).getValue());
    assertTrue(kit.persistenceTestKit().persistedInStorage("PoolSessions|op-1/2").isEmpty());
    kit.runCommand(new PoolSessions.FlushClaims()); // the window's end
    kit.persistenceTestKit().expectNextPersisted("PoolSessions|op-1/2", new PoolSessions.ClaimedAll(List.of(
        new PoolSessions.Claimed("s-1", "pool-a", T0, T0.plus(TTL), TTL),
        new PoolSessions.Claimed("s-2", "pool-a", T0, T0.plus(TTL), TTL))));
    List<Object> written = kit.persistenceTestKit().persistedInStorage("PoolSessions|op-1/2");
    assertEquals(List.of(new PoolSessions.ClaimedAll(List.of(new PoolSessions.Claimed("s-1", "pool-a", T0,
        T0.plus(TTL), TTL), new PoolSessions.Claimed("s-2", "pool-a", T0, T0.plus(TTL), TTL)))), written,
        "ONE event (one journal row) with the two new claims, nothing for the refusal and the repeat");
    kit.restart();
    assertEquals(2, kit.getState().size());
  }

  @Test
  void aFullBatchIsWrittenAtOnceAndItsClaimsAreInTheStateAfterIt() {
    var kit = kit("op-1/6", Duration.ofMinutes(10));
    for (int i = 0; i < PoolSessions.MAX_BATCH; i++) {
      assertTrue(claim(kit, "s-" + i, "pool-a", T0).reply().isSuccess());
    }
    List<Object> written = kit.persistenceTestKit().persistedInStorage("PoolSessions|op-1/6");
    assertEquals(1, written.size(), "the 200th claim started the write, without waiting for the window");
    assertEquals(PoolSessions.MAX_BATCH, ((PoolSessions.ClaimedAll) written.get(0)).claims().size());
    assertEquals(PoolSessions.MAX_BATCH, kit.getState().size());
    // the claims are read from the state now: still refused for another pool, and not written again
    assertTrue(claim(kit, "s-0", "pool-b", T0.plusSeconds(1)).reply().isError());
    assertEquals(new PoolSessions.Owner("pool-a", T0.plus(TTL), TTL),
        claim(kit, "s-199", "pool-a", T0.plusSeconds(1)).reply().getValue());
    kit.runCommand(new PoolSessions.FlushClaims());
    assertEquals(1, kit.persistenceTestKit().persistedInStorage("PoolSessions|op-1/6").size());
  }

  @Test
  void aGracefulStopWritesTheClaimsWaitingForTheirWrite() {
    var journal = org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit.create(testKit.system());
    journal.clearAll();
    TestProbe<StatusReply<PoolSessions.Owner>> answers = testKit.createTestProbe();
    var bucket = testKit.spawn(PoolSessions.create("op-1/5", Duration.ofMinutes(10), TTL));
    bucket.tell(new PoolSessions.Claim("s-1", "pool-a", T0, answers.ref()));
    bucket.tell(new PoolSessions.Claim("s-2", "pool-b", T0, answers.ref()));
    assertTrue(answers.receiveMessage(Duration.ofSeconds(5)).isSuccess());
    assertTrue(answers.receiveMessage(Duration.ofSeconds(5)).isSuccess());
    assertTrue(journal.persistedInStorage("PoolSessions|op-1/5").isEmpty(), "the window is 10 minutes");
    bucket.tell(new PoolSessions.Stop());
    answers.expectTerminated(bucket, Duration.ofSeconds(5));
    assertEquals(List.of(new PoolSessions.ClaimedAll(List.of(
        new PoolSessions.Claimed("s-1", "pool-a", T0, T0.plus(TTL), TTL),
        new PoolSessions.Claimed("s-2", "pool-b", T0, T0.plus(TTL), TTL)))),
        journal.persistedInStorage("PoolSessions|op-1/5"));
    var again = testKit.spawn(PoolSessions.create("op-1/5", Duration.ofMinutes(10), TTL));
    again.tell(new PoolSessions.Claim("s-1", "pool-b", T0.plusSeconds(1), answers.ref()));
    assertTrue(answers.receiveMessage(Duration.ofSeconds(5)).getError().getMessage().contains("pool-a"));
    again.tell(new PoolSessions.Stop());
    answers.expectTerminated(again, Duration.ofSeconds(5));
  }

  @Test
  void expiredClaimsAreDroppedFromTheStateTheSameWayInReplay() {
    var kit = kit("op-1/3", Duration.ZERO);
    claim(kit, "s-1", "pool-a", T0);
    claim(kit, "s-2", "pool-a", T0.plusSeconds(60));
    // after both expired and more than TTL/8 after the last purge, the next write drops them
    Instant later = T0.plus(TTL).plusSeconds(3600);
    claim(kit, "s-3", "pool-a", later);
    assertEquals(1, kit.getState().size());
    assertNull(kit.getState().liveClaim("s-1", later));
    kit.restart();
    assertEquals(1, kit.getState().size());
    assertEquals(later, kit.getState().purgedAt());
  }

  @Test
  void theStateOfASnapshotRoundTripsThroughJackson() {
    var kit = kit("op-1/4", Duration.ZERO);
    claim(kit, "s-1", "pool-a", T0);
    claim(kit, "s-2", "pool-b", T0.plusSeconds(5));
    PoolSessions.State state = kit.getState();
    org.apache.pekko.serialization.Serialization ser =
        org.apache.pekko.serialization.SerializationExtension.get(testKit.system());
    byte[] bytes = ser.serialize(state).get();
    var serializer = ser.findSerializerFor(state);
    Object back = ser.deserialize(bytes, serializer.identifier(),
        org.apache.pekko.serialization.Serializers.manifestFor(serializer, state)).get();
    assertEquals(state, back);
    assertEquals("pool-b", ((PoolSessions.State) back).liveClaim("s-2", T0.plusSeconds(6)).poolId());
  }

  /** A claim of {@code pool} living {@code life}. */
  private static EventSourcedBehaviorTestKit.CommandResultWithReply<PoolSessions.Command, PoolSessions.Event,
      PoolSessions.State, StatusReply<PoolSessions.Owner>> claim(
      EventSourcedBehaviorTestKit<PoolSessions.Command, PoolSessions.Event, PoolSessions.State> kit, String session,
      String pool, Instant now, Duration life) {
    return kit.runCommand(r -> new PoolSessions.Claim(session, pool, now, life, r));
  }

  @Test
  void aClaimLivesTwiceItsPoolsHoldAtLeastTenMinutesAtMostTheCap() {
    assertEquals(Duration.ofHours(1), PoolSessions.claimLife(1800, TTL));
    assertEquals(Duration.ofMinutes(10), PoolSessions.claimLife(60, TTL), "the floor");
    assertEquals(Duration.ofMinutes(10), PoolSessions.claimLife(0, TTL));
    assertEquals(Duration.ofHours(48), PoolSessions.claimLife(86_400, TTL), "the longest hold: the default cap");
    assertEquals(Duration.ofHours(24), PoolSessions.claimLife(86_400, Duration.ofHours(24)), "the cap");
    assertEquals(Duration.ofMinutes(5), PoolSessions.claimLife(60, Duration.ofMinutes(5)), "a cap under the floor");
  }

  @Test
  void aClaimByAThirtyMinuteHoldPoolExpiresAfterOneHourThenAnotherPoolMayClaimTheSession() {
    var kit = kit("op-2/0", Duration.ZERO);
    Duration life = PoolSessions.claimLife(1800, TTL);
    var first = claim(kit, "s-1", "pool-a", T0, life);
    assertEquals(new PoolSessions.Owner("pool-a", T0.plus(life), life), first.reply().getValue());
    kit.persistenceTestKit().expectNextPersisted("PoolSessions|op-2/0",
        new PoolSessions.Claimed("s-1", "pool-a", T0, T0.plus(life), life));
    Instant justBefore = T0.plus(life).minusSeconds(1);
    assertTrue(claim(kit, "s-1", "pool-b", justBefore, life).reply().getError().getMessage().contains("pool-a"),
        "the claim lives its hour");
    kit.restart();
    assertTrue(claim(kit, "s-1", "pool-b", justBefore, life).reply().isError(), "after recovery too");
    Instant end = T0.plus(life);
    var taken = claim(kit, "s-1", "pool-b", end, PoolSessions.claimLife(600, TTL));
    assertEquals(new PoolSessions.Owner("pool-b", end.plus(Duration.ofMinutes(20)), Duration.ofMinutes(20)),
        taken.reply().getValue(), "free after 1 h (not 48 h): pool-b claims it with its own life");
    kit.persistenceTestKit().expectNextPersisted("PoolSessions|op-2/0",
        new PoolSessions.Claimed("s-1", "pool-b", end, end.plus(Duration.ofMinutes(20)), Duration.ofMinutes(20)));
  }

  @Test
  void theOwningPoolsViewsRenewAShortClaimWhenLessThanHalfOfItsLifeIsLeftKeepingItAlive() {
    var kit = kit("op-2/1", Duration.ZERO);
    Duration life = Duration.ofHours(1);
    claim(kit, "s-1", "pool-a", T0, life);
    Instant view2 = T0.plus(Duration.ofMinutes(20));
    assertEquals(new PoolSessions.Owner("pool-a", T0.plus(life), life),
        claim(kit, "s-1", "pool-a", view2, life).reply().getValue(), "40 of 60 minutes left: acknowledged");
    Instant view3 = T0.plus(Duration.ofMinutes(40));
    assertEquals(new PoolSessions.Owner("pool-a", view3.plus(life), life),
        claim(kit, "s-1", "pool-a", view3, life).reply().getValue(), "20 minutes left: renewed");
    kit.getState(); // handled after the write the renewal started
    assertEquals(List.of(new PoolSessions.Claimed("s-1", "pool-a", T0, T0.plus(life), life),
        new PoolSessions.Claimed("s-1", "pool-a", view3, view3.plus(life), life)),
        kit.persistenceTestKit().persistedInStorage("PoolSessions|op-2/1"), "written twice: the view at 20 min is not");
    Instant view4 = T0.plus(Duration.ofMinutes(90));
    assertTrue(claim(kit, "s-1", "pool-b", view4, life).reply().isError(), "past the first claim's end");
    assertTrue(claim(kit, "s-1", "pool-a", view4, life).reply().isSuccess(), "renewed again, 10 minutes left");
    Instant end = view4.plus(life);
    kit.restart();
    assertTrue(claim(kit, "s-1", "pool-b", end.minusSeconds(1), life).reply().isError());
    assertTrue(claim(kit, "s-1", "pool-b", end, life).reply().isSuccess(), "one life after the last renewal");
  }

  @Test
  void aClaimWrittenWithoutItsLifeReplaysAsLivingTheCap() throws Exception {
    org.apache.pekko.serialization.Serialization ser =
        org.apache.pekko.serialization.SerializationExtension.get(testKit.system());
    PoolSessions.Claimed sample = new PoolSessions.Claimed("s-1", "pool-a", T0, T0.plus(TTL), null);
    var serializer = ser.findSerializerFor(sample);
    String manifest = org.apache.pekko.serialization.Serializers.manifestFor(serializer, sample);
    byte[] old = ("{\"session_id\":\"s-1\",\"pool_id\":\"pool-a\",\"at\":\"2026-11-01T00:00:00Z\","
        + "\"until\":\"2026-11-03T00:00:00Z\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Object event = ser.deserialize(old, serializer.identifier(), manifest).get();
    assertEquals(sample, event, "an event of the earlier version reads with no life");
    byte[] oldOwner = "{\"pool_id\":\"pool-a\",\"until\":\"2026-11-03T00:00:00Z\"}"
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    PoolSessions.Owner owner = new PoolSessions.Owner("pool-a", T0.plus(TTL), null);
    var ownerSerializer = ser.findSerializerFor(owner);
    assertEquals(owner, ser.deserialize(oldOwner, ownerSerializer.identifier(),
        org.apache.pekko.serialization.Serializers.manifestFor(ownerSerializer, owner)).get(),
        "a claim in a snapshot of the earlier version reads with no life");

    var kit = kit("op-2/2", Duration.ZERO);
    kit.persistenceTestKit().persistForRecovery("PoolSessions|op-2/2", List.of(event));
    kit.restart();
    assertEquals(TTL, kit.getState().liveClaim("s-1", T0).life(), "replayed with the cap");
    Duration life = Duration.ofHours(1);
    Instant later = T0.plus(Duration.ofHours(23));
    assertEquals(new PoolSessions.Owner("pool-a", T0.plus(TTL), TTL),
        claim(kit, "s-1", "pool-a", later, life).reply().getValue(), "25 of 48 h left: acknowledged, not renewed");
    assertTrue(claim(kit, "s-1", "pool-b", T0.plus(TTL).minusSeconds(1), life).reply().isError(),
        "lives the cap");
  }

  @Test
  void decideRenewsWhenLessThanHalfOfTheClaimsOwnLifeIsLeft() {
    Duration hour = Duration.ofHours(1);
    PoolSessions.Owner o = new PoolSessions.Owner("pool-a", T0.plus(hour), hour);
    Instant at29 = T0.plus(Duration.ofMinutes(29));
    Instant at31 = T0.plus(Duration.ofMinutes(31));
    assertEquals(PoolSessions.Verdict.ACK, PoolSessions.decide(o, new PoolSessions.Claim("s", "pool-a", at29, hour,
        null), TTL), "31 of 60 minutes left");
    assertEquals(PoolSessions.Verdict.WRITE, PoolSessions.decide(o, new PoolSessions.Claim("s", "pool-a", at31, hour,
        null), TTL), "29 of 60 minutes left");
    assertEquals(PoolSessions.Verdict.REFUSE, PoolSessions.decide(o, new PoolSessions.Claim("s", "pool-b", at31, hour,
        null), TTL));
    PoolSessions.Owner noLife = new PoolSessions.Owner("pool-a", T0.plus(hour), null);
    assertEquals(PoolSessions.Verdict.WRITE, PoolSessions.decide(noLife, new PoolSessions.Claim("s", "pool-a", at29,
        hour, null), TTL), "a claim without its life lives the cap: renewed when less than 24 h is left");
    assertEquals(PoolSessions.Verdict.WRITE, PoolSessions.decide(o, new PoolSessions.Claim("s", "pool-a", at29,
        hour.multipliedBy(2), null), TTL), "the asking pool's life when longer: an ACK leaves at least its hold");
  }

  @Test
  void expiredClaimsAreDroppedByTheirOwnEnd() {
    var kit = kit("op-2/3", Duration.ZERO);
    claim(kit, "s-1", "pool-a", T0, Duration.ofHours(1));
    claim(kit, "s-2", "pool-b", T0, TTL);
    Instant later = T0.plus(Duration.ofHours(1)).plus(PoolSessions.MAX_PURGE_EVERY);
    claim(kit, "s-3", "pool-a", later, Duration.ofHours(1));
    assertEquals(2, kit.getState().size(), "the short claim is dropped 1 h 5 min later, the long one is kept");
    assertEquals("pool-b", kit.getState().liveClaim("s-2", later).poolId());
    kit.restart();
    assertEquals(2, kit.getState().size(), "the same in replay");
  }

  @Test
  void sessionIdsOfAnOperatorSpreadOverItsBuckets() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = PoolSessions.entityId("op-1", "session-" + i, 16);
      assertTrue(id.startsWith("op-1/"));
      ids.add(id);
    }
    assertEquals(16, ids.size());
    assertEquals(PoolSessions.entityId("op-1", "s", 16), PoolSessions.entityId("op-1", "s", 16));
  }
}
