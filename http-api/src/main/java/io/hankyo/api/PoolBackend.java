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
   * @param allowedOrigins web origins ({@code https://shop.example}) whose pages may use the JS tag ({@link DniApi}),
   *     normalised (lower-case, no trailing slash, no repeats)
   * @param trackingNumber the tracking number whose route calls to the pool's numbers take (issue 5, attribution);
   *     must be one of the operator's tracking numbers (else 404). Required by the API; null only from callers
   *     that create pools without one (their numbers then route nowhere)
   * @param poolId the client's pool id ({@code pool_id}, 1..128 of {@code A-Z a-z 0-9 . _ : -}) so that a retry
   *     finds the same pool, or null (the backend picks one)
   */
  record NewPool(String method, List<PhoneNumber> numbers, long holdSec, long coolDownSec, PhoneNumber fallback,
      List<String> allowedOrigins, PhoneNumber trackingNumber, String poolId) {
    public NewPool {
      numbers = List.copyOf(numbers);
      allowedOrigins = List.copyOf(allowedOrigins);
    }

    /** A pool without a client pool id. */
    public NewPool(String method, List<PhoneNumber> numbers, long holdSec, long coolDownSec, PhoneNumber fallback,
        List<String> allowedOrigins, PhoneNumber trackingNumber) {
      this(method, numbers, holdSec, coolDownSec, fallback, allowedOrigins, trackingNumber, null);
    }

    /** A pool without a tracking number or client pool id. */
    public NewPool(String method, List<PhoneNumber> numbers, long holdSec, long coolDownSec, PhoneNumber fallback,
        List<String> allowedOrigins) {
      this(method, numbers, holdSec, coolDownSec, fallback, allowedOrigins, null, null);
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
   * Stores an intermediate binding of the operator's tracking number, persisted before the answer, for the
   * tracking-number record that holds the number now (it attributes calls only while that record holds it); 404 when
   * the number is not a tracking number or not the operator's; 409 naming the pools when it is the {@code
   * fallback_number} of live pools of the operator (a fallback number gets no attribution). Nodes without bindings
   * answer 404.
   */
  default CompletionStage<Binding> bind(String operatorId, NewBinding binding) {
    return java.util.concurrent.CompletableFuture.failedFuture(
        ApiProblem.notFound("intermediate bindings are not available on this node"));
  }

  /**
   * The operator's recent bindings of its tracking number {@code number} made for the record that holds it now (not
   * those of a record deleted before), in the order they were made (oldest first, not sorted by {@code bound_at}); 404
   * as {@link #bind}.
   */
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
   * @param exhausted whether the last assignment that needed a free number fell back (a holder's page view keeping its
   *     number leaves it as it was)
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
   * @param heldUntil end of the hold; null for a fallback (the fallback number is not held)
   * @param fallback whether it is the fallback number
   */
  record Assignment(String e164, Instant heldUntil, boolean fallback) {}

  /**
   * One page of the operator's pools.
   *
   * @param pools the pools, by id
   * @param lastPoolId the id of the last pool when more follow (the next page starts after it), else null
   */
  record Page(List<Pool> pools, String lastPoolId) {
    public Page {
      pools = List.copyOf(pools);
    }
  }

  /**
   * One pool's displays in a month.
   *
   * @param poolId the pool
   * @param displays assignments answered in the month, fallbacks included
   * @param fallbacks assignments answered with the fallback number in the month
   * @param deleted whether the pool has been deleted since
   */
  record PoolDisplays(String poolId, long displays, long fallbacks, boolean deleted) {}

  /**
   * Number displays of an operator in one Japan-time month (issue 5; spec section 3 bills them per month).
   *
   * @param operatorId the operator
   * @param month {@code 2026-11}
   * @param pools per pool: live pools always, deleted ones when they had displays that month
   */
  record Displays(String operatorId, String month, List<PoolDisplays> pools) {
    public Displays {
      pools = List.copyOf(pools);
    }

    /** Displays of all pools. */
    public long displays() {
      return pools.stream().mapToLong(PoolDisplays::displays).sum();
    }

    /** Fallbacks of all pools. */
    public long fallbacks() {
      return pools.stream().mapToLong(PoolDisplays::fallbacks).sum();
    }
  }

  /**
   * What the public JS tag endpoint needs of a pool ({@link DniApi}, issue 5 JS tag).
   *
   * @param operatorId the pool's operator (the assignment is made for it, like {@link #assign})
   * @param allowedOrigins the pool's {@code allowed_origins} as created (may be empty: the tag is refused)
   */
  record PublicPool(String operatorId, List<String> allowedOrigins) {
    public PublicPool {
      allowedOrigins = List.copyOf(allowedOrigins);
    }
  }

  /**
   * Creates a pool of {@code operatorId}; fails with 404 when its tracking number is not one of the operator's
   * (nothing pooled), 409 when a number is not the operator's and available, or the fallback number is not one the
   * pool may hand out. Retry-safe: the same request again (same {@code poolId}, or without one when every number is
   * already in one pool of the operator with the same settings) answers that pool (the API answers 201 again, like
   * the first time) instead of a 409.
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

  /**
   * A page of the operator's pools by id, at most {@code limit}, after pool id {@code afterPoolId} (null: from the
   * first). The default pages over {@link #list}.
   */
  default CompletionStage<Page> page(String operatorId, String afterPoolId, int limit) {
    return list(operatorId).thenApply(all -> {
      List<Pool> after = all.stream().filter(p -> afterPoolId == null || p.poolId().compareTo(afterPoolId) > 0)
          .sorted(java.util.Comparator.comparing(Pool::poolId)).toList();
      List<Pool> page = after.subList(0, Math.min(limit, after.size()));
      return new Page(page, after.size() > limit ? page.get(page.size() - 1).poolId() : null);
    });
  }

  /**
   * Deletes pool {@code poolId} (issue 5): later assignments and reads of it fail with 404, its numbers leave the pool
   * ({@code available} again, or {@code cooling_down} when handed out recently), its display counts stay in
   * {@link #displays}. Deleting it again succeeds (the API answers 204 again: idempotent) and finishes a deletion cut
   * short. Fails with 404 when the operator never had such a pool.
   */
  default CompletionStage<Void> delete(String operatorId, String poolId) {
    return java.util.concurrent.CompletableFuture.failedFuture(
        ApiProblem.notFound("deleting pools is not available on this node"));
  }

  /**
   * The operator's number displays in Japan-time month {@code month} ({@code YearMonth}), or in the current month
   * when null.
   */
  default CompletionStage<Displays> displays(String operatorId, java.time.YearMonth month) {
    return java.util.concurrent.CompletableFuture.failedFuture(
        ApiProblem.notFound("display counts are not available on this node"));
  }

  /**
   * The sizing report of pool {@code poolId} over the last {@code days} Japan-time days, today included (1..400; see
   * {@link PoolSizing}). Fails with 404 when the operator has no such pool.
   */
  default CompletionStage<PoolSizing.Report> sizing(String operatorId, String poolId, int days) {
    return java.util.concurrent.CompletableFuture.failedFuture(
        ApiProblem.notFound("pool sizing is not available on this node"));
  }

  /**
   * The operator and allowed origins of pool {@code poolId}, whatever its operator (no API key: the public JS tag
   * endpoint checks the browser's {@code Origin} against them before it calls {@link #assign}); fails with 404 when
   * there is no such pool. The default answers 404 for every pool (a backend without the JS tag).
   */
  default CompletionStage<PublicPool> publicPool(String poolId) {
    return java.util.concurrent.CompletableFuture.failedFuture(ApiProblem.notFound("no pool " + poolId));
  }
}
