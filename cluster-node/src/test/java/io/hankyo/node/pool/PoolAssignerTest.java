package io.hankyo.node.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.node.pool.NumberPool.Method;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pool assignment decisions (issue 5, pools) without actors, with the clock as a parameter. */
class PoolAssignerTest {
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  private static final String A = "+81120000001";
  private static final String B = "+81120000002";
  private static final String C = "+81120000003";
  private static final String FALLBACK = "+81120999999";

  private NumberPool.State state;

  private void pool(Method method, long holdSec, long coolDownSec, String... numbers) {
    state = new NumberPool.State(new NumberPool.Settings("op-1", method, List.of(numbers), holdSec, coolDownSec,
        FALLBACK, List.of()), Map.of(), 0, 0, 0, false);
  }

  /** Decides and applies, as the entity does. */
  private PoolAssigner.Decision assign(String session, Instant now) {
    PoolAssigner.Decision d = PoolAssigner.assign(state, session, now);
    state = NumberPool.applyAssigned(state, new NumberPool.Assigned(d.e164(), d.index(), session,
        Map.of("gclid", "g-" + session), d.heldUntil(), d.fallback(), now));
    return d;
  }

  @Test
  void theSameSessionWithinItsHoldGetsTheSameNumberAndTheHoldIsExtended() {
    pool(Method.DYNAMIC, 600, 0, A, B, C);
    PoolAssigner.Decision first = assign("s1", T0);
    assertEquals(T0.plusSeconds(600), first.heldUntil());
    PoolAssigner.Decision again = assign("s1", T0.plusSeconds(599));
    assertEquals(first.e164(), again.e164());
    assertEquals(T0.plusSeconds(1199), again.heldUntil());
    assertEquals(T0.plusSeconds(1199), state.slots().get(first.e164()).heldUntil());
    assertEquals(Map.of("gclid", "g-s1"), state.slots().get(first.e164()).params());
    assertNotEquals(first.e164(), assign("s2", T0.plusSeconds(600)).e164());
  }

  /** Decides and applies an assignment with {@code params}. */
  private void assign(String session, Instant now, Map<String, String> params) {
    PoolAssigner.Decision d = PoolAssigner.assign(state, session, now);
    state = NumberPool.applyAssigned(state, new NumberPool.Assigned(d.e164(), d.index(), session, params,
        d.heldUntil(), d.fallback(), now));
  }

  @Test
  void aLaterViewWithoutParametersKeepsTheSessionsParametersOneWithParametersReplacesThem() {
    pool(Method.DYNAMIC, 600, 0, A);
    assign("s1", T0, Map.of("gclid", "G-1", "utm_source", "google"));
    assign("s1", T0.plusSeconds(60), Map.of());
    assertEquals(Map.of("gclid", "G-1", "utm_source", "google"), state.slots().get(A).params(),
        "a page view without parameters is no new ad visit (a trial lost the gclid of a call this way)");
    assign("s1", T0.plusSeconds(120), Map.of("yclid", "Y-2"));
    assertEquals(Map.of("yclid", "Y-2"), state.slots().get(A).params(), "a new visit's keys are never mixed");
    // a new hold (the old one ended) or a new holder starts with the parameters it brings, none here
    assign("s1", T0.plusSeconds(2000), Map.of());
    assertEquals(Map.of(), state.slots().get(A).params());
    assign("s1", T0.plusSeconds(2100), Map.of("gclid", "G-3"));
    assign("s2", T0.plusSeconds(5000), Map.of());
    assertEquals(Map.of(), state.slots().get(A).params(), "another session never inherits them");
  }

  @Test
  void aNewHolderStartsAtItsAssignmentAndAnExtensionKeepsTheStart() {
    pool(Method.DYNAMIC, 600, 0, A);
    assign("s1", T0);
    assertEquals(T0, state.slots().get(A).assignedAt());
    assign("s1", T0.plusSeconds(599));
    assertEquals(T0, state.slots().get(A).assignedAt(), "same session, hold still running: kept");
    assign("s2", T0.plusSeconds(1199));
    assertEquals("s2", state.slots().get(A).sessionId());
    assertEquals(T0.plusSeconds(1199), state.slots().get(A).assignedAt(), "a new holder starts anew");
    assign("s2", T0.plusSeconds(1700));
    assertEquals(T0.plusSeconds(1199), state.slots().get(A).assignedAt());
    // the same session again after its hold ended: a new hold, a new start
    assign("s2", T0.plusSeconds(5000));
    assertEquals(T0.plusSeconds(5000), state.slots().get(A).assignedAt());
  }

  @Test
  void anExtensionOfAHoldFromBeforeAssignedAtStaysUnknown() {
    pool(Method.DYNAMIC, 600, 0, A);
    state = new NumberPool.State(state.settings(), Map.of(A, new NumberPool.Slot("s1", Map.of(), T0.plusSeconds(600))),
        0, 1, 0, false);
    assign("s1", T0.plusSeconds(10));
    assertEquals(null, state.slots().get(A).assignedAt());
    assertEquals(T0.plusSeconds(610), state.slots().get(A).heldUntil());
  }

  @Test
  void anExpiredHoldIsNotExtendedAndTheNumberIsFreeAfterItsCoolDown() {
    pool(Method.DYNAMIC, 60, 30, A);
    assertEquals(A, assign("s1", T0).e164());
    // hold over at T0+60: s1 is no longer the holder; A is cooling down until T0+90
    PoolAssigner.Decision cooling = assign("s1", T0.plusSeconds(60));
    assertTrue(cooling.fallback());
    assertEquals(FALLBACK, cooling.e164());
    assertTrue(assign("s2", T0.plusSeconds(89)).fallback());
    PoolAssigner.Decision free = assign("s2", T0.plusSeconds(90));
    assertFalse(free.fallback());
    assertEquals(A, free.e164());
  }

  @Test
  void aFreeNumberIsTheOneReleasedLongestAgoNeverUsedFirst() {
    pool(Method.DYNAMIC, 10, 0, A, B, C);
    assertEquals(A, assign("s1", T0).e164());
    assertEquals(B, assign("s2", T0.plusSeconds(1)).e164());
    assertEquals(C, assign("s3", T0.plusSeconds(2)).e164());
    // all holds over: A released first (T0+10), then B, then C
    assertEquals(A, assign("s4", T0.plusSeconds(20)).e164());
    assertEquals(B, assign("s5", T0.plusSeconds(20)).e164());
  }

  @Test
  void aLateStampedVisitOfASessionWithTwoNumbersGetsTheFirstInPoolOrderWhoseHoldRuns() {
    pool(Method.DYNAMIC, 60, 0, A, B);
    assertEquals(A, assign("s1", T0).e164());
    // its hold over, s1 gets the never-used B; it is still the last holder of A (held until T0+60)
    assertEquals(B, assign("s1", T0.plusSeconds(70)).e164());
    // stamped before T0+60 (assignments are stamped before they reach the pool): both holds run, A comes first
    assertEquals(A, assign("s1", T0.plusSeconds(10)).e164());
    assertEquals(T0.plusSeconds(70), state.slots().get(A).heldUntil());
    assertEquals(B, assign("s1", T0.plusSeconds(100)).e164(), "A's hold is over, B's runs");
    // another session takes A: s1 no longer holds it
    assertEquals(A, assign("s2", T0.plusSeconds(200)).e164());
    assertEquals(B, assign("s1", T0.plusSeconds(30)).e164(), "A went to s2 (held to T0+260): s1 holds only B");
  }

  @Test
  void everyNumberHeldGivesTheFallbackAndCountsIt() {
    pool(Method.DYNAMIC, 600, 0, A, B);
    assign("s1", T0);
    assign("s2", T0);
    assertFalse(state.exhausted());
    PoolAssigner.Decision d = assign("s3", T0.plusSeconds(1));
    assertTrue(d.fallback());
    assertEquals(FALLBACK, d.e164());
    assertEquals(T0.plusSeconds(1), d.heldUntil());
    assertEquals(3, state.assignments());
    assertEquals(1, state.fallbacks());
    assertTrue(state.exhausted());
    // a fallback holds nothing: the two holders keep their numbers
    assertEquals("s1", state.slots().get(A).sessionId());
    assertEquals("s2", state.slots().get(B).sessionId());
    // a holder's page view keeps its number and needs no free one: still nothing free, the flag stays (a newcomer
    // saw "exhausted": false on a pool whose every number was held, after one repeat view)
    assertEquals(A, assign("s1", T0.plusSeconds(2)).e164());
    assertTrue(state.exhausted());
    // the next number handed out from the pool clears it (s2's hold is over at T0 + 600)
    assertEquals(B, assign("s4", T0.plusSeconds(601)).e164());
    assertFalse(state.exhausted());
  }

  @Test
  void oneTimeGoesRoundRobinHoldsForTheFixedTimeAndReusesAfterTheCoolDown() {
    pool(Method.ONE_TIME, 60, 30, A, B, C);
    assertEquals(A, assign("s1", T0).e164());
    PoolAssigner.Decision again = assign("s1", T0.plusSeconds(1));
    assertEquals(B, again.e164(), "one_time hands out the next number, even to the same session");
    assertEquals(C, assign("s2", T0.plusSeconds(2)).e164());
    assertTrue(assign("s3", T0.plusSeconds(3)).fallback());
    // A held until T0+60, cooling down until T0+90
    assertTrue(assign("s3", T0.plusSeconds(89)).fallback());
    assertEquals(A, assign("s3", T0.plusSeconds(90)).e164());
    assertEquals(T0.plusSeconds(150), state.slots().get(A).heldUntil(), "one_time holds for the fixed time");
    assertEquals(B, assign("s4", T0.plusSeconds(91)).e164());
    assertEquals(2, state.fallbacks());
  }
}
