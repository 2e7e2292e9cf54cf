package io.hankyo.node.notify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmsTextTest {
  private static final String EMOJI = "😀"; // U+1F600: a surrogate pair, two code units

  private static String kana(int units) {
    return "あ".repeat(units);
  }

  @Test
  void exactly70UnitsIsOneSmsWithoutHeader() {
    SmsText t = SmsText.split(kana(70), 3);
    assertEquals(List.of(kana(70)), t.parts());
    assertFalse(t.concatenated());
    assertFalse(t.truncated());
    byte[] pdu = t.shortMessages(7).get(0);
    assertEquals(140, pdu.length);
    assertArrayEquals(kana(70).getBytes(StandardCharsets.UTF_16BE), pdu);
  }

  @Test
  void units71AreTwoPartsOf67And4WithHeaders() {
    String text = kana(71);
    SmsText t = SmsText.split(text, 3);
    assertEquals(List.of(kana(67), kana(4)), t.parts());
    assertTrue(t.concatenated());
    assertFalse(t.truncated());
    assertEquals(text, t.text());
    List<byte[]> pdus = t.shortMessages(0xAB);
    assertEquals(2, pdus.size());
    assertArrayEquals(new byte[] {5, 0, 3, (byte) 0xAB, 2, 1}, Arrays.copyOf(pdus.get(0), 6));
    assertArrayEquals(new byte[] {5, 0, 3, (byte) 0xAB, 2, 2}, Arrays.copyOf(pdus.get(1), 6));
    assertEquals(6 + 134, pdus.get(0).length, "a full part is exactly 140 octets");
    assertEquals(kana(67), new String(pdus.get(0), 6, 134, StandardCharsets.UTF_16BE));
  }

  @Test
  void aSurrogatePairAtThePartBoundaryMovesWholeToTheNextPart() {
    // 66 kana + emoji: the emoji would occupy units 67 and 68, across the boundary of part 1.
    String text = kana(66) + EMOJI + kana(10);
    SmsText t = SmsText.split(text, 3);
    assertEquals(List.of(kana(66), EMOJI + kana(10)), t.parts());
    assertEquals(text, t.text());
    for (String p : t.parts()) {
      assertFalse(Character.isHighSurrogate(p.charAt(p.length() - 1)), "no part ends in half a pair");
      assertFalse(Character.isLowSurrogate(p.charAt(0)), "no part starts in half a pair");
    }
  }

  @Test
  void aSurrogatePairEndingExactlyAtUnit70StaysOneSms() {
    String text = kana(68) + EMOJI;
    assertEquals(70, text.length());
    assertEquals(List.of(text), SmsText.split(text, 3).parts());
  }

  @Test
  void textFillingMaxPartsExactlyIsNotTruncated() {
    String text = kana(3 * 67);
    SmsText t = SmsText.split(text, 3);
    assertEquals(3, t.parts().size());
    assertFalse(t.truncated());
    assertEquals(text, t.text());
  }

  @Test
  void beyondMaxPartsTheTextIsCutAndEndsWithTheEllipsis() {
    String text = kana(3 * 67 + 1);
    SmsText t = SmsText.split(text, 3);
    assertEquals(3, t.parts().size());
    assertTrue(t.truncated());
    assertEquals(kana(67), t.parts().get(0));
    assertEquals(kana(66) + SmsText.ELLIPSIS, t.parts().get(2));
    assertEquals(kana(3 * 67 - 1) + SmsText.ELLIPSIS, t.text());
  }

  @Test
  void truncationNeverSplitsASurrogatePair() {
    // Part 2 (the last allowed) holds 66 units before the ellipsis; the emoji would take units 66 and 67 of it.
    String text = kana(67) + kana(65) + EMOJI + kana(100);
    SmsText t = SmsText.split(text, 2);
    assertTrue(t.truncated());
    assertEquals(kana(65) + SmsText.ELLIPSIS, t.parts().get(1));
  }

  @Test
  void oneMaxPartTruncatesToOneSmsOf70Units() {
    SmsText t = SmsText.split(kana(100), 1);
    assertEquals(List.of(kana(69) + SmsText.ELLIPSIS), t.parts());
    assertFalse(t.concatenated());
    assertTrue(t.truncated());
    assertEquals(140, t.shortMessages(0).get(0).length);
  }

  @Test
  void text150UnitsIsThreeParts() {
    SmsText t = SmsText.split(kana(150), 3);
    assertEquals(List.of(kana(67), kana(67), kana(16)), t.parts());
  }

  @Test
  void badInputIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> SmsText.split("", 3));
    assertThrows(IllegalArgumentException.class, () -> SmsText.split("a", 0));
    assertThrows(IllegalArgumentException.class, () -> SmsText.split("a", 256));
    assertThrows(IllegalArgumentException.class, () -> SmsText.split("a", 1).shortMessages(256));
  }
}
