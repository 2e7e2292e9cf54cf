package io.hankyo.node.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class CallSequenceTest {
  private static final ActorTestKit testKit = ActorTestKit.create(CallFixtures.TESTKIT_CONFIG);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void numbersIncreaseAndOnlyBlocksArePersisted() {
    var kit = EventSourcedBehaviorTestKit.<CallSequence.Command, CallSequence.Event, CallSequence.State>create(
        testKit.system(), CallSequence.create("op-a"));
    var first = kit.<Long>runCommand(CallSequence.Next::new);
    assertEquals(1L, first.reply());
    assertEquals(1, first.events().size(), "the first number reserves a block");
    for (long n = 2; n <= CallSequence.BLOCK_SIZE; n++) {
      var r = kit.<Long>runCommand(CallSequence.Next::new);
      assertEquals(n, r.reply());
      assertTrue(r.events().isEmpty(), "numbers inside a block write nothing");
    }
    var next = kit.<Long>runCommand(CallSequence.Next::new);
    assertEquals(CallSequence.BLOCK_SIZE + 1, next.reply());
    assertEquals(1, next.events().size());
  }

  @Test
  void afterARestartNumbersNeverRepeat() {
    var kit = EventSourcedBehaviorTestKit.<CallSequence.Command, CallSequence.Event, CallSequence.State>create(
        testKit.system(), CallSequence.create("op-b"));
    long last = 0;
    for (int i = 0; i < 5; i++) {
      last = kit.<Long>runCommand(CallSequence.Next::new).reply();
    }
    kit.restart();
    long afterRestart = kit.<Long>runCommand(CallSequence.Next::new).reply();
    assertTrue(afterRestart > last, afterRestart + " > " + last);
    assertEquals(CallSequence.BLOCK_SIZE + 1, afterRestart, "the rest of the old block is skipped");
  }

  @Test
  void aGracefulStopLeavesNoGap() {
    // A real actor lifecycle (the testkit cannot run a command that stops the entity).
    var probe = testKit.<Long>createTestProbe();
    var first = testKit.spawn(CallSequence.create("op-c"));
    for (long n = 1; n <= 5; n++) {
      first.tell(new CallSequence.Next(probe.getRef()));
      assertEquals(n, probe.receiveMessage());
    }
    first.tell(new CallSequence.Stop());
    probe.expectTerminated(first);
    var second = testKit.spawn(CallSequence.create("op-c"));
    second.tell(new CallSequence.Next(probe.getRef()));
    assertEquals(6L, probe.receiveMessage(), "continues right after the last number handed out");
  }
}
