package io.hankyo.node.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.node.directory.DirectoryTestConfig;
import io.hankyo.node.pool.NumberPool.Method;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A pool writing its assignments to a shared {@link AssignmentLog} first (issue 5 performance): answered once the log
 * wrote them, in the pool's own journal later in one row; a pool started before that reads them from the log before it
 * answers anything; a refused or unanswered append is an error for its visitors, never a silent loss.
 */
class NumberPoolLogTest {
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  private static final NumberPool.Settings SETTINGS = new NumberPool.Settings("op-1", Method.DYNAMIC,
      List.of("+81120000001", "+81120000002", "+81120000003"), 600, 60, "+81120999999", List.of());
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String READ_JOURNAL = "pekko.persistence.testkit.query";
  private static ActorTestKit testKit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("NumberPoolLogTest", DirectoryTestConfig.eventSourced());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  /** A pool {@code poolId} writing to a fresh log (its only one), its own journal after {@code writeInterval}. */
  private static EventSourcedBehaviorTestKit<NumberPool.Command, NumberPool.Event, NumberPool.State> pool(
      String poolId, ActorRef<AssignmentLog.Command> log, Duration writeInterval, Duration askTimeout) {
    var kit = EventSourcedBehaviorTestKit.<NumberPool.Command, NumberPool.Event, NumberPool.State>create(
        testKit.system(), NumberPool.create(poolId, Duration.ZERO,
            new AssignmentLog.Logs(1, id -> log, askTimeout, writeInterval)));
    assertTrue(kit.<StatusReply<NumberPool.State>>runCommand(r -> new NumberPool.Create(SETTINGS, r)).reply()
        .isSuccess());
    return kit;
  }

  private static ActorRef<AssignmentLog.Command> newLog(String logId) {
    return testKit.spawn(AssignmentLog.create(logId, Duration.ZERO, READ_JOURNAL));
  }

  private static List<Object> journal(
      EventSourcedBehaviorTestKit<NumberPool.Command, NumberPool.Event, NumberPool.State> kit, String pid) {
    return kit.persistenceTestKit().persistedInStorage(pid);
  }

  private static NumberPool.Assignment assign(
      EventSourcedBehaviorTestKit<NumberPool.Command, NumberPool.Event, NumberPool.State> kit, String session,
      Instant now) {
    TestProbe<StatusReply<NumberPool.Assignment>> probe = testKit.createTestProbe();
    kit.runCommand(new NumberPool.Assign("op-1", session, Map.of("gclid", "g-" + session), now, probe.ref()));
    StatusReply<NumberPool.Assignment> r = probe.receiveMessage(WAIT);
    assertTrue(r.isSuccess(), () -> String.valueOf(r.getError()));
    return r.getValue();
  }

  private static NumberPool.State get(
      EventSourcedBehaviorTestKit<NumberPool.Command, NumberPool.Event, NumberPool.State> kit) {
    return kit.<StatusReply<NumberPool.State>>runCommand(r -> new NumberPool.Get("op-1", r)).reply().getValue();
  }

  @Test
  void anAssignmentIsAnsweredOnceTheLogWroteItAndReachesThePoolsJournalLaterInOneRow() {
    var log = newLog("log-1");
    var kit = pool("pool-l1", log, Duration.ofMillis(300), Duration.ofSeconds(3));
    assertEquals(List.of(new NumberPool.Created(SETTINGS), new NumberPool.LogChosen("0")),
        journal(kit, "NumberPool|pool-l1"), "the log is named before anything is written to it");
    assertEquals("+81120000001", assign(kit, "s1", T0).e164());
    assertEquals("+81120000002", assign(kit, "s2", T0).e164());
    assertEquals("+81120000001", assign(kit, "s1", T0.plusSeconds(5)).e164(), "same session, same number");
    // answered from the log's rows: reads see them before the pool's own write
    assertEquals(3, get(kit).assignments());
    var holder = kit.<NumberPool.Holder>runCommand(r -> new NumberPool.GetHolder("+81120000002", T0, r)).reply();
    assertEquals("s2", holder.slot().sessionId());
    List<Object> logRows = journal(kit, "PoolAssignmentLog|log-1");
    assertEquals(3, logRows.stream().mapToInt(r -> ((AssignmentLog.Written) r).appends().stream()
        .mapToInt(b -> b.events().size()).sum()).sum());
    testKit.createTestProbe().awaitAssert(WAIT, () -> {
      List<Object> own = journal(kit, "NumberPool|pool-l1");
      assertEquals(3, own.size(), "creation, log, then ONE row for the three assignments");
      assertEquals(3, assertInstanceOf(NumberPool.AssignedAll.class, own.get(2)).assignments().size());
      return null;
    });
    kit.restart();
    assertEquals(3, get(kit).assignments());
    assertEquals(3, journal(kit, "NumberPool|pool-l1").size(), "nothing left in the log to read again");
  }

  @Test
  void aPoolStartedAgainBeforeItsOwnWriteReadsTheLogFirst() {
    var log = newLog("log-2");
    // its own write would come after an hour: the restart below finds the assignments in the log only
    var kit = pool("pool-l2", log, Duration.ofHours(1), Duration.ofSeconds(3));
    assign(kit, "s1", T0);
    assign(kit, "s2", T0);
    assertEquals(2, journal(kit, "NumberPool|pool-l2").size(), "creation and log only");
    kit.restart();
    NumberPool.State s = get(kit);
    assertEquals(2, s.assignments());
    assertEquals("s2", s.slots().get("+81120000002").sessionId());
    assertEquals(2, assertInstanceOf(NumberPool.AssignedAll.class, journal(kit, "NumberPool|pool-l2").get(2))
        .assignments().size(), "read from the log and written to the pool's journal");
    // the pool continues the count: its next append is taken
    assertEquals("+81120000003", assign(kit, "s3", T0).e164());
    assertEquals(3, get(kit).assignments());
  }

  @Test
  void anAppendTheLogRefusesIsAnErrorAndThePoolReadsWhatTheLogHoldsBeforeAnsweringMore() {
    var log = newLog("log-3");
    var kit = pool("pool-l3", log, Duration.ofHours(1), Duration.ofSeconds(3));
    // an earlier incarnation's append, arriving after this one started: count 1 is taken in the log
    TestProbe<AssignmentLog.Appended> stale = testKit.createTestProbe();
    log.tell(new AssignmentLog.Append("pool-l3", 1, List.of(new NumberPool.Assigned("+81120000001", 0, "old",
        Map.of(), T0.plusSeconds(600), false, T0)), stale.ref()));
    assertTrue(stale.receiveMessage(WAIT).accepted());
    TestProbe<StatusReply<NumberPool.Assignment>> probe = testKit.createTestProbe();
    kit.runCommand(new NumberPool.Assign("op-1", "s1", Map.of(), T0.plusSeconds(1), probe.ref()));
    StatusReply<NumberPool.Assignment> refused = probe.receiveMessage(WAIT);
    assertEquals(NumberPool.LOG_UNAVAILABLE, refused.getError().getMessage());
    // no restart: the pool reads its log again by itself before it answers anything else
    NumberPool.State s = get(kit);
    assertEquals(1, s.assignments());
    assertEquals("old", s.slots().get("+81120000001").sessionId(), "the log's assignment, not a second number 1");
    assertEquals("+81120000002", assign(kit, "s1", T0.plusSeconds(2)).e164());
  }

  @Test
  void aLogThatDoesNotAnswerMakesTheAssignmentAnErrorNotASilentLoss() {
    TestProbe<AssignmentLog.Command> deaf = testKit.createTestProbe();
    var kit = pool("pool-l4", deaf.ref(), Duration.ofHours(1), Duration.ofMillis(300));
    TestProbe<StatusReply<NumberPool.Assignment>> probe = testKit.createTestProbe();
    kit.runCommand(new NumberPool.Assign("op-1", "s1", Map.of(), T0, probe.ref()));
    assertInstanceOf(AssignmentLog.Append.class, deaf.receiveMessage(WAIT));
    assertEquals(NumberPool.LOG_UNAVAILABLE, probe.receiveMessage(WAIT).getError().getMessage());
  }

  @Test
  void aDeletionWritesTheAnsweredAssignmentsWithItSoItsCoolDownsSeeEveryHold() {
    var log = newLog("log-4");
    var kit = pool("pool-l5", log, Duration.ofHours(1), Duration.ofSeconds(3));
    assign(kit, "s1", T0);
    var deleted = kit.<StatusReply<NumberPool.State>>runCommand(r -> new NumberPool.Delete("op-1",
        T0.plusSeconds(10), r));
    assertEquals(1, deleted.reply().getValue().assignments());
    assertEquals(T0.plusSeconds(600), deleted.reply().getValue().slots().get("+81120000001").heldUntil());
    List<Object> own = journal(kit, "NumberPool|pool-l5");
    assertInstanceOf(NumberPool.Assigned.class, own.get(2));
    assertEquals(new NumberPool.Deleted(T0.plusSeconds(10)), own.get(3));
    TestProbe<StatusReply<NumberPool.Assignment>> probe = testKit.createTestProbe();
    kit.runCommand(new NumberPool.Assign("op-1", "s2", Map.of(), T0.plusSeconds(11), probe.ref()));
    assertEquals(NumberPool.NO_SUCH_POOL, probe.receiveMessage(WAIT).getError().getMessage());
    kit.restart();
    assertEquals(1, get(kit).assignments());
  }

  @Test
  void aPoolThatCannotReadItsLogAnswersItsWaitingAssignmentsWithAnErrorAndDecidesNothing() {
    var log = newLog("log-6");
    java.util.concurrent.atomic.AtomicReference<org.apache.pekko.actor.typed.RecipientRef<AssignmentLog.Command>>
        target = new java.util.concurrent.atomic.AtomicReference<>(log);
    var kit = EventSourcedBehaviorTestKit.<NumberPool.Command, NumberPool.Event, NumberPool.State>create(
        testKit.system(), NumberPool.create("pool-l6", Duration.ZERO,
            new AssignmentLog.Logs(1, id -> target.get(), Duration.ofMillis(500), Duration.ofHours(1))));
    assertTrue(kit.<StatusReply<NumberPool.State>>runCommand(r -> new NumberPool.Create(SETTINGS, r)).reply()
        .isSuccess());
    assign(kit, "s1", T0);
    // started again with its log not answering (its journal names the log: it must read it before deciding)
    TestProbe<AssignmentLog.Command> deaf = testKit.createTestProbe();
    target.set(deaf.ref());
    kit.restart();
    assertInstanceOf(AssignmentLog.Unwritten.class, deaf.receiveMessage(WAIT));
    TestProbe<StatusReply<NumberPool.Assignment>> probe = testKit.createTestProbe();
    kit.runCommand(new NumberPool.Assign("op-1", "s2", Map.of(), T0.plusSeconds(1), probe.ref()));
    assertEquals(NumberPool.LOG_UNAVAILABLE, probe.receiveMessage(WAIT).getError().getMessage());
    assertInstanceOf(AssignmentLog.Unwritten.class, deaf.receiveMessage(WAIT), "asked again a second later");
    assertEquals(2, journal(kit, "NumberPool|pool-l6").size(), "nothing decided: creation, log, nothing else");
    // the log answers again: the pool reads s1's assignment and continues
    target.set(log);
    assertEquals(1, get(kit).assignments());
    assertEquals("+81120000002", assign(kit, "s2", T0.plusSeconds(2)).e164());
  }

  @Test
  void assignmentsArrivingDuringAnAppendAreAppendedInBatchesOfAtMostMaxBatch() {
    var log = newLog("log-7");
    var kit = pool("pool-l7", log, Duration.ofHours(1), Duration.ofSeconds(3));
    TestProbe<StatusReply<NumberPool.Assignment>> probe = testKit.createTestProbe();
    int n = 2 * NumberPool.MAX_BATCH + 50;
    for (int i = 0; i < n; i++) {
      kit.runCommand(new NumberPool.Assign("op-1", "s" + (i % 3), Map.of(), T0.plusSeconds(i), probe.ref()));
    }
    for (int i = 0; i < n; i++) {
      assertTrue(probe.receiveMessage(WAIT).isSuccess());
    }
    List<AssignmentLog.Batch> batches = journal(kit, "PoolAssignmentLog|log-7").stream()
        .flatMap(r -> ((AssignmentLog.Written) r).appends().stream()).toList();
    assertEquals(n, batches.stream().mapToInt(b -> b.events().size()).sum());
    assertTrue(batches.stream().allMatch(b -> b.events().size() <= NumberPool.MAX_BATCH), () -> "batch sizes "
        + batches.stream().map(b -> b.events().size()).toList());
    assertEquals(n, get(kit).assignments());
  }
}
