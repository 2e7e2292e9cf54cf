package io.hankyo.node.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hankyo.node.pool.NumberPool.Method;
import io.hankyo.node.pool.NumberPool.Slot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The indexed assignment decision ({@link PoolAssigner#assign}, {@link PoolSlots}) against a copy of the linear scans
 * it replaced (kept here as the reference): long random sequences of assignments (repeat visits, both methods, several
 * pool sizes, holds and cool-downs, same-instant ties, time jumps forward and back, fallbacks, snapshot reloads) must
 * give the same decisions, slots, counters and counts of holds at every step.
 */
class PoolAssignerEquivalenceTest {
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  private static final String FALLBACK = "+81120999999";
  private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

  /** The old decision: linear scans of the pool (before the index). */
  private static PoolAssigner.Decision referenceAssign(NumberPool.Settings p, Map<String, Slot> slots, int nextIndex,
      String sessionId, Instant now) {
    List<String> numbers = p.numbers();
    Instant until = now.plusSeconds(p.holdSec());
    if (p.method() == Method.DYNAMIC) {
      for (int i = 0; i < numbers.size(); i++) {
        Slot slot = slots.get(numbers.get(i));
        if (slot != null && sessionId.equals(slot.sessionId()) && now.isBefore(slot.heldUntil())) {
          return new PoolAssigner.Decision(numbers.get(i), until, false, i);
        }
      }
      int best = -1;
      Instant bestReleased = null;
      for (int i = 0; i < numbers.size(); i++) {
        Slot slot = slots.get(numbers.get(i));
        if (!referenceFree(slot, p.coolDownSec(), now)) {
          continue;
        }
        Instant released = slot == null ? Instant.MIN : slot.heldUntil();
        if (best < 0 || released.isBefore(bestReleased)) {
          best = i;
          bestReleased = released;
        }
      }
      return best < 0 ? new PoolAssigner.Decision(p.fallbackE164(), now, true, -1)
          : new PoolAssigner.Decision(numbers.get(best), until, false, best);
    }
    for (int k = 0; k < numbers.size(); k++) {
      int i = (nextIndex + k) % numbers.size();
      if (referenceFree(slots.get(numbers.get(i)), p.coolDownSec(), now)) {
        return new PoolAssigner.Decision(numbers.get(i), until, false, i);
      }
    }
    return new PoolAssigner.Decision(p.fallbackE164(), now, true, -1);
  }

  private static boolean referenceFree(Slot slot, long coolDownSec, Instant now) {
    return slot == null || !now.isBefore(slot.heldUntil().plusSeconds(coolDownSec));
  }

  /** The old slot update: a plain copy of the map. */
  private static Map<String, Slot> referenceApply(Map<String, Slot> slots, PoolAssigner.Decision d, String sessionId,
      Map<String, String> params, Instant at) {
    if (d.fallback()) {
      return slots;
    }
    Slot before = slots.get(d.e164());
    Instant assignedAt = at;
    if (before != null && sessionId.equals(before.sessionId()) && at.isBefore(before.heldUntil())) {
      assignedAt = before.assignedAt();
    }
    Map<String, Slot> out = new HashMap<>(slots);
    out.put(d.e164(), new Slot(sessionId, params, d.heldUntil(), assignedAt));
    return out;
  }

  /** The old count of holds: a scan of every slot. */
  private static int referenceHeldAt(Map<String, Slot> slots, Instant at) {
    int n = 0;
    for (Slot slot : slots.values()) {
      if (slot.heldUntil().isAfter(at)) {
        n++;
      }
    }
    return n;
  }

  private static List<String> numbers(int size, boolean withDuplicate) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      out.add(String.format("+8112%07d", i));
    }
    if (withDuplicate && size > 1) {
      out.add(out.get(0));
      out.add(1, out.get(size - 1));
    }
    return out;
  }

  @Test
  void randomSequencesDecideAndCountExactlyAsTheLinearScans() throws Exception {
    Random random = new Random(20261130);
    int steps = 0;
    for (Method method : Method.values()) {
      for (int size : new int[] {1, 2, 3, 7, 40}) {
        for (long holdSec : new long[] {0, 5, 60}) {
          for (long coolDownSec : new long[] {0, 3, 30}) {
            for (int sessions : new int[] {1, 4, size * 2 + 3}) {
              steps += play(random, method, numbers(size, random.nextInt(4) == 0), holdSec, coolDownSec, sessions,
                  random.nextInt(3) == 0, 400);
            }
          }
        }
      }
    }
    assertTrue(steps > 100_000, "steps " + steps);
  }

  @Test
  void aLargePoolUnderLoadDecidesExactlyAsTheLinearScans() throws Exception {
    Random random = new Random(5);
    for (Method method : Method.values()) {
      play(random, method, numbers(300, false), 120, 20, 500, false, 6000);
    }
  }

  /** Plays {@code count} random assignments on both; returns the steps played. */
  private int play(Random random, Method method, List<String> numbers, long holdSec, long coolDownSec, int sessions,
      boolean foreignSlot, int count) throws Exception {
    NumberPool.Settings settings = new NumberPool.Settings("op-1", method, numbers, holdSec, coolDownSec, FALLBACK,
        List.of());
    Map<String, Slot> refSlots = new HashMap<>();
    if (foreignSlot) {
      // a slot of a number outside the pool (never made by the assigner): counted as held, never chosen
      refSlots.put("+81120888888", new Slot("s0", Map.of(), T0.plusSeconds(holdSec + 7), T0));
    }
    int refNext = 0;
    PoolUsage refUsage = PoolUsage.EMPTY;
    NumberPool.State state = new NumberPool.State(settings, Map.copyOf(refSlots), 0, 0, 0, false);
    Instant now = T0;
    String context = method + " " + numbers.size() + " numbers, hold " + holdSec + " s, cool-down " + coolDownSec
        + " s, " + sessions + " sessions";
    for (int step = 0; step < count; step++) {
      int move = random.nextInt(100);
      if (move < 30) {
        now = now.plusMillis(random.nextInt(1500)); // same instant (ties) or a bit later
      } else if (move < 60) {
        now = now.plusSeconds(random.nextInt((int) Math.max(2, holdSec + coolDownSec) + 1));
      } else if (move < 63) {
        now = now.plusSeconds(3600 + random.nextInt(90_000)); // a jump, maybe across Japan days
      } else if (move < 68) {
        now = now.minusSeconds(random.nextInt((int) Math.max(2, holdSec) + 2)); // a late-stamped assignment
      }
      // else: the same instant again
      String session = "s" + random.nextInt(sessions);
      Map<String, String> params = Map.of("gclid", "g" + random.nextInt(3));

      PoolAssigner.Decision expected = referenceAssign(settings, refSlots, refNext, session, now);
      PoolAssigner.Decision decided = PoolAssigner.assign(state, session, now);
      String where = context + ", step " + step + " at " + now + " for " + session;
      assertEquals(expected, decided, where);

      refSlots = referenceApply(refSlots, expected, session, params, now);
      refNext = expected.fallback() ? refNext : (expected.index() + 1) % numbers.size();
      refUsage = refUsage.record(now, expected.fallback(),
          expected.fallback() ? numbers.size() : referenceHeldAt(refSlots, now));
      state = NumberPool.applyAssigned(state, new NumberPool.Assigned(decided.e164(), decided.index(), session,
          params, decided.heldUntil(), decided.fallback(), now));

      assertEquals(refSlots, state.slots(), where);
      assertEquals(refNext, state.nextIndex(), where);
      assertEquals(refUsage, state.usage(), where);
      Instant probe = now.plusSeconds(random.nextInt((int) holdSec + 3) - 1).plusMillis(random.nextInt(3) - 1);
      assertEquals(referenceHeldAt(refSlots, now), NumberPool.heldAt(state.slots(), now), where);
      assertEquals(referenceHeldAt(refSlots, probe), NumberPool.heldAt(state.slots(), probe), where + ", " + probe);

      int reload = random.nextInt(200);
      if (reload == 0) {
        // a snapshot: the JSON has only the slots; the index is rebuilt when it is read
        state = JSON.readValue(JSON.writeValueAsString(state), NumberPool.State.class);
        assertTrue(state.slots() instanceof PoolSlots);
      } else if (reload == 1) {
        state = new NumberPool.State(state.settings(), new HashMap<>(state.slots()), state.nextIndex(),
            state.assignments(), state.fallbacks(), state.exhausted(), state.usage(), null);
      }
    }
    return count;
  }
}
