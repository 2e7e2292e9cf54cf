package io.hankyo.api;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/** WAV files made with javax.sound for tests. */
final class TestWavs {
  private TestWavs() {}

  /** A 16-bit signed little-endian PCM WAV of {@code frames} frames of a 440 Hz tone. */
  static byte[] pcm16(int rate, int channels, int frames) {
    AudioFormat format = new AudioFormat(rate, 16, channels, true, false);
    byte[] data = new byte[frames * channels * 2];
    for (int i = 0; i < frames; i++) {
      short v = (short) (8000 * Math.sin(2 * Math.PI * 440 * i / rate));
      for (int c = 0; c < channels; c++) {
        int o = (i * channels + c) * 2;
        data[o] = (byte) v;
        data[o + 1] = (byte) (v >> 8);
      }
    }
    return wav(format, data, frames);
  }

  /** An 8-bit unsigned PCM WAV (an encoding prompts refuse). */
  static byte[] pcm8(int rate, int frames) {
    return wav(new AudioFormat(AudioFormat.Encoding.PCM_UNSIGNED, rate, 8, 1, 1, rate, false), new byte[frames],
        frames);
  }

  /** A 32-bit float WAV (an encoding prompts refuse). */
  static byte[] float32(int rate, int frames) {
    return wav(new AudioFormat(AudioFormat.Encoding.PCM_FLOAT, rate, 32, 1, 4, rate, false), new byte[frames * 4],
        frames);
  }

  private static byte[] wav(AudioFormat format, byte[] data, int frames) {
    try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(data), format, frames)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      AudioSystem.write(in, AudioFileFormat.Type.WAVE, out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
