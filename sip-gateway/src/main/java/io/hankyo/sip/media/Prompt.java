package io.hankyo.sip.media;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A prompt (guidance audio) ready to play: 16-bit linear samples at 8,000 Hz, mono, cut on demand into 20 ms
 * frames of 160 samples in a codec (RFC 3551 section 4.5: G.711 at 8 kHz, one byte per sample; 20 ms is the
 * default packetization, section 4.2). The last frame is padded with silence. Immutable; the frames of each codec are
 * computed once and shared, so a prompt can play in many sessions at once.
 */
public final class Prompt {
  /** Samples per 20 ms frame at 8 kHz. */
  public static final int SAMPLES_PER_FRAME = 160;
  /** Milliseconds of audio per frame. */
  public static final int FRAME_MILLIS = 20;

  private final String name;
  private final short[] samples;
  private final Map<Codec, List<byte[]>> frames = Collections.synchronizedMap(new EnumMap<>(Codec.class));

  private Prompt(String name, short[] samples) {
    this.name = name;
    this.samples = samples;
  }

  /**
   * A prompt from 8 kHz mono samples (copied).
   *
   * @param name for logs and errors, e.g. {@code "welcome"}
   * @param samples 16-bit linear PCM at 8,000 Hz, mono; at least one sample
   * @throws IllegalArgumentException when there are no samples
   */
  public static Prompt ofSamples(String name, short[] samples) {
    Objects.requireNonNull(name, "name");
    if (samples.length == 0) {
      throw new IllegalArgumentException("prompt " + name + " has no audio");
    }
    return new Prompt(name, samples.clone());
  }

  /** A prompt of {@code millis} ms of digital silence (rounded up to whole frames). */
  public static Prompt silence(String name, int millis) {
    int frames = Math.max(1, (millis + FRAME_MILLIS - 1) / FRAME_MILLIS);
    return new Prompt(name, new short[frames * SAMPLES_PER_FRAME]);
  }

  /** The name given when loading. */
  public String name() {
    return name;
  }

  /** Number of 8 kHz samples (before padding the last frame). */
  public int sampleCount() {
    return samples.length;
  }

  /** Duration in ms of the samples (before padding the last frame). */
  public long durationMillis() {
    return samples.length * 1000L / Codec.CLOCK_RATE;
  }

  /** Number of 20 ms frames, the last one padded. */
  public int frameCount() {
    return (samples.length + SAMPLES_PER_FRAME - 1) / SAMPLES_PER_FRAME;
  }

  /** A copy of the 8 kHz mono samples. */
  public short[] samples() {
    return samples.clone();
  }

  /**
   * The frames in a codec: {@link #frameCount()} arrays of 160 bytes, each one RTP payload. Computed on first use
   * per codec; the list and arrays are shared, callers must not change them.
   */
  public List<byte[]> frames(Codec codec) {
    return frames.computeIfAbsent(codec, c -> {
      List<byte[]> out = new ArrayList<>(frameCount());
      for (int off = 0; off < samples.length; off += SAMPLES_PER_FRAME) {
        int n = Math.min(SAMPLES_PER_FRAME, samples.length - off);
        byte[] frame = c.encode(samples, off, n);
        if (n < SAMPLES_PER_FRAME) {
          byte[] padded = new byte[SAMPLES_PER_FRAME];
          java.util.Arrays.fill(padded, c.silence());
          System.arraycopy(frame, 0, padded, 0, n);
          frame = padded;
        }
        out.add(frame);
      }
      return List.copyOf(out);
    });
  }

  @Override
  public String toString() {
    return "Prompt[" + name + ", " + durationMillis() + " ms]";
  }
}
