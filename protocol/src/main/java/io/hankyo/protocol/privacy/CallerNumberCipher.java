package io.hankyo.protocol.privacy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts and decrypts caller numbers (personal data) and derives a keyed hash for equality tests without
 * decryption (design-notes.md section 6).
 *
 * <ul>
 *   <li>Encryption: AES-GCM, 256-bit keys, 96-bit random nonce, 128-bit tag; the key id is bound as additional
 *       authenticated data, so a ciphertext cannot be passed off under another key id.
 *   <li>Keyed hash: HMAC-SHA256 with a separate hash key over the E.164 number, hex encoded; stable across key
 *       rotation of the encryption keys so that duplicate detection keeps working.
 * </ul>
 *
 * Keys are given as base64 of 32 bytes. Thread-safe.
 */
public final class CallerNumberCipher {
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, SecretKeySpec> keys;
  private final String activeKeyId;
  private final SecretKeySpec hashKey;

  /**
   * @param keysById every key that may have encrypted stored data, id → base64 of 32 bytes
   * @param activeKeyId the key used for new encryptions; must be in {@code keysById}
   * @param hashKeyBase64 base64 of at least 32 bytes, the HMAC key of {@link #keyedHash(String)}
   * @throws IllegalArgumentException when a key is not base64 of 32 bytes or the active key is missing
   */
  public CallerNumberCipher(Map<String, String> keysById, String activeKeyId, String hashKeyBase64) {
    Objects.requireNonNull(keysById, "keysById");
    Map<String, SecretKeySpec> k = new LinkedHashMap<>();
    keysById.forEach((id, b64) -> k.put(id, new SecretKeySpec(decodeKey(id, b64, 32, 32), "AES")));
    if (!k.containsKey(activeKeyId)) {
      throw new IllegalArgumentException("active privacy key '" + activeKeyId + "' is not among the keys " + k.keySet());
    }
    this.keys = Map.copyOf(k);
    this.activeKeyId = activeKeyId;
    this.hashKey = new SecretKeySpec(decodeKey("hash-key", hashKeyBase64, 32, 64), "HmacSHA256");
  }

  /** The id of the key new values are encrypted with. */
  public String activeKeyId() {
    return activeKeyId;
  }

  /** Encrypts UTF-8 text (a caller number in E.164) with the active key. */
  public EncryptedValue encrypt(String plaintext) {
    Objects.requireNonNull(plaintext, "plaintext");
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      RANDOM.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, keys.get(activeKeyId), new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(activeKeyId.getBytes(StandardCharsets.UTF_8));
      byte[] ct = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      byte[] out = ByteBuffer.allocate(nonce.length + ct.length).put(nonce).put(ct).array();
      return new EncryptedValue(activeKeyId, Base64.getEncoder().encodeToString(out));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /**
   * Decrypts a value.
   *
   * @throws UnknownKeyException when the key id is not configured (rotated out or shredded)
   * @throws IllegalArgumentException when the data is not valid base64 or fails authentication (tampered)
   */
  public String decrypt(EncryptedValue value) {
    SecretKeySpec key = keys.get(value.keyId());
    if (key == null) {
      throw new UnknownKeyException(value.keyId());
    }
    try {
      byte[] all = Base64.getDecoder().decode(value.data());
      if (all.length < NONCE_BYTES + TAG_BITS / 8) {
        throw new IllegalArgumentException("encrypted value is too short");
      }
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
      c.updateAAD(value.keyId().getBytes(StandardCharsets.UTF_8));
      byte[] pt = c.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES);
      return new String(pt, StandardCharsets.UTF_8);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new IllegalArgumentException("encrypted value failed authentication", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /** HMAC-SHA256 of the text (normalize to E.164 first), 64 lowercase hex characters. */
  public String keyedHash(String plaintext) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(hashKey);
      return HexFormat.of().formatHex(mac.doFinal(plaintext.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static byte[] decodeKey(String id, String b64, int min, int max) {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(Objects.requireNonNull(b64, id).strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("privacy key '" + id + "' is not base64", e);
    }
    if (raw.length < min || raw.length > max) {
      throw new IllegalArgumentException(
          "privacy key '" + id + "' must be " + min + (max > min ? "-" + max : "") + " bytes, got " + raw.length);
    }
    return raw;
  }

  /** The key id of an encrypted value is not configured on this node. */
  public static final class UnknownKeyException extends IllegalStateException {
    public UnknownKeyException(String keyId) {
      super("privacy key '" + keyId + "' is not configured (rotated out or deleted)");
    }
  }
}
