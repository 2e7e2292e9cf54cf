package io.hankyo.protocol.call;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.number.PhoneNumber;
import java.time.Instant;
import java.util.Objects;

/**
 * A new call at the gateway: an INVITE (RFC 3261 section 13.3) for a tracking number, answered with 100 Trying.
 *
 * @param trnId {@code trn_id}, 24 lowercase hex characters, made by the gateway (96 random bits); the Call entity id
 * @param sipCallId the caller leg's Call-ID (diagnostics only)
 * @param gatewayNode address of the node whose gateway holds the SIP dialogs
 * @param dialled the tracking number from the Request-URI (raw = the decoded user part)
 * @param caller the caller, encrypted
 * @param arrivedAt when the INVITE arrived ({@code din_tms})
 */
public record CallArrival(
    @JsonProperty("trn_id") String trnId,
    @JsonProperty("sip_call_id") String sipCallId,
    @JsonProperty("gateway_node") String gatewayNode,
    @JsonProperty("dialled") PhoneNumber dialled,
    @JsonProperty("caller") CallerInfo caller,
    @JsonProperty("arrived_at") Instant arrivedAt)
    implements JsonSerializable {
  /** {@code trn_id} syntax: 24 lowercase hexadecimal characters (spec section 6). */
  public static final java.util.regex.Pattern TRN_ID = java.util.regex.Pattern.compile("[0-9a-f]{24}");

  public CallArrival {
    Objects.requireNonNull(trnId, "trnId");
    if (!TRN_ID.matcher(trnId).matches()) {
      throw new IllegalArgumentException("trn_id must be 24 lowercase hex characters: " + trnId);
    }
    Objects.requireNonNull(dialled, "dialled");
    Objects.requireNonNull(caller, "caller");
    Objects.requireNonNull(arrivedAt, "arrivedAt");
  }
}
