package io.hankyo.node.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.judgment.RejudgmentPlan;
import io.hankyo.protocol.judgment.RejudgmentView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stored re-judgment (issue 4): request and changes, kept across recovery, in small events. */
class RejudgmentTest {
  private static final Instant FROM = Instant.parse("2026-10-31T15:00:00Z");
  private static final RejudgmentView.Request REQUEST = new RejudgmentView.Request(
      "op-1", "shop", null, FROM, FROM.plusSeconds(86_400), "advertiser", 2);
  private static ActorTestKit testKit;
  private EventSourcedBehaviorTestKit<Rejudgment.Command, Rejudgment.Event, Rejudgment.State> kit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("RejudgmentTest", DirectoryTestConfig.eventSourced());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void fresh() {
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        Rejudgment.create(Rejudgment.entityId("op-1", "rjd_0123456789ab")));
    kit.clear();
  }

  private static List<RejudgmentPlan.Change> changes(int n) {
    List<RejudgmentPlan.Change> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(new RejudgmentPlan.Change("trn-" + i, "d1", FROM.plusSeconds(i),
          new RejudgmentPlan.Outcome("有効", "valid", "1", null, "talked 40 s; at least 30 s are needed"),
          new RejudgmentPlan.Outcome("無効(未満)", "invalid_short", "2", "advertiser",
              "talked 40 s; at least 60 s are needed")));
    }
    return list;
  }

  @Test
  void recordStoresRequestAndChangesInChunksAndSurvivesRecovery() {
    int n = Rejudgment.CHUNK + 3;
    var result = kit.<StatusReply<RejudgmentView>>runCommand(r -> new Rejudgment.Record(REQUEST, 900, changes(n), r));
    RejudgmentView v = result.reply().getValue();
    assertEquals("rjd_0123456789ab", v.id());
    assertEquals(REQUEST, v.request());
    assertEquals(900, v.examined());
    assertEquals(n, v.changes().size());
    assertFalse(v.applied());
    assertEquals(3, result.events().size(), "the request, then two chunks");
    assertEquals(n, result.eventOfType(Rejudgment.RejudgmentRecorded.class).changed());

    kit.restart();
    RejudgmentView back = kit.<StatusReply<RejudgmentView>>runCommand(Rejudgment.Get::new).reply().getValue();
    assertEquals(v, back);
    assertEquals("trn-" + (n - 1), back.changes().get(n - 1).trnId(), "in order");

    var applied = kit.<StatusReply<Done>>runCommand(Rejudgment.MarkApplied::new);
    assertTrue(applied.reply().isSuccess());
    assertTrue(kit.<StatusReply<Done>>runCommand(Rejudgment.MarkApplied::new).hasNoEvents(), "once");
    kit.restart();
    assertTrue(kit.<StatusReply<RejudgmentView>>runCommand(Rejudgment.Get::new).reply().getValue().applied());
  }

  @Test
  void anEmptyRejudgmentIsStoredToo() {
    var result = kit.<StatusReply<RejudgmentView>>runCommand(r -> new Rejudgment.Record(REQUEST, 4, List.of(), r));
    assertEquals(1, result.events().size());
    assertEquals(List.of(), result.reply().getValue().changes());
  }

  @Test
  void unknownIdsAndSecondRecordsAreRefused() {
    assertTrue(kit.<StatusReply<RejudgmentView>>runCommand(Rejudgment.Get::new).reply().isError());
    assertTrue(kit.<StatusReply<Done>>runCommand(Rejudgment.MarkApplied::new).reply().isError());
    kit.<StatusReply<RejudgmentView>>runCommand(r -> new Rejudgment.Record(REQUEST, 1, changes(1), r));
    var again = kit.<StatusReply<RejudgmentView>>runCommand(r -> new Rejudgment.Record(REQUEST, 1, changes(1), r));
    assertTrue(again.reply().isError());
    assertTrue(again.hasNoEvents());
    assertThrows(IllegalArgumentException.class, () -> Rejudgment.create("no-operator"));
  }
}
