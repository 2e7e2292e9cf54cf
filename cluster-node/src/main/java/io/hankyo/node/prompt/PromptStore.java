package io.hankyo.node.prompt;

import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.hankyo.protocol.prompt.PromptAudio;
import io.hankyo.protocol.prompt.PromptSource;
import io.hankyo.protocol.prompt.PromptStored;
import io.hankyo.protocol.prompt.PromptView;
import io.hankyo.sip.media.InvalidPromptException;
import io.hankyo.sip.media.Prompt;
import io.hankyo.sip.media.WavPromptLoader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.apache.pekko.Done;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * Guidance prompts (ガイダンス, spec section 4; issue 3) of every operator, stored in Cassandra so that a call on any
 * node can play them, with a small per-node cache of decoded {@link Prompt}s for the media plane.
 *
 * <h2>Tables (keyspace of the read side, {@code hankyo.cassandra.read-side-keyspace})</h2>
 *
 * <pre>
 * CREATE TABLE prompts (                     -- metadata; one partition per operator: GET /v1/prompts is one read
 *   operator_id text, name text,
 *   source text,                             -- upload | text
 *   text text, voice text,                   -- text prompts only
 *   duration_ms bigint, bytes bigint,        -- of the stored WAV file
 *   sha256 text,                             -- of the stored WAV file, lower-case hex
 *   updated_at timestamp,
 *   PRIMARY KEY ((operator_id), name))
 * CREATE TABLE prompt_audio (                -- the audio; one partition per prompt
 *   operator_id text, name text,
 *   wav blob,                                -- WAV file, 8,000 Hz mono 16-bit linear PCM
 *   sha256 text,
 *   PRIMARY KEY ((operator_id, name)))
 * </pre>
 *
 * The audio has its own table, one prompt per partition, so that an operator's partition of metadata stays small
 * (listing does not touch megabytes of audio) and a prompt of the 5-minute maximum (4.8 MB of PCM) is one cell, well
 * within Cassandra's mutation limit (half the 32 MiB commit-log segment). Writes go audio first, then metadata;
 * deletes metadata first, then audio: a listed prompt always has audio. The two writes are not a batch (a multi-
 * partition logged batch of megabytes would exceed the batch-size limits); a crash between them leaves an orphan audio
 * row that the next PUT of that name overwrites.
 *
 * <h2>Stored form</h2>
 *
 * Audio is normalized by {@link WavPromptLoader} (the media plane's limits and conversions) and stored as 16-bit
 * linear PCM at 8 kHz mono rather than G.711: the media plane plays both PCMU and PCMA and {@link Prompt} holds linear
 * samples, so linear PCM is lossless for both codecs (storing µ-law would quantize twice on A-law calls) and needs no
 * decoding on load; it costs twice the bytes of G.711 (16 KB per second), which the 5-minute limit keeps bounded.
 * A GET of the audio returns this WAV file as stored.
 *
 * <h2>Cache</h2>
 *
 * {@link #get} keeps up to {@code cacheSize} decoded prompts (least recently used out) for {@code cacheTtl}. A
 * change made through this store invalidates its own entry at once; a change made on another node is seen when the
 * entry expires, so the TTL bounds how long another node may still play the old audio. TTL rather than a checksum
 * check per get: the per-call path then needs no Cassandra read at all while an entry lives. Absent prompts are not
 * cached. Thread-safe.
 */
public final class PromptStore {
  private final CassandraSession session;
  private final String keyspace;
  private final WavPromptLoader loader;
  private final Executor blocking;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final int cacheSize;
  private final long cacheTtlNanos;
  private final Map<Key, Cached> cache;
  /** Bumped by every local invalidation; a load started before one does not fill the cache. */
  private final AtomicLong generation = new AtomicLong();
  private final AtomicLong loads = new AtomicLong();

  private final Statement insertMeta;
  private final Statement insertAudio;
  private final Statement selectMeta;
  private final Statement listMeta;
  private final Statement selectAudio;
  private final Statement deleteMeta;
  private final Statement deleteAudio;

  private record Key(String operatorId, String name) {}

  private record Cached(Prompt prompt, String sha256, long expiresAtNanos) {}

  /**
   * @param session the node's Cassandra session (shared with the journal)
   * @param keyspace the read-side keyspace; the tables must exist ({@link #createSchema})
   * @param loader checks and normalizes uploads (the media settings' size and duration limits)
   * @param blocking where WAV conversion runs (CPU work, kept off the actor dispatchers)
   * @param cacheSize most prompts held decoded on this node, at least 1
   * @param cacheTtl how long a cached prompt is used before it is read again (&gt; 0)
   */
  public PromptStore(CassandraSession session, String keyspace, WavPromptLoader loader, Executor blocking,
      int cacheSize, Duration cacheTtl) {
    this(session, keyspace, loader, blocking, cacheSize, cacheTtl, Clock.systemUTC(), System::nanoTime);
  }

  /** As above, with the clock of {@code updated_at} and the ticker of the cache TTL (tests). */
  public PromptStore(CassandraSession session, String keyspace, WavPromptLoader loader, Executor blocking,
      int cacheSize, Duration cacheTtl, Clock clock, LongSupplier nanoTime) {
    this.session = Objects.requireNonNull(session, "session");
    this.keyspace = Objects.requireNonNull(keyspace, "keyspace");
    this.loader = Objects.requireNonNull(loader, "loader");
    this.blocking = Objects.requireNonNull(blocking, "blocking");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    if (cacheSize < 1) {
      throw new IllegalArgumentException("prompt cache size must be at least 1: " + cacheSize);
    }
    if (cacheTtl == null || cacheTtl.isNegative() || cacheTtl.isZero()) {
      throw new IllegalArgumentException("prompt cache TTL must be positive: " + cacheTtl);
    }
    this.cacheSize = cacheSize;
    this.cacheTtlNanos = cacheTtl.toNanos();
    this.cache = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, Cached> eldest) {
        return size() > PromptStore.this.cacheSize;
      }
    };
    String k = keyspace + ".";
    insertMeta = new Statement("INSERT INTO " + k + "prompts (operator_id, name, source, text, voice, duration_ms, "
        + "bytes, sha256, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insertAudio = new Statement("INSERT INTO " + k + "prompt_audio (operator_id, name, wav, sha256) "
        + "VALUES (?, ?, ?, ?)");
    selectMeta = new Statement("SELECT * FROM " + k + "prompts WHERE operator_id = ? AND name = ?");
    listMeta = new Statement("SELECT * FROM " + k + "prompts WHERE operator_id = ?");
    selectAudio = new Statement("SELECT wav, sha256 FROM " + k + "prompt_audio WHERE operator_id = ? AND name = ?");
    deleteMeta = new Statement("DELETE FROM " + k + "prompts WHERE operator_id = ? AND name = ?");
    deleteAudio = new Statement("DELETE FROM " + k + "prompt_audio WHERE operator_id = ? AND name = ?");
  }

  /** A prepared statement, prepared on first use and again after a failed prepare (like CassandraCallLog). */
  private final class Statement {
    private final String cql;
    private volatile CompletableFuture<PreparedStatement> prepared;

    Statement(String cql) {
      this.cql = cql;
    }

    CompletionStage<PreparedStatement> get() {
      CompletableFuture<PreparedStatement> f = prepared;
      if (f == null || f.isCompletedExceptionally()) {
        synchronized (this) {
          f = prepared;
          if (f == null || f.isCompletedExceptionally()) {
            f = session.prepare(cql).toCompletableFuture();
            prepared = f;
          }
        }
      }
      return f;
    }
  }

  /**
   * Creates the two tables in {@code keyspace} when absent (the keyspace must exist). Development and tests; production
   * creates them with the CQL of docs/cassandra.md.
   */
  public static CompletionStage<Done> createSchema(CassandraSession session, String keyspace) {
    return session
        .executeDDL("CREATE TABLE IF NOT EXISTS " + keyspace + ".prompts ("
            + "operator_id text, name text, source text, text text, voice text, duration_ms bigint, bytes bigint, "
            + "sha256 text, updated_at timestamp, PRIMARY KEY ((operator_id), name))")
        .thenCompose(d -> session.executeDDL("CREATE TABLE IF NOT EXISTS " + keyspace + ".prompt_audio ("
            + "operator_id text, name text, wav blob, sha256 text, PRIMARY KEY ((operator_id, name)))"));
  }

  // ------------------------------------------------------------------------------------------------ writes

  /**
   * Checks and normalizes {@code wav} and stores it as the operator's prompt {@code name}, replacing one of that name.
   *
   * @param source {@code UPLOAD}, or {@code TEXT} for audio synthesized from {@code text} with {@code voice}
   * @param wav a WAV file in any form {@link WavPromptLoader} accepts
   * @return the stored prompt; {@code created} tells whether the name was new. Whether it was new is read before the
   *     write: two concurrent first PUTs of one name may both say created.
   * @throws InvalidPromptException (as the stage's failure) when the audio is refused; the reason tells why
   */
  public CompletionStage<PromptStored> store(String operatorId, String name, PromptSource source, String text,
      String voice, byte[] wav) {
    CompletableFuture<Prompt> normalized = CompletableFuture.supplyAsync(() -> {
      try {
        return loader.load(name, wav);
      } catch (InvalidPromptException e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    }, blocking);
    Key key = new Key(operatorId, name);
    return normalized.thenCompose(prompt -> {
      byte[] stored = toWav(prompt);
      String sha = sha256(stored);
      Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
      PromptView view = new PromptView(name, source, text, voice, prompt.durationMillis(), stored.length, sha, now);
      return meta(operatorId, name).thenCompose(existing -> insertAudio.get()
          .thenCompose(ps -> session.executeWrite(ps.bind(operatorId, name, ByteBuffer.wrap(stored), sha)))
          .thenCompose(d -> insertMeta.get())
          .thenCompose(ps -> session.executeWrite(ps.bind(operatorId, name, source.code(), text, voice,
              view.durationMs(), view.bytes(), sha, now)))
          .thenApply(d -> {
            invalidate(key);
            return new PromptStored(view, existing.isEmpty());
          }));
    });
  }

  /**
   * Deletes the operator's prompt {@code name}.
   *
   * @return true when it existed
   */
  public CompletionStage<Boolean> delete(String operatorId, String name) {
    Key key = new Key(operatorId, name);
    return meta(operatorId, name).thenCompose(existing -> deleteMeta.get()
        .thenCompose(ps -> session.executeWrite(ps.bind(operatorId, name)))
        .thenCompose(d -> deleteAudio.get())
        .thenCompose(ps -> session.executeWrite(ps.bind(operatorId, name)))
        .thenApply(d -> {
          invalidate(key);
          return existing.isPresent();
        }));
  }

  // ------------------------------------------------------------------------------------------------ reads

  /** The operator's prompt {@code name}'s metadata, or empty. */
  public CompletionStage<Optional<PromptView>> meta(String operatorId, String name) {
    return selectMeta.get()
        .thenCompose(ps -> session.selectOne(ps.bind(operatorId, name)))
        .thenApply(row -> row.map(PromptStore::view));
  }

  /** The operator's prompts' metadata, ordered by name (one partition read). */
  public CompletionStage<List<PromptView>> list(String operatorId) {
    return listMeta.get()
        .thenCompose(ps -> session.selectAll(ps.bind(operatorId)))
        .thenApply(rows -> rows.stream().map(PromptStore::view).collect(Collectors.toList()));
  }

  /** The operator's prompt {@code name} with its stored WAV file, or empty. */
  public CompletionStage<Optional<PromptAudio>> audio(String operatorId, String name) {
    return meta(operatorId, name).thenCompose(meta -> {
      if (meta.isEmpty()) {
        return CompletableFuture.completedFuture(Optional.<PromptAudio>empty());
      }
      return selectAudio.get()
          .thenCompose(ps -> session.selectOne(ps.bind(operatorId, name)))
          .thenApply(row -> row.map(r -> new PromptAudio(meta.get(), bytes(r.getByteBuffer("wav")))));
    });
  }

  /**
   * The operator's prompt {@code name} ready to play, for the media plane: from this node's cache while the entry is
   * younger than the TTL, else read from Cassandra (one single-partition read) and cached.
   *
   * @return the prompt (its {@link Prompt#name()} is {@code name}), or empty when the operator has none of that name
   */
  public CompletionStage<Optional<Prompt>> get(String operatorId, String name) {
    Key key = new Key(operatorId, name);
    long now = nanoTime.getAsLong();
    synchronized (cache) {
      Cached c = cache.get(key);
      if (c != null && now - c.expiresAtNanos() < 0) {
        return CompletableFuture.completedFuture(Optional.of(c.prompt()));
      }
      if (c != null) {
        cache.remove(key);
      }
    }
    long gen = generation.get();
    return selectAudio.get()
        .thenCompose(ps -> session.selectOne(ps.bind(operatorId, name)))
        .thenApply(row -> {
          if (row.isEmpty()) {
            return Optional.<Prompt>empty();
          }
          loads.incrementAndGet();
          Prompt prompt = fromWav(name, bytes(row.get().getByteBuffer("wav")));
          synchronized (cache) {
            if (generation.get() == gen) {
              cache.put(key, new Cached(prompt, row.get().getString("sha256"), nanoTime.getAsLong() + cacheTtlNanos));
            }
          }
          return Optional.of(prompt);
        });
  }

  /** How many prompts {@link #get} has read from Cassandra (cache misses that found one), for tests and metrics. */
  public long loadCount() {
    return loads.get();
  }

  /** Number of prompts in this node's cache. */
  public int cachedCount() {
    synchronized (cache) {
      return cache.size();
    }
  }

  private void invalidate(Key key) {
    synchronized (cache) {
      generation.incrementAndGet();
      cache.remove(key);
    }
  }

  // ------------------------------------------------------------------------------------------------ WAV

  /**
   * A prompt as a canonical WAV file: RIFF/WAVE, a 16-byte {@code fmt } chunk (PCM, 1 channel, 8,000 Hz, 16 bits),
   * then the {@code data} chunk of little-endian samples; 44 + 2 × samples bytes.
   */
  public static byte[] toWav(Prompt prompt) {
    short[] samples = prompt.samples();
    int dataBytes = samples.length * 2;
    ByteBuffer b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {'R', 'I', 'F', 'F'}).putInt(36 + dataBytes).put(new byte[] {'W', 'A', 'V', 'E'});
    b.put(new byte[] {'f', 'm', 't', ' '}).putInt(16).putShort((short) 1).putShort((short) 1)
        .putInt(8000).putInt(16000).putShort((short) 2).putShort((short) 16);
    b.put(new byte[] {'d', 'a', 't', 'a'}).putInt(dataBytes);
    for (short s : samples) {
      b.putShort(s);
    }
    return b.array();
  }

  /** Reads a WAV file written by {@link #toWav} without javax.sound (the per-call path). */
  static Prompt fromWav(String name, byte[] wav) {
    ByteBuffer b = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
    if (wav.length < 44 || b.getInt(36) != 0x61746164 /* "data" */ || b.getShort(22) != 1
        || b.getInt(24) != 8000 || b.getShort(34) != 16) {
      throw new IllegalStateException("prompt " + name + ": stored audio is not the canonical 8 kHz mono PCM WAV");
    }
    int n = Math.min(b.getInt(40), wav.length - 44) / 2;
    short[] samples = new short[n];
    b.position(44);
    for (int i = 0; i < n; i++) {
      samples[i] = b.getShort();
    }
    return Prompt.ofSamples(name, samples);
  }

  private static PromptView view(Row r) {
    return new PromptView(r.getString("name"), PromptSource.ofCode(r.getString("source")), r.getString("text"),
        r.getString("voice"), r.getLong("duration_ms"), r.getLong("bytes"), r.getString("sha256"),
        r.getInstant("updated_at"));
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing", e);
    }
  }
}
