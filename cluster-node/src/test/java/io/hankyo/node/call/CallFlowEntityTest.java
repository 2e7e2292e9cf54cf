package io.hankyo.node.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.call.CallInstruction;
import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.call.RouteDecision;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.calllog.DialStatus;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.flow.CallFlow;
import io.hankyo.protocol.flow.CallFlowParser;
import io.hankyo.protocol.number.PhoneNumbers;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Call entity following a tracking number's call flow (issue 3): schedule and absence decided at arrival,
 * sequential forwarding across legs, every transition recovered from the journal.
 */
class CallFlowEntityTest {
  private static final ActorTestKit testKit = ActorTestKit.create("CallFlowEntityTest", CallFixtures.TESTKIT_CONFIG);
  /** A Monday, 10:00 in Tokyo (open in the flow below) and 20:00 (closed). */
  private static final Instant MONDAY_10 = Instant.parse("2026-11-30T01:00:00Z");
  private static final Instant MONDAY_20 = Instant.parse("2026-11-30T11:00:00Z");
  /** A public holiday (勤労感謝の日, Monday 2026-11-23), 10:00 in Tokyo. */
  private static final Instant HOLIDAY_10 = Instant.parse("2026-11-23T01:00:00Z");

  private static final CallFlow FLOW = CallFlowParser.parse("""
      {"start": "hours",
       "steps": {
         "hours":  {"type": "schedule", "holidays": "JP", "weekly": {"mon": ["09:00-18:00"]},
                    "open": "away", "closed": "closed"},
         "away":   {"type": "absence", "present": "sales", "absent": "closed"},
         "sales":  {"type": "forward", "targets": [{"to": "03-1111-1111", "ring_sec": 15},
                                                 {"to": "03-2222-2222", "ring_sec": 20}]},
         "closed": {"type": "hangup"}}}
      """);

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
    trnId = String.format("%024x", ++counter + 0xf10000L);
    writer = new CallFixtures.RecordingWriter();
    gateway = testKit.createTestProbe();
    kit = CallFixtures.callKit(testKit, trnId, writer);
  }

  @AfterEach
  void clear() {
    kit.clear();
  }

  private static NumberRoute route(boolean absent) {
    NumberRoute r = CallFixtures.route();
    return new NumberRoute(r.operatorId(), r.clientId(), r.clientName(), r.dialinId(), r.dialinName(), r.din(),
        r.forwardTo(), absent, FLOW, 3);
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<Call.Command, Call.Event, Call.State,
      StatusReply<RouteDecision>> start(Instant at, boolean absent) {
    return kit.runCommand(replyTo -> new Call.Start(
        CallFixtures.arrival(trnId, at), route(absent), 7, gateway.getRef(), 30_000, replyTo));
  }

  private StatusReply<Done> report(CallProgress p) {
    return kit.<StatusReply<Done>>runCommand(replyTo -> new Call.Report(p, replyTo)).reply();
  }

  @Test
  void outsideBusinessHoursTheCallIsRefusedAndLoggedAtOnce() {
    for (Instant at : List.of(MONDAY_20, HOLIDAY_10)) {
      setUp();
      var result = start(at, false);
      RouteDecision.Reject reject = assertInstanceOf(RouteDecision.Reject.class, result.reply().getValue());
      assertEquals(480, reject.sipStatus());
      assertEquals(2, result.events().size(), "arrival and end in one write");
      CallLogRecord rec = assertInstanceOf(Call.Ended.class, result.state()).record();
      assertEquals(DialStatus.INCOMPLETE, rec.dialStatus());
      assertEquals(HangupParty.SYSTEM, rec.hangupParty());
      assertEquals(EndCause.FLOW_ENDED.name(), rec.endCause());
      assertEquals(Map.of("flow_version", "3", "flow_path", "hours>closed", "outside_hours", "true",
          "fwd_attempts", "0"), rec.logvars());
      assertEquals(List.of(rec), writer.rows);
      assertEquals(reject, Call.firstDecision(CallFixtures.arrival(trnId, at), route(false), 30_000),
          "the call control computes the same decision before the entity");
      kit.clear();
    }
  }

  @Test
  void absenceModeTakesTheAbsentBranch() {
    var result = start(MONDAY_10, true);
    assertInstanceOf(RouteDecision.Reject.class, result.reply().getValue());
    assertInstanceOf(Call.Ended.class, result.state());
  }

  @Test
  void sequentialForwardingRingsTheNextDestinationAfterABusyOneAndLogsWhoAnswered() {
    RouteDecision.Forward first = assertInstanceOf(RouteDecision.Forward.class,
        start(MONDAY_10, false).reply().getValue());
    assertEquals("+81311111111", first.destination().e164());
    assertEquals(15_000, first.ringTimeoutMillis());
    assertTrue(first.holdCallerOnFailure(), "a second destination follows: the gateway keeps the caller waiting");

    Instant t = MONDAY_10.plusSeconds(20);
    var failed = kit.<StatusReply<Done>>runCommand(r -> new Call.Report(
        new CallProgress.LegFailed(trnId, 1, t, EndCause.BUSY, 486), r));
    assertTrue(failed.reply().isSuccess());
    assertEquals(2, failed.events().size(), "the failure and the next attempt in one write");
    assertEquals(new Call.ForwardAttemptFailed(1, t, EndCause.BUSY, 486), failed.events().get(0));
    CallInstruction.Forward next = gateway.expectMessageClass(CallInstruction.Forward.class);
    assertEquals(2, next.attempt());
    assertEquals("+81322222222", next.destination().e164());
    assertEquals(20_000, next.ringTimeoutMillis());
    assertFalse(next.holdCallerOnFailure(), "nothing follows the last destination: the gateway ends the call");

    // a duplicate report of the first leg changes nothing
    assertTrue(kit.<StatusReply<Done>>runCommand(r -> new Call.Report(
        new CallProgress.LegFailed(trnId, 1, t, EndCause.BUSY, 486), r)).events().isEmpty());
    // the state is rebuilt from the journal (the interpreter is replayed)
    Call.Forwarding recovered = assertInstanceOf(Call.Forwarding.class, kit.restart().state());
    assertEquals(2, recovered.attempt().attempt());
    assertEquals(2, recovered.flow().attempt());

    report(new CallProgress.Answered(trnId, 2, t.plusSeconds(4)));
    report(new CallProgress.Ended(trnId, 2, t.plusSeconds(10), HangupParty.CALLER, EndCause.NORMAL_CLEARING, 0));
    CallLogRecord rec = assertInstanceOf(Call.Ended.class, kit.getState()).record();
    assertEquals(DialStatus.NORMAL, rec.dialStatus());
    assertEquals(6, rec.talkingSec());
    assertEquals("+81322222222", rec.forwardTo().e164(), "the destination that answered");
    assertEquals(Map.of("flow_version", "3", "flow_path", "hours>away>sales", "outside_hours", "false",
        "fwd_attempts", "2"), rec.logvars());
  }

  @Test
  void numbersWithoutADocumentKeepTheSkeletonsBehaviour() {
    var result = kit.<StatusReply<RouteDecision>>runCommand(replyTo -> new Call.Start(
        CallFixtures.arrival(trnId, MONDAY_20), CallFixtures.route(), 7, gateway.getRef(), 1_234, replyTo));
    RouteDecision.Forward fwd = assertInstanceOf(RouteDecision.Forward.class, result.reply().getValue());
    assertEquals(1_234, fwd.ringTimeoutMillis(), "the node's ring timeout, to the millisecond");
    assertFalse(fwd.holdCallerOnFailure(), "one destination: a failure ends the call in the gateway");
    report(new CallProgress.Ended(trnId, 1, MONDAY_20.plusSeconds(5), HangupParty.CALLEE, EndCause.BUSY, 486));
    CallLogRecord rec = assertInstanceOf(Call.Ended.class, kit.getState()).record();
    assertEquals(DialStatus.BUSY, rec.dialStatus());
    assertEquals(Map.of(), rec.logvars(), "no flow, no flow logvars");
  }

  private static final CallFlow MENU = CallFlowParser.parse("""
      {"start": "menu",
       "steps": {
         "menu":    {"type": "menu", "prompt": "welcome", "digits": {"1": "sales", "2": "closed"},
                     "first_digit_timeout_sec": 1, "retries": 1, "invalid": "closed", "timeout": "closed"},
         "sales":   {"type": "forward", "targets": [{"to": "03-1111-1111", "ring_sec": 15}]},
         "closed":  {"type": "hangup", "prompt": "bye"}}}
      """);

  private RouteDecision startMenu() {
    NumberRoute r = CallFixtures.route();
    NumberRoute route = new NumberRoute(r.operatorId(), r.clientId(), r.clientName(), r.dialinId(), r.dialinName(),
        r.din(), r.forwardTo(), false, MENU, 1);
    var result = kit.<StatusReply<RouteDecision>>runCommand(replyTo -> new Call.Start(
        CallFixtures.arrival(trnId, Instant.now()), route, 9, gateway.getRef(), 30_000, replyTo));
    assertEquals(1, result.events().size(), "only the arrival: no forward yet");
    return result.reply().getValue();
  }

  @Test
  void aMenuAnswersWithMediaPlaysItsPromptAndForwardsOnTheDigit() {
    RouteDecision decision = startMenu();
    assertInstanceOf(RouteDecision.AnswerWithMedia.class, decision);
    CallInstruction.PlayPrompt play = gateway.expectMessageClass(CallInstruction.PlayPrompt.class);
    assertEquals("welcome", play.prompt());
    assertEquals("op1", play.operatorId());
    report(new CallProgress.MediaAnswered(trnId, Instant.now()));
    report(new CallProgress.PromptFinished(trnId, play.token(), Instant.now(), true));

    var digit = kit.<StatusReply<Done>>runCommand(r -> new Call.Report(
        new CallProgress.Digit(trnId, "1", 1, Instant.now()), r));
    assertEquals(2, digit.events().size(), "the digit and the forward attempt in one write");
    CallInstruction.Forward fwd = gateway.expectMessageClass(CallInstruction.Forward.class);
    assertEquals("+81311111111", fwd.destination().e164());
    assertEquals(1, fwd.attempt());
    assertTrue(kit.<StatusReply<Done>>runCommand(r -> new Call.Report(
        new CallProgress.Digit(trnId, "1", 1, Instant.now()), r)).events().isEmpty(), "the same digit report twice");

    Call.Forwarding recovered = assertInstanceOf(Call.Forwarding.class, kit.restart().state());
    assertEquals(1, recovered.attemptNumber());
    assertEquals(1, recovered.digitsSeen());
    report(new CallProgress.Answered(trnId, 1, Instant.now()));
    report(new CallProgress.Ended(trnId, 1, Instant.now().plusSeconds(3), HangupParty.CALLER,
        EndCause.NORMAL_CLEARING, 0));
    CallLogRecord rec = assertInstanceOf(Call.Ended.class, kit.getState()).record();
    assertEquals(DialStatus.NORMAL, rec.dialStatus());
    assertEquals("menu>sales", rec.logvars().get("flow_path"));
  }

  @Test
  void theFirstDigitTimeoutReplaysThePromptEvenAfterARestartThenTheHangupPromptEndsTheCall() {
    startMenu();
    CallInstruction.PlayPrompt play = gateway.expectMessageClass(CallInstruction.PlayPrompt.class);
    report(new CallProgress.MediaAnswered(trnId, Instant.now()));
    report(new CallProgress.PromptFinished(trnId, play.token(), Instant.now(), true));
    kit.restart(); // the first-digit deadline is in the journal: the restarted entity re-arms it
    CallInstruction.PlayPrompt again = gateway.expectMessageClass(CallInstruction.PlayPrompt.class,
        java.time.Duration.ofSeconds(5));
    assertEquals("welcome", again.prompt(), "retry: the menu prompt again");
    report(new CallProgress.PromptFinished(trnId, again.token(), Instant.now(), true));
    CallInstruction.PlayPrompt bye = gateway.expectMessageClass(CallInstruction.PlayPrompt.class,
        java.time.Duration.ofSeconds(5));
    assertEquals("bye", bye.prompt(), "no retries left: the timeout step");
    report(new CallProgress.PromptFinished(trnId, bye.token(), Instant.now(), true));
    CallInstruction.Release release = gateway.expectMessageClass(CallInstruction.Release.class);
    assertEquals(EndCause.FLOW_ENDED, release.cause());
    report(new CallProgress.Ended(trnId, 0, Instant.now(), HangupParty.SYSTEM, EndCause.FLOW_ENDED, 0));
    CallLogRecord rec = assertInstanceOf(Call.Ended.class, kit.getState()).record();
    assertEquals(DialStatus.INCOMPLETE, rec.dialStatus());
    assertEquals("menu>closed", rec.logvars().get("flow_path"));
  }

  private static final CallFlow QUEUE = CallFlowParser.parse("""
      {"start": "support",
       "steps": {
         "support": {"type": "queue", "queue": "support", "lines": 1, "hold_prompt": "hold", "max_wait_sec": 60,
                     "targets": [{"to": "03-3333-3333", "ring_sec": 15}], "timeout": "sorry"},
         "sorry":   {"type": "hangup"}}}
      """);

  @Test
  void aQueueOfOneLineConnectsTheSecondCallerWhenTheFirstHangsUp() {
    // the real CallQueue entity, reached through the Queues port
    String queueId = io.hankyo.node.queue.CallQueue.QueueKey.ofAdvertiser("op1", "adv1", "support-" + trnId).entityId();
    var queue = testKit.spawn(io.hankyo.node.queue.CallQueue.create(queueId));
    java.util.List<io.hankyo.node.queue.CallQueue.QueueKey> keys = new java.util.concurrent.CopyOnWriteArrayList<>();
    Call.Queues queues = (key, command) -> {
      keys.add(key);
      queue.tell(command);
    };
    NumberRoute r = CallFixtures.route();
    NumberRoute route = new NumberRoute(r.operatorId(), r.clientId(), r.clientName(), r.dialinId(), r.dialinName(),
        r.din(), r.forwardTo(), false, QUEUE, 1);
    String trnA = trnId;
    String trnB = String.format("%024x", ++counter + 0xf20000L);
    TestProbe<CallInstruction> gatewayA = gateway;
    TestProbe<CallInstruction> gatewayB = testKit.createTestProbe();
    var deps = new Call.Dependencies(new CallOutcomes(CallCharges.defaults()), writer, 4, queues);
    var callA = testKit.spawn(Call.create(trnA, deps, null));
    var callB = testKit.spawn(Call.create(trnB, deps, null));
    TestProbe<StatusReply<RouteDecision>> decisions = testKit.createTestProbe();
    TestProbe<StatusReply<Done>> acks = testKit.createTestProbe();

    callA.tell(new Call.Start(CallFixtures.arrival(trnA, Instant.now()), route, 1, gatewayA.getRef(), 30_000,
        decisions.getRef()));
    assertInstanceOf(RouteDecision.AnswerWithMedia.class, decisions.receiveMessage().getValue());
    CallInstruction.Forward fwdA = gatewayA.expectMessageClass(CallInstruction.Forward.class);
    assertEquals("+81333333333", fwdA.destination().e164(), "a free line: A is forwarded at once");

    callB.tell(new Call.Start(CallFixtures.arrival(trnB, Instant.now()), route, 2, gatewayB.getRef(), 30_000,
        decisions.getRef()));
    assertInstanceOf(RouteDecision.AnswerWithMedia.class, decisions.receiveMessage().getValue());
    gatewayB.expectMessageClass(CallInstruction.AnswerWithMedia.class); // already answered: the gateway ignores it
    CallInstruction.PlayPrompt hold = gatewayB.expectMessageClass(CallInstruction.PlayPrompt.class);
    assertEquals("hold", hold.prompt());
    assertTrue(hold.loop(), "B waits, hearing the hold prompt in a loop");

    callA.tell(new Call.Report(new CallProgress.Answered(trnA, 1, Instant.now()), acks.getRef()));
    acks.receiveMessage();
    gatewayB.expectNoMessage(java.time.Duration.ofMillis(300));
    callA.tell(new Call.Report(new CallProgress.Ended(trnA, 1, Instant.now().plusSeconds(2), HangupParty.CALLER,
        EndCause.NORMAL_CLEARING, 0), acks.getRef()));
    acks.receiveMessage();

    CallInstruction.Forward fwdB = gatewayB.expectMessageClass(CallInstruction.Forward.class,
        java.time.Duration.ofSeconds(5));
    assertEquals("+81333333333", fwdB.destination().e164(), "A's line went to B");
    assertTrue(keys.stream().allMatch(k -> k.equals(new io.hankyo.node.queue.CallQueue.QueueKey(r.operatorId(),
        r.clientId(), null, "support"))), "the advertiser's queue, named by the flow: " + keys);
  }

  @Test
  void aWaitingCallerHearsTheirPositionThenTheHoldPrompt() {
    CallFlow announcing = CallFlowParser.parse("""
        {"start": "support", "steps": {
          "support": {"type": "queue", "queue": "support", "lines": 1, "hold_prompt": "hold", "max_wait_sec": 60,
                      "announce_position": true, "targets": [{"to": "03-3333-3333", "ring_sec": 15}],
                      "timeout": "sorry"},
          "sorry": {"type": "hangup"}}}""");
    String queueId = io.hankyo.node.queue.CallQueue.QueueKey.ofAdvertiser("op1", "adv1", "announce-" + trnId)
        .entityId();
    var queue = testKit.spawn(io.hankyo.node.queue.CallQueue.create(queueId));
    Call.Queues queues = (key, command) -> queue.tell(command);
    NumberRoute r = CallFixtures.route();
    NumberRoute route = new NumberRoute(r.operatorId(), r.clientId(), r.clientName(), r.dialinId(), r.dialinName(),
        r.din(), r.forwardTo(), false, announcing, 1);
    String trnA = trnId;
    String trnB = String.format("%024x", ++counter + 0xf30000L);
    TestProbe<CallInstruction> gatewayA = gateway;
    TestProbe<CallInstruction> gatewayB = testKit.createTestProbe();
    var deps = new Call.Dependencies(new CallOutcomes(CallCharges.defaults()), writer, 4, queues);
    var callA = testKit.spawn(Call.create(trnA, deps, null));
    var callB = testKit.spawn(Call.create(trnB, deps, null));
    TestProbe<StatusReply<RouteDecision>> decisions = testKit.createTestProbe();
    TestProbe<StatusReply<Done>> acks = testKit.createTestProbe();

    callA.tell(new Call.Start(CallFixtures.arrival(trnA, Instant.now()), route, 1, gatewayA.getRef(), 30_000,
        decisions.getRef()));
    decisions.receiveMessage();
    gatewayA.expectMessageClass(CallInstruction.Forward.class);
    callB.tell(new Call.Start(CallFixtures.arrival(trnB, Instant.now()), route, 2, gatewayB.getRef(), 30_000,
        decisions.getRef()));
    decisions.receiveMessage();
    gatewayB.expectMessageClass(CallInstruction.AnswerWithMedia.class);
    CallInstruction.PlayPrompt position = gatewayB.expectMessageClass(CallInstruction.PlayPrompt.class);
    assertEquals("queue-position-1", position.prompt(), "B is told it is next");
    assertFalse(position.loop());
    assertEquals(r.operatorId(), position.operatorId());

    // the announcement ends: the hold prompt loops
    callB.tell(new Call.Report(new CallProgress.PromptFinished(trnB, position.token(), Instant.now(), true), acks.getRef()));
    acks.receiveMessage();
    CallInstruction.PlayPrompt hold = gatewayB.expectMessageClass(CallInstruction.PlayPrompt.class);
    assertEquals("hold", hold.prompt());
    assertTrue(hold.loop());
  }

  @Test
  void aQueueIsTheAdvertisersUnlessItsScopeIsTheNumber() {
    NumberRoute r = CallFixtures.route();
    CallFlow perNumber = CallFlowParser.parse("""
        {"start": "q", "steps": {
          "q": {"type": "queue", "queue": "support", "scope": "number", "lines": 1, "hold_prompt": "hold",
                "targets": [{"to": "03-3333-3333"}], "timeout": "bye"},
          "bye": {"type": "hangup"}}}""");
    NumberRoute numberRoute = new NumberRoute(r.operatorId(), r.clientId(), r.clientName(), r.dialinId(),
        r.dialinName(), r.din(), r.forwardTo(), false, perNumber, 1);
    assertEquals(new io.hankyo.node.queue.CallQueue.QueueKey(r.operatorId(), r.clientId(), r.dialinId(), "support"),
        Call.queueKey(numberRoute, "support"));
    NumberRoute advertiserRoute = new NumberRoute(r.operatorId(), r.clientId(), r.clientName(), r.dialinId(),
        r.dialinName(), r.din(), r.forwardTo(), false, QUEUE, 1);
    assertEquals(io.hankyo.node.queue.CallQueue.QueueKey.ofAdvertiser(r.operatorId(), r.clientId(), "support"),
        Call.queueKey(advertiserRoute, "support"));
  }
}
