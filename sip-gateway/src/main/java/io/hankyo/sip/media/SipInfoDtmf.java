package io.hankyo.sip.media;

import java.util.Locale;
import java.util.Optional;

/**
 * Reads a key press from the body of a SIP INFO request (RFC 6086 carries it; the bodies are de-facto formats):
 *
 * <ul>
 *   <li>{@code application/dtmf-relay}: lines {@code Signal=5} and optionally {@code Duration=160} (ms), CRLF or LF
 *       separated, keys case-insensitive, spaces around {@code =} allowed. {@code Signal=10} and {@code 11} are taken
 *       as {@code *} and {@code #} (some gateways send the event code);
 *   <li>{@code application/dtmf}: the digit alone ({@code 5}), optionally followed by white space.
 * </ul>
 */
public final class SipInfoDtmf {
  private SipInfoDtmf() {}

  /** The content types this class reads (lower case, without parameters). */
  public static final String DTMF_RELAY = "application/dtmf-relay";

  /** See {@link #DTMF_RELAY}. */
  public static final String DTMF = "application/dtmf";

  /** True when the Content-Type (parameters allowed, any case) is one this class reads. */
  public static boolean handles(String contentType) {
    String t = mediaType(contentType);
    return DTMF_RELAY.equals(t) || DTMF.equals(t);
  }

  /**
   * The key press in an INFO body.
   *
   * @param contentType the request's Content-Type, e.g. {@code application/dtmf-relay} (parameters ignored)
   * @param body the body text (UTF-8/ASCII)
   * @return the digit with {@link DtmfDigit.Source#SIP_INFO}, or empty when the type is not one of ours
   * @throws IllegalArgumentException with a readable reason when the type is ours but the body is not a valid digit
   *     (the caller answers 400 or 415)
   */
  public static Optional<DtmfDigit> parse(String contentType, String body) {
    String type = mediaType(contentType);
    String text = body == null ? "" : body;
    if (DTMF.equals(type)) {
      return Optional.of(new DtmfDigit(digitOf(text.strip(), type), DtmfDigit.Source.SIP_INFO, -1, -1));
    }
    if (!DTMF_RELAY.equals(type)) {
      return Optional.empty();
    }
    String signal = null;
    int duration = -1;
    for (String line : text.split("\r?\n|\r")) {
      int eq = line.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String key = line.substring(0, eq).strip().toLowerCase(Locale.ROOT);
      String value = line.substring(eq + 1).strip();
      if (key.equals("signal")) {
        signal = value;
      } else if (key.equals("duration")) {
        try {
          duration = Integer.parseInt(value);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(type + ": Duration is not a number: '" + value + "'");
        }
        if (duration < 0) {
          throw new IllegalArgumentException(type + ": negative Duration: " + duration);
        }
      }
    }
    if (signal == null) {
      throw new IllegalArgumentException(type + " body has no Signal= line");
    }
    return Optional.of(new DtmfDigit(digitOf(signal, type), DtmfDigit.Source.SIP_INFO, -1, duration));
  }

  private static char digitOf(String s, String type) {
    if (s.equals("10")) {
      return '*';
    }
    if (s.equals("11")) {
      return '#';
    }
    if (s.length() == 1) {
      char c = Character.toUpperCase(s.charAt(0));
      if ("0123456789*#ABCD".indexOf(c) >= 0) {
        return c;
      }
    }
    throw new IllegalArgumentException(type + ": not a DTMF digit: '" + s + "'");
  }

  private static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
  }
}
