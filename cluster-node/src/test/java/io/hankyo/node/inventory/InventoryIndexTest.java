package io.hankyo.node.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.node.directory.DirectoryTestConfig;
import io.hankyo.node.inventory.InventoryIndex.Row;
import io.hankyo.node.inventory.InventoryNumber.Status;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-operator listing index of the inventory (issue 5): filters, pages, cool-down's end, recovery. */
class InventoryIndexTest {
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  private static ActorTestKit testKit;
  private EventSourcedBehaviorTestKit<InventoryIndex.Command, InventoryIndex.Event, InventoryIndex.State> kit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("InventoryIndexTest", DirectoryTestConfig.eventSourced());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void fresh() {
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), InventoryIndex.create("op-1"));
    kit.clear();
  }

  private static Row row(String e164, String range, Status st, Instant until) {
    return new Row(e164, "n" + e164, range, st, st == Status.ASSIGNED ? "shop-1" : null,
        st == Status.ASSIGNED ? "dn-1" : null, until);
  }

  private InventoryIndex.Page list(Status st, String range, String after, int limit, Instant now) {
    return kit.<InventoryIndex.Page>runCommand(r -> new InventoryIndex.ListRows(st, range, after, limit, now, r))
        .reply();
  }

  @Test
  void listsByStatusAndRangeInPagesAfterRecovery() {
    kit.<StatusReply<Done>>runCommand(r -> new InventoryIndex.Put(List.of(
        row("+81120000003", "0120", Status.AVAILABLE, null),
        row("+81120000001", "0120", Status.AVAILABLE, null),
        row("+815011112222", "050", Status.AVAILABLE, null),
        row("+81120000002", "0120", Status.ASSIGNED, null),
        row("+81120000004", "0120", Status.COOLING_DOWN, T0.plusSeconds(60))), r));
    assertTrue(kit.<StatusReply<Done>>runCommand(r -> new InventoryIndex.Put(
        List.of(row("+81120000001", "0120", Status.AVAILABLE, null)), r)).hasNoEvents(), "unchanged row: no event");
    kit.restart();
    InventoryIndex.Page first = list(Status.AVAILABLE, "0120", null, 1, T0);
    assertEquals(List.of("+81120000001"), first.rows().stream().map(Row::e164).toList());
    assertTrue(first.more());
    InventoryIndex.Page second = list(Status.AVAILABLE, "0120", "+81120000001", 1, T0);
    assertEquals(List.of("+81120000003"), second.rows().stream().map(Row::e164).toList());
    assertFalse(list(Status.AVAILABLE, "0120", "+81120000003", 1, T0).more());
    assertEquals(List.of("+81120000001", "+81120000003", "+81120000004"),
        list(Status.AVAILABLE, "0120", null, 10, T0.plusSeconds(60)).rows().stream().map(Row::e164).toList(),
        "a cool-down past its end is listed as available");
    assertEquals(5, list(null, null, null, 10, T0).rows().size());
    assertEquals(List.of("+815011112222"), list(null, "050", null, 10, T0).rows().stream().map(Row::e164).toList());
  }

  @Test
  void removeDropsARow() {
    kit.<StatusReply<Done>>runCommand(r -> new InventoryIndex.Put(
        List.of(row("+81120000001", "0120", Status.AVAILABLE, null)), r));
    kit.<Done>runCommand(r -> new InventoryIndex.Remove("+81120000001", r));
    assertEquals(0, list(null, null, null, 10, T0).rows().size());
  }

  @Test
  void aPooledRowKeepsItsPoolIdThroughSerializationAndRecovery() {
    Row pooled = new Row("+81120000009", "0120-000-009", "0120", Status.POOLED, null, null, null, "pool-9");
    kit.<StatusReply<Done>>runCommand(r -> new InventoryIndex.Put(List.of(pooled,
        row("+81120000008", "0120", Status.AVAILABLE, null)), r));
    kit.restart();
    List<Row> rows = list(null, null, null, 10, T0).rows();
    assertEquals(java.util.Arrays.asList(null, "pool-9"), rows.stream().map(Row::poolId).toList());
  }

  @Test
  void callbackNumbersMustBeAvailableInTheirOperatorsInventory() {
    InventoryNumber.State none = InventoryNumber.State.unowned();
    assertTrue(InventoryRules.refuseCallback(none, "op-1", T0).isEmpty(), "a number in no inventory is allowed");
    InventoryNumber.State avail = new InventoryNumber.State("op-1", Status.AVAILABLE, null, null, null, null);
    assertTrue(InventoryRules.refuseCallback(avail, "op-1", T0).isEmpty());
    assertEquals("is in another operator's inventory", InventoryRules.refuseCallback(avail, "op-2", T0).get());
    InventoryNumber.State pooled = new InventoryNumber.State("op-1", Status.POOLED, null, null, "pool-1", null);
    assertEquals("is pooled in pool pool-1 (DELETE the pool first)",
        InventoryRules.refuseCallback(pooled, "op-1", T0).get());
    InventoryNumber.State cooling = new InventoryNumber.State("op-1", Status.COOLING_DOWN, null, null, null,
        T0.plusSeconds(60));
    assertEquals("is cooling_down until 2026-11-01T09:01:00+09:00, not available",
        InventoryRules.refuseCallback(cooling, "op-1", T0).get());
    assertTrue(InventoryRules.refuseCallback(cooling, "op-1", T0.plusSeconds(60)).isEmpty(), "cool-down over");
    InventoryNumber.State assigned = new InventoryNumber.State("op-1", Status.ASSIGNED, "shop-1", "dn-1", null, null);
    assertEquals("is assigned to shop-1/dn-1", InventoryRules.refuseCallback(assigned, "op-1", T0).get());
  }
}
