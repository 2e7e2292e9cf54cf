package io.hankyo.protocol.number;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Japanese number forms from the field (shared/cases/numbers/jp-numbers.tsv, copied into test resources). */
class PhoneNumbersTest {

  static Stream<Arguments> cases() throws IOException {
    List<Arguments> out = new ArrayList<>();
    try (var in = new BufferedReader(new InputStreamReader(
        PhoneNumbersTest.class.getResourceAsStream("/cases/jp-numbers.tsv"), StandardCharsets.UTF_8))) {
      in.readLine(); // header
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        String[] f = line.split("\t", -1);
        out.add(Arguments.of(f[0], f[1], f[2], f[3]));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("cases")
  void normalizesFieldCases(String input, String e164, String display, String kind) {
    if (e164.equals("(invalid)")) {
      InvalidPhoneNumberException e = assertThrows(InvalidPhoneNumberException.class, () -> PhoneNumbers.parse(input));
      assertTrue(e.getMessage().contains(input), "the error names the input: " + e.getMessage());
      assertTrue(e.getMessage().contains("0120 numbers have 6 digits"), e.getMessage());
      return;
    }
    PhoneNumber n = PhoneNumbers.parse(input);
    assertEquals(e164, n.e164());
    assertEquals(display, n.national());
    assertEquals(input, n.raw());
    assertEquals(expectedKind(kind), n.kind(), "kind of " + input);
  }

  private static NumberKind expectedKind(String kind) {
    if (kind.startsWith("free call")) {
      return NumberKind.FREE_CALL;
    }
    if (kind.startsWith("mobile")) {
      return NumberKind.MOBILE;
    }
    if (kind.startsWith("IP phone")) {
      return NumberKind.IP_PHONE;
    }
    if (kind.startsWith("fixed")) {
      return NumberKind.FIXED;
    }
    throw new IllegalArgumentException("unknown kind in case file: " + kind);
  }

  @Test
  void aLongRefusedInputIsQuotedCut() {
    String longInput = "x".repeat(100_000);
    String message = assertThrows(InvalidPhoneNumberException.class, () -> PhoneNumbers.parse(longInput)).getMessage();
    assertTrue(message.startsWith("'" + "x".repeat(PhoneNumbers.MAX_QUOTED) + "…' is not a phone number"), message);
    assertTrue(message.length() < 200, message);
  }

  @Test
  void mobile080IsNotFreeCall0800() {
    assertEquals(NumberKind.MOBILE, PhoneNumbers.parse("08012345678").kind());
    assertEquals(NumberKind.FREE_CALL, PhoneNumbers.parse("08001234567").kind());
  }

  @Test
  void uriUserPartsArePercentDecodedAndParametersDropped() {
    PhoneNumber n = PhoneNumbers.fromUriUser("%30120123456");
    assertEquals("+81120123456", n.e164());
    assertEquals("0120123456", n.raw());
    assertEquals("+81120123456", PhoneNumbers.fromUriUser("+81-120-123-456;phone-context=example.jp").e164());
    assertEquals("+81312345678", PhoneNumbers.fromUriUser("%2B81312345678").e164());
  }

  /** What Japanese users paste: full-width digits and signs, and the dashes input methods give for a hyphen. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "０３－１１１１－２２２２   | +81311112222  | 03-1111-2222",
      "０１２０ー１２３ー４５６   | +81120123456  | 0120-123-456",
      "0120−123−456              | +81120123456  | 0120-123-456",
      "0120‐123‐456              | +81120123456  | 0120-123-456",
      "090ｰ1234ｰ5678             | +819012345678 | 090-1234-5678",
      "'＋８１　３　１２３４　５６７８' | +81312345678 | 03-1234-5678",
      "（０３）１２３４－５６７８ | +81312345678  | 03-1234-5678",
  })
  void fullWidthFormsAndJapaneseDashesAreRead(String input, String e164, String display) {
    PhoneNumber n = PhoneNumbers.parse(input);
    assertEquals(e164, n.e164(), input);
    assertEquals(display, n.national(), input);
    assertEquals(input, n.raw(), "the input is kept as given");
  }

  @Test
  void rejectsTextAndEmpty() {
    assertThrows(InvalidPhoneNumberException.class, () -> PhoneNumbers.parse(""));
    assertThrows(InvalidPhoneNumberException.class, () -> PhoneNumbers.parse("abc"));
    assertThrows(InvalidPhoneNumberException.class, () -> PhoneNumbers.parse("0120-123-456x"));
    assertThrows(InvalidPhoneNumberException.class, () -> PhoneNumbers.parse("０１２０～１２３～４５６")); // wave dash
    assertThrows(InvalidPhoneNumberException.class, () -> PhoneNumbers.fromUriUser("anonymous"));
    assertThrows(InvalidPhoneNumberException.class, () -> PhoneNumbers.fromUriUser(null));
    // without the leading 0 libphonenumber would guess 0120-123-456: refused, with the forms that are accepted
    InvalidPhoneNumberException e = assertThrows(InvalidPhoneNumberException.class,
        () -> PhoneNumbers.parse("120-123-456"));
    assertTrue(e.getMessage().contains("starts with 0"), e.getMessage());
    assertThrows(InvalidPhoneNumberException.class, () -> PhoneNumbers.parse("312345678"));
  }

  @Test
  void nationalDigitsDropSeparators() {
    assertEquals("0120123456", PhoneNumbers.parse("0120-123-456").nationalDigits());
  }

  /** 05000000000 has 11 digits: the message gives the real reason (its block is unassigned), not the length. */
  @Test
  void anUnassignedBlockOfTheRightLengthIsNamedAsSuch() {
    InvalidPhoneNumberException e = assertThrows(InvalidPhoneNumberException.class,
        () -> PhoneNumbers.parse("05000000000"));
    assertTrue(e.getMessage().contains("its length fits, but no numbers starting 0500 are assigned"), e.getMessage());
    assertTrue(e.getMessage().contains("050 numbers continue with 1-9"), e.getMessage());
    assertFalse(e.getMessage().contains("have 11 digits"), e.getMessage());
  }

  @Test
  void aWrongLengthSaysHowManyDigitsTheNumberHas() {
    InvalidPhoneNumberException e = assertThrows(InvalidPhoneNumberException.class,
        () -> PhoneNumbers.parse("050-1234-567"));
    assertTrue(e.getMessage().contains("it has 10 digits; 050 numbers have 11 digits"), e.getMessage());
  }
}
