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
 * here ({@link Confirm}). Entity id = the log's number ({@link Logs#logFor}); until a pool confirms its batches the
 * log remembers which of its rows hold them, so that a pool started again (crash, rebalance, passivation) reads the
 * assignments its own journal misses ({@link Unwritten}) before it answers anything.
 *
 * <p>Per pool the log keeps the count of the last assignment it holds ({@link PoolEntries#lastCount}): an append must
 * continue it (its {@code first_count} is that count + 1), else it is refused ({@link Appended#accepted} false, nothing
 * written). This fences appends of an earlier incarnation of the pool still travelling when the pool was started
 * again: the pool whose append is refused stops and is started again, reading what the log holds. A confirmation also
 * raises the count (a pool that wrote its own journal directly meanwhile continues from there).
 *
 * <p>Confirmations are written with the next appends, or alone {@link #CONFIRM_WINDOW} after they arrive when no append
 * comes. Snapshots every {@value #SNAPSHOT_EVERY} events (2 kept): the state is small (per pool its count and where its
 * unconfirmed batches are: row sequence number and counts, about one pool write interval of them); the assignments are
 * only in the rows, read back through the read journal when a pool asks ({@link Unwritten}). Events are kept
 * (analysts replay them as any journal).
 */
public final class AssignmentLog extends EventSourcedBehaviorWithEnforcedReplies<AssignmentLog.Command,
    AssignmentLog.Event, AssignmentLog.State> {

  /** Sharding key of the entity type. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "PoolAssignmentLog");
  /** Most appends in one journal write. */
  public static final int MAX_BATCH = 500;
  /** Events between snapshots (2 kept). */
  public static final int SNAPSHOT_EVERY = 2000;
  /** The shortest {@link Logs#askTimeout()} accepted. */
  public static final Duration MIN_ASK_TIMEOUT = Duration.ofMillis(100);
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
   * @param readJournal the plugin id of the read journal the log entities read their rows back with ({@link
   *     Unwritten}); null when the caller starts the log entities itself (tests)
   */
  public record Logs(int logs, Function<String, RecipientRef<Command>> refs, Duration askTimeout,
      Duration poolWriteInterval, String readJournal) {
    /** Logs whose entities the caller starts itself (no read journal needed here). */
    public Logs(int logs, Function<String, RecipientRef<Command>> refs, Duration askTimeout,
        Duration poolWriteInterval) {
      this(logs, refs, askTimeout, poolWriteInterval, null);
    }

    public Logs {
      if (logs < 0) {
        throw new IllegalArgumentException("logs must not be negative: " + logs);
      }
      if (askTimeout.compareTo(MIN_ASK_TIMEOUT) < 0) {
        // a log answers after its journal write (and, after a restart, its recovery): far below that every pool
        // would answer 503 and read its log again forever
        throw new IllegalArgumentException("hankyo.pools.assignment-log.ask-timeout must be at least "
            + MIN_ASK_TIMEOUT.toMillis() + " ms: " + askTimeout);
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
     * of {@code config} (defaults 1, 2 s, 500 ms when absent), reached through {@code sharding}; the read journal is
     * {@code .read-journal} when set, else the query plugin of the configured journal ({@code
     * pekko.persistence.journal.plugin}: Pekko's persistence testkit's, otherwise Cassandra's).
     */
    public static Logs of(Config config, ClusterSharding sharding) {
      String p = "hankyo.pools.assignment-log.";
      int logs = config.hasPath(p + "logs") ? config.getInt(p + "logs") : 1;
      Duration ask = config.hasPath(p + "ask-timeout") ? config.getDuration(p + "ask-timeout") : Duration.ofSeconds(2);
      Duration write = config.hasPath(p + "pool-write-interval") ? config.getDuration(p + "pool-write-interval")
          : Duration.ofMillis(500);
      String readJournal = config.hasPath(p + "read-journal") && !config.getString(p + "read-journal").isEmpty()
          ? config.getString(p + "read-journal")
          : config.hasPath("pekko.persistence.journal.plugin")
              && config.getString("pekko.persistence.journal.plugin").startsWith("pekko.persistence.testkit")
              ? "pekko.persistence.testkit.query" : "pekko.persistence.cassandra.query";
      return new Logs(logs, id -> sharding.entityRefFor(ENTITY_KEY, id), ask, write, readJournal);
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
   * Where one unconfirmed batch of a pool is: the log's row (journal sequence number) and its counts.
   *
   * @param seqNr the sequence number of the {@link Written} row holding the batch
   * @param firstCount the count of its first assignment
   * @param lastCount the count of its last assignment
   */
  public record Row(@JsonProperty("seq_nr") long seqNr, @JsonProperty("first_count") long firstCount,
      @JsonProperty("last_count") long lastCount) implements JsonSerializable {
    @JsonCreator
    public Row {}
  }

  /**
   * What the log knows of one pool.
   *
   * @param lastCount the count of the pool's last assignment written or confirmed here
   * @param unconfirmed where its written, not yet confirmed batches are, in order (the assignments themselves are read
   *     back from the log's journal when the pool asks: {@link Unwritten})
   */
  public record PoolEntries(@JsonProperty("last_count") long lastCount,
      @JsonProperty("unconfirmed") List<Row> unconfirmed) implements JsonSerializable {
    @JsonCreator
    public PoolEntries {
      unconfirmed = unconfirmed == null ? List.of() : List.copyOf(unconfirmed);
    }

    PoolEntries append(Row r) {
      List<Row> out = new ArrayList<>(unconfirmed.size() + 1);
      out.addAll(unconfirmed);
      out.add(r);
      return new PoolEntries(r.lastCount(), out);
    }

    PoolEntries confirm(long upTo) {
      List<Row> out = new ArrayList<>(unconfirmed.size());
      for (Row r : unconfirmed) {
        if (r.lastCount() > upTo) {
          out.add(r);
        }
      }
      return new PoolEntries(Math.max(lastCount, upTo), out);
    }

    /** The sequence number of the first row holding an assignment after count {@code afterCount}, 0 when none. */
    long firstRowAfter(long afterCount) {
      for (Row r : unconfirmed) {
        if (r.lastCount() > afterCount) {
          return r.seqNr();
        }
      }
      return 0;
    }
  }

  /**
   * State: the rows written so far ({@code seq_nr}: the journal's sequence number of the last one) and per pool id what
   * the log knows (a persistent map: a write updates a few pools without copying the others). Small: a few numbers per
   * unconfirmed batch, never the assignments.
   */
  public record State(@JsonProperty("seq_nr") long seqNr,
      @JsonProperty("pools") scala.collection.immutable.HashMap<String, PoolEntries> pools)
      implements JsonSerializable {
    @JsonCreator
    public State {
      pools = pools == null ? scala.collection.immutable.HashMap$.MODULE$.<String, PoolEntries>empty() : pools;
    }

    /** What the log knows of {@code poolId}, null when nothing. */
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
        for (Row r : it.next().unconfirmed()) {
          n += r.lastCount() - r.firstCount() + 1;
        }
      }
      return n;
    }
  }

  /**
   * Registers the entity type with sharding (idempotent).
   *
   * @param readJournal the plugin id of the read journal over the log's journal ({@link Logs#readJournal()})
   */
  public static void init(ClusterSharding sharding, String readJournal) {
    sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), Duration.ZERO, readJournal))
        .withStopMessage(new Stop()));
  }

  /**
   * The log {@code logId} gathering appends for {@code window} after the first of a row (zero: group commit; appends
   * arriving during a write always form the next row), reading its rows back through read journal {@code
   * readJournal} (a plugin id, e.g. {@code pekko.persistence.cassandra.query}).
   */
  public static Behavior<Command> create(String logId, Duration window, String readJournal) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new AssignmentLog(logId, window, readJournal,
        timers, ctx)));
  }

  private static final Object CONFIRM_TIMER = "confirm";
  private final TimerScheduler<Command> timers;
  /** Appends waiting for the next write, in arrival order. */
  private final WriteBatch<Append, Command> pending;
  /** The last count per pool of {@link #pending} (read before the state's by the continuity check). */
  private final Map<String, Long> pendingLast = new HashMap<>();
  /** Confirmations waiting for the next write. */
  private final Map<String, Long> pendingConfirms = new HashMap<>();
  /** The askers of the appends of the row being written, in its order. */
  private final List<ActorRef<Appended>> pendingReplies = new ArrayList<>();

  private final String persistenceId;
  private final String readJournal;
  private final org.apache.pekko.actor.typed.ActorSystem<?> system;

  private AssignmentLog(String logId, Duration window, String readJournal, TimerScheduler<Command> timers,
      org.apache.pekko.actor.typed.javadsl.ActorContext<Command> ctx) {
    super(PersistenceId.of(ENTITY_KEY.name(), logId));
    this.persistenceId = PersistenceId.of(ENTITY_KEY.name(), logId).id();
    this.readJournal = Objects.requireNonNull(readJournal, "readJournal");
    this.system = ctx.getSystem();
    this.timers = timers;
    this.pending = new WriteBatch<>(MAX_BATCH, window, timers, ctx.getSelf(), Flush::new);
  }

  @Override
  public State emptyState() {
    return new State(0, null);
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
        .onCommand(Unwritten.class, this::onUnwritten)
        .onCommand(Flush.class, (s, c) -> flush())
        .onCommand(Stop.class, (s, c) -> {
          Written w = take();
          return w == null ? Effect().stop().thenNoReply()
              : Effect().persist(w).thenRun(st -> answer(w)).thenStop().thenNoReply();
        })
        .build();
  }

  /**
   * Answers the assignments of the pool after the asked count, read back from the log's own rows (from the first row
   * holding one to the last written; the query runs outside the entity, which goes on). No answer when the read fails
   * (the pool's ask times out and it asks again).
   */
  private ReplyEffect<Event, State> onUnwritten(State s, Unwritten c) {
    PoolEntries e = s.of(c.poolId());
    long from = e == null ? 0 : e.firstRowAfter(c.afterCount());
    if (from == 0) {
      return Effect().reply(c.replyTo(), new Entries(List.of()));
    }
    org.apache.pekko.persistence.query.PersistenceQuery.get(system)
        .getReadJournalFor(org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery.class,
            readJournal)
        .currentEventsByPersistenceId(persistenceId, from, s.seqNr())
        .runWith(org.apache.pekko.stream.javadsl.Sink.seq(), system)
        .whenComplete((envelopes, failure) -> {
          if (failure != null) {
            LOG.warn("assignment log {}: reading rows {}..{} for pool {} failed", persistenceId, from, s.seqNr(),
                c.poolId(), failure);
            return;
          }
          List<NumberPool.Assigned> out = new ArrayList<>();
          for (var envelope : envelopes) {
            if (envelope.event() instanceof Written w) {
              for (Batch b : w.appends()) {
                if (b.poolId().equals(c.poolId())) {
                  for (int i = 0; i < b.events().size(); i++) {
                    if (b.firstCount() + i > c.afterCount()) {
                      out.add(b.events().get(i));
                    }
                  }
                }
              }
            }
          }
          c.replyTo().tell(new Entries(out));
        });
    return Effect().noReply();
  }

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AssignmentLog.class);

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

  private void answer(Written w) {
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
    return Effect().persist(w).thenRun(st -> answer(w)).thenNoReply();
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
    long seqNr = s.seqNr() + 1; // every event of the log is a Written row
    scala.collection.immutable.HashMap<String, PoolEntries> pools = s.pools();
    for (Batch b : w.appends()) {
      Option<PoolEntries> e = pools.get(b.poolId());
      PoolEntries before = e.isDefined() ? e.get() : new PoolEntries(-1, List.of());
      pools = pools.updated(b.poolId(), before.append(new Row(seqNr, b.firstCount(), b.lastCount())));
    }
    for (Map.Entry<String, Long> c : w.confirmed().entrySet()) {
      Option<PoolEntries> e = pools.get(c.getKey());
      PoolEntries before = e.isDefined() ? e.get() : new PoolEntries(-1, List.of());
      pools = pools.updated(c.getKey(), before.confirm(c.getValue()));
    }
    return new State(seqNr, pools);
  }
}
