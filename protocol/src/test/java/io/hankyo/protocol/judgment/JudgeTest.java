package io.hankyo.protocol.judgment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.hankyo.protocol.judgment.JudgmentRules.Scope;
import io.hankyo.protocol.number.PhoneNumbers;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JudgeTest {
  static final ZoneId JST = ZoneId.of("Asia/Tokyo");
  static final Instant T0 = Instant.parse("2026-11-10T03:00:00Z");
  static final String ALICE = "a".repeat(64);
  static final String BOB = "b".repeat(64);

  /** A connected call of ALICE to number dialin-1 of advertiser adv-1. */
  static CallFacts call(Instant at, int talkingSec) {
    return new CallFacts("trn-now", "op-1", "adv-1", "dialin-1", PhoneNumbers.parse("050-1234-5678"), at, true,
        talkingSec, ALICE, List.of(), null);
  }

  static CallFacts withCaller(CallFacts c, String callerHash) {
    return new CallFacts(c.trnId(), c.operatorId(), c.clientId(), c.dialinId(), c.din(), c.arrivedAt(), c.answered(),
        c.talkingSec(), callerHash, c.ivrDigits(), c.postCallDigit());
  }

  static CallFacts withIvr(CallFacts c, String ivrDigits) {
    return new CallFacts(c.trnId(), c.operatorId(), c.clientId(), c.dialinId(), c.din(), c.arrivedAt(), c.answered(),
        c.talkingSec(), c.callerHash(), CallFacts.ivrDigits(ivrDigits), c.postCallDigit());
  }

  static CallFacts withButton(CallFacts c, String key) {
    return new CallFacts(c.trnId(), c.operatorId(), c.clientId(), c.dialinId(), c.din(), c.arrivedAt(), c.answered(),
        c.talkingSec(), c.callerHash(), c.ivrDigits(), key);
  }

  static CallFacts notAnswered(Instant at) {
    return new CallFacts("trn-now", "op-1", "adv-1", "dialin-1", PhoneNumbers.parse("050-1234-5678"), at, false, 0,
        ALICE, List.of(), null);
  }

  static JudgmentRules rules(String json) {
    return JudgmentRulesParser.parse(json);
  }

  static Judgment judge(String rulesJson, CallFacts call, PriorCalls earlier) {
    return Judge.judge(rules(rulesJson), call, earlier);
  }

  /** PriorCalls that must not be asked. */
  static final PriorCalls NEVER = q -> fail("the earlier calls must not be asked: " + q);

  /** An in-memory duplicate index that honours the whole query, and records the queries. */
  static final class Index implements PriorCalls {
    record Entry(String operatorId, String clientId, String dialinId, String callerKey, String trnId, Instant at,
        boolean valid) {}

    final List<Entry> entries = new ArrayList<>();
    final List<Query> queries = new ArrayList<>();

    Index add(String clientId, String dialinId, String callerKey, String trnId, Instant at, boolean valid) {
      entries.add(new Entry("op-1", clientId, dialinId, callerKey, trnId, at, valid));
      return this;
    }

    Index add(String trnId, Instant at) {
      return add("adv-1", "dialin-1", ALICE, trnId, at, true);
    }

    @Override
    public Optional<PriorCall> latest(Query q) {
      queries.add(q);
      return entries.stream()
          .filter(e -> e.operatorId().equals(q.operatorId()))
          .filter(e -> q.scopeKey().equals(q.scope() == Scope.NUMBER ? e.dialinId() : e.clientId()))
          .filter(e -> e.callerKey().equals(q.callerKey()))
          .filter(e -> e.at().isAfter(q.since()) && e.at().isBefore(q.before()))
          .filter(e -> !q.validOnly() || e.valid())
          .max(Comparator.comparing(Entry::at))
          .map(e -> new PriorCall(e.trnId(), e.at()));
    }
  }

  static final String DUP_NUMBER_24H = "{\"min_talk_sec\": 30, \"duplicate\": {\"scope\": \"number\", "
      + "\"period_sec\": 86400}}";
  static final String DUP_ADVERTISER_24H = "{\"min_talk_sec\": 30, \"duplicate\": {\"scope\": \"advertiser\", "
      + "\"period_sec\": 86400}}";

  @Nested
  class NotConnected {
    @Test
    void aCallThatNeverConnectedHasNoJudgmentWhateverTheRules() {
      String all = "{\"min_talk_sec\": 0, \"duplicate\": {\"scope\": \"number\", \"period_sec\": 86400, "
          + "\"count_withheld\": true}, \"ivr\": [{\"digits\": \"9\", \"valid\": false}], "
          + "\"post_call_button\": {\"prompt\": \"rate\", \"valid_digits\": [\"1\"]}}";
      CallFacts c = withButton(withIvr(notAnswered(T0), "9"), "1");
      Judgment j = judge(all, c, NEVER);
      assertEquals(Verdict.NONE, j.verdict());
      assertNull(j.validRes());
      assertEquals("", j.rule());
      assertEquals("the call never connected", j.reason());
    }
  }

  @Nested
  class Threshold {
    @ParameterizedTest(name = "{0} s against 30 s → {1}")
    @CsvSource({"0, INVALID_SHORT", "29, INVALID_SHORT", "30, VALID", "31, VALID", "3600, VALID"})
    void talkSecondsAgainstTheThreshold(int talkingSec, Verdict expected) {
      Judgment j = Judge.judge(JudgmentRules.threshold(30), call(T0, talkingSec), NEVER);
      assertEquals(expected, j.verdict(), j.reason());
      assertEquals("/min_talk_sec", j.rule());
    }

    @Test
    void theReasonSaysTheSecondsAndTheLabelIsTheSpecs() {
      Judgment j = Judge.judge(JudgmentRules.threshold(30), call(T0, 29), NEVER);
      assertEquals("talked 29 s; at least 30 s are needed", j.reason());
      assertEquals("無効(未満)", j.validRes());
      assertEquals("有効", Judge.judge(JudgmentRules.threshold(30), call(T0, 30), NEVER).validRes());
    }

    @Test
    void zeroAcceptsAConnectedCallOfZeroSeconds() {
      assertEquals(Verdict.VALID, Judge.judge(JudgmentRules.threshold(0), call(T0, 0), NEVER).verdict());
    }
  }

  @Nested
  class Duplicates {
    @ParameterizedTest(name = "earlier call {0} s before, period 86400 s → {1}")
    @CsvSource({
      "1, INVALID_DUPLICATE",
      "60, INVALID_DUPLICATE",
      "86399, INVALID_DUPLICATE",
      "86400, VALID",
      "86401, VALID",
    })
    void theBoundaryOfThePeriodIsNotADuplicate(long secondsBefore, Verdict expected) {
      Index index = new Index().add("trn-before", T0.minusSeconds(secondsBefore));
      Judgment j = judge(DUP_NUMBER_24H, call(T0, 120), index);
      assertEquals(expected, j.verdict(), j.reason());
      assertEquals(1, index.queries.size());
    }

    @ParameterizedTest(name = "an index that ignores the bounds returns a call {0} s before → {1}")
    @CsvSource({"86399, INVALID_DUPLICATE", "86400, VALID", "86401, VALID"})
    void theJudgeChecksTheBoundaryItselfToo(long secondsBefore, Verdict expected) {
      PriorCalls unbounded = q -> Optional.of(new PriorCalls.PriorCall("trn-x", T0.minusSeconds(secondsBefore)));
      assertEquals(expected, judge(DUP_NUMBER_24H, call(T0, 120), unbounded).verdict());
    }

    @Test
    void oneMillisecondInsideThePeriodIsADuplicate() {
      Index index = new Index().add("trn-before", T0.minusSeconds(86400).plusMillis(1));
      assertEquals(Verdict.INVALID_DUPLICATE, judge(DUP_NUMBER_24H, call(T0, 120), index).verdict());
    }

    @Test
    void theQueryAsksForThePeriodBeforeTheArrival() {
      Index index = new Index();
      judge(DUP_NUMBER_24H, call(T0, 120), index);
      PriorCalls.Query q = index.queries.get(0);
      assertEquals(new PriorCalls.Query(Scope.NUMBER, "op-1", "dialin-1", ALICE, T0.minusSeconds(86400), T0, false),
          q);
    }

    @Test
    void callsAcrossMidnightJstAreSixtySecondsApartNotADayApart() {
      Instant before = LocalDateTime.parse("2026-11-10T23:59:30").atZone(JST).toInstant();
      Instant now = LocalDateTime.parse("2026-11-11T00:00:30").atZone(JST).toInstant();
      Index index = new Index().add("trn-late", before);
      // a period of 60 s: exactly 60 s apart is not a duplicate; 61 s of period makes it one
      String sixty = "{\"min_talk_sec\": 30, \"duplicate\": {\"scope\": \"number\", \"period_sec\": 60}}";
      String sixtyOne = "{\"min_talk_sec\": 30, \"duplicate\": {\"scope\": \"number\", \"period_sec\": 61}}";
      assertEquals(Verdict.VALID, judge(sixty, call(now, 120), index).verdict());
      Judgment j = judge(sixtyOne, call(now, 120), index);
      assertEquals(Verdict.INVALID_DUPLICATE, j.verdict());
      assertEquals("the same caller called this number 60 s earlier (trn-late); the period is 61 s", j.reason());
      // and a day-long period counts the previous evening's call although the calendar day changed
      assertEquals(Verdict.INVALID_DUPLICATE, judge(DUP_NUMBER_24H, call(now, 120), index).verdict());
    }

    @ParameterizedTest(name = "{0} days")
    @CsvSource({"1, 86400", "7, 604800", "30, 2592000"})
    void periodsOfDaysAreRealElapsedTime(int days, long periodSec) {
      String doc = "{\"min_talk_sec\": 30, \"duplicate\": {\"scope\": \"number\", \"period_sec\": " + periodSec + "}}";
      Index inside = new Index().add("trn-in", T0.minusSeconds(periodSec - 1));
      Index outside = new Index().add("trn-out", T0.minusSeconds(periodSec));
      assertEquals(Verdict.INVALID_DUPLICATE, judge(doc, call(T0, 120), inside).verdict());
      assertEquals(Verdict.VALID, judge(doc, call(T0, 120), outside).verdict());
    }

    @Test
    void theNumberScopeIgnoresCallsToOtherNumbersOfTheAdvertiser() {
      Index index = new Index().add("adv-1", "dialin-2", ALICE, "trn-other-number", T0.minusSeconds(600), true);
      assertEquals(Verdict.VALID, judge(DUP_NUMBER_24H, call(T0, 120), index).verdict());
      Judgment j = judge(DUP_ADVERTISER_24H, call(T0, 120), index);
      assertEquals(Verdict.INVALID_DUPLICATE, j.verdict());
      assertEquals("trn-other-number", j.earlierTrnId());
      assertEquals("/duplicate", j.rule());
      assertEquals("無効(重複)", j.validRes());
      assertTrue(j.reason().startsWith("the same caller called this advertiser 600 s earlier"), j.reason());
      assertEquals("adv-1", index.queries.get(1).scopeKey());
      assertEquals(Scope.ADVERTISER, index.queries.get(1).scope());
    }

    @Test
    void theAdvertiserScopeIgnoresOtherAdvertisersAndOtherCallers() {
      Index index = new Index()
          .add("adv-2", "dialin-9", ALICE, "trn-other-advertiser", T0.minusSeconds(600), true)
          .add("adv-1", "dialin-1", BOB, "trn-other-caller", T0.minusSeconds(600), true);
      assertEquals(Verdict.VALID, judge(DUP_ADVERTISER_24H, call(T0, 120), index).verdict());
      assertEquals(Verdict.VALID, judge(DUP_NUMBER_24H, call(T0, 120), index).verdict());
    }

    @Test
    void theLatestEarlierCallIsNamed() {
      Index index = new Index().add("trn-old", T0.minusSeconds(7200)).add("trn-recent", T0.minusSeconds(300));
      Judgment j = judge(DUP_NUMBER_24H, call(T0, 120), index);
      assertEquals("trn-recent", j.earlierTrnId());
    }

    @Test
    void aDuplicateThatIsAlsoShortIsADuplicate() {
      Index index = new Index().add("trn-before", T0.minusSeconds(60));
      assertEquals(Verdict.INVALID_DUPLICATE, judge(DUP_NUMBER_24H, call(T0, 5), index).verdict());
    }

    @Test
    void aNonDuplicateThatIsShortIsShort() {
      assertEquals(Verdict.INVALID_SHORT, judge(DUP_NUMBER_24H, call(T0, 5), new Index()).verdict());
    }

    @Test
    void anIndexThatReturnsTooOldACallIsCheckedAgain() {
      PriorCalls sloppy = q -> Optional.of(new PriorCalls.PriorCall("trn-ancient", T0.minusSeconds(86400 * 3)));
      assertEquals(Verdict.VALID, judge(DUP_NUMBER_24H, call(T0, 120), sloppy).verdict());
      PriorCalls later = q -> Optional.of(new PriorCalls.PriorCall("trn-later", T0.plusSeconds(5)));
      assertEquals(Verdict.VALID, judge(DUP_NUMBER_24H, call(T0, 120), later).verdict());
      PriorCalls itself = q -> Optional.of(new PriorCalls.PriorCall("trn-now", T0));
      assertEquals(Verdict.VALID, judge(DUP_NUMBER_24H, call(T0, 120), itself).verdict());
    }

    @Test
    void withoutADuplicateRuleTheEarlierCallsAreNotAsked() {
      assertEquals(Verdict.VALID, judge("{\"min_talk_sec\": 30}", call(T0, 30), NEVER).verdict());
    }

    @Test
    void earlierCallsDefaultToEveryConnectedCallAndCanBeLimitedToValidOnes() {
      Index index = new Index().add("adv-1", "dialin-1", ALICE, "trn-short", T0.minusSeconds(600), false);
      assertEquals(Verdict.INVALID_DUPLICATE, judge(DUP_NUMBER_24H, call(T0, 120), index).verdict());
      assertEquals(false, index.queries.get(0).validOnly());
      String validOnly = "{\"min_talk_sec\": 30, \"duplicate\": {\"scope\": \"number\", \"period_sec\": 86400, "
          + "\"earlier_calls\": \"valid\"}}";
      assertEquals(Verdict.VALID, judge(validOnly, call(T0, 120), index).verdict());
      assertEquals(true, index.queries.get(1).validOnly());
    }
  }

  @Nested
  class WithheldCallers {
    @Test
    void aWithheldCallerIsNeverADuplicateByDefault() {
      Judgment j = judge(DUP_NUMBER_24H, withCaller(call(T0, 120), null), NEVER);
      assertEquals(Verdict.VALID, j.verdict());
    }

    @Test
    void withCountWithheldWithheldCallersAreOneCaller() {
      String doc = "{\"min_talk_sec\": 30, \"duplicate\": {\"scope\": \"number\", \"period_sec\": 86400, "
          + "\"count_withheld\": true}}";
      Index index = new Index().add("adv-1", "dialin-1", Judge.WITHHELD_CALLER, "trn-anon", T0.minusSeconds(60), true);
      Judgment j = judge(doc, withCaller(call(T0, 120), null), index);
      assertEquals(Verdict.INVALID_DUPLICATE, j.verdict());
      assertEquals(Judge.WITHHELD_CALLER, index.queries.get(0).callerKey());
      assertTrue(j.reason().startsWith("a withheld caller called this number 60 s earlier"), j.reason());
      // a caller with an identity is not the same as the withheld ones
      assertEquals(Verdict.VALID, judge(doc, call(T0, 120), index).verdict());
    }

    @Test
    void aCallerKnownOnlyByPAssertedIdentityHasAHashAndIsJudgedLikeAnyOther() {
      // the hash is computed upstream from P-Asserted-Identity; the judge only sees the hash
      Index index = new Index().add("trn-pai", T0.minusSeconds(60));
      assertEquals(Verdict.INVALID_DUPLICATE, judge(DUP_NUMBER_24H, call(T0, 120), index).verdict());
    }
  }

  @Nested
  class Ivr {
    static final String IVR = "{\"min_talk_sec\": 30, \"ivr\": [{\"digits\": \"1\", \"min_talk_sec\": 60}, "
        + "{\"digits\": \"9\", \"valid\": false}, {\"digits\": \"23\"}]}";

    @ParameterizedTest(name = "ivr_digits \"{0}\", {1} s → {2} by {3}")
    @CsvSource(delimiter = '|', value = {
      "1      | 59  | INVALID_SHORT | /ivr/0/min_talk_sec",
      "1      | 60  | VALID         | /ivr/0/min_talk_sec",
      "9      | 600 | INVALID_IVR   | /ivr/1",
      "23     | 30  | VALID         | /min_talk_sec",
      "23     | 29  | INVALID_SHORT | /min_talk_sec",
      "2      | 30  | VALID         | /min_talk_sec",
      "''     | 30  | VALID         | /min_talk_sec",
      "9,1    | 60  | VALID         | /ivr/0/min_talk_sec",
      "9,1    | 59  | INVALID_SHORT | /ivr/0/min_talk_sec",
      "1,9    | 600 | INVALID_IVR   | /ivr/1",
      "9,2    | 600 | VALID         | /min_talk_sec",
      "9,5    | 600 | VALID         | /min_talk_sec",
      "1,23   | 45  | VALID         | /min_talk_sec",
    })
    void theLastMenuInputDecides(String digits, int talkingSec, Verdict expected, String rule) {
      Judgment j = judge(IVR, withIvr(call(T0, talkingSec), digits), NEVER);
      assertEquals(expected, j.verdict(), j.reason());
      assertEquals(rule, j.rule(), j.reason());
    }

    @ParameterizedTest(name = "ivr_match any, ivr_digits \"{0}\", {1} s → {2} by {3}")
    @CsvSource(delimiter = '|', value = {
      "9,1    | 60  | VALID         | /ivr/0/min_talk_sec",
      "1,9    | 59  | INVALID_SHORT | /ivr/0/min_talk_sec",
      "9,5    | 60  | INVALID_IVR   | /ivr/1",
      "1,23   | 45  | INVALID_SHORT | /ivr/0/min_talk_sec",
      "5,23   | 45  | VALID         | /min_talk_sec",
    })
    void withAnyTheFirstRuleInDocumentOrderThatSomeInputMatchesDecides(String digits, int talkingSec,
        Verdict expected, String rule) {
      String any = IVR.replace("{\"min_talk_sec\": 30,", "{\"min_talk_sec\": 30, \"ivr_match\": \"any\",");
      Judgment j = judge(any, withIvr(call(T0, talkingSec), digits), NEVER);
      assertEquals(expected, j.verdict(), j.reason());
      assertEquals(rule, j.rule(), j.reason());
    }

    @Test
    void theReasonsNameTheKeys() {
      Judgment invalid = judge(IVR, withIvr(call(T0, 600), "9"), NEVER);
      assertEquals("the caller pressed 9 in the menu", invalid.reason());
      assertEquals("無効(IVR)", invalid.validRes());
      Judgment shortOne = judge(IVR, withIvr(call(T0, 59), "1"), NEVER);
      assertEquals("talked 59 s; at least 60 s are needed (the caller pressed 1)", shortOne.reason());
    }

    @Test
    void anInvalidIvrRuleWinsOverTheDuplicateRuleWithoutAskingForEarlierCalls() {
      String doc = "{\"min_talk_sec\": 30, \"duplicate\": {\"scope\": \"number\", \"period_sec\": 86400}, "
          + "\"ivr\": [{\"digits\": \"9\", \"valid\": false}]}";
      assertEquals(Verdict.INVALID_IVR, judge(doc, withIvr(call(T0, 600), "9"), NEVER).verdict());
    }

    @Test
    void aValidIvrRuleStillChecksDuplicates() {
      String doc = "{\"min_talk_sec\": 30, \"duplicate\": {\"scope\": \"number\", \"period_sec\": 86400}, "
          + "\"ivr\": [{\"digits\": \"1\", \"min_talk_sec\": 10}]}";
      Index index = new Index().add("trn-before", T0.minusSeconds(60));
      assertEquals(Verdict.INVALID_DUPLICATE, judge(doc, withIvr(call(T0, 600), "1"), index).verdict());
    }

    @Test
    void anIvrThresholdCanBeLowerThanTheTopLevelOne() {
      String doc = "{\"min_talk_sec\": 60, \"ivr\": [{\"digits\": \"2\", \"min_talk_sec\": 0}]}";
      assertEquals(Verdict.VALID, judge(doc, withIvr(call(T0, 0), "2"), NEVER).verdict());
      assertEquals(Verdict.INVALID_SHORT, judge(doc, withIvr(call(T0, 0), "3"), NEVER).verdict());
    }

    @Test
    void theLogvarSplitsIntoMenuInputs() {
      assertEquals(List.of("9", "1", "23"), CallFacts.ivrDigits("9,1,23"));
      assertEquals(List.of(), CallFacts.ivrDigits(""));
      assertEquals(List.of(), CallFacts.ivrDigits(null));
      assertEquals(List.of("*", "#1"), CallFacts.ivrDigits("*,,#1"));
    }
  }

  @Nested
  class PostCallButton {
    static final String BUTTON = "{\"min_talk_sec\": 30, \"duplicate\": {\"scope\": \"number\", \"period_sec\": "
        + "86400}, \"ivr\": [{\"digits\": \"9\", \"valid\": false}], \"post_call_button\": {\"prompt\": \"rate-call\", "
        + "\"timeout_sec\": 10, \"valid_digits\": [\"1\", \"3\"], \"invalid_digits\": [\"2\"]}}";

    @ParameterizedTest(name = "key {0} → {1}")
    @CsvSource({"1, VALID", "3, VALID", "2, INVALID_BUTTON"})
    void theCalleesKeyOverridesEveryOtherRule(String key, Verdict expected) {
      // short, a duplicate and an invalid IVR input: the callee's key still decides
      CallFacts c = withButton(withIvr(call(T0, 1), "9"), key);
      Judgment j = judge(BUTTON, c, NEVER);
      assertEquals(expected, j.verdict(), j.reason());
      assertEquals("/post_call_button", j.rule());
      assertEquals("the callee pressed " + key + " after the call", j.reason());
    }

    @Test
    void theInvalidButtonHasItsOwnLabel() {
      Judgment j = judge(BUTTON, withButton(call(T0, 600), "2"), NEVER);
      assertEquals("無効(ボタン)", j.validRes());
      assertEquals("invalid_button", j.verdict().code());
    }

    @Test
    void noKeyBeforeTheTimeoutLeavesTheOtherRulesToDecide() {
      Index index = new Index().add("trn-before", T0.minusSeconds(60));
      assertEquals(Verdict.INVALID_DUPLICATE, judge(BUTTON, call(T0, 600), index).verdict());
      assertEquals(Verdict.INVALID_SHORT, judge(BUTTON, call(T0, 29), new Index()).verdict());
      assertEquals(Verdict.VALID, judge(BUTTON, call(T0, 30), new Index()).verdict());
    }

    @Test
    void aKeyInNeitherListCountsAsNoKey() {
      assertEquals(Verdict.INVALID_SHORT, judge(BUTTON, withButton(call(T0, 29), "5"), new Index()).verdict());
      assertEquals(Verdict.INVALID_IVR, judge(BUTTON, withButton(withIvr(call(T0, 600), "9"), "#"), NEVER)
          .verdict());
    }

    @Test
    void aKeyWithoutAButtonRuleIsIgnored() {
      assertEquals(Verdict.INVALID_SHORT, Judge.judge(JudgmentRules.threshold(30), withButton(call(T0, 29), "1"),
          NEVER).verdict());
    }
  }
}
