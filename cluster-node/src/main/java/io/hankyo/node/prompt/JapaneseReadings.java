package io.hankyo.node.prompt;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import org.apache.lucene.analysis.ja.JapaneseTokenizer;
import org.apache.lucene.analysis.ja.tokenattributes.ReadingAttribute;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;

/**
 * Japanese text as espeak-ng can speak it: every word replaced by its pronunciation in katakana, found by Kuromoji
 * morphological analysis (Lucene's {@code lucene-analysis-kuromoji}, IPADIC dictionary). espeak-ng's Japanese voice
 * reads kana only: each kanji comes out as the English words "Chinese letter", so a guidance text such as
 * 「本日の営業は終了しました」 must become 「ホンジツノエイギョーワシューリョーシマシタ」 first. The pronunciation (not the
 * reading) is used so that particles sound right (は → ワ, へ → エ) and long vowels are marked (ー).
 *
 * <p>Words the dictionary does not know keep their text (kana, Latin letters, digits: espeak-ng reads those), and
 * everything between words (spaces, punctuation, which espeak-ng turns into pauses) is kept as it was. Thread-safe:
 * each call uses its own tokenizer (the dictionary itself is loaded once per JVM by Lucene, about 60 ms).
 */
public final class JapaneseReadings {
  private JapaneseReadings() {}

  /**
   * The text with its words replaced by their katakana pronunciation.
   *
   * @param text any text (null or empty gives "")
   * @return the text to hand to espeak-ng's {@code ja} voice
   */
  public static String forSpeech(String text) {
    if (text == null || text.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() * 2);
    try (JapaneseTokenizer tokenizer = new JapaneseTokenizer(null, false, JapaneseTokenizer.Mode.NORMAL)) {
      tokenizer.setReader(new StringReader(text));
      CharTermAttribute term = tokenizer.addAttribute(CharTermAttribute.class);
      ReadingAttribute reading = tokenizer.addAttribute(ReadingAttribute.class);
      OffsetAttribute offset = tokenizer.addAttribute(OffsetAttribute.class);
      tokenizer.reset();
      int end = 0;
      while (tokenizer.incrementToken()) {
        if (offset.startOffset() > end) {
          out.append(text, end, offset.startOffset()); // what lies between words, as it was
        }
        String pronunciation = reading.getPronunciation();
        out.append(pronunciation != null && !pronunciation.isEmpty() ? pronunciation : term.toString());
        end = Math.max(end, offset.endOffset());
      }
      tokenizer.end();
      if (end < text.length()) {
        out.append(text, end, text.length());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading Japanese text from a string", e);
    }
    return out.toString();
  }

  /** Whether {@code text} holds a CJK ideograph (kanji), which espeak-ng cannot read. */
  public static boolean hasKanji(String text) {
    return text != null && text.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN);
  }
}
