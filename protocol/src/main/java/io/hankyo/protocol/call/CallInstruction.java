package io.hankyo.protocol.call;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.hankyo.protocol.JsonSerializable;

/**
 * An order from the Call entity (the brain) to the gateway that holds the call's SIP dialogs (the body), e.g. when a
 * timer of the entity fires. Safe to receive twice: the gateway ignores orders for calls or attempts it no longer has.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = CallInstruction.CancelForward.class, name = "cancel-forward"),
  @JsonSubTypes.Type(value = CallInstruction.Release.class, name = "release")
})
public sealed interface CallInstruction extends JsonSerializable {
  /** The call's {@code trn_id}. */
  String trnId();

  /**
   * Stop ringing the destination of {@code attempt}: CANCEL it (RFC 3261 section 9) and answer the caller
   * (480 Temporarily Unavailable for {@link EndCause#NO_ANSWER}). The gateway then reports
   * {@link CallProgress.Ended}.
   */
  record CancelForward(
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("attempt") int attempt,
      @JsonProperty("cause") EndCause cause)
      implements CallInstruction {}

  /** Release the whole call now, whatever its state (BYE/CANCEL/final response as fits), then report it ended. */
  record Release(@JsonProperty("trn_id") String trnId, @JsonProperty("cause") EndCause cause)
      implements CallInstruction {}
}
