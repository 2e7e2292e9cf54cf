package io.hankyo.node.recording;

import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.Done;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * {@link RecordingIndex} in the read-side keyspace (CQL in docs/cassandra.md):
 *
 * <pre>
 * CREATE TABLE recordings_by_day (operator_id text, day date, trn_id text, key text, stored_at timestamp,
 *   PRIMARY KEY ((operator_id, day), trn_id));
 * CREATE TABLE recording_days (operator_id text, day date, PRIMARY KEY (operator_id, day));
 * </pre>
 *
 * <p>{@code day} is the UTC date of {@code stored_at}. One partition of {@code recordings_by_day} per operator and
 * day keeps partitions bounded by a day's recordings; {@code recording_days} (one small partition per operator, one
 * row per day with recordings, at most 3,650 rows for 10 years) lets the sweeper find the days to read without
 * scanning, and its partition keys are the list of operators. Both writes of {@link #stored} are idempotent upserts.
 * No TTL: a recording is indexed as long as it may exist (retention is per operator and may change).
 */
public final class CassandraRecordingIndex implements RecordingIndex.Sweepable {
  private final CassandraSession session;
  private final String keyspace;
  private final Map<String, CompletableFuture<PreparedStatement>> statements = new ConcurrentHashMap<>();

  /**
   * @param session the shared Cassandra session
   * @param keyspace the read-side keyspace; the tables must exist ({@link #createSchema})
   */
  public CassandraRecordingIndex(CassandraSession session, String keyspace) {
    this.session = session;
    this.keyspace = keyspace;
  }

  /** Creates the tables when absent (development and tests; production uses the CQL of docs/cassandra.md). */
  public static CompletionStage<Done> createSchema(CassandraSession session, String keyspace) {
    return session.executeDDL("CREATE TABLE IF NOT EXISTS " + keyspace + ".recordings_by_day ("
            + "operator_id text, day date, trn_id text, key text, stored_at timestamp, "
            + "PRIMARY KEY ((operator_id, day), trn_id))")
        .thenCompose(d -> session.executeDDL("CREATE TABLE IF NOT EXISTS " + keyspace + ".recording_days ("
            + "operator_id text, day date, PRIMARY KEY (operator_id, day))"));
  }

  /** The day bucket of a recording stored at {@code storedAt}: its UTC date. */
  public static LocalDate dayOf(Instant storedAt) {
    return LocalDate.ofInstant(storedAt, ZoneOffset.UTC);
  }

  @Override
  public CompletionStage<Done> stored(String operatorId, String trnId, String key, Instant storedAt) {
    LocalDate day = dayOf(storedAt);
    return prepared("INSERT INTO " + keyspace + ".recording_days (operator_id, day) VALUES (?, ?)")
        .thenCompose(ps -> session.executeWrite(ps.bind(operatorId, day)))
        .thenCompose(d -> prepared("INSERT INTO " + keyspace
            + ".recordings_by_day (operator_id, day, trn_id, key, stored_at) VALUES (?, ?, ?, ?, ?)"))
        .thenCompose(ps -> session.executeWrite(ps.bind(operatorId, day, trnId, key, storedAt)));
  }

  @Override
  public CompletionStage<List<String>> operators() {
    return session.selectAll("SELECT DISTINCT operator_id FROM " + keyspace + ".recording_days")
        .thenApply(rows -> rows.stream().map(r -> r.getString("operator_id")).toList());
  }

  @Override
  public CompletionStage<List<LocalDate>> days(String operatorId, LocalDate through) {
    return prepared("SELECT day FROM " + keyspace + ".recording_days WHERE operator_id = ? AND day <= ?")
        .thenCompose(ps -> session.selectAll(ps.bind(operatorId, through)))
        .thenApply(rows -> rows.stream().map(r -> r.getLocalDate("day")).toList());
  }

  @Override
  public CompletionStage<List<Entry>> recordings(String operatorId, LocalDate day) {
    return prepared("SELECT trn_id, key, stored_at FROM " + keyspace
            + ".recordings_by_day WHERE operator_id = ? AND day = ?")
        .thenCompose(ps -> session.selectAll(ps.bind(operatorId, day)))
        .thenApply(rows -> rows.stream()
            .map(r -> new Entry(operatorId, r.getString("trn_id"), r.getString("key"), r.getInstant("stored_at")))
            .toList());
  }

  @Override
  public CompletionStage<Done> removed(String operatorId, LocalDate day, String trnId) {
    return prepared("DELETE FROM " + keyspace + ".recordings_by_day WHERE operator_id = ? AND day = ? AND trn_id = ?")
        .thenCompose(ps -> session.executeWrite(ps.bind(operatorId, day, trnId)));
  }

  @Override
  public CompletionStage<Done> dayEmptied(String operatorId, LocalDate day) {
    return prepared("DELETE FROM " + keyspace + ".recording_days WHERE operator_id = ? AND day = ?")
        .thenCompose(ps -> session.executeWrite(ps.bind(operatorId, day)));
  }

  /** A prepared statement, prepared once; a failed prepare (Cassandra briefly away) is retried on next use. */
  private CompletionStage<PreparedStatement> prepared(String cql) {
    return statements.compute(cql, (k, f) -> f == null || f.isCompletedExceptionally()
        ? session.prepare(cql).toCompletableFuture() : f);
  }
}
