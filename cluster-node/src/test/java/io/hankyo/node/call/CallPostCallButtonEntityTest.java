package io.hankyo.node.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.call.CallInstruction;
import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.judgment.JudgmentRules;
import io.hankyo.protocol.judgment.JudgmentRulesParser;
import java.time.Duration;
import java.time.Instant;
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
 * The post-call button (issue 4, docs/judgment.md) in the Call entity: the key the gateway reports in {@link
 * CallProgress.Ended#postCallDigit()} goes into {@code logvars.post_call_digit} and decides the judgment over the
 * seconds threshold (EventSourcedBehaviorTestKit: serialization and recovery of every event).
 */
class CallPostCallButtonEntityTest {
  private static final ActorTestKit testKit = ActorTestKit.create(CallFixtures.TESTKIT_CONFIG);
  private static int counter;

  /** 60 s needed; the button: 1 valid, 2 invalid. */
  private static final JudgmentRules RULES = JudgmentRulesParser.parse("""
      {"min_talk_sec": 60,
       "post_call_button": {"prompt": "rate-call", "timeout_sec": 5, "valid_digits": ["1"],
                            "invalid_digits": ["2"]}}""");

  private String trnId;
  private TestProbe<CallInstruction> gateway;
  private EventSourcedBehaviorTestKit<Call.Command, Call.Event, Call.State> kit;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    trnId = String.format("%024x", ++counter + 0x7e1000L);
    gateway = testKit.createTestProbe();
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), Call.create(trnId, new Call.Dependencies(
        new CallOutcomes(CallCharges.defaults()), new CallFixtures.RecordingWriter(), 4, Call.Queues.NONE,
        OpenCalls.NONE, new CallJudgmentEntityTest.FakeHistory(), Duration.ofSeconds(2)), null));
  }

  @AfterEach
  void clear() {
    kit.clear();
  }

  private void start(Instant t) {
    NumberRoute r = CallFixtures.route();
    NumberRoute route = new NumberRoute(r.operatorId(), r.clientId(), r.clientName(), r.dialinId(), r.dialinName(),
        r.din(), r.forwardTo(), false, null, 0, RULES, 2);
    var reply = kit.<StatusReply<io.hankyo.protocol.call.RouteDecision>>runCommand(replyTo -> new Call.Start(
        CallFixtures.arrival(trnId, t), route, 1, gateway.getRef(), 30_000, replyTo));
    assertTrue(reply.reply().isSuccess());
  }

  private StatusReply<Done> report(CallProgress p) {
    return kit.<StatusReply<Done>>runCommand(replyTo -> new Call.Report(p, replyTo)).reply();
  }

  /** Answered at {@code t + 1 s}; {@code end} reported; returns the persisted record. */
  private CallLogRecord call(Instant t, CallProgress.Ended end) {
    start(t);
    assertTrue(report(new CallProgress.Answered(trnId, 1, t.plusSeconds(1))).isSuccess());
    assertTrue(report(end).isSuccess());
    return assertInstanceOf(Call.Ended.class, kit.getState()).record();
  }

  @Test
  void keyOneMakesAShortCallValidAndTalkTimeEndsWhenTheCallerHungUp() {
    Instant t = Instant.now().minusSeconds(60);
    CallLogRecord rec = call(t, new CallProgress.Ended(trnId, 1, t.plusSeconds(11), HangupParty.CALLER,
        EndCause.NORMAL_CLEARING, 0, "1"));
    assertEquals("1", rec.logvars().get("post_call_digit"));
    assertEquals("有効", rec.logvars().get("valid_res"));
    assertEquals("valid", rec.logvars().get("valid_code"));
    assertEquals(10, rec.talkingSec(), "talk time ends at the caller's hang-up, not after the button");
    assertEquals(HangupParty.CALLER, rec.hangupParty(), "hup_usr: 発信者");
    // a second report of the same end changes nothing; recovery gives the same record
    assertTrue(report(new CallProgress.Ended(trnId, 1, t.plusSeconds(11), HangupParty.CALLER,
        EndCause.NORMAL_CLEARING, 0, "1")).isSuccess());
    assertEquals(rec, assertInstanceOf(Call.Ended.class, kit.restart().state()).record());
  }

  @Test
  void keyTwoMakesALongCallInvalidByTheButton() {
    Instant t = Instant.now().minusSeconds(200);
    CallLogRecord rec = call(t, new CallProgress.Ended(trnId, 1, t.plusSeconds(121), HangupParty.CALLER,
        EndCause.NORMAL_CLEARING, 0, "2"));
    assertEquals("2", rec.logvars().get("post_call_digit"));
    assertEquals("無効(ボタン)", rec.logvars().get("valid_res"));
    assertEquals("invalid_button", rec.logvars().get("valid_code"));
  }

  @Test
  void noKeyInTimeLeavesTheOtherRulesToDecide() {
    Instant t = Instant.now().minusSeconds(60);
    CallLogRecord rec = call(t, new CallProgress.Ended(trnId, 1, t.plusSeconds(11), HangupParty.CALLER,
        EndCause.NORMAL_CLEARING, 0, null));
    assertFalse(rec.logvars().containsKey("post_call_digit"));
    assertEquals("無効(未満)", rec.logvars().get("valid_res"), "10 s of talk, 60 s needed");
    assertEquals(HangupParty.CALLER, rec.hangupParty());
  }

  @Test
  void theCalleeHangingUpFirstHasNoButton() {
    Instant t = Instant.now().minusSeconds(200);
    CallLogRecord rec = call(t, new CallProgress.Ended(trnId, 1, t.plusSeconds(91), HangupParty.CALLEE,
        EndCause.NORMAL_CLEARING, 0));
    assertFalse(rec.logvars().containsKey("post_call_digit"));
    assertEquals("有効", rec.logvars().get("valid_res"), "90 s of talk");
    assertEquals(HangupParty.CALLEE, rec.hangupParty());
  }
}
