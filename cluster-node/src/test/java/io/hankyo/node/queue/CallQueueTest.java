package io.hankyo.node.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.node.directory.DirectoryTestConfig;
import io.hankyo.node.queue.CallQueue.Enter;
import io.hankyo.node.queue.CallQueue.Event;
import io.hankyo.node.queue.CallQueue.Granted;
import io.hankyo.node.queue.CallQueue.LeaseExpired;
import io.hankyo.node.queue.CallQueue.Leave;
import io.hankyo.node.queue.CallQueue.Left;
import io.hankyo.node.queue.CallQueue.LeftReason;
import io.hankyo.node.queue.CallQueue.LineGranted;
import io.hankyo.node.queue.CallQueue.LineTaken;
import io.hankyo.node.queue.CallQueue.Member;
import io.hankyo.node.queue.CallQueue.Notification;
import io.hankyo.node.queue.CallQueue.PositionChanged;
import io.hankyo.node.queue.CallQueue.QueueState;
import io.hankyo.node.queue.CallQueue.Queued;
import io.hankyo.node.queue.CallQueue.Renew;
import io.hankyo.node.queue.CallQueue.Standing;
import io.hankyo.node.queue.CallQueue.Sweep;
import io.hankyo.node.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The queue entity through {@link EventSourcedBehaviorTestKit} (every command, event, state and notification goes
 * through Jackson; recovery is checked after each command). Time is a {@link ManualClock}; sweeps are sent by hand
 * (the entity's own sweep timer is set to an hour so it never interferes).
 */
class CallQueueTest {
  private static final String QUEUE = CallQueue.QueueKey.ofAdvertiser("op-1", "adv-1", "support").entityId();
  private static final Instant T0 = Instant.parse("2026-04-01T01:00:00Z");
  private static final Duration LEASE = Duration.ofSeconds(60);
  private static final Duration GRACE = Duration.ofSeconds(30);
  private static ActorTestKit testKit;

  private ManualClock clock;
  private EventSourcedBehaviorTestKit<CallQueue.Command, Event, CallQueue.State> kit;
  private final Map<String, TestProbe<Notification>> callers = new HashMap<>();

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("CallQueueTest", DirectoryTestConfig.eventSourced());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void noStrayNotifications() {
    callers.values().forEach(p -> p.expectNoMessage(Duration.ofMillis(20)));
    callers.clear();
  }

  private void start(int maxWaiting) {
    clock = new ManualClock(T0);
    var settings = new CallQueue.Settings(maxWaiting, LEASE, Duration.ofHours(1), GRACE, clock);
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), CallQueue.create(QUEUE, settings));
    kit.clear();
  }

  private TestProbe<Notification> caller(String trnId) {
    return callers.computeIfAbsent(trnId, id -> testKit.createTestProbe(Notification.class));
  }

  private CommandResultWithReply<CallQueue.Command, Event, CallQueue.State, StatusReply<Standing>> enter(
      String trnId, int lines) {
    return kit.runCommand(r -> new Enter(trnId, lines, caller(trnId).ref(), r));
  }

  private Standing entered(String trnId, int lines) {
    var result = enter(trnId, lines);
    assertTrue(result.reply().isSuccess(), () -> "Enter " + trnId + ": " + result.reply());
    return result.reply().getValue();
  }

  private CommandResultWithReply<CallQueue.Command, Event, CallQueue.State, StatusReply<Done>> leave(String trnId) {
    var result = kit.<StatusReply<Done>>runCommand(r -> new Leave(trnId, r));
    assertTrue(result.reply().isSuccess());
    return result;
  }

  private QueueState state() {
    return (QueueState) kit.getState();
  }

  private static List<String> ids(List<Member> members) {
    return members.stream().map(Member::trnId).toList();
  }

  private Queued queued(String trnId, int position) {
    return new Queued(QUEUE, trnId, position);
  }

  // ------------------------------------------------------------------------------------------------------- tests

  @Test
  void entityIdEscapesTheSeparator() {
    assertEquals("op-1|adv-1|support", QUEUE);
    CallQueue.QueueKey odd = CallQueue.QueueKey.ofAdvertiser("op|1", "a%b", "sup%port");
    assertEquals("op%7C1|a%25b|sup%25port", odd.entityId());
    assertEquals(odd, CallQueue.QueueKey.parse(odd.entityId()));
    CallQueue.QueueKey perNumber = new CallQueue.QueueKey("op-1", "adv-1", "num|7", "support");
    assertEquals("op-1|adv-1|support|num%7C7", perNumber.entityId());
    assertEquals(perNumber, CallQueue.QueueKey.parse(perNumber.entityId()));
    assertEquals(List.of("op%7C", "q"), List.of(CallQueue.QueueKey.parse(
        CallQueue.QueueKey.ofAdvertiser("op%7C", "c", "q").entityId()).operatorId(), "q"));
    assertThrows(IllegalArgumentException.class, () -> CallQueue.create("no-separator"));
    assertThrows(IllegalArgumentException.class, () -> CallQueue.create("a|b"));
    assertThrows(IllegalArgumentException.class, () -> CallQueue.create("a|b|c|d|e"));
    assertThrows(IllegalArgumentException.class, () -> CallQueue.QueueKey.ofAdvertiser(" ", "c", "q"));
    assertThrows(IllegalArgumentException.class, () -> new CallQueue.QueueKey("o", "c", " ", "q"));
  }

  /** The case: a queue of 2 lines with 4 callers. */
  @Test
  void twoLinesFourCallersAreServedInOrder() {
    start(1000);
    var first = enter("c1", 2);
    assertEquals(new Granted(QUEUE, "c1"), first.reply().getValue());
    assertEquals(1, first.events().size(), "one event per Enter");
    assertEquals(new Granted(QUEUE, "c2"), entered("c2", 2));
    assertEquals(queued("c3", 1), entered("c3", 2));
    assertEquals(queued("c4", 2), entered("c4", 2));
    assertEquals(List.of("c1", "c2"), ids(state().held()));
    assertEquals(List.of("c3", "c4"), ids(state().waiting()));

    clock.advance(Duration.ofSeconds(5));
    var leave = leave("c1");
    assertEquals(List.of(new Left("c1", LeftReason.LEFT, clock.instant()),
        new LineTaken("c3", clock.instant(), clock.instant().plus(LEASE))), leave.events());
    assertEquals(new LineGranted(QUEUE, "c3", clock.instant()), caller("c3").receiveMessage());
    assertEquals(new PositionChanged(QUEUE, "c4", 1, clock.instant()), caller("c4").receiveMessage());

    leave("c2");
    assertEquals(new LineGranted(QUEUE, "c4", clock.instant()), caller("c4").receiveMessage());
    assertEquals(List.of("c3", "c4"), ids(state().held()));
    assertEquals(List.of(), state().waiting());

    leave("c3");
    leave("c4");
    assertEquals(List.of(), state().held());
    assertEquals(new Granted(QUEUE, "c5"), entered("c5", 2));
  }

  @Test
  void aWaitingCallerWhoHangsUpLeavesAtOnceAndOthersMoveUp() {
    start(1000);
    entered("c1", 1);
    entered("c2", 1);
    entered("c3", 1);
    entered("c4", 1);
    var leave = leave("c2");
    assertEquals(1, leave.events().size(), "no line freed: only the Left event");
    assertEquals(new PositionChanged(QUEUE, "c3", 1, T0), caller("c3").receiveMessage());
    assertEquals(new PositionChanged(QUEUE, "c4", 2, T0), caller("c4").receiveMessage());
    assertEquals(List.of("c3", "c4"), ids(state().waiting()));

    leave("c4"); // the last one leaves: nobody behind it moves
    assertEquals(List.of("c3"), ids(state().waiting()));
    assertEquals(List.of("c1"), ids(state().held()));
  }

  @Test
  void enterAndLeaveAreIdempotent() {
    start(1000);
    entered("c1", 1);
    entered("c2", 1);
    var again = enter("c1", 1);
    assertEquals(new Granted(QUEUE, "c1"), again.reply().getValue());
    assertTrue(again.hasNoEvents(), "a repeated Enter writes nothing");
    var againWaiting = enter("c2", 1);
    assertEquals(queued("c2", 1), againWaiting.reply().getValue());
    assertTrue(againWaiting.hasNoEvents());
    assertEquals(1, state().held().size(), "same trn_id twice takes one line");
    assertEquals(1, state().waiting().size(), "same trn_id twice takes one place");

    assertTrue(leave("nobody").hasNoEvents(), "leaving a queue one is not in is done, without change");
    assertEquals(2, leave("c1").events().size());
    caller("c2").expectMessageClass(LineGranted.class);
    assertTrue(leave("c1").hasNoEvents(), "a repeated Leave writes nothing and grants nothing");
    assertEquals(List.of("c2"), ids(state().held()));
  }

  @Test
  void invalidEntersAreRejected() {
    start(1000);
    var zeroLines = enter("c1", 0);
    assertEquals("lines must be at least 1, got 0", zeroLines.reply().getError().getMessage());
    var blank = kit.<StatusReply<Standing>>runCommand(r -> new Enter(" ", 1, caller("c1").ref(), r));
    assertTrue(blank.reply().isError());
    var noCaller = kit.<StatusReply<Standing>>runCommand(r -> new Enter("c1", 1, null, r));
    assertTrue(noCaller.reply().isError());
    assertTrue(zeroLines.hasNoEvents() && blank.hasNoEvents() && noCaller.hasNoEvents());
  }

  @Test
  void restartInTheMiddleKeepsLinesPlacesAndDeadlines() {
    start(1000);
    entered("c1", 1);
    clock.advance(Duration.ofSeconds(50));
    entered("c2", 1);
    entered("c3", 1);
    QueueState before = state();
    assertEquals(T0.plus(LEASE), before.held().get(0).until());
    assertEquals(T0.plusSeconds(50).plus(LEASE), before.waiting().get(0).until());

    var restarted = kit.restart(); // at T0 + 50 s: no lease runs out before T0 + 80 s
    assertEquals(before, restarted.state(), "lines, holders, waiters, refs and deadlines recovered");

    clock.advance(Duration.ofSeconds(15)); // T0 + 65 s: past c1's deadline, within the grace
    assertTrue(kit.runCommand(new Sweep()).hasNoEvents(), "no lease runs out within the recovery grace");
    assertEquals(queued("c3", 2), entered("c3", 1), "standing after restart; a repeated Enter renews");

    clock.advance(Duration.ofSeconds(16)); // T0 + 81 s: grace over; c1 never renewed, c2's lease runs to T0 + 110 s
    var sweep = kit.runCommand(new Sweep());
    Instant now = clock.instant();
    assertEquals(List.of(new CallQueue.LeasesRenewed(List.of("c3"), now.plus(LEASE)),
        new Left("c1", LeftReason.EXPIRED, now), new LineTaken("c2", now, now.plus(LEASE))), sweep.events());
    assertEquals(new LeaseExpired(QUEUE, "c1", true, now), caller("c1").receiveMessage());
    assertEquals(new LineGranted(QUEUE, "c2", now), caller("c2").receiveMessage());
    assertEquals(new PositionChanged(QUEUE, "c3", 1, now), caller("c3").receiveMessage());

    // The deadlines written by that sweep survive another restart.
    QueueState after = state();
    assertEquals(after, kit.restart().state());
    assertEquals(now.plus(LEASE), after.waiting().get(0).until());
  }

  @Test
  void anExpiredLeaseFreesTheLineForTheNextCaller() {
    start(1000);
    entered("c1", 1);
    entered("c2", 1);
    entered("c3", 1);
    clock.advance(Duration.ofSeconds(30));
    // c2 and c3 renew; c1 (its node died) does not.
    assertEquals(queued("c2", 1), kit.<StatusReply<Standing>>runCommand(r -> new Renew("c2", null, r)).reply()
        .getValue());
    assertEquals(queued("c3", 2), kit.<StatusReply<Standing>>runCommand(r -> new Renew("c3", null, r)).reply()
        .getValue());
    var firstSweep = kit.runCommand(new Sweep());
    Instant renewedAt = clock.instant();
    assertEquals(List.of(new CallQueue.LeasesRenewed(List.of("c2", "c3"), renewedAt.plus(LEASE))),
        firstSweep.events(), "renewals are written once per sweep, in one event");
    assertTrue(kit.runCommand(new Sweep()).hasNoEvents(), "nothing renewed, nothing expired: nothing written");

    clock.advance(Duration.ofSeconds(31)); // T0 + 61 s: c1's lease (T0 + 60 s) ran out, the others run to T0 + 90 s
    var sweep = kit.runCommand(new Sweep());
    Instant now = clock.instant();
    assertEquals(List.of(new Left("c1", LeftReason.EXPIRED, now), new LineTaken("c2", now, now.plus(LEASE))),
        sweep.events());
    assertEquals(new LeaseExpired(QUEUE, "c1", true, now), caller("c1").receiveMessage());
    assertEquals(new LineGranted(QUEUE, "c2", now), caller("c2").receiveMessage());
    assertEquals(new PositionChanged(QUEUE, "c3", 1, now), caller("c3").receiveMessage());

    var lateRenew = kit.<StatusReply<Standing>>runCommand(r -> new Renew("c1", null, r));
    assertTrue(lateRenew.reply().isError(), "a call whose lease ran out is told it holds nothing");
    assertTrue(lateRenew.reply().getError().getMessage().contains("not in queue 'support' of advertiser adv-1"));
  }

  @Test
  void waitingIsBounded() {
    start(3);
    entered("c1", 1);
    entered("c2", 1);
    entered("c3", 1);
    entered("c4", 1);
    var full = enter("c5", 1);
    assertTrue(full.hasNoEvents());
    assertEquals("queue 'support' of advertiser adv-1 is full: 3 calls are waiting (at most 3)", full.reply().getError().getMessage());
    assertEquals(queued("c4", 3), entered("c4", 1), "a call already waiting is not refused");
    leave("c3");
    caller("c4").expectMessageClass(PositionChanged.class);
    assertEquals(queued("c5", 3), entered("c5", 1));
  }

  @Test
  void aRaisedLineCountGrantsWaitersAtOnceAndALoweredOneRevokesNothing() {
    start(1000);
    entered("c1", 1);
    entered("c2", 1);
    entered("c3", 1);
    // A newer document raises the count to 3: c2 and c3 (waiting, first in line) get the lines, c4 waits.
    var raised = enter("c4", 3);
    assertEquals(queued("c4", 1), raised.reply().getValue());
    assertEquals(3, raised.events().size(), "Entered + two grants, one write");
    caller("c2").expectMessageClass(LineGranted.class);
    caller("c3").expectMessageClass(LineGranted.class);
    assertEquals(List.of("c1", "c2", "c3"), ids(state().held()));

    // Back down to 1: nobody loses a held line; grants resume only when fewer than 1 hold one.
    assertEquals(queued("c5", 2), entered("c5", 1));
    assertEquals(1, state().lines());
    assertEquals(3, state().held().size());
    assertEquals(1, leave("c1").events().size(), "3 → 2 holders, over the count of 1: no grant");
    assertEquals(1, leave("c2").events().size());
    assertEquals(2, leave("c3").events().size(), "0 holders: c4 is granted");
    caller("c4").expectMessageClass(LineGranted.class);
    assertEquals(new PositionChanged(QUEUE, "c5", 1, T0), caller("c5").receiveMessage());

    // Raised to 3: c5 (waiting) is granted first, then the newcomer too.
    assertEquals(new Granted(QUEUE, "c6"), entered("c6", 3));
    caller("c5").expectMessageClass(LineGranted.class);
    assertEquals(List.of("c4", "c5", "c6"), ids(state().held()));
  }

  @Test
  void aCallThatMovedGivesItsNewRefAndNotificationsFollowIt() {
    start(1000);
    entered("c1", 1);
    entered("c2", 1);
    TestProbe<Notification> moved = testKit.createTestProbe(Notification.class);
    var renew = kit.<StatusReply<Standing>>runCommand(r -> new Renew("c2", moved.ref(), r));
    assertEquals(List.of(new CallQueue.CallerChanged("c2", moved.ref())), renew.events());
    assertTrue(kit.<StatusReply<Standing>>runCommand(r -> new Renew("c2", moved.ref(), r)).hasNoEvents());
    leave("c1");
    moved.expectMessageClass(LineGranted.class);
  }

  @Test
  void aBusyQueueRecoversFromSnapshotsToTheSameState() {
    start(1000);
    for (int i = 0; i < 130; i++) {
      entered("c" + i, 2);
      if (i >= 2) {
        leave("c" + (i - 2));
      }
    }
    callers.values().forEach(p -> p.receiveSeveralMessages(0));
    callers.clear(); // grants were checked above; only the end state matters here
    QueueState before = state();
    assertEquals(List.of("c128", "c129"), ids(before.held()));
    assertEquals(before, kit.restart().state());
  }

  @Test
  void leaveOfTheOnlyHolderWithNobodyWaitingFreesTheLine() {
    start(1000);
    entered("c1", 1);
    var leave = leave("c1");
    assertInstanceOf(Left.class, leave.events().get(0));
    assertEquals(1, leave.events().size());
    assertEquals(new Granted(QUEUE, "c2"), entered("c2", 1));
  }
}
