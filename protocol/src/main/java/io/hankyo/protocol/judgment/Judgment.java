package io.hankyo.protocol.judgment;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import java.util.Objects;

/**
 * The judgment of one call (issue 4, spec section 5), made by {@link Judge}; stored in events as JSON, so a
 * re-judgment can show what changed call by call.
 *
 * @param verdict the value ({@code valid}, {@code invalid_duplicate}, ...)
 * @param reason why, for people, in English, e.g. {@code "talked 29 s; at least 30 s are needed (/min_talk_sec)"}
 * @param rule the JSON Pointer, in the rules document, of the rule that decided: {@code /post_call_button} (a key
 *     pressed), {@code /ivr/0} (an invalid IVR rule), {@code /duplicate}, or the threshold the call passed or missed
 *     ({@code /min_talk_sec}, or {@code /ivr/0/min_talk_sec} when an IVR rule set it); {@code ""} when the call
 *     never connected
 * @param earlierTrnId for {@link Verdict#INVALID_DUPLICATE}, the {@code trn_id} of the earlier call; else null
 */
public record Judgment(
    @JsonProperty("verdict") Verdict verdict,
    @JsonProperty("reason") String reason,
    @JsonProperty("rule") String rule,
    @JsonProperty("earlier_trn_id") String earlierTrnId)
    implements JsonSerializable {
  /** Checks the parts. */
  public Judgment {
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(rule, "rule");
  }

  /** The value of {@code logvars.valid_res}: the Japanese label, or null when the call has none. */
  public String validRes() {
    return verdict.validRes();
  }
}
