package io.hankyo.protocol.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CallerNumberCipherTest {
  private static final String K1 = key('a');
  private static final String K2 = key('b');
  private static final String H = key('h');

  private static String key(char c) {
    return Base64.getEncoder().encodeToString(String.valueOf(c).repeat(32).getBytes());
  }

  @Test
  void roundTripsAndHidesThePlaintext() {
    var cipher = new CallerNumberCipher(Map.of("k1", K1), "k1", H);
    EncryptedValue v = cipher.encrypt("+819011112222");
    assertEquals("k1", v.keyId());
    assertFalse(v.data().contains("9011112222"));
    assertEquals("+819011112222", cipher.decrypt(v));
    assertNotEquals(v.data(), cipher.encrypt("+819011112222").data(), "random nonce per encryption");
  }

  @Test
  void rotatedKeysStillDecryptOldValues() {
    var old = new CallerNumberCipher(Map.of("k1", K1), "k1", H);
    EncryptedValue v = old.encrypt("+81312345678");
    var rotated = new CallerNumberCipher(Map.of("k1", K1, "k2", K2), "k2", H);
    assertEquals("+81312345678", rotated.decrypt(v));
    assertEquals("k2", rotated.encrypt("x").keyId());
  }

  @Test
  void shreddedKeyAndTamperingAreRefused() {
    var cipher = new CallerNumberCipher(Map.of("k1", K1), "k1", H);
    EncryptedValue v = cipher.encrypt("+81312345678");
    var shredded = new CallerNumberCipher(Map.of("k2", K2), "k2", H);
    assertThrows(CallerNumberCipher.UnknownKeyException.class, () -> shredded.decrypt(v));
    // the key id is authenticated: the same bytes under another id do not decrypt
    var both = new CallerNumberCipher(Map.of("k1", K1, "k2", K1), "k1", H);
    assertThrows(IllegalArgumentException.class, () -> both.decrypt(new EncryptedValue("k2", v.data())));
  }

  @Test
  void keyedHashIsStableAndKeyDependent() {
    var a = new CallerNumberCipher(Map.of("k1", K1), "k1", H);
    var b = new CallerNumberCipher(Map.of("k2", K2), "k2", H);
    assertEquals(a.keyedHash("+81312345678"), b.keyedHash("+81312345678"), "independent of the encryption key");
    var c = new CallerNumberCipher(Map.of("k1", K1), "k1", key('z'));
    assertNotEquals(a.keyedHash("+81312345678"), c.keyedHash("+81312345678"));
    assertEquals(64, a.keyedHash("x").length());
  }

  @Test
  void badKeysAreRejectedAtConstruction() {
    assertThrows(IllegalArgumentException.class, () -> new CallerNumberCipher(Map.of("k1", "short"), "k1", H));
    assertThrows(IllegalArgumentException.class, () -> new CallerNumberCipher(Map.of("k1", K1), "k9", H));
  }
}
