package io.hankyo.node.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.node.directory.DirectoryTestConfig;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The intermediate bindings of a number (issue 5): persisted, kept to the last 20, per operator, recovered. */
class NumberBindingsTest {
  private static final Instant T0 = Instant.parse("2026-11-30T00:00:00Z");
  private static ActorTestKit testKit;
  private EventSourcedBehaviorTestKit<NumberBindings.Command, NumberBindings.Event, NumberBindings.State> kit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("NumberBindingsTest", DirectoryTestConfig.eventSourced());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void fresh() {
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), NumberBindings.create("+81120555555"));
    kit.clear();
  }

  private static NumberBindings.Binding binding(int i, String op) {
    return new NumberBindings.Binding("bnd-" + i, op, i % 2 == 0 ? "s-" + i : null, Map.of("gclid", "g-" + i),
        T0.plusSeconds(i), T0.plusSeconds(i + 600), T0);
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<NumberBindings.Command, NumberBindings.Event,
      NumberBindings.State, StatusReply<NumberBindings.Binding>> bind(NumberBindings.Binding b) {
    return kit.runCommand(r -> new NumberBindings.Bind(b, r));
  }

  private List<NumberBindings.Binding> list(String op) {
    return kit.<NumberBindings.State>runCommand(r -> new NumberBindings.Get(op, r)).reply().bindings();
  }

  @Test
  void aBindingIsPersistedBeforeTheReplyAndARetryAddsNothing() {
    var r = bind(binding(1, "op-a"));
    assertEquals(binding(1, "op-a"), r.reply().getValue());
    assertEquals(new NumberBindings.Bound(binding(1, "op-a")), r.event());
    var again = bind(binding(1, "op-a"));
    assertTrue(again.reply().isSuccess());
    assertTrue(again.hasNoEvents());
    assertTrue(bind(new NumberBindings.Binding("bnd-1", "op-a", null, Map.of(), T0, T0.plusSeconds(5), T0))
        .reply().isError(), "same id, other contents");
    kit.restart();
    assertEquals(List.of(binding(1, "op-a")), list("op-a"));
  }

  @Test
  void onlyTheLastTwentyAreKeptAndEachOperatorSeesItsOwn() {
    for (int i = 1; i <= 25; i++) {
      bind(binding(i, i == 25 ? "op-b" : "op-a"));
    }
    kit.restart();
    List<NumberBindings.Binding> all = list(null);
    assertEquals(NumberBindings.KEEP, all.size());
    assertEquals("bnd-6", all.get(0).bindingId());
    assertEquals(19, list("op-a").size());
    assertEquals(List.of(binding(25, "op-b")), list("op-b"));
  }

  @Test
  void anEmptyWindowIsRefusedWithoutAnEvent() {
    var r = bind(new NumberBindings.Binding("bnd-x", "op-a", null, Map.of(), T0, T0, T0));
    assertTrue(r.reply().isError());
    assertTrue(r.hasNoEvents());
  }
}
