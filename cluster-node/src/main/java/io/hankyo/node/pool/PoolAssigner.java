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

  /** The decision for {@code sessionId} at {@code now} in pool state {@code s} (which must be created). */
  public static Decision assign(State s, String sessionId, Instant now) {
    List<String> numbers = s.numbers();
    Instant until = now.plusSeconds(s.holdSec());
    if (s.method() == Method.DYNAMIC) {
      for (int i = 0; i < numbers.size(); i++) {
        Slot slot = s.slots().get(numbers.get(i));
        if (slot != null && sessionId.equals(slot.sessionId()) && now.isBefore(slot.heldUntil())) {
          return new Decision(numbers.get(i), until, false, i);
        }
      }
      int best = -1;
      Instant bestReleased = null;
      for (int i = 0; i < numbers.size(); i++) {
        Slot slot = s.slots().get(numbers.get(i));
        if (!free(slot, s.coolDownSec(), now)) {
          continue;
        }
        Instant released = slot == null ? Instant.MIN : slot.heldUntil();
        if (best < 0 || released.isBefore(bestReleased)) {
          best = i;
          bestReleased = released;
        }
      }
      return best < 0 ? new Decision(s.fallbackE164(), now, true, -1) : new Decision(numbers.get(best), until, false,
          best);
    }
    for (int k = 0; k < numbers.size(); k++) {
      int i = (s.nextIndex() + k) % numbers.size();
      if (free(s.slots().get(numbers.get(i)), s.coolDownSec(), now)) {
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
   * keeps its {@code assigned_at} (null stays null: unknown for slots from before the field). {@code at} null (an
   * event without time) leaves {@code assigned_at} unknown.
   */
  static Map<String, Slot> apply(Map<String, Slot> slots, Decision d, String sessionId, Map<String, String> params,
      Instant at) {
    if (d.fallback()) {
      return slots;
    }
    Slot before = slots.get(d.e164());
    Instant assignedAt = at;
    if (before != null && sessionId.equals(before.sessionId()) && at != null && at.isBefore(before.heldUntil())) {
      assignedAt = before.assignedAt();
    }
    return PoolSlots.of(slots).with(d.e164(), new Slot(sessionId, params, d.heldUntil(), assignedAt));
  }
}
