package io.hankyo.node.notify;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of a webhook request ({@code nfy_http}, issue 4: "signed (HMAC-SHA256 over timestamp + body, header
 * with both)"). Pure; thread-safe.
 *
 * <p><b>Scheme</b> (Stripe-style). For a request whose body is the bytes {@code body}, sent at unix time {@code t}
 * (whole seconds since the epoch, UTC), with the webhook's shared secret {@code secret} (its UTF-8 bytes as the HMAC
 * key):
 *
 * <pre>
 *   signed_payload = ASCII(decimal t) || "." || body          (bytes; the body exactly as sent, not re-encoded)
 *   v1             = lowercase hex( HMAC-SHA256(key = secret, message = signed_payload) )
 *   Hankyo-Signature: t=&lt;t&gt;,v1=&lt;v1&gt;
 *   Idempotency-Key: &lt;trn_id&gt;:&lt;event&gt;                  (the same on every attempt of one notification)
 * </pre>
 *
 * A receiver recomputes {@code v1} over the raw body and the header's {@code t}, compares in constant time, and
 * rejects a {@code t} further than a tolerance (e.g. 300 s) from its own clock, which bounds replays; it de-duplicates
 * on {@code Idempotency-Key}, since delivery is at least once. Each attempt is signed afresh with its own {@code t}.
 * A header may carry several {@code v1=} entries (e.g. during a secret rotation); one matching entry suffices.
 */
public final class WebhookSignature {
  /** Name of the signature header. */
  public static final String HEADER = "Hankyo-Signature";
  /** Name of the idempotency header; its value is the delivery's entity id {@code <trn_id>:<event>}. */
  public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
  /** A receiver's usual tolerance between {@code t} and its clock: 300 seconds. */
  public static final long DEFAULT_TOLERANCE_SECONDS = 300;

  private static final HexFormat HEX = HexFormat.of();

  private WebhookSignature() {}

  /**
   * The header value {@code t=<t>,v1=<hex>}.
   *
   * @param secret the shared secret (HMAC key bytes; the UTF-8 bytes of the configured secret string)
   * @param unixSeconds the signing time in seconds since the epoch
   * @param body the request body exactly as sent
   */
  public static String header(byte[] secret, long unixSeconds, byte[] body) {
    return "t=" + unixSeconds + ",v1=" + hmacHex(secret, unixSeconds, body);
  }

  /** Lowercase hex of HMAC-SHA256(secret, "{@code <unixSeconds>}." + body). */
  public static String hmacHex(byte[] secret, long unixSeconds, byte[] body) {
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(body, "body");
    if (secret.length == 0) {
      throw new IllegalArgumentException("the webhook secret must not be empty");
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
      return HEX.formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** What {@link #verify} found. */
  public enum Verification {
    /** A {@code v1} matches and {@code t} is within the tolerance. */
    VALID,
    /** The header is missing or not of the form {@code t=<digits>,v1=<hex>[,v1=<hex>...]}. */
    MALFORMED,
    /** No {@code v1} matches the body (tampered body, wrong secret, or altered {@code t}). */
    MISMATCH,
    /** A {@code v1} matches but {@code t} is further than the tolerance from the receiver's clock (a replay?). */
    EXPIRED
  }

  /**
   * Checks a received header, for receivers and tests.
   *
   * @param header the {@value #HEADER} value (may be null)
   * @param body the raw request body
   * @param secret the shared secret
   * @param nowUnixSeconds the receiver's clock, seconds since the epoch
   * @param toleranceSeconds the largest accepted |now - t|, seconds
   */
  public static Verification verify(
      String header, byte[] body, byte[] secret, long nowUnixSeconds, long toleranceSeconds) {
    if (header == null) {
      return Verification.MALFORMED;
    }
    Long t = null;
    List<String> signatures = new ArrayList<>();
    for (String part : header.split(",")) {
      String p = part.trim();
      if (p.startsWith("t=") && t == null) {
        try {
          t = Long.parseLong(p.substring(2));
        } catch (NumberFormatException e) {
          return Verification.MALFORMED;
        }
      } else if (p.startsWith("v1=")) {
        signatures.add(p.substring(3));
      }
    }
    if (t == null || signatures.isEmpty()) {
      return Verification.MALFORMED;
    }
    byte[] expected = hmacHex(secret, t, body).getBytes(StandardCharsets.US_ASCII);
    boolean match = false;
    for (String s : signatures) {
      // Constant time over the hex text; no early return, so timing says nothing about which entry matched.
      match |= MessageDigest.isEqual(expected, s.toLowerCase().getBytes(StandardCharsets.US_ASCII));
    }
    if (!match) {
      return Verification.MISMATCH;
    }
    return Math.abs(nowUnixSeconds - t) > toleranceSeconds ? Verification.EXPIRED : Verification.VALID;
  }
}
