package io.hankyo.protocol.call;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.recording.RecordingMode;
import io.hankyo.protocol.calllog.HangupParty;
import java.time.Instant;

/**
 * What happened to a call in the SIP layer, reported by the gateway to the Call entity. Reports are at-least-once:
 * each carries the {@code trnId} and forward {@code attempt}, and the entity ignores what it already knows.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = CallProgress.Ringing.class, name = "ringing"),
  @JsonSubTypes.Type(value = CallProgress.Answered.class, name = "answered"),
  @JsonSubTypes.Type(value = CallProgress.Ended.class, name = "ended"),
  @JsonSubTypes.Type(value = CallProgress.LegFailed.class, name = "leg-failed"),
  @JsonSubTypes.Type(value = CallProgress.MediaAnswered.class, name = "media-answered"),
  @JsonSubTypes.Type(value = CallProgress.PromptFinished.class, name = "prompt-finished"),
  @JsonSubTypes.Type(value = CallProgress.Digit.class, name = "digit"),
  @JsonSubTypes.Type(value = CallProgress.RecordingStored.class, name = "recording-stored")
})
public sealed interface CallProgress extends JsonSerializable {
  /** The call's {@code trn_id}. */
  String trnId();

  /** The destination sent 180 Ringing or 183 Session Progress (first one only). */
  record Ringing(
      @JsonProperty("trn_id") String trnId, @JsonProperty("attempt") int attempt, @JsonProperty("at") Instant at)
      implements CallProgress {}

  /** The destination answered (2xx to the forward INVITE), relayed to the caller ({@code tst_tms}). */
  record Answered(
      @JsonProperty("trn_id") String trnId, @JsonProperty("attempt") int attempt, @JsonProperty("at") Instant at)
      implements CallProgress {}

  /**
   * The call is over in the SIP layer: both legs are released.
   *
   * @param by who hung up as the gateway saw it
   * @param cause why
   * @param sipStatus the final response sent to the caller (e.g. 486, 487, 480), 0 when the call ended by BYE; for a
   *     call answered with media (the caller has the gateway's 200) whose last forward leg failed, the destination's
   *     final response (e.g. 486, 603, 404), 0 when there was none (timeout, CANCEL)
   * @param postCallDigit the key ({@code 0-9 * # A-D}) the callee pressed after the post-call button prompt
   *     (issue 4, docs/judgment.md "Post-call button"); null when there was no button phase, or no key in time, or the
   *     callee hung up first. With a button phase {@code at} is still when the caller hung up (the end of talk time);
   *     the report itself is sent after the phase. Absent from the JSON when null.
   */
  record Ended(
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("attempt") int attempt,
      @JsonProperty("at") Instant at,
      @JsonProperty("by") HangupParty by,
      @JsonProperty("cause") EndCause cause,
      @JsonProperty("sip_status") int sipStatus,
      @JsonProperty("post_call_digit") @JsonInclude(JsonInclude.Include.NON_NULL) String postCallDigit)
      implements CallProgress {
    /** The canonical constructor (Jackson's creator). */
    @JsonCreator
    public Ended {}

    /** An end without a post-call button key. */
    public Ended(String trnId, int attempt, Instant at, HangupParty by, EndCause cause, int sipStatus) {
      this(trnId, attempt, at, by, cause, sipStatus, null);
    }
  }

  /**
   * The forward leg of {@code attempt} ended without an answer while the caller is still waiting (only for forwards
   * with {@link RouteDecision.Forward#holdCallerOnFailure()}): the gateway keeps the caller's INVITE transaction
   * pending (ringback continues) and waits for {@link CallInstruction.Forward} (the next attempt) or {@link
   * CallInstruction.Release}. If neither comes in time, the gateway ends the call itself and reports {@link Ended}.
   *
   * @param cause why the leg failed: BUSY, DECLINED, UNREACHABLE, or NO_ANSWER after the entity's
   *     {@link CallInstruction.CancelForward}
   * @param sipStatus the destination's final response (e.g. 486, 603, 404), 0 when there was none (CANCEL, timeout)
   */
  record LegFailed(
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("attempt") int attempt,
      @JsonProperty("at") Instant at,
      @JsonProperty("cause") EndCause cause,
      @JsonProperty("sip_status") int sipStatus)
      implements CallProgress {}

  /**
   * The gateway answered the caller with its own media ({@link RouteDecision.AnswerWithMedia}): the caller is
   * connected from {@code at} (the start of {@code conn_sec}, spec section 6: guidance and IVR count).
   */
  record MediaAnswered(@JsonProperty("trn_id") String trnId, @JsonProperty("at") Instant at)
      implements CallProgress {}

  /**
   * The prompt of {@link CallInstruction.PlayPrompt} {@code token} ended.
   *
   * @param played false when it could not be played (no such prompt, media error); the flow goes on either way
   */
  record PromptFinished(
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("token") long token,
      @JsonProperty("at") Instant at,
      @JsonProperty("played") boolean played)
      implements CallProgress {}

  /**
   * The caller pressed a key: one DTMF digit ({@code 0-9 * # A-D}) from an RFC 4733 telephone-event (one per event,
   * however many packets carried it) or a SIP INFO ({@code application/dtmf-relay}, {@code application/dtmf}).
   *
   * @param seq the digit's number within the call (1, 2, …), so that a report sent twice counts once
   */
  record Digit(
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("digit") String digit,
      @JsonProperty("seq") int seq,
      @JsonProperty("at") Instant at)
      implements CallProgress {}

  /**
   * The call's recording (2者間通話録音, issue 4) is complete and stored: it ran from the bridge (talk start) to the
   * end of the call. Sent after {@link Ended}, and again until acknowledged, so the entity takes it once per key.
   *
   * @param key where it is in the recording store, a relative path such as {@code 2026/11/30/0a1b2c.wav}
   *     ({@code hankyo.recording.dir} for the directory store)
   * @param bytes the WAV file's size, header included
   * @param sha256 lower-case hex SHA-256 of the file
   * @param durationMillis the audio's length, ms
   * @param mode what was recorded: both (stereo, caller left), caller or callee (mono)
   * @param at when the recording was stored
   */
  record RecordingStored(
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("key") String key,
      @JsonProperty("bytes") long bytes,
      @JsonProperty("sha256") String sha256,
      @JsonProperty("duration_ms") long durationMillis,
      @JsonProperty("mode") RecordingMode mode,
      @JsonProperty("at") Instant at)
      implements CallProgress {}
}
