package io.hankyo.node.pool;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The attribution decision of a call (issue 5, attribution; spec section 3, 中間発番): which web visit a call to a
 * pool number or a bound tracking number belongs to, as the {@code logvars.*} entries the call log gets. Plain
 * functions of the holder / the bindings and the call's arrival time; no actors.
 *
 * <ul>
 *   <li>Pool number held at the call's time ({@code assigned_at <= at < held_until}; {@code assigned_at} unknown for
 *       holds written before it existed): {@code attribution = pool}, {@code pool_id},
 *       {@code session_id} and each of the holder's parameters as its own key ({@code gclid}, {@code utm_source},
 *       {@code landing_page}, …).
 *   <li>Pool number whose hold is over, or never handed out: {@code attribution = unattributed}, {@code pool_id}, and
 *       for the last holder only {@code last_session_id} and {@code last_held_until} (Japan time, ISO-8601 with
 *       offset), never its parameters.
 *   <li>Pool number handed to its current holder after the call arrived ({@code at < assigned_at}, the number was
 *       reassigned between the call's arrival and the routing's read of the pool): {@code attribution =
 *       unattributed}, {@code pool_id}, {@code attribution_note = reassigned}; the later holder is not named.
 *   <li>Tracking number with bindings: the latest binding whose window {@code bound_at <= at < held_until} covers the
 *       call gives {@code attribution = binding}, {@code binding_id}, {@code session_id} (when the binding has one)
 *       and its parameters; none covering → {@code attribution = unattributed} with the binding that ended last
 *       before the call noted ({@code last_binding_id}, {@code last_session_id}, {@code last_held_until}).
 *   <li>A tracking number without bindings (and fallback numbers, callback numbers): no attribution at all (null).
 *       The caller passes only the bindings that count: those made for the tracking-number record that holds the
 *       number now ({@link NumberBindings.State#boundFor}), and none when the number is the fallback number of a live
 *       pool ({@link PoolUses#fallbackPools}); see {@code NumberRoutes}.
 * </ul>
 *
 * <p>Parameter keys never overwrite the call log's own keys: the API refuses {@link #isReserved reserved} keys when a
 * number is assigned or bound, and a reserved key that still reaches here (stored before the rule) is dropped.
 */
public final class Attribution {
  private Attribution() {}

  /** {@code logvars.attribution}. */
  public static final String KEY = "attribution";
  /** Attributed to the holder of a pool number. */
  public static final String POOL = "pool";
  /** Attributed to an intermediate binding. */
  public static final String BINDING = "binding";
  /** Not attributed: no hold / binding covers the call. */
  public static final String UNATTRIBUTED = "unattributed";
  /** {@code logvars.attribution_note}: why a call is unattributed when the reason is not the plain end of a hold. */
  public static final String NOTE = "attribution_note";
  /**
   * {@link #NOTE} value: the number got a new holder after the call arrived (before the routing read the pool), so
   * the call is not attributed and the new holder is not named.
   */
  public static final String REASSIGNED = "reassigned";

  /** Whether a parameter key is one of the call log's own keys ({@link io.hankyo.api.PoolApi#isReservedParam}). */
  public static boolean isReserved(String key) {
    return io.hankyo.api.PoolApi.isReservedParam(key);
  }

  /**
   * One intermediate binding as the decision needs it.
   *
   * @param bindingId its id
   * @param sessionId the visit's session id, or null
   * @param params the visit's parameters
   * @param boundAt start of the window
   * @param heldUntil end of the window (exclusive)
   */
  public record Window(String bindingId, String sessionId, Map<String, String> params, Instant boundAt,
      Instant heldUntil) {
    public Window {
      params = params == null ? Map.of() : Map.copyOf(params);
    }
  }

  /**
   * The attribution of a call to a number of pool {@code poolId}.
   *
   * @param slot the number's last holder, or null when never handed out
   * @param at the call's arrival
   * @param zone the zone of {@code last_held_until} (Japan time, {@code hankyo.http.zone})
   */
  public static Map<String, String> forPool(String poolId, NumberPool.Slot slot, Instant at, ZoneId zone) {
    Map<String, String> out = new LinkedHashMap<>();
    if (slot != null && slot.assignedAt() != null && at.isBefore(slot.assignedAt())) {
      // the number was handed to this holder after the call arrived (the routing read the pool later): the call
      // belongs to an earlier hold or to none, never to this holder; its session and params are not named
      out.put(KEY, UNATTRIBUTED);
      out.put("pool_id", poolId);
      out.put(NOTE, REASSIGNED);
      return Collections.unmodifiableMap(out);
    }
    if (slot != null && at.isBefore(slot.heldUntil())) {
      out.put(KEY, POOL);
      out.put("pool_id", poolId);
      out.put("session_id", slot.sessionId());
      putParams(out, slot.params());
      return Collections.unmodifiableMap(out);
    }
    out.put(KEY, UNATTRIBUTED);
    out.put("pool_id", poolId);
    if (slot != null) {
      out.put("last_session_id", slot.sessionId());
      out.put("last_held_until", time(slot.heldUntil(), zone));
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * The attribution of a call to a tracking number with {@code bindings}.
   *
   * @param bindings the number's recent bindings (any order)
   * @param at the call's arrival
   * @param zone the zone of {@code last_held_until}
   * @return null when there is no binding (the call is not attributed at all)
   */
  public static Map<String, String> forBindings(List<Window> bindings, Instant at, ZoneId zone) {
    if (bindings.isEmpty()) {
      return null;
    }
    Window covering = null;
    Window last = null;
    for (Window w : bindings) {
      if (w.boundAt().isAfter(at)) {
        continue;
      }
      if (at.isBefore(w.heldUntil())) {
        if (covering == null || w.boundAt().isAfter(covering.boundAt())) {
          covering = w;
        }
      } else if (last == null || w.heldUntil().isAfter(last.heldUntil())) {
        last = w;
      }
    }
    Map<String, String> out = new LinkedHashMap<>();
    if (covering != null) {
      out.put(KEY, BINDING);
      out.put("binding_id", covering.bindingId());
      if (covering.sessionId() != null) {
        out.put("session_id", covering.sessionId());
      }
      putParams(out, covering.params());
      return Collections.unmodifiableMap(out);
    }
    out.put(KEY, UNATTRIBUTED);
    if (last != null) {
      out.put("last_binding_id", last.bindingId());
      if (last.sessionId() != null) {
        out.put("last_session_id", last.sessionId());
      }
      out.put("last_held_until", time(last.heldUntil(), zone));
    }
    return Collections.unmodifiableMap(out);
  }

  private static void putParams(Map<String, String> out, Map<String, String> params) {
    params.forEach((k, v) -> {
      if (!isReserved(k)) {
        out.put(k, v);
      }
    });
  }

  /** ISO-8601 with the zone's offset, seconds ({@code 2026-11-30T09:30:00+09:00}), like the API's times. */
  static String time(Instant t, ZoneId zone) {
    return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t.truncatedTo(ChronoUnit.SECONDS).atZone(zone));
  }
}
