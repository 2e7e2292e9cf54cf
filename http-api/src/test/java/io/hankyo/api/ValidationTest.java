package io.hankyo.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
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
}
