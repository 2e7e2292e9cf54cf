package io.hankyo.sip.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;

class G711Test {

  @Test
  void knownUlawValues() {
    assertEquals((byte) 0xFF, G711.linearToUlaw(0));
    assertEquals((byte) 0x80, G711.linearToUlaw(32767));
    assertEquals((byte) 0x00, G711.linearToUlaw(-32768));
    assertEquals((byte) 0x7F, G711.linearToUlaw(-1));
    assertEquals((byte) 0xF2, G711.linearToUlaw(100));
    assertEquals(104, G711.ulawToLinear(0xF2));
    assertEquals(0, G711.ulawToLinear(0xFF));
    assertEquals(0, G711.ulawToLinear(0x7F));
    assertEquals(32124, G711.ulawToLinear(0x80));
    assertEquals(-32124, G711.ulawToLinear(0x00));
    assertEquals(8, G711.ulawToLinear(0xFE));
    assertEquals(-8, G711.ulawToLinear(0x7E));
  }

  @Test
  void knownAlawValues() {
    assertEquals((byte) 0xD5, G711.linearToAlaw(0));
    assertEquals((byte) 0xAA, G711.linearToAlaw(32767));
    assertEquals((byte) 0x2A, G711.linearToAlaw(-32768));
    assertEquals((byte) 0x55, G711.linearToAlaw(-1));
    assertEquals((byte) 0xD3, G711.linearToAlaw(100));
    assertEquals(104, G711.alawToLinear(0xD3));
    assertEquals(8, G711.alawToLinear(0xD5));
    assertEquals(-8, G711.alawToLinear(0x55));
    assertEquals(32256, G711.alawToLinear(0xAA));
    assertEquals(-32256, G711.alawToLinear(0x2A));
  }

  @Test
  void everyCodeRoundTripsThroughLinear() {
    for (int code = 0; code < 256; code++) {
      if (code != 0x7F) { // µ-law has two zeros (0xFF and 0x7F); both decode to 0, which codes as 0xFF
        assertEquals((byte) code, G711.linearToUlaw(G711.ulawToLinear(code)), "ulaw " + code);
      }
      assertEquals((byte) code, G711.linearToAlaw(G711.alawToLinear(code)), "alaw " + code);
    }
  }

  @Test
  void linearRoundTripErrorIsWithinTheSegmentStep() {
    for (int s = -32768; s <= 32767; s++) {
      int u = G711.ulawToLinear(G711.linearToUlaw(s));
      int a = G711.alawToLinear(G711.linearToAlaw(s));
      int allowed = Math.max(16, Math.abs(s) / 16 + 16);
      assertTrue(Math.abs(u - s) <= allowed + 300 * (Math.abs(s) > 32124 ? 1 : 0), "ulaw " + s + " -> " + u);
      assertTrue(Math.abs(a - s) <= allowed + 300 * (Math.abs(s) > 32256 ? 1 : 0), "alaw " + s + " -> " + a);
    }
  }

  @Test
  void decodesEveryCodeExactlyAsTheJdk() throws Exception {
    byte[] codes = new byte[256];
    for (int i = 0; i < 256; i++) {
      codes[i] = (byte) i;
    }
    assertArrayEquals(jdkDecode(codes, AudioFormat.Encoding.ULAW), G711.decodeUlaw(codes));
    assertArrayEquals(jdkDecode(codes, AudioFormat.Encoding.ALAW), G711.decodeAlaw(codes));
  }

  /**
   * The JDK codes with a variant of the Sun reference that differs from ITU-T G.191 at some decision levels (and
   * wraps µ-law magnitudes above 32635 to silence, and codes A-law -7..-1 as -248): ours agrees on nearly all
   * samples, and where not, picks a neighbouring reconstruction level.
   */
  @Test
  void encodesLikeTheJdkUpToNeighbouringLevels() throws Exception {
    short[] all = new short[65536];
    for (int i = 0; i < all.length; i++) {
      all[i] = (short) (i - 32768);
    }
    compareWithJdk(all, AudioFormat.Encoding.ULAW, G711.encodeUlaw(all, 0, all.length), G711::ulawToLinear,
        x -> Math.abs(x) > 32635);
    compareWithJdk(all, AudioFormat.Encoding.ALAW, G711.encodeAlaw(all, 0, all.length), G711::alawToLinear,
        x -> x >= -7 && x <= -1);
  }

  @Test
  void codingIsMonotonic() {
    int lastU = Integer.MIN_VALUE;
    int lastA = Integer.MIN_VALUE;
    for (int s = -32768; s <= 32767; s++) {
      int u = G711.ulawToLinear(G711.linearToUlaw(s));
      int a = G711.alawToLinear(G711.linearToAlaw(s));
      assertTrue(u >= lastU && a >= lastA, "at " + s);
      lastU = u;
      lastA = a;
    }
  }

  private static void compareWithJdk(short[] all, AudioFormat.Encoding enc, byte[] ours,
      java.util.function.IntUnaryOperator decode, java.util.function.IntPredicate jdkWrong) throws Exception {
    byte[] jdk = jdkEncode(all, enc);
    java.util.TreeSet<Integer> levels = new java.util.TreeSet<>();
    for (int c = 0; c < 256; c++) {
      levels.add(decode.applyAsInt(c));
    }
    java.util.List<Integer> sorted = new java.util.ArrayList<>(levels);
    int differ = 0;
    for (int i = 0; i < all.length; i++) {
      if (jdkWrong.test(all[i]) || ours[i] == jdk[i]) {
        continue;
      }
      differ++;
      int gap = Math.abs(sorted.indexOf(decode.applyAsInt(ours[i])) - sorted.indexOf(decode.applyAsInt(jdk[i])));
      assertTrue(gap <= 1, enc + " sample " + all[i] + ": ours " + ours[i] + ", JDK " + jdk[i]);
    }
    assertTrue(differ < all.length / 50, enc + " differs on " + differ + " samples");
  }

  @Test
  void transcodesBetweenTheLaws() {
    byte[] u = {(byte) 0xFF, (byte) 0x80, 0x00, 0x10};
    byte[] a = Codec.PCMU.transcodeTo(Codec.PCMA, u);
    assertEquals((byte) 0xD5, a[0]);
    byte[] back = Codec.PCMA.transcodeTo(Codec.PCMU, a);
    assertEquals((byte) 0xFE, back[0]); // A-law has no zero level: 0 -> +8 -> the µ-law level nearest 8
    assertEquals(u, Codec.PCMU.transcodeTo(Codec.PCMU, u));
  }

  static byte[] jdkEncode(short[] pcm, AudioFormat.Encoding target) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(pcm.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (short s : pcm) {
      b.putShort(s);
    }
    AudioFormat src = new AudioFormat(8000, 16, 1, true, false);
    try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(b.array()), src, pcm.length);
        AudioInputStream out = AudioSystem.getAudioInputStream(target, in)) {
      return out.readAllBytes();
    }
  }

  static short[] jdkDecode(byte[] codes, AudioFormat.Encoding source) throws Exception {
    AudioFormat src = new AudioFormat(source, 8000, 8, 1, 1, 8000, false);
    AudioFormat dst = new AudioFormat(8000, 16, 1, true, false);
    try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(codes), src, codes.length);
        AudioInputStream out = AudioSystem.getAudioInputStream(dst, in)) {
      ByteBuffer b = ByteBuffer.wrap(out.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
      short[] s = new short[codes.length];
      for (int i = 0; i < s.length; i++) {
        s[i] = b.getShort();
      }
      return s;
    }
  }

}
