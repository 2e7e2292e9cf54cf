package io.hankyo.node.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.api.ApiProblem;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** One sweep over an in-memory index: what is deleted, which rows and days go, what stays for the next sweep. */
class RecordingRetentionSweeperTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Instant NOW = Instant.parse("2026-11-30T10:00:00Z");
  private static final RecordingRetentionSweeper.Settings FAST =
      new RecordingRetentionSweeper.Settings(Duration.ofHours(1), 1000);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** The index in memory: operator → day → trn_id → entry. */
  static final class MemoryIndex implements RecordingIndex.Sweepable {
    final Map<String, TreeMap<LocalDate, Map<String, Entry>>> rows = new TreeMap<>();

    @Override
    public synchronized CompletionStage<Done> stored(String operatorId, String trnId, String key, Instant storedAt) {
      rows.computeIfAbsent(operatorId, o -> new TreeMap<>())
          .computeIfAbsent(CassandraRecordingIndex.dayOf(storedAt), d -> new TreeMap<>())
          .put(trnId, new Entry(operatorId, trnId, key, storedAt));
      return CompletableFuture.completedFuture(Done.getInstance());
    }

    @Override
    public synchronized CompletionStage<List<String>> operators() {
      return CompletableFuture.completedFuture(List.copyOf(rows.keySet()));
    }

    @Override
    public synchronized CompletionStage<List<LocalDate>> days(String operatorId, LocalDate through) {
      return CompletableFuture.completedFuture(
          List.copyOf(rows.getOrDefault(operatorId, new TreeMap<>()).headMap(through, true).keySet()));
    }

    @Override
    public synchronized CompletionStage<List<Entry>> recordings(String operatorId, LocalDate day) {
      return CompletableFuture.completedFuture(List.copyOf(rows.get(operatorId).getOrDefault(day, Map.of()).values()));
    }

    @Override
    public synchronized CompletionStage<Done> removed(String operatorId, LocalDate day, String trnId) {
      rows.get(operatorId).getOrDefault(day, new TreeMap<>()).remove(trnId);
      return CompletableFuture.completedFuture(Done.getInstance());
    }

    @Override
    public synchronized CompletionStage<Done> dayEmptied(String operatorId, LocalDate day) {
      rows.get(operatorId).remove(day);
      return CompletableFuture.completedFuture(Done.getInstance());
    }

    synchronized Set<String> trnIds(String operatorId) {
      Set<String> out = new java.util.TreeSet<>();
      rows.getOrDefault(operatorId, new TreeMap<>()).values().forEach(m -> out.addAll(m.keySet()));
      return out;
    }
  }

  private static int sweep(MemoryIndex index, Map<String, Integer> retention, List<String> deleted,
      Set<String> failing, Set<String> gone) throws Exception {
    return RecordingRetentionSweeper.sweep(testKit.system(), FAST, index,
        op -> CompletableFuture.completedFuture(Optional.ofNullable(retention.get(op))),
        (op, trnId) -> {
          if (failing.contains(trnId)) {
            return CompletableFuture.failedFuture(new IllegalStateException("store away"));
          }
          if (gone.contains(trnId)) {
            return CompletableFuture.failedFuture(ApiProblem.notFound("call has no recording"));
          }
          deleted.add(op + "/" + trnId);
          return CompletableFuture.completedFuture(Done.getInstance());
        }, Clock.fixed(NOW, ZoneOffset.UTC)).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void deletesOnlyRecordingsPastTheirOperatorsRetentionAndRemovesTheirRows() throws Exception {
    MemoryIndex index = new MemoryIndex();
    Instant cutoff = NOW.minus(Duration.ofDays(30));
    index.stored("op1", "old1", "k", cutoff.minus(Duration.ofDays(100)));
    index.stored("op1", "old2", "k", cutoff.minusSeconds(60));
    index.stored("op1", "young-same-day", "k", cutoff.plusSeconds(60));
    index.stored("op1", "recent", "k", NOW.minus(Duration.ofDays(2)));
    index.stored("op2", "forever", "k", NOW.minus(Duration.ofDays(3000)));
    index.stored("op3", "gone-already", "k", NOW.minus(Duration.ofDays(10)));
    List<String> deleted = new ArrayList<>();

    int n = sweep(index, Map.of("op1", 30, "op3", 7), deleted, Set.of(), Set.of("gone-already"));

    assertEquals(List.of("op1/old1", "op1/old2"), deleted, "op2 keeps its recordings forever");
    assertEquals(3, n, "a 404 counts as done");
    assertEquals(Set.of("young-same-day", "recent"), index.trnIds("op1"));
    assertEquals(Set.of("forever"), index.trnIds("op2"));
    assertEquals(Set.of(), index.trnIds("op3"), "a recording deleted through the API leaves the index too");
    assertEquals(List.of(CassandraRecordingIndex.dayOf(cutoff), CassandraRecordingIndex.dayOf(NOW.minus(
        Duration.ofDays(2)))), List.copyOf(index.rows.get("op1").keySet()),
        "the emptied day is removed; the cutoff's day keeps its young recording");
    assertEquals(0, sweep(index, Map.of("op1", 30), new ArrayList<>(), Set.of(), Set.of()), "nothing left to do");
  }

  @Test
  void aFailedDeletionKeepsItsRowAndItsDayForTheNextSweep() throws Exception {
    MemoryIndex index = new MemoryIndex();
    index.stored("op1", "a", "k", NOW.minus(Duration.ofDays(50)));
    index.stored("op1", "b", "k", NOW.minus(Duration.ofDays(50)).plusSeconds(1));
    List<String> deleted = new ArrayList<>();
    assertEquals(1, sweep(index, Map.of("op1", 30), deleted, Set.of("a"), Set.of()));
    assertEquals(Set.of("a"), index.trnIds("op1"));
    assertEquals(1, sweep(index, Map.of("op1", 30), deleted, Set.of(), Set.of()));
    assertEquals(List.of("op1/b", "op1/a"), deleted);
    assertTrue(index.rows.get("op1").isEmpty());
  }

  @Test
  void theSingletonSweepsAtStartAndAnOperatorWhoseSettingsFailIsSkipped() {
    MemoryIndex index = new MemoryIndex();
    index.stored("bad", "x", "k", NOW.minus(Duration.ofDays(400)));
    index.stored("op1", "y", "k", Instant.now().minus(Duration.ofDays(400)));
    List<String> deleted = new CopyOnWriteArrayList<>();
    var sweeper = testKit.spawn(RecordingRetentionSweeper.create(FAST, index,
        op -> op.equals("bad") ? CompletableFuture.failedFuture(new IllegalStateException("ask timed out"))
            : CompletableFuture.completedFuture(Optional.of(365)),
        (op, trnId) -> {
          deleted.add(trnId);
          return CompletableFuture.completedFuture(Done.getInstance());
        }, Clock.systemUTC()));
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(List.of("y"), deleted);
      return null;
    });
    assertEquals(Set.of("x"), index.trnIds("bad"));
    testKit.stop(sweeper);
  }

  @Test
  void settingsComeFromHankyoRecordingRetentionSweep() {
    var config = com.typesafe.config.ConfigFactory.load();
    assertEquals(new RecordingRetentionSweeper.Settings(Duration.ofHours(1), 20),
        RecordingRetentionSweeper.Settings.fromConfig(config.getConfig("hankyo.recording.retention-sweep")));
  }
}
