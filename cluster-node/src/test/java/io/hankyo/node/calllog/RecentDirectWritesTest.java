package io.hankyo.node.calllog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.node.call.Call;
import io.hankyo.node.call.CallCharges;
import io.hankyo.node.call.CallLogWriter;
import io.hankyo.node.call.CallOutcomes;
import io.hankyo.protocol.call.CallArrival;
import io.hankyo.protocol.call.CallerInfo;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.calllog.DeviceType;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.junit.jupiter.api.Test;

/**
 * {@link RecentDirectWrites}: what the projection may skip (only rows this JVM saw acknowledged, with equal content,
 * within the retention, up to the bound) and the projection's row handler using it.
 */
class RecentDirectWritesTest {
  private static final CallerNumberCipher CIPHER = new CallerNumberCipher(
      Map.of("t1", base64("0123456789abcdef0123456789abcdef")), "t1", base64("hash-key-hash-key-hash-key-hash-"));
  private static final CallOutcomes OUTCOMES = new CallOutcomes(CallCharges.defaults());
  private static final Duration RETENTION = Duration.ofMinutes(2);

  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final Recording cassandra = new Recording();
  private final RecentDirectWrites writes = new RecentDirectWrites(cassandra, RETENTION, 1000, clock::get);

  @Test
  void aRowAcknowledgedByCassandraIsNotWrittenAgain() throws Exception {
    CallLogRecord a = record("a00000000000000000000001", 30);
    CallLogRecord b = record("b00000000000000000000002", 30);
    await(writes.upsert(a));
    assertTrue(writes.written(a));
    assertFalse(writes.written(b), "never written");
    assertEquals(List.of(b), writes.notWritten(List.of(a, b)));
    assertEquals(List.of(a), cassandra.written, "the direct write went through to Cassandra once");
  }

  @Test
  void aRowWithTheSameIdButOtherContentIsStillWritten() throws Exception {
    CallLogRecord first = record("c00000000000000000000003", 30);
    CallLogRecord changed = record("c00000000000000000000003", 45); // same trn_id, other talk time
    await(writes.upsert(first));
    assertFalse(writes.written(changed));
    assertEquals(List.of(changed), writes.notWritten(List.of(changed)));
  }

  @Test
  void aFailedDirectWriteIsNotRemembered() {
    CallLogRecord r = record("d00000000000000000000004", 30);
    cassandra.failing = true;
    assertThrows(Exception.class, () -> await(writes.upsert(r)));
    assertFalse(writes.written(r), "the projection must write a row whose direct write failed");
    assertEquals(List.of(r), writes.notWritten(List.of(r)));
  }

  @Test
  void rowsAreForgottenAfterTheRetention() throws Exception {
    CallLogRecord r = record("e00000000000000000000005", 30);
    await(writes.upsert(r));
    clock.addAndGet(RETENTION.toNanos() / 2 + 1); // one rotation: still in the previous generation
    assertTrue(writes.written(r));
    clock.addAndGet(RETENTION.toNanos() / 2 + 1); // second rotation: gone
    assertFalse(writes.written(r));

    CallLogRecord s = record("f00000000000000000000006", 30);
    await(writes.upsert(s));
    clock.addAndGet(RETENTION.toNanos() * 3); // idle for longer than both generations together
    assertFalse(writes.written(s));
  }

  @Test
  void beyondTheBoundRowsAreNotRememberedAndSoWrittenTwice() throws Exception {
    RecentDirectWrites small = new RecentDirectWrites(cassandra, RETENTION, 2, clock::get);
    List<CallLogRecord> rows = List.of(record("100000000000000000000001", 1), record("100000000000000000000002", 2),
        record("100000000000000000000003", 3));
    await(small.upsertAll(rows));
    assertEquals(List.of(rows.get(2)), small.notWritten(rows));
  }

  @Test
  void theBoundsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> new RecentDirectWrites(cassandra, Duration.ZERO, 1));
    assertThrows(IllegalArgumentException.class, () -> new RecentDirectWrites(cassandra, RETENTION, 0));
  }

  @Test
  void theProjectionWritesOnlyTheEndedCallsThisNodeHasNotWritten() throws Exception {
    CallLogRecord direct = record("200000000000000000000001", 30);
    CallLogRecord failed = record("200000000000000000000002", 30);
    await(writes.upsert(direct));
    cassandra.failing = true;
    assertThrows(Exception.class, () -> await(writes.upsert(failed)));
    cassandra.failing = false;
    cassandra.written.clear();

    var handler = new CallLogProjection.RowHandler(writes);
    await(handler.process(List.of(envelope(direct, 1), envelope(failed, 2))));
    assertEquals(List.of(failed), cassandra.written, "only the row whose direct write failed");

    // A writer that is not a RecentDirectWrites (tests, tools) writes every row, as before.
    Recording plain = new Recording();
    await(new CallLogProjection.RowHandler(plain).process(List.of(envelope(direct, 1), envelope(failed, 2))));
    assertEquals(Set.of(direct, failed), Set.copyOf(plain.written));
  }

  @Test
  void theProjectionRewritesARowWhenItsRecordingIsStoredOrDeletedAndWritesACallOncePerGroup() throws Exception {
    CallLogRecord ended = record("300000000000000000000001", 30);
    CallLogRecord withRecording = ended.withLogvar("recording", "1");
    CallLogRecord deleted = ended.withLogvar("recording", "0");
    CallLogRecord other = record("300000000000000000000002", 30);
    io.hankyo.protocol.recording.CallRecording rec = new io.hankyo.protocol.recording.CallRecording(
        "2026/11/29/300000000000000000000001.wav", 44, "00", 30_000,
        io.hankyo.protocol.recording.RecordingMode.BOTH, ended.endedAt(), null);
    Recording plain = new Recording();
    var handler = new CallLogProjection.RowHandler(plain);
    await(handler.process(List.of(envelope(ended, 1), envelope(other, 2),
        EventEnvelope.create(Sequence.apply(3), "Call|" + ended.trnId(), 5,
            (Call.Event) new Call.RecordingStored(rec, withRecording), 0L))));
    assertEquals(List.of(other, withRecording), plain.written, "the call's last row of the group only");
    plain.written.clear();
    await(handler.process(List.of(EventEnvelope.create(Sequence.apply(4), "Call|" + ended.trnId(), 6,
        (Call.Event) new Call.RecordingDeleted(ended.endedAt(), deleted), 0L))));
    assertEquals(List.of(deleted), plain.written);
  }

  private static EventEnvelope<Call.Event> envelope(CallLogRecord r, long offset) {
    return EventEnvelope.create(Sequence.apply(offset), "Call|" + r.trnId(), 4, new Call.CallEnded(r, null),
        r.endedAt().toEpochMilli());
  }

  private static CallLogRecord record(String trnId, int talkSeconds) {
    Instant at = Instant.parse("2026-11-29T03:00:00Z");
    NumberRoute route = new NumberRoute("op1", "cl1", "広告主A", "dn1", "本店", PhoneNumbers.parse("0120-123-456"),
        PhoneNumbers.parse("03-1111-2222"));
    String caller = "+819011112222";
    CallArrival arrival = new CallArrival(trnId, "sip-" + trnId + "@127.0.0.1", "node-1",
        PhoneNumbers.parse("0120123456"),
        new CallerInfo(CIPHER.encrypt(caller), CIPHER.keyedHash(caller), null, null, DeviceType.MOBILE), at);
    return OUTCOMES.record(new CallOutcomes.Facts(1, arrival, route, route.forwardTo(), at.plusMillis(50),
        at.plusSeconds(4), at.plusSeconds(4 + talkSeconds), HangupParty.CALLER, EndCause.NORMAL_CLEARING, 0));
  }

  private static void await(CompletionStage<Done> stage) throws Exception {
    stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
  }

  /** Stands in for Cassandra: records what was written, or fails every write. */
  private static final class Recording implements CallLogWriter {
    final List<CallLogRecord> written = new ArrayList<>();
    volatile boolean failing;

    @Override
    public synchronized CompletionStage<Done> upsert(CallLogRecord record) {
      if (failing) {
        return CompletableFuture.failedFuture(new IllegalStateException("write timed out"));
      }
      written.add(record);
      return CompletableFuture.completedFuture(Done.getInstance());
    }
  }
}
