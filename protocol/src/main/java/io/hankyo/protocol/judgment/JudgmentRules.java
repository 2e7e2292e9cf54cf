package io.hankyo.protocol.judgment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The valid-call judgment rules (成果判定) of a tracking number or advertiser (issue 4, spec section 5), as checked by
 * {@link JudgmentRulesParser} and applied by {@link Judge} when a call ends. Stored as Jackson JSON in journal events;
 * the JSON of this record is the document shape itself (absent optional parts are left out), so {@code
 * JudgmentRulesParser.parse} of it gives an equal record. Versions are kept by the owner (like call flows).
 *
 * <pre>{@code
 * {"min_talk_sec": 30,
 *  "duplicate": {"scope": "advertiser", "period_sec": 86400, "count_withheld": false, "earlier_calls": "connected"},
 *  "ivr_match": "last",
 *  "ivr": [{"digits": "1", "min_talk_sec": 60}, {"digits": "9", "valid": false}],
 *  "post_call_button": {"prompt": "rate-call", "timeout_sec": 10, "valid_digits": ["1"], "invalid_digits": ["2"]}}
 * }</pre>
 *
 * @param minTalkSec {@code min_talk_sec}: a connected call is valid only when its {@code talking_sec} (seconds from
 *     answer to end) is at least this many seconds; 0 accepts every connected call; 0 to {@value
 *     JudgmentRulesParser#MAX_TALK_SEC}
 * @param duplicate {@code duplicate}: duplicate exclusion; null for none
 * @param ivrMatch {@code ivr_match}: which menu input of the call the {@code ivr} rules look at (default {@link
 *     IvrMatch#LAST})
 * @param ivr {@code ivr}: rules on the keys pressed in the call flow's menus, tried in document order; empty for none
 * @param postCallButton {@code post_call_button}: the callee's verdict after the caller hung up; null for none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JudgmentRules(
    @JsonProperty("min_talk_sec") int minTalkSec,
    @JsonProperty("duplicate") Duplicate duplicate,
    @JsonProperty("ivr_match") IvrMatch ivrMatch,
    @JsonProperty("ivr") List<IvrRule> ivr,
    @JsonProperty("post_call_button") PostCallButton postCallButton)
    implements JsonSerializable {

  /** Checks the parts; a null {@code ivrMatch} is {@link IvrMatch#LAST}, a null {@code ivr} is empty. */
  public JudgmentRules {
    if (minTalkSec < 0) {
      throw new IllegalArgumentException("min_talk_sec must not be negative: " + minTalkSec);
    }
    ivrMatch = ivrMatch == null ? IvrMatch.LAST : ivrMatch;
    ivr = ivr == null ? List.of() : List.copyOf(ivr);
    Set<String> seen = new HashSet<>();
    for (IvrRule r : ivr) {
      if (!seen.add(r.digits())) {
        throw new IllegalArgumentException("two ivr rules for digits " + r.digits());
      }
    }
  }

  /** Rules with a seconds threshold only (有効コール判定 without duplicate exclusion). */
  public static JudgmentRules threshold(int minTalkSec) {
    return new JudgmentRules(minTalkSec, null, null, List.of(), null);
  }

  /** Which earlier calls' area counts for duplicates (issue 4). */
  public enum Scope {
    /** Earlier calls to the same tracking number ({@code dialin_id}) ({@code "number"}). */
    @JsonProperty("number")
    NUMBER,
    /** Earlier calls to any tracking number of the same advertiser ({@code client_id}) ({@code "advertiser"}). */
    @JsonProperty("advertiser")
    ADVERTISER;

    /** The JSON name, e.g. {@code number}. */
    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Which earlier calls make a later one a duplicate. */
  public enum EarlierCalls {
    /** Every earlier connected (answered) call, whatever its own judgment ({@code "connected"}, the default). */
    @JsonProperty("connected")
    CONNECTED,
    /**
     * Only earlier calls judged valid ({@code "valid"}): a caller whose first call was too short still counts once.
     * Re-judgment must then judge a range in arrival order.
     */
    @JsonProperty("valid")
    VALID;

    /** The JSON name, e.g. {@code connected}. */
    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Which menu input of a call (one entry of {@code logvars.ivr_digits}) the IVR rules look at. */
  public enum IvrMatch {
    /**
     * The last input only ({@code "last"}, the default): with {@code ivr_digits} {@code "9,1"} (an invalid 9, then
     * 1 on the retry) the rule for {@code 1} decides; inputs of earlier menus are ignored.
     */
    @JsonProperty("last")
    LAST,
    /**
     * Any input ({@code "any"}): the first rule, in document order, whose digits equal some input decides (for
     * flows whose deciding menu is not the last one).
     */
    @JsonProperty("any")
    ANY;

    /** The JSON name, e.g. {@code last}. */
    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * {@code duplicate}: a connected call from the same caller as an earlier call of the scope within {@code
   * period_sec} of real elapsed time (not calendar days: calls at 23:59:30 and 00:00:30 JST are 60 s apart) is
   * 無効(重複) (issue 4, spec section 5). The caller is the keyed hash of its number (P-Asserted-Identity when From is
   * withheld), computed upstream.
   *
   * @param scope {@code scope}: {@code "number"} or {@code "advertiser"}; required
   * @param periodSec {@code period_sec}: the period in seconds, e.g. 86400 (24 h), 604800 (7 days), 2592000 (30
   *     days); a call is a duplicate when less than this many seconds passed since the earlier call's arrival
   *     (exactly {@code period_sec} later is not a duplicate); {@value JudgmentRulesParser#MIN_PERIOD_SEC} to {@value
   *     JudgmentRulesParser#MAX_PERIOD_SEC}
   * @param countWithheld {@code count_withheld}: when true, callers without any identity (withheld, no
   *     P-Asserted-Identity) count as one caller, so a second such call within the period is a duplicate; when
   *     false (default) they are never duplicates
   * @param earlierCalls {@code earlier_calls}: which earlier calls count (default {@link EarlierCalls#CONNECTED})
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Duplicate(
      @JsonProperty("scope") Scope scope,
      @JsonProperty("period_sec") long periodSec,
      @JsonProperty("count_withheld") boolean countWithheld,
      @JsonProperty("earlier_calls") EarlierCalls earlierCalls)
      implements JsonSerializable {
    /** Checks the parts; a null {@code earlierCalls} is {@link EarlierCalls#CONNECTED}. */
    public Duplicate {
      Objects.requireNonNull(scope, "scope");
      if (periodSec <= 0) {
        throw new IllegalArgumentException("period_sec must be positive: " + periodSec);
      }
      earlierCalls = earlierCalls == null ? EarlierCalls.CONNECTED : earlierCalls;
    }

    /** The period as a duration. */
    public Duration period() {
      return Duration.ofSeconds(periodSec);
    }
  }

  /**
   * One {@code ivr} rule (IVR + seconds, spec section 5): the keys of one menu input and what they mean.
   *
   * @param digits {@code digits}: the keys of one menu input as in {@code logvars.ivr_digits}, 1 to 16 characters of
   *     {@code 0-9 * #} (e.g. {@code "1"}, {@code "23"}); required, unique among the rules
   * @param minTalkSec {@code min_talk_sec}: the threshold in seconds for calls this rule matches, instead of the
   *     top-level one; null to keep the top-level one; only with {@code valid} true
   * @param valid {@code valid}: false makes a matching call 無効(IVR) whatever its seconds; default true; never null
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record IvrRule(
      @JsonProperty("digits") String digits,
      @JsonProperty("min_talk_sec") Integer minTalkSec,
      @JsonProperty("valid") Boolean valid)
      implements JsonSerializable {
    /** Checks the parts; a null {@code valid} (left out of the JSON) is true, as in a document. */
    public IvrRule {
      Objects.requireNonNull(digits, "digits");
      valid = valid == null ? Boolean.TRUE : valid;
      if (!valid && minTalkSec != null) {
        throw new IllegalArgumentException("an invalid ivr rule has no threshold");
      }
      if (minTalkSec != null && minTalkSec < 0) {
        throw new IllegalArgumentException("min_talk_sec must not be negative: " + minTalkSec);
      }
    }
  }

  /**
   * {@code post_call_button} (spec section 5): when the caller hangs up, the callee stays on the line, hears {@code
   * prompt} and presses one key within {@code timeout_sec}. A key of {@code valid_digits} makes the call 有効, one of
   * {@code invalid_digits} 無効(ボタン), over every other rule; no key, or another key, leaves the other rules to
   * decide.
   *
   * @param prompt {@code prompt}: the prompt name played to the callee (1-64 characters of {@code A-Z a-z 0-9 _ .
   *     -}); required
   * @param timeoutSec {@code timeout_sec}: seconds to wait for the key after the prompt, 1 to {@value
   *     JudgmentRulesParser#MAX_BUTTON_TIMEOUT_SEC} (default {@value #DEFAULT_TIMEOUT_SEC})
   * @param validDigits {@code valid_digits}: single keys ({@code 0-9 * #}) that mean valid; at least one
   * @param invalidDigits {@code invalid_digits}: single keys that mean invalid; may be empty; none also valid
   */
  public record PostCallButton(
      @JsonProperty("prompt") String prompt,
      @JsonProperty("timeout_sec") int timeoutSec,
      @JsonProperty("valid_digits") List<String> validDigits,
      @JsonProperty("invalid_digits") List<String> invalidDigits)
      implements JsonSerializable {
    /** Default of {@code timeout_sec}. */
    public static final int DEFAULT_TIMEOUT_SEC = 10;

    /** Checks the parts; a null {@code invalidDigits} is empty. */
    public PostCallButton {
      Objects.requireNonNull(prompt, "prompt");
      validDigits = List.copyOf(Objects.requireNonNull(validDigits, "validDigits"));
      invalidDigits = invalidDigits == null ? List.of() : List.copyOf(invalidDigits);
      if (validDigits.isEmpty()) {
        throw new IllegalArgumentException("a post-call button needs at least one valid key");
      }
      if (timeoutSec <= 0) {
        throw new IllegalArgumentException("timeout_sec must be positive: " + timeoutSec);
      }
      for (String k : invalidDigits) {
        if (validDigits.contains(k)) {
          throw new IllegalArgumentException("key " + k + " is both valid and invalid");
        }
      }
    }

    /** The timeout in milliseconds. */
    public long timeoutMillis() {
      return timeoutSec * 1000L;
    }
  }
}
