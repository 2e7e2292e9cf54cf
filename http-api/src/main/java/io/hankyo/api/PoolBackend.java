package io.hankyo.api;

import io.hankyo.protocol.number.PhoneNumber;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The cluster side of the number pool API (issue 5, pools; see {@link PoolApi}). Kept apart from {@link ApiBackend}
 * like {@link InventoryBackend}. Failures the API user caused are {@link ApiProblem}s (404 unknown pool, 409 a number
 * that is not the operator's available inventory number).
 */
public interface PoolBackend {
  /**
   * A pool to create (checked by the API).
   *
   * @param method {@code dynamic} or {@code one_time}
   * @param numbers distinct numbers of the operator's inventory, each must be {@code available}; they become
   *     {@code pooled}
   * @param holdSec seconds a number stays with its session, 1..86400
   * @param coolDownSec seconds after a hold before the number is handed out again, 0..86400
   * @param fallback the number answered when every pool number is held
   * @param allowedOrigins web origins ({@code https://shop.example}) for the later JS tag / CORS
   * @param trackingNumber the tracking number whose route calls to the pool's numbers take (issue 5, attribution);
   *     must be one of the operator's tracking numbers (else 404). Required by the API; null only from callers
   *     that create pools without one (their numbers then route nowhere)
   */
  record NewPool(String method, List<PhoneNumber> numbers, long holdSec, long coolDownSec, PhoneNumber fallback,
      List<String> allowedOrigins, PhoneNumber trackingNumber) {
    public NewPool {
      numbers = List.copyOf(numbers);
      allowedOrigins = List.copyOf(allowedOrigins);
    }

    /** A pool without a tracking number. */
    public NewPool(String method, List<PhoneNumber> numbers, long holdSec, long coolDownSec, PhoneNumber fallback,
        List<String> allowedOrigins) {
      this(method, numbers, holdSec, coolDownSec, fallback, allowedOrigins, null);
    }
  }

  /**
   * An intermediate binding to create (中間発番, spec section 3; issue 5), checked by the API.
   *
   * @param number one of the operator's tracking numbers
   * @param sessionId the visit's session id, or null
   * @param params the visit's parameters (same limits as an assignment's)
   * @param boundAt start of the window, or null for "now"
   * @param holdSec length of the window, seconds, 1..86400
   */
  record NewBinding(PhoneNumber number, String sessionId, Map<String, String> params, Instant boundAt, long holdSec) {
    public NewBinding {
      params = Map.copyOf(params);
    }
  }

  /**
   * A stored binding.
   *
   * @param bindingId its id
   * @param e164 the tracking number, E.164
   * @param sessionId the visit's session id, or null
   * @param params the visit's parameters
   * @param boundAt start of the window
   * @param heldUntil end of the window (exclusive)
   */
  record Binding(String bindingId, String e164, String sessionId, Map<String, String> params, Instant boundAt,
      Instant heldUntil) {
    public Binding {
      params = Map.copyOf(params);
    }
  }

  /**
   * Stores an intermediate binding of the operator's tracking number, persisted before the answer; 404 when the
   * number is not a tracking number or not the operator's. Nodes without bindings answer 404.
   */
  default CompletionStage<Binding> bind(String operatorId, NewBinding binding) {
    return java.util.concurrent.CompletableFuture.failedFuture(
        ApiProblem.notFound("intermediate bindings are not available on this node"));
  }

  /** The operator's recent bindings of its tracking number {@code number}, oldest first; 404 as {@link #bind}. */
  default CompletionStage<List<Binding>> bindings(String operatorId, PhoneNumber number) {
    return java.util.concurrent.CompletableFuture.failedFuture(
        ApiProblem.notFound("intermediate bindings are not available on this node"));
  }

  /**
   * One number of a pool.
   *
   * @param e164 E.164
   * @param sessionId the session it was last handed to, or null (never)
   * @param heldUntil end of that session's hold, or null; a time in the past means free (after the cool-down)
   */
  record Member(String e164, String sessionId, Instant heldUntil) {}

  /**
   * A pool.
   *
   * @param poolId its id
   * @param method {@code dynamic} or {@code one_time}
   * @param numbers its numbers in pool order
   * @param holdSec hold, seconds
   * @param coolDownSec cool-down, seconds
   * @param fallbackE164 the fallback number, E.164
   * @param allowedOrigins as created
   * @param assignments assignments answered (fallbacks included)
   * @param fallbacks assignments answered with the fallback number
   * @param exhausted whether the last assignment fell back
   * @param trackingNumberE164 the pool's tracking number (issue 5, attribution), E.164, or null (none)
   */
  record Pool(String poolId, String method, List<Member> numbers, long holdSec, long coolDownSec,
      String fallbackE164, List<String> allowedOrigins, long assignments, long fallbacks, boolean exhausted,
      String trackingNumberE164) {
    public Pool {
      numbers = List.copyOf(numbers);
      allowedOrigins = List.copyOf(allowedOrigins);
    }

    /** A pool without a tracking number. */
    public Pool(String poolId, String method, List<Member> numbers, long holdSec, long coolDownSec,
        String fallbackE164, List<String> allowedOrigins, long assignments, long fallbacks, boolean exhausted) {
      this(poolId, method, numbers, holdSec, coolDownSec, fallbackE164, allowedOrigins, assignments, fallbacks,
          exhausted, null);
    }
  }

  /**
   * An answered assignment.
   *
   * @param e164 the number, E.164
   * @param heldUntil end of the hold (for a fallback: the time of the answer)
   * @param fallback whether it is the fallback number
   */
  record Assignment(String e164, Instant heldUntil, boolean fallback) {}

  /**
   * Creates a pool of {@code operatorId}; fails with 404 when its tracking number is not one of the operator's
   * (nothing pooled), 409 when a number is not the operator's and available.
   */
  CompletionStage<Pool> create(String operatorId, NewPool pool);

  /** The operator's pools, by id. */
  CompletionStage<List<Pool>> list(String operatorId);

  /** One pool; fails with 404 when the operator has no such pool. */
  CompletionStage<Pool> get(String operatorId, String poolId);

  /**
   * Hands a number of pool {@code poolId} to {@code sessionId}, persisted before the answer; fails with 404 when the
   * operator has no such pool, 409 when the session id was used in another pool of the operator.
   *
   * @param params the session's parameters (checked by the API: at most 50 keys, values ≤ 1 KiB, 4 KiB in all)
   */
  CompletionStage<Assignment> assign(String operatorId, String poolId, String sessionId, Map<String, String> params);
}
