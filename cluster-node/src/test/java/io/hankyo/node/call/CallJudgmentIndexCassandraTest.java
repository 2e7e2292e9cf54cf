package io.hankyo.node.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.ConfigFactory;
import io.hankyo.node.calllog.CassandraCallLog;
import io.hankyo.node.testing.TestCassandra;
import io.hankyo.protocol.judgment.JudgmentRules.Scope;
import io.hankyo.protocol.judgment.JudgmentRulesParser;
import io.hankyo.protocol.judgment.PriorCalls;
import io.hankyo.protocol.judgment.Verdict;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link CassandraCallerHistory} against the test Cassandra: writes, the period window, scopes and the TTL. */
class CallJudgmentIndexCassandraTest {
  private static ActorTestKit testKit;
  private static CassandraSession session;
  private static String keyspace;
  private static CassandraCallerHistory history;

  private static final Instant T = Instant.parse("2026-11-29T15:00:30Z"); // 00:00:30 JST

  @BeforeAll
  static void start() throws Exception {
    keyspace = TestCassandra.uniqueKeyspace("callerhist");
    testKit = ActorTestKit.create("CallJudgmentIndexCassandraTest",
        ConfigFactory.parseString("pekko.actor.provider = local\npekko.coordinated-shutdown.exit-jvm = off\n")
            .withFallback(TestCassandra.persistenceConfig(keyspace))
            .withFallback(ConfigFactory.load()));
    session = CassandraSessionRegistry.get(testKit.system())
        .sessionFor(CassandraSessionSettings.create("pekko.persistence.cassandra"));
    CassandraCallLog.createSchema(session, keyspace, 1) // creates the keyspace
        .thenCompose(d -> CassandraCallerHistory.createSchema(session, keyspace))
        .toCompletableFuture().get(60, TimeUnit.SECONDS);
    history = new CassandraCallerHistory(session, keyspace);
  }

  @AfterAll
  static void stop() {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
  }

  private static void write(Scope scope, String scopeKey, String caller, Instant at, String trnId, Verdict v)
      throws Exception {
    history.record(new CallerHistory.Entry(scope, "op1", scopeKey, caller, at, trnId, v))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Optional<PriorCalls.PriorCall> latest(Scope scope, String scopeKey, String caller, Instant since,
      Instant before, boolean validOnly) throws Exception {
    return history.latest(new PriorCalls.Query(scope, "op1", scopeKey, caller, since, before, validOnly))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void theLatestCallOfTheCallerInTheWindowOfItsScope() throws Exception {
    write(Scope.NUMBER, "dn1", "h1", T.minusSeconds(7200), "old", Verdict.VALID);
    write(Scope.NUMBER, "dn1", "h1", T.minusSeconds(60), "midnight", Verdict.INVALID_SHORT);
    write(Scope.NUMBER, "dn1", "h1", T, "itself", Verdict.VALID);
    write(Scope.NUMBER, "dn1", "h1", T.plusSeconds(5), "later", Verdict.VALID);
    write(Scope.NUMBER, "dn1", "h2", T.minusSeconds(10), "other-caller", Verdict.VALID);
    write(Scope.ADVERTISER, "dn1", "h1", T.minusSeconds(5), "same-key-other-scope", Verdict.VALID);

    Instant since = T.minusSeconds(86400);
    assertEquals(Optional.of(new PriorCalls.PriorCall("midnight", T.minusSeconds(60))),
        latest(Scope.NUMBER, "dn1", "h1", since, T, false), "before is exclusive, other callers and scopes apart");
    assertEquals(Optional.of(new PriorCalls.PriorCall("old", T.minusSeconds(7200))),
        latest(Scope.NUMBER, "dn1", "h1", since, T, true), "valid only: the newest valid one");
    assertEquals(Optional.empty(), latest(Scope.NUMBER, "dn1", "h1", T.minusSeconds(60), T, false),
        "since is exclusive");
    assertEquals(Optional.empty(), latest(Scope.NUMBER, "dn2", "h1", since, T, false), "another number");
    assertEquals(Optional.of(new PriorCalls.PriorCall("same-key-other-scope", T.minusSeconds(5))),
        latest(Scope.ADVERTISER, "dn1", "h1", since, T, false));
  }

  @Test
  void rowsLiveLongerThanTheLongestPeriod() throws Exception {
    assertTrue(CassandraCallerHistory.TTL_SECONDS > JudgmentRulesParser.MAX_PERIOD_SEC);
    Row table = session.selectOne("SELECT default_time_to_live FROM system_schema.tables WHERE keyspace_name = ? "
        + "AND table_name = 'caller_calls'", keyspace).toCompletableFuture().get(10, TimeUnit.SECONDS).orElseThrow();
    assertEquals(CassandraCallerHistory.TTL_SECONDS, table.getInt("default_time_to_live"));
    write(Scope.ADVERTISER, "cl9", "h9", T, "ttl-row", Verdict.VALID);
    Row row = session.selectOne("SELECT TTL(verdict) AS ttl FROM " + keyspace + ".caller_calls WHERE operator_id = "
        + "'op1' AND scope = 'advertiser' AND scope_key = 'cl9' AND caller_hash = 'h9'")
        .toCompletableFuture().get(10, TimeUnit.SECONDS).orElseThrow();
    assertTrue(row.getInt("ttl") > JudgmentRulesParser.MAX_PERIOD_SEC, "ttl " + row.getInt("ttl"));
  }
}
