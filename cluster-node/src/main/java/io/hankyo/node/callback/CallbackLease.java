package io.hankyo.node.callback;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.privacy.EncryptedValue;
import java.time.Instant;
import java.util.Objects;

/**
 * One lease of a callback number (折返し通話トラッキング, issue 4, spec section 4): for {@code [leasedAt, until)} a call to
 * {@code number} is forwarded to the caller of the missed call {@code origTrnId}.
 *
 * @param number the callback number (from the operator's {@link CallbackPool})
 * @param operatorId the operator owning the pool
 * @param origTrnId {@code trn_id} of the missed call the notification was about
 * @param clientId {@code client_id} of the advertiser that missed the call
 * @param dialinId {@code dialin_id} of the tracking number that was called
 * @param callerCipher the caller number of the missed call, encrypted exactly as the call log's {@code clr_id_cipher}
 *     (E.164 plaintext); never stored decrypted
 * @param leasedAt when the lease was granted
 * @param until when it ends (exclusive): {@code leasedAt} + the pool's {@code hold_sec}
 */
public record CallbackLease(
    @JsonProperty("number") PhoneNumber number,
    @JsonProperty("operator_id") String operatorId,
    @JsonProperty("orig_trn_id") String origTrnId,
    @JsonProperty("client_id") String clientId,
    @JsonProperty("dialin_id") String dialinId,
    @JsonProperty("caller_cipher") EncryptedValue callerCipher,
    @JsonProperty("leased_at") Instant leasedAt,
    @JsonProperty("until") Instant until)
    implements JsonSerializable {
  @JsonCreator
  public CallbackLease {
    Objects.requireNonNull(number, "number");
    Objects.requireNonNull(operatorId, "operatorId");
    Objects.requireNonNull(origTrnId, "origTrnId");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(dialinId, "dialinId");
    Objects.requireNonNull(callerCipher, "callerCipher");
    Objects.requireNonNull(leasedAt, "leasedAt");
    Objects.requireNonNull(until, "until");
  }

  /** Whether the lease still holds its number at {@code now}. */
  public boolean activeAt(Instant now) {
    return now.isBefore(until);
  }
}
