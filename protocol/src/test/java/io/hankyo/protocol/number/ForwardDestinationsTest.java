package io.hankyo.protocol.number;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ForwardDestinationsTest {
  @ParameterizedTest(name = "{0} is a forward destination")
  @CsvSource(delimiter = '|', value = {
      "03-1234-5678    | +81312345678",
      "0466-12-3456    | +81466123456",
      "090-1234-5678   | +819012345678",
      "050-1234-5678   | +815012345678",
      "0120-123-456    | +81120123456",
      "0800-123-4567   | +818001234567",
      "０３－１２３４－５６７８ | +81312345678",
  })
  void accepted(String input, String e164) {
    ForwardDestinations.Verdict v = ForwardDestinations.check(input);
    assertTrue(v.accepted());
    assertNull(v.problem());
    assertEquals(e164, v.number().e164());
    assertEquals(input, v.number().raw());
  }

  @ParameterizedTest(name = "{0} is refused: {1}")
  @CsvSource(delimiter = '|', value = {
      "+1 212 555 0100 | +1 212-555-0100 is a number outside Japan",
      "119             | '119' is an emergency number",
      "177             | '177' is a three-digit special service number",
      "#7119           | '#7119' is a # dial service number",
      "0570-123-456    | 0570-123-456 is a premium-rate or shared-cost number",
      "020-1234-5678   | 020-1234-5678 is an M2M / pager number",
      "0078-123-456    | 0078-123-456 is a carrier-specific free-call number",
  })
  void refusedRangesSayWhyAndWhatIsAccepted(String input, String start) {
    ForwardDestinations.Verdict v = ForwardDestinations.check(input);
    assertFalse(v.accepted());
    assertNull(v.number());
    assertTrue(v.problem().startsWith(start), v.problem());
    assertTrue(v.problem().endsWith("; " + ForwardDestinations.KINDS), v.problem());
  }

  @Test
  void notANumberKeepsTheParserMessage() {
    assertTrue(ForwardDestinations.check("03-12").problem().startsWith("'03-12' is not a valid number"));
    assertTrue(ForwardDestinations.check("abc").problem().startsWith("'abc' is not a phone number"));
    assertThrows(NullPointerException.class, () -> ForwardDestinations.check(null));
  }
}
