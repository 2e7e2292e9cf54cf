package io.hankyo.protocol.judgment;

import io.hankyo.protocol.judgment.JudgmentRules.Duplicate;
import io.hankyo.protocol.judgment.JudgmentRules.IvrMatch;
import io.hankyo.protocol.judgment.JudgmentRules.IvrRule;
import io.hankyo.protocol.judgment.JudgmentRules.PostCallButton;
import io.hankyo.protocol.judgment.JudgmentRules.Scope;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The valid-call judgment (成果判定, issue 4, spec section 5): a pure function of the rules, the call's facts and the
 * earlier calls. The rules are applied in this order; the first that decides wins:
 *
 * <ol>
 *   <li>not connected ({@code answered} false) → {@link Verdict#NONE} (no {@code valid_res});
 *   <li>post-call button: a key of {@code valid_digits} → {@link Verdict#VALID}, of {@code invalid_digits} → {@link
 *       Verdict#INVALID_BUTTON}: the callee's explicit verdict overrides every rule below; no key or another key
 *       goes on;
 *   <li>IVR: the matching {@code ivr} rule (see {@link IvrMatch}) with {@code valid: false} → {@link
 *       Verdict#INVALID_IVR}; one with {@code valid: true} sets the threshold of step 5 (its own {@code
 *       min_talk_sec}, else the top-level one); no matching rule goes on;
 *   <li>duplicate: with a {@code duplicate} rule and a caller key (the caller hash, or {@link #WITHHELD_CALLER} for
 *       callers without identity when {@code count_withheld}), the latest earlier call of the scope from that caller
 *       ({@link PriorCalls}); when it arrived less than {@code period_sec} seconds of real elapsed time before this
 *       call → {@link Verdict#INVALID_DUPLICATE}; exactly {@code period_sec} earlier is not a duplicate;
 *   <li>threshold: {@code talking_sec} below the threshold → {@link Verdict#INVALID_SHORT}; else {@link
 *       Verdict#VALID} (equal counts as valid).
 * </ol>
 *
 * A duplicate that is also too short is therefore 無効(重複). Thread-safe, no state.
 */
public final class Judge {
  /**
   * The caller key of callers without any identity (withheld From, no P-Asserted-Identity) when {@code
   * count_withheld} is set; never equal to a keyed hash (64 hex characters).
   */
  public static final String WITHHELD_CALLER = "withheld";

  private Judge() {}

  /**
   * Judges one ended call.
   *
   * @param rules the rules in force for the call (the version the call is judged under)
   * @param call the call's facts
   * @param earlier the earlier calls, asked at most once and only when the duplicate rule applies
   * @return the judgment, never null
   */
  public static Judgment judge(JudgmentRules rules, CallFacts call, PriorCalls earlier) {
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(call, "call");
    Objects.requireNonNull(earlier, "earlier");
    if (!call.answered()) {
      return new Judgment(Verdict.NONE, "the call never connected", "", null);
    }

    PostCallButton button = rules.postCallButton();
    String key = call.postCallDigit();
    if (button != null && key != null) {
      if (button.validDigits().contains(key)) {
        return new Judgment(Verdict.VALID, "the callee pressed " + key + " after the call",
            "/post_call_button", null);
      }
      if (button.invalidDigits().contains(key)) {
        return new Judgment(Verdict.INVALID_BUTTON, "the callee pressed " + key + " after the call",
            "/post_call_button", null);
      }
    }

    int threshold = rules.minTalkSec();
    String thresholdRule = "/min_talk_sec";
    String ivrNote = "";
    int index = matchingIvrRule(rules, call.ivrDigits());
    if (index >= 0) {
      IvrRule rule = rules.ivr().get(index);
      if (!rule.valid()) {
        return new Judgment(Verdict.INVALID_IVR, "the caller pressed " + rule.digits() + " in the menu",
            "/ivr/" + index, null);
      }
      if (rule.minTalkSec() != null) {
        threshold = rule.minTalkSec();
        thresholdRule = "/ivr/" + index + "/min_talk_sec";
      }
      ivrNote = " (the caller pressed " + rule.digits() + ")";
    }

    Duplicate dup = rules.duplicate();
    String callerKey = call.callerHash() != null ? call.callerHash()
        : dup != null && dup.countWithheld() ? WITHHELD_CALLER : null;
    if (dup != null && callerKey != null) {
      Instant since = call.arrivedAt().minus(dup.period());
      String scopeKey = dup.scope() == Scope.NUMBER ? call.dialinId() : call.clientId();
      Optional<PriorCalls.PriorCall> prior = earlier.latest(new PriorCalls.Query(dup.scope(), call.operatorId(),
          scopeKey, callerKey, since, call.arrivedAt(), dup.earlierCalls() == JudgmentRules.EarlierCalls.VALID));
      if (prior.isPresent()) {
        Duration gap = Duration.between(prior.get().arrivedAt(), call.arrivedAt());
        if (!gap.isNegative() && !gap.isZero() && gap.compareTo(dup.period()) < 0) {
          String who = call.callerHash() != null ? "the same caller" : "a withheld caller";
          String where = dup.scope() == Scope.NUMBER ? "this number" : "this advertiser";
          return new Judgment(Verdict.INVALID_DUPLICATE, who + " called " + where + " " + gap.toSeconds()
              + " s earlier (" + prior.get().trnId() + "); the period is " + dup.periodSec() + " s",
              "/duplicate", prior.get().trnId());
        }
      }
    }

    if (call.talkingSec() < threshold) {
      return new Judgment(Verdict.INVALID_SHORT, "talked " + call.talkingSec() + " s; at least " + threshold
          + " s are needed" + ivrNote, thresholdRule, null);
    }
    return new Judgment(Verdict.VALID, "talked " + call.talkingSec() + " s; at least " + threshold
        + " s are needed" + ivrNote, thresholdRule, null);
  }

  /**
   * The index of the {@code ivr} rule that applies to the menu inputs, or -1: with {@link IvrMatch#LAST} the rule
   * whose digits equal the last input; with {@link IvrMatch#ANY} the first rule, in document order, whose digits
   * equal any input.
   */
  static int matchingIvrRule(JudgmentRules rules, List<String> inputs) {
    if (inputs.isEmpty()) {
      return -1;
    }
    List<IvrRule> ivr = rules.ivr();
    for (int i = 0; i < ivr.size(); i++) {
      String digits = ivr.get(i).digits();
      boolean matches = rules.ivrMatch() == IvrMatch.LAST
          ? digits.equals(inputs.get(inputs.size() - 1))
          : inputs.contains(digits);
      if (matches) {
        return i;
      }
    }
    return -1;
  }
}
