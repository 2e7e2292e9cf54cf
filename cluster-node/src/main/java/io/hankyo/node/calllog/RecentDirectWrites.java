package io.hankyo.node.calllog;

import io.hankyo.node.call.CallLogWriter;
import io.hankyo.protocol.calllog.CallLogRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.pekko.Done;

/**
 * A {@link CallLogWriter} that remembers, for a short retention, which call-log rows it has written, so that the
 * call-log projection can skip writing the same row a second time (design-notes.md section 3: the Call entity writes
 * its row as soon as the call ends, for freshness; the tag projection is the durable backstop and used to write every
 * row again). Cassandra writes are the scarce resource of a node (docs/performance.md): this saves one row write per
 * call whenever the projection instance runs in the JVM whose entity wrote the row (always on a single node).
 *
 * <p>Safety: a row is skipped only if this JVM saw Cassandra acknowledge the write of an equal record (same
 * {@code trn_id} and same content, compared by {@link CallLogRecord#hashCode()} and then {@code trn_id}). A row whose
 * direct write failed, is still in flight, was written by another node, or was written longer than the retention ago
 * (a projection catching up after a restart) is written by the projection as before. Nothing is persisted: a restart
 * forgets everything and the projection writes every row it replays.
 *
 * <p>Memory: two generations of {@code retention / 2} each, each holding at most {@code maxRowsPerGeneration}
 * entries (about 100 bytes each); when a generation is full, further rows are not remembered (and so are written
 * twice, as without this class). Thread-safe.
 */
public final class RecentDirectWrites implements CallLogWriter {
  private final CallLogWriter delegate;
  private final long generationNanos;
  private final int maxRowsPerGeneration;
  private final LongSupplier nanoClock;
  private volatile Map<String, Integer> current = new ConcurrentHashMap<>();
  private volatile Map<String, Integer> previous = new ConcurrentHashMap<>();
  private volatile long generationStart;

  /**
   * @param delegate the writer that talks to Cassandra
   * @param retention how long a written row is remembered (at least; at most this plus half of it), e.g. 2 minutes:
   *     well above the projection's normal lag (eventual-consistency delay + refresh interval + group wait)
   * @param maxRowsPerGeneration bound on remembered rows per half retention
   */
  public RecentDirectWrites(CallLogWriter delegate, Duration retention, int maxRowsPerGeneration) {
    this(delegate, retention, maxRowsPerGeneration, System::nanoTime);
  }

  RecentDirectWrites(CallLogWriter delegate, Duration retention, int maxRowsPerGeneration, LongSupplier nanoClock) {
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("retention must be positive: " + retention);
    }
    if (maxRowsPerGeneration < 1) {
      throw new IllegalArgumentException("maxRowsPerGeneration must be positive: " + maxRowsPerGeneration);
    }
    this.delegate = delegate;
    this.generationNanos = Math.max(1, retention.toNanos() / 2);
    this.maxRowsPerGeneration = maxRowsPerGeneration;
    this.nanoClock = nanoClock;
    this.generationStart = nanoClock.getAsLong();
  }

  /** Writes the row through the delegate; once Cassandra acknowledged it, remembers it. */
  @Override
  public CompletionStage<Done> upsert(CallLogRecord record) {
    return delegate.upsert(record).thenApply(done -> {
      remember(record);
      return done;
    });
  }

  /** Writes the rows through the delegate (batched as it does); once all are acknowledged, remembers them. */
  @Override
  public CompletionStage<Done> upsertAll(List<CallLogRecord> records) {
    return delegate.upsertAll(records).thenApply(done -> {
      records.forEach(this::remember);
      return done;
    });
  }

  /** Writes only the rows of {@link #notWritten} (the others this node's Call entities wrote already). */
  @Override
  public CompletionStage<Done> upsertBackstop(List<CallLogRecord> records) {
    List<CallLogRecord> rows = notWritten(records);
    return rows.isEmpty() ? CompletableFuture.completedFuture(Done.getInstance()) : upsertAll(rows);
  }

  /** The records, in order, whose rows this writer has not seen acknowledged within the retention. */
  public List<CallLogRecord> notWritten(List<CallLogRecord> records) {
    rotateIfDue();
    List<CallLogRecord> out = new ArrayList<>(records.size());
    for (CallLogRecord r : records) {
      if (!remembered(r)) {
        out.add(r);
      }
    }
    return out;
  }

  /** Whether this writer has seen the row of an equal record acknowledged within the retention. */
  public boolean written(CallLogRecord record) {
    rotateIfDue();
    return remembered(record);
  }

  private boolean remembered(CallLogRecord record) {
    Integer hash = current.get(record.trnId());
    if (hash == null) {
      hash = previous.get(record.trnId());
    }
    return hash != null && hash == record.hashCode();
  }

  private void remember(CallLogRecord record) {
    rotateIfDue();
    Map<String, Integer> gen = current;
    if (gen.size() < maxRowsPerGeneration) {
      gen.put(record.trnId(), record.hashCode());
    }
  }

  private void rotateIfDue() {
    long now = nanoClock.getAsLong();
    if (now - generationStart < generationNanos) {
      return;
    }
    synchronized (this) {
      long elapsed = now - generationStart;
      if (elapsed < generationNanos) {
        return;
      }
      // More than two generations idle: both are too old.
      previous = elapsed >= 2 * generationNanos ? new ConcurrentHashMap<>() : current;
      current = new ConcurrentHashMap<>();
      generationStart = now;
    }
  }
}
