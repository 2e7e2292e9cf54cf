package io.hankyo.protocol.privacy;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import java.util.Objects;

/**
 * Personal data (a caller number) encrypted with AES-256-GCM (NIST SP 800-38D).
 *
 * @param keyId id of the key that encrypted it (from {@code hankyo.privacy.keys}); kept beside the ciphertext so
 *     keys can rotate and a deleted key shreds everything it encrypted
 * @param data base64 (RFC 4648, no line breaks) of a 12-byte random nonce followed by the ciphertext and the
 *     16-byte tag
 */
public record EncryptedValue(@JsonProperty("key_id") String keyId, @JsonProperty("data") String data)
    implements JsonSerializable {
  public EncryptedValue {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(data, "data");
  }

  @Override
  public String toString() {
    return "EncryptedValue[" + keyId + "]";
  }
}
