package io.hankyo.node.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The attribution decision (issue 5): pool holds, bindings, expiry, reserved keys. */
class AttributionTest {
  private static final ZoneId JST = ZoneId.of("Asia/Tokyo");
  private static final Instant T0 = Instant.parse("2026-11-30T00:00:00Z");
  private static final Map<String, String> PARAMS = params("gclid", "g-1", "utm_source", "google",
      "landing_page", "https://shop.example/lp", "referrer", "https://www.google.com/", "member_id", "m-7",
      "x_any", "v");

  private static Map<String, String> params(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void aCallWhileTheNumberIsHeldGetsTheHoldersSessionAndParameters() {
    var slot = new NumberPool.Slot("s-1", PARAMS, T0.plusSeconds(600));
    Map<String, String> expected = new LinkedHashMap<>(params("attribution", "pool", "pool_id", "pool-1",
        "session_id", "s-1"));
    expected.putAll(PARAMS);
    assertEquals(expected, Attribution.forPool("pool-1", slot, T0, JST));
    assertEquals(expected, Attribution.forPool("pool-1", slot, T0.plusSeconds(599), JST));
  }

  @Test
  void aCallAfterTheHoldIsUnattributedWithTheLastHolderButNeverItsParameters() {
    var slot = new NumberPool.Slot("s-1", PARAMS, T0.plusSeconds(600));
    assertEquals(params("attribution", "unattributed", "pool_id", "pool-1", "last_session_id", "s-1",
        "last_held_until", "2026-11-30T09:10:00+09:00"), Attribution.forPool("pool-1", slot, T0.plusSeconds(600), JST));
  }

  @Test
  void aCallBeforeTheHolderGotTheNumberIsUnattributedAndDoesNotNameThatHolder() {
    // the call arrived at T0; the number was handed to s-2 at T0+1 (before the routing read the pool)
    var later = new NumberPool.Slot("s-2", PARAMS, T0.plusSeconds(601), T0.plusSeconds(1));
    assertEquals(params("attribution", "unattributed", "pool_id", "pool-1", "attribution_note", "reassigned"),
        Attribution.forPool("pool-1", later, T0, JST));
    // from the moment it got the number on, the call is the new holder's
    assertEquals("pool", Attribution.forPool("pool-1", later, T0.plusSeconds(1), JST).get("attribution"));
    assertEquals("s-2", Attribution.forPool("pool-1", later, T0.plusSeconds(1), JST).get("session_id"));
  }

  @Test
  void aHoldWithoutAKnownStartIsAttributedAsBefore() {
    var legacy = new NumberPool.Slot("s-1", Map.of(), T0.plusSeconds(600), null);
    assertEquals(params("attribution", "pool", "pool_id", "pool-1", "session_id", "s-1"),
        Attribution.forPool("pool-1", legacy, T0.minusSeconds(3600), JST));
  }

  @Test
  void aCallToANeverHeldNumberIsUnattributedWithoutALastHolder() {
    assertEquals(params("attribution", "unattributed", "pool_id", "pool-1"),
        Attribution.forPool("pool-1", null, T0, JST));
  }

  @Test
  void reservedKeysStoredBeforeTheRuleNeverReachTheLog() {
    var slot = new NumberPool.Slot("s-1", params("gclid", "g", "valid_res", "fake", "nfy_email", "true",
        "session_id", "other"), T0.plusSeconds(60));
    assertEquals(params("attribution", "pool", "pool_id", "pool-1", "session_id", "s-1", "gclid", "g"),
        Attribution.forPool("pool-1", slot, T0, JST));
  }

  @Test
  void noBindingsMeansNoAttributionAtAll() {
    assertNull(Attribution.forBindings(List.of(), T0, JST));
  }

  @Test
  void theLatestCoveringBindingWins() {
    var early = new Attribution.Window("bnd-1", "s-1", params("gclid", "old"), T0.minusSeconds(100),
        T0.plusSeconds(500));
    var late = new Attribution.Window("bnd-2", null, params("gclid", "new"), T0.minusSeconds(10), T0.plusSeconds(50));
    var future = new Attribution.Window("bnd-3", "s-3", params("gclid", "future"), T0.plusSeconds(10),
        T0.plusSeconds(90));
    assertEquals(params("attribution", "binding", "binding_id", "bnd-2", "gclid", "new"),
        Attribution.forBindings(List.of(late, early, future), T0, JST));
    assertEquals(params("attribution", "binding", "binding_id", "bnd-3", "session_id", "s-3", "gclid", "future"),
        Attribution.forBindings(List.of(late, early, future), T0.plusSeconds(60), JST));
    assertEquals(params("attribution", "binding", "binding_id", "bnd-1", "session_id", "s-1", "gclid", "old"),
        Attribution.forBindings(List.of(late, early, future), T0.plusSeconds(95), JST));
  }

  @Test
  void afterEveryWindowTheCallIsUnattributedWithTheBindingThatEndedLast() {
    var a = new Attribution.Window("bnd-1", "s-1", PARAMS, T0, T0.plusSeconds(60));
    var b = new Attribution.Window("bnd-2", null, PARAMS, T0.plusSeconds(10), T0.plusSeconds(30));
    assertEquals(params("attribution", "unattributed", "last_binding_id", "bnd-1", "last_session_id", "s-1",
        "last_held_until", "2026-11-30T09:01:00+09:00"), Attribution.forBindings(List.of(a, b), T0.plusSeconds(60), JST));
    assertEquals(params("attribution", "unattributed", "last_binding_id", "bnd-2",
        "last_held_until", "2026-11-30T09:00:30+09:00"), Attribution.forBindings(List.of(b), T0.plusSeconds(31), JST));
    assertEquals(params("attribution", "unattributed"), Attribution.forBindings(List.of(b), T0, JST),
        "a binding that starts later says nothing about this call");
  }
}
