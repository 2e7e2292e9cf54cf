package io.hankyo.node.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.node.queue.CallQueue;
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
import org.apache.pekko.actor.typed.ActorRef;
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
      assertEquals(null, rec.forwardTo(), "no destination was tried: no fwd_id");
      assertEquals(Map.of("flow_version", "3", "flow_path", "hours>closed", "outside_hours", "true",
          "fwd_attempts", "0", "calling_sec_total", "0"), rec.logvars());
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
    Map<String, String> vars = new java.util.HashMap<>(rec.logvars());
    assertTrue(vars.remove("calling_sec_total") != null, "timed in sequentialRingingIsTotalledInLogvars");
    assertEquals(Map.of("flow_version", "3", "flow_path", "hours>away>sales", "outside_hours", "false",
        "fwd_attempts", "2"), vars);
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

  /** Two calls of one number in a real one-line CallQueue entity: A holds the line (forwarded), B has arrived. */
  private record TwoCallers(
      NumberRoute route,
      String trnA,
      String trnB,
      org.apache.pekko.actor.typed.ActorRef<Call.Command> callA,
      org.apache.pekko.actor.typed.ActorRef<Call.Command> callB,
      TestProbe<CallInstruction> gatewayA,
      TestProbe<CallInstruction> gatewayB,
      TestProbe<StatusReply<RouteDecision>> decisions,
      TestProbe<StatusReply<Done>> acks,
      List<io.hankyo.node.queue.CallQueue.QueueKey> keys) {}

  /**
   * Starts call A (a free line: forwarded at once, checked) and then call B of a number whose flow is {@code flow}, both
   * reaching the real CallQueue entity through the Queues port (which records the keys it was asked for).
   */
  private TwoCallers twoCallersInAQueue(CallFlow flow, long trnBase) {
    String queueId = io.hankyo.node.queue.CallQueue.QueueKey.ofAdvertiser("op1", "adv1", "q-" + trnId).entityId();
    var queue = testKit.spawn(io.hankyo.node.queue.CallQueue.create(queueId));
    List<io.hankyo.node.queue.CallQueue.QueueKey> keys = new java.util.concurrent.CopyOnWriteArrayList<>();
    Call.Queues queues = (key, command) -> {
      keys.add(key);
      queue.tell(command);
    };
    NumberRoute r = CallFixtures.route();
    NumberRoute route = new NumberRoute(r.operatorId(), r.clientId(), r.clientName(), r.dialinId(), r.dialinName(),
        r.din(), r.forwardTo(), false, flow, 1);
    String trnA = trnId;
    String trnB = String.format("%024x", ++counter + trnBase);
    TestProbe<CallInstruction> gatewayB = testKit.createTestProbe();
    var deps = new Call.Dependencies(new CallOutcomes(CallCharges.defaults()), writer, 4, queues);
    var callA = testKit.spawn(Call.create(trnA, deps, null));
    var callB = testKit.spawn(Call.create(trnB, deps, null));
    TestProbe<StatusReply<RouteDecision>> decisions = testKit.createTestProbe();
    TestProbe<StatusReply<Done>> acks = testKit.createTestProbe();

    callA.tell(new Call.Start(CallFixtures.arrival(trnA, Instant.now()), route, 1, gateway.getRef(), 30_000,
        decisions.getRef()));
    assertInstanceOf(RouteDecision.Hold.class, decisions.receiveMessage().getValue(),
        "the queue is asked before the caller is answered");
    CallInstruction.Forward fwdA = gateway.expectMessageClass(CallInstruction.Forward.class);
    assertEquals("+81333333333", fwdA.destination().e164(), "a free line: A is forwarded at once, unanswered");

    callB.tell(new Call.Start(CallFixtures.arrival(trnB, Instant.now()), route, 2, gatewayB.getRef(), 30_000,
        decisions.getRef()));
    assertInstanceOf(RouteDecision.Hold.class, decisions.receiveMessage().getValue());
    gatewayB.expectMessageClass(CallInstruction.AnswerWithMedia.class); // all lines busy: B is answered to wait
    return new TwoCallers(route, trnA, trnB, callA, callB, gateway, gatewayB, decisions, acks, keys);
  }

  @Test
  void aQueueOfOneLineConnectsTheSecondCallerWhenTheFirstHangsUp() {
    TwoCallers t = twoCallersInAQueue(QUEUE, 0xf20000L);
    CallInstruction.PlayPrompt hold = t.gatewayB().expectMessageClass(CallInstruction.PlayPrompt.class);
    assertEquals("hold", hold.prompt());
    assertTrue(hold.loop(), "B waits, hearing the hold prompt in a loop");

    t.callA().tell(new Call.Report(new CallProgress.Answered(t.trnA(), 1, Instant.now()), t.acks().getRef()));
    t.acks().receiveMessage();
    t.gatewayB().expectNoMessage(java.time.Duration.ofMillis(300));
    t.callA().tell(new Call.Report(new CallProgress.Ended(t.trnA(), 1, Instant.now().plusSeconds(2),
        HangupParty.CALLER, EndCause.NORMAL_CLEARING, 0), t.acks().getRef()));
    t.acks().receiveMessage();

    CallInstruction.Forward fwdB = t.gatewayB().expectMessageClass(CallInstruction.Forward.class,
        java.time.Duration.ofSeconds(5));
    assertEquals("+81333333333", fwdB.destination().e164(), "A's line went to B");
    NumberRoute r = t.route();
    assertTrue(t.keys().stream().allMatch(k -> k.equals(new io.hankyo.node.queue.CallQueue.QueueKey(r.operatorId(),
        r.clientId(), null, "support"))), "the advertiser's queue, named by the flow: " + t.keys());
  }

  @Test
  void aWaitingCallerHearsTheirPositionThenTheHoldPrompt() {
    CallFlow announcing = CallFlowParser.parse("""
        {"start": "support", "steps": {
          "support": {"type": "queue", "queue": "support", "lines": 1, "hold_prompt": "hold", "max_wait_sec": 60,
                      "announce_position": true, "targets": [{"to": "03-3333-3333", "ring_sec": 15}],
                      "timeout": "sorry"},
          "sorry": {"type": "hangup"}}}""");
    TwoCallers t = twoCallersInAQueue(announcing, 0xf30000L);
    NumberRoute r = t.route();
    TestProbe<CallInstruction> gatewayB = t.gatewayB();
    String trnB = t.trnB();
    var callB = t.callB();
    var acks = t.acks();
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

  // ---------------------------------------------------------------- call log (issue 3, "Call log")

  private NumberRoute routeWith(CallFlow flow) {
    NumberRoute r = CallFixtures.route();
    return new NumberRoute(r.operatorId(), r.clientId(), r.clientName(), r.dialinId(), r.dialinName(), r.din(),
        r.forwardTo(), false, flow, 5);
  }

  private static final CallFlow THREE = CallFlowParser.parse("""
      {"start": "sales",
       "steps": {
         "sales": {"type": "forward", "targets": [{"to": "03-1111-1111", "ring_sec": 15},
                   {"to": "03-2222-2222", "ring_sec": 20}, {"to": "03-3333-3333", "ring_sec": 30}]}}}
      """);

  /** The next instruction of {@code type} to the gateway, skipping others (answer, prompts, stops). */
  private <T extends CallInstruction> T next(Class<T> type) {
    for (int i = 0; i < 20; i++) {
      CallInstruction m = gateway.receiveMessage(java.time.Duration.ofSeconds(3));
      if (type.isInstance(m)) {
        return type.cast(m);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " to the gateway");
  }

  private Call.ForwardAttemptStarted startedIn(List<Call.Event> events) {
    return events.stream().filter(e -> e instanceof Call.ForwardAttemptStarted)
        .map(e -> (Call.ForwardAttemptStarted) e).findFirst().orElseThrow();
  }

  @Test
  void sequentialRingingIsTotalledInLogvarsWhileCallingSecIsTheRingingOfTheDestinationThatAnswered() {
    Instant arrived = Instant.now();
    var first = kit.<StatusReply<RouteDecision>>runCommand(replyTo -> new Call.Start(
        CallFixtures.arrival(trnId, arrived), routeWith(THREE), 7, gateway.getRef(), 30_000, replyTo));
    Call.ForwardAttemptStarted a1 = startedIn(first.events());
    // busy after 5 s, no answer after 20 s (across a restart), the third answers after 3 s and talks 10 s
    var busy = kit.<StatusReply<Done>>runCommand(r -> new Call.Report(
        new CallProgress.LegFailed(trnId, 1, a1.startedAt().plusSeconds(5), EndCause.BUSY, 486), r));
    Call.ForwardAttemptStarted a2 = startedIn(busy.events());
    kit.restart();
    var noAnswer = kit.<StatusReply<Done>>runCommand(r -> new Call.Report(
        new CallProgress.LegFailed(trnId, 2, a2.startedAt().plusSeconds(20), EndCause.NO_ANSWER, 0), r));
    Call.ForwardAttemptStarted a3 = startedIn(noAnswer.events());
    assertEquals(3, a3.attempt());
    kit.restart();
    Call.Forwarding recovered = assertInstanceOf(Call.Forwarding.class, kit.getState());
    assertEquals(25_000, recovered.failedRingMillis(), "rebuilt from the journal");
    report(new CallProgress.Answered(trnId, 3, a3.startedAt().plusSeconds(3)));
    kit.restart();
    report(new CallProgress.Ended(trnId, 3, a3.startedAt().plusSeconds(13), HangupParty.CALLER,
        EndCause.NORMAL_CLEARING, 0));
    CallLogRecord rec = assertInstanceOf(Call.Ended.class, kit.getState()).record();
    assertEquals(DialStatus.NORMAL, rec.dialStatus());
    assertEquals("+81333333333", rec.forwardTo().e164(), "fwd_id: the destination that answered");
    assertEquals(3, rec.callingSec(), "the ringing of the destination that answered");
    assertEquals("28", rec.logvars().get("calling_sec_total"), "5 + 20 + 3");
    assertEquals(10, rec.talkingSec(), "from the destination's answer");
    assertEquals(a3.startedAt().plusSeconds(3), rec.answeredAt());
    assertEquals("3", rec.logvars().get("fwd_attempts"));
    assertEquals("sales", rec.logvars().get("flow_path"));
    assertFalse(rec.logvars().containsKey("ivr_digits"), "no menu in the flow");
    assertFalse(rec.logvars().containsKey("queue_wait_sec"), "no queue in the flow");
  }

  private static final CallFlow FAILING = CallFlowParser.parse("""
      {"start": "sales",
       "steps": {
         "sales": {"type": "forward", "targets": [{"to": "03-1111-1111", "ring_sec": 15},
                   {"to": "03-2222-2222", "ring_sec": 20}], "failed": "sorry"},
         "sorry": {"type": "hangup"}}}
      """);

  @Test
  void whenTheGatewayEndsTheCallAfterTheLastLegFailedThePathEndsWithTheFailedStep() {
    var first = kit.<StatusReply<RouteDecision>>runCommand(replyTo -> new Call.Start(
        CallFixtures.arrival(trnId, Instant.now()), routeWith(FAILING), 7, gateway.getRef(), 30_000, replyTo));
    Call.ForwardAttemptStarted a1 = startedIn(first.events());
    var busy = kit.<StatusReply<Done>>runCommand(r -> new Call.Report(
        new CallProgress.LegFailed(trnId, 1, a1.startedAt().plusSeconds(4), EndCause.BUSY, 486), r));
    Call.ForwardAttemptStarted a2 = startedIn(busy.events());
    CallInstruction.Forward next = gateway.expectMessageClass(CallInstruction.Forward.class);
    assertFalse(next.holdCallerOnFailure(), "a failed step without prompt just hangs up: the gateway ends the call");
    kit.restart();
    // the gateway gives up on the second leg itself (no answer) and reports the end, not a LegFailed
    report(new CallProgress.Ended(trnId, 2, a2.startedAt().plusSeconds(20), HangupParty.SYSTEM,
        EndCause.NO_ANSWER, 0));
    CallLogRecord rec = assertInstanceOf(Call.Ended.class, kit.getState()).record();
    assertEquals(DialStatus.INCOMPLETE, rec.dialStatus());
    assertEquals("sales>sorry", rec.logvars().get("flow_path"));
    assertEquals("2", rec.logvars().get("fwd_attempts"));
    assertEquals(20, rec.callingSec(), "the last destination's ringing");
    assertEquals("24", rec.logvars().get("calling_sec_total"));
  }

  private static final CallFlow FAILING_WITH_PROMPT = CallFlowParser.parse("""
      {"start": "sales",
       "steps": {
         "sales": {"type": "forward", "targets": [{"to": "03-1111-1111", "ring_sec": 15}], "failed": "sorry"},
         "sorry": {"type": "hangup", "prompt": "sorry"}}}
      """);

  @Test
  void callingSecStopsWhenTheLastLegFailsNotWhenTheGuidanceAfterItEnds() {
    var first = kit.<StatusReply<RouteDecision>>runCommand(replyTo -> new Call.Start(
        CallFixtures.arrival(trnId, Instant.now()), routeWith(FAILING_WITH_PROMPT), 7, gateway.getRef(), 30_000,
        replyTo));
    Call.ForwardAttemptStarted a1 = startedIn(first.events());
    assertTrue(((RouteDecision.Forward) first.reply().getValue()).holdCallerOnFailure());
    Instant failedAt = a1.startedAt().plusSeconds(15);
    report(new CallProgress.LegFailed(trnId, 1, failedAt, EndCause.NO_ANSWER, 0));
    CallInstruction.PlayPrompt sorry = next(CallInstruction.PlayPrompt.class);
    kit.restart();
    report(new CallProgress.PromptFinished(trnId, sorry.token(), failedAt.plusSeconds(8), true));
    gateway.expectMessageClass(CallInstruction.Release.class);
    report(new CallProgress.Ended(trnId, 1, failedAt.plusSeconds(8), HangupParty.SYSTEM, EndCause.NO_ANSWER, 0));
    CallLogRecord rec = assertInstanceOf(Call.Ended.class, kit.getState()).record();
    assertEquals(15, rec.callingSec(), "the guidance after the failure is not ringing");
    assertEquals("15", rec.logvars().get("calling_sec_total"));
    assertEquals("sales>sorry", rec.logvars().get("flow_path"));
  }

  private static final CallFlow TWO_MENUS = CallFlowParser.parse("""
      {"start": "main",
       "steps": {
         "main":  {"type": "menu", "prompt": "welcome", "digits": {"1": "sub", "2": "bye"}, "retries": 1,
                   "invalid": "bye", "timeout": "bye"},
         "sub":   {"type": "menu", "prompt": "code", "digits": {"23": "sales"}, "terminator": "#",
                   "max_digits": 4, "invalid": "bye", "timeout": "bye"},
         "sales": {"type": "forward", "targets": [{"to": "03-1111-1111", "ring_sec": 15}]},
         "bye":   {"type": "hangup"}}}
      """);

  private void startTwoMenus(Instant at) {
    var result = kit.<StatusReply<RouteDecision>>runCommand(replyTo -> new Call.Start(
        CallFixtures.arrival(trnId, at), routeWith(TWO_MENUS), 7, gateway.getRef(), 30_000, replyTo));
    assertInstanceOf(RouteDecision.AnswerWithMedia.class, result.reply().getValue());
  }

  private void digit(String d, int seq, Instant at) {
    report(new CallProgress.Digit(trnId, d, seq, at));
  }

  @Test
  void theDigitsPressedInMenusAreLoggedPerInputInOrderAcrossARestart() {
    Instant t = Instant.now();
    startTwoMenus(t);
    CallInstruction.PlayPrompt welcome = gateway.expectMessageClass(CallInstruction.PlayPrompt.class);
    report(new CallProgress.MediaAnswered(trnId, t));
    report(new CallProgress.PromptFinished(trnId, welcome.token(), t.plusSeconds(3), true));
    digit("9", 1, t.plusSeconds(4)); // invalid: the prompt again
    digit("9", 1, t.plusSeconds(4)); // the same report twice counts once
    digit("1", 2, t.plusSeconds(5)); // barge-in on the replayed prompt
    kit.restart();
    digit("2", 3, t.plusSeconds(7));
    digit("3", 4, t.plusSeconds(8));
    digit("#", 5, t.plusSeconds(9)); // the terminator: 23 is the key, the forward starts
    assertEquals(1, next(CallInstruction.Forward.class).attempt());
    kit.restart();
    report(new CallProgress.Answered(trnId, 1, t.plusSeconds(12)));
    report(new CallProgress.Ended(trnId, 1, t.plusSeconds(20), HangupParty.CALLEE, EndCause.NORMAL_CLEARING, 0));
    CallLogRecord rec = assertInstanceOf(Call.Ended.class, kit.getState()).record();
    assertEquals("9,1,23", rec.logvars().get("ivr_digits"));
    assertEquals("main>sub>sales", rec.logvars().get("flow_path"));
    assertEquals(8, rec.talkingSec(), "IVR is not talk: from the destination's answer");
    assertEquals(20, rec.connSec(), "from the arrival, IVR included");
  }

  @Test
  void aCallerWhoHangsUpWhileTypingIsLoggedWithTheKeysSoFarAndThePathToTheMenu() {
    Instant t = Instant.now();
    startTwoMenus(t);
    gateway.expectMessageClass(CallInstruction.PlayPrompt.class);
    report(new CallProgress.MediaAnswered(trnId, t));
    digit("1", 1, t.plusSeconds(1));
    digit("2", 2, t.plusSeconds(2));
    kit.restart();
    report(new CallProgress.Ended(trnId, 0, t.plusSeconds(6), HangupParty.CALLER, EndCause.NORMAL_CLEARING, 0));
    CallLogRecord rec = assertInstanceOf(Call.Ended.class, kit.getState()).record();
    assertEquals("1,2", rec.logvars().get("ivr_digits"));
    assertEquals("main>sub", rec.logvars().get("flow_path"));
    assertEquals(DialStatus.INCOMPLETE, rec.dialStatus());
    assertEquals(HangupParty.CALLER, rec.hangupParty());
    assertEquals(0, rec.talkingSec());
    assertEquals(6, rec.connSec(), "guidance and IVR count");
    assertEquals("0", rec.logvars().get("calling_sec_total"));
  }

  private static final CallFlow QUEUED = CallFlowParser.parse("""
      {"start": "support",
       "steps": {
         "support": {"type": "queue", "queue": "support", "lines": 1, "hold_prompt": "hold", "max_wait_sec": 120,
                     "targets": [{"to": "03-3333-3333", "ring_sec": 15}], "timeout": "sorry"},
         "sorry":   {"type": "hangup"}}}
      """);

  /** A Call entity whose queue steps reach a test double: the test answers for the queue. */
  private EventSourcedBehaviorTestKit<Call.Command, Call.Event, Call.State> queueKit(
      List<CallQueue.Command> told) {
    Call.Queues queues = (key, command) -> told.add(command);
    return EventSourcedBehaviorTestKit.create(testKit.system(), Call.create(trnId,
        new Call.Dependencies(new CallOutcomes(CallCharges.defaults()), writer, 4, queues), null));
  }

  /** Starts a call to QUEUED; returns where the queue (the test) sends its notifications. */
  private ActorRef<CallQueue.Notification> startQueued(Instant at, List<CallQueue.Command> told) {
    var result = kit.<StatusReply<RouteDecision>>runCommand(replyTo -> new Call.Start(
        CallFixtures.arrival(trnId, at), routeWith(QUEUED), 7, gateway.getRef(), 30_000, replyTo));
    assertInstanceOf(RouteDecision.Hold.class, result.reply().getValue());
    CallQueue.Enter enter = told.stream().filter(c -> c instanceof CallQueue.Enter).map(c -> (CallQueue.Enter) c)
        .findFirst().orElseThrow();
    // all lines busy: the caller waits at position 2 (hold prompt)
    enter.caller().tell(new CallQueue.PositionChanged("op1|support", trnId, 2, at.plusMillis(100)));
    assertEquals("hold", next(CallInstruction.PlayPrompt.class).prompt());
    return enter.caller();
  }

  @Test
  void theQueueWaitRunsFromEnteringTheQueueToTheLine() {
    kit.clear();
    List<CallQueue.Command> told = new java.util.concurrent.CopyOnWriteArrayList<>();
    kit = queueKit(told);
    Instant t = Instant.now();
    ActorRef<CallQueue.Notification> queue = startQueued(t, told);
    queue.tell(new CallQueue.LineGranted("op1|support", trnId, t.plusSeconds(42)));
    CallInstruction.Forward fwd = next(CallInstruction.Forward.class);
    kit.restart();
    report(new CallProgress.Answered(trnId, fwd.attempt(), t.plusSeconds(50)));
    kit.restart();
    report(new CallProgress.Ended(trnId, fwd.attempt(), t.plusSeconds(80), HangupParty.CALLER,
        EndCause.NORMAL_CLEARING, 0));
    CallLogRecord rec = assertInstanceOf(Call.Ended.class, kit.getState()).record();
    assertEquals("42", rec.logvars().get("queue_wait_sec"));
    assertEquals("support", rec.logvars().get("queue"));
    assertEquals("support", rec.logvars().get("flow_path"));
    assertEquals(30, rec.talkingSec());
    assertEquals(80, rec.connSec());
  }

  @Test
  void aCallerWhoHangsUpInTheQueueWaitedUntilTheHangup() {
    kit.clear();
    List<CallQueue.Command> told = new java.util.concurrent.CopyOnWriteArrayList<>();
    kit = queueKit(told);
    Instant t = Instant.now();
    startQueued(t, told);
    kit.restart();
    report(new CallProgress.Ended(trnId, 0, t.plusSeconds(31), HangupParty.CALLER, EndCause.NORMAL_CLEARING, 0));
    CallLogRecord rec = assertInstanceOf(Call.Ended.class, kit.getState()).record();
    assertEquals("31", rec.logvars().get("queue_wait_sec"));
    assertEquals("support", rec.logvars().get("flow_path"));
    assertEquals("0", rec.logvars().get("fwd_attempts"));
    assertEquals(0, rec.callingSec());
  }

  @Test
  void aQueueTimeoutLeavesForTheFallbackStepAndLogsBoth() {
    kit.clear();
    List<CallQueue.Command> told = new java.util.concurrent.CopyOnWriteArrayList<>();
    kit = queueKit(told);
    Instant t = Instant.now();
    startQueued(t, told);
    Call.Forwarding waiting = assertInstanceOf(Call.Forwarding.class, kit.getState());
    io.hankyo.node.flow.FlowTimer wait = waiting.flow().timer(io.hankyo.node.flow.FlowTimer.Kind.QUEUE_MAX_WAIT);
    kit.runCommand(new Call.FlowTimerFired(wait.kind(), wait.token()));
    next(CallInstruction.Release.class);
    report(new CallProgress.Ended(trnId, 0, Instant.now(), HangupParty.SYSTEM, EndCause.FLOW_ENDED, 0));
    CallLogRecord rec = assertInstanceOf(Call.Ended.class, kit.getState()).record();
    assertEquals("support>sorry", rec.logvars().get("flow_path"));
    assertEquals("support", rec.logvars().get("queue"));
    assertTrue(rec.logvars().containsKey("queue_wait_sec"));
  }
}
