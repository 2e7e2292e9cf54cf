package io.hankyo.sip.media;

/**
 * Call-progress tones generated in code, as {@link Prompt}s (8 kHz, 16-bit linear, played in the negotiated G.711
 * law like any prompt).
 *
 * <p><b>Ringback (呼出音).</b> NTT's network tone for "the called party is being alerted": 400 Hz modulated by 16 Hz,
 * 1 s on and 2 s off, repeating (NTT東日本 / NTT西日本 技術参考資料「電話サービスのインタフェース」, 可聴音: 呼出音
 * RBT 400 Hz を 16 Hz で変調, 1 秒 ON / 2 秒 OFF; the same cadence as the ringing signal to the telephone). It is made
 * here as a 400 Hz carrier amplitude-modulated by 16 Hz at 80 % depth, i.e. spectral lines at 400 Hz and at 384 /
 * 416 Hz, peak about -10 dBFS (well below G.711 overload, comfortable on a handset).
 */
public final class Tones {
  /** Carrier of the Japanese ringback tone, Hz. */
  public static final double RINGBACK_HZ = 400;
  /** Modulation frequency of the ringback tone, Hz. */
  public static final double RINGBACK_MODULATION_HZ = 16;
  /** Tone on per cycle, ms. */
  public static final int RINGBACK_ON_MILLIS = 1000;
  /** Silence per cycle, ms. */
  public static final int RINGBACK_OFF_MILLIS = 2000;

  private static final double PEAK = 10_000; // about -10 dBFS of 32767
  private static final double DEPTH = 0.8;

  private static final Prompt RINGBACK = makeRingback();

  private Tones() {}

  /**
   * One 3 s cycle of the Japanese ringback tone (1 s of 400 Hz × 16 Hz, then 2 s of silence): play it looped to the
   * caller while a destination rings. Shared and immutable.
   */
  public static Prompt japaneseRingback() {
    return RINGBACK;
  }

  private static Prompt makeRingback() {
    int rate = Codec.CLOCK_RATE;
    short[] samples = new short[rate * (RINGBACK_ON_MILLIS + RINGBACK_OFF_MILLIS) / 1000];
    int on = rate * RINGBACK_ON_MILLIS / 1000;
    for (int i = 0; i < on; i++) {
      double t = i / (double) rate;
      double envelope = (1 + DEPTH * Math.sin(2 * Math.PI * RINGBACK_MODULATION_HZ * t)) / (1 + DEPTH);
      samples[i] = (short) Math.round(PEAK * envelope * Math.sin(2 * Math.PI * RINGBACK_HZ * t));
    }
    return Prompt.ofSamples("ringback-jp", samples);
  }
}
