package io.hankyo.sip.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;

class WavPromptLoaderTest {
  final WavPromptLoader loader = new WavPromptLoader(2_000_000, Duration.ofSeconds(5));

  /** A WAV file of a sine written by javax.sound in the given format (via 16-bit PCM at the same rate). */
  static byte[] sineWav(AudioFormat format, double seconds, double hz, AudioFileFormat.Type type) throws Exception {
    float rate = format.getSampleRate();
    int frames = (int) (rate * seconds);
    int ch = format.getChannels();
    ByteBuffer b = ByteBuffer.allocate(frames * ch * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < frames; i++) {
      short s = (short) (10000 * Math.sin(2 * Math.PI * hz * i / rate));
      for (int c = 0; c < ch; c++) {
        b.putShort(s);
      }
    }
    AudioFormat pcm = new AudioFormat(rate, 16, ch, true, false);
    AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(b.array()), pcm, frames);
    if (!format.matches(pcm)) {
      in = AudioSystem.getAudioInputStream(format, in);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AudioSystem.write(in, type, out);
    return out.toByteArray();
  }

  static byte[] sineWav(AudioFormat format, double seconds) throws Exception {
    return sineWav(format, seconds, 1000, AudioFileFormat.Type.WAVE);
  }

  static AudioFormat g711(AudioFormat.Encoding enc, float rate, int channels) {
    return new AudioFormat(enc, rate, 8, channels, channels, rate, false);
  }

  /** Checks a loaded 1 kHz sine: length, frequency (zero crossings) and level. */
  static void assertSine(Prompt p, double seconds) {
    short[] s = p.samples();
    assertEquals(seconds * 8000, s.length, 8000 * 0.01, "samples");
    int crossings = 0;
    int peak = 0;
    for (int i = 1; i < s.length; i++) {
      if ((s[i - 1] < 0) != (s[i] < 0)) {
        crossings++;
      }
      peak = Math.max(peak, Math.abs(s[i]));
    }
    assertEquals(2000 * seconds, crossings, 2000 * seconds * 0.05, "1 kHz = 2000 zero crossings a second");
    assertTrue(peak > 8000 && peak < 12000, "peak " + peak);
  }

  @Test
  void loadsUlawAndAlawAt8kMono() throws Exception {
    assertSine(loader.load("u", sineWav(g711(AudioFormat.Encoding.ULAW, 8000, 1), 1.0)), 1.0);
    assertSine(loader.load("a", sineWav(g711(AudioFormat.Encoding.ALAW, 8000, 1), 1.0)), 1.0);
  }

  @Test
  void ulawFramesAreTheFileBytesUnchanged() throws Exception {
    byte[] wav = sineWav(g711(AudioFormat.Encoding.ULAW, 8000, 1), 0.1);
    Prompt p = loader.load("u", wav);
    byte[] data = AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav)).readAllBytes();
    List<byte[]> frames = p.frames(Codec.PCMU);
    assertEquals(5, frames.size());
    for (int f = 0; f < 5; f++) {
      for (int i = 0; i < 160; i++) {
        assertEquals(data[f * 160 + i], frames.get(f)[i], "frame " + f + " byte " + i);
      }
    }
  }

  @Test
  void loadsPcm16AtAnyRateAndChannels() throws Exception {
    for (float rate : new float[] {8000, 11025, 16000, 22050, 44100, 48000}) {
      for (int ch : new int[] {1, 2}) {
        Prompt p = loader.load("pcm", sineWav(new AudioFormat(rate, 16, ch, true, false), 1.0));
        assertSine(p, 1.0);
      }
    }
    // big-endian samples are not WAV's way, but AudioSystem writes them little-endian anyway; check a 16 kHz µ-law
    assertSine(loader.load("u16", sineWav(g711(AudioFormat.Encoding.ULAW, 16000, 2), 1.0)), 1.0);
  }

  @Test
  void cutsInto20msFramesPaddingTheLast() throws Exception {
    Prompt p = loader.load("x", sineWav(new AudioFormat(8000, 16, 1, true, false), 0.205));
    assertEquals(1640, p.sampleCount());
    assertEquals(11, p.frameCount());
    assertEquals(205, p.durationMillis());
    for (Codec c : Codec.values()) {
      List<byte[]> frames = p.frames(c);
      assertEquals(11, frames.size());
      frames.forEach(f -> assertEquals(160, f.length));
      byte[] last = frames.get(10);
      for (int i = 40; i < 160; i++) {
        assertEquals(c.silence(), last[i]);
      }
      assertTrue(frames == p.frames(c), "frames are computed once per codec");
    }
  }

  @Test
  void refusesWhatIsNotWav() throws Exception {
    assertReason(InvalidPromptException.Reason.NOT_WAV, "not a WAV", new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    assertReason(InvalidPromptException.Reason.NOT_WAV, "not a WAV", "hello, this is text".getBytes());
    byte[] au = sineWav(new AudioFormat(8000, 16, 1, true, true), 0.1, 1000, AudioFileFormat.Type.AU);
    assertReason(InvalidPromptException.Reason.NOT_WAV, "AU", au);
    byte[] aiff = sineWav(new AudioFormat(8000, 16, 1, true, true), 0.1, 1000, AudioFileFormat.Type.AIFF);
    assertReason(InvalidPromptException.Reason.NOT_WAV, "AIFF", aiff);
    byte[] truncatedHeader = java.util.Arrays.copyOf(sineWav(new AudioFormat(8000, 16, 1, true, false), 0.1), 30);
    assertReason(InvalidPromptException.Reason.NOT_WAV, "prompt bad", truncatedHeader);
  }

  @Test
  void refusesOtherEncodings() throws Exception {
    byte[] pcm8 = sineWav(new AudioFormat(8000, 8, 1, false, false), 0.1);
    assertReason(InvalidPromptException.Reason.UNSUPPORTED_ENCODING, "PCM_UNSIGNED 8-bit", pcm8);
    byte[] pcm24 = sineWav(new AudioFormat(8000, 24, 1, true, false), 0.1);
    assertReason(InvalidPromptException.Reason.UNSUPPORTED_ENCODING, "24-bit", pcm24);
    byte[] flt = sineWav(new AudioFormat(AudioFormat.Encoding.PCM_FLOAT, 8000, 32, 1, 4, 8000, false), 0.1);
    assertReason(InvalidPromptException.Reason.UNSUPPORTED_ENCODING, "PCM_FLOAT", flt);
  }

  @Test
  void refusesTooLargeTooLongAndEmpty() throws Exception {
    byte[] six = sineWav(g711(AudioFormat.Encoding.ULAW, 8000, 1), 6.0);
    assertReason(InvalidPromptException.Reason.TOO_LONG, "the limit is 5.0 s", six);
    byte[] big = sineWav(new AudioFormat(44100, 16, 2, true, false), 4.0); // 705 kB
    InvalidPromptException e = assertThrows(InvalidPromptException.class,
        () -> new WavPromptLoader(100_000, Duration.ofMinutes(1)).load("bad", big));
    assertEquals(InvalidPromptException.Reason.TOO_LARGE, e.reason());
    assertTrue(e.getMessage().contains("the limit is 100000"), e.getMessage());
    byte[] empty = sineWav(new AudioFormat(8000, 16, 1, true, false), 0.0);
    assertReason(InvalidPromptException.Reason.EMPTY, "no audio", empty);
    // a header that announces audio, with none after it (a 44-byte WAV), and less than one frame of audio
    byte[] oneSecond = sineWav(new AudioFormat(8000, 16, 1, true, false), 1.0);
    assertReason(InvalidPromptException.Reason.EMPTY, "no audio", Arrays.copyOf(oneSecond, 44));
    assertReason(InvalidPromptException.Reason.EMPTY, "less than one 20 ms frame",
        sineWav(new AudioFormat(8000, 16, 1, true, false), 0.01));
  }

  @Test
  void refusesATruncatedFile() throws Exception {
    byte[] twoSeconds = sineWav(new AudioFormat(16000, 16, 1, true, false), 2.0);
    byte[] cut = Arrays.copyOf(twoSeconds, twoSeconds.length / 4);
    assertReason(InvalidPromptException.Reason.NOT_WAV, "truncated WAV file", cut);
    assertEquals(2000, loader.load("whole", twoSeconds).durationMillis(), 40, "the whole file still loads");
  }

  @Test
  void damagedHeadersNeverThrowAnythingElse() throws Exception {
    byte[] good = sineWav(new AudioFormat(8000, 16, 1, true, false), 0.05);
    java.util.Random r = new java.util.Random(11);
    for (int i = 0; i < 2000; i++) {
      byte[] bad = good.clone();
      for (int k = 1 + r.nextInt(4); k > 0; k--) {
        bad[12 + r.nextInt(36)] = (byte) r.nextInt(256); // the fmt and data chunk headers
      }
      if (r.nextBoolean()) {
        bad = java.util.Arrays.copyOf(bad, 12 + r.nextInt(bad.length - 12));
      }
      try {
        Prompt p = loader.load("fuzz", bad);
        assertTrue(p.sampleCount() > 0);
      } catch (InvalidPromptException expected) {
        assertTrue(expected.getMessage().startsWith("prompt fuzz"), expected.getMessage());
      }
    }
  }

  @Test
  void stereoIsMixedToMono() throws Exception {
    int frames = 8000;
    ByteBuffer b = ByteBuffer.allocate(frames * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < frames; i++) {
      b.putShort((short) (10000 * Math.sin(2 * Math.PI * 1000 * i / 8000.0))).putShort((short) 0);
    }
    AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(b.array()),
        new AudioFormat(8000, 16, 2, true, false), frames);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AudioSystem.write(in, AudioFileFormat.Type.WAVE, out);
    int peak = 0;
    for (short s : loader.load("lr", out.toByteArray()).samples()) {
      peak = Math.max(peak, Math.abs(s));
    }
    assertEquals(5000, peak, 200, "left at full level, right silent: the mix is half");
  }

  @Test
  void settingsGiveTheLimits() throws Exception {
    MediaSettings s = MediaSettings.defaults();
    assertEquals(8L * 1024 * 1024, s.promptMaxBytes());
    assertEquals(Duration.ofMinutes(5), s.promptMaxDuration());
    assertSine(WavPromptLoader.of(s).load("x", sineWav(new AudioFormat(16000, 16, 1, true, false), 1.0)), 1.0);
  }

  private void assertReason(InvalidPromptException.Reason reason, String text, byte[] wav) {
    InvalidPromptException e = assertThrows(InvalidPromptException.class, () -> loader.load("bad", wav));
    assertEquals(reason, e.reason(), e.getMessage());
    assertTrue(e.getMessage().contains(text), e.getMessage());
    assertTrue(e.getMessage().startsWith("prompt bad"), e.getMessage());
  }
}
