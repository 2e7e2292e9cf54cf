package io.hankyo.node.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.node.directory.DirectoryTestConfig;
import io.hankyo.node.pool.NumberPool.Method;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pool entity (issue 5): creation, persisted assignments, operator scope, recovery. */
class NumberPoolTest {
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  private static final NumberPool.Settings SETTINGS = new NumberPool.Settings("op-1", Method.DYNAMIC,
      List.of("+81120000001", "+81120000002"), 600, 60, "+81120999999", List.of("https://shop.example"));
  private static ActorTestKit testKit;
  private EventSourcedBehaviorTestKit<NumberPool.Command, NumberPool.Event, NumberPool.State> kit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("NumberPoolTest", DirectoryTestConfig.eventSourced());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void fresh() {
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), NumberPool.create("pool-1"));
    kit.clear();
  }

  private StatusReply<NumberPool.State> create(NumberPool.Settings settings) {
    return kit.<StatusReply<NumberPool.State>>runCommand(r -> new NumberPool.Create(settings, r)).reply();
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<NumberPool.Command, NumberPool.Event, NumberPool.State,
      StatusReply<NumberPool.Assignment>> assign(String op, String session, Instant now) {
    return kit.runCommand(r -> new NumberPool.Assign(op, session, Map.of("utm_source", "google"), now, r));
  }

  @Test
  void anAssignmentIsPersistedWithSessionParametersAndHoldBeforeTheReply() {
    assertTrue(create(SETTINGS).isSuccess());
    var r = assign("op-1", "s1", T0);
    NumberPool.Assignment a = r.reply().getValue();
    assertEquals("+81120000001", a.e164());
    assertEquals(T0.plusSeconds(600), a.heldUntil());
    assertFalse(a.fallback());
    assertEquals(new NumberPool.Assigned("+81120000001", 0, "s1", Map.of("utm_source", "google"),
        T0.plusSeconds(600), false, T0), r.event());
    assertEquals("+81120000001", assign("op-1", "s1", T0.plusSeconds(5)).reply().getValue().e164());
    assertEquals("+81120000002", assign("op-1", "s2", T0.plusSeconds(5)).reply().getValue().e164());
    assertTrue(assign("op-1", "s3", T0.plusSeconds(5)).reply().getValue().fallback());
    kit.restart();
    NumberPool.State s = kit.<StatusReply<NumberPool.State>>runCommand(r2 -> new NumberPool.Get("op-1", r2))
        .reply().getValue();
    assertEquals(4, s.assignments());
    assertEquals(1, s.fallbacks());
    assertTrue(s.exhausted());
    assertEquals("s2", s.slots().get("+81120000002").sessionId());
    assertEquals(List.of("https://shop.example"), s.settings().allowedOrigins());
  }

  private NumberPool.State get() {
    return kit.<StatusReply<NumberPool.State>>runCommand(r -> new NumberPool.Get("op-1", r)).reply().getValue();
  }

  @Test
  void displaysAreCountedPerJapanMonthAndDayWithThePeakOfHoldsAndSurviveARestart() {
    assertTrue(create(SETTINGS).isSuccess());
    assign("op-1", "s1", T0);
    assign("op-1", "s2", T0.plusSeconds(1));
    var fallback = assign("op-1", "s3", T0.plusSeconds(2));
    assertTrue(fallback.reply().getValue().fallback());
    assertEquals(null, fallback.reply().getValue().heldUntil(), "a fallback holds nothing: no held_until");
    // 2026-11-30T15:30Z is 2026-12-01 00:30 in Japan: a new month and day; the holds of November are over
    Instant december = Instant.parse("2026-11-30T15:30:00Z");
    assertFalse(assign("op-1", "s4", december).reply().getValue().fallback());
    kit.restart();
    PoolUsage u = get().usage();
    assertEquals(new PoolUsage.Counts(3, 1, 0), u.month("2026-11"));
    assertEquals(new PoolUsage.Counts(1, 0, 0), u.month("2026-12"));
    assertEquals(new PoolUsage.Counts(3, 1, 2), u.day("2026-11-01"), "a fallback counts as all numbers held");
    assertEquals(new PoolUsage.Counts(1, 0, 1), u.day("2026-12-01"));
    assertEquals(PoolUsage.Counts.ZERO, u.day("2026-11-30"));
    assertEquals(4, get().assignments());
  }

  @Test
  void aDeletedPoolRefusesAssignmentsButKeepsItsCounters() {
    assertTrue(create(SETTINGS).isSuccess());
    assign("op-1", "s1", T0);
    assertTrue(kit.<StatusReply<NumberPool.State>>runCommand(r -> new NumberPool.Delete("op-2", T0, r)).reply()
        .isError(), "another operator's delete");
    var deleted = kit.<StatusReply<NumberPool.State>>runCommand(r -> new NumberPool.Delete("op-1",
        T0.plusSeconds(10), r));
    assertEquals(new NumberPool.Deleted(T0.plusSeconds(10)), deleted.event());
    var refused = assign("op-1", "s2", T0.plusSeconds(20));
    assertTrue(refused.hasNoEvents());
    assertEquals(NumberPool.NO_SUCH_POOL, refused.reply().getError().getMessage());
    assertEquals(NumberPool.NO_SUCH_POOL, kit.<StatusReply<NumberPool.Settings>>runCommand(NumberPool.Find::new)
        .reply().getError().getMessage(), "the JS tag's endpoint does not find a deleted pool");
    var again = kit.<StatusReply<NumberPool.State>>runCommand(r -> new NumberPool.Delete("op-1", T0, r));
    assertTrue(again.hasNoEvents());
    assertTrue(again.reply().isSuccess(), "deleting again is acknowledged");
    kit.restart();
    assertEquals(T0.plusSeconds(10), get().deletedAt());
    assertEquals(new PoolUsage.Counts(1, 0, 1), get().usage().day("2026-11-01"));
    assertEquals("s1", get().slots().get("+81120000001").sessionId());
  }

  @Test
  void assignmentsBufferedWhenThePoolIsDeletedAreRefused() {
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), NumberPool.create("pool-del", Duration.ofSeconds(30)));
    kit.clear();
    assertTrue(create(SETTINGS).isSuccess());
    TestProbe<StatusReply<NumberPool.Assignment>> probe = testKit.createTestProbe();
    kit.runCommand(new NumberPool.Assign("op-1", "s1", Map.of(), T0, probe.ref()));
    kit.<StatusReply<NumberPool.State>>runCommand(r -> new NumberPool.Delete("op-1", T0, r));
    kit.runCommand(new NumberPool.FlushAssignments());
    assertEquals(NumberPool.NO_SUCH_POOL, probe.receiveMessage().getError().getMessage());
    assertEquals(0, get().assignments());
  }

  @Test
  void theHolderIsReadWithoutAnEventAndTheTrackingNumberIsKept() {
    NumberPool.Settings withTracking = new NumberPool.Settings("op-1", Method.DYNAMIC,
        List.of("+81120000001", "+81120000002"), 600, 60, "+81120999999", List.of(), "+81120555555");
    assertTrue(create(withTracking).isSuccess());
    assign("op-1", "s1", T0);
    var held = kit.<NumberPool.Holder>runCommand(r -> new NumberPool.GetHolder("+81120000001", T0, r));
    assertTrue(held.hasNoEvents());
    assertEquals(new NumberPool.Holder(true, "op-1", "+81120555555",
        new NumberPool.Slot("s1", Map.of("utm_source", "google"), T0.plusSeconds(600), T0)), held.reply());
    kit.restart();
    assertEquals(new NumberPool.Holder(true, "op-1", "+81120555555", null),
        kit.<NumberPool.Holder>runCommand(r -> new NumberPool.GetHolder("+81120000002", T0, r)).reply());
    assertFalse(kit.<NumberPool.Holder>runCommand(r -> new NumberPool.GetHolder("+81120999999", T0, r)).reply()
        .inPool(), "the fallback number is not a pool number");
  }

  @Test
  void theStartOfAHoldSurvivesARestartAndAnExtensionKeepsIt() {
    assertTrue(create(new NumberPool.Settings("op-1", Method.DYNAMIC, List.of("+81120000001"), 600, 0,
        "+81120999999", List.of(), "+81120555555")).isSuccess());
    assign("op-1", "s1", T0);
    assign("op-1", "s1", T0.plusSeconds(300));
    kit.restart();
    NumberPool.Slot extended = kit.getState().slots().get("+81120000001");
    assertEquals(T0, extended.assignedAt(), "the same session extending its hold keeps when it got the number");
    assertEquals(T0.plusSeconds(900), extended.heldUntil());
    assign("op-1", "s2", T0.plusSeconds(900));
    kit.restart();
    NumberPool.Slot next = kit.getState().slots().get("+81120000001");
    assertEquals("s2", next.sessionId());
    assertEquals(T0.plusSeconds(900), next.assignedAt(), "a new holder starts at its assignment");
  }

  @Test
  void aSlotWithoutAssignedAtReadsAsUnknown() throws Exception {
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper().findAndRegisterModules();
    NumberPool.Slot old = mapper.readValue(
        "{\"session_id\": \"s1\", \"params\": {}, \"held_until\": \"2026-11-01T00:10:00Z\"}", NumberPool.Slot.class);
    assertNull(old.assignedAt());
    assertFalse(mapper.writeValueAsString(old).contains("assigned_at"));
    NumberPool.Slot slot = new NumberPool.Slot("s1", Map.of(), T0.plusSeconds(600), T0);
    assertEquals(slot, mapper.readValue(mapper.writeValueAsString(slot), NumberPool.Slot.class));
  }

  @Test
  void theTrackingNumbersOwnerIsKeptAndADeletedPoolStillAnswersItsHolders() {
    NumberPool.Settings owned = new NumberPool.Settings("op-1", Method.DYNAMIC, List.of("+81120000001"), 600, 60,
        "+81120999999", List.of(), "+81120555555", "shop-2", "main");
    assertTrue(create(owned).isSuccess());
    assertTrue(create(owned).isSuccess(), "a retry with the same captured owner is the same pool");
    assertTrue(create(owned.withoutTrackingOwner()).isError(), "the owner is part of the settings");
    assign("op-1", "s1", T0);
    kit.<StatusReply<NumberPool.State>>runCommand(r -> new NumberPool.Delete("op-1", T0.plusSeconds(5), r));
    kit.restart();
    assertEquals(new NumberPool.Holder(true, "op-1", "+81120555555",
        new NumberPool.Slot("s1", Map.of("utm_source", "google"), T0.plusSeconds(600), T0), "shop-2", "main", true),
        kit.<NumberPool.Holder>runCommand(r -> new NumberPool.GetHolder("+81120000001", T0, r)).reply());
  }

  @Test
  void settingsWrittenBeforeTheOwnerFieldsReadWithoutAnOwner() throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper()
        .findAndRegisterModules();
    NumberPool.Settings old = json.readValue("{\"operator_id\":\"op-1\",\"method\":\"DYNAMIC\","
        + "\"numbers\":[\"+81120000001\"],\"hold_sec\":600,\"cool_down_sec\":60,"
        + "\"fallback_e164\":\"+81120999999\",\"allowed_origins\":[],\"tracking_number\":\"+81120555555\"}",
        NumberPool.Settings.class);
    assertEquals(new NumberPool.Settings("op-1", Method.DYNAMIC, List.of("+81120000001"), 600, 60, "+81120999999",
        List.of(), "+81120555555"), old);
    assertEquals(null, old.trackingClientId());
    assertTrue(ClusterPoolBackend.sameSettings(old, new NumberPool.Settings("op-1", Method.DYNAMIC,
        List.of("+81120000001"), 600, 60, "+81120999999", List.of(), "+81120555555", "shop-2", "main")),
        "a retry of a creation made before the owner fields is recognised");
  }

  @Test
  void anotherOperatorAndAMissingPoolAreRefusedWithoutEvents() {
    var none = assign("op-1", "s1", T0);
    assertTrue(none.reply().isError());
    assertTrue(none.hasNoEvents());
    create(SETTINGS);
    var other = assign("op-2", "s1", T0);
    assertEquals(NumberPool.NO_SUCH_POOL, other.reply().getError().getMessage());
    assertTrue(other.hasNoEvents());
    assertTrue(kit.<StatusReply<NumberPool.State>>runCommand(r -> new NumberPool.Get("op-2", r)).reply().isError());
  }

  @Test
  void findAnswersTheSettingsWhateverTheOperatorForTheJsTagAndAnErrorBeforeCreation() {
    var before = kit.<StatusReply<NumberPool.Settings>>runCommand(NumberPool.Find::new);
    assertEquals(NumberPool.NO_SUCH_POOL, before.reply().getError().getMessage());
    assertTrue(before.hasNoEvents());
    create(SETTINGS);
    kit.restart();
    var found = kit.<StatusReply<NumberPool.Settings>>runCommand(NumberPool.Find::new);
    assertEquals(SETTINGS, found.reply().getValue());
    assertTrue(found.hasNoEvents());
  }

  @Test
  void creatingAgainIsIdempotentOnlyWithTheSameSettings() {
    assertTrue(create(SETTINGS).isSuccess());
    assertTrue(create(SETTINGS).isSuccess());
    assertTrue(create(new NumberPool.Settings("op-1", Method.ONE_TIME, SETTINGS.numbers(), 600, 60,
        "+81120999999", List.of())).isError());
  }

  @Test
  void assignmentsWithinTheBatchWindowAreWrittenTogetherThenAnswered() {
    EventSourcedBehaviorTestKit<NumberPool.Command, NumberPool.Event, NumberPool.State> batched =
        EventSourcedBehaviorTestKit.create(testKit.system(), NumberPool.create("pool-batch", Duration.ofMillis(200)));
    batched.<StatusReply<NumberPool.State>>runCommand(r -> new NumberPool.Create(SETTINGS, r));
    TestProbe<StatusReply<NumberPool.Assignment>> p1 = testKit.createTestProbe();
    TestProbe<StatusReply<NumberPool.Assignment>> p2 = testKit.createTestProbe();
    TestProbe<StatusReply<NumberPool.Assignment>> p3 = testKit.createTestProbe();
    assertTrue(batched.runCommand(new NumberPool.Assign("op-1", "s1", Map.of(), T0, p1.ref())).hasNoEvents());
    assertTrue(batched.runCommand(new NumberPool.Assign("op-1", "s2", Map.of(), T0, p2.ref())).hasNoEvents());
    assertTrue(batched.runCommand(new NumberPool.Assign("op-1", "s1", Map.of(), T0.plusSeconds(1), p3.ref()))
        .hasNoEvents());
    assertEquals("+81120000001", p1.receiveMessage(Duration.ofSeconds(5)).getValue().e164());
    assertEquals("+81120000002", p2.receiveMessage(Duration.ofSeconds(5)).getValue().e164());
    NumberPool.Assignment again = p3.receiveMessage(Duration.ofSeconds(5)).getValue();
    assertEquals("+81120000001", again.e164(), "decided on the state left by the earlier ones of the batch");
    assertEquals(T0.plusSeconds(601), again.heldUntil());
    List<Object> written = batched.persistenceTestKit().persistedInStorage("NumberPool|pool-batch");
    assertEquals(2, written.size(), "the pool's creation, then ONE event (one journal row) for the batch");
    assertEquals(3, assertInstanceOf(NumberPool.AssignedAll.class, written.get(1)).assignments().size());
    batched.restart();
    assertEquals(3, batched.<StatusReply<NumberPool.State>>runCommand(r -> new NumberPool.Get("op-1", r)).reply()
        .getValue().assignments());
  }

  @Test
  void aFullBatchIsWrittenAtOnceWithoutWaitingForTheWindow() {
    EventSourcedBehaviorTestKit<NumberPool.Command, NumberPool.Event, NumberPool.State> batched =
        EventSourcedBehaviorTestKit.create(testKit.system(), NumberPool.create("pool-full", Duration.ofMinutes(10)));
    batched.<StatusReply<NumberPool.State>>runCommand(r -> new NumberPool.Create(SETTINGS, r));
    TestProbe<StatusReply<NumberPool.Assignment>> probe = testKit.createTestProbe();
    for (int i = 0; i < NumberPool.MAX_BATCH; i++) {
      batched.runCommand(new NumberPool.Assign("op-1", "s" + (i % 2), Map.of(), T0.plusSeconds(i), probe.ref()));
    }
    for (int i = 0; i < NumberPool.MAX_BATCH; i++) {
      assertTrue(probe.receiveMessage(Duration.ofSeconds(5)).isSuccess(), "answered long before the 10 minutes");
    }
    List<Object> written = batched.persistenceTestKit().persistedInStorage("NumberPool|pool-full");
    assertEquals(NumberPool.MAX_BATCH,
        assertInstanceOf(NumberPool.AssignedAll.class, written.get(1)).assignments().size());
  }

  @Test
  void theStateWithItsSlotsRoundTripsThroughJacksonAsASnapshotWould() {
    assertTrue(create(SETTINGS).isSuccess());
    assign("op-1", "s1", T0);
    assign("op-1", "s2", T0);
    NumberPool.State state = kit.getState();
    org.apache.pekko.serialization.Serialization ser =
        org.apache.pekko.serialization.SerializationExtension.get(testKit.system());
    var serializer = ser.findSerializerFor(state);
    Object back = ser.deserialize(ser.serialize(state).get(), serializer.identifier(),
        org.apache.pekko.serialization.Serializers.manifestFor(serializer, state)).get();
    assertEquals(state, back);
    assertEquals("s2", ((NumberPool.State) back).slots().get("+81120000002").sessionId());
    assertTrue(((NumberPool.State) back).slots() instanceof PoolSlots, "kept persistent after recovery");
    // the index of the slots is not in the JSON: rebuilt on reading, it decides and counts as the original
    NumberPool.State read = (NumberPool.State) back;
    assertEquals(PoolAssigner.assign(state, "s1", T0.plusSeconds(1)),
        PoolAssigner.assign(read, "s1", T0.plusSeconds(1)));
    assertEquals("+81120000002", PoolAssigner.assign(read, "s2", T0.plusSeconds(2)).e164());
    assertTrue(PoolAssigner.assign(read, "s3", T0.plusSeconds(3)).fallback());
    assertEquals(2, NumberPool.heldAt(read.slots(), T0.plusSeconds(599)));
    assertEquals(0, NumberPool.heldAt(read.slots(), T0.plusSeconds(600)));
    assertEquals("+81120000001", PoolAssigner.assign(read, "s3", T0.plusSeconds(660)).e164(),
        "free again after hold and cool-down");
    assertTrue(ser.serialize(state).get().length > 0);
    assertEquals(new String(ser.serialize(state).get(), java.nio.charset.StandardCharsets.UTF_8),
        new String(ser.serialize(read).get(), java.nio.charset.StandardCharsets.UTF_8), "the same JSON");
  }

  @Test
  void aOneTimePoolRecoversItsIndexFromTheEvents() {
    NumberPool.Settings oneTime = new NumberPool.Settings("op-1", Method.ONE_TIME,
        List.of("+81120000001", "+81120000002"), 60, 30, "+81120999999", List.of());
    assertTrue(create(oneTime).isSuccess());
    assertEquals("+81120000001", assign("op-1", "s1", T0).reply().getValue().e164());
    assertEquals("+81120000002", assign("op-1", "s1", T0.plusSeconds(1)).reply().getValue().e164());
    kit.restart();
    assertTrue(assign("op-1", "s2", T0.plusSeconds(89)).reply().getValue().fallback(), "both cooling down");
    kit.restart();
    assertEquals("+81120000001", assign("op-1", "s2", T0.plusSeconds(90)).reply().getValue().e164());
    assertEquals(new PoolUsage.Counts(4, 1, 2), get().usage().day("2026-11-01"));
  }
}
