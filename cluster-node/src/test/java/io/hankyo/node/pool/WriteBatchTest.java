package io.hankyo.node.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** {@link WriteBatch}: when a batch is written, and that a dropped flush does not leave a batch waiting. */
class WriteBatchTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** Commands of a stand-in entity: add a value, or the batch's flush. */
  private sealed interface Msg {}

  private record Add(String value) implements Msg {}

  private record Flush() implements Msg {}

  /** Drops the next flush, as a full stash drops a command arriving during a write. */
  private record DropNextFlush() implements Msg {}

  private static Behavior<Msg> entity(Duration window, int max, ActorRef<List<String>> written) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      WriteBatch<String, Msg> batch = new WriteBatch<>(max, window, timers, ctx.getSelf(), Flush::new);
      boolean[] drop = {false};
      return Behaviors.receive(Msg.class)
          .onMessage(Add.class, a -> {
            if (batch.add(a.value())) {
              written.tell(batch.take());
            }
            return Behaviors.same();
          })
          .onMessage(DropNextFlush.class, d -> {
            drop[0] = true;
            return Behaviors.same();
          })
          .onMessage(Flush.class, f -> {
            if (drop[0]) {
              drop[0] = false;
              return Behaviors.same();
            }
            List<String> b = batch.take();
            if (!b.isEmpty()) {
              written.tell(b);
            }
            return Behaviors.same();
          })
          .build();
    }));
  }

  @Test
  void aBatchIsWrittenAfterItsWindowOrWhenFull() {
    TestProbe<List<String>> written = testKit.createTestProbe();
    ActorRef<Msg> e = testKit.spawn(entity(Duration.ofMillis(200), 3, written.ref()));
    e.tell(new Add("a"));
    e.tell(new Add("b"));
    assertEquals(List.of("a", "b"), written.receiveMessage(Duration.ofSeconds(3)));
    e.tell(new Add("c"));
    e.tell(new Add("d"));
    e.tell(new Add("e"));
    assertEquals(List.of("c", "d", "e"), written.receiveMessage(Duration.ofSeconds(3)), "full: at once");
    written.expectNoMessage(Duration.ofMillis(400));
  }

  @Test
  void aDroppedFlushIsRepeatedUntilTheBatchIsTaken() {
    TestProbe<List<String>> written = testKit.createTestProbe();
    ActorRef<Msg> e = testKit.spawn(entity(Duration.ofMillis(300), 100, written.ref()));
    e.tell(new DropNextFlush());
    e.tell(new Add("a"));
    // the first flush (after 300 ms) is dropped; the next one, a window later, writes the batch without any other
    // command (a single timer left it waiting for 100 commands)
    written.expectNoMessage(Duration.ofMillis(450));
    assertEquals(List.of("a"), written.receiveMessage(Duration.ofSeconds(3)));
    written.expectNoMessage(Duration.ofMillis(700)); // taken: the timer stopped
    e.tell(new Add("b"));
    assertEquals(List.of("b"), written.receiveMessage(Duration.ofSeconds(3)));
  }

  @Test
  void withGroupCommitADroppedFlushIsAskedAgainByTheBackstop() {
    TestProbe<List<String>> written = testKit.createTestProbe();
    ActorRef<Msg> e = testKit.spawn(entity(Duration.ZERO, 100, written.ref()));
    e.tell(new DropNextFlush());
    e.tell(new Add("a"));
    // the flush told at once is dropped; WriteBatch.BACKSTOP later the timer asks again
    assertEquals(List.of("a"), written.receiveMessage(Duration.ofSeconds(3)));
    written.expectNoMessage(WriteBatch.BACKSTOP.multipliedBy(4)); // taken: the timer stopped
    e.tell(new Add("b"));
    assertEquals(List.of("b"), written.receiveMessage(Duration.ofSeconds(3)));
  }

  @Test
  void takeWithALimitLeavesTheRestWaitingAndItsTimerRunning() {
    TestProbe<List<String>> written = testKit.createTestProbe();
    TestProbe<List<String>> first = testKit.createTestProbe();
    ActorRef<Msg> e = testKit.spawn(Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      WriteBatch<String, Msg> batch = new WriteBatch<>(2, Duration.ofMillis(100), timers, ctx.getSelf(), Flush::new);
      return Behaviors.receive(Msg.class)
          .onMessage(Add.class, a -> {
            if (batch.add(a.value())) {
              first.ref().tell(batch.take(1));
            }
            return Behaviors.same();
          })
          .onMessage(Flush.class, f -> {
            List<String> b = batch.take();
            if (!b.isEmpty()) {
              written.ref().tell(b);
            }
            return Behaviors.same();
          })
          .build();
    })));
    e.tell(new Add("a"));
    e.tell(new Add("b"));
    assertEquals(List.of("a"), first.receiveMessage(Duration.ofSeconds(3)));
    assertEquals(List.of("b"), written.receiveMessage(Duration.ofSeconds(3)), "the rest, by the running timer");
  }
}
