package io.hankyo.node.calllog;

import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hankyo.node.call.CallLogWriter;
import io.hankyo.protocol.calllog.CallLogRecord;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The call-log read side in Cassandra: table {@code <keyspace>.call_log}.
 *
 * <pre>
 * CREATE TABLE call_log (
 *   operator_id text, day text,          -- day: din_tms's date in Asia/Tokyo, yyyy-MM-dd
 *   din_tms timestamp, trn_id text, seq_num bigint,
 *   record text,                         -- the CallLogRecord as JSON (caller encrypted)
 *   PRIMARY KEY ((operator_id, day), din_tms, trn_id))
 * </pre>
 *
 * One partition per operator and day keeps partitions bounded and a range read a walk over days. Writes are upserts
 * keyed by {@code trn_id} (the same call written twice gives the same row), so the Call entity's direct write and the
 * projection's backstop write can both happen.
 */
public final class CassandraCallLog implements CallLogWriter, CallLogReader {
  /** The zone that defines the {@code day} partition key. */
  public static final ZoneId PARTITION_ZONE = ZoneId.of("Asia/Tokyo");

  private static final DateTimeFormatter DAY = DateTimeFormatter.ISO_LOCAL_DATE;

  private final CassandraSession session;
  private final String keyspace;
  private final ObjectMapper json;
  private final String insertCql;
  private final String selectCql;
  private volatile CompletableFuture<PreparedStatement> insert;
  private volatile CompletableFuture<PreparedStatement> select;
  /** The prepared insert once ready: the hot path then binds and writes without composing stages. */
  private volatile PreparedStatement insertReady;

  /**
   * @param session the Cassandra session (shared with the journal)
   * @param keyspace keyspace of the read side; must exist (see {@link #createSchema})
   * @param json the object mapper that serializes records (the node's jackson-json mapper)
   */
  public CassandraCallLog(CassandraSession session, String keyspace, ObjectMapper json) {
    this.session = session;
    this.keyspace = keyspace;
    this.json = json;
    this.insertCql = "INSERT INTO " + keyspace
        + ".call_log (operator_id, day, din_tms, trn_id, seq_num, record) VALUES (?, ?, ?, ?, ?, ?)";
    this.selectCql = "SELECT record FROM " + keyspace
        + ".call_log WHERE operator_id = ? AND day = ? AND din_tms >= ? AND din_tms < ?";
    this.insert = session.prepare(insertCql).toCompletableFuture();
    this.select = session.prepare(selectCql).toCompletableFuture();
    this.insert.thenAccept(ps -> insertReady = ps);
  }

  /**
   * The prepared insert; a failed prepare (keyspace missing at start, Cassandra briefly unreachable) is retried on the
   * next use instead of failing every write for the life of the node.
   */
  private CompletionStage<PreparedStatement> insertStatement() {
    CompletableFuture<PreparedStatement> f = insert;
    if (f.isCompletedExceptionally()) {
      f = session.prepare(insertCql).toCompletableFuture();
      f.thenAccept(ps -> insertReady = ps);
      insert = f;
    }
    return f;
  }

  /** The prepared range select, re-prepared after a failure like {@link #insertStatement()}. */
  private CompletionStage<PreparedStatement> selectStatement() {
    CompletableFuture<PreparedStatement> f = select;
    if (f.isCompletedExceptionally()) {
      f = session.prepare(selectCql).toCompletableFuture();
      select = f;
    }
    return f;
  }

  /**
   * Creates the keyspace (SimpleStrategy with {@code replicationFactor}) and the table when absent. For development
   * and tests; production creates them with the CQL in docs/cassandra.md.
   */
  public static CompletionStage<Done> createSchema(CassandraSession session, String keyspace, int replicationFactor) {
    return session
        .executeDDL("CREATE KEYSPACE IF NOT EXISTS " + keyspace
            + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': " + replicationFactor + "}")
        .thenCompose(d -> session.executeDDL("CREATE TABLE IF NOT EXISTS " + keyspace + ".call_log ("
            + "operator_id text, day text, din_tms timestamp, trn_id text, seq_num bigint, record text, "
            + "PRIMARY KEY ((operator_id, day), din_tms, trn_id)) "
            + "WITH CLUSTERING ORDER BY (din_tms ASC, trn_id ASC)"));
  }

  @Override
  public CompletionStage<Done> upsert(CallLogRecord r) {
    String body;
    try {
      body = json.writeValueAsString(r);
    } catch (JsonProcessingException e) {
      return CompletableFuture.failedFuture(e);
    }
    PreparedStatement ready = insertReady;
    if (ready != null) {
      return session.executeWrite(bindInsert(ready, r, body));
    }
    return insertStatement().thenCompose(ps -> session.executeWrite(bindInsert(ps, r, body)));
  }

  /**
   * Rows per unlogged batch in {@link #upsertAll}. Every batch holds rows of one partition only (one operator, one
   * day), which Cassandra applies as a single mutation and does not hold to its batch-size thresholds
   * (CASSANDRA-10876); the cap only keeps a single mutation small (rows are ~1–2 KB of JSON).
   */
  static final int MAX_BATCH_ROWS = 16;

  /**
   * Upserts the records with one UNLOGGED batch per partition ({@code operator_id}, {@code day}) and at most
   * {@link #MAX_BATCH_ROWS} rows: the projection's backstop write then costs Cassandra a fraction of a write per
   * call instead of one write per call.
   */
  @Override
  public CompletionStage<Done> upsertAll(List<CallLogRecord> records) {
    if (records.isEmpty()) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    Map<String, List<CallLogRecord>> byPartition = new LinkedHashMap<>();
    for (CallLogRecord r : records) {
      byPartition.computeIfAbsent(r.operatorId() + "\u0000" + day(r.arrivedAt()), k -> new ArrayList<>()).add(r);
    }
    return insertStatement().thenCompose(ps -> {
      List<CompletableFuture<Done>> writes = new ArrayList<>();
      for (List<CallLogRecord> partition : byPartition.values()) {
        for (int i = 0; i < partition.size(); i += MAX_BATCH_ROWS) {
          List<CallLogRecord> chunk = partition.subList(i, Math.min(partition.size(), i + MAX_BATCH_ROWS));
          BatchStatementBuilder batch = BatchStatement.builder(DefaultBatchType.UNLOGGED);
          for (CallLogRecord r : chunk) {
            try {
              batch.addStatement(bindInsert(ps, r, json.writeValueAsString(r)));
            } catch (JsonProcessingException e) {
              return CompletableFuture.<Done>failedFuture(e);
            }
          }
          writes.add(session.executeWriteBatch(batch.build()).toCompletableFuture());
        }
      }
      return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).thenApply(v -> Done.getInstance());
    });
  }

  private static com.datastax.oss.driver.api.core.cql.BoundStatement bindInsert(
      PreparedStatement ps, CallLogRecord r, String body) {
    return ps.bind(r.operatorId(), day(r.arrivedAt()), r.arrivedAt(), r.trnId(), r.seqNum(), body);
  }

  @Override
  public Source<CallLogRecord, NotUsed> read(String operatorId, Instant from, Instant to) {
    if (!from.isBefore(to)) {
      return Source.empty();
    }
    List<String> days = new ArrayList<>();
    LocalDate d = LocalDate.ofInstant(from, PARTITION_ZONE);
    LocalDate last = LocalDate.ofInstant(to.minusMillis(1), PARTITION_ZONE);
    while (!d.isAfter(last)) {
      days.add(d.format(DAY));
      d = d.plusDays(1);
    }
    return Source.from(days)
        .flatMapConcat(day -> Source.completionStage(selectStatement())
            .flatMapConcat(ps -> session.select(ps.bind(operatorId, day, from, to))))
        .map(this::parse)
        .grouped(10_000)
        .mapConcat(batch -> {
          // Within one partition rows come ordered by din_tms; ties (same millisecond) are ordered by seq_num.
          List<CallLogRecord> sorted = new ArrayList<>(batch);
          sorted.sort(java.util.Comparator.comparing(CallLogRecord::arrivedAt)
              .thenComparingLong(CallLogRecord::seqNum));
          return sorted;
        });
  }

  private CallLogRecord parse(Row row) {
    try {
      return json.readValue(row.getString("record"), CallLogRecord.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable call-log row in " + keyspace + ".call_log", e);
    }
  }

  /** The partition day of an arrival time. */
  static String day(Instant t) {
    return LocalDate.ofInstant(t, PARTITION_ZONE).format(DAY);
  }
}
