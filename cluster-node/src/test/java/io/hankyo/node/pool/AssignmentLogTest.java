package io.hankyo.node.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.node.directory.DirectoryTestConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shared assignment log (issue 5 performance): appends of several pools in one journal row, the count continuity
 * that fences stale appends, what a restarted pool reads, confirmations, recovery.
 */
class AssignmentLogTest {
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  private static final String READ_JOURNAL = "pekko.persistence.testkit.query";
  private static ActorTestKit testKit;
  private EventSourcedBehaviorTestKit<AssignmentLog.Command, AssignmentLog.Event, AssignmentLog.State> kit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("AssignmentLogTest", DirectoryTestConfig.eventSourced());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void fresh() {
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        AssignmentLog.create("0", Duration.ZERO, READ_JOURNAL));
    kit.clear();
  }

  private static List<NumberPool.Assigned> assigned(String session, int n) {
    List<NumberPool.Assigned> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new NumberPool.Assigned("+8112000000" + (i % 9 + 1), i % 9, session + "-" + i, Map.of("gclid", "g" + i),
          T0.plusSeconds(600 + i), false, T0.plusSeconds(i)));
    }
    return out;
  }

  private AssignmentLog.Appended append(String pool, long first, List<NumberPool.Assigned> events) {
    return kit.<AssignmentLog.Appended>runCommand(r -> new AssignmentLog.Append(pool, first, events, r)).reply();
  }

  private List<NumberPool.Assigned> unwritten(String pool, long after) {
    return kit.<AssignmentLog.Entries>runCommand(r -> new AssignmentLog.Unwritten(pool, after, r)).reply().events();
  }

  @Test
  void appendsOfSeveralPoolsArrivingTogetherAreOneJournalRowAndEachIsAnsweredOnceWritten() {
    TestProbe<AssignmentLog.Appended> a = testKit.createTestProbe();
    TestProbe<AssignmentLog.Appended> b = testKit.createTestProbe();
    // within the log's window (as appends arriving during a write, or together in its mailbox, with group commit)
    var log = testKit.spawn(AssignmentLog.create("together", Duration.ofMillis(500), READ_JOURNAL));
    log.tell(new AssignmentLog.Append("pool-a", 1, assigned("a", 3), a.ref()));
    log.tell(new AssignmentLog.Append("pool-b", 11, assigned("b", 2), b.ref()));
    assertEquals(new AssignmentLog.Appended(true, 3), a.receiveMessage(Duration.ofSeconds(5)));
    assertEquals(new AssignmentLog.Appended(true, 12), b.receiveMessage(Duration.ofSeconds(5)));
    List<Object> rows = kit.persistenceTestKit().persistedInStorage("PoolAssignmentLog|together");
    assertEquals(1, rows.size(), "one row for both pools");
    AssignmentLog.Written w = assertInstanceOf(AssignmentLog.Written.class, rows.get(0));
    assertEquals(List.of(new AssignmentLog.Batch("pool-a", 1, assigned("a", 3)),
        new AssignmentLog.Batch("pool-b", 11, assigned("b", 2))), w.appends());
    append("pool-a", 1, assigned("a", 3));
    assertEquals(assigned("a", 3).subList(1, 3), unwritten("pool-a", 1));
    assertEquals(List.of(), unwritten("pool-c", 0));
  }

  @Test
  void anAppendThatDoesNotContinueThePoolsCountIsRefusedAndNothingIsWritten() {
    assertEquals(new AssignmentLog.Appended(true, 2), append("pool-a", 1, assigned("a", 2)));
    assertEquals(new AssignmentLog.Appended(false, 2), append("pool-a", 1, assigned("stale", 1)),
        "a second append of counts 1.. (an earlier incarnation's, still travelling) is fenced");
    assertEquals(new AssignmentLog.Appended(false, 2), append("pool-a", 5, assigned("gap", 1)), "a gap too");
    assertEquals(new AssignmentLog.Appended(true, 3), append("pool-a", 3, assigned("c", 1)));
    assertEquals(3, unwritten("pool-a", 0).size());
    assertEquals("c-0", unwritten("pool-a", 2).get(0).sessionId());
  }

  @Test
  void aConfirmationDropsTheConfirmedEntriesAndRaisesTheCountAppendsMustContinue() {
    append("pool-a", 1, assigned("a", 2));
    append("pool-a", 3, assigned("b", 2));
    kit.runCommand(new AssignmentLog.Confirm("pool-a", 2));
    // pending confirmations count for the continuity check before they are written
    assertEquals(new AssignmentLog.Appended(true, 5), append("pool-a", 5, assigned("c", 1)));
    assertEquals(List.of("b-0", "b-1", "c-0"),
        unwritten("pool-a", 0).stream().map(NumberPool.Assigned::sessionId).toList());
    // a pool that wrote its own journal up to 40 meanwhile (e.g. with logs = 0) continues from there
    kit.runCommand(new AssignmentLog.Confirm("pool-a", 40));
    assertFalse(append("pool-a", 6, assigned("d", 1)).accepted());
    assertTrue(append("pool-a", 41, assigned("d", 1)).accepted());
    assertEquals(List.of("d-0"), unwritten("pool-a", 0).stream().map(NumberPool.Assigned::sessionId).toList());
    assertEquals(41, kit.getState().lastCount("pool-a"));
  }

  @Test
  void confirmationsAloneAreWrittenAfterTheWindow() {
    append("pool-a", 1, assigned("a", 2));
    kit.runCommand(new AssignmentLog.Confirm("pool-a", 2));
    int before = kit.persistenceTestKit().persistedInStorage("PoolAssignmentLog|0").size();
    testKit.createTestProbe().awaitAssert(AssignmentLog.CONFIRM_WINDOW.plusSeconds(3), () -> {
      assertEquals(before + 1, kit.persistenceTestKit().persistedInStorage("PoolAssignmentLog|0").size());
      return null;
    });
    assertEquals(0, kit.getState().unconfirmed());
    kit.restart();
    assertEquals(0, kit.getState().unconfirmed());
    assertEquals(2, kit.getState().lastCount("pool-a"));
  }

  @Test
  void anAskTimeoutTooShortForAJournalWriteIsRefusedAtStart() {
    var tooShort = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new AssignmentLog.Logs(2, id -> null, Duration.ofMillis(2), Duration.ofMillis(500)));
    assertTrue(tooShort.getMessage().contains("hankyo.pools.assignment-log.ask-timeout"), tooShort.getMessage());
    assertEquals(AssignmentLog.MIN_ASK_TIMEOUT, new AssignmentLog.Logs(2, id -> null, AssignmentLog.MIN_ASK_TIMEOUT,
        Duration.ofMillis(500)).askTimeout());
  }

  @Test
  void theUnconfirmedEntriesAndCountsSurviveARestart() {
    append("pool-a", 1, assigned("a", 3));
    append("pool-b", 1, assigned("b", 1));
    kit.restart();
    assertEquals(assigned("a", 3), unwritten("pool-a", 0));
    assertFalse(append("pool-a", 1, assigned("a", 1)).accepted(), "the count survived too");
    assertTrue(append("pool-b", 2, assigned("b", 1)).accepted());
  }
}
