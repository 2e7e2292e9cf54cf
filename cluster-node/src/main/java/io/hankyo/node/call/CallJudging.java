package io.hankyo.node.call;

import io.hankyo.protocol.call.CallArrival;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.judgment.CallFacts;
import io.hankyo.protocol.judgment.Judge;
import io.hankyo.protocol.judgment.Judgment;
import io.hankyo.protocol.judgment.JudgmentRules;
import io.hankyo.protocol.judgment.PriorCalls;
import io.hankyo.protocol.judgment.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the {@link Call} entity applies the valid-call judgment (成果判定, issue 4, spec section 5) to an ended call: the
 * {@link CallFacts} of its call-log record, the one {@link PriorCalls.Query} the {@link Judge} will ask (if any), the
 * {@code logvars} of the judgment and the {@link CallerHistory} rows the call adds. Pure; the entity does the I/O.
 */
final class CallJudging {
  /** {@code logvars.valid_res}: the Japanese label (有効, 無効(重複), 無効(未満), ...); spec sections 5 and 6. */
  static final String VALID_RES = "valid_res";
  /** {@code logvars.valid_code}: the English code ({@code valid}, {@code invalid_duplicate}, ...). */
  static final String VALID_CODE = "valid_code";
  /** {@code logvars.judgment_version}: the version of the rules the call was judged under. */
  static final String JUDGMENT_VERSION = "judgment_version";
  /** {@code logvars.valid_reason}: why, in English (the {@link Judgment#reason()}). */
  static final String VALID_REASON = "valid_reason";
  /**
   * {@code logvars.judgment_scope}: whose rules judged the call, {@code number} or {@code advertiser} ({@link
   * NumberRoute#judgmentScopeOrNumber()}), written like a re-judgment writes it (issue 4).
   */
  static final String JUDGMENT_SCOPE = "judgment_scope";

  /**
   * {@code logvars.post_call_digit}: the key the callee pressed after the post-call button prompt (issue 4,
   * docs/judgment.md); absent when none was pressed in time, the callee hung up first or the rules have no button.
   */
  static final String POST_CALL_DIGIT = "post_call_digit";

  private CallJudging() {}

  /**
   * {@code logvars} with the post-call button key added ({@link #POST_CALL_DIGIT}) when there is one and the call
   * connected ({@code answeredAt} set; a key reported for a call never connected is ignored).
   */
  static Map<String, String> withPostCallDigit(Map<String, String> logvars, java.time.Instant answeredAt,
      String postCallDigit) {
    if (postCallDigit == null || postCallDigit.isEmpty() || answeredAt == null) {
      return logvars;
    }
    Map<String, String> vars = new LinkedHashMap<>(logvars);
    vars.put(POST_CALL_DIGIT, postCallDigit);
    return vars;
  }

  /**
   * The caller key of the duplicate rule: the keyed hash of the From number, else of the P-Asserted-Identity (a
   * withheld or unreadable From); null when the caller has neither.
   */
  static String callerHash(CallArrival arrival) {
    var caller = arrival.caller();
    return caller.numberHash() != null ? caller.numberHash() : caller.assertedHash();
  }

  /**
   * The judge's view of an ended call; the post-call button key is the record's {@code logvars.post_call_digit}
   * (null without one).
   */
  static CallFacts facts(CallArrival arrival, NumberRoute route, CallLogRecord record) {
    return new CallFacts(arrival.trnId(), route.operatorId(), route.clientId(), route.dialinId(), route.din(),
        arrival.arrivedAt(), record.answeredAt() != null, record.talkingSec(), callerHash(arrival),
        CallFacts.ivrDigits(record.logvars().get("ivr_digits")), record.logvars().get(POST_CALL_DIGIT));
  }

  /** The earlier-call query the judge will make for this call, if it makes one (the duplicate rule applies). */
  static Optional<PriorCalls.Query> queryOf(JudgmentRules rules, CallFacts facts) {
    List<PriorCalls.Query> asked = new ArrayList<>(1);
    Judge.judge(rules, facts, q -> {
      asked.add(q);
      return Optional.empty();
    });
    return asked.isEmpty() ? Optional.empty() : Optional.of(asked.get(0));
  }

  /**
   * Judges the call with the index's answer.
   *
   * @param prior the latest earlier call the index returned; empty when none
   * @param failure why the index could not be asked (error, timeout); null when it answered. With a failure the call
   *     is judged without the duplicate rule and the reason says so.
   */
  static Judgment judge(JudgmentRules rules, CallFacts facts, Optional<PriorCalls.PriorCall> prior, String failure) {
    if (failure == null) {
      return Judge.judge(rules, facts, q -> prior);
    }
    Judgment j = Judge.judge(rules, facts, PriorCalls.NONE);
    return new Judgment(j.verdict(), j.reason() + "; the duplicate rule was not applied: the earlier calls could not "
        + "be read (" + failure + ")", j.rule(), j.earlierTrnId());
  }

  /**
   * The {@code logvars} of a judgment: {@link #VALID_RES}, {@link #VALID_CODE}, {@link #JUDGMENT_VERSION} and
   * {@link #VALID_REASON}; none for {@link Verdict#NONE} (a call that never connected has no judgment value).
   */
  static Map<String, String> logvars(Judgment judgment, int version, String scope) {
    Map<String, String> vars = logvars(judgment, version);
    if (vars.isEmpty() || scope == null) {
      return vars;
    }
    Map<String, String> withScope = new LinkedHashMap<>();
    vars.forEach((k, v) -> {
      withScope.put(k, v);
      if (k.equals(JUDGMENT_VERSION)) {
        withScope.put(JUDGMENT_SCOPE, scope);
      }
    });
    return withScope;
  }

  /**
   * The {@code logvars} of a judgment without {@link #JUDGMENT_SCOPE}: {@link #VALID_RES}, {@link #VALID_CODE},
   * {@link #JUDGMENT_VERSION} and {@link #VALID_REASON}; none for {@link Verdict#NONE}.
   */
  static Map<String, String> logvars(Judgment judgment, int version) {
    if (judgment.verdict() == Verdict.NONE) {
      return Map.of();
    }
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put(VALID_RES, judgment.validRes());
    vars.put(VALID_CODE, judgment.verdict().code());
    vars.put(JUDGMENT_VERSION, Integer.toString(version));
    vars.put(VALID_REASON, judgment.reason());
    return vars;
  }

  /**
   * The duplicate-index rows of a judged call: none unless the rules have a {@code duplicate} rule, the call
   * connected ({@link Verdict#NONE} calls are never the earlier call of a duplicate) and it has a caller key (its
   * hash, or {@link Judge#WITHHELD_CALLER} with {@code count_withheld}); else one per scope, the number and the
   * advertiser (so rules of either scope, now or in a later version, find it): at most 2.
   */
  static List<CallerHistory.Entry> entries(JudgmentRules rules, CallFacts facts, Judgment judgment) {
    JudgmentRules.Duplicate dup = rules.duplicate();
    if (dup == null || judgment.verdict() == Verdict.NONE) {
      return List.of();
    }
    String key = facts.callerHash() != null ? facts.callerHash()
        : dup.countWithheld() ? Judge.WITHHELD_CALLER : null;
    if (key == null) {
      return List.of();
    }
    return List.of(
        new CallerHistory.Entry(JudgmentRules.Scope.NUMBER, facts.operatorId(), facts.dialinId(), key,
            facts.arrivedAt(), facts.trnId(), judgment.verdict()),
        new CallerHistory.Entry(JudgmentRules.Scope.ADVERTISER, facts.operatorId(), facts.clientId(), key,
            facts.arrivedAt(), facts.trnId(), judgment.verdict()));
  }
}
