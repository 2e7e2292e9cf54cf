package io.hankyo.node.pool;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.typesafe.config.Config;
import io.hankyo.protocol.JsonSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import scala.Option;

/**
 * A shared assignment log of number pools (issue 5 performance: "each assignment persisted before it is answered
 * (batch the writes: many assignments per journal write)"). With many pools each pool sees few assignments per
 * millisecond, so a pool's own journal write holds about one (measured in stop 16: 100 pools, ~6,000 journal writes
 * per second, a third of the node's CPU in the write path). A pool therefore writes its decided assignments here
 * first ({@link Append}); the log gathers the appends of all its pools that arrive while its previous write runs (group
 * commit) into ONE journal row ({@link Written}) and answers each pool once it is written; the pool then answers its
 * visitors and writes the assignments to its own journal later, many per row ({@link NumberPool}), and confirms them
 * here ({@link Confirm}). Entity id = the log's number ({@link Logs#logFor}); a pool's entries stay in the state until
 * it confirms them, so that a pool started again (crash, rebalance, passivation) reads the assignments its own journal
 * misses ({@link Unwritten}) before it answers anything.
 *
 * <p>Per pool the log keeps the count of the last assignment it holds ({@link PoolEntries#lastCount}): an append must
 * continue it (its {@code first_count} is that count + 1), else it is refused ({@link Appended#accepted} false, nothing
 * written). This fences appends of an earlier incarnation of the pool still travelling when the pool was started
 * again: the pool whose append is refused stops and is started again, reading what the log holds. A confirmation also
 * raises the count (a pool that wrote its own journal directly meanwhile continues from there).
 *
 * <p>Confirmations are written with the next appends, or alone {@link #CONFIRM_WINDOW} after they arrive when no append
 * comes. Snapshots every {@value #SNAPSHOT_EVERY} events (2 kept): the state is the unconfirmed entries (about one pool
 * write interval of assignments) and one count per pool. Events are kept (analysts replay them as any journal).
 */
public final class AssignmentLog extends EventSourcedBehaviorWithEnforcedReplies<AssignmentLog.Command,
    AssignmentLog.Event, AssignmentLog.State> {

  /** Sharding key of the entity type. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "PoolAssignmentLog");
  /** Most appends in one journal write. */
  public static final int MAX_BATCH = 500;
  /** Events between snapshots (2 kept). */
  public static final int SNAPSHOT_EVERY = 2000;
  /** How long confirmations wait for appends to be written with before they are written alone. */
  public static final Duration CONFIRM_WINDOW = Duration.ofSeconds(2);

  /**
   * Where the logs are and how pools use them ({@code hankyo.pools.assignment-log}).
   *
   * @param logs how many logs the pools are spread over (by pool id hash); 0: pools write their own journal directly
   *     (one write per pool batch, as before the log existed; the logs are still read by pools that used them)
   * @param refs the log entity of a log id (sharding in a node, a spawned actor in tests)
   * @param askTimeout how long a pool waits for the log's answer (then it answers its visitors with an error and is
   *     started again)
   * @param poolWriteInterval how long a pool's log-acknowledged assignments wait before they are written to its own
   *     journal (one row for all of them; also at {@link NumberPool#MAX_UNWRITTEN})
   */
  public record Logs(int logs, Function<String, RecipientRef<Command>> refs, Duration askTimeout,
      Duration poolWriteInterval) {
    public Logs {
      if (logs < 0) {
        throw new IllegalArgumentException("logs must not be negative: " + logs);
      }
      Objects.requireNonNull(refs, "refs");
      Objects.requireNonNull(askTimeout, "askTimeout");
      Objects.requireNonNull(poolWriteInterval, "poolWriteInterval");
    }

    /** The id of the log pool {@code poolId} writes to, null when pools write their own journal ({@code logs} 0). */
    public String logFor(String poolId) {
      return logs == 0 ? null : Integer.toString(Math.floorMod(poolId.hashCode(), logs));
    }

    /** The log entity {@code logId}. */
    public RecipientRef<Command> ref(String logId) {
      return refs.apply(logId);
    }

    /**
     * The logs of a node: {@code hankyo.pools.assignment-log.logs}, {@code .ask-timeout}, {@code .pool-write-interval}
     * of {@code config} (defaults 2, 2 s, 500 ms when absent), reached through {@code sharding}.
     */
    public static Logs of(Config config, ClusterSharding sharding) {
      String p = "hankyo.pools.assignment-log.";
      int logs = config.hasPath(p + "logs") ? config.getInt(p + "logs") : 2;
      Duration ask = config.hasPath(p + "ask-timeout") ? config.getDuration(p + "ask-timeout") : Duration.ofSeconds(2);
      Duration write = config.hasPath(p + "pool-write-interval") ? config.getDuration(p + "pool-write-interval")
          : Duration.ofMillis(500);
      return new Logs(logs, id -> sharding.entityRefFor(ENTITY_KEY, id), ask, write);
    }
  }

  /** Commands. */
  public sealed interface Command extends JsonSerializable {}

  /**
   * Writes {@code events}, the assignments number {@code firstCount} … {@code firstCount + events.size() - 1} of pool
   * {@code poolId} (counted as {@link NumberPool.State#assignments()}), then answers {@link Appended}.
   */
  public record Append(@JsonProperty("pool_id") String poolId, @JsonProperty("first_count") long firstCount,
      @JsonProperty("events") List<NumberPool.Assigned> events,
      @JsonProperty("reply_to") ActorRef<Appended> replyTo) implements Command {
    @JsonCreator
    public Append {
      events = List.copyOf(events);
    }
  }

  /**
   * Reply to {@link Append}.
   *
   * @param accepted whether the events were written (false: they did not continue the pool's count; nothing written)
   * @param lastCount the count of the pool's last assignment in the log after the append (-1: none known)
   */
  public record Appended(@JsonProperty("accepted") boolean accepted, @JsonProperty("last_count") long lastCount)
      implements JsonSerializable {
    @JsonCreator
    public Appended {}
  }

  /**
   * The assignments of pool {@code poolId} up to count {@code upToCount} are in its own journal: they leave the log's
   * state (not its journal). No reply.
   */
  public record Confirm(@JsonProperty("pool_id") String poolId, @JsonProperty("up_to_count") long upToCount)
      implements Command {
    @JsonCreator
    public Confirm {}
  }

  /** Reads the written, unconfirmed assignments of {@code poolId} after count {@code afterCount}. */
  public record Unwritten(@JsonProperty("pool_id") String poolId, @JsonProperty("after_count") long afterCount,
      @JsonProperty("reply_to") ActorRef<Entries> replyTo) implements Command {
    @JsonCreator
    public Unwritten {}
  }

  /**
   * Reply to {@link Unwritten}: the assignments after the asked count, in order (the first is number {@code afterCount
   * + 1}), possibly none.
   */
  public record Entries(@JsonProperty("events") List<NumberPool.Assigned> events) implements JsonSerializable {
    @JsonCreator
    public Entries {
      events = List.copyOf(events);
    }
  }

  /** Internal: write what waits (appends and confirmations). */
  public record Flush() implements Command {
    @JsonCreator
    public Flush {}
  }

  /** Internal (the sharding stop message): write what waits, then stop. */
  public record Stop() implements Command {
    @JsonCreator
    public Stop {}
  }

  /** Events. */
  public sealed interface Event extends JsonSerializable {}

  /**
   * Assignments of one pool, number {@code firstCount} onwards.
   *
   * @param poolId the pool
   * @param firstCount the count of the first ({@link NumberPool.State#assignments()} after it)
   * @param events the assignments, in the order decided
   */
  public record Batch(@JsonProperty("pool_id") String poolId, @JsonProperty("first_count") long firstCount,
      @JsonProperty("events") List<NumberPool.Assigned> events) implements JsonSerializable {
    @JsonCreator
    public Batch {
      events = List.copyOf(events);
    }

    /** The count of the last assignment. */
    public long lastCount() {
      return firstCount + events.size() - 1;
    }
  }

  /**
   * One journal row: appends of any pools, in the order they arrived, and confirmations (pool id → count up to which
   * its assignments are in its own journal).
   */
  public record Written(@JsonProperty("appends") List<Batch> appends,
      @JsonProperty("confirmed") Map<String, Long> confirmed) implements Event {
    @JsonCreator
    public Written {
      appends = appends == null ? List.of() : List.copyOf(appends);
      confirmed = confirmed == null ? Map.of() : Map.copyOf(confirmed);
    }
  }

  /**
   * What the log holds of one pool.
   *
   * @param lastCount the count of the pool's last assignment written or confirmed here
   * @param unconfirmed the written batches not yet confirmed, in order
   */
  public record PoolEntries(@JsonProperty("last_count") long lastCount,
      @JsonProperty("unconfirmed") List<Batch> unconfirmed) implements JsonSerializable {
    @JsonCreator
    public PoolEntries {
      unconfirmed = unconfirmed == null ? List.of() : List.copyOf(unconfirmed);
    }

    PoolEntries append(Batch b) {
      List<Batch> out = new ArrayList<>(unconfirmed.size() + 1);
      out.addAll(unconfirmed);
      out.add(b);
      return new PoolEntries(b.lastCount(), out);
    }

    PoolEntries confirm(long upTo) {
      List<Batch> out = new ArrayList<>(unconfirmed.size());
      for (Batch b : unconfirmed) {
        if (b.lastCount() > upTo) {
          out.add(b);
        }
      }
      return new PoolEntries(Math.max(lastCount, upTo), out);
    }

    /** The assignments after count {@code afterCount}, in order. */
    List<NumberPool.Assigned> after(long afterCount) {
      List<NumberPool.Assigned> out = new ArrayList<>();
      for (Batch b : unconfirmed) {
        for (int i = 0; i < b.events().size(); i++) {
          if (b.firstCount() + i > afterCount) {
            out.add(b.events().get(i));
          }
        }
      }
      return out;
    }
  }

  /**
   * State: per pool id what the log holds (a persistent map: a write updates a few pools without copying the others).
   */
  public record State(@JsonProperty("pools") scala.collection.immutable.HashMap<String, PoolEntries> pools)
      implements JsonSerializable {
    @JsonCreator
    public State {
      pools = pools == null ? scala.collection.immutable.HashMap$.MODULE$.<String, PoolEntries>empty() : pools;
    }

    /** What the log holds of {@code poolId}, null when nothing. */
    public PoolEntries of(String poolId) {
      Option<PoolEntries> e = pools.get(poolId);
      return e.isDefined() ? e.get() : null;
    }

    /** The count of the last assignment of {@code poolId} here, -1 when none. */
    public long lastCount(String poolId) {
      PoolEntries e = of(poolId);
      return e == null ? -1 : e.lastCount();
    }

    /** How many assignments wait for their pool's confirmation. */
    public long unconfirmed() {
      long n = 0;
      scala.collection.Iterator<PoolEntries> it = pools.valuesIterator();
      while (it.hasNext()) {
        for (Batch b : it.next().unconfirmed()) {
          n += b.events().size();
        }
      }
      return n;
    }
  }

  /** Registers the entity type with sharding (idempotent). */
  public static void init(ClusterSharding sharding) {
    sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId())).withStopMessage(new Stop()));
  }

  /** The log {@code logId}, group commit: a write starts once the appends already waiting have joined it. */
  public static Behavior<Command> create(String logId) {
    return create(logId, Duration.ZERO);
  }

  /**
   * The log {@code logId} gathering appends for {@code window} after the first of a row (zero: group commit; appends
   * arriving during a write always form the next row).
   */
  public static Behavior<Command> create(String logId, Duration window) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new AssignmentLog(logId, window, timers,
        ctx.getSelf())));
  }

  private static final Object CONFIRM_TIMER = "confirm";
  private final TimerScheduler<Command> timers;
  /** Appends waiting for the next write, in arrival order. */
  private final WriteBatch<Append, Command> pending;
  /** The last count per pool of {@link #pending} (read before the state's by the continuity check). */
  private final Map<String, Long> pendingLast = new HashMap<>();
  /** Confirmations waiting for the next write. */
  private final Map<String, Long> pendingConfirms = new HashMap<>();

  private AssignmentLog(String logId, Duration window, TimerScheduler<Command> timers, ActorRef<Command> self) {
    super(PersistenceId.of(ENTITY_KEY.name(), logId));
    this.timers = timers;
    this.pending = new WriteBatch<>(MAX_BATCH, window, timers, self, Flush::new);
  }

  @Override
  public State emptyState() {
    return new State(null);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Append.class, this::onAppend)
        .onCommand(Confirm.class, this::onConfirm)
        .onCommand(Unwritten.class, (s, c) -> {
          PoolEntries e = s.of(c.poolId());
          return Effect().reply(c.replyTo(), new Entries(e == null ? List.of() : e.after(c.afterCount())));
        })
        .onCommand(Flush.class, (s, c) -> flush())
        .onCommand(Stop.class, (s, c) -> {
          Written w = take();
          return w == null ? Effect().stop().thenNoReply()
              : Effect().persist(w).thenRun(st -> answer(w, st)).thenStop().thenNoReply();
        })
        .build();
  }

  /** The count an append of {@code poolId} must continue: pending appends and confirmations first. */
  private long expectedLast(State s, String poolId) {
    Long last = pendingLast.get(poolId);
    long out = last != null ? last : s.lastCount(poolId);
    Long confirmed = pendingConfirms.get(poolId);
    return confirmed != null ? Math.max(out, confirmed) : out;
  }

  private ReplyEffect<Event, State> onAppend(State s, Append c) {
    if (c.events().isEmpty()) {
      return Effect().reply(c.replyTo(), new Appended(true, expectedLast(s, c.poolId())));
    }
    long last = expectedLast(s, c.poolId());
    if (last >= 0 && c.firstCount() != last + 1) {
      return Effect().reply(c.replyTo(), new Appended(false, last));
    }
    pendingLast.put(c.poolId(), c.firstCount() + c.events().size() - 1);
    return pending.add(c) ? flush() : Effect().noReply();
  }

  private ReplyEffect<Event, State> onConfirm(State s, Confirm c) {
    pendingConfirms.merge(c.poolId(), c.upToCount(), Math::max);
    if (pending.isEmpty() && !timers.isTimerActive(CONFIRM_TIMER)) {
      timers.startSingleTimer(CONFIRM_TIMER, new Flush(), CONFIRM_WINDOW);
    }
    return Effect().noReply();
  }

  /** The row for what waits, null when nothing; what waits is cleared. */
  private Written take() {
    List<Append> appends = pending.take();
    if (appends.isEmpty() && pendingConfirms.isEmpty()) {
      return null;
    }
    List<Batch> batches = new ArrayList<>(appends.size());
    for (Append a : appends) {
      batches.add(new Batch(a.poolId(), a.firstCount(), a.events()));
    }
    Written w = new Written(batches, pendingConfirms);
    pendingConfirms.clear();
    pendingLast.clear();
    timers.cancel(CONFIRM_TIMER);
    pendingReplies.clear();
    for (Append a : appends) {
      pendingReplies.add(a.replyTo());
    }
    return w;
  }

  /** The askers of the appends of the row being written, in its order. */
  private final List<ActorRef<Appended>> pendingReplies = new ArrayList<>();

  private void answer(Written w, State st) {
    for (int i = 0; i < w.appends().size(); i++) {
      Batch b = w.appends().get(i);
      pendingReplies.get(i).tell(new Appended(true, b.lastCount()));
    }
    pendingReplies.clear();
  }

  /** Writes what waits (nothing when nothing does); answers the appends once written. */
  private ReplyEffect<Event, State> flush() {
    Written w = take();
    if (w == null) {
      return Effect().noReply();
    }
    // commands arriving while the write runs are stashed: the next row gathers them
    return Effect().persist(w).thenRun(st -> answer(w, st)).thenNoReply();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Written.class, AssignmentLog::apply)
        .build();
  }

  /** The state after {@code w}: its appends added, then its confirmations applied. */
  static State apply(State s, Written w) {
    scala.collection.immutable.HashMap<String, PoolEntries> pools = s.pools();
    for (Batch b : w.appends()) {
      Option<PoolEntries> e = pools.get(b.poolId());
      PoolEntries before = e.isDefined() ? e.get() : new PoolEntries(-1, List.of());
      pools = pools.updated(b.poolId(), before.append(b));
    }
    for (Map.Entry<String, Long> c : w.confirmed().entrySet()) {
      Option<PoolEntries> e = pools.get(c.getKey());
      PoolEntries before = e.isDefined() ? e.get() : new PoolEntries(-1, List.of());
      pools = pools.updated(c.getKey(), before.confirm(c.getValue()));
    }
    return new State(pools);
  }
}
