package io.hankyo.node.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.node.directory.DirectoryTestConfig;
import io.hankyo.node.inventory.InventoryNumber.ImportOutcome;
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

/** One inventory number (issue 5): one owner, at most one static assignment, cool-down, release, recovery. */
class InventoryNumberTest {
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  private static ActorTestKit testKit;
  private EventSourcedBehaviorTestKit<InventoryNumber.Command, InventoryNumber.Event, InventoryNumber.State> kit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("InventoryNumberTest", DirectoryTestConfig.eventSourced());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void fresh() {
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), InventoryNumber.create("+81120123456"));
    kit.clear();
  }

  private StatusReply<ImportOutcome> importBy(String op) {
    StatusReply<InventoryNumber.ImportResult> r =
        kit.<StatusReply<InventoryNumber.ImportResult>>runCommand(x -> new InventoryNumber.Import(op, x)).reply();
    return r.isError() ? StatusReply.error(r.getError()) : StatusReply.success(r.getValue().outcome());
  }

  private StatusReply<Done> assign(String op, String client, String dialin, Instant now) {
    return kit.<StatusReply<Done>>runCommand(r -> new InventoryNumber.Assign(op, client, dialin, now, r)).reply();
  }

  private InventoryNumber.State state() {
    return kit.<InventoryNumber.State>runCommand(InventoryNumber.Get::new).reply();
  }

  @Test
  void aNumberBelongsToOneOperatorAndIsNeverMoved() {
    assertEquals(ImportOutcome.IMPORTED, importBy("op-1").getValue());
    assertEquals(ImportOutcome.ALREADY_OWNED, importBy("op-1").getValue());
    StatusReply<ImportOutcome> other = importBy("op-2");
    assertTrue(other.isError());
    assertEquals("is in another operator's inventory", other.getError().getMessage());
    assertEquals("op-1", state().owner());
    assertEquals(Status.AVAILABLE, state().status());
    assertEquals(1, kit.persistenceTestKit().persistedInStorage("InventoryNumber|+81120123456").size(), "only the first import is an event");
  }

  @Test
  void aNumberIsAssignedToOneAdvertiserAtATimeAndOnlyByItsOwner() {
    assertTrue(assign("op-1", "shop-1", "dn-1", T0).isError(), "not in any inventory");
    importBy("op-1");
    assertEquals("is in another operator's inventory", assign("op-2", "shop-9", "dn-9", T0).getError().getMessage());
    assertTrue(assign("op-1", "shop-1", "dn-1", T0).isSuccess());
    assertTrue(kit.<StatusReply<Done>>runCommand(r -> new InventoryNumber.Assign("op-1", "shop-1", "dn-1", T0, r))
        .hasNoEvents(), "assigning again to the same record is idempotent");
    assertEquals("is already assigned to shop-1/dn-1", assign("op-1", "shop-2", "dn-2", T0).getError().getMessage());
    kit.restart();
    InventoryNumber.State s = state();
    assertEquals(Status.ASSIGNED, s.status());
    assertEquals("shop-1", s.clientId());
    assertEquals("dn-1", s.dialinId());
  }

  @Test
  void unassigningCoolsDownThenTheNumberIsAvailableAgain() {
    importBy("op-1");
    assign("op-1", "shop-1", "dn-1", T0);
    Instant until = T0.plusSeconds(3600);
    // another record's unassign is a no-op
    assertTrue(kit.<StatusReply<Done>>runCommand(r -> new InventoryNumber.Unassign("op-1", "shop-2", "dn-2", until, r))
        .hasNoEvents());
    kit.<StatusReply<Done>>runCommand(r -> new InventoryNumber.Unassign("op-1", "shop-1", "dn-1", until, r));
    assertEquals(Status.COOLING_DOWN, state().status());
    assertEquals(until, state().until());
    StatusReply<Done> early = assign("op-1", "shop-2", "dn-2", T0.plusSeconds(60));
    assertEquals("is cooling_down until " + InventoryRules.japanTime(until) + ", not available",
        early.getError().getMessage());
    assertTrue(InventoryRules.japanTime(until).endsWith("+09:00"), InventoryRules.japanTime(until));
    assertEquals(Status.AVAILABLE, state().effective(until));
    assertTrue(assign("op-1", "shop-2", "dn-2", until).isSuccess());
    assertEquals("shop-2", state().clientId());
  }

  @Test
  void unassigningWithoutCoolDownMakesTheNumberAvailableAtOnce() {
    importBy("op-1");
    assign("op-1", "shop-1", "dn-1", T0);
    kit.<StatusReply<Done>>runCommand(r -> new InventoryNumber.Unassign("op-1", "shop-1", "dn-1", null, r));
    assertEquals(Status.AVAILABLE, state().status());
    assertNull(state().until());
  }

  @Test
  void aReleasedNumberHasNoOwnerAndMayBeImportedByAnotherOperator() {
    importBy("op-1");
    assign("op-1", "shop-1", "dn-1", T0);
    StatusReply<Done> busy = kit.<StatusReply<Done>>runCommand(r -> new InventoryNumber.Release("op-1", T0, r))
        .reply();
    assertEquals("is assigned; end that first", busy.getError().getMessage());
    kit.<StatusReply<Done>>runCommand(r -> new InventoryNumber.Unassign("op-1", "shop-1", "dn-1", null, r));
    assertTrue(kit.<StatusReply<Done>>runCommand(r -> new InventoryNumber.Release("op-2", T0, r)).reply().isError());
    assertTrue(kit.<StatusReply<Done>>runCommand(r -> new InventoryNumber.Release("op-1", T0, r)).reply().isSuccess());
    kit.restart();
    assertNull(state().owner());
    assertEquals(ImportOutcome.IMPORTED, importBy("op-2").getValue());
    assertEquals(List.of(InventoryNumber.Imported.class, InventoryNumber.Assigned.class,
            InventoryNumber.Unassigned.class, InventoryNumber.Released.class, InventoryNumber.Imported.class),
        kit.persistenceTestKit().persistedInStorage("InventoryNumber|+81120123456").stream().map(Object::getClass).toList());
  }

  private StatusReply<Done> pool(String op, String poolId) {
    return kit.<StatusReply<Done>>runCommand(r -> new InventoryNumber.Pool(op, poolId, T0, r)).reply();
  }

  @Test
  void onlyTheOwnersAvailableNumberIsPooledInOnePoolAtATime() {
    assertEquals("is not in any operator's inventory", pool("op-1", "pool-1").getError().getMessage());
    importBy("op-1");
    assertEquals("is in another operator's inventory", pool("op-2", "pool-1").getError().getMessage());
    assertTrue(pool("op-1", "pool-1").isSuccess());
    assertTrue(pool("op-1", "pool-1").isSuccess(), "pooling again into the same pool is idempotent");
    assertEquals("is already in pool pool-1", pool("op-1", "pool-2").getError().getMessage());
    assertTrue(assign("op-1", "shop-1", "dn-1", T0).isError(), "a pooled number is no static number");
    assertEquals("is pooled; end that first", kit.<StatusReply<Done>>runCommand(
        r -> new InventoryNumber.Release("op-1", T0, r)).reply().getError().getMessage());
    kit.restart();
    assertEquals(Status.POOLED, state().status());
    assertEquals("pool-1", state().poolId());
    kit.<StatusReply<Done>>runCommand(r -> new InventoryNumber.Unpool("op-1", "pool-2", r));
    assertEquals(Status.POOLED, state().status(), "unpooling from another pool is a no-op");
    kit.<StatusReply<Done>>runCommand(r -> new InventoryNumber.Unpool("op-1", "pool-1", r));
    assertEquals(Status.AVAILABLE, state().status());
    assertNull(state().poolId());
  }

  @Test
  void aNumberLeavingADeletedPoolCoolsDownUntilTheGivenTimeThenIsAvailable() {
    importBy("op-1");
    assertTrue(pool("op-1", "pool-1").isSuccess());
    Instant until = T0.plusSeconds(3600);
    var r = kit.<StatusReply<Done>>runCommand(x -> new InventoryNumber.Unpool("op-1", "pool-1", x, until));
    assertEquals(new InventoryNumber.Unpooled(until), r.event());
    kit.restart();
    assertEquals(Status.COOLING_DOWN, state().status());
    assertEquals(until, state().until());
    assertEquals(Status.COOLING_DOWN, state().effective(until.minusSeconds(1)));
    assertEquals(Status.AVAILABLE, state().effective(until));
    assertEquals("pool-1", state().lastPoolId(), "the pool it left is kept while it cools down (calls still routed)");
    assertEquals(java.util.Optional.of("pool-1"), state().coolingDownFromPool(until.minusSeconds(1)));
    assertEquals(java.util.Optional.empty(), state().coolingDownFromPool(until), "available again: no pool");
    assertEquals("is cooling_down until " + InventoryRules.japanTime(until) + ", not available",
        kit.<StatusReply<Done>>runCommand(x -> new InventoryNumber.Pool("op-1", "pool-2", T0, x)).reply().getError()
            .getMessage(), "not pooled again while cooling down");
    assertTrue(kit.<StatusReply<Done>>runCommand(x -> new InventoryNumber.Pool("op-1", "pool-2", until, x)).reply()
        .isSuccess(), "pooled again after the cool-down");
    assertEquals(null, state().lastPoolId(), "pooled again: the old pool is forgotten");
  }

  @Test
  void aNumberLeavingAPoolAtOnceKeepsNoPoolAndOldStatesReadWithoutOne() throws Exception {
    importBy("op-1");
    assertTrue(pool("op-1", "pool-1").isSuccess());
    kit.<StatusReply<Done>>runCommand(x -> new InventoryNumber.Unpool("op-1", "pool-1", x));
    assertEquals(null, state().lastPoolId());
    assertEquals(java.util.Optional.empty(), state().coolingDownFromPool(T0));
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper()
        .findAndRegisterModules();
    InventoryNumber.State old = json.readValue("{\"owner\":\"op-1\",\"status\":\"COOLING_DOWN\","
        + "\"until\":\"2026-12-01T00:00:00Z\"}", InventoryNumber.State.class);
    assertEquals(null, old.lastPoolId(), "a state written before the field");
    assertEquals(java.util.Optional.empty(), old.coolingDownFromPool(T0));
  }
}
