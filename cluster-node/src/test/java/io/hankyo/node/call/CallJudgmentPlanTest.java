package io.hankyo.node.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.judgment.CallFacts;
import io.hankyo.protocol.judgment.Judge;
import io.hankyo.protocol.judgment.Judgment;
import io.hankyo.protocol.judgment.JudgmentRules;
import io.hankyo.protocol.judgment.JudgmentRules.Scope;
import io.hankyo.protocol.judgment.JudgmentRulesParser;
import io.hankyo.protocol.judgment.PriorCalls;
import io.hankyo.protocol.judgment.Verdict;
import io.hankyo.protocol.number.PhoneNumbers;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link CallJudging}: which lookup a call needs, which index rows it adds, which logvars it gets. */
class CallJudgmentPlanTest {
  private static final Instant T = Instant.parse("2026-11-29T03:00:00Z");

  private static CallFacts facts(boolean answered, String callerHash, String ivrDigits) {
    return new CallFacts("trn1", "op1", "cl1", "dn1", PhoneNumbers.parse("0120-123-456"), T, answered,
        answered ? 40 : 0, callerHash, CallFacts.ivrDigits(ivrDigits), null);
  }

  @Test
  void aWithheldCallerCountsAsOneOnlyWithCountWithheld() {
    JudgmentRules counting = JudgmentRulesParser.parse("""
        {"min_talk_sec": 0, "duplicate": {"scope": "advertiser", "period_sec": 3600, "count_withheld": true}}""");
    JudgmentRules notCounting = JudgmentRulesParser.parse("""
        {"min_talk_sec": 0, "duplicate": {"scope": "advertiser", "period_sec": 3600}}""");
    CallFacts withheld = facts(true, null, null);

    PriorCalls.Query q = CallJudging.queryOf(counting, withheld).orElseThrow();
    assertEquals(new PriorCalls.Query(Scope.ADVERTISER, "op1", "cl1", Judge.WITHHELD_CALLER, T.minusSeconds(3600), T,
        false), q);
    Judgment j = CallJudging.judge(counting, withheld, Optional.empty(), null);
    assertEquals(List.of(
            new CallerHistory.Entry(Scope.NUMBER, "op1", "dn1", Judge.WITHHELD_CALLER, T, "trn1", Verdict.VALID),
            new CallerHistory.Entry(Scope.ADVERTISER, "op1", "cl1", Judge.WITHHELD_CALLER, T, "trn1", Verdict.VALID)),
        CallJudging.entries(counting, withheld, j));

    assertTrue(CallJudging.queryOf(notCounting, withheld).isEmpty(), "no identity, not counted: no lookup");
    assertTrue(CallJudging.entries(notCounting, withheld,
        CallJudging.judge(notCounting, withheld, Optional.empty(), null)).isEmpty(), "and no index rows");
  }

  @Test
  void anIvrRuleThatDecidesFirstSavesTheLookupButTheCallIsStillIndexed() {
    JudgmentRules rules = JudgmentRulesParser.parse("""
        {"min_talk_sec": 0, "duplicate": {"scope": "number", "period_sec": 3600},
         "ivr": [{"digits": "9", "valid": false}]}""");
    CallFacts pressed9 = facts(true, "h1", "1,9");
    assertTrue(CallJudging.queryOf(rules, pressed9).isEmpty());
    Judgment j = CallJudging.judge(rules, pressed9, Optional.empty(), null);
    assertEquals(Verdict.INVALID_IVR, j.verdict());
    assertEquals(2, CallJudging.entries(rules, pressed9, j).size(), "a connected call is an earlier call");
    assertEquals(Map.of("valid_res", "無効(IVR)", "valid_code", "invalid_ivr", "judgment_version", "7",
        "valid_reason", j.reason()), CallJudging.logvars(j, 7));
  }

  @Test
  void aCallThatNeverConnectedHasNoLogvarsNoLookupAndNoRows() {
    JudgmentRules rules = JudgmentRulesParser.parse("""
        {"min_talk_sec": 0, "duplicate": {"scope": "number", "period_sec": 3600}}""");
    CallFacts missed = facts(false, "h1", null);
    assertTrue(CallJudging.queryOf(rules, missed).isEmpty());
    Judgment j = CallJudging.judge(rules, missed, Optional.empty(), null);
    assertEquals(Verdict.NONE, j.verdict());
    assertEquals(Map.of(), CallJudging.logvars(j, 1));
    assertTrue(CallJudging.entries(rules, missed, j).isEmpty());
  }
}
