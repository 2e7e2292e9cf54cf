package io.hankyo.node.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.flow.CallFlow;
import io.hankyo.protocol.judgment.JudgmentRules;
import io.hankyo.protocol.judgment.JudgmentRulesParser;
import io.hankyo.protocol.notify.NotificationSettings;
import io.hankyo.protocol.notify.NotificationSettingsParser;
import io.hankyo.protocol.recording.RecordingMode;
import io.hankyo.protocol.recording.RecordingSettings;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import java.util.Optional;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TrackingNumberTest {
  private static final PhoneNumber DIN = PhoneNumbers.parse("0120-123-456");
  private static final PhoneNumber FWD = PhoneNumbers.parse("03-1234-5678");
  private static final PhoneNumber FWD2 = PhoneNumbers.parse("06-1234-5678");
  private static ActorTestKit testKit;
  private EventSourcedBehaviorTestKit<TrackingNumber.Command, TrackingNumber.Event, TrackingNumber.State> kit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("TrackingNumberTest", DirectoryTestConfig.eventSourced());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void freshEntity() {
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), TrackingNumber.create(DIN.e164()));
    kit.clear();
  }

  private CommandResultWithReply<TrackingNumber.Command, TrackingNumber.Event, TrackingNumber.State,
      StatusReply<TrackingNumber.Details>> assign(String op, String client, String dialin) {
    return kit.runCommand(r -> new TrackingNumber.Assign(op, client, "Shop One", dialin, "Top page", DIN, FWD, r));
  }

  private Optional<NumberRoute> route() {
    var result = kit.<TrackingNumber.Route>runCommand(TrackingNumber.GetRoute::new);
    assertTrue(result.hasNoEvents(), "GetRoute must not persist");
    return result.reply().route();
  }

  private CommandResultWithReply<TrackingNumber.Command, TrackingNumber.Event, TrackingNumber.State,
      StatusReply<TrackingNumber.Details>> update(String dialin, String name, PhoneNumber fwd) {
    return kit.runCommand(r -> new TrackingNumber.Update(
        "op-1", "shop-1", dialin, Optional.ofNullable(name), Optional.ofNullable(fwd), r));
  }

  @Test
  void entityIdMustBeE164() {
    assertEquals("+81120123456", DIN.e164());
    assertThrows(IllegalArgumentException.class, () -> TrackingNumber.create("0120123456"));
    assertThrows(IllegalArgumentException.class, () -> TrackingNumber.create("+0120"));
    assertTrue(TrackingNumber.isE164("+81120123456"));
  }

  @Test
  void unassignedNumberHasNoRoute() {
    assertEquals(Optional.empty(), route());
    var get = kit.<StatusReply<TrackingNumber.Details>>runCommand(TrackingNumber.Get::new);
    assertEquals("+81120123456 is not a tracking number", get.reply().getError().getMessage());
    assertTrue(update("d1", "x", null).reply().isError());
    var rename = kit.<StatusReply<Done>>runCommand(
        r -> new TrackingNumber.UpdateClientName("op-1", "shop-1", "x", r));
    assertTrue(rename.reply().isSuccess());
    assertTrue(rename.hasNoEvents());
    var release = kit.<StatusReply<Done>>runCommand(r -> new TrackingNumber.Release("op-1", "shop-1", "d1", r));
    assertTrue(release.reply().isSuccess());
    assertTrue(release.hasNoEvents());
    assertInstanceOf(TrackingNumber.Unassigned.class, kit.getState());
  }

  @Test
  void assignMakesTheNumberRoute() {
    var result = assign("op-1", "shop-1", "d1");
    TrackingNumber.Details d = result.reply().getValue();
    assertEquals("d1", d.dialinId());
    assertEquals("0120-123-456", d.number().raw());
    assertEquals(FWD, d.forwardTo());
    assertEquals("op-1", result.eventOfType(TrackingNumber.NumberAssigned.class).operatorId());
    assertEquals(
        Optional.of(new NumberRoute("op-1", "shop-1", "Shop One", "d1", "Top page", DIN, FWD)), route());
    var get = kit.<StatusReply<TrackingNumber.Details>>runCommand(TrackingNumber.Get::new);
    assertEquals(d, get.reply().getValue());
    assertEquals("Top page", d.toView().name());
  }

  private CommandResultWithReply<TrackingNumber.Command, TrackingNumber.Event, TrackingNumber.State,
      StatusReply<TrackingNumber.Details>> absence(String op, String dialin, boolean on) {
    return kit.runCommand(r -> new TrackingNumber.SetAbsence(op, "shop-1", dialin, on, r));
  }

  @Test
  void absenceModeIsPersistedCarriedInTheRouteAndKeptAcrossUpdatesAndRecovery() {
    assertTrue(absence("op-1", "d1", true).reply().isError(), "unassigned");
    assign("op-1", "shop-1", "d1");
    assertFalse(route().orElseThrow().absent());

    var on = absence("op-1", "d1", true);
    assertTrue(on.reply().getValue().absent());
    assertTrue(on.eventOfType(TrackingNumber.AbsenceSet.class).on());
    assertTrue(route().orElseThrow().absent());
    assertTrue(absence("op-1", "d1", true).hasNoEvents(), "already on: nothing to persist");
    assertTrue(absence("op-2", "d1", false).reply().isError(), "another operator's record");
    assertTrue(absence("op-1", "d2", false).reply().isError(), "another dialin id");

    update("d1", "renamed", FWD2);
    assertTrue(route().orElseThrow().absent(), "an update keeps absence mode");
    kit.restart();
    assertTrue(route().orElseThrow().absent(), "recovered from the journal");

    assertFalse(absence("op-1", "d1", false).reply().getValue().absent());
    assertFalse(route().orElseThrow().absent());
    kit.<StatusReply<Done>>runCommand(r -> new TrackingNumber.Release("op-1", "shop-1", "d1", r));
    assign("op-1", "shop-1", "d1");
    assertFalse(route().orElseThrow().absent(), "a new record starts present");
  }

  private CommandResultWithReply<TrackingNumber.Command, TrackingNumber.Event, TrackingNumber.State,
      StatusReply<TrackingNumber.Details>> storeFlow(String op, CallFlow flow) {
    return kit.runCommand(r -> new TrackingNumber.StoreFlow(op, "shop-1", "d1", flow, r));
  }

  @Test
  void flowVersionsArePersistedAndEveryCallRouteCarriesTheCurrentOne() {
    CallFlow flow = CallFlow.defaultFor(FWD2, 15);
    assertTrue(storeFlow("op-1", flow).reply().isError(), "unassigned");
    assign("op-1", "shop-1", "d1");
    assertEquals(0, route().orElseThrow().flowVersion());
    assertNull(route().orElseThrow().flow());
    assertTrue(storeFlow("op-1", null).hasNoEvents(), "no document to remove");

    var v1 = storeFlow("op-1", flow);
    assertEquals(1, v1.eventOfType(TrackingNumber.FlowStored.class).version());
    assertEquals(flow, v1.reply().getValue().flow().document());
    assertEquals(1, v1.reply().getValue().toFlowView().version());
    assertEquals(flow, route().orElseThrow().flow());
    assertTrue(storeFlow("op-2", null).reply().isError(), "another operator's record");

    assertEquals(2, storeFlow("op-1", flow).reply().getValue().flow().version(), "every store is a version");
    kit.restart();
    assertEquals(2, route().orElseThrow().flowVersion());
    assertEquals(flow, route().orElseThrow().flow(), "recovered from the journal (JSON round trip)");

    update("d1", "renamed", FWD);
    assertEquals(flow, route().orElseThrow().flow(), "an update keeps the flow");
    var removed = storeFlow("op-1", null);
    assertEquals(3, removed.reply().getValue().flow().version());
    assertNull(route().orElseThrow().flow());
    assertNotNull(removed.reply().getValue().flow().updatedAt());
  }

  private CommandResultWithReply<TrackingNumber.Command, TrackingNumber.Event, TrackingNumber.State,
      StatusReply<TrackingNumber.Details>> storeJudgment(String op, JudgmentRules rules) {
    return kit.runCommand(r -> new TrackingNumber.StoreJudgment(op, "shop-1", "d1", rules, r));
  }

  private CommandResultWithReply<TrackingNumber.Command, TrackingNumber.Event, TrackingNumber.State,
      StatusReply<TrackingNumber.Details>> clearJudgment(String op) {
    return kit.runCommand(r -> new TrackingNumber.ClearJudgment(op, "shop-1", "d1", r));
  }

  private static final JudgmentRules RULES = JudgmentRulesParser.parse("""
      {"min_talk_sec": 30, "duplicate": {"scope": "number", "period_sec": 86400},
       "ivr": [{"digits": "1", "min_talk_sec": 60}],
       "post_call_button": {"prompt": "rate-call", "valid_digits": ["1"]}}
      """);

  @Test
  void judgmentRulesAreRefusedForOthersThanTheHolder() {
    assertTrue(storeJudgment("op-1", RULES).reply().isError(), "unassigned");
    assertTrue(clearJudgment("op-1").reply().isError(), "unassigned");
    assign("op-1", "shop-1", "d1");
    var other = storeJudgment("op-2", RULES);
    assertTrue(other.hasNoEvents());
    assertEquals("+81120123456 is not a tracking number", other.reply().getError().getMessage());
    assertTrue(clearJudgment("op-2").reply().isError(), "another operator's record");
    var missing = storeJudgment("op-1", null);
    assertTrue(missing.hasNoEvents());
    assertTrue(missing.reply().isError(), "null rules are not a removal");
    assertNull(route().orElseThrow().judgment());
  }

  @Test
  void judgmentVersionsArePersistedClearedRecoveredAndCarriedInEveryCallRoute() {
    assign("op-1", "shop-1", "d1");
    NumberRoute before = route().orElseThrow();
    assertNull(before.judgment());
    assertEquals(0, before.judgmentVersion());
    assertEquals(0, kit.<StatusReply<TrackingNumber.Details>>runCommand(TrackingNumber.Get::new).reply().getValue()
        .toJudgmentView().version());
    assertTrue(clearJudgment("op-1").hasNoEvents(), "no rules to remove");

    var v1 = storeJudgment("op-1", RULES);
    TrackingNumber.JudgmentStored stored = v1.eventOfType(TrackingNumber.JudgmentStored.class);
    assertEquals(1, stored.version());
    assertEquals(RULES, stored.rules());
    assertEquals(RULES, v1.reply().getValue().toJudgmentView().rules());
    assertEquals(stored.at(), v1.reply().getValue().toJudgmentView().updatedAt());
    assertEquals(RULES, route().orElseThrow().judgment());
    assertEquals(1, route().orElseThrow().judgmentVersion());
    assertEquals(0, route().orElseThrow().flowVersion(), "the flow's version counts on its own");

    JudgmentRules threshold = JudgmentRules.threshold(10);
    assertEquals(2, storeJudgment("op-1", threshold).reply().getValue().judgment().version(), "every store is a version");
    kit.restart();
    assertEquals(2, route().orElseThrow().judgmentVersion());
    assertEquals(threshold, route().orElseThrow().judgment(), "recovered from the journal (JSON round trip)");

    storeFlow("op-1", CallFlow.defaultFor(FWD2, 15));
    update("d1", "renamed", FWD2);
    absence("op-1", "d1", true);
    assertEquals(threshold, route().orElseThrow().judgment(), "flow, update and absence keep the rules");
    assertEquals(1, route().orElseThrow().flowVersion());

    var cleared = clearJudgment("op-1");
    TrackingNumber.JudgmentCleared event = cleared.eventOfType(TrackingNumber.JudgmentCleared.class);
    assertEquals(3, event.version(), "a removal is a version");
    assertNull(cleared.reply().getValue().judgment().document());
    assertEquals(event.at(), cleared.reply().getValue().judgment().updatedAt());
    assertNull(route().orElseThrow().judgment());
    assertEquals(3, route().orElseThrow().judgmentVersion());

    var v4 = storeJudgment("op-1", RULES);
    assertEquals(4, v4.reply().getValue().judgment().version(), "versions keep counting after a removal");
    kit.restart();
    NumberRoute after = route().orElseThrow();
    assertEquals(RULES, after.judgment());
    assertEquals(4, after.judgmentVersion());
    assertEquals(CallFlow.defaultFor(FWD2, 15), after.flow());
    assertTrue(after.absent());
  }

  private CommandResultWithReply<TrackingNumber.Command, TrackingNumber.Event, TrackingNumber.State,
      StatusReply<TrackingNumber.Details>> storeRecording(String op, RecordingSettings settings) {
    return kit.runCommand(r -> new TrackingNumber.StoreRecording(op, "shop-1", "d1", settings, r));
  }

  @Test
  void recordingSettingVersionsArePersistedClearedRecoveredAndCarriedInEveryCallRoute() {
    RecordingSettings both = new RecordingSettings(RecordingMode.BOTH, "recording-notice");
    assertTrue(storeRecording("op-1", both).reply().isError(), "unassigned");
    assign("op-1", "shop-1", "d1");
    assertNull(route().orElseThrow().recording());
    assertFalse(route().orElseThrow().recorded());
    assertTrue(storeRecording("op-2", both).reply().isError(), "another operator's record");
    assertTrue(storeRecording("op-1", null).reply().isError(), "null is not a removal");
    var none = kit.<StatusReply<TrackingNumber.Details>>runCommand(
        r -> new TrackingNumber.ClearRecording("op-1", "shop-1", "d1", r));
    assertTrue(none.hasNoEvents(), "no setting to remove");

    var v1 = storeRecording("op-1", both);
    TrackingNumber.RecordingSettingStored stored = v1.eventOfType(TrackingNumber.RecordingSettingStored.class);
    assertEquals(1, stored.version());
    assertEquals(both, v1.reply().getValue().toRecordingView().settings());
    storeJudgment("op-1", RULES);
    storeFlow("op-1", CallFlow.defaultFor(FWD2, 15));
    update("d1", "renamed", FWD2);
    kit.restart();
    NumberRoute route = route().orElseThrow();
    assertEquals(both, route.recording(), "recovered; flow, judgment and update keep the setting");
    assertEquals(1, route.recordingVersion());
    assertTrue(route.recorded());
    assertEquals(1, route.judgmentVersion(), "the judgment's version counts on its own");

    var cleared = kit.<StatusReply<TrackingNumber.Details>>runCommand(
        r -> new TrackingNumber.ClearRecording("op-1", "shop-1", "d1", r));
    assertEquals(2, cleared.eventOfType(TrackingNumber.RecordingSettingCleared.class).version());
    assertNull(route().orElseThrow().recording());
    assertEquals(2, route().orElseThrow().recordingVersion());
    storeRecording("op-1", new RecordingSettings(RecordingMode.CALLER, "notice"));
    kit.restart();
    assertEquals(RecordingMode.CALLER, route().orElseThrow().recording().mode());
    assertEquals(3, route().orElseThrow().recordingVersion());
  }

  @Test
  void aNewRecordOnTheSameNumberStartsWithoutRules() {
    assign("op-1", "shop-1", "d1");
    storeJudgment("op-1", RULES);
    kit.<StatusReply<Done>>runCommand(r -> new TrackingNumber.Release("op-1", "shop-1", "d1", r));
    assign("op-1", "shop-1", "d1");
    assertNull(route().orElseThrow().judgment());
    assertEquals(0, route().orElseThrow().judgmentVersion());
  }

  @Test
  void assignIsIdempotentForTheHolderAndRejectedForOthers() {
    TrackingNumber.Details first = assign("op-1", "shop-1", "d1").reply().getValue();
    var again = assign("op-1", "shop-1", "d1");
    assertTrue(again.hasNoEvents());
    assertEquals(first, again.reply().getValue());

    for (var other : new String[][] {{"op-2", "shop-1", "d1"}, {"op-1", "shop-2", "d1"}, {"op-1", "shop-1", "d2"}}) {
      var taken = assign(other[0], other[1], other[2]);
      assertTrue(taken.hasNoEvents());
      assertTrue(taken.reply().getError().getMessage().endsWith("is already a tracking number"));
    }
    assertEquals("op-1", route().orElseThrow().operatorId());
  }

  @Test
  void assignOfAnotherNumberOrWithMissingFieldsIsRejected() {
    var wrong = kit.<StatusReply<TrackingNumber.Details>>runCommand(r -> new TrackingNumber.Assign(
        "op-1", "shop-1", "Shop", "d1", "", PhoneNumbers.parse("050-1234-5678"), FWD, r));
    assertTrue(wrong.reply().getError().getMessage().contains("was sent to tracking number +81120123456"));
    var noFwd = kit.<StatusReply<TrackingNumber.Details>>runCommand(
        r -> new TrackingNumber.Assign("op-1", "shop-1", "Shop", "d1", "", DIN, null, r));
    assertTrue(noFwd.reply().isError());
    assertTrue(assign("op-1", "", "d1").reply().isError());
    assertInstanceOf(TrackingNumber.Unassigned.class, kit.getState());
  }

  @Test
  void updateByTheHolder() {
    assign("op-1", "shop-1", "d1");
    var renamed = update("d1", "LP", null);
    assertEquals("LP", renamed.reply().getValue().dialinName());
    assertEquals(FWD, renamed.reply().getValue().forwardTo());
    assertEquals("LP", renamed.eventOfType(TrackingNumber.NumberUpdated.class).dialinName());

    var moved = update("d1", null, FWD2);
    assertEquals("LP", moved.reply().getValue().dialinName());
    assertEquals(FWD2, moved.reply().getValue().forwardTo());
    assertEquals(FWD2, route().orElseThrow().forwardTo());

    var unchanged = update("d1", "LP", FWD2);
    assertTrue(unchanged.hasNoEvents());
    assertTrue(unchanged.reply().isSuccess());

    var notHolder = update("d9", "hijack", FWD);
    assertTrue(notHolder.hasNoEvents());
    assertTrue(notHolder.reply().isError());
    assertEquals(FWD2, route().orElseThrow().forwardTo());
  }

  @Test
  void clientNameFollowsTheAdvertiser() {
    assign("op-1", "shop-1", "d1");
    var renamed = kit.<StatusReply<Done>>runCommand(
        r -> new TrackingNumber.UpdateClientName("op-1", "shop-1", "Shop Uno", r));
    assertEquals("Shop Uno", renamed.eventOfType(TrackingNumber.ClientRenamed.class).clientName());
    assertEquals("Shop Uno", route().orElseThrow().clientName());
    var same = kit.<StatusReply<Done>>runCommand(
        r -> new TrackingNumber.UpdateClientName("op-1", "shop-1", "Shop Uno", r));
    assertTrue(same.hasNoEvents());
    var other = kit.<StatusReply<Done>>runCommand(
        r -> new TrackingNumber.UpdateClientName("op-2", "shop-1", "Intruder", r));
    assertTrue(other.hasNoEvents());
    assertTrue(other.reply().isSuccess());
    assertEquals("Shop Uno", route().orElseThrow().clientName());
  }

  @Test
  void releaseOnlyByTheHolderAndIdempotent() {
    assign("op-1", "shop-1", "d1");
    var byOther = kit.<StatusReply<Done>>runCommand(r -> new TrackingNumber.Release("op-2", "shop-1", "d1", r));
    assertTrue(byOther.hasNoEvents());
    assertTrue(byOther.reply().isSuccess());
    assertTrue(route().isPresent());

    var released = kit.<StatusReply<Done>>runCommand(r -> new TrackingNumber.Release("op-1", "shop-1", "d1", r));
    assertEquals("d1", released.eventOfType(TrackingNumber.NumberReleased.class).dialinId());
    assertEquals(Optional.empty(), route());
    var again = kit.<StatusReply<Done>>runCommand(r -> new TrackingNumber.Release("op-1", "shop-1", "d1", r));
    assertTrue(again.hasNoEvents());
    assertTrue(again.reply().isSuccess());

    var reused = assign("op-2", "shop-9", "x1");
    assertTrue(reused.reply().isSuccess());
    assertEquals("op-2", route().orElseThrow().operatorId());
  }

  @Test
  void recoveryRestoresTheSameState() {
    assign("op-1", "shop-1", "d1");
    update("d1", "LP", FWD2);
    kit.<StatusReply<Done>>runCommand(r -> new TrackingNumber.UpdateClientName("op-1", "shop-1", "Shop Uno", r));
    TrackingNumber.State assigned = kit.getState();
    assertEquals(assigned, kit.restart().state());
    assertEquals("Shop Uno", route().orElseThrow().clientName());

    kit.<StatusReply<Done>>runCommand(r -> new TrackingNumber.Release("op-1", "shop-1", "d1", r));
    assertEquals(new TrackingNumber.Unassigned(), kit.restart().state());
  }

  private CommandResultWithReply<TrackingNumber.Command, TrackingNumber.Event, TrackingNumber.State,
      StatusReply<TrackingNumber.Details>> storeNotifications(String op, NotificationSettings settings) {
    return kit.runCommand(r -> new TrackingNumber.StoreNotifications(op, "shop-1", "d1", settings, r));
  }

  private CommandResultWithReply<TrackingNumber.Command, TrackingNumber.Event, TrackingNumber.State,
      StatusReply<TrackingNumber.Details>> clearNotifications(String op) {
    return kit.runCommand(r -> new TrackingNumber.ClearNotifications(op, "shop-1", "d1", r));
  }

  private static final NotificationSettings NOTIFY = NotificationSettingsParser.parse("""
      {"email": {"to": ["a@example.jp"], "trigger": "missed"},
       "webhook": {"url": "https://hooks.example.jp/c", "secret": "0123456789abcdef", "trigger": "every"},
       "sms": {"to": ["09012345678"], "trigger": "valid"}}
      """);

  @Test
  void notificationSettingsAreRefusedForOthersThanTheHolder() {
    assertTrue(storeNotifications("op-1", NOTIFY).reply().isError(), "unassigned");
    assertTrue(clearNotifications("op-1").reply().isError(), "unassigned");
    assign("op-1", "shop-1", "d1");
    var other = storeNotifications("op-2", NOTIFY);
    assertTrue(other.hasNoEvents());
    assertTrue(other.reply().isError(), "another operator's record");
    assertTrue(clearNotifications("op-2").reply().isError(), "another operator's record");
    var missing = storeNotifications("op-1", null);
    assertTrue(missing.hasNoEvents());
    assertTrue(missing.reply().isError(), "null settings are not a removal");
    assertNull(route().orElseThrow().notifications());
  }

  @Test
  void notificationVersionsArePersistedClearedRecoveredAndCarriedInEveryCallRoute() {
    assign("op-1", "shop-1", "d1");
    assertNull(route().orElseThrow().notifications());
    assertEquals(0, route().orElseThrow().notificationsVersion());
    assertTrue(clearNotifications("op-1").hasNoEvents(), "no settings to remove");

    var v1 = storeNotifications("op-1", NOTIFY);
    TrackingNumber.NotificationsStored stored = v1.eventOfType(TrackingNumber.NotificationsStored.class);
    assertEquals(1, stored.version());
    assertEquals(NOTIFY, v1.reply().getValue().toNotificationView().settings());
    assertEquals(stored.at(), v1.reply().getValue().toNotificationView().updatedAt());
    storeJudgment("op-1", RULES);
    assertEquals(1, route().orElseThrow().judgmentVersion(), "the judgment's version counts on its own");
    kit.restart();
    assertEquals(NOTIFY.withoutSecrets(), route().orElseThrow().notifications(),
        "recovered from the journal (JSON round trip); a route never carries the webhook secret");
    assertEquals(1, route().orElseThrow().notificationsVersion());
    assertEquals(RULES, route().orElseThrow().judgment());

    var cleared = clearNotifications("op-1");
    assertEquals(2, cleared.eventOfType(TrackingNumber.NotificationsCleared.class).version(), "a removal is a version");
    assertNull(route().orElseThrow().notifications());
    var v3 = storeNotifications("op-1", NOTIFY);
    assertEquals(3, v3.reply().getValue().notifications().version(), "versions keep counting after a removal");
    kit.restart();
    assertEquals(3, route().orElseThrow().notificationsVersion());
    assertEquals(NOTIFY.withoutSecrets(), route().orElseThrow().notifications());
  }
}
