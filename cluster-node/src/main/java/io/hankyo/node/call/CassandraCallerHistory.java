package io.hankyo.node.call;

import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.hankyo.protocol.judgment.JudgmentRulesParser;
import io.hankyo.protocol.judgment.PriorCalls;
import io.hankyo.protocol.judgment.Verdict;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * {@link CallerHistory} in the read-side keyspace's table {@code caller_calls} (CQL in docs/cassandra.md):
 *
 * <pre>
 * CREATE TABLE caller_calls (operator_id text, scope text, scope_key text, caller_hash text, arrived_at timestamp,
 *   trn_id text, verdict text,
 *   PRIMARY KEY ((operator_id, scope, scope_key, caller_hash), arrived_at, trn_id))
 *   WITH CLUSTERING ORDER BY (arrived_at DESC, trn_id ASC) AND default_time_to_live = 31622400;
 * </pre>
 *
 * <p>One partition per operator, scope ({@code number} / {@code advertiser}), scope key ({@code dialin_id} /
 * {@code client_id}) and caller; newest first, so a query is one single-partition slice read that stops at the first
 * row ({@code LIMIT 1}; with {@code validOnly} the rows of the period are read newest first until a valid one). The
 * table TTL ({@link #TTL_SECONDS}, 366 days) is above the longest allowed period ({@link
 * JudgmentRulesParser#MAX_PERIOD_SEC}, 365 days), so no row a judgment can need has expired.
 */
public final class CassandraCallerHistory implements CallerHistory {
  /** Table TTL, seconds: 366 days, one day above {@link JudgmentRulesParser#MAX_PERIOD_SEC}. */
  public static final int TTL_SECONDS = (int) (JudgmentRulesParser.MAX_PERIOD_SEC + 86_400);

  private final CassandraSession session;
  private final String insertCql;
  private final String latestCql;
  private final String periodCql;
  private volatile CompletableFuture<PreparedStatement> insert;
  private volatile CompletableFuture<PreparedStatement> latest;
  private volatile CompletableFuture<PreparedStatement> period;

  /**
   * @param session the shared Cassandra session
   * @param keyspace the read-side keyspace; the table must exist ({@link #createSchema})
   */
  public CassandraCallerHistory(CassandraSession session, String keyspace) {
    this.session = session;
    String key = "operator_id = ? AND scope = ? AND scope_key = ? AND caller_hash = ? AND arrived_at > ? "
        + "AND arrived_at < ?";
    this.insertCql = "INSERT INTO " + keyspace + ".caller_calls "
        + "(operator_id, scope, scope_key, caller_hash, arrived_at, trn_id, verdict) VALUES (?, ?, ?, ?, ?, ?, ?)";
    this.latestCql = "SELECT trn_id, arrived_at, verdict FROM " + keyspace + ".caller_calls WHERE " + key
        + " LIMIT 1";
    this.periodCql = "SELECT trn_id, arrived_at, verdict FROM " + keyspace + ".caller_calls WHERE " + key;
    this.insert = session.prepare(insertCql).toCompletableFuture();
    this.latest = session.prepare(latestCql).toCompletableFuture();
    this.period = session.prepare(periodCql).toCompletableFuture();
  }

  /** Creates the table when absent (development and tests; production uses the CQL of docs/cassandra.md). */
  public static CompletionStage<Done> createSchema(CassandraSession session, String keyspace) {
    return session.executeDDL("CREATE TABLE IF NOT EXISTS " + keyspace + ".caller_calls ("
        + "operator_id text, scope text, scope_key text, caller_hash text, arrived_at timestamp, trn_id text, "
        + "verdict text, PRIMARY KEY ((operator_id, scope, scope_key, caller_hash), arrived_at, trn_id)) "
        + "WITH CLUSTERING ORDER BY (arrived_at DESC, trn_id ASC) AND default_time_to_live = " + TTL_SECONDS);
  }

  @Override
  public CompletionStage<Optional<PriorCalls.PriorCall>> latest(PriorCalls.Query q) {
    if (!q.validOnly()) {
      return statement(latest, latestCql, f -> latest = f)
          .thenCompose(ps -> session.selectOne(bind(ps, q)))
          .thenApply(row -> row.map(CassandraCallerHistory::priorCall));
    }
    // the driver pages through the period newest first; the first valid row ends the read
    return statement(period, periodCql, f -> period = f)
        .thenCompose(ps -> session.selectAll(bind(ps, q)))
        .thenApply(rows -> rows.stream()
            .filter(r -> Verdict.VALID.code().equals(r.getString("verdict")))
            .findFirst()
            .map(CassandraCallerHistory::priorCall));
  }

  @Override
  public CompletionStage<Done> record(Entry e) {
    return statement(insert, insertCql, f -> insert = f)
        .thenCompose(ps -> session.executeWrite(ps.bind(e.operatorId(), scopeName(e.scope()), e.scopeKey(),
            e.callerKey(), e.arrivedAt(), e.trnId(), e.verdict().code())));
  }

  private static com.datastax.oss.driver.api.core.cql.BoundStatement bind(PreparedStatement ps, PriorCalls.Query q) {
    return ps.bind(q.operatorId(), scopeName(q.scope()), q.scopeKey(), q.callerKey(), q.since(), q.before());
  }

  private static PriorCalls.PriorCall priorCall(Row row) {
    return new PriorCalls.PriorCall(row.getString("trn_id"), row.getInstant("arrived_at"));
  }

  /** The {@code scope} column: {@code number} or {@code advertiser}. */
  static String scopeName(io.hankyo.protocol.judgment.JudgmentRules.Scope scope) {
    return scope.name().toLowerCase(Locale.ROOT);
  }

  /** A prepared statement; a failed prepare (keyspace missing, Cassandra briefly away) is retried on next use. */
  private CompletionStage<PreparedStatement> statement(CompletableFuture<PreparedStatement> current, String cql,
      Consumer<CompletableFuture<PreparedStatement>> store) {
    if (current.isCompletedExceptionally()) {
      CompletableFuture<PreparedStatement> f = session.prepare(cql).toCompletableFuture();
      store.accept(f);
      return f;
    }
    return current;
  }
}
