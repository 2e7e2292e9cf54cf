package io.hankyo.node.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pure part of {@link PoolUses}: which numbers a pool uses, and the 409 text (issue 5). */
class PoolUsesTest {
  private static final NumberPool.Settings SETTINGS = new NumberPool.Settings("op-1", NumberPool.Method.DYNAMIC,
      List.of("+81120000001"), 600, 0, "+81120333445", List.of(), "+81120333444", "shop-2", "main");

  private static NumberPool.State live() {
    return new NumberPool.State(SETTINGS, Map.of(), 0, 0, 0, false);
  }

  @Test
  void trackingAndFallbackNumbersOfALivePoolAreUses() {
    assertEquals(List.of(new PoolUses.Use("p-1", "+81120333444", "tracking_number")),
        PoolUses.uses("p-1", live(), Set.of("+81120333444", "+81120999999")));
    assertEquals(List.of(new PoolUses.Use("p-1", "+81120333444", "tracking_number"),
        new PoolUses.Use("p-1", "+81120333445", "fallback_number")),
        PoolUses.uses("p-1", live(), Set.of("+81120333444", "+81120333445")));
    assertEquals(List.of(), PoolUses.uses("p-1", live(), Set.of("+81120000001")), "a pool number is no use");
  }

  @Test
  void deletedAndUncreatedPoolsUseNothing() {
    NumberPool.State s = live();
    NumberPool.State deleted = new NumberPool.State(s.settings(), s.slots(), 0, 0, 0, false, PoolUsage.EMPTY,
        Instant.parse("2026-11-30T00:00:00Z"));
    assertEquals(List.of(), PoolUses.uses("p-1", deleted, Set.of("+81120333444")));
    assertEquals(List.of(), PoolUses.uses("p-1",
        new NumberPool.State(null, Map.of(), 0, 0, 0, false), Set.of("+81120333444")));
  }

  @Test
  void theRefusalNamesEachUseAndThePoolsToDeleteFirst() {
    assertEquals("advertiser shop-2 cannot be deleted: 0120-333-444 is the tracking_number of pool p-1; "
            + "0120-333-445 is the fallback_number of pool p-2; delete pools p-1, p-2 first "
            + "(DELETE /v1/pools/{pool_id}); nothing was deleted",
        PoolUses.refusal("advertiser shop-2", List.of(new PoolUses.Use("p-1", "+81120333444", "tracking_number"),
            new PoolUses.Use("p-2", "+81120333445", "fallback_number"))));
  }

  @Test
  void aBindingOfAFallbackNumberIsRefusedNamingThePools() {
    List<PoolUses.Use> uses = List.of(new PoolUses.Use("p-1", "+81120999999", "fallback_number"),
        new PoolUses.Use("p-2", "+81120999999", "tracking_number"),
        new PoolUses.Use("p-3", "+81120999999", "fallback_number"));
    assertEquals(List.of("p-1", "p-3"), PoolUses.fallbackPools(uses));
    assertEquals(List.of(), PoolUses.fallbackPools(List.of(uses.get(1))), "a tracking_number is no fallback");
    assertEquals("0120-999-999 is the fallback_number of pools p-1, p-3: every visitor who finds those pools "
        + "exhausted is shown it, so its calls are not attributed to one visit; bind another tracking number, or give "
        + "the pools another fallback number; nothing was bound",
        PoolUses.bindingRefusal("0120-999-999", List.of("p-1", "p-3")));
    assertEquals("0120-999-999 is the fallback_number of pool p-1: every visitor who finds that pool exhausted is "
        + "shown it, so its calls are not attributed to one visit; bind another tracking number, or give the pool "
        + "another fallback number; nothing was bound", PoolUses.bindingRefusal("0120-999-999", List.of("p-1")));
  }
}
