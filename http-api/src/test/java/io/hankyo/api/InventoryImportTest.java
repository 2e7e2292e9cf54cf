package io.hankyo.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.number.NumberRange;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bulk-import parser of {@code POST /v1/inventory} (issue 5): per-line errors, repeats, mixed ranges, limits. */
class InventoryImportTest {
  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void textLinesOfMixedRangesWithPerLineErrors() {
    List<InventoryImport.Line> lines = InventoryImport.fromText(utf8(
        "0120-123-456\r\n08001234567\n\n0078-1234-5678\n050-1111-2222\n090-1234-5678\n03-1234-5678\nhello\n"
            + "０１２０－１２３－４５６\n"));
    assertEquals(List.of(1, 2, 4, 5, 6, 7, 8, 9), lines.stream().map(InventoryImport.Line::line).toList(),
        "blank lines are skipped but counted");
    assertEquals(List.of(NumberRange.R0120, NumberRange.R0800, NumberRange.R0078, NumberRange.R050),
        lines.subList(0, 4).stream().map(InventoryImport.Line::range).toList());
    assertTrue(lines.get(4).error().contains("not in a tracking-number range"), lines.get(4).error());
    assertTrue(lines.get(5).error().contains("not in a tracking-number range"), lines.get(5).error());
    assertTrue(lines.get(6).error().contains("is not a phone number"), lines.get(6).error());
    assertEquals("repeats line 1 (0120-123-456)", lines.get(7).error(), "the same number in full-width digits");
    assertNull(lines.get(7).number());
  }

  @Test
  void jsonNumbersAreLinesByPosition() {
    List<InventoryImport.Line> lines = InventoryImport.fromJson(utf8(
        "{\"numbers\": [\"0120123456\", 42, \"0120-123-456\", \"0078-12-3456\"]}"));
    assertTrue(lines.get(0).ok());
    assertEquals("must be a phone number string", lines.get(1).error());
    assertEquals("repeats line 1 (0120-123-456)", lines.get(2).error());
    assertEquals("0078-123-456 has 10 digits; 0078 numbers have 12–20 digits", lines.get(3).error());
  }

  @Test
  void badDocumentsAreRefusedWhole() {
    ApiProblem unknown = assertThrows(ApiProblem.class, () -> InventoryImport.fromJson(utf8("{\"nums\": []}")));
    assertEquals(List.of("/nums", "/numbers"), unknown.errors().stream().map(ApiProblem.FieldError::pointer).toList());
    assertThrows(ApiProblem.class, () -> InventoryImport.fromJson(utf8("{\"numbers\": []}")));
    assertThrows(ApiProblem.class, () -> InventoryImport.fromJson(utf8("[\"0120123456\"]")));
    assertThrows(ApiProblem.class, () -> InventoryImport.fromText(utf8("\n \n")));
    assertThrows(ApiProblem.class, () -> InventoryImport.fromText(new byte[] {(byte) 0xC3, (byte) 0x28}));
    String tooMany = "0120123456\n".repeat(InventoryImport.MAX_LINES + 1);
    ApiProblem many = assertThrows(ApiProblem.class, () -> InventoryImport.fromText(utf8(tooMany)));
    assertEquals("the text body has 10001 numbers; at most 10000 per request", many.detail());
    assertEquals(InventoryImport.MAX_LINES,
        InventoryImport.fromText(utf8("0120123456\n".repeat(InventoryImport.MAX_LINES))).size());
  }
}
