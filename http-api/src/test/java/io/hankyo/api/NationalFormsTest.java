package io.hankyo.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.number.InvalidPhoneNumberException;
import io.hankyo.protocol.number.PhoneNumbers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link NationalForms} answers exactly what {@link PhoneNumbers} gives, cached or not. */
class NationalFormsTest {

  /** What the API answered before the cache: the parsed number's national form, or the input. */
  private static String reference(String e164) {
    try {
      return PhoneNumbers.parse(e164).national();
    } catch (InvalidPhoneNumberException e) {
      return e164;
    }
  }

  private static List<String> numbers() {
    List<String> out = new ArrayList<>();
    // free call 0120 (6 digits after), 0800 (7), IP phone 050, Tokyo 03, Osaka 06, mobile 090/080/070,
    // shared cost 0570, other area codes of several lengths
    String[] prefixes = {"+81120", "+81800", "+8150", "+813", "+816", "+8190", "+8180", "+8170", "+81570",
        "+8111", "+81466", "+814992", "+8198"};
    int[] lengths = {6, 7, 8, 8, 8, 8, 8, 8, 6, 7, 6, 5, 7};
    for (int p = 0; p < prefixes.length; p++) {
      for (int k = 0; k < 150; k++) {
        long v = (k * 7_919L + 1_234L * (p + 1)) % (long) Math.pow(10, lengths[p]);
        out.add(prefixes[p] + String.format("%0" + lengths[p] + "d", v));
      }
    }
    // the bench's pool numbers and typical fallbacks
    for (int k = 0; k < 1000; k++) {
      out.add(String.format("+81120%06d", 100_000 + k));
    }
    out.add("+81120999999");
    out.add("+81800123456");
    // abroad, and what is no number at all (answered as given)
    out.add("+14155550123");
    out.add("+442079460000");
    out.add("+81120");
    out.add("+8112012345678901");
    out.add("not a number");
    out.add("");
    out.add("0120-123-456");
    return out;
  }

  @Test
  void equalToPhoneNumbersForEveryNumberFirstAndCachedTime() {
    List<String> numbers = numbers();
    int valid = 0;
    for (String n : numbers) {
      String expected = reference(n);
      assertEquals(expected, NationalForms.of(n), "first " + n);
      assertEquals(expected, NationalForms.of(n), "cached " + n);
      assertEquals(expected, NationalForms.compute(n), "computed " + n);
      if (!expected.equals(n)) {
        valid++;
      }
    }
    assertTrue(valid > 1000, "most test numbers are valid numbers: " + valid);
  }

  @Test
  void knownForms() {
    assertEquals("0120-123-456", NationalForms.of("+81120123456"));
    assertEquals("0800-123-4567", NationalForms.of("+818001234567"));
    assertEquals("050-1234-5678", NationalForms.of("+815012345678"));
    assertEquals("03-1234-5678", NationalForms.of("+81312345678"));
    assertEquals("090-1234-5678", NationalForms.of("+819012345678"));
    assertEquals("nope", NationalForms.of("nope"));
    assertNull(NationalForms.of(null));
  }

  @Test
  void staysBounded() {
    for (int k = 0; k < NationalForms.MAX_ENTRIES + 10; k++) {
      String n = "+8150" + String.format("%08d", k);
      assertEquals(reference(n), NationalForms.of(n));
      assertTrue(NationalForms.size() <= NationalForms.MAX_ENTRIES);
    }
  }
}
