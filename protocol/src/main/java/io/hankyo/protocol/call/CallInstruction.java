package io.hankyo.protocol.call;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.number.PhoneNumber;

/**
 * An order from the Call entity (the brain) to the gateway that holds the call's SIP dialogs (the body), e.g. when a
 * timer of the entity fires. Safe to receive twice: the gateway ignores orders for calls or attempts it no longer has.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = CallInstruction.CancelForward.class, name = "cancel-forward"),
  @JsonSubTypes.Type(value = CallInstruction.Release.class, name = "release"),
  @JsonSubTypes.Type(value = CallInstruction.Forward.class, name = "forward"),
  @JsonSubTypes.Type(value = CallInstruction.PlayPrompt.class, name = "play-prompt"),
  @JsonSubTypes.Type(value = CallInstruction.StopPrompt.class, name = "stop-prompt"),
  @JsonSubTypes.Type(value = CallInstruction.AnswerWithMedia.class, name = "answer-with-media")
})
public sealed interface CallInstruction extends JsonSerializable {
  /** The call's {@code trn_id}. */
  String trnId();

  /**
   * Stop ringing the destination of {@code attempt}: CANCEL it (RFC 3261 section 9) and answer the caller
   * (480 Temporarily Unavailable for {@link EndCause#NO_ANSWER}). The gateway then reports
   * {@link CallProgress.Ended}. For a forward with {@link RouteDecision.Forward#holdCallerOnFailure()} the caller is
   * not answered: the gateway reports {@link CallProgress.LegFailed} (NO_ANSWER) and waits for the next instruction.
   */
  record CancelForward(
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("attempt") int attempt,
      @JsonProperty("cause") EndCause cause)
      implements CallInstruction {}

  /** Release the whole call now, whatever its state (BYE/CANCEL/final response as fits), then report it ended. */
  record Release(@JsonProperty("trn_id") String trnId, @JsonProperty("cause") EndCause cause)
      implements CallInstruction {}

  /**
   * Sequential forwarding (順次転送, issue 3): ring the next destination for the caller who is still waiting after
   * {@link CallProgress.LegFailed}. A new forward leg (new Call-ID, same caller leg); reports carry {@code attempt}.
   * Ignored when the call has ended or the attempt is not newer than the gateway's current one.
   *
   * @param attempt the new attempt number (greater than every earlier one)
   * @param destination the number to call
   * @param ringTimeoutMillis how long the entity lets it ring (milliseconds)
   * @param holdCallerOnFailure as in {@link RouteDecision.Forward#holdCallerOnFailure()}
   */
  record Forward(
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("attempt") int attempt,
      @JsonProperty("destination") PhoneNumber destination,
      @JsonProperty("ring_timeout_ms") long ringTimeoutMillis,
      @JsonProperty("hold_caller_on_failure") boolean holdCallerOnFailure)
      implements CallInstruction {}

  /**
   * Play a guidance prompt to the caller, whose media the gateway anchors ({@link RouteDecision.AnswerWithMedia}).
   * The gateway looks the prompt up by operator and name (uploaded with {@code PUT /v1/prompts/{name}}), replaces any
   * prompt still playing, and reports {@link CallProgress.PromptFinished} with {@code token} when it has played to its
   * end (a looping prompt never finishes by itself) or could not be played (missing prompt: {@code played = false}).
   * Digits pressed while it plays are reported as {@link CallProgress.Digit}; stopping it is the entity's decision
   * ({@link StopPrompt}). Ignored when the call has ended or its media is not anchored.
   *
   * @param operatorId the prompt's owner
   * @param prompt the prompt's name
   * @param loop true to repeat it until stopped (queue hold music)
   * @param token identifies this playing in the report; increases within a call
   */
  record PlayPrompt(
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("prompt") String prompt,
      @JsonProperty("loop") boolean loop,
      @JsonProperty("token") long token)
      implements CallInstruction {}

  /** Stop the prompt of {@code token} if it still plays (barge-in); no report follows for it. */
  record StopPrompt(@JsonProperty("trn_id") String trnId, @JsonProperty("token") long token)
      implements CallInstruction {}

  /**
   * Answer the caller now with the gateway's own media, as {@link RouteDecision.AnswerWithMedia} does for a call's
   * first step, for a caller still waiting after a failed forward leg (e.g. a {@code failed} step that plays a
   * prompt). Reported with {@link CallProgress.MediaAnswered}; ignored when the caller is already answered.
   */
  record AnswerWithMedia(@JsonProperty("trn_id") String trnId) implements CallInstruction {}
}
