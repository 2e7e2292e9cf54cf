package io.hankyo.node.call;

import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.IntStream;
import org.apache.pekko.Done;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * {@link OpenCalls} in the read-side keyspace's table {@code open_calls} (CQL in docs/cassandra.md):
 *
 * <pre>
 * CREATE TABLE open_calls (bucket int, trn_id text, arrived_at timestamp, PRIMARY KEY (bucket, trn_id))
 *   WITH default_time_to_live = 18000 AND gc_grace_seconds = 600;
 * </pre>
 *
 * <p>{@code bucket} = {@code floorMod(trn_id.hashCode(), }{@link #BUCKETS}{@code )}: a fixed, small number of
 * partitions, so a sweep is {@link #BUCKETS} single-partition reads. The table TTL (5 h, above
 * {@code hankyo.sip.max-call-duration} of 4 h) removes any row whose delete was lost; the short {@code
 * gc_grace_seconds} (10 min) keeps the delete tombstones of ended calls from piling up in the swept partitions. A row
 * resurrected by that short grace (a replica down longer than 10 min missed the delete) only costs one harmless wake.
 */
public final class CassandraOpenCalls implements OpenCalls {
  /** Partitions of {@code open_calls}. */
  // 256, not fewer: a sweep also reads the tombstones of calls ended within gc_grace_seconds (600 s) that compaction
  // has not purged; at 200 calls/s that is ≈ 470 per partition, under Cassandra's tombstone_warn_threshold (1,000)
  public static final int BUCKETS = 256;

  /** Table TTL, seconds: 5 h, above hankyo.sip.max-call-duration (4 h). */
  public static final int TTL_SECONDS = 5 * 3600;

  private final CassandraSession session;
  private final String insertCql;
  private final String deleteCql;
  private final String selectCql;
  private volatile CompletableFuture<PreparedStatement> insert;
  private volatile CompletableFuture<PreparedStatement> delete;
  private volatile CompletableFuture<PreparedStatement> select;

  /**
   * @param session the shared Cassandra session
   * @param keyspace the read-side keyspace; the table must exist ({@link #createSchema})
   */
  public CassandraOpenCalls(CassandraSession session, String keyspace) {
    this.session = session;
    this.insertCql = "INSERT INTO " + keyspace + ".open_calls (bucket, trn_id, arrived_at) VALUES (?, ?, ?)";
    this.deleteCql = "DELETE FROM " + keyspace + ".open_calls WHERE bucket = ? AND trn_id = ?";
    this.selectCql = "SELECT trn_id, arrived_at FROM " + keyspace + ".open_calls WHERE bucket = ?";
    this.insert = session.prepare(insertCql).toCompletableFuture();
    this.delete = session.prepare(deleteCql).toCompletableFuture();
    this.select = session.prepare(selectCql).toCompletableFuture();
  }

  /** Creates the table when absent (development and tests; production uses the CQL of docs/cassandra.md). */
  public static CompletionStage<Done> createSchema(CassandraSession session, String keyspace) {
    return session.executeDDL("CREATE TABLE IF NOT EXISTS " + keyspace + ".open_calls ("
        + "bucket int, trn_id text, arrived_at timestamp, PRIMARY KEY (bucket, trn_id)) "
        + "WITH default_time_to_live = " + TTL_SECONDS + " AND gc_grace_seconds = 600");
  }

  /** The partition of call {@code trnId}. */
  public static int bucketOf(String trnId) {
    return Math.floorMod(trnId.hashCode(), BUCKETS);
  }

  @Override
  public CompletionStage<Done> opened(String trnId, Instant arrivedAt) {
    return statement(insert, insertCql, f -> insert = f)
        .thenCompose(ps -> session.executeWrite(ps.bind(bucketOf(trnId), trnId, arrivedAt)));
  }

  @Override
  public CompletionStage<Done> closed(String trnId) {
    return statement(delete, deleteCql, f -> delete = f)
        .thenCompose(ps -> session.executeWrite(ps.bind(bucketOf(trnId), trnId)));
  }

  /**
   * The open calls of every bucket that arrived before {@code arrivedBefore}; one read per bucket.
   *
   * @return the entries, in no particular order
   */
  public CompletionStage<List<Entry>> arrivedBefore(Instant arrivedBefore) {
    return statement(select, selectCql, f -> select = f).thenCompose(ps -> {
      List<CompletableFuture<List<Row>>> reads = IntStream.range(0, BUCKETS)
          .mapToObj(b -> session.selectAll(ps.bind(b)).toCompletableFuture())
          .toList();
      return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(v -> reads.stream()
          .flatMap(r -> r.join().stream())
          .map(row -> new Entry(row.getString("trn_id"), row.getInstant("arrived_at")))
          .filter(e -> e.arrivedAt() == null || e.arrivedAt().isBefore(arrivedBefore))
          .toList());
    });
  }

  /** A prepared statement; a failed prepare (keyspace missing, Cassandra briefly away) is retried on next use. */
  private CompletionStage<PreparedStatement> statement(CompletableFuture<PreparedStatement> current, String cql,
      java.util.function.Consumer<CompletableFuture<PreparedStatement>> store) {
    if (current.isCompletedExceptionally()) {
      CompletableFuture<PreparedStatement> f = session.prepare(cql).toCompletableFuture();
      store.accept(f);
      return f;
    }
    return current;
  }
}
