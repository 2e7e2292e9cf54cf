package io.hankyo.node.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.call.CallInstruction;
import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.call.RouteDecision;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.recording.CallRecording;
import io.hankyo.protocol.recording.RecordingMode;
import io.hankyo.protocol.recording.RecordingSettings;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.flow.CallFlow;
import io.hankyo.protocol.flow.ForwardStep;
import io.hankyo.protocol.flow.ForwardTarget;
import io.hankyo.protocol.flow.PlayStep;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The call's recording (issue 4) on the Call entity: stored once, in the call log, deleted. */
class CallRecordingEntityTest {
  private static final ActorTestKit testKit = ActorTestKit.create(CallFixtures.TESTKIT_CONFIG);
  private static int counter;

  private String trnId;
  private CallFixtures.RecordingWriter writer;
  private TestProbe<CallInstruction> gateway;
  private EventSourcedBehaviorTestKit<Call.Command, Call.Event, Call.State> kit;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    trnId = String.format("%024x", ++counter + 0xdef000L);
    writer = new CallFixtures.RecordingWriter();
    gateway = testKit.createTestProbe();
    kit = CallFixtures.callKit(testKit, trnId, writer);
  }

  @AfterEach
  void clear() {
    kit.clear();
  }

  private StatusReply<Done> report(CallProgress p) {
    return kit.<StatusReply<Done>>runCommand(replyTo -> new Call.Report(p, replyTo)).reply();
  }

  private CallProgress.RecordingStored stored(String key, Instant at) {
    return new CallProgress.RecordingStored(trnId, key, 80_044, "ab".repeat(32), 5000, RecordingMode.BOTH, at);
  }

  @Test
  void aRecordingIsTakenOnceAfterTheEndAndItsDeletionIsAnEvent() {
    Instant t = Instant.now();
    kit.<StatusReply<RouteDecision>>runCommand(replyTo -> new Call.Start(
        CallFixtures.arrival(trnId, t), CallFixtures.route(), 42, gateway.getRef(), 30_000, replyTo));
    report(new CallProgress.Answered(trnId, 1, t.plusSeconds(2)));
    // reported before the end: refused, so that the gateway sends it again
    var early = kit.<StatusReply<Done>>runCommand(r -> new Call.Report(stored("2026/11/30/x.wav", t), r));
    assertTrue(early.reply().isError());
    assertTrue(early.events().isEmpty());
    report(new CallProgress.Ended(trnId, 1, t.plusSeconds(7), HangupParty.CALLER, EndCause.NORMAL_CLEARING, 0));
    assertFalse(((Call.Ended) kit.getState()).record().logvars().containsKey(Call.RECORDING_LOGVAR));

    var first = kit.<StatusReply<Done>>runCommand(r -> new Call.Report(stored("2026/11/30/x.wav", t), r));
    assertTrue(first.reply().isSuccess());
    Call.RecordingStored event = first.eventOfType(Call.RecordingStored.class);
    assertEquals(new CallRecording("2026/11/30/x.wav", 80_044, "ab".repeat(32), 5000, RecordingMode.BOTH, t, null),
        event.recording());
    assertEquals("1", event.record().logvars().get("recording"));
    assertEquals(event.record(), writer.rows.get(writer.rows.size() - 1), "the call-log row is written again");
    assertEquals(5, event.record().talkingSec(), "the rest of the record is kept");

    var twice = kit.<StatusReply<Done>>runCommand(r -> new Call.Report(stored("2026/11/30/x.wav", t), r));
    assertTrue(twice.reply().isSuccess());
    assertTrue(twice.events().isEmpty(), "a report sent twice is taken once");

    Call.Ended recovered = (Call.Ended) kit.restart().state();
    assertEquals(event.recording(), recovered.recording());

    var deleted = kit.<StatusReply<CallRecording>>runCommand(Call.DeleteRecording::new);
    assertEquals(event.recording(), deleted.reply().getValue());
    Call.RecordingDeleted del = deleted.eventOfType(Call.RecordingDeleted.class);
    assertEquals("0", del.record().logvars().get("recording"));
    Call.Ended after = (Call.Ended) kit.restart().state();
    assertFalse(after.recording().exists());
    assertEquals(del.at(), after.recording().deletedAt());
    assertTrue(kit.<StatusReply<CallRecording>>runCommand(Call.DeleteRecording::new).reply().isError(),
        "deleted already");
    var late = kit.<StatusReply<Done>>runCommand(r -> new Call.Report(stored("2026/11/30/x.wav", t), r));
    assertTrue(late.events().isEmpty(), "a late repeat does not bring a deleted recording back");
  }

  @Test
  void aStoredRecordingIsIndexedOnceForTheRetentionSweeper() {
    List<String> indexed = new java.util.concurrent.CopyOnWriteArrayList<>();
    io.hankyo.node.recording.RecordingIndex index = (operatorId, id, key, storedAt) -> {
      indexed.add(operatorId + " " + id + " " + key + " " + storedAt);
      return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
    };
    trnId = String.format("%024x", ++counter + 0xdef000L); // an entity of its own, with the index
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), Call.create(trnId, new Call.Dependencies(
        new CallOutcomes(CallCharges.defaults()), writer, 4, Call.Queues.NONE, OpenCalls.NONE, CallerHistory.NONE,
        Call.Dependencies.DEFAULT_JUDGMENT_LOOKUP_TIMEOUT, index), null));
    Instant t = Instant.now();
    kit.<StatusReply<RouteDecision>>runCommand(replyTo -> new Call.Start(
        CallFixtures.arrival(trnId, t), CallFixtures.route(), 42, gateway.getRef(), 30_000, replyTo));
    report(new CallProgress.Answered(trnId, 1, t.plusSeconds(2)));
    report(new CallProgress.Ended(trnId, 1, t.plusSeconds(7), HangupParty.CALLER, EndCause.NORMAL_CLEARING, 0));
    assertTrue(indexed.isEmpty(), "nothing before a recording is stored");
    Instant storedAt = t.plusSeconds(8);
    assertTrue(report(stored("2026/11/30/y.wav", storedAt)).isSuccess());
    assertEquals(List.of("op1 " + trnId + " 2026/11/30/y.wav " + storedAt), indexed);
    assertTrue(report(stored("2026/11/30/y.wav", storedAt)).isSuccess());
    assertEquals(1, indexed.size(), "a report sent twice is indexed once");
  }

  @Test
  void aRecordedCallHearsTheConsentNoticeBeforeTheForwardAndItsPlayingIsAnEvent() {
    NumberRoute r = CallFixtures.route();
    NumberRoute route = new NumberRoute(r.operatorId(), r.clientId(), r.clientName(), r.dialinId(), r.dialinName(),
        r.din(), r.forwardTo(), false, null, 0, null, 0, null, null, 0,
        new RecordingSettings(RecordingMode.BOTH, "recording-notice"), 1, null);
    var start = kit.<StatusReply<RouteDecision>>runCommand(replyTo -> new Call.Start(
        CallFixtures.arrival(trnId, Instant.now()), route, 9, gateway.getRef(), 30_000, replyTo));
    assertInstanceOf(RouteDecision.AnswerWithMedia.class, start.reply().getValue(),
        "answered with media: the notice plays and the RTP is anchored for the recording");
    assertEquals(1, start.events().size(), "no forward before the notice");
    CallInstruction.PlayPrompt play = gateway.expectMessageClass(CallInstruction.PlayPrompt.class);
    assertEquals("recording-notice", play.prompt());
    report(new CallProgress.MediaAnswered(trnId, Instant.now()));
    Instant at = Instant.now();
    var finished = kit.<StatusReply<Done>>runCommand(c -> new Call.Report(
        new CallProgress.PromptFinished(trnId, play.token(), at, true), c));
    assertEquals(3, finished.events().size(), "signal, consent, forward in one write: " + finished.events());
    assertInstanceOf(Call.FlowSignalled.class, finished.events().get(0));
    assertEquals(new Call.RecordingConsentPlayed(at, "recording-notice", true), finished.events().get(1));
    assertEquals(1, ((Call.ForwardAttemptStarted) finished.events().get(2)).attempt(), "then the forward");
    CallInstruction.Forward fwd = gateway.expectMessageClass(CallInstruction.Forward.class);
    assertEquals("+81311112222", fwd.destination().e164());
    assertInstanceOf(Call.Forwarding.class, kit.restart().state(), "recovers with the consent step");
    var again = kit.<StatusReply<Done>>runCommand(c -> new Call.Report(
        new CallProgress.PromptFinished(trnId, play.token(), at, true), c));
    assertTrue(again.events().isEmpty(), "the same report twice is one event");
  }

  @Test
  void theConsentStepGoesInFrontOfAnyFlowWithAnIdOfItsOwn() {
    NumberRoute r = CallFixtures.route();
    CallFlow base = new CallFlow("recording-consent",
        java.util.Map.of("recording-consent", new PlayStep("welcome", "fwd"),
            "fwd", new ForwardStep(List.of(new ForwardTarget(r.forwardTo(), 20)), null)));
    NumberRoute off = new NumberRoute(r.operatorId(), r.clientId(), r.clientName(), r.dialinId(), r.dialinName(),
        r.din(), r.forwardTo(), false, base, 1, null, 0, null, null, 0, new RecordingSettings(RecordingMode.OFF, null), 2, null);
    assertEquals(base, RecordingConsent.withConsent(base, off), "mode off: the flow as it is");
    NumberRoute on = new NumberRoute(r.operatorId(), r.clientId(), r.clientName(), r.dialinId(), r.dialinName(),
        r.din(), r.forwardTo(), false, base, 1, null, 0, null, null, 0, new RecordingSettings(RecordingMode.CALLER, "notice"), 3, null);
    CallFlow flow = RecordingConsent.withConsent(base, on);
    assertEquals("recording-consent_", flow.start());
    assertEquals(new PlayStep("notice", "recording-consent"), flow.step(flow.start()));
    assertEquals(3, flow.steps().size());
    assertTrue(RecordingConsent.isConsentStep(flow, on, "recording-consent_"));
    assertFalse(RecordingConsent.isConsentStep(flow, on, "recording-consent"), "the flow's own play step");
  }

  @Test
  void aCallWithoutRecordingHasNoneToDelete() {
    Instant t = Instant.now();
    kit.<StatusReply<RouteDecision>>runCommand(replyTo -> new Call.Start(
        CallFixtures.arrival(trnId, t), CallFixtures.route(), 42, gateway.getRef(), 30_000, replyTo));
    assertTrue(kit.<StatusReply<CallRecording>>runCommand(Call.DeleteRecording::new).reply().isError(), "not ended");
    report(new CallProgress.Ended(trnId, 1, t.plusSeconds(3), HangupParty.CALLER, EndCause.NO_ANSWER, 487));
    var none = kit.<StatusReply<CallRecording>>runCommand(Call.DeleteRecording::new);
    assertTrue(none.reply().isError());
    assertTrue(none.events().isEmpty());
    assertNull(((Call.Ended) kit.getState()).recording());
    assertEquals(List.of(), kit.<StatusReply<CallRecording>>runCommand(Call.DeleteRecording::new).events());
  }
}
