package io.hankyo.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.hankyo.node.notify.WebhookSignature.Verification;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The webhook signature scheme ({@link WebhookSignature}, issue 4). */
class WebhookSignatureTest {
  private static final byte[] SECRET = "whsec_test".getBytes(StandardCharsets.UTF_8);
  private static final byte[] BODY = "{\"trn_id\":\"t-1\",\"event\":\"call_ended\"}".getBytes(StandardCharsets.UTF_8);
  private static final long T = 1_767_225_600L; // 2026-01-01T00:00:00Z

  /**
   * Known vector, computed independently with OpenSSL:
   * {@code printf '%s' '1767225600.{"trn_id":"t-1","event":"call_ended"}' | openssl dgst -sha256 -hmac whsec_test}.
   */
  @Test
  void knownVector() {
    assertEquals("t=1767225600,v1=43e4eecdff05ddf3e7b5576a6e3c07fc246cddb2cfe88da81df973077dfd5b45",
        WebhookSignature.header(SECRET, T, BODY));
  }

  @Test
  void verifiesWithinToleranceOnly() {
    String header = WebhookSignature.header(SECRET, T, BODY);
    assertEquals(Verification.VALID, WebhookSignature.verify(header, BODY, SECRET, T, 300));
    assertEquals(Verification.VALID, WebhookSignature.verify(header, BODY, SECRET, T + 300, 300));
    assertEquals(Verification.VALID, WebhookSignature.verify(header, BODY, SECRET, T - 300, 300));
    assertEquals(Verification.EXPIRED, WebhookSignature.verify(header, BODY, SECRET, T + 301, 300));
    assertEquals(Verification.EXPIRED, WebhookSignature.verify(header, BODY, SECRET, T - 301, 300));
  }

  @Test
  void tamperingIsDetected() {
    String header = WebhookSignature.header(SECRET, T, BODY);
    byte[] tampered = "{\"trn_id\":\"t-2\",\"event\":\"call_ended\"}".getBytes(StandardCharsets.UTF_8);
    assertEquals(Verification.MISMATCH, WebhookSignature.verify(header, tampered, SECRET, T, 300));
    assertEquals(Verification.MISMATCH,
        WebhookSignature.verify(header, BODY, "other".getBytes(StandardCharsets.UTF_8), T, 300));
    // Moving t to look fresh breaks the signature: t is signed.
    String moved = header.replace("t=" + T, "t=" + (T + 1000));
    assertEquals(Verification.MISMATCH, WebhookSignature.verify(moved, BODY, SECRET, T + 1000, 300));
  }

  @Test
  void malformedHeadersAndRotation() {
    assertEquals(Verification.MALFORMED, WebhookSignature.verify(null, BODY, SECRET, T, 300));
    assertEquals(Verification.MALFORMED, WebhookSignature.verify("v1=abc", BODY, SECRET, T, 300));
    assertEquals(Verification.MALFORMED, WebhookSignature.verify("t=12", BODY, SECRET, T, 300));
    assertEquals(Verification.MALFORMED, WebhookSignature.verify("t=x,v1=ab", BODY, SECRET, T, 300));
    // Several v1 entries (a secret rotation): one matching entry suffices.
    String good = WebhookSignature.hmacHex(SECRET, T, BODY);
    assertEquals(Verification.VALID,
        WebhookSignature.verify("t=" + T + ",v1=" + "0".repeat(64) + ",v1=" + good, BODY, SECRET, T, 300));
    assertThrows(IllegalArgumentException.class, () -> WebhookSignature.header(new byte[0], T, BODY));
  }
}
