package io.hankyo.node.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.call.CallArrival;
import io.hankyo.protocol.call.CallInstruction;
import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.flow.CallFlow;
import io.hankyo.protocol.flow.CallFlowParser;
import io.hankyo.protocol.judgment.JudgmentRules;
import io.hankyo.protocol.judgment.JudgmentRules.Scope;
import io.hankyo.protocol.judgment.JudgmentRulesParser;
import io.hankyo.protocol.judgment.PriorCalls;
import io.hankyo.protocol.judgment.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * The valid-call judgment (成果判定, issue 4, spec section 5) applied by the Call entity when the call ends, with an
 * in-memory duplicate index (EventSourcedBehaviorTestKit: serialization and recovery of every event).
 */
class CallJudgmentEntityTest {
  private static final ActorTestKit testKit = ActorTestKit.create(CallFixtures.TESTKIT_CONFIG);
  private static int counter;

  private static final JudgmentRules DUP_NUMBER = JudgmentRulesParser.parse("""
      {"min_talk_sec": 5, "duplicate": {"scope": "number", "period_sec": 86400}}""");

  private static final CallFlow MENU = CallFlowParser.parse("""
      {"start": "menu",
       "steps": {
         "menu":  {"type": "menu", "prompt": "welcome", "digits": {"1": "sales", "9": "sales"},
                   "first_digit_timeout_sec": 30, "invalid": "bye", "timeout": "bye"},
         "sales": {"type": "forward", "targets": [{"to": "03-1111-1111", "ring_sec": 15}]},
         "bye":   {"type": "hangup"}}}
      """);

  private String trnId;
  private FakeHistory history;
  private TestProbe<CallInstruction> gateway;
  private EventSourcedBehaviorTestKit<Call.Command, Call.Event, Call.State> kit;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    trnId = String.format("%024x", ++counter + 0x7d9000L);
    history = new FakeHistory();
    gateway = testKit.createTestProbe();
    kit = kitWith(Duration.ofSeconds(2));
  }

  private EventSourcedBehaviorTestKit<Call.Command, Call.Event, Call.State> kitWith(Duration lookupTimeout) {
    return EventSourcedBehaviorTestKit.create(testKit.system(), Call.create(trnId, new Call.Dependencies(
        new CallOutcomes(CallCharges.defaults()), new CallFixtures.RecordingWriter(), 4, Call.Queues.NONE,
        OpenCalls.NONE, history, lookupTimeout), null));
  }

  @AfterEach
  void clear() {
    kit.clear();
  }

  private static NumberRoute route(JudgmentRules rules, int version, CallFlow flow) {
    NumberRoute r = CallFixtures.route();
    return new NumberRoute(r.operatorId(), r.clientId(), r.clientName(), r.dialinId(), r.dialinName(), r.din(),
        r.forwardTo(), false, flow, flow == null ? 0 : 1, rules, version);
  }

  private void start(CallArrival arrival, NumberRoute route) {
    var r = kit.<StatusReply<io.hankyo.protocol.call.RouteDecision>>runCommand(replyTo -> new Call.Start(
        arrival, route, 1, gateway.getRef(), 30_000, replyTo));
    assertTrue(r.reply().isSuccess());
  }

  private StatusReply<Done> report(CallProgress p) {
    return kit.<StatusReply<Done>>runCommand(replyTo -> new Call.Report(p, replyTo)).reply();
  }

  /** Answers at {@code at + 1 s}, ends after {@code talkSec} more seconds; returns the persisted record. */
  private CallLogRecord talk(Instant at, int talkSec) {
    assertTrue(report(new CallProgress.Answered(trnId, 1, at.plusSeconds(1))).isSuccess());
    assertTrue(report(new CallProgress.Ended(trnId, 1, at.plusSeconds(1 + talkSec), HangupParty.CALLER,
        EndCause.NORMAL_CLEARING, 0)).isSuccess(), "the end is acknowledged once persisted");
    return assertInstanceOf(Call.Ended.class, kit.getState()).record();
  }

  @Test
  void aLongEnoughFirstCallIsValidAndIsIndexedUnderTheNumberAndTheAdvertiser() {
    Instant t = Instant.now().minusSeconds(60);
    start(CallFixtures.arrival(trnId, t), route(DUP_NUMBER, 3, null));
    CallLogRecord rec = talk(t, 7);
    assertEquals("有効", rec.logvars().get("valid_res"));
    assertEquals("valid", rec.logvars().get("valid_code"));
    assertEquals("3", rec.logvars().get("judgment_version"));
    assertEquals(1, history.queries.size(), "one lookup: the rule's scope");
    PriorCalls.Query q = history.queries.get(0);
    assertEquals(Scope.NUMBER, q.scope());
    assertEquals("dn1", q.scopeKey());
    assertEquals(t.minusSeconds(86400), q.since());
    String hash = CallFixtures.arrival(trnId, t).caller().numberHash();
    assertEquals(hash, q.callerKey());
    assertEquals(List.of(
            new CallerHistory.Entry(Scope.NUMBER, "op1", "dn1", hash, t, trnId, Verdict.VALID),
            new CallerHistory.Entry(Scope.ADVERTISER, "op1", "cl1", hash, t, trnId, Verdict.VALID)),
        history.awaitEntries(2));
    // recovery after the judgment was persisted: the same record, no new lookup nor index write
    assertEquals(rec, assertInstanceOf(Call.Ended.class, kit.restart().state()).record());
    assertEquals(1, history.queries.size());
    assertEquals(2, history.entries.size());
  }

  @Test
  void theCallLogSaysWhoseRulesJudgedTheCallLikeARejudgmentDoes() {
    Instant t = Instant.now().minusSeconds(60);
    NumberRoute advertisers = route(null, 0, null).withAdvertiserJudgment(DUP_NUMBER, 5);
    assertEquals(NumberRoute.SCOPE_ADVERTISER, advertisers.judgmentScope());
    start(CallFixtures.arrival(trnId, t), advertisers);
    CallLogRecord rec = talk(t, 7);
    assertEquals("valid", rec.logvars().get("valid_code"));
    assertEquals("5", rec.logvars().get("judgment_version"));
    assertEquals("advertiser", rec.logvars().get("judgment_scope"), "judged under the advertiser's rules");
    assertEquals(rec, assertInstanceOf(Call.Ended.class, kit.restart().state()).record(), "recovers the same");

    kit.clear();
    trnId = String.format("%024x", ++counter + 0x7d9000L);
    kit = kitWith(Duration.ofSeconds(2));
    start(CallFixtures.arrival(trnId, t), route(DUP_NUMBER, 3, null));
    assertEquals("number", talk(t, 7).logvars().get("judgment_scope"), "the number's own rules");
  }

  @Test
  void theLookupTimeoutIsTheSettingHankyoJudgmentLookupTimeout() {
    assertEquals(Call.Dependencies.DEFAULT_JUDGMENT_LOOKUP_TIMEOUT,
        com.typesafe.config.ConfigFactory.load().getDuration("hankyo.judgment.lookup-timeout"));
  }

  @Test
  void aShortCallIsInvalidShort() {
    Instant t = Instant.now().minusSeconds(60);
    start(CallFixtures.arrival(trnId, t), route(DUP_NUMBER, 1, null));
    CallLogRecord rec = talk(t, 4);
    assertEquals("無効(未満)", rec.logvars().get("valid_res"));
    assertEquals("invalid_short", rec.logvars().get("valid_code"));
    assertEquals(2, history.awaitEntries(2).size(), "short calls are earlier calls too (earlier_calls: connected)");
  }

  @Test
  void theSameCallerAcrossMidnightJstWithinThePeriodIsADuplicate() {
    Instant t = Instant.parse("2026-11-29T15:00:30Z"); // 00:00:30 JST
    String hash = CallFixtures.arrival(trnId, t).caller().numberHash();
    history.entries.add(new CallerHistory.Entry(Scope.NUMBER, "op1", "dn1", hash,
        Instant.parse("2026-11-29T14:59:30Z"), "earlier0000000000000001", Verdict.VALID)); // 23:59:30 JST
    history.entries.add(new CallerHistory.Entry(Scope.NUMBER, "op1", "dn1", "another-caller",
        t.minusSeconds(10), "other000000000000000001", Verdict.VALID));
    start(CallFixtures.arrival(trnId, t), route(DUP_NUMBER, 2, null));
    CallLogRecord rec = talk(t, 30);
    assertEquals("無効(重複)", rec.logvars().get("valid_res"));
    assertEquals("invalid_duplicate", rec.logvars().get("valid_code"));
    assertTrue(rec.logvars().get("valid_reason").contains("60 s earlier (earlier0000000000000001)"),
        rec.logvars().get("valid_reason"));
  }

  @Test
  void aWithheldCallerIsKnownByItsAssertedIdentity() {
    Instant t = Instant.now().minusSeconds(60);
    CallArrival withheld = CallFixtures.withheldArrival(trnId, t);
    history.entries.add(new CallerHistory.Entry(Scope.NUMBER, "op1", "dn1", withheld.caller().assertedHash(),
        t.minusSeconds(3600), "earlier0000000000000002", Verdict.VALID));
    start(withheld, route(DUP_NUMBER, 1, null));
    assertEquals("無効(重複)", talk(t, 30).logvars().get("valid_res"));
  }

  @Test
  void theKeyPressedInTheFlowsMenuDecidesWithTheIvrRule() {
    JudgmentRules rules = JudgmentRulesParser.parse("""
        {"min_talk_sec": 0, "ivr": [{"digits": "9", "valid": false}]}""");
    Instant t = Instant.now();
    start(CallFixtures.arrival(trnId, t), route(rules, 4, MENU));
    CallInstruction.PlayPrompt welcome = gateway.expectMessageClass(CallInstruction.PlayPrompt.class);
    report(new CallProgress.MediaAnswered(trnId, t));
    report(new CallProgress.PromptFinished(trnId, welcome.token(), t.plusMillis(500), true));
    report(new CallProgress.Digit(trnId, "9", 1, t.plusSeconds(1)));
    gateway.expectMessageClass(CallInstruction.Forward.class);
    CallLogRecord rec = talk(t, 40);
    assertEquals("9", rec.logvars().get("ivr_digits"));
    assertEquals("無効(IVR)", rec.logvars().get("valid_res"));
    assertEquals("invalid_ivr", rec.logvars().get("valid_code"));
    assertTrue(history.queries.isEmpty(), "no duplicate rule: no lookup");
    assertTrue(history.entries.isEmpty(), "no duplicate rule: no index write");
  }

  @Test
  void aNumberWithoutRulesGetsNoJudgmentAndNoIndexTraffic() {
    Instant t = Instant.now().minusSeconds(60);
    start(CallFixtures.arrival(trnId, t), route(null, 0, null));
    CallLogRecord rec = talk(t, 30);
    assertFalse(rec.logvars().containsKey("valid_res"));
    assertFalse(rec.logvars().containsKey("valid_code"));
    assertTrue(history.queries.isEmpty());
    assertTrue(history.entries.isEmpty());
  }

  @Test
  void aCallThatNeverConnectedHasNoJudgment() {
    Instant t = Instant.now().minusSeconds(60);
    start(CallFixtures.arrival(trnId, t), route(DUP_NUMBER, 1, null));
    assertTrue(report(new CallProgress.Ended(trnId, 1, t.plusSeconds(20), HangupParty.CALLER,
        EndCause.CALLER_CANCELLED, 487)).isSuccess());
    CallLogRecord rec = assertInstanceOf(Call.Ended.class, kit.getState()).record();
    assertNull(rec.logvars().get("valid_res"));
    assertTrue(history.queries.isEmpty());
    assertTrue(history.entries.isEmpty());
  }

  @Test
  void aFailedLookupJudgesWithoutTheDuplicateRuleAndSaysSo() {
    history.failWith = new IllegalStateException("cassandra down");
    Instant t = Instant.now().minusSeconds(60);
    start(CallFixtures.arrival(trnId, t), route(DUP_NUMBER, 1, null));
    CallLogRecord rec = talk(t, 30);
    assertEquals("有効", rec.logvars().get("valid_res"));
    assertTrue(rec.logvars().get("valid_reason").contains("the duplicate rule was not applied"),
        rec.logvars().get("valid_reason"));
    assertTrue(rec.logvars().get("valid_reason").contains("cassandra down"));
  }

  @Test
  void aLookupThatNeverAnswersDelaysTheEndByTheTimeoutOnlyAndCommandsMeanwhileAreServed() {
    kit.clear();
    kit = kitWith(Duration.ofMillis(800));
    history.hang = true;
    Instant t = Instant.now().minusSeconds(60);
    start(CallFixtures.arrival(trnId, t), route(DUP_NUMBER, 1, null));
    assertTrue(report(new CallProgress.Answered(trnId, 1, t.plusSeconds(1))).isSuccess());
    TestProbe<StatusReply<Done>> first = testKit.createTestProbe();
    TestProbe<StatusReply<Done>> second = testKit.createTestProbe();
    TestProbe<Call.State> state = testKit.createTestProbe();
    long begin = System.nanoTime();
    CallProgress.Ended end = new CallProgress.Ended(trnId, 1, t.plusSeconds(31), HangupParty.CALLER,
        EndCause.NORMAL_CLEARING, 0);
    kit.runCommand(new Call.Report(end, first.getRef()));
    kit.runCommand(new Call.Report(end, second.getRef())); // the gateway's retry while the lookup is pending
    kit.runCommand(new Call.GetState(state.getRef()));
    assertInstanceOf(Call.Connected.class, state.receiveMessage(), "nothing persisted while the lookup is pending");
    first.expectNoMessage(Duration.ofMillis(300));
    assertTrue(first.receiveMessage(Duration.ofSeconds(3)).isSuccess());
    assertTrue(second.receiveMessage(Duration.ofSeconds(1)).isSuccess(), "the retry is acknowledged after the end");
    long tookMs = (System.nanoTime() - begin) / 1_000_000;
    assertTrue(tookMs >= 700 && tookMs < 3500, "the end waited about the timeout: " + tookMs + " ms");
    CallLogRecord rec = assertInstanceOf(Call.Ended.class, kit.getState()).record();
    assertEquals("有効", rec.logvars().get("valid_res"));
    assertTrue(rec.logvars().get("valid_reason").contains("no answer within 800 ms"),
        rec.logvars().get("valid_reason"));
    assertEquals(1, kit.persistenceTestKit().persistedInStorage("Call|" + trnId).stream()
        .filter(e -> e instanceof Call.CallEnded).count(), "one end only");
  }

  /** An in-memory duplicate index. */
  static final class FakeHistory implements CallerHistory {
    final List<CallerHistory.Entry> entries = new CopyOnWriteArrayList<>();
    final List<PriorCalls.Query> queries = new CopyOnWriteArrayList<>();
    volatile RuntimeException failWith;
    volatile boolean hang;
    private final List<CallerHistory.Entry> recorded = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<Optional<PriorCalls.PriorCall>> latest(PriorCalls.Query q) {
      queries.add(q);
      if (hang) {
        return new CompletableFuture<>();
      }
      if (failWith != null) {
        return CompletableFuture.failedFuture(failWith);
      }
      return CompletableFuture.completedFuture(entries.stream()
          .filter(e -> e.scope() == q.scope() && e.operatorId().equals(q.operatorId())
              && e.scopeKey().equals(q.scopeKey()) && e.callerKey().equals(q.callerKey())
              && e.arrivedAt().isAfter(q.since()) && e.arrivedAt().isBefore(q.before())
              && (!q.validOnly() || e.verdict() == Verdict.VALID))
          .max(Comparator.comparing(CallerHistory.Entry::arrivedAt))
          .map(e -> new PriorCalls.PriorCall(e.trnId(), e.arrivedAt())));
    }

    @Override
    public CompletionStage<Done> record(CallerHistory.Entry entry) {
      entries.add(entry);
      recorded.add(entry);
      return CompletableFuture.completedFuture(Done.getInstance());
    }

    /** The entries recorded by the entity (not the seeded ones), once {@code n} are there. */
    List<CallerHistory.Entry> awaitEntries(int n) {
      long deadline = System.nanoTime() + 3_000_000_000L;
      while (recorded.size() < n && System.nanoTime() < deadline) {
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      return List.copyOf(recorded);
    }
  }
}
