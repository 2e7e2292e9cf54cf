package io.hankyo.protocol.number;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The tracking-number ranges of spec section 2 (issue 5 inventory). */
class NumberRangeTest {
  private static NumberRange of(String s) {
    return NumberRange.of(PhoneNumbers.parse(s));
  }

  private static String refusal(String s) {
    return assertThrows(InvalidPhoneNumberException.class, () -> of(s)).getMessage();
  }

  @Test
  void theFourRanges() {
    assertEquals(NumberRange.R0120, of("0120-123-456"));
    assertEquals(NumberRange.R0800, of("0800-123-4567"));
    assertEquals(NumberRange.R0078, of("0078-1234-5678"));
    assertEquals(NumberRange.R0078, of("00781234567890123"), "17 digits, the longest libphonenumber accepts");
    assertEquals(NumberRange.R050, of("050-1234-5678"));
    assertEquals(NumberKind.FREE_CALL, PhoneNumbers.parse("0078-1234-5678").kind());
    assertEquals(Optional.of(NumberRange.R050), NumberRange.byLabel("050"));
    assertEquals(Optional.empty(), NumberRange.byLabel("03"));
  }

  @Test
  void otherNumbersAreRefusedWithTheReason() {
    assertEquals("090-1234-5678 is not in a tracking-number range; the inventory takes 0120, 0800, 0078 and 050 "
        + "numbers (spec section 2)", refusal("090-1234-5678"));
    assertEquals("0078-123-456 has 10 digits; 0078 numbers have 12–20 digits", refusal("0078-12-3456"));
    assertEquals("+1 202-555-0100 is not a Japanese number; the inventory takes 0120, 0800, 0078 and 050 numbers",
        refusal("+1 202 555 0100"));
  }
}
