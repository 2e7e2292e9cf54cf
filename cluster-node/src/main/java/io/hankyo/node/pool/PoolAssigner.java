package io.hankyo.node.pool;

import io.hankyo.node.pool.NumberPool.Method;
import io.hankyo.node.pool.NumberPool.Slot;
import io.hankyo.node.pool.NumberPool.State;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The assignment decision of a {@link NumberPool} as a plain function of its state and "now" (issue 5, pools):
 *
 * <ul>
 *   <li>{@code dynamic}: a session still inside its hold ({@code now < held_until}) gets the SAME number again and
 *       its hold is extended to {@code now + hold_sec}; otherwise the free number (not held and past its cool-down,
 *       i.e. {@code now >= held_until + cool_down_sec}) released longest ago (never-used numbers first, then by
 *       {@code held_until}, ties in pool order); when none is free, the fallback number with {@code fallback = true}.
 *   <li>{@code one_time}: round-robin from the number after the last one handed out; the first free number is held
 *       for {@code hold_sec} (never extended, the session id is only recorded), then cools down, then is reused;
 *       none free → fallback.
 * </ul>
 */
public final class PoolAssigner {
  private PoolAssigner() {}

  /**
   * What one assignment gives.
   *
   * @param e164 the number handed out (the fallback number when {@code fallback})
   * @param heldUntil end of the hold; for a fallback {@code now} (a fallback is not held)
   * @param fallback whether every number was held or cooling down
   * @param index position of the number in the pool, -1 for a fallback
   */
  public record Decision(String e164, Instant heldUntil, boolean fallback, int index) {}

  /**
   * The decision for {@code sessionId} at {@code now} in pool state {@code s} (which must be created, its slots
   * indexed: {@link PoolSlots#of(Map, NumberPool.Settings)}, as the {@link State} constructor does). O(log n) in the
   * pool size n for {@code dynamic}; for {@code one_time} O(1) when none is free (the earliest release is still cooling
   * down), else the round-robin search (normally the first number it looks at).
   */
  public static Decision assign(State s, String sessionId, Instant now) {
    List<String> numbers = s.numbers();
    PoolSlots slots = (PoolSlots) s.slots();
    Instant until = now.plusSeconds(s.holdSec());
    if (s.method() == Method.DYNAMIC) {
      int held = slots.heldBy(sessionId, now);
      if (held >= 0) {
        return new Decision(numbers.get(held), until, false, held);
      }
      // never-used numbers first (pool order); else the hold that ended first, free once its cool-down is over:
      // when that one is not free, no other is
      int unused = slots.firstUnused();
      if (unused >= 0) {
        return new Decision(numbers.get(unused), until, false, unused);
      }
      int oldest = slots.earliestRelease();
      if (oldest >= 0 && free(slots.get(numbers.get(oldest)), s.coolDownSec(), now)) {
        return new Decision(numbers.get(oldest), until, false, oldest);
      }
      return new Decision(s.fallbackE164(), now, true, -1);
    }
    if (slots.firstUnused() < 0) {
      int oldest = slots.earliestRelease();
      if (oldest < 0 || !free(slots.get(numbers.get(oldest)), s.coolDownSec(), now)) {
        return new Decision(s.fallbackE164(), now, true, -1);
      }
    }
    for (int k = 0; k < numbers.size(); k++) {
      int i = (s.nextIndex() + k) % numbers.size();
      if (free(slots.get(numbers.get(i)), s.coolDownSec(), now)) {
        return new Decision(numbers.get(i), until, false, i);
      }
    }
    return new Decision(s.fallbackE164(), now, true, -1);
  }

  /** Whether a number with {@code slot} (null: never used) may be handed out at {@code now}. */
  public static boolean free(Slot slot, long coolDownSec, Instant now) {
    return slot == null || !now.isBefore(slot.heldUntil().plusSeconds(coolDownSec));
  }

  /**
   * The slots of {@code s} after {@code d} decided at {@code at}: the number's holder becomes {@code sessionId}, with
   * {@code assigned_at} = {@code at} for a new holder; the same session extending a hold that still ran at {@code at}
   * keeps its {@code assigned_at} (null stays null: unknown for slots from before the field) and, when {@code params}
   * is empty, the parameters it had (a later page view without tracking parameters is not a new ad visit: the
   * "last non-direct click" rule of web analytics; a view with parameters replaces them all, so one visit's keys are
   * never mixed with another's). {@code at} null (an event without time) leaves {@code assigned_at} unknown. The index
   * of {@code slots} follows ({@link PoolSlots#with}).
   */
  static PoolSlots apply(PoolSlots slots, Decision d, String sessionId, Map<String, String> params, Instant at) {
    if (d.fallback()) {
      return slots;
    }
    Slot before = slots.get(d.e164());
    Instant assignedAt = at;
    Map<String, String> kept = params;
    if (before != null && sessionId.equals(before.sessionId()) && at != null && at.isBefore(before.heldUntil())) {
      assignedAt = before.assignedAt();
      if (params == null || params.isEmpty()) {
        kept = before.params();
      }
    }
    return slots.with(d.e164(), new Slot(sessionId, kept, d.heldUntil(), assignedAt));
  }
}
