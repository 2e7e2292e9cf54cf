package io.hankyo.node.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The sweeper's schedule and what it wakes, with the index and sharding replaced by functions. */
class OpenCallSweeperTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void sweepsAtStartThenEveryIntervalWakingOnlyCallsOlderThanTheMinimumAge() {
    Instant now = Instant.parse("2026-11-29T12:00:00Z");
    List<Instant> cutoffs = new CopyOnWriteArrayList<>();
    List<String> woken = new CopyOnWriteArrayList<>();
    var settings = new OpenCallSweeper.Settings(Duration.ofMillis(300), Duration.ofSeconds(60), 1000);
    var sweeper = testKit.spawn(OpenCallSweeper.create(settings, cutoff -> {
      cutoffs.add(cutoff);
      return CompletableFuture.completedFuture(List.of(
          new OpenCalls.Entry("a", cutoff.minusSeconds(1)), new OpenCalls.Entry("b", cutoff.minusSeconds(600))));
    }, woken::add, Clock.fixed(now, ZoneOffset.UTC)));
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(3), () -> {
      assertTrue(cutoffs.size() >= 3, "a sweep at start and one per interval: " + cutoffs.size());
      return null;
    });
    assertEquals(now.minusSeconds(60), cutoffs.get(0), "calls younger than min-age are not asked for");
    assertEquals(List.of("a", "b"), woken.subList(0, 2), "every call the index returns is woken");
    testKit.stop(sweeper);
  }

  @Test
  void aFailedReadIsRetriedAtTheNextInterval() {
    AtomicInteger reads = new AtomicInteger();
    List<String> woken = new CopyOnWriteArrayList<>();
    var settings = new OpenCallSweeper.Settings(Duration.ofMillis(200), Duration.ofSeconds(60), 1000);
    var sweeper = testKit.spawn(OpenCallSweeper.create(settings, cutoff -> reads.incrementAndGet() == 1
        ? CompletableFuture.failedFuture(new IllegalStateException("Cassandra away"))
        : CompletableFuture.completedFuture(List.of(new OpenCalls.Entry("c", cutoff.minusSeconds(5)))),
        woken::add, Clock.systemUTC()));
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(3), () -> {
      assertTrue(woken.contains("c"), "woken after the failed first sweep");
      return null;
    });
    testKit.stop(sweeper);
  }

  @Test
  void aSlowSweepIsNotOverlappedByTheNext() {
    AtomicInteger reads = new AtomicInteger();
    CompletableFuture<List<OpenCalls.Entry>> never = new CompletableFuture<>();
    var settings = new OpenCallSweeper.Settings(Duration.ofMillis(50), Duration.ofSeconds(60), 1000);
    var sweeper = testKit.spawn(OpenCallSweeper.create(settings, cutoff -> {
      reads.incrementAndGet();
      return never;
    }, trnId -> { }, Clock.systemUTC()));
    testKit.createTestProbe().expectNoMessage(Duration.ofMillis(500));
    assertEquals(1, reads.get(), "ticks during a running sweep are skipped");
    testKit.stop(sweeper);
  }
}
