package io.hankyo.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link CharRules} accepts exactly what the regular expressions it replaced match. */
class CharRulesTest {
  private static final Pattern ID_COLON = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final Pattern ID_DOT = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Pattern BEARER = Pattern.compile("(?i)bearer +([A-Za-z0-9\\-._~+/]+=*) *");

  /** Edge cases plus random strings over an alphabet around the rules' edges. */
  private static List<String> samples() {
    List<String> out = new ArrayList<>(List.of("", "a", "A", "0", "9", "z", "Z", ".", "..", "_", ":", "-", "~", "/",
        "+", "=", " ", "\t", "a b", "a\n", "é", "ａ", "\u0000", "@", "[", "`", "{", "pool-0123456789abcdef",
        "bench-1-42", "utm_source", "landing_page", "x".repeat(63), "x".repeat(64), "x".repeat(65),
        "y".repeat(127), "y".repeat(128), "y".repeat(129), "Bearer abc", "bearer abc", "BEARER abc", "BeArEr a=",
        "Bearer", "Bearer ", "Bearer  ", "Bearer abc==", "Bearer abc= =", "Bearer abc=x", "Bearer a b",
        "Bearer  key-a_0123456789  ", "Bearer\tabc", "Bearerabc", "Basic abc", "Bearer ~+/._-09AZaz==",
        "Bearer é", "\u0392earer abc", "Bearer abc\u00a0", " Bearer abc ", "Bearer key=="));
    String alphabet = "aZ09._:-~+/= \tBbEeRr@é\u017f";
    Random r = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder b = new StringBuilder(i % 3 == 0 ? "Bearer " : "");
      int n = r.nextInt(i % 50 == 0 ? 140 : 12);
      for (int k = 0; k < n; k++) {
        b.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      out.add(b.toString());
    }
    return out;
  }

  @Test
  void idRulesMatchTheirRegexes() {
    for (String s : samples()) {
      assertEquals(ID_COLON.matcher(s).matches(), CharRules.isIdColon(s, 128), "isIdColon '" + s + "'");
      // the rule of pool_id at creation: the id characters with at least one letter or digit
      assertEquals(ID_COLON.matcher(s).matches() && s.matches("(?s).*[A-Za-z0-9].*"), PoolApi.isPoolId(s),
          "isPoolId '" + s + "'");
      assertEquals(PoolApi.POOL_ID.matcher(s).matches(), PoolApi.isSessionId(s), "isSessionId '" + s + "'");
      assertEquals(ID_DOT.matcher(s).matches(), CharRules.isIdDot(s, 64), "isIdDot '" + s + "'");
      assertEquals(PoolApi.PARAM_KEY.matcher(s).matches(), PoolApi.isParamKey(s), "isParamKey '" + s + "'");
    }
    assertEquals(false, CharRules.isIdColon(null, 128));
    assertEquals(false, CharRules.isIdDot(null, 64));
  }

  @Test
  void bearerTokenIsTheRegexGroup() {
    for (String s : samples()) {
      Matcher m = BEARER.matcher(s.strip());
      String expected = m.matches() ? m.group(1) : null;
      assertEquals(expected, CharRules.bearerToken(s), "bearerToken '" + s + "'");
    }
    assertEquals("key-a_0123456789", CharRules.bearerToken("  bEaReR   key-a_0123456789  "));
    assertEquals(null, CharRules.bearerToken(null));
  }

  @Test
  void utf8LengthIsTheEncodedLength() {
    List<String> all = samples();
    all.addAll(List.of("日本語", "🎉", "a🎉b", "\ud83c", "\udf89", "\udf89\ud83c", "x\ud83cy", "ß€𝄞", "\u07ff\u0800"));
    for (String s : all) {
      assertEquals(s.getBytes(StandardCharsets.UTF_8).length, CharRules.utf8Length(s), "utf8Length '" + s + "'");
    }
  }
}
