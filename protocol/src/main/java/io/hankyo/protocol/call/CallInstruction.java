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
  @JsonSubTypes.Type(value = CallInstruction.Forward.class, name = "forward")
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
}
