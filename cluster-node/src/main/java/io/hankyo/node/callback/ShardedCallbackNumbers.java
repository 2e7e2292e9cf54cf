package io.hankyo.node.callback;

import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.privacy.EncryptedValue;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * {@link CallbackNumbers} over the sharded {@link CallbackPool} (per operator) and {@link CallbackNumber} (per
 * number) entities. A lease is asked of the pool, then recorded in the number's entity, then answered; when the second
 * ask fails the stage fails and a retry with the same {@code trn_id} gets the same lease and records it again.
 */
public final class ShardedCallbackNumbers implements CallbackNumbers {
  private final ClusterSharding sharding;
  private final Duration timeout;
  private final Clock clock;

  /**
   * Registers both entity types with sharding (idempotent).
   *
   * @param timeout per ask
   * @param clock decides whether a lease is still active when a call arrives
   */
  public ShardedCallbackNumbers(ClusterSharding sharding, Duration timeout, Clock clock) {
    this.sharding = Objects.requireNonNull(sharding, "sharding");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.clock = Objects.requireNonNull(clock, "clock");
    CallbackPool.init(sharding);
    CallbackNumber.init(sharding);
  }

  @Override
  public CompletionStage<LeaseResult> lease(String operatorId, String trnId, String clientId, String dialinId,
      EncryptedValue callerCipher) {
    if (callerCipher == null) {
      return CompletableFuture.completedFuture(new LeaseResult.NoCaller());
    }
    return sharding.entityRefFor(CallbackPool.ENTITY_KEY, operatorId)
        .<CallbackPool.Granted>ask(r -> new CallbackPool.Lease(trnId, clientId, dialinId, callerCipher, r), timeout)
        .thenCompose(g -> g.lease() == null
            ? CompletableFuture.completedFuture(g.result())
            : sharding.entityRefFor(CallbackNumber.ENTITY_KEY, g.lease().number().e164())
                .<org.apache.pekko.Done>ask(r -> new CallbackNumber.Assign(g.lease(), r), timeout)
                .thenApply(done -> g.result()));
  }

  @Override
  public CompletionStage<Optional<PhoneNumber>> release(String operatorId, String trnId) {
    return sharding.entityRefFor(CallbackPool.ENTITY_KEY, operatorId)
        .<CallbackPool.Released>ask(r -> new CallbackPool.Release(trnId, r), timeout)
        .thenCompose(rel -> rel.number().isEmpty()
            ? CompletableFuture.completedFuture(rel.number())
            : sharding.entityRefFor(CallbackNumber.ENTITY_KEY, rel.number().get().e164())
                .<org.apache.pekko.Done>ask(r -> new CallbackNumber.Clear(trnId, r), timeout)
                .thenApply(d -> rel.number()));
  }

  @Override
  public CompletionStage<Optional<CallbackLease>> activeLease(String e164) {
    return sharding.entityRefFor(CallbackNumber.ENTITY_KEY, e164)
        .ask(CallbackNumber.GetLease::new, timeout)
        .thenApply(c -> c.lease().filter(l -> l.activeAt(clock.instant())));
  }
}
