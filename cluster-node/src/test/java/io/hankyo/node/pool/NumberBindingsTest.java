package io.hankyo.node.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.node.directory.DirectoryTestConfig;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The intermediate bindings of a number (issue 5): persisted, kept to the last 20, per operator, recovered; each
 * counts only for the tracking-number record it was bound for.
 */
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
    return NumberBindings.Binding.of("bnd-" + i, new NumberBindings.Owner(op, "shop-1", "main", T0),
        i % 2 == 0 ? "s-" + i : null, Map.of("gclid", "g-" + i), T0.plusSeconds(i), T0.plusSeconds(i + 600), T0);
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
    assertTrue(bind(new NumberBindings.Binding("bnd-1", "op-a", null, Map.of(), T0, T0.plusSeconds(5), T0, null,
        null, null)).reply().isError(), "same id, other contents");
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
    var r = bind(new NumberBindings.Binding("bnd-x", "op-a", null, Map.of(), T0, T0, T0, null, null, null));
    assertTrue(r.reply().isError());
    assertTrue(r.hasNoEvents());
  }

  @Test
  void aBindingCountsOnlyForTheTrackingNumberRecordItWasBoundFor() {
    NumberBindings.Owner shop1 = new NumberBindings.Owner("op-a", "shop-1", "main", T0);
    NumberBindings.Binding b = NumberBindings.Binding.of("bnd-1", shop1, "s-1", Map.of("gclid", "g"), T0,
        T0.plusSeconds(600), T0.plusSeconds(1));
    assertTrue(b.boundFor(shop1));
    assertFalse(b.boundFor(new NumberBindings.Owner("op-a", "shop-2", "main", T0.plusSeconds(5))),
        "the number deleted and created again for another advertiser");
    assertFalse(b.boundFor(new NumberBindings.Owner("op-a", "shop-1", "main", T0.plusSeconds(5))),
        "the same advertiser and dialin_id, but a new record of the number");
    assertFalse(b.boundFor(new NumberBindings.Owner("op-a", "shop-1", "other", T0)));
    assertFalse(b.boundFor(new NumberBindings.Owner("op-b", "shop-1", "main", T0)));
    NumberBindings.State s = new NumberBindings.State(List.of(b));
    assertEquals(List.of(b), s.boundFor(shop1).bindings());
    assertEquals(List.of(), s.boundFor(new NumberBindings.Owner("op-a", "shop-2", "main", T0.plusSeconds(5)))
        .bindings());
  }

  @Test
  void aBindingStoredBeforeTheOwnerWasRecordedCountsOnlyWhenStoredWhileTheCurrentRecordHeldTheNumber() {
    NumberBindings.Binding legacy = new NumberBindings.Binding("bnd-1", "op-a", "s-1", Map.of(), T0,
        T0.plusSeconds(600), T0.plusSeconds(10), null, null, null);
    assertTrue(legacy.boundFor(new NumberBindings.Owner("op-a", "shop-1", "main", T0)), "stored after the record");
    assertTrue(legacy.boundFor(new NumberBindings.Owner("op-a", "shop-1", "main", T0.plusSeconds(10))), "same time");
    assertFalse(legacy.boundFor(new NumberBindings.Owner("op-a", "shop-2", "main", T0.plusSeconds(11))),
        "stored before the current record existed: an earlier record's");
    assertFalse(legacy.boundFor(new NumberBindings.Owner("op-a", "shop-1", "main", null)), "record time unknown");
    assertFalse(legacy.boundFor(new NumberBindings.Owner("op-b", "shop-1", "main", T0)));
  }

  @Test
  void anEventStoredBeforeTheOwnerWasRecordedStillReadsAndTheOwnerIsWritten() {
    Serialization ser = SerializationExtension.get(testKit.system());
    NumberBindings.Bound now = new NumberBindings.Bound(binding(2, "op-a"));
    Serializer serializer = ser.findSerializerFor(now);
    String manifest = Serializers.manifestFor(serializer, now);
    String json = new String(ser.serialize(now).get(), StandardCharsets.UTF_8);
    assertTrue(json.contains("\"client_id\":\"shop-1\"") && json.contains("\"dialin_id\":\"main\"")
        && json.contains("\"number_created_at\""), json);
    String old = "{\"binding\":{\"binding_id\":\"bnd-9\",\"operator_id\":\"op-a\",\"params\":{\"gclid\":\"g\"},"
        + "\"bound_at\":\"2026-11-30T00:00:00Z\",\"held_until\":\"2026-11-30T00:10:00Z\","
        + "\"created_at\":\"2026-11-30T00:00:00Z\"}}";
    Object read = ser.deserialize(old.getBytes(StandardCharsets.UTF_8), serializer.identifier(), manifest).get();
    assertEquals(new NumberBindings.Bound(new NumberBindings.Binding("bnd-9", "op-a", null, Map.of("gclid", "g"), T0,
        T0.plusSeconds(600), T0, null, null, null)), read);
  }
}
