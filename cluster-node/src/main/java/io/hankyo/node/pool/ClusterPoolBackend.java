package io.hankyo.node.pool;

import io.hankyo.api.ApiProblem;
import io.hankyo.api.PoolBackend;
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
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * {@link PoolBackend} over the sharded {@link NumberPool}, {@link PoolIndex} and {@link InventoryNumber} entities
 * (issue 5 pools).
 *
 * <p>Create: a new pool id ({@code pool-} + 16 hex digits); each number is pooled in the inventory
 * ({@link InventoryNumber.Pool}, {@value #PARALLELISM} at a time); when any is refused (not the operator's, not
 * available) the ones pooled are put back ({@link InventoryNumber.Unpool}) and the call fails with 409 naming each
 * refused number. Then the inventory listing shows them {@code pooled}, the pool is created and listed for the
 * operator. Assign checks the pool exists for the operator ({@link NumberPool.Exists}), claims the session id for the
 * pool ({@link PoolSessions}, the operator's bucket of session ids: a session id whose claim by another pool of the
 * operator still lives is refused with 409, nothing assigned), then asks the pool entity, which persists the
 * assignment before it answers. Both writes are batched per entity ({@code hankyo.pools.batch-window}).
 */
public final class ClusterPoolBackend implements PoolBackend {
  /** Numbers pooled at the same time. */
  public static final int PARALLELISM = 64;
  /** Session-id buckets per operator when not configured ({@code hankyo.pools.session-buckets}). */
  public static final int DEFAULT_SESSION_BUCKETS = 16;
  /** How long a session claim lives when not configured ({@code hankyo.pools.session-claim-ttl}). */
  public static final Duration DEFAULT_CLAIM_TTL = Duration.ofHours(48);

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Duration timeout;
  private final Clock clock;
  private final int sessionBuckets;

  /** Registers the entity types with sharding (idempotent); each assignment its own journal write. */
  public ClusterPoolBackend(ActorSystem<?> system, ClusterSharding sharding, Duration timeout, Clock clock) {
    this(system, sharding, timeout, Duration.ZERO, clock);
  }

  /** As the full constructor with {@value #DEFAULT_SESSION_BUCKETS} session buckets and a claim life of 48 h. */
  public ClusterPoolBackend(ActorSystem<?> system, ClusterSharding sharding, Duration timeout, Duration batchWindow,
      Clock clock) {
    this(system, sharding, timeout, batchWindow, DEFAULT_SESSION_BUCKETS, DEFAULT_CLAIM_TTL, clock);
  }

  /**
   * Registers the entity types with sharding (idempotent).
   *
   * @param batchWindow assignments of a pool gathered into one journal write ({@code hankyo.pools.batch-window}; zero:
   *     one write each); also the window of session claims
   * @param sessionBuckets {@link PoolSessions} entities per operator ({@code hankyo.pools.session-buckets}, ≥ 1; the
   *     same on every node, and not changed while claims live)
   * @param claimTtl how long a session claim lives after its last write ({@code hankyo.pools.session-claim-ttl}; more
   *     than the longest hold, 24 h)
   */
  public ClusterPoolBackend(ActorSystem<?> system, ClusterSharding sharding, Duration timeout, Duration batchWindow,
      int sessionBuckets, Duration claimTtl, Clock clock) {
    this.system = Objects.requireNonNull(system, "system");
    this.sharding = Objects.requireNonNull(sharding, "sharding");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (sessionBuckets < 1) {
      throw new IllegalArgumentException("sessionBuckets must be at least 1: " + sessionBuckets);
    }
    this.sessionBuckets = sessionBuckets;
    NumberPool.init(sharding, batchWindow);
    PoolIndex.init(sharding);
    PoolSessions.init(sharding, batchWindow, claimTtl);
    InventoryNumber.init(sharding);
    InventoryIndex.init(sharding);
  }

  /** One number's pooling: null error when pooled. */
  private record Pooling(PhoneNumber number, String error) {}

  @Override
  public CompletionStage<Pool> create(String operatorId, NewPool p) {
    String poolId = "pool-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    Instant now = clock.instant();
    return Source.from(p.numbers())
        .mapAsync(PARALLELISM, n -> sharding.entityRefFor(InventoryNumber.ENTITY_KEY, n.e164())
            .<StatusReply<Done>>ask(r -> new InventoryNumber.Pool(operatorId, poolId, now, r), timeout)
            .handle((reply, error) -> new Pooling(n, error != null ? "not answered; retry"
                : reply.isError() ? reply.getError().getMessage() : null)))
        .runWith(Sink.seq(), system)
        .thenCompose(results -> {
          List<String> refused = results.stream().filter(r -> r.error() != null)
              .map(r -> r.number().national() + " " + r.error()).toList();
          if (!refused.isEmpty()) {
            List<PhoneNumber> pooled = results.stream().filter(r -> r.error() == null).map(Pooling::number).toList();
            return Source.from(pooled)
                .mapAsync(PARALLELISM, n -> sharding.entityRefFor(InventoryNumber.ENTITY_KEY, n.e164())
                    .<StatusReply<Done>>ask(r -> new InventoryNumber.Unpool(operatorId, poolId, r), timeout))
                .runWith(Sink.ignore(), system)
                .<Pool>thenApply(x -> {
                  throw ApiProblem.conflict("numbers not pooled (each must be an available number of your "
                      + "inventory): " + String.join("; ", refused));
                });
          }
          List<InventoryIndex.Row> rows = p.numbers().stream().map(n -> new InventoryIndex.Row(n.e164(),
              n.national(), NumberRange.of(n).label(), InventoryNumber.Status.POOLED, null, null, null)).toList();
          NumberPool.Settings settings = new NumberPool.Settings(operatorId,
              NumberPool.Method.valueOf(p.method().toUpperCase(java.util.Locale.ROOT)),
              p.numbers().stream().map(PhoneNumber::e164).toList(), p.holdSec(), p.coolDownSec(),
              p.fallback().e164(), p.allowedOrigins());
          return sharding.entityRefFor(InventoryIndex.ENTITY_KEY, operatorId)
              .<StatusReply<Done>>ask(r -> new InventoryIndex.Put(rows, r), timeout)
              .thenCompose(x -> sharding.entityRefFor(NumberPool.ENTITY_KEY, poolId)
                  .<StatusReply<NumberPool.State>>ask(r -> new NumberPool.Create(settings, r), timeout))
              .thenCompose(created -> {
                if (created.isError()) {
                  throw ApiProblem.conflict(created.getError().getMessage());
                }
                return sharding.entityRefFor(PoolIndex.ENTITY_KEY, operatorId)
                    .<Done>ask(r -> new PoolIndex.Add(poolId, r), timeout)
                    .thenApply(x -> view(poolId, created.getValue()));
              });
        });
  }

  @Override
  public CompletionStage<List<Pool>> list(String operatorId) {
    return sharding.entityRefFor(PoolIndex.ENTITY_KEY, operatorId).ask(PoolIndex.Get::new, timeout)
        .thenCompose(ids -> Source.from(ids.poolIds())
            .mapAsync(8, id -> get(operatorId, id))
            .runWith(Sink.seq(), system))
        .thenApply(ArrayList::new);
  }

  @Override
  public CompletionStage<Pool> get(String operatorId, String poolId) {
    return sharding.entityRefFor(NumberPool.ENTITY_KEY, poolId)
        .<StatusReply<NumberPool.State>>ask(r -> new NumberPool.Get(operatorId, r), timeout)
        .thenApply(reply -> {
          if (reply.isError()) {
            throw ApiProblem.notFound("no pool " + poolId);
          }
          return view(poolId, reply.getValue());
        });
  }

  @Override
  public CompletionStage<Assignment> assign(String operatorId, String poolId, String sessionId,
      Map<String, String> params) {
    Instant now = clock.instant();
    // the pool must exist for the operator before the session is claimed for it
    return sharding.entityRefFor(NumberPool.ENTITY_KEY, poolId)
        .<StatusReply<Done>>ask(r -> new NumberPool.Exists(operatorId, r), timeout)
        .thenCompose(exists -> {
          if (exists.isError()) {
            throw ApiProblem.notFound("no pool " + poolId);
          }
          return sharding.entityRefFor(PoolSessions.ENTITY_KEY,
                  PoolSessions.entityId(operatorId, sessionId, sessionBuckets))
              .<StatusReply<Done>>ask(r -> new PoolSessions.Claim(sessionId, poolId, now, r), timeout);
        })
        .thenCompose(claim -> {
          if (claim.isError()) {
            throw ApiProblem.conflict(claim.getError().getMessage() + "; nothing was assigned");
          }
          return sharding.entityRefFor(NumberPool.ENTITY_KEY, poolId)
              .<StatusReply<NumberPool.Assignment>>ask(
                  r -> new NumberPool.Assign(operatorId, sessionId, params, now, r), timeout);
        })
        .thenApply(reply -> {
          if (reply.isError()) {
            throw ApiProblem.notFound("no pool " + poolId);
          }
          NumberPool.Assignment a = reply.getValue();
          return new Assignment(a.e164(), a.heldUntil(), a.fallback());
        });
  }

  private static Pool view(String poolId, NumberPool.State s) {
    List<Member> members = s.numbers().stream().map(e164 -> {
      NumberPool.Slot slot = s.slots().get(e164);
      return new Member(e164, slot == null ? null : slot.sessionId(), slot == null ? null : slot.heldUntil());
    }).toList();
    return new Pool(poolId, s.method().apiName(), members, s.holdSec(), s.coolDownSec(), s.fallbackE164(),
        s.settings().allowedOrigins(), s.assignments(), s.fallbacks(), s.exhausted());
  }

}
