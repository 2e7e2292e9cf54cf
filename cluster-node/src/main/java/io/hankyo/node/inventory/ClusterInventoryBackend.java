package io.hankyo.node.inventory;

import io.hankyo.api.ApiProblem;
import io.hankyo.api.InventoryBackend;
import io.hankyo.node.directory.TrackingNumber;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.number.NumberRange;
import io.hankyo.protocol.number.PhoneNumber;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * {@link InventoryBackend} over the sharded {@link InventoryNumber} (authority per number) and {@link InventoryIndex}
 * (listing per operator) entities (issue 5), and the link of the inventory with static tracking numbers.
 *
 * <p>Import, per number and {@value #PARALLELISM} numbers at a time: a number that is already a tracking number of
 * another operator is refused (it is in use there); otherwise {@link InventoryNumber.Import} (refused when another
 * operator owns it). A number that is a tracking number of the importing operator becomes {@code assigned} to that
 * record. Then the numbers' rows are written to the operator's index in batches of {@value #INDEX_BATCH}. A number
 * whose index write failed is still owned and reported imported; importing it again (already_owned) rewrites its row.
 *
 * <p>Static assignment ({@link #assignStatic}/{@link #unassignStatic}, called by the tracking-number API): a number in
 * no inventory is not checked (backward compatible); a number in an inventory may become a tracking number only of
 * its owner and only when available; deleting the tracking number lets it cool down for {@code coolDown} (zero:
 * available at once).
 */
public final class ClusterInventoryBackend implements InventoryBackend {
  /** Numbers imported at the same time. */
  public static final int PARALLELISM = 64;
  /** Index rows per write. */
  public static final int INDEX_BATCH = 1000;

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Duration timeout;
  private final Duration coolDown;
  private final Clock clock;

  /**
   * Registers the entity types with sharding (idempotent).
   *
   * @param timeout per ask
   * @param coolDown how long a number cools down after its tracking number is deleted ({@code
   *     hankyo.inventory.cool-down}); zero: available at once
   */
  public ClusterInventoryBackend(ActorSystem<?> system, ClusterSharding sharding, Duration timeout, Duration coolDown,
      Clock clock) {
    this.system = Objects.requireNonNull(system, "system");
    this.sharding = Objects.requireNonNull(sharding, "sharding");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.coolDown = Objects.requireNonNull(coolDown, "coolDown");
    this.clock = Objects.requireNonNull(clock, "clock");
    InventoryNumber.init(sharding);
    InventoryIndex.init(sharding);
    TrackingNumber.init(sharding);
  }

  private EntityRef<InventoryNumber.Command> number(String e164) {
    return sharding.entityRefFor(InventoryNumber.ENTITY_KEY, e164);
  }

  private EntityRef<InventoryIndex.Command> index(String operatorId) {
    return sharding.entityRefFor(InventoryIndex.ENTITY_KEY, operatorId);
  }

  /** One number's import result and, unless refused, its index row. */
  private record Done1(PhoneNumber number, Result result, InventoryIndex.Row row) {}

  @Override
  public CompletionStage<Map<String, Result>> importNumbers(String operatorId, Map<PhoneNumber, NumberRange> numbers) {
    return Source.from(new ArrayList<>(numbers.entrySet()))
        .mapAsync(PARALLELISM, e -> importOne(operatorId, e.getKey(), e.getValue())
            .exceptionally(t -> new Done1(e.getKey(), new Result(Outcome.ERROR, "not imported (" + rootMessage(t)
                + "); retry the line"), null)))
        .grouped(INDEX_BATCH)
        .mapAsync(1, batch -> writeRows(operatorId, batch))
        .runWith(Sink.seq(), system)
        .thenApply(batches -> {
          Map<String, Result> out = new LinkedHashMap<>();
          batches.forEach(b -> b.forEach(d -> out.put(d.number().e164(), d.result())));
          return out;
        });
  }

  private CompletionStage<Done1> importOne(String operatorId, PhoneNumber n, NumberRange range) {
    return sharding.entityRefFor(TrackingNumber.ENTITY_KEY, n.e164())
        .ask(TrackingNumber.GetRoute::new, timeout)
        .thenCompose(route -> {
          NumberRoute r = route.route().orElse(null);
          if (r != null && !r.operatorId().equals(operatorId)) {
            return CompletableFuture.completedFuture(
                new Done1(n, new Result(Outcome.ERROR, "a tracking number of another operator"), null));
          }
          return number(n.e164())
              .<StatusReply<InventoryNumber.ImportResult>>ask(rt -> new InventoryNumber.Import(operatorId, rt),
                  timeout)
              .thenCompose(reply -> {
                if (reply.isError()) {
                  return CompletableFuture.completedFuture(
                      new Done1(n, new Result(Outcome.ERROR, lineError(reply.getError().getMessage())), null));
                }
                Outcome outcome = reply.getValue().outcome() == InventoryNumber.ImportOutcome.IMPORTED
                    ? Outcome.IMPORTED : Outcome.ALREADY_OWNED;
                if (r == null) {
                  return CompletableFuture.completedFuture(
                      new Done1(n, new Result(outcome, null), row(n, range, reply.getValue().state())));
                }
                return number(n.e164()).<StatusReply<Done>>ask(rt -> new InventoryNumber.Assign(
                        operatorId, r.clientId(), r.dialinId(), clock.instant(), rt), timeout)
                    .thenCompose(x -> number(n.e164()).ask(InventoryNumber.Get::new, timeout))
                    .thenApply(s -> new Done1(n, new Result(outcome, null), row(n, range, s)));
              });
        });
  }

  private CompletionStage<List<Done1>> writeRows(String operatorId, List<Done1> batch) {
    List<InventoryIndex.Row> rows = batch.stream().filter(d -> d.row() != null).map(Done1::row).toList();
    if (rows.isEmpty()) {
      return CompletableFuture.completedFuture(batch);
    }
    return index(operatorId).<StatusReply<Done>>ask(r -> new InventoryIndex.Put(rows, r), timeout)
        .handle((reply, error) -> {
          if (error == null && reply.isSuccess()) {
            return batch;
          }
          // the numbers are owned, but not listed: say so on their lines (importing again lists them)
          String why = error != null ? rootMessage(error) : reply.getError().getMessage();
          return batch.stream().map(d -> d.row() == null ? d : new Done1(d.number(), new Result(Outcome.ERROR,
              "owned but not listed (" + why + "); import the line again"), null)).toList();
        });
  }

  private static InventoryIndex.Row row(PhoneNumber n, NumberRange range, InventoryNumber.State s) {
    return new InventoryIndex.Row(n.e164(), n.national(), range.label(), s.status(), s.clientId(), s.dialinId(),
        s.until(), s.status() == InventoryNumber.Status.POOLED ? s.poolId() : null);
  }

  @Override
  public CompletionStage<Page> list(String operatorId, String state, NumberRange range, String afterE164,
      int limit) {
    InventoryNumber.Status status = state == null ? null
        : InventoryNumber.Status.valueOf(state.toUpperCase(java.util.Locale.ROOT));
    Instant now = clock.instant();
    return index(operatorId).<InventoryIndex.Page>ask(r -> new InventoryIndex.ListRows(status, range == null ? null : range.label(),
            afterE164, limit, now, r), timeout)
        .thenApply(p -> {
          List<Entry> entries = p.rows().stream().map(r -> {
            InventoryNumber.Status st = r.effective(now);
            return new Entry(r.e164(), r.national(), r.range(), st.apiName(), r.clientId(), r.dialinId(),
                st == r.status() ? r.until() : null, st == InventoryNumber.Status.POOLED ? r.poolId() : null);
          }).toList();
          return new Page(entries, p.more() && !entries.isEmpty() ? entries.get(entries.size() - 1).e164() : null);
        });
  }

  /**
   * Before {@code number} becomes tracking number {@code clientId}/{@code dialinId} of {@code operatorId}: a number in
   * no inventory passes unchanged; an inventory number becomes {@code assigned}, or the stage fails with
   * {@link ApiProblem} 409 (another operator's, or not available).
   */
  public CompletionStage<Done> assignStatic(String operatorId, String clientId, String dialinId, PhoneNumber number) {
    return number(number.e164()).ask(InventoryNumber.Get::new, timeout).thenCompose(s -> {
      if (!s.owned()) {
        return CompletableFuture.completedFuture(Done.getInstance());
      }
      return number(number.e164()).<StatusReply<Done>>ask(r -> new InventoryNumber.Assign(
          operatorId, clientId, dialinId, clock.instant(), r), timeout).thenCompose(reply -> {
            if (reply.isError()) {
              throw ApiProblem.conflict(number.national() + " " + reply.getError().getMessage());
            }
            return reindex(number);
          });
    });
  }

  /**
   * After tracking number {@code clientId}/{@code dialinId} with {@code number} was deleted (or its creation failed:
   * {@code failedCreate}, then available at once): an inventory number assigned to it cools down for the configured
   * time; any other number is left alone.
   */
  public CompletionStage<Done> unassignStatic(String operatorId, String clientId, String dialinId, PhoneNumber number,
      boolean failedCreate) {
    Instant until = failedCreate || coolDown.isZero() ? null : clock.instant().plus(coolDown);
    return number(number.e164()).<StatusReply<Done>>ask(r -> new InventoryNumber.Unassign(
        operatorId, clientId, dialinId, until, r), timeout).thenCompose(x -> reindex(number));
  }

  /** Rewrites the number's index row from its entity (no-op for a number in no inventory). */
  private CompletionStage<Done> reindex(PhoneNumber number) {
    return number(number.e164()).ask(InventoryNumber.Get::new, timeout).thenCompose(s -> {
      if (!s.owned()) {
        return CompletableFuture.completedFuture(Done.getInstance());
      }
      NumberRange range = NumberRange.of(number);
      return index(s.owner()).<StatusReply<Done>>ask(r -> new InventoryIndex.Put(List.of(row(number, range, s)), r),
          timeout).thenApply(x -> Done.getInstance());
    });
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  /** A refusal of {@link InventoryRules} as an import line's error: the line names the number, so no leading verb. */
  private static String lineError(String refusal) {
    return refusal.startsWith("is ") ? refusal.substring(3) : refusal;
  }
}
