package io.hankyo.node.callback;

import io.hankyo.api.ApiProblem;
import io.hankyo.api.CallbackBackend;
import io.hankyo.node.directory.TrackingNumber;
import io.hankyo.node.inventory.InventoryNumber;
import io.hankyo.node.inventory.InventoryRules;
import io.hankyo.protocol.number.PhoneNumber;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * {@link CallbackBackend} over the sharded {@link CallbackPool}, {@link CallbackNumber} and {@link TrackingNumber}
 * entities (issue 4, callback tracking).
 *
 * <p>A PUT checks every number: not a tracking number of any operator ({@link TrackingNumber.GetRoute} empty), then
 * claims it for the operator in its {@link CallbackNumber} entity (rejected when another operator's pool has it);
 * then a number of an inventory must be the operator's and {@code available} ({@link InventoryRules#refuseCallback}:
 * not pooled in a visitor pool, not cooling down; issue 5); a number in no inventory is allowed as before. Any refusal
 * is a 409 naming the numbers, and nothing changes (numbers claimed by that PUT alone are unclaimed again). Then the
 * pool is replaced and numbers that left it are unclaimed.
 *
 * <p>The per-number asks run with at most {@value #PARALLELISM} in flight ({@link BoundedAsks}): all at once, a
 * 1000-number PUT started 2000 entity recoveries together and the last ones ran out of their ask timeout on a slow
 * machine (503, nothing stored). Each ask keeps {@code timeout}; the PUT takes about numbers / parallelism ask times.
 */
public final class ClusterCallbackBackend implements CallbackBackend {
  /** Most per-number asks in flight during one PUT. */
  static final int PARALLELISM = 16;

  private final ClusterSharding sharding;
  private final Duration timeout;
  private final java.time.Clock clock;

  /** Registers the entity types with sharding (idempotent). @param timeout per ask */
  public ClusterCallbackBackend(ClusterSharding sharding, Duration timeout) {
    this(sharding, timeout, java.time.Clock.systemUTC());
  }

  /**
   * Registers the entity types with sharding (idempotent).
   *
   * @param timeout per ask
   * @param clock ends inventory cool-downs ({@code cooling_down} past its end is {@code available})
   */
  public ClusterCallbackBackend(ClusterSharding sharding, Duration timeout, java.time.Clock clock) {
    this.sharding = Objects.requireNonNull(sharding, "sharding");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.clock = Objects.requireNonNull(clock, "clock");
    InventoryNumber.init(sharding);
    CallbackPool.init(sharding);
    CallbackNumber.init(sharding);
    TrackingNumber.init(sharding);
  }

  @Override
  public CompletionStage<Pool> getPool(String operatorId) {
    return sharding.entityRefFor(CallbackPool.ENTITY_KEY, operatorId)
        .ask(CallbackPool.Get::new, timeout)
        .thenApply(v -> new Pool(v.numbers(), v.holdSec(), v.leased()));
  }

  @Override
  public CompletionStage<Pool> putPool(String operatorId, List<PhoneNumber> numbers, long holdSec) {
    return getPool(operatorId).thenCompose(before -> {
      Set<String> had = new HashSet<>();
      before.numbers().forEach(n -> had.add(n.e164()));
      return BoundedAsks.map(numbers, PARALLELISM, n -> check(operatorId, n)).thenCompose(checks -> {
        List<String> refused = checks.stream().filter(Objects::nonNull).toList();
        if (refused.isEmpty()) {
          return CompletableFuture.completedFuture(before);
        }
        // nothing changes: numbers claimed by this PUT alone are unclaimed again
        List<PhoneNumber> claimedHere = numbers.stream().filter(n -> !had.contains(n.e164())).toList();
        return BoundedAsks.map(claimedHere, PARALLELISM, n -> sharding.entityRefFor(CallbackNumber.ENTITY_KEY,
                n.e164()).<Done>ask(r -> new CallbackNumber.Unclaim(operatorId, r), timeout))
            .<Pool>thenApply(x -> {
              throw ApiProblem.conflict("these numbers cannot be callback numbers; nothing was changed: "
                  + String.join("; ", refused));
            });
      });
    }).thenCompose(before -> sharding.entityRefFor(CallbackPool.ENTITY_KEY, operatorId)
        .<org.apache.pekko.pattern.StatusReply<CallbackPool.PoolView>>ask(
            r -> new CallbackPool.Configure(numbers, holdSec, r), timeout)
        .thenCompose(reply -> {
          if (reply.isError()) {
            throw ApiProblem.invalid(reply.getError().getMessage());
          }
          Set<String> kept = new HashSet<>();
          numbers.forEach(n -> kept.add(n.e164()));
          List<PhoneNumber> left = before.numbers().stream().filter(old -> !kept.contains(old.e164())).toList();
          CallbackPool.PoolView v = reply.getValue();
          return BoundedAsks.map(left, PARALLELISM, old -> sharding.entityRefFor(CallbackNumber.ENTITY_KEY, old.e164())
                  .<Done>ask(r -> new CallbackNumber.Unclaim(operatorId, r), timeout))
              .thenApply(d -> new Pool(v.numbers(), v.holdSec(), v.leased()));
        }));
  }

  /**
   * Null when {@code n} may join the operator's pool (and is now claimed), else why not. The claim comes before the
   * inventory read: a visitor pool being created at the same time pools the number before it reads the claim
   * ({@code ClusterPoolBackend}), so at least one of the two sees the other and refuses.
   */
  private CompletionStage<String> check(String operatorId, PhoneNumber n) {
    return sharding.entityRefFor(TrackingNumber.ENTITY_KEY, n.e164())
        .ask(TrackingNumber.GetRoute::new, timeout)
        .thenCompose(route -> route.route().isPresent()
            ? CompletableFuture.completedFuture(n.national() + " is a tracking number")
            : sharding.entityRefFor(CallbackNumber.ENTITY_KEY, n.e164())
                .<org.apache.pekko.pattern.StatusReply<Done>>ask(r -> new CallbackNumber.Claim(operatorId, r), timeout)
                .thenCompose(reply -> reply.isError()
                    ? CompletableFuture.completedFuture(n.national() + " is " + reply.getError().getMessage())
                    : sharding.entityRefFor(InventoryNumber.ENTITY_KEY, n.e164())
                        .ask(InventoryNumber.Get::new, timeout)
                        .thenApply(st -> InventoryRules.refuseCallback(st, operatorId, clock.instant())
                            .map(why -> n.national() + " " + why).orElse(null))));
  }
}
