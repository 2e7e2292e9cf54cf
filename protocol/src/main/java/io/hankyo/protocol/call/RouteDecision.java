package io.hankyo.protocol.call;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.number.PhoneNumber;

/** The cluster's answer to a {@link CallArrival}: what the gateway does with the caller's INVITE. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = RouteDecision.Forward.class, name = "forward"),
  @JsonSubTypes.Type(value = RouteDecision.Reject.class, name = "reject")
})
public sealed interface RouteDecision extends JsonSerializable {

  /**
   * Send the forward leg INVITE (the B2BUA's UAC side) to {@code destination}.
   *
   * @param trnId the call
   * @param attempt 1-based forward attempt number; every later report about this leg carries it
   * @param route the tracking number's owner and destination
   * @param destination the number to call
   * @param ringTimeoutMillis how long the Call entity lets it ring (milliseconds); the entity sends
   *     {@link CallInstruction.CancelForward} when it expires
   */
  record Forward(
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("attempt") int attempt,
      @JsonProperty("route") NumberRoute route,
      @JsonProperty("destination") PhoneNumber destination,
      @JsonProperty("ring_timeout_ms") long ringTimeoutMillis)
      implements RouteDecision {}

  /**
   * Answer the caller with a final response and create nothing.
   *
   * @param sipStatus e.g. 404 for an unknown tracking number (RFC 3261 section 21.4.5)
   * @param reason the reason phrase
   */
  record Reject(@JsonProperty("sip_status") int sipStatus, @JsonProperty("reason") String reason)
      implements RouteDecision {}
}
