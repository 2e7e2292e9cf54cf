package io.hankyo.sip.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TonesTest {
  /** Power at {@code hz} of 8 kHz samples (Goertzel), normalised by length. */
  static double power(short[] x, double hz) {
    double coeff = 2 * Math.cos(2 * Math.PI * hz / 8000.0);
    double s1 = 0;
    double s2 = 0;
    for (short v : x) {
      double s0 = v + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    return (s1 * s1 + s2 * s2 - coeff * s1 * s2) / ((double) x.length * x.length);
  }

  @Test
  void japaneseRingbackIsOneSecondOf400HzModulatedBy16HzThenTwoSecondsOfSilence() {
    Prompt rb = Tones.japaneseRingback();
    assertEquals(3000, rb.durationMillis());
    assertEquals(150, rb.frameCount(), "whole 20 ms frames: loops without a click of padding");
    short[] s = rb.samples();
    short[] on = Arrays.copyOfRange(s, 0, 8000);
    short[] off = Arrays.copyOfRange(s, 8000, s.length);
    assertTrue(power(on, 400) > 50 * power(on, 1000), "400 Hz carrier");
    assertTrue(power(on, 384) > 50 * power(on, 300) && power(on, 416) > 50 * power(on, 500),
        "16 Hz sidebands at 384 / 416 Hz");
    int peak = 0;
    for (short v : on) {
      peak = Math.max(peak, Math.abs(v));
    }
    assertTrue(peak > 8000 && peak < 16000, "about -10 dBFS: " + peak);
    assertTrue(Arrays.equals(off, new short[off.length]), "2 s off");
    byte[] firstFrame = rb.frames(Codec.PCMU).get(0);
    assertEquals(Prompt.SAMPLES_PER_FRAME, firstFrame.length);
  }
}
