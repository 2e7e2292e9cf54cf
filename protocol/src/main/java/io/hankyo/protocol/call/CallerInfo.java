package io.hankyo.protocol.call;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.calllog.DeviceType;
import io.hankyo.protocol.privacy.EncryptedValue;

/**
 * The caller as the gateway saw it, already encrypted (caller numbers never cross to the cluster in clear text).
 *
 * @param number the From number in E.164, encrypted; null when withheld or not a phone number
 * @param numberHash keyed hash (HMAC-SHA256 hex) of the E.164 From number, for duplicate detection; null with number
 * @param assertedIdentity the P-Asserted-Identity number (RFC 3325), encrypted; kept for duplicate detection of
 *     withheld callers, never shown; null when absent
 * @param assertedHash keyed hash of the P-Asserted-Identity number; null when absent
 * @param type {@code clr_type}: {@link DeviceType#WITHHELD} when the caller withheld the number (anonymous From or
 *     {@code Privacy: id}, RFC 3323/3325)
 * @param unreadableNumber the From user part as received (at most 64 characters), encrypted, when it is not a phone
 *     number and the caller did not withhold it: the call log shows it as the caller with {@code clr_type} 不明
 *     instead of nothing; null otherwise (and in events written before it existed)
 */
public record CallerInfo(
    @JsonProperty("number") EncryptedValue number,
    @JsonProperty("number_hash") String numberHash,
    @JsonProperty("asserted_identity") EncryptedValue assertedIdentity,
    @JsonProperty("asserted_hash") String assertedHash,
    @JsonProperty("type") DeviceType type,
    @JsonProperty("unreadable_number") EncryptedValue unreadableNumber)
    implements JsonSerializable {
  @JsonCreator
  public CallerInfo {
    type = type == null ? DeviceType.UNKNOWN : type;
  }

  /** A caller whose From is a number, withheld, or absent (no unreadable user part). */
  public CallerInfo(
      EncryptedValue number, String numberHash, EncryptedValue assertedIdentity, String assertedHash, DeviceType type) {
    this(number, numberHash, assertedIdentity, assertedHash, type, null);
  }

  /**
   * What the call log shows as the caller ({@code clr_id_cipher}, encrypted): the number, else the unreadable From
   * user part; null when withheld (spec section 6: empty for 非通知).
   */
  public EncryptedValue shownCaller() {
    if (withheld()) {
      return null;
    }
    return number != null ? number : unreadableNumber;
  }

  /** True when the caller withheld the number (非通知). */
  public boolean withheld() {
    return type == DeviceType.WITHHELD;
  }
}
