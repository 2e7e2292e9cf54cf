package io.hankyo.sip.media;

/**
 * G.711 companding (ITU-T G.711): 16-bit linear PCM samples to 8-bit µ-law (PCMU) and A-law (PCMA) codes and back.
 *
 * <p>Coding follows the ITU-T G.191 reference software ({@code g711.c}); decoding is the classic table, identical
 * to the JDK's {@code javax.sound.sampled} codecs for all 256 codes. The JDK's encoders are a variant that places
 * some decision levels one step off, wraps µ-law magnitudes above 32635 to silence and codes A-law -7..-1 as -248;
 * the tests check that this coder agrees with the JDK elsewhere up to a neighbouring level. javax.sound codes
 * streams, not single samples, hence this class for the per-packet path. Codes are as sent on the wire (RFC 3551
 * section 4.5.14: A-law with even bits inverted, µ-law with all bits inverted).
 */
public final class G711 {
  private static final int ULAW_BIAS = 0x84;
  private static final short[] ULAW_TO_LINEAR = new short[256];
  private static final short[] ALAW_TO_LINEAR = new short[256];

  static {
    for (int i = 0; i < 256; i++) {
      ULAW_TO_LINEAR[i] = computeUlawToLinear(i);
      ALAW_TO_LINEAR[i] = computeAlawToLinear(i);
    }
  }

  private G711() {}

  /**
   * µ-law code of a 16-bit sample (-32768..32767): the ITU-T G.191 reference {@code ulaw_compress} (the top 14 bits
   * count; negative samples by ones' complement, so -1 codes as the negative zero 0x7F).
   */
  public static byte linearToUlaw(int sample) {
    int abs = (sample < 0 ? (~sample) >> 2 : sample >> 2) + 33;
    if (abs > 0x1FFF) {
      abs = 0x1FFF;
    }
    int seg = 1;
    for (int i = abs >> 6; i != 0; i >>= 1) {
      seg++;
    }
    int code = ((8 - seg) << 4) | (0x0F - ((abs >> seg) & 0x0F));
    if (sample >= 0) {
      code |= 0x80;
    }
    return (byte) code;
  }

  /** 16-bit sample of a µ-law code (only the low 8 bits of {@code code} count). */
  public static short ulawToLinear(int code) {
    return ULAW_TO_LINEAR[code & 0xFF];
  }

  /**
   * A-law code of a 16-bit sample (-32768..32767): the ITU-T G.191 reference {@code alaw_compress} (the top 12 bits
   * of the magnitude count; negative samples by ones' complement).
   */
  public static byte linearToAlaw(int sample) {
    int ix = sample < 0 ? (~sample) >> 4 : sample >> 4;
    if (ix > 15) {
      int exp = 1;
      while (ix > 16 + 15) {
        ix >>= 1;
        exp++;
      }
      ix -= 16;
      ix += exp << 4;
    }
    if (sample >= 0) {
      ix |= 0x80;
    }
    return (byte) (ix ^ 0x55);
  }

  /** 16-bit sample of an A-law code (only the low 8 bits of {@code code} count). */
  public static short alawToLinear(int code) {
    return ALAW_TO_LINEAR[code & 0xFF];
  }

  /** µ-law codes of {@code length} samples of {@code pcm} from {@code offset}; a new array of {@code length} bytes. */
  public static byte[] encodeUlaw(short[] pcm, int offset, int length) {
    byte[] out = new byte[length];
    for (int i = 0; i < length; i++) {
      out[i] = linearToUlaw(pcm[offset + i]);
    }
    return out;
  }

  /** A-law codes of {@code length} samples of {@code pcm} from {@code offset}; a new array of {@code length} bytes. */
  public static byte[] encodeAlaw(short[] pcm, int offset, int length) {
    byte[] out = new byte[length];
    for (int i = 0; i < length; i++) {
      out[i] = linearToAlaw(pcm[offset + i]);
    }
    return out;
  }

  /** 16-bit samples of µ-law codes; one sample per byte. */
  public static short[] decodeUlaw(byte[] codes) {
    short[] out = new short[codes.length];
    for (int i = 0; i < codes.length; i++) {
      out[i] = ULAW_TO_LINEAR[codes[i] & 0xFF];
    }
    return out;
  }

  /** 16-bit samples of A-law codes; one sample per byte. */
  public static short[] decodeAlaw(byte[] codes) {
    short[] out = new short[codes.length];
    for (int i = 0; i < codes.length; i++) {
      out[i] = ALAW_TO_LINEAR[codes[i] & 0xFF];
    }
    return out;
  }

  /** µ-law codes to A-law codes through linear PCM (one byte per sample; a new array). */
  public static byte[] ulawToAlaw(byte[] codes) {
    byte[] out = new byte[codes.length];
    for (int i = 0; i < codes.length; i++) {
      out[i] = linearToAlaw(ULAW_TO_LINEAR[codes[i] & 0xFF]);
    }
    return out;
  }

  /** A-law codes to µ-law codes through linear PCM (one byte per sample; a new array). */
  public static byte[] alawToUlaw(byte[] codes) {
    byte[] out = new byte[codes.length];
    for (int i = 0; i < codes.length; i++) {
      out[i] = linearToUlaw(ALAW_TO_LINEAR[codes[i] & 0xFF]);
    }
    return out;
  }

  private static short computeUlawToLinear(int code) {
    int u = ~code & 0xFF;
    int t = ((u & 0x0F) << 3) + ULAW_BIAS;
    t <<= (u & 0x70) >> 4;
    return (short) ((u & 0x80) != 0 ? ULAW_BIAS - t : t - ULAW_BIAS);
  }

  private static short computeAlawToLinear(int code) {
    int a = (code ^ 0x55) & 0xFF;
    int t = (a & 0x0F) << 4;
    int seg = (a & 0x70) >> 4;
    if (seg == 0) {
      t += 8;
    } else if (seg == 1) {
      t += 0x108;
    } else {
      t += 0x108;
      t <<= seg - 1;
    }
    return (short) ((a & 0x80) != 0 ? t : -t);
  }
}
