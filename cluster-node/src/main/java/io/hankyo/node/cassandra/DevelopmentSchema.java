package io.hankyo.node.cassandra;

import io.hankyo.node.call.CassandraCallerHistory;
import io.hankyo.node.call.CassandraOpenCalls;
import io.hankyo.node.calllog.CassandraCallLog;
import io.hankyo.node.prompt.PromptStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.cassandra.KeyspaceAndTableStatements;
import org.apache.pekko.persistence.cassandra.PluginSettings;
import org.apache.pekko.projection.cassandra.javadsl.CassandraProjection;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * Creates every keyspace and table a node needs, before any entity starts (development and tests,
 * {@code hankyo.cassandra.auto-create = on}).
 *
 * <p>The journal plugin's own auto-creation runs asynchronously when the plugin starts, so an entity recovering at
 * the same moment fails with "keyspace ... does not exist". Running the plugin's statements here, one after the
 * other, and waiting for them, removes that race. Production creates the same schema with the CQL of
 * deploy/cassandra/README.md and docs/cassandra.md.
 */
public final class DevelopmentSchema {
  private DevelopmentSchema() {}

  /**
   * Journal and snapshot keyspaces and tables (statements of pekko-persistence-cassandra for the configured
   * {@code pekko.persistence.cassandra}), the projection offset store, the call-log read side, the prompt tables
   * ({@link PromptStore}) and the open-calls index ({@link CassandraOpenCalls}), in the read-side keyspace.
   */
  public static CompletionStage<Done> create(
      ActorSystem<?> system, CassandraSession session, String readSideKeyspace, int replicationFactor) {
    KeyspaceAndTableStatements statements = new KeyspaceAndTableStatements(
        system, "pekko.persistence.cassandra", PluginSettings.apply(system.classicSystem()));
    List<String> ddl = new ArrayList<>();
    ddl.add(statements.createJournalKeyspaceStatement());
    ddl.addAll(statements.getCreateJournalTablesStatements());
    ddl.add(statements.createSnapshotKeyspaceStatement());
    ddl.addAll(statements.getCreateSnapshotTablesStatements());
    CompletionStage<Done> chain = CompletableFuture.completedFuture(Done.getInstance());
    for (String stmt : ddl) {
      chain = chain.thenCompose(d -> session.executeDDL(stmt));
    }
    return chain
        .thenCompose(d -> CassandraCallLog.createSchema(session, readSideKeyspace, replicationFactor))
        .thenCompose(d -> PromptStore.createSchema(session, readSideKeyspace))
        .thenCompose(d -> CassandraOpenCalls.createSchema(session, readSideKeyspace))
        .thenCompose(d -> CassandraCallerHistory.createSchema(session, readSideKeyspace))
        .thenCompose(d -> io.hankyo.node.recording.CassandraRecordingIndex.createSchema(session, readSideKeyspace))
        .thenCompose(d -> io.hankyo.node.notify.CassandraDeliveryIndex.createSchema(session, readSideKeyspace))
        .thenCompose(d -> CassandraProjection.createTablesIfNotExists(system));
  }
}
