package io.hankyo.sip.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.recording.RecordingMode;
import io.hankyo.sip.media.WavRecorder.Party;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.Stream;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavRecorderTest {
  private static final long MS = 1_000_000L;
  private static final long T0 = 5_000_000_000L;
  private static final Instant STARTED = Instant.parse("2026-11-29T15:30:00Z"); // 2026-11-30 00:30 JST
  private static final ZoneId JST = ZoneId.of("Asia/Tokyo");
  private static final short CALLER_LEVEL = 4000;
  private static final short CALLEE_LEVEL = -9000;

  @TempDir
  Path dir;

  private static byte[] packet(short level, Codec codec) {
    short[] pcm = new short[160];
    Arrays.fill(pcm, level);
    return codec.encode(pcm, 0, 160);
  }

  /** Packet k (samples 160k..160k+159) arriving at the end of its 20 ms, plus {@code lateMs}. */
  private static long arrival(int k, long lateMs) {
    return T0 + (k + 1) * 20 * MS + lateMs * MS;
  }

  private record Wav(AudioFormat format, long frames, short[][] samples) {}

  private static Wav read(Path file) throws Exception {
    try (AudioInputStream in = AudioSystem.getAudioInputStream(file.toFile())) {
      AudioFormat f = in.getFormat();
      byte[] all = in.readAllBytes();
      int ch = f.getChannels();
      int frames = all.length / (2 * ch);
      short[][] s = new short[ch][frames];
      ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < frames; i++) {
        for (int c = 0; c < ch; c++) {
          s[c][i] = b.getShort();
        }
      }
      return new Wav(f, in.getFrameLength(), s);
    }
  }

  /** What {@code level} is after G.711 in {@code codec}. */
  private static short heard(short level, Codec codec) {
    return codec.decode(packet(level, codec))[0];
  }

  private static void assertLevel(short[] channel, int from, int to, short level) {
    for (int i = from; i < to; i++) {
      if (channel[i] != level) {
        throw new AssertionError("sample " + i + " is " + channel[i] + ", expected " + level);
      }
    }
  }

  @Test
  void stereoHasAValidHeaderCallerLeftCalleeRightAndAGapIsSilenceInItsPlace() throws Exception {
    FileRecordingStore store = new FileRecordingStore(dir);
    WavRecorder r = WavRecorder.start(store, "0a1b2c", RecordingMode.BOTH, STARTED, JST, T0);
    assertEquals("2026/11/30/0a1b2c.wav", r.key(), "the day in the operator's zone");
    // 3 s: the caller talks in PCMU all along with a little jitter; the callee (PCMA) is silent 1.0-1.6 s
    for (int k = 0; k < 150; k++) {
      r.write(Party.CALLER, arrival(k, k % 3), packet(CALLER_LEVEL, Codec.PCMU), Codec.PCMU);
      if (k < 50 || k >= 80) {
        r.write(Party.CALLEE, arrival(k, 0), packet(CALLEE_LEVEL, Codec.PCMA), Codec.PCMA);
      }
    }
    WavRecorder.Finished done = r.finish(T0 + 3000 * MS);
    assertEquals(3000, done.durationMillis());
    assertEquals(2, done.channels());

    Path file = dir.resolve(done.key());
    assertEquals(Files.size(file), done.bytes());
    assertEquals(WavRecorder.HEADER_BYTES + 3 * 8000 * 4, done.bytes());
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))),
        done.sha256());
    Wav wav = read(file);
    assertEquals(AudioFormat.Encoding.PCM_SIGNED, wav.format().getEncoding());
    assertEquals(8000f, wav.format().getSampleRate());
    assertEquals(16, wav.format().getSampleSizeInBits());
    assertEquals(2, wav.format().getChannels());
    assertFalse(wav.format().isBigEndian());
    assertEquals(24_000, wav.frames());
    short[] left = wav.samples()[0];
    short[] right = wav.samples()[1];
    assertLevel(left, 0, 24_000, heard(CALLER_LEVEL, Codec.PCMU));
    assertLevel(right, 0, 8000, heard(CALLEE_LEVEL, Codec.PCMA));
    assertLevel(right, 8000, 12_800, (short) 0);
    assertLevel(right, 12_800, 24_000, heard(CALLEE_LEVEL, Codec.PCMA));
    assertEquals(0, r.dropped());
    try (Stream<Path> left1 = Files.list(dir.resolve(".partial"))) {
      assertEquals(0, left1.count(), "the temp file was renamed");
    }
  }

  @Test
  void aSideThatSendsNothingAndTheEndBeyondTheLastPacketAreSilence() throws Exception {
    FileRecordingStore store = new FileRecordingStore(dir);
    WavRecorder r = WavRecorder.start(store, "late", RecordingMode.BOTH, STARTED, JST, T0);
    // the callee starts only at 0.5 s; the call goes on 0.5 s after the last packet
    for (int k = 25; k < 50; k++) {
      r.write(Party.CALLEE, arrival(k, 0), packet(CALLEE_LEVEL, Codec.PCMU), Codec.PCMU);
    }
    WavRecorder.Finished done = r.finish(T0 + 1500 * MS);
    assertEquals(1500, done.durationMillis());
    Wav wav = read(dir.resolve(done.key()));
    assertLevel(wav.samples()[0], 0, 12_000, (short) 0);
    assertLevel(wav.samples()[1], 0, 4000, (short) 0);
    assertLevel(wav.samples()[1], 4000, 8000, heard(CALLEE_LEVEL, Codec.PCMU));
    assertLevel(wav.samples()[1], 8000, 12_000, (short) 0);
  }

  @Test
  void monoModesKeepOnlyTheirParty() throws Exception {
    FileRecordingStore store = new FileRecordingStore(dir);
    for (RecordingMode mode : new RecordingMode[] {RecordingMode.CALLER, RecordingMode.CALLEE}) {
      WavRecorder r = WavRecorder.start(store, "mono-" + mode.jsonName(), mode, STARTED, JST, T0);
      for (int k = 0; k < 50; k++) {
        r.write(Party.CALLER, arrival(k, 1), packet(CALLER_LEVEL, Codec.PCMU), Codec.PCMU);
        r.write(Party.CALLEE, arrival(k, 1), packet(CALLEE_LEVEL, Codec.PCMU), Codec.PCMU);
      }
      WavRecorder.Finished done = r.finish(T0 + 1000 * MS);
      assertEquals(1, done.channels());
      assertEquals(WavRecorder.HEADER_BYTES + 8000 * 2, done.bytes());
      Wav wav = read(dir.resolve(done.key()));
      assertEquals(1, wav.format().getChannels());
      assertEquals(8000, wav.frames());
      assertLevel(wav.samples()[0], 0, 8000, heard(mode == RecordingMode.CALLER ? CALLER_LEVEL : CALLEE_LEVEL, Codec.PCMU));
    }
  }

  @Test
  void aLongCallIsWrittenAsItGoesWithBoundedMemory() throws Exception {
    FileRecordingStore store = new FileRecordingStore(dir);
    WavRecorder r = WavRecorder.start(store, "long", RecordingMode.BOTH, STARTED, JST, T0);
    Path temp;
    try (Stream<Path> parts = Files.list(dir.resolve(".partial"))) {
      temp = parts.findFirst().orElseThrow();
    }
    for (int k = 0; k < 3000; k++) { // 60 s
      r.write(Party.CALLER, arrival(k, 0), packet(CALLER_LEVEL, Codec.PCMA), Codec.PCMA);
      r.write(Party.CALLEE, arrival(k, 0), packet(CALLEE_LEVEL, Codec.PCMA), Codec.PCMA);
    }
    // all but the last second (the hold) is on disk already
    assertEquals(WavRecorder.HEADER_BYTES + 59L * 8000 * 4, Files.size(temp));
    WavRecorder.Finished done = r.finish(T0 + 60_000 * MS);
    assertEquals(60_000, done.durationMillis());
    Wav wav = read(dir.resolve(done.key()));
    assertLevel(wav.samples()[0], 0, 480_000, heard(CALLER_LEVEL, Codec.PCMA));
    assertLevel(wav.samples()[1], 0, 480_000, heard(CALLEE_LEVEL, Codec.PCMA));
  }

  @Test
  void packetsFarAheadOfTheClockAreDroppedAndAnAbandonedRecordingLeavesNothing() throws Exception {
    FileRecordingStore store = new FileRecordingStore(dir);
    WavRecorder r = WavRecorder.start(store, "burst", RecordingMode.CALLER, STARTED, JST, T0);
    // 40 packets (800 ms of audio) arrive within the first 20 ms: only what fits 500 ms ahead is kept
    for (int k = 0; k < 40; k++) {
      r.write(Party.CALLER, arrival(0, 0), packet(CALLER_LEVEL, Codec.PCMU), Codec.PCMU);
    }
    assertTrue(r.dropped() > 0, "dropped " + r.dropped());
    r.close();
    try (Stream<Path> all = Files.walk(dir)) {
      assertEquals(0, all.filter(Files::isRegularFile).count(), "no file left");
    }
    assertThrows(IllegalStateException.class, () -> r.finish(T0));
    assertThrows(IllegalArgumentException.class,
        () -> WavRecorder.start(store, "off", RecordingMode.OFF, STARTED, JST, T0));
  }

  @Test
  void theStoreOpensAndDeletesByKeyAndRefusesPathsOutsideItsDirectory() throws Exception {
    FileRecordingStore store = new FileRecordingStore(dir);
    WavRecorder r = WavRecorder.start(store, "kept", RecordingMode.CALLEE, STARTED, JST, T0);
    WavRecorder.Finished done = r.finish(T0 + 100 * MS);
    RecordingStore.Blob blob = store.open(done.key()).orElseThrow();
    byte[] bytes;
    try (InputStream in = blob.content()) {
      bytes = in.readAllBytes();
    }
    assertEquals(done.bytes(), blob.bytes());
    assertArrayEquals(Files.readAllBytes(dir.resolve(done.key())), bytes);
    AudioSystem.getAudioInputStream(new ByteArrayInputStream(bytes)).close();
    assertTrue(store.delete(done.key()));
    assertFalse(store.delete(done.key()));
    assertTrue(store.open(done.key()).isEmpty());
    assertThrows(IllegalArgumentException.class, () -> store.open("../etc/passwd.wav"));
    assertThrows(IllegalArgumentException.class, () -> store.open("/abs.wav"));
  }
}
