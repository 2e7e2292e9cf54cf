package io.hankyo.api;

/**
 * The character rules of ids and keys on the API's hot paths, as plain loops instead of {@link java.util.regex}
 * matchers (a matcher per check was about 5 % of a node's allocation under assignment load, issue 5 speed target,
 * docs/performance.md "Stop 13"). Each method accepts exactly the strings the regular expression in its docstring
 * matches in full ({@link java.util.regex.Matcher#matches()}); {@code CharRulesTest} compares them. Lengths count
 * UTF-16 units like the regular expressions do (only ASCII is accepted, so they are characters).
 */
final class CharRules {
  private CharRules() {}

  /**
   * Whether {@code s} is 1..{@code max} characters of {@code A-Z a-z 0-9 . _ : -}: {@code [A-Za-z0-9._:-]{1,max}}, the
   * rule of pool ids ({@link PoolApi#POOL_ID}, max 128) and session ids (max 128). Null is not.
   */
  static boolean isIdColon(String s, int max) {
    if (s == null || s.isEmpty() || s.length() > max) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!isAlnum(c) && c != '.' && c != '_' && c != ':' && c != '-') {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code s} is 1..{@code max} characters of {@code A-Z a-z 0-9 _ . -}: {@code [A-Za-z0-9_.-]{1,max}}, the
   * rule of parameter keys ({@link PoolApi#PARAM_KEY}, max 64). Null is not.
   */
  static boolean isIdDot(String s, int max) {
    if (s == null || s.isEmpty() || s.length() > max) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!isAlnum(c) && c != '_' && c != '.' && c != '-') {
        return false;
      }
    }
    return true;
  }

  /**
   * The token of an {@code Authorization} header value (RFC 6750 section 2.1, {@code Bearer} then a b64token), or
   * null when the value is not of that form: exactly what group 1 of {@code (?i)bearer +([A-Za-z0-9\-._~+/]+=*) *}
   * gives when it matches all of {@code value.strip()}. The scheme name is compared ignoring ASCII case only.
   *
   * @param value the header value as received; null answers null
   */
  static String bearerToken(String value) {
    if (value == null) {
      return null;
    }
    String s = value.strip();
    int n = s.length();
    if (n < 8 || !isLetter(s.charAt(0), 'b') || !isLetter(s.charAt(1), 'e') || !isLetter(s.charAt(2), 'a')
        || !isLetter(s.charAt(3), 'r') || !isLetter(s.charAt(4), 'e') || !isLetter(s.charAt(5), 'r')
        || s.charAt(6) != ' ') {
      return null;
    }
    int i = 7;
    while (i < n && s.charAt(i) == ' ') {
      i++;
    }
    int start = i;
    while (i < n && isB64TokenChar(s.charAt(i))) {
      i++;
    }
    if (i == start) {
      return null;
    }
    while (i < n && s.charAt(i) == '=') {
      i++;
    }
    int end = i;
    while (i < n && s.charAt(i) == ' ') {
      i++;
    }
    return i == n ? s.substring(start, end) : null;
  }

  /** {@code c} is the lower-case ASCII letter {@code lower} or its upper case. */
  private static boolean isLetter(char c, char lower) {
    return c == lower || c == (char) (lower - ('a' - 'A'));
  }

  private static boolean isB64TokenChar(char c) {
    return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
  }

  /** Whether {@code c} is a {@code tchar} of a token (RFC 9110 section 5.6.2). */
  static boolean isTchar(char c) {
    return isAlnum(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }

  private static boolean isAlnum(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  /** Bytes of {@code s} in UTF-8, as {@code s.getBytes(UTF_8).length} counts them (a lone surrogate is one byte, '?'). */
  static int utf8Length(String s) {
    int bytes = 0;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        bytes++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
