package io.hankyo.node.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.hankyo.api.OperatorSettingsBackend;
import io.hankyo.node.api.ClusterApiBackend;
import io.hankyo.node.cassandra.DevelopmentSchema;
import io.hankyo.node.directory.Operator;
import io.hankyo.node.recording.CassandraRecordingIndex;
import io.hankyo.node.recording.ClusterOperatorSettings;
import io.hankyo.node.recording.RecordingIndex;
import io.hankyo.node.recording.RecordingRetentionSweeper;
import io.hankyo.node.testing.TestCassandra;
import io.hankyo.protocol.call.CallInstruction;
import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.call.RouteDecision;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.recording.RecordingMode;
import io.hankyo.sip.media.FileRecordingStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recording retention per operator (issue 4) end to end on a single-node cluster over the test Cassandra: the
 * operator's {@code recording_retention_days} (through {@link ClusterOperatorSettings}), the Call entity indexing its
 * recording in {@code recordings_by_day} when it persists {@code RecordingStored}, and one sweep of the {@link
 * RecordingRetentionSweeper} (at its start; the interval is an hour) deleting, through {@link
 * ClusterApiBackend#deleteCallRecording}, the recording stored N+1 days ago (file gone, {@code RecordingDeleted} on
 * the call, call log {@code logvars.recording = "0"}, index row gone) while the one stored yesterday stays.
 */
class RecordingRetentionIntegrationTest {
  private static final Duration ASK = Duration.ofSeconds(30);
  private static final int RETENTION_DAYS = 30;

  private static ActorSystem<Void> system;
  private static ClusterSharding sharding;
  private static CassandraRecordingIndex index;
  private static CallFixtures.RecordingWriter callLog;
  private static TestProbe<CallInstruction> gateway;

  @BeforeAll
  static void startNode() throws Exception {
    String keyspaces = TestCassandra.uniqueKeyspace("retention");
    Config config = ConfigFactory.parseString(String.join("\n",
            "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"",
            "pekko.remote.artery.canonical.port = 0",
            "pekko.cluster.seed-nodes = []",
            "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on",
            "pekko.coordinated-shutdown.exit-jvm = off",
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
            "pekko.projection.cassandra.offset-store.keyspace = \"" + keyspaces + "_proj\""))
        .withFallback(TestCassandra.persistenceConfig(keyspaces + "_journal"))
        .withFallback(ConfigFactory.load())
        .resolve();
    system = ActorSystem.create(Behaviors.empty(), "retention", config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    CassandraSession session = CassandraSessionRegistry.get(system)
        .sessionFor(CassandraSessionSettings.create("pekko.persistence.cassandra"));
    String readKeyspace = keyspaces + "_read";
    DevelopmentSchema.create(system, session, readKeyspace, 1).toCompletableFuture().get(60, TimeUnit.SECONDS);
    index = new CassandraRecordingIndex(session, readKeyspace);
    callLog = new CallFixtures.RecordingWriter();
    sharding = ClusterSharding.get(system);
    Operator.init(sharding);
    Call.init(sharding, new Call.Dependencies(new CallOutcomes(CallCharges.defaults()), callLog, 4,
        Call.Queues.NONE, OpenCalls.NONE, CallerHistory.NONE, Call.Dependencies.DEFAULT_JUDGMENT_LOOKUP_TIMEOUT,
        index));
    gateway = TestProbe.create(system);
    TestProbe<Object> probe = TestProbe.create(system);
    probe.awaitAssert(Duration.ofSeconds(20), () -> {
      assertEquals(MemberStatus.up(), cluster.selfMember().status());
      return null;
    });
  }

  @AfterAll
  static void stopNode() {
    if (system != null) {
      ActorTestKit.shutdown(system, Duration.ofSeconds(30));
    }
  }

  /** An ended, answered call of op1 with its recording stored at {@code storedAt}, as the gateway reports it. */
  private static void endedCallWithRecording(String trnId, String key, Instant storedAt) throws Exception {
    var call = sharding.entityRefFor(Call.ENTITY_KEY, trnId);
    Instant t = Instant.now();
    call.<RouteDecision>askWithStatus(r -> new Call.Start(CallFixtures.arrival(trnId, t), CallFixtures.route(), 1,
        gateway.getRef(), 30_000, r), ASK).toCompletableFuture().get(30, TimeUnit.SECONDS);
    for (CallProgress p : List.of(new CallProgress.Answered(trnId, 1, t.plusSeconds(2)),
        new CallProgress.Ended(trnId, 1, t.plusSeconds(7), HangupParty.CALLER, EndCause.NORMAL_CLEARING, 0),
        new CallProgress.RecordingStored(trnId, key, 44, "ab".repeat(32), 5000, RecordingMode.BOTH, storedAt))) {
      call.<Done>askWithStatus(r -> new Call.Report(p, r), ASK).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static Call.Ended state(String trnId) throws Exception {
    return (Call.Ended) sharding.entityRefFor(Call.ENTITY_KEY, trnId).<Call.State>ask(Call.GetState::new, ASK)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static List<String> indexed(Instant storedAt) throws Exception {
    return index.recordings("op1", CassandraRecordingIndex.dayOf(storedAt)).toCompletableFuture()
        .get(10, TimeUnit.SECONDS).stream().map(RecordingIndex.Entry::trnId).toList();
  }

  @Test
  void oneSweepDeletesTheRecordingPastTheOperatorsRetentionAndKeepsTheRecentOne(@TempDir Path dir)
      throws Exception {
    sharding.entityRefFor(Operator.ENTITY_KEY, "op1")
        .<Operator.CreateResult>askWithStatus(r -> new Operator.Create("Agency One", r), ASK)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    OperatorSettingsBackend.Settings set = new ClusterOperatorSettings(sharding, ASK)
        .putSettings("op1", new OperatorSettingsBackend.Settings(RETENTION_DAYS))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(RETENTION_DAYS, set.recordingRetentionDays());

    FileRecordingStore store = new FileRecordingStore(dir);
    String oldTrn = "0000000000000000000000a1";
    String newTrn = "0000000000000000000000a2";
    Instant oldAt = Instant.now().minus(Duration.ofDays(RETENTION_DAYS + 1));
    Instant newAt = Instant.now().minus(Duration.ofDays(1));
    String oldKey = "old/" + oldTrn + ".wav";
    String newKey = "new/" + newTrn + ".wav";
    for (String key : List.of(oldKey, newKey)) {
      Path tmp = store.newTempFile(key.substring(4, 28));
      Files.write(tmp, new byte[44]);
      store.put(key, tmp);
    }
    endedCallWithRecording(oldTrn, oldKey, oldAt);
    endedCallWithRecording(newTrn, newKey, newAt);
    TestProbe<Object> probe = TestProbe.create(system);
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(List.of(oldTrn), indexed(oldAt), "indexed (fire-and-forget) when RecordingStored was persisted");
      assertEquals(List.of(newTrn), indexed(newAt));
      return null;
    });

    ClusterApiBackend backend = new ClusterApiBackend(system, sharding, ASK,
        (op, from, to) -> Source.empty(), CallFixtures.CIPHER).recordingsIn(store);
    RecordingRetentionSweeper.init(system, sharding, index, backend::deleteCallRecording, ASK,
        new RecordingRetentionSweeper.Settings(Duration.ofHours(1), 20));

    probe.awaitAssert(Duration.ofSeconds(30), () -> {
      assertFalse(state(oldTrn).recording().exists(), "RecordingDeleted persisted on the old call");
      assertTrue(indexed(oldAt).isEmpty(), "its index row is removed");
      return null;
    });
    assertTrue(store.open(oldKey).isEmpty(), "the old file is removed");
    assertEquals("0", callLog.rows.stream().filter(r -> r.trnId().equals(oldTrn)).reduce((a, b) -> b).orElseThrow()
        .logvars().get("recording"), "the call log says the recording is gone");
    Call.Ended recent = state(newTrn);
    assertTrue(recent.recording().exists(), "the recording within the retention stays");
    assertNull(recent.recording().deletedAt());
    assertTrue(store.open(newKey).isPresent());
    assertEquals(List.of(newTrn), indexed(newAt));
  }
}
