package io.hankyo.protocol.judgment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.hankyo.protocol.number.PhoneNumbers;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pure re-judgment planner (issue 4): rows and a rule version in, changes out. */
class RejudgmentPlanTest {
  private static final Instant FROM = Instant.parse("2026-10-31T15:00:00Z");
  private static final RejudgmentPlan.Outcome VALID_V1 =
      new RejudgmentPlan.Outcome("有効", "valid", "1", null, "talked");
  private static final JudgmentRules STRICT = JudgmentRules.threshold(60);
  private static final JudgmentRules DUP = JudgmentRulesParser.parse(
      "{\"min_talk_sec\": 10, \"duplicate\": {\"scope\": \"advertiser\", \"period_sec\": 3600}}");

  private static CallFacts call(String trn, String dialin, int minutes, int talk, String caller) {
    return new CallFacts(trn, "op", "shop", dialin, PhoneNumbers.parse("0120-123-456"),
        FROM.plusSeconds(60L * minutes), talk > 0 || caller != null, talk, caller, List.of(), null);
  }

  private static RejudgmentPlan.Row row(CallFacts f) {
    return new RejudgmentPlan.Row(f, VALID_V1, true);
  }

  @Test
  void aStricterThresholdChangesOnlyTheShortCalls() {
    var result = RejudgmentPlan.plan(STRICT, 2, "number",
        List.of(row(call("t2", "d1", 10, 59, "h1")), row(call("t1", "d1", 5, 60, "h2")),
            row(call("t3", "d1", 20, 30, "h3"))), FROM, PriorCalls.NONE);
    assertEquals(3, result.examined());
    assertEquals(List.of("t2", "t3"), result.changes().stream().map(RejudgmentPlan.Change::trnId).toList(),
        "changes in arrival order");
    RejudgmentPlan.Change c = result.changes().get(0);
    assertEquals(VALID_V1, c.before());
    assertEquals("無効(未満)", c.after().validRes());
    assertEquals("invalid_short", c.after().validCode());
    assertEquals("2", c.after().judgmentVersion());
    assertEquals("number", c.after().judgmentScope());
    assertEquals("talked 59 s; at least 60 s are needed", c.after().reason());
  }

  @Test
  void duplicatesAreJudgedInArrivalOrderWithTheNewVerdicts() {
    // given out of order: the first call of the caller in the range is valid, the later ones are duplicates
    var result = RejudgmentPlan.plan(DUP, 1, "advertiser",
        List.of(row(call("t3", "d2", 50, 100, "h1")), row(call("t1", "d1", 0, 100, "h1")),
            row(call("t2", "d1", 30, 100, "h1")), row(call("t4", "d1", 200, 100, "h1"))), FROM, PriorCalls.NONE);
    assertEquals(List.of("t2", "t3"), result.changes().stream().map(RejudgmentPlan.Change::trnId).toList());
    assertEquals("invalid_duplicate", result.changes().get(0).after().validCode());
    assertEquals("the same caller called this advertiser 1800 s earlier (t1); the period is 3600 s",
        result.changes().get(0).after().reason());
    assertEquals("the same caller called this advertiser 1200 s earlier (t2); the period is 3600 s",
        result.changes().get(1).after().reason(), "the latest earlier call, a duplicate itself, counts");
  }

  @Test
  void callsBeforeTheRangeComeFromTheIndexAskedOnlyBeforeTheRange() {
    List<PriorCalls.Query> asked = new ArrayList<>();
    PriorCalls index = q -> {
      asked.add(q);
      return Optional.of(new PriorCalls.PriorCall("t0", FROM.minusSeconds(600)));
    };
    var result = RejudgmentPlan.plan(DUP, 1, "advertiser", List.of(row(call("t1", "d1", 5, 100, "h1"))), FROM,
        index);
    assertEquals("invalid_duplicate", result.changes().get(0).after().validCode());
    assertEquals(1, asked.size());
    assertEquals(FROM, asked.get(0).before(), "never asks the index about calls of the range");
    assertEquals("shop", asked.get(0).scopeKey());
  }

  @Test
  void nonTargetsCountAsEarlierCallsButAreNotChangedAndMissedCallsAreSkipped() {
    var other = new RejudgmentPlan.Row(call("t1", "d2", 0, 5, "h1"), VALID_V1, false);
    var missed = new RejudgmentPlan.Row(call("t0", "d1", 1, 0, null), RejudgmentPlan.Outcome.NONE_YET, true);
    var result = RejudgmentPlan.plan(DUP, 1, "advertiser",
        List.of(other, missed, row(call("t2", "d1", 10, 100, "h1"))), FROM, PriorCalls.NONE);
    assertEquals(1, result.examined(), "the missed call is not examined");
    assertEquals(List.of("t2"), result.changes().stream().map(RejudgmentPlan.Change::trnId).toList());
  }

  @Test
  void earlierCallsValidOnlyUseTheNewVerdictsAndUnjudgedRowsGetAJudgment() {
    JudgmentRules validOnly = JudgmentRulesParser.parse("{\"min_talk_sec\": 60, \"duplicate\": {\"scope\": "
        + "\"number\", \"period_sec\": 3600, \"earlier_calls\": \"valid\"}}");
    var unjudged = new RejudgmentPlan.Row(call("t1", "d1", 0, 10, "h1"), RejudgmentPlan.Outcome.NONE_YET, true);
    var result = RejudgmentPlan.plan(validOnly, 3, "number",
        List.of(unjudged, row(call("t2", "d1", 10, 100, "h1"))), FROM, PriorCalls.NONE);
    // t1 is now too short, so it is no earlier valid call and t2 stays valid
    assertEquals(List.of("t1"), result.changes().stream().map(RejudgmentPlan.Change::trnId).toList());
    assertNull(result.changes().get(0).before().validCode());
    assertEquals("invalid_short", result.changes().get(0).after().validCode());
  }
}
