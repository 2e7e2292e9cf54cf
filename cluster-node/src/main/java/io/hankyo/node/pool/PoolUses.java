package io.hankyo.node.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;

/**
 * Which live pools of an operator use given tracking numbers as their {@code tracking_number} or
 * {@code fallback_number} (issue 5, attribution and the fallback number). Asked before an intermediate binding is
 * stored and when a call to a bound number is attributed (a fallback number is never bound nor attributed to a
 * binding: {@link #fallbackPools}), and before a tracking number or an
 * advertiser is deleted ({@code DELETE /v1/advertisers/{client_id}/numbers/{dialin_id}}, {@code DELETE
 * /v1/advertisers/{client_id}}): such a deletion is refused with 409 while a live pool uses the number, because the
 * pool would go on handing out numbers whose calls follow the tracking number to whoever owns it next (or are lost).
 *
 * <p>Costs one {@link PoolIndex.Get} of the operator and one {@link NumberPool.Find} (the settings) per live pool of
 * the operator: rare for deletions and bindings; on a call, only for a number that has bindings (the intermediate
 * method, whose operators keep their pools on their own side, so they have few pools here). A pool that does not answer in time fails the stage with its {@code TimeoutException} (the deletion is then
 * not made: the API answers 503 and the client retries). Deleted pools are not asked (they are no longer in the
 * index's live list). Thread-safe.
 */
public final class PoolUses {
  private final ClusterSharding sharding;
  private final Duration timeout;

  /** One pool using one of the numbers: its id and how ({@code tracking_number}, {@code fallback_number}). */
  public record Use(String poolId, String number, String as) {}

  /**
   * Registers the pool entities with sharding if not done yet.
   *
   * @param system the node's actor system ({@code hankyo.pools.batch-window} is read for {@link NumberPool#init})
   * @param sharding the node's sharding
   * @param timeout per ask
   */
  public PoolUses(ActorSystem<?> system, ClusterSharding sharding, Duration timeout) {
    this.sharding = Objects.requireNonNull(sharding, "sharding");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    var config = system.settings().config();
    // idempotent: whichever registers first (this, NumberRoutes or ClusterPoolBackend) uses the configured window
    NumberPool.init(system, sharding);
    PoolIndex.init(sharding);
  }

  /**
   * The uses of {@code e164s} (E.164 numbers) by live pools of {@code operatorId}, in pool-id order; empty when none.
   */
  public CompletionStage<List<Use>> of(String operatorId, Collection<String> e164s) {
    if (e164s.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    Set<String> numbers = Set.copyOf(e164s);
    return sharding.entityRefFor(PoolIndex.ENTITY_KEY, operatorId)
        .ask(PoolIndex.Get::new, timeout)
        .thenCompose(index -> {
          List<CompletableFuture<List<Use>>> asks = new ArrayList<>();
          for (String poolId : new TreeSet<>(index.poolIds())) {
            // the settings only (Find), not the pool's state with every slot: this runs on each call to a bound number
            asks.add(sharding.entityRefFor(NumberPool.ENTITY_KEY, poolId)
                .<StatusReply<NumberPool.Settings>>ask(NumberPool.Find::new, timeout)
                .thenApply(reply -> reply.isError() || !operatorId.equals(reply.getValue().operatorId())
                    ? List.<Use>of() : uses(poolId, reply.getValue(), numbers))
                .toCompletableFuture());
          }
          return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
              .thenApply(x -> asks.stream().flatMap(a -> a.join().stream()).toList());
        });
  }

  /** The uses of {@code numbers} by pool {@code poolId} in state {@code s} (none when deleted or not created). */
  static List<Use> uses(String poolId, NumberPool.State s, Set<String> numbers) {
    return !s.created() || s.deleted() ? List.of() : uses(poolId, s.settings(), numbers);
  }

  /** The uses of {@code numbers} by live pool {@code poolId} with settings {@code s}. */
  static List<Use> uses(String poolId, NumberPool.Settings s, Set<String> numbers) {
    List<Use> out = new ArrayList<>();
    String tracking = s.trackingNumber();
    if (tracking != null && numbers.contains(tracking)) {
      out.add(new Use(poolId, tracking, "tracking_number"));
    }
    if (numbers.contains(s.fallbackE164())) {
      out.add(new Use(poolId, s.fallbackE164(), "fallback_number"));
    }
    return out;
  }

  /**
   * The ids of the pools in {@code uses} that use a number as their {@code fallback_number}, in the order of {@code
   * uses}, each once. Pure.
   */
  public static List<String> fallbackPools(List<Use> uses) {
    return uses.stream().filter(u -> u.as().equals("fallback_number")).map(Use::poolId).distinct().toList();
  }

  /**
   * The 409 detail of an intermediate binding refused because {@code number} is the fallback number of {@code
   * poolIds} (not empty), e.g. {@code "0120-999-999 is the fallback_number of pool pool-1; …; nothing was bound"}.
   * Every visitor who finds a pool exhausted is shown the fallback number, so a binding of it would credit all their
   * calls to one visit (issue 5, attribution: the fallback number gets no attribution keys).
   */
  public static String bindingRefusal(String number, List<String> poolIds) {
    return number + " is the fallback_number of pool" + (poolIds.size() > 1 ? "s " : " ") + String.join(", ", poolIds)
        + ": every visitor who finds " + (poolIds.size() > 1 ? "those pools" : "that pool")
        + " exhausted is shown it, so its calls are not attributed to one visit; bind another tracking number, or "
        + "give the pool" + (poolIds.size() > 1 ? "s" : "") + " another fallback number; nothing was bound";
  }

  /**
   * The 409 detail of a deletion refused for {@code uses} (not empty), e.g. {@code "0120-333-444 is the
   * tracking_number of pool pool-1; delete pool pool-1 first (DELETE /v1/pools/pool-1)"}.
   *
   * @param what what was to be deleted ({@code "tracking number d-1"}, {@code "advertiser shop-2"})
   */
  public static String refusal(String what, List<Use> uses) {
    List<String> parts = new ArrayList<>();
    for (Use u : uses) {
      String national = io.hankyo.protocol.number.PhoneNumbers.tryParse(u.number())
          .map(io.hankyo.protocol.number.PhoneNumber::national).orElse(u.number());
      parts.add(national + " is the " + u.as() + " of pool " + u.poolId());
    }
    List<String> pools = uses.stream().map(Use::poolId).distinct().toList();
    return what + " cannot be deleted: " + String.join("; ", parts) + "; delete pool" + (pools.size() > 1 ? "s " : " ")
        + String.join(", ", pools) + " first (DELETE /v1/pools/{pool_id}); nothing was deleted";
  }
}
