package io.hankyo.node.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Kanji become katakana pronunciations that espeak-ng's Japanese voice can read; checked against the real
 * espeak-ng (deploy/test.sh installs it), whose phoneme output names English ("Chinese letter") for a kanji.
 */
class JapaneseReadingsTest {

  @Test
  void kanjiBecomeTheirPronunciationInKatakana() {
    String spoken = JapaneseReadings.forSpeech("本日の営業は終了しました。");
    assertFalse(JapaneseReadings.hasKanji(spoken), spoken);
    assertEquals("ホンジツノエイギョーワシューリョーシマシタ。", spoken, "particle は sounds ワ, long vowels ー");
  }

  @Test
  void digitsLatinPunctuationAndSpacesStay() {
    assertEquals("タダイマ、3バンメニ オマチイタダイテオリマス。",
        JapaneseReadings.forSpeech("ただいま、3番目に お待ちいただいております。"));
    assertEquals("03-1234-5678 ABC", JapaneseReadings.forSpeech("03-1234-5678 ABC"));
    assertEquals("", JapaneseReadings.forSpeech(""));
    assertTrue(JapaneseReadings.hasKanji("営業"));
    assertFalse(JapaneseReadings.hasKanji("えいぎょう カナ abc 123"));
  }

  @Test
  void espeakReadsTheResultAsJapanese() throws Exception {
    String raw = phonemes("本日の営業は終了しました");
    assertTrue(raw.contains("(en)"), "without readings espeak-ng switches to English for kanji: " + raw);
    String read = phonemes(JapaneseReadings.forSpeech("本日の営業は終了しました"));
    assertFalse(read.contains("(en)"), "with readings it stays Japanese: " + read);
    assertTrue(EspeakSynthesizer.isJapanese("ja") && EspeakSynthesizer.isJapanese("ja+f3"));
    assertFalse(EspeakSynthesizer.isJapanese("jam") || EspeakSynthesizer.isJapanese("en-us"));
  }

  /** espeak-ng's phoneme mnemonics for {@code text} with the ja voice ({@code -q -x}: nothing is played). */
  private static String phonemes(String text) throws Exception {
    Process p = new ProcessBuilder(List.of("espeak-ng", "-v", "ja", "-q", "-x", "--stdin"))
        .redirectErrorStream(true).start();
    try (var in = p.getOutputStream()) {
      in.write(text.getBytes(StandardCharsets.UTF_8));
    }
    assertTrue(p.waitFor(15, TimeUnit.SECONDS), "espeak-ng finished");
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
