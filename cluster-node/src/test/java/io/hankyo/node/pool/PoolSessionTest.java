package io.hankyo.node.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.node.directory.DirectoryTestConfig;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A session id belongs to the first pool of its operator that used it (issue 5 pools). */
class PoolSessionTest {
  private static ActorTestKit testKit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("PoolSessionTest", DirectoryTestConfig.eventSourced());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @Test
  void theFirstPoolClaimsTheSessionAnotherIsRefusedAfterRecoveryToo() {
    EventSourcedBehaviorTestKit<PoolSession.Command, PoolSession.Event, PoolSession.State> kit =
        EventSourcedBehaviorTestKit.create(testKit.system(), PoolSession.create(PoolSession.entityId("op-1", "s-1")));
    var first = kit.<StatusReply<Done>>runCommand(r -> new PoolSession.Claim("pool-a", r));
    assertTrue(first.reply().isSuccess());
    assertEquals(new PoolSession.Claimed("pool-a"), first.event());
    var again = kit.<StatusReply<Done>>runCommand(r -> new PoolSession.Claim("pool-a", r));
    assertTrue(again.reply().isSuccess());
    assertTrue(again.hasNoEvents());
    kit.restart();
    var other = kit.<StatusReply<Done>>runCommand(r -> new PoolSession.Claim("pool-b", r));
    assertTrue(other.reply().getError().getMessage().contains("pool-a"));
    assertTrue(other.hasNoEvents());
  }
}
