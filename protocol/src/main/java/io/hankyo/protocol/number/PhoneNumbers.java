package io.hankyo.protocol.number;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import com.google.i18n.phonenumbers.Phonenumber;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Parses and formats Japanese phone numbers with libphonenumber (region JP).
 *
 * <p>Accepts national forms with or without separators ({@code 0120-123-456}, {@code 0120123456}), the international
 * form ({@code +81120123456}, {@code 81120123456} is not accepted as it is ambiguous), and RFC 3966 visual separators
 * ({@code -}, {@code .}, {@code (}, {@code )}, spaces). Lengths follow the Japanese numbering plan as libphonenumber
 * encodes it: 0120 has 6 digits after the prefix, 0800 has 7, 080 (mobile) is not 0800 (free call). Thread-safe.
 */
public final class PhoneNumbers {
  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

  private PhoneNumbers() {}

  /**
   * The ASCII form of a number as people type or paste it in Japan: full-width digits, {@code ＋ － （ ）} and the
   * ideographic space become ASCII (Unicode NFKC), and the dash-like characters that input methods give for a
   * hyphen ({@code ー} U+30FC, {@code ｰ} U+FF70, U+2010–U+2015, {@code −} U+2212) become {@code -}. Anything else is
   * left for {@link #parse} to refuse.
   */
  static String asciiForm(String s) {
    String n = java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFKC);
    StringBuilder b = new StringBuilder(n.length());
    for (int i = 0; i < n.length(); i++) {
      char c = n.charAt(i);
      boolean dash = (c >= '\u2010' && c <= '\u2015') || c == '\u2212' || c == '\u30FC' || c == '\uFF70';
      b.append(dash ? '-' : c);
    }
    return b.toString();
  }

  /**
   * Parses a number entered by a user or dialled by a caller, after {@link #asciiForm} (full-width forms).
   *
   * @param input the text, e.g. {@code "0120-123-456"} or {@code "+81 3 1234 5678"}
   * @return the validated number, with {@code raw} = the input as given
   * @throws InvalidPhoneNumberException when the text is empty, not a number, or not a valid number of the plan
   */
  public static PhoneNumber parse(String input) {
    if (input == null || input.isBlank()) {
      throw new InvalidPhoneNumberException(input, "phone number is empty");
    }
    String trimmed = asciiForm(input).strip();
    if (!trimmed.matches("\\+?[0-9()\\-. ]+")) {
      throw new InvalidPhoneNumberException(
          input, quoted(input) + " is not a phone number: only digits, '+', '-', '.', '(', ')' and spaces are allowed");
    }
    if (!trimmed.startsWith("+") && !trimmed.replaceAll("[^0-9]", "").startsWith("0")) {
      // libphonenumber would read "120-123-456" as 0120-123-456; a number that is not what was typed is refused.
      throw new InvalidPhoneNumberException(input, quoted(input) + " is not a phone number: a national number starts "
          + "with 0 (e.g. 0120-123-456, 03-1234-5678), an international one with + (e.g. +81120123456)");
    }
    Phonenumber.PhoneNumber parsed;
    try {
      parsed = UTIL.parse(trimmed, "JP");
    } catch (NumberParseException e) {
      throw new InvalidPhoneNumberException(input, quoted(input) + " is not a phone number: " + e.getMessage());
    }
    if (!UTIL.isValidNumber(parsed)) {
      throw new InvalidPhoneNumberException(input, quoted(input) + " is not a valid number of the numbering plan"
          + invalidReason(parsed));
    }
    String e164 = UTIL.format(parsed, PhoneNumberFormat.E164);
    String display = parsed.getCountryCode() == 81
        ? UTIL.format(parsed, PhoneNumberFormat.NATIONAL)
        : UTIL.format(parsed, PhoneNumberFormat.INTERNATIONAL);
    return new PhoneNumber(e164, display, input, kindOf(parsed));
  }

  /** Like {@link #parse(String)} but empty instead of an exception. */
  public static Optional<PhoneNumber> tryParse(String input) {
    try {
      return Optional.of(parse(input));
    } catch (InvalidPhoneNumberException e) {
      return Optional.empty();
    }
  }

  /**
   * Extracts the dialled number from the user part of a SIP or tel URI (RFC 3261 section 19.1.2: user parts may be
   * percent-escaped; RFC 3966: tel numbers may carry visual separators and parameters after ';').
   *
   * @param userPart e.g. {@code "%30120123456"}, {@code "+81-120-123-456;phone-context=..."}
   * @return the parsed number with {@code raw} = the decoded user part
   * @throws InvalidPhoneNumberException when the decoded text is not a valid number
   */
  public static PhoneNumber fromUriUser(String userPart) {
    if (userPart == null) {
      throw new InvalidPhoneNumberException(null, "the Request-URI has no user part");
    }
    String decoded = percentDecode(userPart);
    int semi = decoded.indexOf(';');
    if (semi >= 0) {
      decoded = decoded.substring(0, semi);
    }
    PhoneNumber n = parse(decoded);
    return n.withRaw(decoded);
  }

  /** Undoes RFC 3986 percent-escapes (UTF-8); a lone '%' or bad escape is kept as is. '+' stays '+'. */
  public static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  private static NumberKind kindOf(Phonenumber.PhoneNumber n) {
    if (n.getCountryCode() != 81) {
      return NumberKind.OTHER;
    }
    PhoneNumberType type = UTIL.getNumberType(n);
    switch (type) {
      case TOLL_FREE:
        return NumberKind.FREE_CALL;
      case MOBILE:
      case PAGER:
        return NumberKind.MOBILE;
      case VOIP:
        return NumberKind.IP_PHONE;
      case FIXED_LINE:
      case FIXED_LINE_OR_MOBILE:
        return NumberKind.FIXED;
      case SHARED_COST:
      case PREMIUM_RATE:
      case UAN:
        return NumberKind.SHARED_COST;
      default:
        return NumberKind.OTHER;
    }
  }

  /**
   * Why libphonenumber refused a parsed number: a wrong length (with the count and the expected form), or, when the
   * length fits, that its block is not assigned (e.g. 050-0XXX-XXXX: 050 IP-phone numbers continue with 1-9).
   */
  private static String invalidReason(Phonenumber.PhoneNumber parsed) {
    if (parsed.getCountryCode() != 81) {
      return "";
    }
    String digits = "0" + UTIL.getNationalSignificantNumber(parsed);
    int expected = 0;
    String form = null;
    if (digits.startsWith("0120")) {
      expected = 10;
      form = "0120 numbers have 6 digits after the prefix (0120-XXX-XXX)";
    } else if (digits.startsWith("0800")) {
      expected = 11;
      form = "0800 numbers have 7 digits after the prefix (0800-XXX-XXXX)";
    } else if (digits.startsWith("050") || digits.startsWith("070") || digits.startsWith("080")
        || digits.startsWith("090")) {
      expected = 11;
      form = digits.substring(0, 3) + " numbers have 11 digits (" + digits.substring(0, 3) + "-XXXX-XXXX)";
    }
    boolean lengthFits;
    if (form != null) {
      if (digits.length() != expected) {
        return ": it has " + digits.length() + " digits; " + form;
      }
      lengthFits = true;
    } else {
      PhoneNumberUtil.ValidationResult r = UTIL.isPossibleNumberWithReason(parsed);
      lengthFits = r == PhoneNumberUtil.ValidationResult.IS_POSSIBLE
          || r == PhoneNumberUtil.ValidationResult.IS_POSSIBLE_LOCAL_ONLY;
    }
    if (!lengthFits) {
      return ": it has " + digits.length() + " digits, a length no Japanese number has";
    }
    String block = digits.substring(0, Math.min(digits.length(), form != null && expected == 11
        && !digits.startsWith("0800") ? 4 : 5));
    return ": its length fits, but no numbers starting " + block + " are assigned in Japan's numbering plan"
        + (digits.startsWith("050") ? " (050 numbers continue with 1-9: 050-1XXX-XXXX to 050-9XXX-XXXX)" : "");
  }

  /** Longest part of a refused input quoted in an error text; the rest is cut with "…". */
  public static final int MAX_QUOTED = 40;

  /**
   * {@code input} in single quotes for an error text, cut to {@value #MAX_QUOTED} characters + "…" (a 1 MB line must
   * not come back twice in an answer).
   */
  public static String quoted(String input) {
    return "'" + (input.length() > MAX_QUOTED ? input.substring(0, MAX_QUOTED) + "…" : input) + "'";
  }
}
