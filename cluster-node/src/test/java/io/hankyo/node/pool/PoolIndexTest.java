package io.hankyo.node.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.node.directory.DirectoryTestConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The operator's pool ids (issue 5): deleted pools move aside; and when a deleted pool's numbers cool down. */
class PoolIndexTest {
  private static ActorTestKit testKit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("PoolIndexTest", DirectoryTestConfig.eventSourced());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @Test
  void aRemovedPoolMovesToTheDeletedIdsAndSurvivesARestart() {
    EventSourcedBehaviorTestKit<PoolIndex.Command, PoolIndex.Event, PoolIndex.State> kit =
        EventSourcedBehaviorTestKit.create(testKit.system(), PoolIndex.create("op-1"));
    kit.<Done>runCommand(r -> new PoolIndex.Add("pool-b", r));
    kit.<Done>runCommand(r -> new PoolIndex.Add("pool-a", r));
    assertEquals(new PoolIndex.Removed("pool-a"), kit.<Done>runCommand(r -> new PoolIndex.Remove("pool-a", r))
        .event());
    assertTrue(kit.<Done>runCommand(r -> new PoolIndex.Remove("pool-a", r)).hasNoEvents(), "removing again");
    assertTrue(kit.<Done>runCommand(r -> new PoolIndex.Remove("pool-x", r)).hasNoEvents(), "an unknown id");
    kit.restart();
    PoolIndex.State s = kit.<PoolIndex.State>runCommand(PoolIndex.Get::new).reply();
    assertEquals(List.of("pool-b"), s.poolIds());
    assertEquals(List.of("pool-a"), s.deletedPoolIds());
  }

  @Test
  void aDeletedPoolsNumberCoolsDownFromItsLastHoldByTheLongerCoolDown() {
    Instant now = Instant.parse("2026-11-30T00:00:00Z");
    NumberPool.Slot held = new NumberPool.Slot("s1", Map.of(), now.plusSeconds(600));
    NumberPool.Slot longAgo = new NumberPool.Slot("s2", Map.of(), now.minus(Duration.ofDays(8)));
    assertNull(ClusterPoolBackend.coolDownUntil(null, 60, Duration.ofDays(7), now), "never handed out");
    assertEquals(now.plusSeconds(600).plus(Duration.ofDays(7)),
        ClusterPoolBackend.coolDownUntil(held, 60, Duration.ofDays(7), now));
    assertEquals(now.plusSeconds(600 + 3600), ClusterPoolBackend.coolDownUntil(held, 3600, Duration.ZERO, now),
        "the pool's own cool-down when longer");
    assertNull(ClusterPoolBackend.coolDownUntil(longAgo, 60, Duration.ofDays(7), now), "its cool-down is over");
    assertEquals(now.plusSeconds(600), ClusterPoolBackend.coolDownUntil(held, 0, Duration.ZERO, now),
        "still held: cools down until the hold ends");
  }
}
