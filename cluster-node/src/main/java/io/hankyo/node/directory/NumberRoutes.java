package io.hankyo.node.directory;

import io.hankyo.node.callback.CallbackNumbers;
import io.hankyo.node.callback.CallbackRoutes;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import java.time.Duration;
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
 */
public final class NumberRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(NumberRoutes.class);
  private final ClusterSharding sharding;
  private final Duration timeout;
  private final CallbackNumbers callbacks;
  private final CallerNumberCipher cipher;

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
    this.callbacks = null;
    this.cipher = null;
  }

  private NumberRoutes(NumberRoutes base, CallbackNumbers callbacks, CallerNumberCipher cipher) {
    this.sharding = base.sharding;
    this.timeout = base.timeout;
    this.callbacks = Objects.requireNonNull(callbacks, "callbacks");
    this.cipher = Objects.requireNonNull(cipher, "cipher");
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
   * @return the route, or empty when the number is neither a tracking number nor (with {@link #withCallbacks}) a
   *     callback number with an active lease; fails with a {@code TimeoutException}
   *     when the entity does not answer in time
   */
  public CompletionStage<Optional<NumberRoute>> lookup(String e164) {
    if (!TrackingNumber.isE164(e164)) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return sharding.entityRefFor(TrackingNumber.ENTITY_KEY, e164)
        .ask(TrackingNumber.GetRoute::new, timeout)
        .thenApply(TrackingNumber.Route::route)
        .thenCompose(this::withAdvertiserRules)
        .thenCompose(route -> route.isPresent() || callbacks == null
            ? CompletableFuture.completedFuture(route)
            : callbacks.activeLease(e164).thenApply(lease -> lease.flatMap(
                l -> CallbackRoutes.routeOf(l, l.number(), cipher))));
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
