package io.hankyo.node.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.node.directory.DirectoryTestConfig;
import io.hankyo.node.queue.CallQueue.Granted;
import io.hankyo.node.queue.CallQueue.Notification;
import io.hankyo.node.queue.CallQueue.Queued;
import io.hankyo.node.queue.CallQueue.Standing;
import java.time.Clock;
import java.time.Duration;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The queue as a running actor with its own sweep timer and the real clock, the way Call entities will talk to it:
 * replies and notifications arrive at probes (through Jackson, {@code serialize-messages = on}).
 */
class CallQueueActorTest {
  private static ActorTestKit testKit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("CallQueueActorTest", DirectoryTestConfig.eventSourced());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @Test
  void oneLineTwoCallersThenADeadCallersLeaseRunsOut() {
    // Short lease, frequent sweeps, no recovery grace: the timer does what sweeps by hand do in CallQueueTest. The
    // lease (2 s) outlasts the steps before b's lease should run out, even on a loaded machine (600 ms did not).
    var settings = new CallQueue.Settings(
        10, Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ZERO, Clock.systemUTC());
    String id = CallQueue.QueueKey.ofAdvertiser("op-1", "adv-1", "sales").entityId();
    ActorRef<CallQueue.Command> queue = testKit.spawn(CallQueue.create(id, settings));
    TestProbe<StatusReply<Standing>> replies = testKit.createTestProbe();
    TestProbe<StatusReply<Done>> acks = testKit.createTestProbe();
    TestProbe<Notification> a = testKit.createTestProbe(Notification.class);
    TestProbe<Notification> b = testKit.createTestProbe(Notification.class);
    TestProbe<Notification> c = testKit.createTestProbe(Notification.class);

    queue.tell(new CallQueue.Enter("a", 1, a.ref(), replies.ref()));
    assertEquals(new Granted(id, "a"), replies.receiveMessage().getValue());
    queue.tell(new CallQueue.Enter("b", 1, b.ref(), replies.ref()));
    assertEquals(new Queued(id, "b", 1), replies.receiveMessage().getValue());

    // a hangs up after talking: b is connected.
    queue.tell(new CallQueue.Leave("a", acks.ref()));
    assertTrue(acks.receiveMessage().isSuccess());
    var granted = assertInstanceOf(CallQueue.LineGranted.class, b.receiveMessage());
    assertEquals("b", granted.trnId());
    assertEquals(id, granted.queueId());

    // c waits and renews; b's node "dies" (it stops renewing): its lease runs out and c gets the line.
    queue.tell(new CallQueue.Enter("c", 1, c.ref(), replies.ref()));
    assertEquals(new Queued(id, "c", 1), replies.receiveMessage().getValue());
    Notification toC = null;
    for (int i = 0; i < 60 && toC == null; i++) {
      queue.tell(new CallQueue.Renew("c", null, replies.ref()));
      StatusReply<Standing> standing = replies.receiveMessage();
      assertTrue(standing.isSuccess(), "c keeps its place while it renews");
      toC = pollOnce(c);
    }
    assertInstanceOf(CallQueue.LineGranted.class, toC, "c is granted once b's lease ran out");
    var expired = assertInstanceOf(CallQueue.LeaseExpired.class, b.receiveMessage());
    assertTrue(expired.held());

    TestProbe<CallQueue.QueueState> state = testKit.createTestProbe();
    queue.tell(new CallQueue.Get(state.ref()));
    var s = state.receiveMessage();
    assertEquals(1, s.held().size());
    assertEquals("c", s.held().get(0).trnId());
    a.expectNoMessage(Duration.ofMillis(50));
  }

  /** The next notification within 200 ms, or null. */
  private static Notification pollOnce(TestProbe<Notification> probe) {
    try {
      return probe.receiveMessage(Duration.ofMillis(200));
    } catch (AssertionError noneYet) {
      return null;
    }
  }
}
