package io.hankyo.node.directory;

import io.hankyo.node.callback.CallbackNumbers;
import io.hankyo.node.callback.CallbackRoutes;
import io.hankyo.node.inventory.InventoryNumber;
import io.hankyo.node.pool.Attribution;
import io.hankyo.node.pool.NumberBindings;
import io.hankyo.node.pool.NumberPool;
import io.hankyo.node.pool.PoolUses;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks up where a call to a tracking number goes (spec section 2), for every incoming call. Asks the sharded
 * {@link TrackingNumber} entity of the number ({@link TrackingNumber.GetRoute}: an in-memory read, nothing persisted;
 * the first ask after the entity was passivated replays its few events). Thread-safe.
 *
 * <p>Judgment rules (issue 4): a number's own rules win; a number without (never set, or removed) gets its
 * advertiser's current rules ({@link Advertiser.GetJudgment}, an in-memory read of the sharded {@link Advertiser}
 * entity), with {@link NumberRoute#judgmentScope()} {@code "advertiser"} and the advertiser's version. So a change of
 * the advertiser's rules applies from the next call on without touching its numbers. When the advertiser cannot be
 * read (absent, timeout) the call still goes ahead, without judgment rules, and a warning is logged.
 *
 * <p>Pool numbers and attribution (issue 5): a number that is not a tracking number is looked up in the inventory
 * ({@link InventoryNumber.Get}); when it is {@code pooled}, its {@link NumberPool} answers the holder at the call's
 * time ({@link NumberPool.GetHolder}, read-only) and the pool's tracking number; the call takes that tracking
 * number's route (with the advertiser's rules as above) with {@code din} = the dialled number and the attribution of
 * {@link Attribution#forPool}; only while the tracking number's route still has the pool's operator and the
 * {@code client_id}/{@code dialin_id} captured at the pool's creation ({@link #templateMatches}), else no route. A
 * number {@code cooling_down} after its pool was deleted ({@link InventoryNumber.State#coolingDownFromPool}) is routed
 * the same way, unattributed (the holds ended with the pool). A pool without a tracking number (created before the
 * setting) routes nowhere. A
 * tracking number's route carries the attribution of its intermediate bindings ({@link NumberBindings},
 * {@link Attribution#forBindings}) made for the tracking-number record that holds the number now (its owner and
 * {@code created_at}, {@link TrackingNumber.Route#createdAt}; an earlier record's bindings are ignored) when it has
 * any, and not when the number is the {@code fallback_number} of a live pool ({@link PoolUses}); when they cannot
 * be read the call goes ahead unattributed (no
 * attribution keys) and a warning is logged. {@code last_held_until} is in {@code hankyo.http.zone} (default
 * Asia/Tokyo).
 */
public final class NumberRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(NumberRoutes.class);
  private final ClusterSharding sharding;
  private final Duration timeout;
  private final CallbackNumbers callbacks;
  private final CallerNumberCipher cipher;
  private final Clock clock;
  private final ZoneId zone;
  /** Whether a bound number is a pool's fallback number (its calls are then not attributed to the bindings). */
  private final PoolUses poolUses;

  /**
   * Registers the directory entities with sharding if not done yet.
   *
   * @param system the node's actor system
   * @param sharding the node's sharding
   * @param timeout how long one lookup may take before its stage fails with a {@code TimeoutException}
   */
  public NumberRoutes(ActorSystem<?> system, ClusterSharding sharding, Duration timeout) {
    Objects.requireNonNull(system, "system");
    this.sharding = Objects.requireNonNull(sharding, "sharding");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    DirectoryBootstrap.initEntities(sharding);
    var config = system.settings().config();
    // idempotent: whichever registers first (this or ClusterPoolBackend) uses the same configured window
    NumberPool.init(system, sharding);
    InventoryNumber.init(sharding);
    NumberBindings.init(sharding);
    this.callbacks = null;
    this.cipher = null;
    this.clock = Clock.systemUTC();
    this.zone = ZoneId.of(config.hasPath("hankyo.http.zone") ? config.getString("hankyo.http.zone") : "Asia/Tokyo");
    this.poolUses = new PoolUses(system, sharding, timeout);
  }

  private NumberRoutes(NumberRoutes base, CallbackNumbers callbacks, CallerNumberCipher cipher) {
    this.sharding = base.sharding;
    this.timeout = base.timeout;
    this.callbacks = Objects.requireNonNull(callbacks, "callbacks");
    this.cipher = Objects.requireNonNull(cipher, "cipher");
    this.clock = base.clock;
    this.zone = base.zone;
    this.poolUses = base.poolUses;
  }

  /**
   * These routes with the callback-number fallback (折返し通話トラッキング, issue 4): a number that is not a tracking
   * number but has an active callback lease routes to the missed call's caller ({@link CallbackRoutes#routeOf}).
   *
   * @param cipher decrypts the caller number of the lease
   */
  public NumberRoutes withCallbacks(CallbackNumbers callbacks, CallerNumberCipher cipher) {
    return new NumberRoutes(this, callbacks, cipher);
  }

  /**
   * The route of a number.
   *
   * @param e164 the dialled number in E.164 ({@code +81120123456}); anything else is answered empty without asking
   * @return the route (a tracking number's, with its bindings' attribution; a pool number's: its pool's tracking
   *     number's route with the dialled {@code din} and the holder's attribution), or empty when the number is
   *     neither a tracking number, nor a number of a pool with a tracking number, nor (with {@link #withCallbacks})
   *     a callback number with an active lease; fails with a {@code TimeoutException}
   *     when the entity does not answer in time
   */
  public CompletionStage<Optional<NumberRoute>> lookup(String e164) {
    if (!TrackingNumber.isE164(e164)) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    Instant at = clock.instant();
    return sharding.entityRefFor(TrackingNumber.ENTITY_KEY, e164)
        .ask(TrackingNumber.GetRoute::new, timeout)
        .thenCompose(tracking -> withAdvertiserRules(tracking.route()).thenCompose(route -> route.isPresent()
            ? withBindings(route.get(), tracking.createdAt(), at) : poolRoute(e164, at)))
        .thenCompose(route -> route.isPresent() || callbacks == null
            ? CompletableFuture.completedFuture(route)
            : callbacks.activeLease(e164).thenApply(lease -> lease.flatMap(
                l -> CallbackRoutes.routeOf(l, l.number(), cipher))));
  }

  /** The route of tracking number {@code e164} with the advertiser's rules, without attribution. */
  private CompletionStage<Optional<NumberRoute>> trackingRoute(String e164) {
    return sharding.entityRefFor(TrackingNumber.ENTITY_KEY, e164)
        .ask(TrackingNumber.GetRoute::new, timeout)
        .thenApply(TrackingNumber.Route::route)
        .thenCompose(this::withAdvertiserRules);
  }

  /**
   * {@code route} with the attribution of its number's bindings made for the record that holds the number now
   * ({@code createdAt}, {@link NumberBindings.State#boundFor}): unchanged when it has none or they fail. Bindings of an
   * earlier record of the number (deleted and created again, perhaps for another advertiser) are ignored. When it
   * has bindings, the number must not be the {@code fallback_number} of a live pool of the operator ({@link
   * PoolUses#fallbackPools}; the API refuses such a binding, but a pool may be given the number as its fallback
   * later): every visitor who finds the pool exhausted is shown it, so its calls get no attribution keys. When the
   * pools cannot be read in time the bindings count (the API refused them for a fallback number; a warning is
   * logged); when the bindings cannot be read the call goes ahead without attribution keys.
   */
  private CompletionStage<Optional<NumberRoute>> withBindings(NumberRoute route, Instant createdAt, Instant at) {
    NumberBindings.Owner current = new NumberBindings.Owner(route.operatorId(), route.clientId(), route.dialinId(),
        createdAt);
    String e164 = route.din().e164();
    return sharding.entityRefFor(NumberBindings.ENTITY_KEY, e164)
        .<NumberBindings.State>ask(r -> new NumberBindings.Get(route.operatorId(), r), timeout)
        .thenApply(s -> s.boundFor(current).bindings())
        .thenCompose(owned -> owned.isEmpty() ? CompletableFuture.completedFuture(owned)
            : poolUses.of(route.operatorId(), java.util.List.of(e164)).handle((uses, failure) -> {
              if (failure != null) {
                // the API refuses to bind a pool's fallback number: the bindings are kept rather than dropped
                LOG.warn("call to {}: the pools using it could not be read ({}); attributed to its bindings", e164,
                    failure.toString());
                return owned;
              }
              java.util.List<String> fallbackOf = PoolUses.fallbackPools(uses);
              if (!fallbackOf.isEmpty()) {
                LOG.info("call to {} is not attributed to its bindings: it is the fallback_number of pool(s) {}",
                    e164, fallbackOf);
                return java.util.List.<NumberBindings.Binding>of();
              }
              return owned;
            }))
        .handle((owned, failure) -> {
          if (failure != null) {
            LOG.warn("call to {} goes ahead unattributed: its bindings or the pools using it could not be read: {}",
                e164, failure.toString());
            return Optional.of(route);
          }
          var vars = Attribution.forBindings(owned.stream().map(NumberBindings.Binding::window).toList(), at, zone);
          return Optional.of(vars == null ? route : route.attributed(route.din(), vars));
        });
  }

  /** The route of pool number {@code e164} (its pool's tracking number, attributed), or empty when not pooled. */
  private CompletionStage<Optional<NumberRoute>> poolRoute(String e164, Instant at) {
    return sharding.entityRefFor(InventoryNumber.ENTITY_KEY, e164)
        .ask(InventoryNumber.Get::new, timeout)
        .thenCompose(inv -> {
          boolean pooled = inv.status() == InventoryNumber.Status.POOLED && inv.poolId() != null;
          // a number cooling down after its pool was deleted still reaches the pool's tracking number, unattributed
          Optional<String> deletedPool = pooled ? Optional.empty() : inv.coolingDownFromPool(at);
          if (!pooled && deletedPool.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.<NumberRoute>empty());
          }
          String poolId = pooled ? inv.poolId() : deletedPool.get();
          return sharding.entityRefFor(NumberPool.ENTITY_KEY, poolId)
              .<NumberPool.Holder>ask(r -> new NumberPool.GetHolder(e164, at, r), timeout)
              .thenCompose(h -> {
                if (!h.inPool() || h.trackingNumber() == null || !h.operatorId().equals(inv.owner())
                    || (!pooled && !h.deleted())) {
                  return CompletableFuture.completedFuture(Optional.<NumberRoute>empty());
                }
                // the holds of a deleted pool ended with it: its last holder is noted, never attributed
                Instant attributedAt = pooled || h.slot() == null || at.isAfter(h.slot().heldUntil()) ? at
                    : h.slot().heldUntil();
                PhoneNumber dialled = PhoneNumbers.tryParse(e164).orElse(null);
                if (dialled == null) {
                  return CompletableFuture.completedFuture(Optional.<NumberRoute>empty());
                }
                return trackingRoute(h.trackingNumber()).thenApply(route -> route
                    .filter(r -> templateMatches(e164, poolId, h, r))
                    .map(r -> r.attributed(dialled, Attribution.forPool(poolId, h.slot(), attributedAt, zone))));
              });
        });
  }

  /**
   * Whether {@code template}, the current route of the pool's tracking number, may carry a call to pool number
   * {@code e164} (issue 5, defence in depth): its operator must be the pool's, and when the pool captured the tracking
   * number's owner at creation ({@link NumberPool.Settings#trackingClientId()}), its {@code client_id} and {@code
   * dialin_id} must still be those. Otherwise (the tracking number was deleted and created again, perhaps by another
   * advertiser) a warning is logged and the call gets no route: it is refused like an unknown number rather than
   * logged for, and forwarded to, another advertiser. Pure apart from the log.
   */
  static boolean templateMatches(String e164, String poolId, NumberPool.Holder pool, NumberRoute template) {
    boolean ok = template.operatorId().equals(pool.operatorId())
        && (pool.trackingClientId() == null || (pool.trackingClientId().equals(template.clientId())
            && Objects.equals(pool.trackingDialinId(), template.dialinId())));
    if (!ok) {
      LOG.warn("call to {} of pool {} refused: its tracking number {} now belongs to {}/{} ({}), not to the pool's "
          + "{}/{} ({}) it was created with", e164, poolId, pool.trackingNumber(), template.clientId(),
          template.dialinId(), template.operatorId(), pool.trackingClientId(), pool.trackingDialinId(),
          pool.operatorId());
    }
    return ok;
  }

  private CompletionStage<Optional<NumberRoute>> withAdvertiserRules(Optional<NumberRoute> found) {
    if (found.isEmpty() || found.get().judgment() != null) {
      return CompletableFuture.completedFuture(found);
    }
    NumberRoute route = found.get();
    String id;
    try {
      id = Advertiser.entityId(route.operatorId(), route.clientId());
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(found);
    }
    return sharding.entityRefFor(Advertiser.ENTITY_KEY, id)
        .<Advertiser.AdvertiserJudgment>askWithStatus(Advertiser.GetJudgment::new, timeout)
        .handle((j, failure) -> {
          if (failure != null) {
            LOG.warn("call to {} ({}) goes ahead without judgment rules: advertiser '{}' could not be read: {}",
                route.din().e164(), route.dialinId(), route.clientId(), failure.toString());
            return found;
          }
          return Optional.of(effective(route, j));
        });
  }

  /**
   * The route with the advertiser's rules applied: unchanged when it has its own rules or the advertiser has none.
   * Pure; the rule {@link #lookup} follows (issue 4: the number's own rules win).
   *
   * @param route the number's route
   * @param advertiser the advertiser's current rules, or null when it has none
   */
  static NumberRoute effective(NumberRoute route, Advertiser.AdvertiserJudgment advertiser) {
    if (route.judgment() != null || advertiser == null || advertiser.rules() == null) {
      return route;
    }
    return route.withAdvertiserJudgment(advertiser.rules(), advertiser.version());
  }
}
