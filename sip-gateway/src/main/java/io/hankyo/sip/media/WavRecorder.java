package io.hankyo.sip.media;

import io.hankyo.protocol.recording.RecordingMode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Records a two-party call (2者間通話録音, issue 4) as a WAV file: 8,000 Hz, 16-bit signed little-endian linear PCM
 * (WAVE_FORMAT_PCM), stereo for {@link RecordingMode#BOTH} (caller on the left channel, callee on the right) and mono
 * for one side. The audio is decoded from the G.711 packets each leg's {@link MediaSession} receives (before any
 * transcoding for the other leg).
 *
 * <p><b>Timeline.</b> Sample 0 is the moment given to {@link #start} (the bridge). A packet's place comes from its
 * arrival time: per channel, packets follow each other without a seam while they arrive on time; when a packet
 * arrives more than {@value #GAP_SAMPLES} samples (60 ms) later than where the channel's audio ends, the missing
 * time is silence (zeros); a packet arriving more than {@value #AHEAD_SAMPLES} samples (500 ms) earlier than where the
 * channel's audio already ends is dropped (counted in {@link #dropped()}), so the two channels stay aligned to the
 * wall clock. A channel that receives nothing is silent.
 *
 * <p><b>Memory and file.</b> Samples are held in a ring of {@value #RING_SAMPLES} samples per channel (4 s) and
 * written to a temp file of the {@link RecordingStore} once they are {@value #HOLD_SAMPLES} samples (1 s) old, so a
 * call of any length uses the same memory. {@link #finish} pads or cuts the audio to the end time, fixes the RIFF and
 * data sizes in the header, computes the SHA-256 and size of the file and {@linkplain RecordingStore#put stores} it
 * as {@code yyyy/MM/dd/{trn_id}.wav} (the date of the start in the given zone).
 *
 * <p>Thread-safe (writes of both legs may come from different threads).
 */
public final class WavRecorder implements AutoCloseable {
  /** Sample rate, Hz. */
  public static final int SAMPLE_RATE = Codec.CLOCK_RATE;
  /** Bytes of the canonical WAV header (RIFF, fmt, data chunk headers). */
  public static final int HEADER_BYTES = 44;
  /** A packet later than this many samples after the channel's end starts after a gap of silence (60 ms). */
  static final int GAP_SAMPLES = 480;
  /** A packet earlier than this many samples before the channel's end is dropped (500 ms). */
  static final int AHEAD_SAMPLES = 4000;
  /** Samples older than this (1 s) before the latest arrival are final and written to the file. */
  static final int HOLD_SAMPLES = 8000;
  /** Ring size per channel, samples (4 s). */
  static final int RING_SAMPLES = 32000;

  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy/MM/dd");

  /** Which party's audio a packet is. */
  public enum Party {
    /** The caller (the A leg, who dialled the tracking number); left channel in stereo. */
    CALLER,
    /** The callee (the forward leg); right channel in stereo. */
    CALLEE
  }

  /**
   * A stored recording.
   *
   * @param key the store key, a relative path: {@code 2026/11/29/{trn_id}.wav}
   * @param bytes the file's size, header included
   * @param sha256 lower-case hex SHA-256 of the whole file
   * @param durationMillis the audio's length, ms (samples / 8)
   * @param channels 2 for both parties, 1 for one
   */
  public record Finished(String key, long bytes, String sha256, long durationMillis, int channels) {}

  private final RecordingStore store;
  private final String key;
  private final Path temp;
  private final FileChannel file;
  private final RecordingMode mode;
  private final int channels;
  private final long startNanos;
  private final short[][] ring;
  private final long[] cursor;
  private final ByteBuffer out;
  private long flushed;
  private long dataBytes;
  private long dropped;
  private boolean done;

  private WavRecorder(RecordingStore store, String key, Path temp, FileChannel file, RecordingMode mode,
      long startNanos) {
    this.store = store;
    this.key = key;
    this.temp = temp;
    this.file = file;
    this.mode = mode;
    this.channels = mode.channels();
    this.startNanos = startNanos;
    this.ring = new short[channels][RING_SAMPLES];
    this.cursor = new long[channels];
    this.out = ByteBuffer.allocate(RING_SAMPLES * 2 * channels).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Starts a recording: creates the temp file and writes a header with zero sizes.
   *
   * @param store where it goes
   * @param trnId the call; the file is {@code {trn_id}.wav} (characters other than A-Z a-z 0-9 _ - become _)
   * @param mode {@link RecordingMode#BOTH}, {@link RecordingMode#CALLER} or {@link RecordingMode#CALLEE}
   * @param startedAt the wall-clock start, for the day directory
   * @param zone the zone of the day directory (the operator's, e.g. Asia/Tokyo)
   * @param startNanos {@link System#nanoTime()} of the start: sample 0
   * @throws IllegalArgumentException for {@link RecordingMode#OFF}
   * @throws IOException when the temp file cannot be written
   */
  public static WavRecorder start(RecordingStore store, String trnId, RecordingMode mode, Instant startedAt,
      ZoneId zone, long startNanos) throws IOException {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(trnId, "trnId");
    if (mode == null || !mode.records()) {
      throw new IllegalArgumentException("a recording needs mode both, caller or callee; got " + mode);
    }
    String key = DAY.format(startedAt.atZone(zone)) + "/" + trnId.replaceAll("[^A-Za-z0-9_-]", "_") + ".wav";
    Path temp = store.newTempFile(trnId);
    FileChannel file = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    WavRecorder r = new WavRecorder(store, key, temp, file, mode, startNanos);
    try {
      r.writeHeader();
    } catch (IOException e) {
      r.close();
      throw e;
    }
    return r;
  }

  /** The mode recorded. */
  public RecordingMode mode() {
    return mode;
  }

  /** The store key the recording gets, e.g. {@code 2026/11/29/0a1b2c.wav}. */
  public String key() {
    return key;
  }

  /** Packets dropped because they came too early for the timeline or after {@link #finish}. */
  public synchronized long dropped() {
    return dropped;
  }

  /**
   * Adds one packet's audio. Ignored for the party the mode does not record.
   *
   * @param party whose audio it is
   * @param arrivalNanos {@link System#nanoTime()} when the packet arrived
   * @param codes G.711 codes, one per sample
   * @param codec their law
   * @throws IOException when writing the temp file fails (the recording is then lost; {@link #close} it)
   */
  public synchronized void write(Party party, long arrivalNanos, byte[] codes, Codec codec) throws IOException {
    int ch = channelOf(party);
    if (ch < 0 || codes.length == 0) {
      return;
    }
    if (done) {
      dropped++;
      return;
    }
    short[] pcm = codec.decode(codes);
    int n = pcm.length;
    long arrived = position(arrivalNanos);
    long at = Math.max(0, arrived - n);
    if (at > cursor[ch] + GAP_SAMPLES) {
      cursor[ch] = at;
    } else if (cursor[ch] > at + AHEAD_SAMPLES) {
      dropped++;
      return;
    }
    long begin = Math.max(cursor[ch], flushed);
    int skip = (int) (begin - cursor[ch]);
    if (skip >= n) {
      dropped++;
      cursor[ch] = Math.max(cursor[ch], flushed);
      return;
    }
    long end = begin + (n - skip);
    if (end - flushed > RING_SAMPLES) {
      flushTo(end - RING_SAMPLES);
    }
    short[] r = ring[ch];
    for (int i = skip; i < n; i++) {
      r[(int) ((begin + i - skip) % RING_SAMPLES)] = pcm[i];
    }
    cursor[ch] = end;
    if (arrived - HOLD_SAMPLES > flushed) {
      flushTo(arrived - HOLD_SAMPLES);
    }
  }

  /**
   * Ends the recording at {@code endNanos} (audio after it is cut, missing audio up to it is silence), fixes the
   * header and stores the file. Later writes are dropped; a second call fails.
   *
   * @param endNanos {@link System#nanoTime()} of the end of the call; not before the start
   * @return what was stored
   * @throws IOException when the file cannot be completed or stored (the temp file is deleted)
   */
  public synchronized Finished finish(long endNanos) throws IOException {
    if (done) {
      throw new IllegalStateException("the recording " + key + " was already finished or closed");
    }
    done = true;
    try {
      long end = Math.max(flushed, position(endNanos));
      flushTo(end);
      writeHeader();
      file.force(false);
      file.close();
      long bytes = Files.size(temp);
      String sha = sha256(temp);
      store.put(key, temp);
      long samples = dataBytes / (2L * channels);
      return new Finished(key, bytes, sha, samples * 1000 / SAMPLE_RATE, channels);
    } catch (IOException | RuntimeException e) {
      abandon();
      throw e;
    }
  }

  /** Abandons an unfinished recording (deletes its temp file); nothing after {@link #finish}. */
  @Override
  public synchronized void close() {
    if (!done) {
      done = true;
      abandon();
    }
  }

  private void abandon() {
    try {
      file.close();
    } catch (IOException ignored) {
      // closing a channel we only wrote; nothing to keep
    }
    try {
      Files.deleteIfExists(temp);
    } catch (IOException ignored) {
      // a leftover part file in .partial is harmless
    }
  }

  private int channelOf(Party party) {
    if (mode == RecordingMode.BOTH) {
      return party == Party.CALLER ? 0 : 1;
    }
    boolean wanted = (mode == RecordingMode.CALLER) == (party == Party.CALLER);
    return wanted ? 0 : -1;
  }

  /** The sample index of a nanoTime. */
  private long position(long nanos) {
    long elapsed = Math.max(0, nanos - startNanos);
    return elapsed * SAMPLE_RATE / TimeUnit.SECONDS.toNanos(1);
  }

  /** Writes samples [flushed, target) of every channel, interleaved, and clears their ring slots. */
  private void flushTo(long target) throws IOException {
    while (flushed < target) {
      int count = (int) Math.min(target - flushed, RING_SAMPLES);
      out.clear();
      for (int i = 0; i < count; i++) {
        int slot = (int) ((flushed + i) % RING_SAMPLES);
        for (int ch = 0; ch < channels; ch++) {
          out.putShort(ring[ch][slot]);
          ring[ch][slot] = 0;
        }
      }
      out.flip();
      file.position(HEADER_BYTES + dataBytes);
      while (out.hasRemaining()) {
        dataBytes += file.write(out);
      }
      flushed += count;
    }
    for (int ch = 0; ch < channels; ch++) {
      cursor[ch] = Math.max(cursor[ch], flushed);
    }
  }

  /** The canonical 44-byte header (RIFF/WAVE, fmt PCM, data) for {@link #dataBytes} of audio, at offset 0. */
  private void writeHeader() throws IOException {
    ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    h.put(new byte[] {'R', 'I', 'F', 'F'}).putInt((int) (36 + dataBytes)).put(new byte[] {'W', 'A', 'V', 'E'});
    h.put(new byte[] {'f', 'm', 't', ' '}).putInt(16).putShort((short) 1).putShort((short) channels)
        .putInt(SAMPLE_RATE).putInt(SAMPLE_RATE * 2 * channels).putShort((short) (2 * channels))
        .putShort((short) 16);
    h.put(new byte[] {'d', 'a', 't', 'a'}).putInt((int) dataBytes);
    h.flip();
    file.position(0);
    while (h.hasRemaining()) {
      file.write(h);
    }
  }

  private static String sha256(Path p) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(p)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
