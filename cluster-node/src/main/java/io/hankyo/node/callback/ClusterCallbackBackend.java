package io.hankyo.node.callback;

import io.hankyo.api.ApiProblem;
import io.hankyo.api.CallbackBackend;
import io.hankyo.node.directory.TrackingNumber;
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
 * any refusal is a 409 naming the numbers. Then the pool is replaced and numbers that left it are unclaimed. A PUT
 * that fails with 409 leaves the numbers it claimed claimed by the same operator (a later PUT without them releases
 * them).
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

  /** Registers the entity types with sharding (idempotent). @param timeout per ask */
  public ClusterCallbackBackend(ClusterSharding sharding, Duration timeout) {
    this.sharding = Objects.requireNonNull(sharding, "sharding");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
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
    return BoundedAsks.map(numbers, PARALLELISM, n -> check(operatorId, n)).thenCompose(checks -> {
      List<String> refused = checks.stream().filter(Objects::nonNull).toList();
      if (!refused.isEmpty()) {
        throw ApiProblem.conflict("these numbers cannot be callback numbers: " + String.join("; ", refused));
      }
      return getPool(operatorId);
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

  /** Null when {@code n} may join the operator's pool (and is now claimed), else why not. */
  private CompletionStage<String> check(String operatorId, PhoneNumber n) {
    return sharding.entityRefFor(TrackingNumber.ENTITY_KEY, n.e164())
        .ask(TrackingNumber.GetRoute::new, timeout)
        .thenCompose(route -> route.route().isPresent()
            ? CompletableFuture.completedFuture(n.national() + " is a tracking number")
            : sharding.entityRefFor(CallbackNumber.ENTITY_KEY, n.e164())
                .<org.apache.pekko.pattern.StatusReply<Done>>ask(r -> new CallbackNumber.Claim(operatorId, r), timeout)
                .thenApply(reply -> reply.isError() ? n.national() + " is " + reply.getError().getMessage() : null));
  }
}
