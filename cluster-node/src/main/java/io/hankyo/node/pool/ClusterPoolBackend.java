package io.hankyo.node.pool;

import io.hankyo.api.ApiProblem;
import io.hankyo.api.PoolBackend;
import io.hankyo.node.directory.TrackingNumber;
import io.hankyo.node.inventory.InventoryIndex;
import io.hankyo.node.inventory.InventoryNumber;
import io.hankyo.protocol.number.NumberRange;
import io.hankyo.protocol.number.PhoneNumber;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * {@link PoolBackend} over the sharded {@link NumberPool}, {@link PoolIndex} and {@link InventoryNumber} entities
 * (issue 5 pools).
 *
 * <p>Create: the client's pool id, or a new one ({@code pool-} + 16 hex digits); a client id whose pool exists with
 * the same settings answers that pool (retry). The fallback number must be a static tracking number of the operator
 * ({@code TrackingNumber} route), else 409. Each number is pooled in the inventory ({@link InventoryNumber.Pool},
 * {@value #PARALLELISM} at a time), then must not be a callback number ({@code CallbackNumber.GetOwner}); when any is
 * refused the ones pooled are put back ({@link InventoryNumber.Unpool}) and the call fails with 409 naming each refused
 * number (the first 100, then "… and N more", {@link #refusedNumbers}), unless every number is already in one live pool of the operator with the same settings (a retry whose first
 * answer was lost): that pool is answered. Then the inventory listing shows them {@code pooled}, the pool is created
 * and listed for the operator. Assign checks the pool exists for the operator ({@link NumberPool.Exists}, answered
 * with the pool's {@code hold_sec}; a node remembers existing pools and their claim life for {@link
 * #POOL_EXISTS_TTL}), claims the session id for the pool ({@link PoolSessions}, the operator's bucket of session ids:
 * a session id whose claim by another live pool of the operator still lives is refused with 409, nothing assigned (a
 * deleted pool's claim is taken over); the claim lives {@link PoolSessions#claimLife}: 2 × the pool's hold, at least
 * 10 minutes, at most {@code
 * hankyo.pools.session-claim-ttl}; it is answered at once and written within {@code hankyo.pools.claim-write-window}),
 * then asks the pool entity, which persists the assignment before it answers (batched per pool: {@code
 * hankyo.pools.batch-window}; zero: group commit; written to the pool's shared {@link AssignmentLog} first, many pools
 * per journal row: {@code hankyo.pools.assignment-log}; a pool whose log did not take the assignment answers an error
 * other than {@link NumberPool#NO_SUCH_POOL}, which this backend answers 503 saying the outcome is unknown). A
 * repeat page view asks the pool only while the session's claim would be acknowledged without a write: the claim's answer carries its end ({@code until}) and its life; until {@code
 * until - life / 2} (the longer of the answered life and the pool's) the bucket would acknowledge it from memory and
 * no other pool can take it, so the node keeps (operator, session id) → (pool, that time) in a bounded cache ({@value
 * #CLAIM_CACHE_SIZE} entries) and skips the existence check and the claim until then; after it, the claim is asked
 * again and renewed as before (so a claim still outlives every hold handed out under it).
 * A deleted pool still answers 404 (the pool refuses the assignment). The public JS tag endpoint first resolves the
 * pool's operator and allowed origins ({@link #publicPool}, {@link NumberPool.Find}).
 *
 * <p>Delete (issue 5): the pool entity is marked deleted first (no assignment after it), then each number leaves the
 * pool ({@link InventoryNumber.Unpool}): {@code cooling_down} until {@code held_until + max(pool cool_down_sec,
 * hankyo.inventory.cool-down)} when that is still ahead (visitors who saw it may still call), else {@code available};
 * the inventory listing is updated, and the id moves to the operator's deleted pools in {@link PoolIndex} (its display
 * counts stay in {@link #displays}). Every step is idempotent, so deleting again finishes a deletion cut short.
 *
 * <p>Meters: {@code hankyo.pools.displays} and {@code hankyo.pools.fallbacks} count the assignments this node
 * answered (all, and fallbacks).
 *
 * <p>Issue 5, attribution: a pool's {@code tracking_number} must be one of the operator's tracking numbers (checked
 * before anything is pooled; 404 otherwise). Intermediate bindings ({@link #bind}) are stored in the number's
 * {@link NumberBindings} entity after the same check, with the tracking-number record they are bound for
 * ({@code client_id}, {@code dialin_id}, {@code created_at}); {@code bound_at} defaults to now. {@link #bindings}
 * lists only the current record's (a number deleted and created again does not show the earlier record's).
 */
public final class ClusterPoolBackend implements PoolBackend {
  /** The pool ids {@link #create} makes. */

  /** Session-id buckets per operator when not configured ({@code hankyo.pools.session-buckets}). */
  public static final int DEFAULT_SESSION_BUCKETS = 16;
  /**
   * The longest a session claim lives when not configured ({@code hankyo.pools.session-claim-ttl}; 2 × the longest
   * hold): the cap of {@link PoolSessions#claimLife}.
   */
  public static final Duration DEFAULT_CLAIM_TTL = Duration.ofHours(48);

  /** Numbers pooled at the same time. */
  public static final int PARALLELISM = 64;
  /** Most acknowledged session claims a node remembers (about 400 bytes each with 128-character session ids). */
  public static final int CLAIM_CACHE_SIZE = 100_000;
  /** Most pools a node remembers as existing. */
  public static final int POOL_CACHE_SIZE = 10_000;
  /** How long a node remembers that a pool exists (see {@link #pools}). */
  public static final Duration POOL_EXISTS_TTL = Duration.ofSeconds(10);
  /** How long answered session claims wait for their write when not configured. */
  public static final Duration DEFAULT_CLAIM_WRITE_WINDOW = Duration.ofMillis(100);

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Duration timeout;
  private final Clock clock;
  private final Duration inventoryCoolDown;
  private final int sessionBuckets;
  /** Acknowledged claims: (operator id, session id) → the owning pool id; see the class comment. */
  private final com.github.benmanes.caffeine.cache.Cache<ClaimKey, CachedClaim> claims;
  private final Duration claimTtl;
  /**
   * Pools found to exist for their operator in the last {@link #POOL_EXISTS_TTL}, with the life of their session claims
   * ({@link PoolSessions#claimLife} of their hold): a new session's assignment skips the existence check (which waits
   * behind the pool's running write) while its pool is here. Dropped when this node
   * deletes the pool or the pool refuses an assignment; a pool deleted on another node may stay here that long: its
   * assignment is then still refused (404) by the pool, but the session id was claimed for it first, as for a session
   * that viewed the pool just before the deletion (another pool of the operator then takes that claim over: {@link
   * #assign}).
   */
  private final com.github.benmanes.caffeine.cache.Cache<PoolKey, Duration> pools;
  private final io.micrometer.core.instrument.Counter displayCounter;
  private final io.micrometer.core.instrument.Counter fallbackCounter;
  /** Which live pools use a number as their fallback (a binding of such a number is refused). */
  private final PoolUses poolUses;

  /** Registers the entity types with sharding (idempotent); each assignment its own journal write. */
  public ClusterPoolBackend(ActorSystem<?> system, ClusterSharding sharding, Duration timeout, Clock clock) {
    this(system, sharding, timeout, Duration.ZERO, clock);
  }

  /**
   * Registers the entity types with sharding (idempotent).
   *
   * @param batchWindow assignments of a pool gathered into one journal write ({@code hankyo.pools.batch-window}; zero:
   *     one write each)
   */
  public ClusterPoolBackend(ActorSystem<?> system, ClusterSharding sharding, Duration timeout, Duration batchWindow,
      Clock clock) {
    this(system, sharding, timeout, batchWindow, Duration.ZERO, DEFAULT_SESSION_BUCKETS, DEFAULT_CLAIM_TTL, clock);
  }

  /**
   * As the full constructor with {@value #DEFAULT_SESSION_BUCKETS} session buckets, claim lives capped at 48 h and
   * claims written within {@link #DEFAULT_CLAIM_WRITE_WINDOW}.
   */
  public ClusterPoolBackend(ActorSystem<?> system, ClusterSharding sharding, Duration timeout, Duration batchWindow,
      Duration inventoryCoolDown, Clock clock) {
    this(system, sharding, timeout, batchWindow, inventoryCoolDown, DEFAULT_SESSION_BUCKETS, DEFAULT_CLAIM_TTL, clock);
  }

  /**
   * Registers the entity types with sharding (idempotent); session claims are written within {@link
   * #DEFAULT_CLAIM_WRITE_WINDOW}.
   *
   * @param batchWindow assignments of a pool gathered into one journal write ({@code hankyo.pools.batch-window}; zero:
   *     one write each)
   * @param inventoryCoolDown how long a number handed out recently cools down after its pool is deleted, from the end
   *     of its last hold ({@code hankyo.inventory.cool-down}; the pool's own cool-down when longer)
   * @param sessionBuckets {@link PoolSessions} entities per operator ({@code hankyo.pools.session-buckets}, ≥ 1; the
   *     same on every node, and not changed while claims live)
   * @param claimTtl the longest a session claim lives after its last write ({@code hankyo.pools.session-claim-ttl};
   *     each claim lives {@link PoolSessions#claimLife} of its pool's hold, at most this; at least 2 × the longest
   *     hold, 24 h, so that every claim outlives the holds handed out under it)
   */
  public ClusterPoolBackend(ActorSystem<?> system, ClusterSharding sharding, Duration timeout, Duration batchWindow,
      Duration inventoryCoolDown, int sessionBuckets, Duration claimTtl, Clock clock) {
    this(system, sharding, timeout, batchWindow, inventoryCoolDown, sessionBuckets, claimTtl,
        DEFAULT_CLAIM_WRITE_WINDOW, clock);
  }

  /**
   * Registers the entity types with sharding (idempotent).
   *
   * @param batchWindow assignments of a pool gathered into one journal write ({@code hankyo.pools.batch-window}; zero:
   *     one write each)
   * @param inventoryCoolDown how long a number handed out recently cools down after its pool is deleted, from the end
   *     of its last hold ({@code hankyo.inventory.cool-down}; the pool's own cool-down when longer)
   * @param sessionBuckets {@link PoolSessions} entities per operator ({@code hankyo.pools.session-buckets}, ≥ 1; the
   *     same on every node, and not changed while claims live)
   * @param claimTtl the longest a session claim lives after its last write ({@code hankyo.pools.session-claim-ttl};
   *     each claim lives {@link PoolSessions#claimLife} of its pool's hold, at most this; at least 2 × the longest
   *     hold, 24 h, so that every claim outlives the holds handed out under it)
   * @param claimWriteWindow how long answered session claims of a bucket are gathered into one journal write ({@code
   *     hankyo.pools.claim-write-window}; see {@link PoolSessions})
   */
  public ClusterPoolBackend(ActorSystem<?> system, ClusterSharding sharding, Duration timeout, Duration batchWindow,
      Duration inventoryCoolDown, int sessionBuckets, Duration claimTtl, Duration claimWriteWindow, Clock clock) {
    if (sessionBuckets < 1) {
      throw new IllegalArgumentException("sessionBuckets must be at least 1: " + sessionBuckets);
    }
    this.sessionBuckets = sessionBuckets;
    this.claims = com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
        .maximumSize(CLAIM_CACHE_SIZE)
        .expireAfterWrite(claimTtl.dividedBy(2))
        .build();
    this.claimTtl = claimTtl;
    if (claimTtl.compareTo(Duration.ofSeconds(2 * io.hankyo.api.PoolApi.MAX_SECONDS)) < 0) {
      org.slf4j.LoggerFactory.getLogger(ClusterPoolBackend.class).warn("hankyo.pools.session-claim-ttl = {} is less "
          + "than twice the longest hold_sec ({} s): the session claims of pools holding longer than {} live less "
          + "than twice their hold, so another pool of the operator may claim a session that still holds a number",
          claimTtl, io.hankyo.api.PoolApi.MAX_SECONDS, claimTtl.dividedBy(2));
    }
    this.pools = com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
        .maximumSize(POOL_CACHE_SIZE)
        .expireAfterWrite(POOL_EXISTS_TTL)
        .build();
    this.inventoryCoolDown = Objects.requireNonNull(inventoryCoolDown, "inventoryCoolDown");
    io.micrometer.core.instrument.MeterRegistry meters =
        io.hankyo.node.metrics.NodeMetrics.ID.get(system.classicSystem()).registry();
    this.displayCounter = io.micrometer.core.instrument.Counter.builder("hankyo.pools.displays")
        .description("pool assignments answered by this node, fallbacks included (number displays, issue 5)")
        .register(meters);
    this.fallbackCounter = io.micrometer.core.instrument.Counter.builder("hankyo.pools.fallbacks")
        .description("pool assignments answered with the fallback number by this node (every number held)")
        .register(meters);
    this.system = Objects.requireNonNull(system, "system");
    this.sharding = Objects.requireNonNull(sharding, "sharding");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.clock = Objects.requireNonNull(clock, "clock");
    NumberPool.init(sharding, batchWindow, AssignmentLog.Logs.of(system.settings().config(), sharding));
    PoolIndex.init(sharding);
    PoolSessions.init(sharding, Objects.requireNonNull(claimWriteWindow, "claimWriteWindow"), claimTtl);
    InventoryNumber.init(sharding);
    InventoryIndex.init(sharding);
    TrackingNumber.init(sharding);
    io.hankyo.node.callback.CallbackNumber.init(sharding);
    NumberBindings.init(sharding);
    this.poolUses = new PoolUses(system, sharding, timeout);
  }

  /**
   * Completes when {@code number} is one of {@code operatorId}'s tracking numbers; fails with 404 ({@code what} names
   * the field) otherwise.
   */
  private CompletionStage<io.hankyo.protocol.call.NumberRoute> requireTrackingNumber(String operatorId,
      PhoneNumber number, String what) {
    return sharding.entityRefFor(TrackingNumber.ENTITY_KEY, number.e164())
        .ask(TrackingNumber.GetRoute::new, timeout)
        .thenApply(r -> {
          if (r.route().isEmpty() || !r.route().get().operatorId().equals(operatorId)) {
            throw ApiProblem.notFound(what + " " + number.national() + " is not one of your tracking numbers");
          }
          return r.route().get();
        });
  }

  /**
   * The tracking-number record that holds {@code number}, when it is one of {@code operatorId}'s tracking numbers;
   * fails with 404 otherwise (as {@link #requireTrackingNumber}).
   */
  private CompletionStage<NumberBindings.Owner> requireTrackingRecord(String operatorId, PhoneNumber number) {
    return sharding.entityRefFor(TrackingNumber.ENTITY_KEY, number.e164())
        .<StatusReply<TrackingNumber.Details>>ask(TrackingNumber.Get::new, timeout)
        .thenApply(r -> {
          if (r.isError() || !r.getValue().operatorId().equals(operatorId)) {
            throw ApiProblem.notFound("number " + number.national() + " is not one of your tracking numbers");
          }
          TrackingNumber.Details d = r.getValue();
          return new NumberBindings.Owner(operatorId, d.clientId(), d.dialinId(), d.createdAt());
        });
  }

  /**
   * Binds for the tracking-number record that holds the number now ({@link NumberBindings.Owner}: a call is attributed
   * to the binding only while that record holds the number, see {@code NumberRoutes}). Refused with 409 naming the
   * pools when the number is the {@code fallback_number} of live pools of the operator ({@link PoolUses}: every
   * visitor who finds such a pool exhausted is shown it, so a binding would credit all their calls to one visit); the
   * call routing checks that again for pools created after the binding. A pool that does not answer in time fails the
   * binding (503, retry).
   */
  @Override
  public CompletionStage<Binding> bind(String operatorId, NewBinding b) {
    Instant boundAt = b.boundAt() == null ? clock.instant() : b.boundAt();
    String bindingId = "bnd-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    return requireTrackingRecord(operatorId, b.number())
        .thenCompose(owner -> poolUses.of(operatorId, List.of(b.number().e164())).thenApply(uses -> {
          List<String> fallbackOf = PoolUses.fallbackPools(uses);
          if (!fallbackOf.isEmpty()) {
            throw ApiProblem.conflict(PoolUses.bindingRefusal(b.number().national(), fallbackOf));
          }
          return owner;
        }))
        .thenCompose(owner -> sharding.entityRefFor(NumberBindings.ENTITY_KEY, b.number().e164())
            .<StatusReply<NumberBindings.Binding>>ask(r -> new NumberBindings.Bind(NumberBindings.Binding.of(
                bindingId, owner, b.sessionId(), b.params(), boundAt, boundAt.plusSeconds(b.holdSec()),
                clock.instant()), r), timeout))
        .thenApply(reply -> {
          if (reply.isError()) {
            throw ApiProblem.invalid(reply.getError().getMessage());
          }
          return view(b.number().e164(), reply.getValue());
        });
  }

  /** Lists the bindings of the record that holds the number now; an earlier record's are not listed. */
  @Override
  public CompletionStage<List<Binding>> bindings(String operatorId, PhoneNumber number) {
    return requireTrackingRecord(operatorId, number)
        .thenCompose(owner -> sharding.entityRefFor(NumberBindings.ENTITY_KEY, number.e164())
            .<NumberBindings.State>ask(r -> new NumberBindings.Get(operatorId, r), timeout)
            .thenApply(s -> s.boundFor(owner)))
        .thenApply(s -> s.bindings().stream().map(b -> view(number.e164(), b)).toList());
  }

  private static Binding view(String e164, NumberBindings.Binding b) {
    return new Binding(b.bindingId(), e164, b.sessionId(), b.params(), b.boundAt(), b.heldUntil());
  }

  /** One number's pooling: null error when pooled. */
  private record Pooling(PhoneNumber number, String error) {}

  /** What a retry should do, added to every 409 and to the text of a creation cut short. */
  static final String RETRY_HINT = "if an earlier attempt of this request created that pool, GET /v1/pools/{pool_id} "
      + "shows it (a request with a pool_id of your own answers the same pool when sent again)";

  @Override
  public CompletionStage<Pool> create(String operatorId, NewPool p) {
    String poolId = p.poolId() != null ? p.poolId()
        : "pool-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    Instant now = clock.instant();
    // the tracking number's owner (client_id, dialin_id) is captured in the settings: a call to a pool number takes
    // the tracking number's route only while it still has this owner (NumberRoutes), never another advertiser's
    CompletionStage<io.hankyo.protocol.call.NumberRoute> trackingRoute = p.trackingNumber() == null
        ? CompletableFuture.completedFuture(null)
        : requireTrackingNumber(operatorId, p.trackingNumber(), "tracking_number");
    return trackingRoute.thenCompose(tr -> create(operatorId, poolId, p, now, new NumberPool.Settings(operatorId,
        NumberPool.Method.valueOf(p.method().toUpperCase(java.util.Locale.ROOT)),
        p.numbers().stream().map(PhoneNumber::e164).toList(), p.holdSec(), p.coolDownSec(),
        p.fallback().e164(), p.allowedOrigins(), p.trackingNumber() == null ? null : p.trackingNumber().e164(),
        tr == null ? null : tr.clientId(), tr == null ? null : tr.dialinId())));
  }

  private CompletionStage<Pool> create(String operatorId, String poolId, NewPool p, Instant now,
      NumberPool.Settings settings) {
    // a retry with the client's pool id: the pool as created the first time
    CompletionStage<NumberPool.State> existing = p.poolId() == null
        ? CompletableFuture.completedFuture(null) : read(operatorId, poolId);
    return existing.thenCompose(old -> {
      if (old != null) {
        if (old.deleted()) {
          throw ApiProblem.conflict("pool " + poolId + " was deleted; choose another pool_id");
        }
        if (!sameSettings(old.settings(), settings)) {
          throw ApiProblem.conflict("pool " + poolId + " exists with other settings; choose another pool_id, or "
              + "GET /v1/pools/" + poolId + " to see it");
        }
        return CompletableFuture.completedFuture(view(poolId, old));
      }
      return fallbackRefusal(operatorId, p.fallback()).thenCompose(fallbackError -> {
        if (fallbackError != null) {
          throw ApiProblem.conflict("fallback_number " + p.fallback().national() + " " + fallbackError
              + "; the fallback must be one of your static tracking numbers (not pooled, not a callback number)");
        }
        return pool(operatorId, poolId, p, settings, now);
      });
    });
  }

  /**
   * Why {@code fallback} may not be the fallback number of a pool of {@code operatorId}, or null when it may: it must be
   * a static tracking number of the operator ({@code TrackingNumber} route of that operator). Such a number is never
   * pooled ({@link io.hankyo.node.inventory.InventoryRules#refusePool}: only {@code available} numbers are pooled; a
   * static number is {@code assigned}) nor a callback number (the callback pool refuses tracking numbers, issue 4), so
   * no visitor session is ever handed it as its own number.
   */
  private CompletionStage<String> fallbackRefusal(String operatorId, PhoneNumber fallback) {
    return sharding.entityRefFor(io.hankyo.node.directory.TrackingNumber.ENTITY_KEY, fallback.e164())
        .ask(io.hankyo.node.directory.TrackingNumber.GetRoute::new, timeout)
        .thenApply(r -> r.route().isEmpty() ? "is not a tracking number"
            : !operatorId.equals(r.route().get().operatorId()) ? "is a tracking number of another operator" : null);
  }

  /**
   * Pools each number for {@code poolId}, checks none is a callback number (after pooling it, so that a callback PUT
   * racing with this sees the pooled number or is seen here), then lists and creates the pool; on any refusal the
   * numbers pooled here are put back and the call fails with 409, unless every number is already in one pool of the
   * operator with these settings (a retry of a creation whose answer was lost): then that pool is answered.
   */
  private CompletionStage<Pool> pool(String operatorId, String poolId, NewPool p, NumberPool.Settings settings,
      Instant now) {
    return Source.from(p.numbers())
        .mapAsync(PARALLELISM, n -> sharding.entityRefFor(InventoryNumber.ENTITY_KEY, n.e164())
            .<StatusReply<Done>>ask(r -> new InventoryNumber.Pool(operatorId, poolId, now, r), timeout)
            .thenCompose(reply -> reply.isError()
                ? CompletableFuture.completedFuture(reply.getError().getMessage())
                : sharding.entityRefFor(io.hankyo.node.callback.CallbackNumber.ENTITY_KEY, n.e164())
                    .ask(io.hankyo.node.callback.CallbackNumber.GetOwner::new, timeout)
                    .thenApply(o -> o.operatorId().isPresent() ? CALLBACK_NUMBER : (String) null))
            .handle((error, failure) -> new Pooling(n, failure != null ? "not answered; retry" : error)))
        .runWith(Sink.seq(), system)
        .thenCompose(results -> {
          List<String> refused = results.stream().filter(r -> r.error() != null)
              .map(r -> r.number().national() + " " + r.error()).toList();
          if (!refused.isEmpty()) {
            // every number in this pool goes back (pooled here, found in a callback pool after pooling, or not
            // answered: the pooling may have happened); Unpool is a no-op for a number that is not in this pool
            // only a request without an id of its own may be a retry answered by the pool its numbers are in: a
            // client pool_id (or Idempotency-Key) names the pool, whose retry was answered above; another pool
            // holding the numbers is then a conflict, never the answer (it would be served under the wrong id)
            return unpool(operatorId, poolId, p.numbers()).thenCompose(x -> p.poolId() != null
                    ? CompletableFuture.<Pool>completedFuture(null)
                    : retried(operatorId, results, settings))
                .thenApply(same -> {
                  if (same != null) {
                    return same;
                  }
                  throw ApiProblem.conflict(refusedNumbers(refused));
                });
          }
          List<InventoryIndex.Row> rows = p.numbers().stream().map(n -> new InventoryIndex.Row(n.e164(),
              n.national(), NumberRange.of(n).label(), InventoryNumber.Status.POOLED, null, null, null, poolId))
              .toList();
          return sharding.entityRefFor(InventoryIndex.ENTITY_KEY, operatorId)
              .<StatusReply<Done>>ask(r -> new InventoryIndex.Put(rows, r), timeout)
              .thenCompose(x -> sharding.entityRefFor(NumberPool.ENTITY_KEY, poolId)
                  .<StatusReply<NumberPool.State>>ask(r -> new NumberPool.Create(settings, r), timeout))
              .thenCompose(created -> {
                if (created.isError()) {
                  // the id is another operator's pool (or one with other settings): give the numbers back
                  List<InventoryIndex.Row> back = p.numbers().stream().map(n -> new InventoryIndex.Row(n.e164(),
                      n.national(), NumberRange.of(n).label(), InventoryNumber.Status.AVAILABLE, null, null, null))
                      .toList();
                  return unpool(operatorId, poolId, p.numbers())
                      .thenCompose(x -> sharding.entityRefFor(InventoryIndex.ENTITY_KEY, operatorId)
                          .<StatusReply<Done>>ask(r -> new InventoryIndex.Put(back, r), timeout))
                      .<Pool>thenApply(x -> {
                    throw ApiProblem.conflict("pool id " + poolId + " is taken; choose another pool_id; nothing was "
                        + "created");
                  });
                }
                return sharding.entityRefFor(PoolIndex.ENTITY_KEY, operatorId)
                    .<Done>ask(r -> new PoolIndex.Add(poolId, r), timeout)
                    .thenApply(x -> view(poolId, created.getValue()));
              });
        });
  }

  /**
   * The 409 detail of a creation whose numbers were refused ({@code refused}: "0120-000-001 is not available", in
   * pool order): each named up to {@link io.hankyo.api.Problems#MAX_LISTED}, the rest counted ("… and 100 more
   * refused numbers", {@link io.hankyo.api.Problems#listed}, as the 400s list their errors; 200 refused numbers made
   * a 10 KB detail before), then {@link #RETRY_HINT} when any is already in a pool.
   */
  static String refusedNumbers(List<String> refused) {
    return "numbers not pooled (each must be an available number of your inventory, in no pool and no callback "
        + "pool); nothing was created: " + io.hankyo.api.Problems.listed(refused, "; ", "refused number")
        + (refused.stream().anyMatch(r -> r.contains("is already in pool")) ? "; " + RETRY_HINT : "");
  }

  /** The refusal of a number that is in a callback pool. */
  static final String CALLBACK_NUMBER = "is a callback number (in a callback pool; PUT /v1/callback-pool without it "
      + "first)";

  private CompletionStage<Done> unpool(String operatorId, String poolId, List<PhoneNumber> numbers) {
    return Source.from(numbers)
        .mapAsync(PARALLELISM, n -> sharding.entityRefFor(InventoryNumber.ENTITY_KEY, n.e164())
            .<StatusReply<Done>>ask(r -> new InventoryNumber.Unpool(operatorId, poolId, r), timeout))
        .runWith(Sink.ignore(), system);
  }

  /**
   * The pool every number of a refused creation is already in, when that is one live pool of the operator with
   * {@code settings} (the earlier attempt of the same request), else null. Only for a request without a client pool id
   * or Idempotency-Key (a server-made id cannot be sent again).
   */
  private CompletionStage<Pool> retried(String operatorId, List<Pooling> results, NumberPool.Settings settings) {
    return sharding.entityRefFor(InventoryNumber.ENTITY_KEY, results.get(0).number().e164())
        .ask(InventoryNumber.Get::new, timeout)
        .thenCompose(st -> {
          String other = st.status() == InventoryNumber.Status.POOLED && operatorId.equals(st.owner())
              ? st.poolId() : null;
          String text = "is already in pool " + other;
          if (other == null || !results.stream().allMatch(r -> text.equals(r.error()))) {
            return CompletableFuture.completedFuture((Pool) null);
          }
          return read(operatorId, other).thenApply(old -> old != null && !old.deleted()
              && sameSettings(old.settings(), settings) ? view(other, old) : null);
        });
  }

  /**
   * Whether a pool created with {@code old} is a retry of a creation with {@code mine} (retry detection): equal
   * settings, where a pool created before the tracking number's owner was captured is compared without it (the owner
   * is derived by the server, not sent by the client).
   */
  static boolean sameSettings(NumberPool.Settings old, NumberPool.Settings mine) {
    return old.equals(old.trackingClientId() == null ? mine.withoutTrackingOwner() : mine);
  }

  @Override
  public CompletionStage<List<Pool>> list(String operatorId) {
    return page(operatorId, null, Integer.MAX_VALUE).thenApply(Page::pools);
  }

  @Override
  public CompletionStage<Pool> get(String operatorId, String poolId) {
    return sharding.entityRefFor(NumberPool.ENTITY_KEY, poolId)
        .<StatusReply<NumberPool.State>>ask(r -> new NumberPool.Get(operatorId, r), timeout)
        .thenApply(reply -> {
          if (reply.isError() || reply.getValue().deleted()) {
            throw ApiProblem.notFound("no pool " + poolId);
          }
          return view(poolId, reply.getValue());
        });
  }

  @Override
  public CompletionStage<Assignment> assign(String operatorId, String poolId, String sessionId,
      Map<String, String> params) {
    Instant now = clock.instant();
    ClaimKey key = new ClaimKey(operatorId, sessionId);
    CompletionStage<StatusReply<NumberPool.Assignment>> assigned;
    CachedClaim cached = claims.getIfPresent(key);
    if (cached != null && cached.poolId().equals(poolId) && now.isBefore(cached.until())) {
      // a repeat page view: the claim still lives for this pool (class comment), ask the pool only
      assigned = askAssign(operatorId, poolId, sessionId, params, now);
    } else {
      // the pool must exist for the operator before the session is claimed for it
      PoolKey pool = new PoolKey(operatorId, poolId);
      Duration known = pools.getIfPresent(pool);
      CompletionStage<Duration> life = known != null
          ? CompletableFuture.completedFuture(known)
          : sharding.entityRefFor(NumberPool.ENTITY_KEY, poolId)
              .<StatusReply<NumberPool.Found>>ask(r -> new NumberPool.Exists(operatorId, r), timeout)
              .thenApply(reply -> {
                if (!reply.isSuccess()) {
                  return null;
                }
                Object found = reply.getValue(); // Done from a node of an earlier version: the cap
                Duration l = found instanceof NumberPool.Found f ? PoolSessions.claimLife(f.holdSec(), claimTtl)
                    : claimTtl;
                pools.put(pool, l);
                return l;
              });
      assigned = life
          .thenCompose(l -> {
            if (l == null) {
              throw ApiProblem.notFound("no pool " + poolId);
            }
            return claim(operatorId, sessionId, poolId, now, l)
                .thenApply(claim -> {
                  if (claim.isError()) {
                    throw ApiProblem.conflict(claim.getError().getMessage() + "; nothing was assigned");
                  }
                  Instant skipUntil = skipUntil(claim.getValue(), l, claimTtl);
                  if (now.isBefore(skipUntil)) {
                    claims.put(key, new CachedClaim(poolId, skipUntil));
                  }
                  return claim;
                });
          })
          .thenCompose(claim -> askAssign(operatorId, poolId, sessionId, params, now));
    }
    return assigned
        .thenApply(reply -> {
          if (reply.isError()) {
            if (!NumberPool.NO_SUCH_POOL.equals(reply.getError().getMessage())) {
              // the assignment log did not take it in time (NumberPool.LOG_UNAVAILABLE): the outcome is unknown
              throw io.hankyo.api.Problems.unavailable("the assignment could not be written in time; its outcome is "
                  + "unknown (it may have been made): asking again is safe, a session keeps its number");
            }
            pools.invalidate(new PoolKey(operatorId, poolId));
            throw ApiProblem.notFound("no pool " + poolId);
          }
          NumberPool.Assignment a = reply.getValue();
          displayCounter.increment();
          if (a.fallback()) {
            fallbackCounter.increment();
          }
          return new Assignment(a.e164(), a.heldUntil(), a.fallback());
        });
  }

  /**
   * Claims {@code sessionId} for {@code poolId} ({@link PoolSessions.Claim}); when another pool owns it and that pool
   * no longer exists for the operator (deleted: its id is never used again), claims it again taking that pool's claim
   * over, so the returning visitors of a replaced pool are not refused for the rest of the old claims' life (a
   * newcomer trial: a pool deleted and created again answered 409 to every returning visitor). A live other pool's
   * claim stays a refusal.
   */
  private CompletionStage<StatusReply<PoolSessions.Owner>> claim(String operatorId, String sessionId, String poolId,
      Instant now, Duration life) {
    EntityRef<PoolSessions.Command> bucket = sharding.entityRefFor(PoolSessions.ENTITY_KEY,
        PoolSessions.entityId(operatorId, sessionId, sessionBuckets));
    return bucket.<StatusReply<PoolSessions.Owner>>ask(r -> new PoolSessions.Claim(sessionId, poolId, now, life, r),
            timeout)
        .thenCompose(claim -> {
          String owner = claim.isError() ? PoolSessions.ownerIn(claim.getError().getMessage()) : null;
          if (owner == null) {
            return CompletableFuture.completedFuture(claim);
          }
          // the owner's answer decides; no answer (a timeout) keeps the refusal: a live pool's claim is never taken
          return sharding.entityRefFor(NumberPool.ENTITY_KEY, owner)
              .<StatusReply<NumberPool.Found>>ask(r -> new NumberPool.Exists(operatorId, r), timeout)
              .handle((exists, failure) -> failure != null || exists.isSuccess()
                  ? CompletableFuture.completedFuture(claim)
                  : bucket.<StatusReply<PoolSessions.Owner>>ask(r -> new PoolSessions.Claim(sessionId, poolId, now,
                      life, owner, r), timeout))
              .thenCompose(x -> x);
        });
  }

  private CompletionStage<StatusReply<NumberPool.Assignment>> askAssign(String operatorId, String poolId,
      String sessionId, Map<String, String> params, Instant now) {
    return sharding.entityRefFor(NumberPool.ENTITY_KEY, poolId)
        .ask(r -> new NumberPool.Assign(operatorId, sessionId, params, now, r), timeout);
  }

  /**
   * Until when the bucket would acknowledge {@code owner} (a claim just answered for a pool whose claims live {@code
   * life}) from memory, without renewing it: its end minus half of its life (the answered one, the cap when missing,
   * or {@code life} when longer: {@link PoolSessions#decide}).
   */
  static Instant skipUntil(PoolSessions.Owner owner, Duration life, Duration claimTtl) {
    return owner.until().minus(
        PoolSessions.half(PoolSessions.longer(PoolSessions.lifeOr(owner.life(), claimTtl), life)));
  }

  /** Key of {@link #pools}. */
  private record PoolKey(String operatorId, String poolId) {}

  /** Key of {@link #claims}. */
  private record ClaimKey(String operatorId, String sessionId) {}

  /**
   * Value of {@link #claims}: the owning pool, and the time (this backend's clock) until which the claim's bucket would
   * acknowledge it without a write (its end minus half the claim's life).
   */
  private record CachedClaim(String poolId, Instant until) {}


  @Override
  public CompletionStage<Page> page(String operatorId, String afterPoolId, int limit) {
    return sharding.entityRefFor(PoolIndex.ENTITY_KEY, operatorId).ask(PoolIndex.Get::new, timeout)
        .thenCompose(ids -> {
          List<String> after = ids.poolIds().stream()
              .filter(id -> afterPoolId == null || id.compareTo(afterPoolId) > 0).toList();
          List<String> page = after.subList(0, Math.min(limit, after.size()));
          String last = after.size() > limit ? page.get(page.size() - 1) : null;
          return Source.from(page)
              .mapAsync(8, id -> read(operatorId, id))
              .runWith(Sink.seq(), system)
              .thenApply(states -> {
                List<Pool> pools = new ArrayList<>();
                for (int i = 0; i < page.size(); i++) {
                  NumberPool.State st = states.get(i);
                  if (st != null && !st.deleted()) {
                    pools.add(view(page.get(i), st));
                  }
                }
                return new Page(pools, last);
              });
        });
  }

  /** The state of pool {@code poolId} for {@code operatorId}, or null when it has none (deleted ones included). */
  private CompletionStage<NumberPool.State> read(String operatorId, String poolId) {
    return sharding.entityRefFor(NumberPool.ENTITY_KEY, poolId)
        .<StatusReply<NumberPool.State>>ask(r -> new NumberPool.Get(operatorId, r), timeout)
        .thenApply(reply -> reply.isError() ? null : reply.getValue());
  }

  @Override
  public CompletionStage<Void> delete(String operatorId, String poolId) {
    Instant now = clock.instant();
    return sharding.entityRefFor(NumberPool.ENTITY_KEY, poolId)
        .<StatusReply<NumberPool.State>>ask(r -> new NumberPool.Delete(operatorId, now, r), timeout)
        .thenCompose(reply -> {
          // after the pool's answer, so that an assignment checked before the deletion cannot remember it again
          pools.invalidate(new PoolKey(operatorId, poolId));
          if (reply.isError()) {
            throw ApiProblem.notFound("no pool " + poolId);
          }
          NumberPool.State s = reply.getValue();
          List<InventoryIndex.Row> rows = new ArrayList<>();
          for (String e164 : s.numbers()) {
            Instant until = coolDownUntil(s.slots().get(e164), s.coolDownSec(), inventoryCoolDown, now);
            PhoneNumber n = io.hankyo.protocol.number.PhoneNumbers.parse(e164);
            rows.add(new InventoryIndex.Row(e164, n.national(), NumberRange.of(n).label(),
                until == null ? InventoryNumber.Status.AVAILABLE : InventoryNumber.Status.COOLING_DOWN, null, null,
                until));
          }
          return Source.from(rows)
              .mapAsync(PARALLELISM, row -> sharding.entityRefFor(InventoryNumber.ENTITY_KEY, row.e164())
                  .<StatusReply<Done>>ask(r -> new InventoryNumber.Unpool(operatorId, poolId, r, row.until()),
                      timeout))
              .runWith(Sink.ignore(), system)
              .thenCompose(x -> sharding.entityRefFor(InventoryIndex.ENTITY_KEY, operatorId)
                  .<StatusReply<Done>>ask(r -> new InventoryIndex.Put(rows, r), timeout))
              .thenCompose(x -> sharding.entityRefFor(PoolIndex.ENTITY_KEY, operatorId)
                  .<Done>ask(r -> new PoolIndex.Remove(poolId, r), timeout))
              .thenApply(x -> null);
        });
  }

  /**
   * Until when a number of a deleted pool cools down: {@code held_until + max(poolCoolDownSec, inventoryCoolDown)}
   * of its last hold when that is after {@code now}, else null (available at once; also for a number never handed
   * out).
   */
  static Instant coolDownUntil(NumberPool.Slot slot, long poolCoolDownSec, Duration inventoryCoolDown, Instant now) {
    if (slot == null) {
      return null;
    }
    Duration d = Duration.ofSeconds(poolCoolDownSec).compareTo(inventoryCoolDown) > 0
        ? Duration.ofSeconds(poolCoolDownSec) : inventoryCoolDown;
    Instant until = slot.heldUntil().plus(d);
    return until.isAfter(now) ? until : null;
  }

  @Override
  public CompletionStage<Displays> displays(String operatorId, java.time.YearMonth month) {
    String key = (month != null ? month : java.time.YearMonth.now(clock.withZone(PoolUsage.ZONE))).toString();
    return sharding.entityRefFor(PoolIndex.ENTITY_KEY, operatorId).ask(PoolIndex.Get::new, timeout)
        .thenCompose(ids -> {
          List<String> all = new ArrayList<>(ids.poolIds());
          all.addAll(ids.deletedPoolIds());
          return Source.from(all)
              .mapAsync(8, id -> read(operatorId, id).thenApply(st -> {
                if (st == null) {
                  return java.util.Optional.<PoolDisplays>empty();
                }
                PoolUsage.Counts c = st.usage().month(key);
                return st.deleted() && c.displays() == 0 ? java.util.Optional.<PoolDisplays>empty()
                    : java.util.Optional.of(new PoolDisplays(id, c.displays(), c.fallbacks(), st.deleted()));
              }))
              .runWith(Sink.seq(), system);
        })
        .thenApply(rows -> new Displays(operatorId, key, rows.stream().flatMap(java.util.Optional::stream)
            .sorted(java.util.Comparator.comparing(PoolDisplays::poolId)).toList()));
  }

  @Override
  public CompletionStage<io.hankyo.api.PoolSizing.Report> sizing(String operatorId, String poolId, int days) {
    java.time.LocalDate today = java.time.LocalDate.now(clock.withZone(PoolUsage.ZONE));
    return read(operatorId, poolId).thenApply(st -> {
      if (st == null || st.deleted()) {
        throw ApiProblem.notFound("no pool " + poolId);
      }
      List<io.hankyo.api.PoolSizing.Day> rows = new ArrayList<>();
      for (int i = days - 1; i >= 0; i--) {
        String d = today.minusDays(i).toString();
        PoolUsage.Counts c = st.usage().day(d);
        rows.add(new io.hankyo.api.PoolSizing.Day(d, c.peakHolds(), c.fallbacks(), c.displays()));
      }
      // the history starts at the pool's first display: a report on less is "not enough history yet"
      return io.hankyo.api.PoolSizing.report(poolId, st.numbers().size(), rows, st.usage().historySince(),
          clock.instant());
    });
  }

  @Override
  public CompletionStage<PublicPool> publicPool(String poolId) {
    if (!io.hankyo.api.PoolApi.POOL_ID.matcher(poolId).matches()) {
      // a key-less endpoint: an id no pool can have does not start (and recover) an entity
      return CompletableFuture.failedFuture(ApiProblem.notFound("no pool " + poolId));
    }
    return sharding.entityRefFor(NumberPool.ENTITY_KEY, poolId)
        .<StatusReply<NumberPool.Settings>>ask(NumberPool.Find::new, timeout)
        .thenApply(reply -> {
          if (reply.isError()) {
            throw ApiProblem.notFound("no pool " + poolId);
          }
          return new PublicPool(reply.getValue().operatorId(), reply.getValue().allowedOrigins());
        });
  }

  private static Pool view(String poolId, NumberPool.State s) {
    List<Member> members = s.numbers().stream().map(e164 -> {
      NumberPool.Slot slot = s.slots().get(e164);
      return new Member(e164, slot == null ? null : slot.sessionId(), slot == null ? null : slot.heldUntil());
    }).toList();
    return new Pool(poolId, s.method().apiName(), members, s.holdSec(), s.coolDownSec(), s.fallbackE164(),
        s.settings().allowedOrigins(), s.assignments(), s.fallbacks(), s.exhausted(), s.settings().trackingNumber());
  }

}
