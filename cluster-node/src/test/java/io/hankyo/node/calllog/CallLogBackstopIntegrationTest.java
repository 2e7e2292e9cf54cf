package io.hankyo.node.calllog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.hankyo.node.call.Call;
import io.hankyo.node.call.CallCharges;
import io.hankyo.node.call.CallLogWriter;
import io.hankyo.node.call.CallOutcomes;
import io.hankyo.node.cassandra.DevelopmentSchema;
import io.hankyo.node.testing.TestCassandra;
import io.hankyo.protocol.call.CallArrival;
import io.hankyo.protocol.call.CallInstruction;
import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.CallerInfo;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.call.RouteDecision;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.calllog.DeviceType;
import io.hankyo.protocol.calllog.DialStatus;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The call log's durable backstop (docs/architecture.md, "The call log's freshness"), tested on its own against the
 * real test Cassandra.
 *
 * <p>The call log is written twice: the {@link Call} entity upserts its row directly when the call ends, and
 * {@link CallLogProjection} (a grouped projection over {@code eventsByTag} of the journal) writes it again through
 * {@link CallLogWriter#upsertAll}, which {@link CassandraCallLog} implements with one UNLOGGED batch per partition
 * ({@code operator_id}, {@code day}) of at most {@link CassandraCallLog#MAX_BATCH_ROWS} rows. In every other test the
 * direct write hides the backstop: a broken projection or a broken batch write would go unnoticed. Here:
 *
 * <ul>
 *   <li>{@link #upsertAllWritesEveryRowAcrossPartitionsAndIsIdempotent()} drives {@code upsertAll} directly with
 *       rows spread over two operators and two JST days (partitions larger than one batch, rows on both sides of the
 *       JST midnight, same-millisecond arrivals) and checks the stored partition keys, the read-back order, and that
 *       writing the same group again (as an at-least-once retry does) neither duplicates rows nor loses a
 *       change;</li>
 *   <li>{@link #projectionWritesTheRowWhenTheDirectWriteFailed()} runs a single-node cluster with the Call entity
 *       whose direct writer always fails, and the projection with the real {@link CassandraCallLog}; several calls of
 *       two operators in every tag end in quick succession (so the projection's groups hold several rows and
 *       partitions): each call's row must still appear, with its {@code seq_num} and status, written by the
 *       projection alone. The projection's writer is the real {@link CassandraCallLog} behind a recording
 *       delegate, which checks that the rows came through {@code upsertAll} (the grouped path) and prints the group
 *       sizes; how many rows a group holds depends on timing and is not asserted.</li>
 * </ul>
 *
 * <p>One actor system (cluster of one node joining itself, journal/snapshot/offset store/read side in keyspaces of
 * this class) serves both tests. The projection reads with {@code eventual-consistency-delay = 1s} and
 * {@code refresh-interval = 500ms}, and {@code first-time-bucket} is today (see
 * {@link TestCassandra#persistenceConfig}), so a row appears through the backstop within a few seconds; the test
 * polls with a deadline of {@value #BACKSTOP_DEADLINE_SECONDS} s.
 */
class CallLogBackstopIntegrationTest {
  private static final int TAG_COUNT = 4;
  private static final int CALLS_PER_TAG = 3;
  private static final long BACKSTOP_DEADLINE_SECONDS = 30;
  private static final Duration ASK = Duration.ofSeconds(30);

  private static final CallerNumberCipher CIPHER = new CallerNumberCipher(
      Map.of("t1", base64("0123456789abcdef0123456789abcdef")), "t1", base64("hash-key-hash-key-hash-key-hash-"));
  private static final CallOutcomes OUTCOMES = new CallOutcomes(CallCharges.defaults());

  private static ActorSystem<Void> system;
  private static CassandraSession session;
  private static ObjectMapper json;
  private static String keyspaces;
  /** The read side the projection writes (the Call entity's direct writer never reaches it). */
  private static CassandraCallLog projectedLog;
  /** What the projection handed to {@link #projectedLog}. */
  private static RecordingDelegate projectionWrites;
  private static FailingWriter directWriter;

  @BeforeAll
  static void startNode() throws Exception {
    keyspaces = TestCassandra.uniqueKeyspace("backstop");
    Config config = ConfigFactory.parseString(String.join("\n",
            "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"",
            "pekko.remote.artery.canonical.port = 0",
            "pekko.cluster.seed-nodes = []",
            "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on",
            "pekko.coordinated-shutdown.exit-jvm = off",
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
            "pekko.persistence.cassandra.events-by-tag.eventual-consistency-delay = 1s",
            "pekko.persistence.cassandra.query.refresh-interval = 500ms",
            "pekko.projection.cassandra.offset-store.keyspace = \"" + keyspaces + "_proj\""))
        .withFallback(TestCassandra.persistenceConfig(keyspaces + "_journal"))
        .withFallback(ConfigFactory.load())
        .resolve();
    assertEquals("pekko.persistence.cassandra", config.getString("pekko.projection.cassandra.session-config-path"),
        "the projection's offset store shares the journal's session");
    assertTrue(config.getDuration("pekko.persistence.cassandra.events-by-tag.eventual-consistency-delay")
        .compareTo(Duration.ofSeconds(2)) <= 0);
    LocalDate firstBucket = LocalDate.parse(
        config.getString("pekko.persistence.cassandra.events-by-tag.first-time-bucket").substring(0, 8),
        java.time.format.DateTimeFormatter.BASIC_ISO_DATE);
    assertTrue(!firstBucket.isBefore(LocalDate.now(java.time.ZoneOffset.UTC).minusDays(1)),
        "eventsByTag starts today (UTC), not at the production deployment month: " + firstBucket);

    system = ActorSystem.create(Behaviors.empty(), "backstop", config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));

    session = CassandraSessionRegistry.get(system)
        .sessionFor(CassandraSessionSettings.create("pekko.persistence.cassandra"));
    json = JacksonObjectMapperProvider.get(system).getOrCreate("jackson-json", Optional.empty());
    String readKeyspace = keyspaces + "_read";
    DevelopmentSchema.create(system, session, readKeyspace, 1).toCompletableFuture().get(60, TimeUnit.SECONDS);
    projectedLog = new CassandraCallLog(session, readKeyspace, json);

    directWriter = new FailingWriter();
    ClusterSharding sharding = ClusterSharding.get(system);
    Call.init(sharding, new Call.Dependencies(OUTCOMES, directWriter, TAG_COUNT));
    projectionWrites = new RecordingDelegate(projectedLog);
    CallLogProjection.init(system, projectionWrites, TAG_COUNT);

    awaitTrue("the node to be Up", Duration.ofSeconds(20),
        () -> cluster.selfMember().status() == MemberStatus.up());
  }

  @AfterAll
  static void stopNode() {
    if (system != null) {
      ActorTestKit.shutdown(system, Duration.ofSeconds(30));
    }
  }

  // ------------------------------------------------------------------ 1. upsertAll on its own

  @Test
  void upsertAllWritesEveryRowAcrossPartitionsAndIsIdempotent() throws Exception {
    String keyspace = TestCassandra.uniqueKeyspace("calllog_batch");
    // Schema first: the constructor prepares its statements at once, and a failed prepare is kept for good.
    CassandraCallLog.createSchema(session, keyspace, 1).toCompletableFuture().get(30, TimeUnit.SECONDS);
    CassandraCallLog log = new CassandraCallLog(session, keyspace, json);

    int max = CassandraCallLog.MAX_BATCH_ROWS;
    // Two JST days; the rows of day 1 end just before JST midnight and those of day 2 start at it (both are the
    // same UTC date, so a partition key computed in UTC would merge them).
    LocalDate day1 = LocalDate.of(2026, 11, 10);
    LocalDate day2 = day1.plusDays(1);
    Instant day2Start = day2.atStartOfDay(CassandraCallLog.PARTITION_ZONE).toInstant();
    Instant day1Start = day1.atStartOfDay(CassandraCallLog.PARTITION_ZONE).toInstant();
    Instant day3Start = day2.plusDays(1).atStartOfDay(CassandraCallLog.PARTITION_ZONE).toInstant();

    Map<String, Integer> sizes = new LinkedHashMap<>();
    sizes.put("op-a|" + day1, max + 2); // two batches
    sizes.put("op-a|" + day2, 3);
    sizes.put("op-b|" + day1, 2);
    sizes.put("op-b|" + day2, max + 1); // two batches
    int total = sizes.values().stream().mapToInt(Integer::intValue).sum();
    assertTrue(total >= 40 && sizes.values().stream().filter(n -> n > max).count() == 2,
        "the data set spans several batches, two partitions larger than one batch");

    // Per operator, seq_num ascends with arrival; trn_ids DEscend, so Cassandra's clustering order (din_tms, trn_id)
    // is the wrong order for same-millisecond arrivals and only the read's seq_num tie-break gets it right.
    List<CallLogRecord> records = new ArrayList<>();
    Map<String, List<String>> expectedOrder = new HashMap<>();
    Map<String, String> expectedPartition = new HashMap<>();
    long trnCounter = 0xfff_fff_fffL;
    for (String op : List.of("op-a", "op-b")) {
      long seq = 1000;
      List<String> order = new ArrayList<>();
      for (LocalDate day : List.of(day1, day2)) {
        int n = sizes.get(op + "|" + day);
        for (int i = 0; i < n; i++) {
          // day 1: 100 ms steps ending 100 ms before midnight; day 2: 100 ms steps from midnight on; in each
          // partition rows 1 and 2 share their millisecond.
          int slot = i >= 2 ? i - 1 : i;
          Instant at = day.equals(day1)
              ? day2Start.minusMillis(100L * (n - slot))
              : day2Start.plusMillis(100L * slot);
          String trnId = String.format("%024x", trnCounter--);
          records.add(record(op, seq++, trnId, at, EndCause.NORMAL_CLEARING));
          order.add(trnId);
          expectedPartition.put(trnId, op + "|" + day);
        }
      }
      expectedOrder.put(op, order);
    }
    assertEquals(total, records.size());
    List<CallLogRecord> shuffled = new ArrayList<>(records);
    Collections.shuffle(shuffled, new Random(42)); // a projection group mixes operators and days

    log.upsertAll(shuffled).toCompletableFuture().get(30, TimeUnit.SECONDS);

    assertEquals(expectedPartition, storedPartitions(keyspace),
        "every row stored once, in partition (operator, JST day of din_tms)");
    for (String op : List.of("op-a", "op-b")) {
      assertEquals(expectedOrder.get(op), trnIds(read(log, op, day1Start, day3Start)),
          op + ": every row, only this operator's, in order of arrival (seq_num breaks same-millisecond ties)");
    }
    List<String> opADay2 = trnIds(read(log, "op-a", day2Start, day3Start));
    assertEquals(expectedOrder.get("op-a").subList(max + 2, max + 5), opADay2, "a one-day range reads one day");

    // At-least-once: the same group again, with one row changed (same key: operator, din_tms, trn_id).
    CallLogRecord original = records.get(records.size() - 3); // op-b, day 2
    CallLogRecord changed = record(original.operatorId(), original.seqNum(), original.trnId(), original.arrivedAt(),
        EndCause.BUSY);
    assertNotEquals(original.dialStatus(), changed.dialStatus());
    List<CallLogRecord> again = new ArrayList<>(records);
    again.set(records.size() - 3, changed);
    Collections.shuffle(again, new Random(7));

    log.upsertAll(again).toCompletableFuture().get(30, TimeUnit.SECONDS);

    assertEquals(expectedPartition, storedPartitions(keyspace), "no duplicate rows after the retry");
    List<CallLogRecord> expectedB = new ArrayList<>();
    for (CallLogRecord r : records) {
      if (r.operatorId().equals("op-b")) {
        expectedB.add(r.trnId().equals(changed.trnId()) ? changed : r);
      }
    }
    assertEquals(expectedB, read(log, "op-b", day1Start, day3Start),
        "op-b's rows after the retry: unchanged ones identical, the changed one updated");
    assertEquals(DialStatus.BUSY, read(log, "op-b", day1Start, day3Start).stream()
        .filter(r -> r.trnId().equals(changed.trnId())).findFirst().orElseThrow().dialStatus());
    assertEquals(expectedOrder.get("op-a"), trnIds(read(log, "op-a", day1Start, day3Start)));
  }

  // ------------------------------------------------------------------ 2. the projection alone

  @Test
  void aWriterCreatedBeforeItsTableRecoversOnceTheTableExists() throws Exception {
    // production with auto-create off: the read-side keyspace may appear (or Cassandra become reachable) after start
    String keyspace = TestCassandra.uniqueKeyspace("calllog_late");
    CassandraCallLog log = new CassandraCallLog(session, keyspace, json);
    Instant at = Instant.parse("2026-11-20T03:00:00Z");
    CallLogRecord r = record("op-late", 1, "aaaaaaaaaaaaaaaaaaaaaaa1", at, EndCause.NORMAL_CLEARING);
    assertThrows(Exception.class, () -> log.upsert(r).toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertThrows(Exception.class, () -> log.upsertAll(List.of(r)).toCompletableFuture().get(30, TimeUnit.SECONDS));
    CassandraCallLog.createSchema(session, keyspace, 1).toCompletableFuture().get(30, TimeUnit.SECONDS);
    log.upsertAll(List.of(r)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(List.of(r.trnId()), trnIds(read(log, "op-late", at.minusSeconds(60), at.plusSeconds(60))));
  }

  @Test
  void projectionWritesTheRowWhenTheDirectWriteFailed() throws Exception {
    List<String> operators = List.of("op-backstop-a", "op-backstop-b");
    ClusterSharding sharding = ClusterSharding.get(system);
    TestProbe<CallInstruction> gateway = TestProbe.create(system);

    // CALLS_PER_TAG calls in every tag (one projection instance per tag), of two operators, ended in quick
    // succession: each instance's groups hold rows of several calls and partitions.
    List<String> trnIds = new ArrayList<>();
    Map<String, Integer> perTag = new HashMap<>();
    for (long n = 0xbac_0000L; trnIds.size() < TAG_COUNT * CALLS_PER_TAG; n++) {
      String trnId = String.format("%024x", n);
      if (perTag.merge(Call.tagFor(trnId, TAG_COUNT), 1, Integer::sum) <= CALLS_PER_TAG) {
        trnIds.add(trnId);
      }
    }
    assertEquals(Set.copyOf(Call.allTags(TAG_COUNT)), perTag.keySet());

    // Call i: operator i % 2, seq_num 501 + i, arrival t0 + 10 ms * i, outcome by i % 4.
    List<DialStatus> statusCycle =
        List.of(DialStatus.NORMAL, DialStatus.BUSY, DialStatus.INCOMPLETE, DialStatus.NORMAL);
    List<HangupParty> hangupCycle =
        List.of(HangupParty.CALLER, HangupParty.CALLEE, HangupParty.CALLER, HangupParty.CALLEE);
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    List<EntityRef<Call.Command>> calls = new ArrayList<>();
    // The calls are live at the same time, as on a busy node: all start, the answered ones answer, then all end
    // within a few milliseconds, so the ended events of a tag tend to reach the projection in one group.
    List<TestProbe<StatusReply<RouteDecision>>> starts = new ArrayList<>();
    for (int i = 0; i < trnIds.size(); i++) {
      String trnId = trnIds.get(i);
      EntityRef<Call.Command> call = sharding.entityRefFor(Call.ENTITY_KEY, trnId);
      calls.add(call);
      TestProbe<StatusReply<RouteDecision>> started = TestProbe.create(system);
      starts.add(started);
      call.tell(new Call.Start(arrival(trnId, t0.plusMillis(10L * i)), route(operators.get(i % 2)), 501 + i,
          gateway.getRef(), 60_000, started.getRef()));
    }
    for (int i = 0; i < trnIds.size(); i++) {
      String trnId = trnIds.get(i);
      StatusReply<RouteDecision> decision = starts.get(i).receiveMessage(ASK);
      assertTrue(decision.isSuccess(), () -> "start of " + trnId + ": " + decision);
    }
    List<CallProgress> answers = new ArrayList<>();
    List<CallProgress> ends = new ArrayList<>();
    for (int i = 0; i < trnIds.size(); i++) {
      String trnId = trnIds.get(i);
      Instant at = t0.plusMillis(10L * i);
      Instant end = at.plusSeconds(20);
      switch (statusCycle.get(i % 4)) {
        case NORMAL -> {
          answers.add(new CallProgress.Answered(trnId, 1, at.plusSeconds(5)));
          ends.add(new CallProgress.Ended(trnId, 1, end, hangupCycle.get(i % 4), EndCause.NORMAL_CLEARING, 0));
        }
        case BUSY -> ends.add(new CallProgress.Ended(trnId, 1, end, HangupParty.CALLEE, EndCause.BUSY, 486));
        default -> ends.add(
            new CallProgress.Ended(trnId, 1, end, HangupParty.CALLER, EndCause.CALLER_CANCELLED, 487));
      }
    }
    report(calls, trnIds, answers);
    report(calls, trnIds, ends);
    // The entity runs its direct write after persisting CallEnded and before replying to the report.
    assertEquals(Set.copyOf(trnIds), Set.copyOf(directWriter.attempted),
        "every call tried its direct write (and it failed)");

    Instant from = t0.minus(1, ChronoUnit.HOURS);
    Instant to = t0.plus(1, ChronoUnit.HOURS);
    for (int op = 0; op < operators.size(); op++) {
      String operator = operators.get(op);
      List<String> expected = new ArrayList<>();
      for (int i = op; i < trnIds.size(); i += 2) {
        expected.add(trnIds.get(i));
      }
      List<CallLogRecord> rows = awaitValue(operator + "'s rows from the projection", BACKSTOP_DEADLINE_SECONDS,
          () -> read(projectedLog, operator, from, to),
          r -> trnIds(r).containsAll(expected));

      assertEquals(expected, trnIds(rows), operator + ": one row per call, nothing else, in order of arrival");
      for (CallLogRecord row : rows) {
        int i = trnIds.indexOf(row.trnId());
        assertEquals(501 + i, row.seqNum(), "seq_num of " + row.trnId());
        assertEquals(statusCycle.get(i % 4), row.dialStatus(), "dial_stat of " + row.trnId());
        assertEquals(hangupCycle.get(i % 4), row.hangupParty(), "hup_usr of " + row.trnId());
        assertEquals(t0.plusMillis(10L * i), row.arrivedAt(), "din_tms of " + row.trnId());
        assertEquals(operator, row.operatorId());
      }
    }
    assertEquals(trnIds.size(), directWriter.attempted.size(),
        "no other direct write happened: the rows came from the projection");
    assertEquals(0, projectionWrites.singleUpserts.get(), "the projection writes groups (upsertAll), not rows");
    Set<String> projected = new java.util.HashSet<>();
    projectionWrites.groups.forEach(g -> g.forEach(r -> projected.add(r.trnId())));
    assertTrue(projected.containsAll(trnIds), "every row went through upsertAll");
    System.out.println("call-log projection groups (rows per upsertAll): "
        + projectionWrites.groups.stream().map(List::size).toList());
  }

  // ------------------------------------------------------------------ helpers

  /** A writer whose every write fails, as when Cassandra times out on the entity's direct write. */
  static final class FailingWriter implements CallLogWriter {
    final Set<String> attempted = ConcurrentHashMap.newKeySet();

    @Override
    public CompletionStage<Done> upsert(CallLogRecord record) {
      attempted.add(record.trnId());
      return CompletableFuture.failedFuture(new IllegalStateException("direct write fails in this test"));
    }
  }

  /**
   * The real {@link CassandraCallLog} as the projection's writer, recording what the projection asks it to write
   * (the rows still go to Cassandra through {@link CassandraCallLog#upsertAll}).
   */
  static final class RecordingDelegate implements CallLogWriter {
    final CassandraCallLog delegate;
    final List<List<CallLogRecord>> groups = new java.util.concurrent.CopyOnWriteArrayList<>();
    final java.util.concurrent.atomic.AtomicInteger singleUpserts = new java.util.concurrent.atomic.AtomicInteger();

    RecordingDelegate(CassandraCallLog delegate) {
      this.delegate = delegate;
    }

    @Override
    public CompletionStage<Done> upsert(CallLogRecord record) {
      singleUpserts.incrementAndGet();
      return delegate.upsert(record);
    }

    @Override
    public CompletionStage<Done> upsertAll(List<CallLogRecord> records) {
      groups.add(List.copyOf(records));
      return delegate.upsertAll(records);
    }
  }

  /** Sends every report to its call at once, then expects every acknowledgement. */
  private static void report(List<EntityRef<Call.Command>> calls, List<String> trnIds, List<CallProgress> reports) {
    List<TestProbe<StatusReply<Done>>> acks = new ArrayList<>();
    for (CallProgress progress : reports) {
      TestProbe<StatusReply<Done>> ack = TestProbe.create(system);
      acks.add(ack);
      calls.get(trnIds.indexOf(progress.trnId())).tell(new Call.Report(progress, ack.getRef()));
    }
    for (int i = 0; i < reports.size(); i++) {
      CallProgress progress = reports.get(i);
      StatusReply<Done> reply = acks.get(i).receiveMessage(ASK);
      assertTrue(reply.isSuccess(), () -> progress + ": " + reply);
    }
  }

  private static CallLogRecord record(String operator, long seq, String trnId, Instant at, EndCause cause) {
    boolean answered = cause == EndCause.NORMAL_CLEARING;
    NumberRoute route = route(operator);
    return OUTCOMES.record(new CallOutcomes.Facts(seq, arrival(trnId, at), route, route.forwardTo(),
        at.plusMillis(50), answered ? at.plusSeconds(4) : null, at.plusSeconds(30),
        answered ? HangupParty.CALLER : HangupParty.CALLEE, cause, answered ? 0 : 486));
  }

  private static NumberRoute route(String operator) {
    return new NumberRoute(operator, "cl1", "広告主A", "dn1", "本店", PhoneNumbers.parse("0120-123-456"),
        PhoneNumbers.parse("03-1111-2222"));
  }

  private static CallArrival arrival(String trnId, Instant at) {
    String caller = "+819011112222";
    return new CallArrival(trnId, "sip-" + trnId + "@127.0.0.1", "node-1", PhoneNumbers.parse("0120123456"),
        new CallerInfo(CIPHER.encrypt(caller), CIPHER.keyedHash(caller), null, null, DeviceType.MOBILE), at);
  }

  private static List<CallLogRecord> read(CassandraCallLog log, String operator, Instant from, Instant to) {
    try {
      return log.read(operator, from, to).runWith(Sink.seq(), system).toCompletableFuture()
          .get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("reading the call log failed", e);
    }
  }

  private static List<String> trnIds(List<CallLogRecord> rows) {
    return rows.stream().map(CallLogRecord::trnId).toList();
  }

  /** trn_id → "operator|day" of every row in the table, straight from Cassandra; fails on a duplicate trn_id. */
  private static Map<String, String> storedPartitions(String keyspace) throws Exception {
    List<Row> rows = session.selectAll("SELECT operator_id, day, trn_id FROM " + keyspace + ".call_log")
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    Map<String, String> out = new HashMap<>();
    for (Row row : rows) {
      String previous = out.put(row.getString("trn_id"), row.getString("operator_id") + "|" + row.getString("day"));
      if (previous != null) {
        fail("trn_id " + row.getString("trn_id") + " stored twice: " + previous + " and " + out.get(row.getString(
            "trn_id")));
      }
    }
    return out;
  }

  private static void awaitTrue(String what, Duration within, Supplier<Boolean> condition) {
    awaitValue(what, within.toSeconds(), condition, Boolean::booleanValue);
  }

  /** Polls {@code supplier} every 200 ms until {@code done} accepts its value; fails after {@code seconds}. */
  private static <T> T awaitValue(String what, long seconds, Supplier<T> supplier,
      java.util.function.Predicate<T> done) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    T last = null;
    while (true) {
      last = supplier.get();
      if (done.test(last)) {
        return last;
      }
      if (System.nanoTime() > deadline) {
        fail("timed out after " + seconds + " s waiting for " + what + "; last value: " + last);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
