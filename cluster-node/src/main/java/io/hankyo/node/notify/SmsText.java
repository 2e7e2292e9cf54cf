package io.hankyo.node.notify;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The parts of one SMS text in UCS-2 (issue 4: "70-character UCS-2 limit handled (concatenated SMS or a clear
 * truncation rule)"). Pure; no I/O.
 *
 * <p>Japanese text is sent with data_coding 0x08 (UCS-2, SMPP 3.4 section 5.2.19), two octets per UTF-16 code unit;
 * characters outside the Basic Multilingual Plane (emoji) are sent as their UTF-16 surrogate pair (four octets), as
 * Japanese carriers and handsets render them. The short_message field holds 140 octets (3GPP TS 23.040 section 9.2.3.24
 * for the user data), so:
 *
 * <ul>
 *   <li>a text of at most {@value #SINGLE_UNITS} UTF-16 code units is one SMS without a user data header;
 *   <li>a longer text is a concatenated SMS (3GPP TS 23.040 section 9.2.3.24.1: UDH {@code 05 00 03 ref total seq},
 *       IEI 0x00, 8-bit reference): 6 octets of header leave 134 octets, {@value #PART_UNITS} code units per part. A
 *       part never ends between the two halves of a surrogate pair (such a part carries 66 units);
 *   <li>a text that needs more than {@code maxParts} parts is truncated: it is cut so that it fits in {@code maxParts}
 *       parts together with a final {@value #ELLIPSIS} (U+2026, one code unit), never between a surrogate pair. With
 *       {@code maxParts} = 1 the result is one SMS of at most 70 units (69 of text + the ellipsis).
 * </ul>
 *
 * @param parts the texts of the parts in order, each at most {@value #SINGLE_UNITS} units (one part) or {@value
 *     #PART_UNITS} units (several parts); never empty
 * @param truncated whether the text was cut (the last part then ends with {@value #ELLIPSIS})
 */
public record SmsText(List<String> parts, boolean truncated) {
  /** UTF-16 code units of a single UCS-2 SMS: 140 octets / 2. */
  public static final int SINGLE_UNITS = 70;
  /** UTF-16 code units of one part of a concatenated UCS-2 SMS: (140 - 6 octets of UDH) / 2. */
  public static final int PART_UNITS = 67;
  /** The most parts an 8-bit concatenation header can number. */
  public static final int MAX_PARTS = 255;
  /** Ends a truncated text: U+2026 HORIZONTAL ELLIPSIS. */
  public static final String ELLIPSIS = "…";
  /** data_coding of UCS-2 (SMPP 3.4 section 5.2.19). */
  public static final byte DATA_CODING_UCS2 = 0x08;
  /** esm_class bit 6, UDHI: the short message starts with a user data header (SMPP 3.4 section 5.2.12). */
  public static final byte ESM_CLASS_UDHI = 0x40;

  /** Copies the parts; @throws IllegalArgumentException when there are none */
  public SmsText {
    parts = List.copyOf(parts);
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("an SMS has at least one part");
    }
  }

  /**
   * Splits a text into parts, truncating it when it needs more than {@code maxParts}.
   *
   * @param text the text; not empty
   * @param maxParts the most parts to send, 1..{@value #MAX_PARTS} (setting {@code hankyo.notify.smpp.max-parts})
   * @throws IllegalArgumentException when the text is empty or maxParts is out of range
   */
  public static SmsText split(String text, int maxParts) {
    Objects.requireNonNull(text, "text");
    if (text.isEmpty()) {
      throw new IllegalArgumentException("an SMS text must not be empty");
    }
    if (maxParts < 1 || maxParts > MAX_PARTS) {
      throw new IllegalArgumentException("max parts must be 1.." + MAX_PARTS + ", got " + maxParts);
    }
    if (text.length() <= SINGLE_UNITS) {
      return new SmsText(List.of(text), false);
    }
    if (maxParts == 1) {
      return new SmsText(List.of(cut(text, 0, SINGLE_UNITS - 1) + ELLIPSIS), true);
    }
    List<String> parts = new ArrayList<>();
    int at = 0;
    while (at < text.length()) {
      if (parts.size() == maxParts - 1 && text.length() - at > PART_UNITS) {
        // The last allowed part and more than it can hold: cut, leaving room for the ellipsis.
        parts.add(cut(text, at, PART_UNITS - 1) + ELLIPSIS);
        return new SmsText(parts, true);
      }
      String part = cut(text, at, PART_UNITS);
      parts.add(part);
      at += part.length();
    }
    return new SmsText(parts, false);
  }

  /** At most {@code units} code units of text from {@code from}, one less when the last would be a high surrogate. */
  private static String cut(String text, int from, int units) {
    int end = Math.min(text.length(), from + units);
    if (end < text.length() && end > from && Character.isHighSurrogate(text.charAt(end - 1))
        && Character.isLowSurrogate(text.charAt(end))) {
      end--;
    }
    return text.substring(from, end);
  }

  /** Whether the text goes as a concatenated SMS (more than one part, each with a user data header). */
  public boolean concatenated() {
    return parts.size() > 1;
  }

  /** The text as it will be read: the parts joined (the input, or its truncated form ending with the ellipsis). */
  public String text() {
    return String.join("", parts);
  }

  /**
   * The short_message octets of each part: UTF-16BE, preceded for a concatenated SMS by the 6-octet user data header
   * {@code 05 00 03 reference total sequence} (sequence 1-based).
   *
   * @param reference the concatenation reference, 0..255 (the same for all parts of one message; it tells the handset
   *     which parts belong together)
   */
  public List<byte[]> shortMessages(int reference) {
    if (reference < 0 || reference > 255) {
      throw new IllegalArgumentException("the reference is 8 bits, got " + reference);
    }
    List<byte[]> out = new ArrayList<>(parts.size());
    for (int i = 0; i < parts.size(); i++) {
      byte[] body = parts.get(i).getBytes(StandardCharsets.UTF_16BE);
      if (!concatenated()) {
        out.add(body);
        continue;
      }
      byte[] pdu = new byte[6 + body.length];
      pdu[0] = 0x05; // UDH length
      pdu[1] = 0x00; // IEI: concatenated short messages, 8-bit reference
      pdu[2] = 0x03; // IE length
      pdu[3] = (byte) reference;
      pdu[4] = (byte) parts.size();
      pdu[5] = (byte) (i + 1);
      System.arraycopy(body, 0, pdu, 6, body.length);
      out.add(pdu);
    }
    return out;
  }
}
