package io.hankyo.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.number.PhoneNumbers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValidationTest {
  @ParameterizedTest
  @ValueSource(strings = {"a", "acme-01", "A.B_c-9", "x.", "0123456789012345678901234567890123456789012345678901234567890123"})
  void validIds(String id) {
    assertTrue(Validation.isValidId(id));
    assertEquals(id, Validation.optionalId(id, "client_id"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", ".", "..", "a b", "a/b", "日本", "a%20", "01234567890123456789012345678901234567890123456789012345678901234"})
  void invalidIds(String id) {
    assertFalse(Validation.isValidId(id));
    ApiProblem p = assertThrows(ApiProblem.class, () -> Validation.optionalId(id, "dialin_id"));
    assertEquals(400, p.status());
    assertTrue(p.detail().startsWith("dialin_id: '" + id + "' is not a valid id"), p.detail());
    assertEquals(404, assertThrows(ApiProblem.class, () -> Validation.pathId(id, "client_id")).status());
  }

  @Test
  void names() {
    assertEquals("アクメ", Validation.requiredName("  アクメ ", "client_name"));
    assertNull(Validation.optionalName(null, "name"));
    assertEquals("", Validation.optionalName("", "name"));
    assertEquals("x".repeat(200), Validation.requiredName("x".repeat(200), "client_name"));
    assertEquals("𠮷".repeat(200), Validation.requiredName("𠮷".repeat(200), "client_name"));
    assertEquals("client_name: is required",
        assertThrows(ApiProblem.class, () -> Validation.requiredName(null, "client_name")).detail());
    assertEquals("client_name: must not be blank",
        assertThrows(ApiProblem.class, () -> Validation.requiredName(" \u3000", "client_name")).detail());
    assertTrue(assertThrows(ApiProblem.class, () -> Validation.requiredName("x".repeat(201), "client_name"))
        .detail().startsWith("client_name: is 201 characters long"));
    assertTrue(assertThrows(ApiProblem.class, () -> Validation.optionalName("a\tb", "name"))
        .detail().startsWith("name: must not contain control characters"));
  }

  @Test
  void trackingNumbersMustBeRoutable() {
    assertEquals("+81120123456", Validation.trackingNumber("0120-123-456", "number").e164());
    assertEquals("+818001234567", Validation.trackingNumber("0800-123-4567", "number").e164());
    assertEquals("+815012345678", Validation.trackingNumber("050-1234-5678", "number").e164());
    assertEquals("+81312345678", Validation.trackingNumber("03-1234-5678", "number").e164());
    ApiProblem mobile = assertThrows(ApiProblem.class, () -> Validation.trackingNumber("090-1234-5678", "number"));
    assertTrue(mobile.detail().startsWith("number: 090-1234-5678 is a mobile number"), mobile.detail());
    assertTrue(mobile.detail().contains("forward_to"), mobile.detail());
    ApiProblem navi = assertThrows(ApiProblem.class, () -> Validation.trackingNumber("0570-123-456", "number"));
    assertTrue(navi.detail().contains("shared-cost"), navi.detail());
    assertThrows(ApiProblem.class, () -> Validation.trackingNumber("+1 212 555 0100", "number"));
  }

  @Test
  void phoneNumbersNameTheField() {
    assertEquals("+819012345678", Validation.phoneNumber("090-1234-5678", "forward_to").e164());
    ApiProblem p = assertThrows(ApiProblem.class, () -> Validation.phoneNumber("0120-12-345", "number"));
    assertTrue(p.detail().startsWith("number: '0120-12-345' is not a valid"), p.detail());
    assertEquals("forward_to: is required",
        assertThrows(ApiProblem.class, () -> Validation.phoneNumber(null, "forward_to")).detail());
  }

  @ParameterizedTest(name = "{0} is a forward destination")
  @CsvSource(delimiter = '|', value = {
      "03-1234-5678    | +81312345678",
      "06-6123-4567    | +81661234567",
      "0466-12-3456    | +81466123456",
      "+81 3 1234 5678 | +81312345678",
      "070-1234-5678   | +817012345678",
      "080-1234-5678   | +818012345678",
      "090-1234-5678   | +819012345678",
      "050-1234-5678   | +815012345678",
      "0120-123-456    | +81120123456",
      "0800-123-4567   | +818001234567",
  })
  void forwardDestinationsAPersonAnswersInJapan(String input, String e164) {
    assertEquals(e164, Validation.forwardDestination(input, "forward_to").e164());
  }

  @ParameterizedTest(name = "{0} is refused: {1}")
  @CsvSource(delimiter = '|', value = {
      "+1 212 555 0100      | forward_to: +1 212-555-0100 is a number outside Japan",
      "+44 20 7123 4567     | outside Japan; calls are never forwarded abroad (toll-fraud risk)",
      "010-1-212-555-0100   | forward_to: +1 212-555-0100 is a number outside Japan",
      "110                  | forward_to: '110' is an emergency number",
      "119                  | forward_to: '119' is an emergency number",
      "118                  | forward_to: '118' is an emergency number",
      "1-1-0                | forward_to: '1-1-0' is an emergency number",
      "117                  | forward_to: '117' is a three-digit special service number",
      "177                  | forward_to: '177' is a three-digit special service number",
      "171                  | forward_to: '171' is a three-digit special service number",
      "#7119                | forward_to: '#7119' is a # dial service number",
      "0990-123-456         | forward_to: 0990-123-456 is a premium-rate or shared-cost number",
      "0570-123-456         | forward_to: 0570-123-456 is a premium-rate or shared-cost number",
      "020-1234-5678        | forward_to: 020-1234-5678 is an M2M / pager number",
      "0037-123-456         | forward_to: 0037-123-456 is a carrier-specific free-call number",
      "0078-123-456         | forward_to: 0078-123-456 is a carrier-specific free-call number",
  })
  void forwardDestinationsACallMustNeverReach(String input, String reason) {
    ApiProblem p = assertThrows(ApiProblem.class, () -> Validation.forwardDestination(input, "forward_to"));
    assertEquals(400, p.status());
    assertTrue(p.detail().startsWith("forward_to: "), p.detail());
    assertTrue(p.detail().contains(reason), p.detail());
    assertTrue(p.detail().endsWith("; " + Validation.FORWARD_KINDS), p.detail());
    assertTrue(p.detail().contains("fixed-line (0AB-J"), p.detail());
    assertTrue(p.detail().contains("mobile/PHS (070/080/090), IP-phone (050) or free-call (0120/0800)"), p.detail());
  }

  @Test
  void forwardDestinationsMustBeNumbers() {
    assertEquals("forward_to: is required",
        assertThrows(ApiProblem.class, () -> Validation.forwardDestination(null, "forward_to")).detail());
    assertTrue(assertThrows(ApiProblem.class, () -> Validation.forwardDestination("03-12", "forward_to"))
        .detail().startsWith("forward_to: '03-12' is not a valid number"));
    assertTrue(assertThrows(ApiProblem.class, () -> Validation.forwardDestination("1234", "forward_to"))
        .detail().startsWith("forward_to: '1234' is not a phone number"));
  }

  @Test
  void theTrackingNumberItselfIsNoForwardDestination() {
    ApiProblem p = assertThrows(ApiProblem.class, () -> Validation.notTheTrackingNumber(
        PhoneNumbers.parse("0120-123-456"), PhoneNumbers.parse("+81120123456"), "forward_to"));
    assertEquals(400, p.status());
    assertTrue(p.detail().startsWith("forward_to: 0120-123-456 is the tracking number itself; calls would loop"),
        p.detail());
    assertTrue(p.detail().endsWith(Validation.FORWARD_KINDS), p.detail());
    Validation.notTheTrackingNumber(PhoneNumbers.parse("0120-123-456"), PhoneNumbers.parse("0120-123-457"),
        "forward_to");
  }

  @Test
  void promptNamesTextAndVoices() {
    assertEquals("welcome.v2_A-1", Validation.promptName("welcome.v2_A-1"));
    assertEquals(400, assertThrows(ApiProblem.class, () -> Validation.promptName("a b")).status());
    assertEquals(400, assertThrows(ApiProblem.class, () -> Validation.promptName("x".repeat(65))).status());
    assertEquals(400, assertThrows(ApiProblem.class, () -> Validation.promptName("..")).status());
    assertEquals(404, assertThrows(ApiProblem.class, () -> Validation.promptPathName("a/b")).status());
    assertEquals("お電話\nありがとう", Validation.promptText(" お電話\nありがとう "));
    assertEquals("a".repeat(500), Validation.promptText("a".repeat(500)));
    assertThrows(ApiProblem.class, () -> Validation.promptText("a".repeat(501)));
    assertThrows(ApiProblem.class, () -> Validation.promptText("a\u0000b"));
    assertThrows(ApiProblem.class, () -> Validation.promptText(null));
    assertEquals("en-us", Validation.voice("en-us"));
    assertEquals("ja+f3", Validation.voice("ja+f3"));
    assertEquals(null, Validation.voice(null));
    assertThrows(ApiProblem.class, () -> Validation.voice("-q"));
    assertThrows(ApiProblem.class, () -> Validation.voice("ja ja"));
    assertThrows(ApiProblem.class, () -> Validation.voice("../../etc"));
  }
}
