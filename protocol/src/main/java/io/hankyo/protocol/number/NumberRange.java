package io.hankyo.protocol.number;

import java.util.Optional;

/**
 * The number ranges the service offers as tracking numbers (spec section 2), used to classify inventory numbers
 * (issue 5). A range is recognised by the national digits' prefix and length:
 *
 * <ul>
 *   <li>{@link #R0120}: 0120 free call, 10 digits ({@code 0120-XXX-XXX}), {@link NumberKind#FREE_CALL};
 *   <li>{@link #R0800}: 0800 free call, 11 digits ({@code 0800-XXX-XXXX}), {@link NumberKind#FREE_CALL};
 *   <li>{@link #R0078}: 0078 free call, 12–20 digits by the spec, {@link NumberKind#FREE_CALL}. Only 12–17 digits can
 *       be accepted: libphonenumber (and E.164, at most 15 digits after {@code +}) stops at 17 national digits, so an
 *       18–20 digit 0078 number is refused by {@link PhoneNumbers#parse} before it gets here;
 *   <li>{@link #R050}: 050 IP phone, 11 digits ({@code 050-XXXX-XXXX}), {@link NumberKind#IP_PHONE}.
 * </ul>
 */
public enum NumberRange {
  R0120("0120", 10, 10),
  R0800("0800", 11, 11),
  R0078("0078", 12, 20),
  R050("050", 11, 11);

  private final String prefix;
  private final int minDigits;
  private final int maxDigits;

  NumberRange(String prefix, int minDigits, int maxDigits) {
    this.prefix = prefix;
    this.minDigits = minDigits;
    this.maxDigits = maxDigits;
  }

  /** The range's name as the API writes it, e.g. {@code "0120"}. */
  public String label() {
    return prefix;
  }

  /** The range named {@code label} ({@code "0120"}, {@code "0800"}, {@code "0078"}, {@code "050"}), or empty. */
  public static Optional<NumberRange> byLabel(String label) {
    for (NumberRange r : values()) {
      if (r.prefix.equals(label)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /**
   * The range of a parsed number.
   *
   * @return the range
   * @throws InvalidPhoneNumberException when the number is outside Japan or in none of the four ranges (e.g. a mobile
   *     or geographic number), or has a length the range does not have; the message names the number and the
   *     ranges offered
   */
  public static NumberRange of(PhoneNumber n) {
    String digits = n.nationalDigits();
    if (!n.e164().startsWith("+81") || digits.startsWith("+")) {
      throw new InvalidPhoneNumberException(n.raw(), n.national() + " is not a Japanese number; the inventory "
          + "takes 0120, 0800, 0078 and 050 numbers");
    }
    for (NumberRange r : values()) {
      if (digits.startsWith(r.prefix)) {
        if (digits.length() < r.minDigits || digits.length() > r.maxDigits) {
          throw new InvalidPhoneNumberException(n.raw(), n.national() + " has " + digits.length()
              + " digits; " + r.prefix + " numbers have " + (r.minDigits == r.maxDigits ? r.minDigits
                  : r.minDigits + "–" + r.maxDigits) + " digits");
        }
        return r;
      }
    }
    throw new InvalidPhoneNumberException(n.raw(), n.national() + " is not in a tracking-number range; the inventory "
        + "takes 0120, 0800, 0078 and 050 numbers (spec section 2)");
  }
}
