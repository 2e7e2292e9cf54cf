package io.hankyo.node.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.call.CallInstruction;
import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.call.RouteDecision;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.calllog.DialStatus;
import io.hankyo.protocol.calllog.HangupParty;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Call entity with EventSourcedBehaviorTestKit (serialization of every command/event/state, and recovery). */
class CallTest {
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
    trnId = String.format("%024x", ++counter + 0xabc000L);
    writer = new CallFixtures.RecordingWriter();
    gateway = testKit.createTestProbe();
    kit = CallFixtures.callKit(testKit, trnId, writer);
  }

  @AfterEach
  void clear() {
    kit.clear();
  }

  private RouteDecision.Forward start(long ringMs) {
    var result = kit.<StatusReply<RouteDecision>>runCommand(replyTo -> new Call.Start(
        CallFixtures.arrival(trnId, Instant.now()), CallFixtures.route(), 42, gateway.getRef(), ringMs, replyTo));
    assertEquals(2, result.events().size(), "arrival and first attempt in one write");
    assertInstanceOf(Call.CallArrived.class, result.events().get(0));
    assertInstanceOf(Call.ForwardAttemptStarted.class, result.events().get(1));
    assertInstanceOf(Call.Forwarding.class, result.state());
    return (RouteDecision.Forward) result.reply().getValue();
  }

  private StatusReply<Done> report(CallProgress p) {
    return kit.<StatusReply<Done>>runCommand(replyTo -> new Call.Report(p, replyTo)).reply();
  }

  @Test
  void answeredCallPersistsFewEventsAndWritesItsLogRow() {
    RouteDecision.Forward fwd = start(30_000);
    assertEquals(1, fwd.attempt());
    assertEquals("+81311112222", fwd.destination().e164());
    assertEquals(30_000, fwd.ringTimeoutMillis());

    Instant t = Instant.now();
    var ringing = kit.<StatusReply<Done>>runCommand(r -> new Call.Report(new CallProgress.Ringing(trnId, 1, t), r));
    assertTrue(ringing.events().isEmpty(), "ringing is not persisted");
    var answered = kit.<StatusReply<Done>>runCommand(
        r -> new Call.Report(new CallProgress.Answered(trnId, 1, t.plusSeconds(2)), r));
    assertEquals(List.of(new Call.CallAnswered(1, t.plusSeconds(2), t)), answered.events());
    var ended = kit.<StatusReply<Done>>runCommand(r -> new Call.Report(
        new CallProgress.Ended(trnId, 1, t.plusSeconds(7), HangupParty.CALLER, EndCause.NORMAL_CLEARING, 0), r));
    assertTrue(ended.reply().isSuccess());
    Call.CallEnded event = (Call.CallEnded) ended.events().get(0);
    CallLogRecord rec = event.record();
    assertEquals(t, event.ringingAt());
    assertEquals(DialStatus.NORMAL, rec.dialStatus());
    assertEquals(HangupParty.CALLER, rec.hangupParty());
    assertEquals(5, rec.talkingSec());
    assertEquals(42, rec.seqNum());
    assertEquals("op1", rec.operatorId());
    assertEquals(List.of(rec), writer.rows, "the row is written directly when the call ends");

    // A duplicate report after the end is acknowledged and changes nothing.
    var again = kit.<StatusReply<Done>>runCommand(r -> new Call.Report(
        new CallProgress.Ended(trnId, 1, t.plusSeconds(9), HangupParty.CALLEE, EndCause.NORMAL_CLEARING, 0), r));
    assertTrue(again.reply().isSuccess());
    assertTrue(again.events().isEmpty());
    assertEquals(rec, ((Call.Ended) kit.restart().state()).record(), "recovery gives the same record");
  }

  @Test
  void duplicateStartGetsTheSameDecisionWithoutNewEvents() {
    RouteDecision.Forward first = start(30_000);
    var again = kit.<StatusReply<RouteDecision>>runCommand(replyTo -> new Call.Start(
        CallFixtures.arrival(trnId, Instant.now()), CallFixtures.route(), 43, gateway.getRef(), 30_000, replyTo));
    assertTrue(again.events().isEmpty());
    assertEquals(first, again.reply().getValue());
  }

  @Test
  void startWithAnotherTrnIdIsRejected() {
    var result = kit.<StatusReply<RouteDecision>>runCommand(replyTo -> new Call.Start(
        CallFixtures.arrival("ffffffffffffffffffffffff", Instant.now()), CallFixtures.route(), 1, gateway.getRef(),
        30_000, replyTo));
    assertTrue(result.reply().isError());
    assertTrue(result.events().isEmpty());
  }

  @Test
  void ringTimeoutOrdersTheGatewayToCancelAndTheEndIsLoggedAsNoAnswer() {
    start(300);
    CallInstruction.CancelForward cancel =
        gateway.expectMessageClass(CallInstruction.CancelForward.class, Duration.ofSeconds(3));
    assertEquals(new CallInstruction.CancelForward(trnId, 1, EndCause.NO_ANSWER), cancel);
    StatusReply<Done> r = report(new CallProgress.Ended(trnId, 1, Instant.now(), HangupParty.SYSTEM,
        EndCause.NO_ANSWER, 480));
    assertTrue(r.isSuccess());
    CallLogRecord rec = ((Call.Ended) kit.getState()).record();
    assertEquals(DialStatus.INCOMPLETE, rec.dialStatus());
    assertEquals(HangupParty.SYSTEM, rec.hangupParty());
    assertEquals(480, rec.sipStatus());
  }

  @Test
  void ringDeadlineSurvivesARestart() {
    start(1_500);
    var restarted = kit.restart();
    assertInstanceOf(Call.Forwarding.class, restarted.state());
    gateway.expectMessageClass(CallInstruction.CancelForward.class, Duration.ofSeconds(5));
  }

  @Test
  void answerCancelsTheRingTimer() {
    start(500);
    report(new CallProgress.Answered(trnId, 1, Instant.now()));
    gateway.expectNoMessage(Duration.ofMillis(900));
    assertInstanceOf(Call.Connected.class, kit.getState());
  }

  @Test
  void staleAttemptReportsAreIgnored() {
    start(30_000);
    var r = kit.<StatusReply<Done>>runCommand(
        replyTo -> new Call.Report(new CallProgress.Answered(trnId, 9, Instant.now()), replyTo));
    assertTrue(r.reply().isSuccess());
    assertTrue(r.events().isEmpty());
    assertInstanceOf(Call.Forwarding.class, r.state());
  }

  @Test
  void busyIsLoggedAsBusyByTheCallee() {
    start(30_000);
    report(new CallProgress.Ended(trnId, 1, Instant.now(), HangupParty.CALLEE, EndCause.BUSY, 486));
    CallLogRecord rec = ((Call.Ended) kit.getState()).record();
    assertEquals(DialStatus.BUSY, rec.dialStatus());
    assertEquals(HangupParty.CALLEE, rec.hangupParty());
  }

  @Test
  void endReportBeforeTheStartIsRefusedSoThatItIsRetriedAndNothingIsPersisted() {
    // the gateway forwards while the Start is persisted: an Ended that overtakes it must be retried, not dropped
    var r = kit.<StatusReply<Done>>runCommand(replyTo -> new Call.Report(
        new CallProgress.Ended(trnId, 1, Instant.now(), HangupParty.CALLER, EndCause.CALLER_CANCELLED, 487),
        replyTo));
    assertTrue(r.reply().isError());
    assertTrue(r.events().isEmpty());
    assertInstanceOf(Call.Idle.class, r.state());

    var ringing = kit.<StatusReply<Done>>runCommand(replyTo -> new Call.Report(
        new CallProgress.Ringing(trnId, 1, Instant.now()), replyTo));
    assertTrue(ringing.reply().isSuccess(), "ringing is transient: acknowledged, not retried");
    assertTrue(ringing.events().isEmpty());

    start(30_000);
    var retried = kit.<StatusReply<Done>>runCommand(replyTo -> new Call.Report(
        new CallProgress.Ended(trnId, 1, Instant.now(), HangupParty.CALLER, EndCause.CALLER_CANCELLED, 487),
        replyTo));
    assertTrue(retried.reply().isSuccess());
    assertInstanceOf(Call.Ended.class, retried.state());
  }

  @Test
  void startAfterTheEndIsRejected() {
    start(30_000);
    report(new CallProgress.Ended(trnId, 1, Instant.now(), HangupParty.CALLER, EndCause.CALLER_CANCELLED, 487));
    var r = kit.<StatusReply<RouteDecision>>runCommand(replyTo -> new Call.Start(
        CallFixtures.arrival(trnId, Instant.now()), CallFixtures.route(), 42, gateway.getRef(), 30_000, replyTo));
    assertTrue(r.reply().isError());
  }

  @Test
  void lostGatewayEndsTheCallAsAStatusError() throws Exception {
    ActorRef<CallInstruction> mortalGateway = testKit.spawn(Behaviors.ignore());
    kit.<StatusReply<RouteDecision>>runCommand(replyTo -> new Call.Start(
        CallFixtures.arrival(trnId, Instant.now()), CallFixtures.route(), 5, mortalGateway, 30_000, replyTo));
    testKit.stop(mortalGateway);
    Call.State state = kit.getState();
    for (int i = 0; i < 50 && !(state instanceof Call.Ended); i++) {
      Thread.sleep(100);
      state = kit.getState();
    }
    Call.Ended ended = assertInstanceOf(Call.Ended.class, state);
    assertEquals(DialStatus.STATUS_ERROR, ended.record().dialStatus());
    assertEquals(EndCause.GATEWAY_FAILURE.name(), ended.record().endCause());
    assertNotNull(writer.rows.get(0));
  }
}
