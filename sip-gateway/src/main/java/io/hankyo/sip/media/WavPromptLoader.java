package io.hankyo.sip.media;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * Loads WAV files as {@link Prompt}s with javax.sound's {@link AudioSystem}:
 *
 * <ul>
 *   <li>8-bit G.711 µ-law or A-law (WAV format tags 7 and 6), any rate and channel count;
 *   <li>16-bit signed linear PCM (format tag 1, or WAVE_FORMAT_EXTENSIBLE), any rate and channel count.
 * </ul>
 *
 * <p>Audio is decoded to 16-bit PCM, then converted by {@code AudioSystem} to 8,000 Hz mono (its sample-rate
 * converter; channels are mixed). Everything else (AIFF, AU, 8/24/32-bit PCM, float, ADPCM, MP3) is refused with an
 * {@link InvalidPromptException} naming the problem. The size limit is checked before parsing, the duration limit
 * before converting when the header states the length, and again after. Thread-safe (no state).
 */
public final class WavPromptLoader {
  private static final AudioFormat TARGET = new AudioFormat(Codec.CLOCK_RATE, 16, 1, true, false);

  private final long maxBytes;
  private final Duration maxDuration;

  /**
   * @param maxBytes the largest file accepted, bytes (at least 44, a WAV header)
   * @param maxDuration the longest audio accepted
   */
  public WavPromptLoader(long maxBytes, Duration maxDuration) {
    if (maxBytes < 44) {
      throw new IllegalArgumentException("maximum prompt size must be at least 44 bytes: " + maxBytes);
    }
    if (maxDuration == null || maxDuration.isNegative() || maxDuration.isZero()) {
      throw new IllegalArgumentException("maximum prompt duration must be positive: " + maxDuration);
    }
    this.maxBytes = maxBytes;
    this.maxDuration = maxDuration;
  }

  /** A loader with the limits of {@link MediaSettings}. */
  public static WavPromptLoader of(MediaSettings settings) {
    return new WavPromptLoader(settings.promptMaxBytes(), settings.promptMaxDuration());
  }

  /**
   * Loads a prompt from a file.
   *
   * @throws InvalidPromptException when the audio is refused (message names the file's prompt and the problem)
   * @throws IOException when the file cannot be read
   */
  public Prompt load(String name, Path file) throws InvalidPromptException, IOException {
    long size = Files.size(file);
    checkSize(name, size);
    return load(name, Files.readAllBytes(file));
  }

  /**
   * Loads a prompt from the bytes of a WAV file (e.g. an HTTP upload body).
   *
   * @param name the prompt's name, used in messages
   * @param wav the whole file
   * @return the prompt at 8 kHz mono
   * @throws InvalidPromptException when the audio is refused
   */
  /** Samples in one 20 ms frame at 8 kHz: a prompt shorter than that has nothing to play. */
  private static final int FRAME_SAMPLES = 160;
  /** How much shorter than its header announces a file may be (resampling rounds): more is a truncated file. */
  private static final long TRUNCATION_SLACK_MILLIS = 40;

  public Prompt load(String name, byte[] wav) throws InvalidPromptException {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(wav, "wav");
    checkSize(name, wav.length);
    AudioFileFormat fileFormat;
    try {
      fileFormat = AudioSystem.getAudioFileFormat(new ByteArrayInputStream(wav));
    } catch (UnsupportedAudioFileException | IOException | RuntimeException e) {
      // javax.sound's readers throw runtime exceptions on some damaged headers
      throw new InvalidPromptException(InvalidPromptException.Reason.NOT_WAV,
          "prompt " + name + ": not a WAV file we can read (" + e.getMessage() + ")");
    }
    if (fileFormat.getType() != AudioFileFormat.Type.WAVE || !isRiffWave(wav)) {
      throw new InvalidPromptException(InvalidPromptException.Reason.NOT_WAV,
          "prompt " + name + ": not a WAV file but " + fileFormat.getType());
    }
    AudioFormat format = fileFormat.getFormat();
    checkEncoding(name, format);
    long frames = fileFormat.getFrameLength();
    if (frames > 0 && format.getFrameRate() > 0) {
      checkDuration(name, (long) Math.ceil(frames * 1000.0 / format.getFrameRate()));
    }
    short[] samples;
    try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav))) {
      samples = readConverted(name, in);
    } catch (UnsupportedAudioFileException | IOException | RuntimeException e) {
      throw new InvalidPromptException(InvalidPromptException.Reason.NOT_WAV,
          "prompt " + name + ": damaged WAV file (" + e.getMessage() + ")");
    }
    long millis = samples.length * 1000L / Codec.CLOCK_RATE;
    if (samples.length < FRAME_SAMPLES) {
      throw new InvalidPromptException(InvalidPromptException.Reason.EMPTY,
          "prompt " + name + " has no audio (" + millis + " ms, less than one 20 ms frame)");
    }
    if (frames > 0 && format.getFrameRate() > 0) {
      long declared = (long) (frames * 1000.0 / format.getFrameRate());
      if (millis + TRUNCATION_SLACK_MILLIS < declared) {
        throw new InvalidPromptException(InvalidPromptException.Reason.NOT_WAV, "prompt " + name
            + ": truncated WAV file (its header announces " + declared + " ms of audio, the file holds " + millis
            + " ms)");
      }
    }
    checkDuration(name, millis);
    return Prompt.ofSamples(name, samples);
  }

  private short[] readConverted(String name, AudioInputStream in) throws IOException, InvalidPromptException {
    AudioFormat f = in.getFormat();
    AudioInputStream pcm = in;
    if (!AudioFormat.Encoding.PCM_SIGNED.equals(f.getEncoding()) || f.getSampleSizeInBits() != 16) {
      AudioFormat linear = new AudioFormat(f.getSampleRate(), 16, f.getChannels(), true, false);
      pcm = AudioSystem.getAudioInputStream(linear, in);
    }
    AudioFormat p = pcm.getFormat();
    AudioInputStream target = pcm;
    if (p.getSampleRate() != TARGET.getSampleRate() || p.getChannels() != 1 || p.isBigEndian()) {
      target = AudioSystem.getAudioInputStream(TARGET, pcm);
    }
    long maxSamples = maxDuration.toMillis() * Codec.CLOCK_RATE / 1000;
    byte[] bytes = readAtMost(target, (maxSamples + 1) * 2);
    if (bytes.length / 2 > maxSamples) {
      throw new InvalidPromptException(InvalidPromptException.Reason.TOO_LONG, "prompt " + name
          + " is longer than the limit of " + maxDuration.toMillis() / 1000.0 + " s");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    short[] samples = new short[bytes.length / 2];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = b.getShort();
    }
    return samples;
  }

  private static byte[] readAtMost(InputStream in, long limit) throws IOException {
    try {
      return in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit));
    } catch (EOFException e) {
      throw new IOException("truncated audio data", e);
    }
  }

  private static boolean isRiffWave(byte[] wav) {
    return wav.length >= 12 && wav[0] == 'R' && wav[1] == 'I' && wav[2] == 'F' && wav[3] == 'F'
        && wav[8] == 'W' && wav[9] == 'A' && wav[10] == 'V' && wav[11] == 'E';
  }

  private void checkSize(String name, long size) throws InvalidPromptException {
    if (size > maxBytes) {
      throw new InvalidPromptException(InvalidPromptException.Reason.TOO_LARGE,
          "prompt " + name + " is " + size + " bytes, the limit is " + maxBytes);
    }
  }

  private void checkDuration(String name, long millis) throws InvalidPromptException {
    if (millis > maxDuration.toMillis()) {
      throw new InvalidPromptException(InvalidPromptException.Reason.TOO_LONG, "prompt " + name + " is "
          + millis / 1000.0 + " s long, the limit is " + maxDuration.toMillis() / 1000.0 + " s");
    }
  }

  private static void checkEncoding(String name, AudioFormat f) throws InvalidPromptException {
    AudioFormat.Encoding e = f.getEncoding();
    boolean g711 = (AudioFormat.Encoding.ULAW.equals(e) || AudioFormat.Encoding.ALAW.equals(e))
        && f.getSampleSizeInBits() == 8;
    boolean pcm16 = AudioFormat.Encoding.PCM_SIGNED.equals(e) && f.getSampleSizeInBits() == 16;
    if (!g711 && !pcm16) {
      throw new InvalidPromptException(InvalidPromptException.Reason.UNSUPPORTED_ENCODING, "prompt " + name
          + ": unsupported encoding " + e + " " + f.getSampleSizeInBits()
          + "-bit; use 16-bit PCM, or 8-bit µ-law/A-law");
    }
    if (f.getChannels() < 1 || f.getSampleRate() < 1000 || f.getSampleRate() > 192_000) {
      throw new InvalidPromptException(InvalidPromptException.Reason.UNSUPPORTED_ENCODING, "prompt " + name
          + ": unsupported layout " + f.getChannels() + " channels at " + f.getSampleRate() + " Hz");
    }
  }
}
