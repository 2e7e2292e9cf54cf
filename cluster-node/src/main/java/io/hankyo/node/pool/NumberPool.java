package io.hankyo.node.pool;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * A number pool of one operator (issue 5, pools): numbers of the operator's inventory handed out per visitor session
 * for a time (dynamic call tracking) or in turn (one-time numbers). Entity id = the pool id. Decisions are made by
 * {@link PoolAssigner}; an assignment is persisted (event {@link Assigned}, with session, parameters and hold end)
 * BEFORE it is answered. Assignments are decided in batches (at most {@value #MAX_BATCH} per write), in order, and all
 * answered once written: with a zero batch window ({@link #create(String, Duration)}; group commit) the write starts as
 * soon as the assignments already waiting in the mailbox have joined it, and those arriving while it runs form the
 * next write (an idle pool writes each assignment at once, a busy one many per write); with a positive window the
 * write starts that long after the batch's first assignment. An assignment buffered when the entity stops is neither
 * written nor answered (the caller's ask times out and it may retry).
 *
 * <p>Where a batch is written first: with {@link AssignmentLog.Logs} of one or more logs (a node's default), to the
 * pool's {@link AssignmentLog} ({@link LogChosen}, named in the pool's journal before its first append), which writes
 * the batches of many pools as one journal row; once the log answers, the assignments are answered and kept as the
 * pool's unwritten assignments (reads and decisions see them), then written to the pool's own journal as ONE row
 * ({@link AssignedAll}) after {@link AssignmentLog.Logs#poolWriteInterval()} or at {@value #MAX_UNWRITTEN}, and
 * confirmed to the log. One append runs at a time (the log checks that each continues the pool's count). A pool started
 * again first reads what its log still holds after its journal's last assignment ({@link AssignmentLog.Unwritten},
 * retried every second while the log does not answer) and writes it to its journal; commands other than assignments
 * wait until then (a deletion also waits for a running append). When the log refuses an append (a stale one of an
 * earlier incarnation took the count) or does not answer within its ask timeout, the batch and the assignments waiting
 * are answered {@value #LOG_UNAVAILABLE} (the API's 503; nothing was answered as assigned) and the entity stops, to be
 * started again by the next command and read the log. Without logs ({@link #create(String, Duration)}, or {@code
 * hankyo.pools.assignment-log.logs = 0}) each batch is one row of the pool's own journal, written before it is
 * answered ({@link Assigned} for one, {@link AssignedAll} for more).
 *
 * <p>Display counters per Japan-time month and day ({@link PoolUsage}: displays, fallbacks, peak of numbers held at
 * once) are derived from the {@link Assigned} events in the event handler: no journal write of their own. A deleted
 * pool ({@link Delete}) refuses assignments, also ones waiting in the batch window, and keeps its state readable.
 *
 * <p>Refusals ({@link StatusReply#error}, texts meant for API users): a command of another operator or on a pool that
 * was never created answers "no such pool" (the API's 404), as does an assignment to a deleted pool; creating an
 * existing pool again with other settings is refused, with the same settings acknowledged (idempotent retry).
 */
public final class NumberPool extends EventSourcedBehaviorWithEnforcedReplies<NumberPool.Command,
    NumberPool.Event, NumberPool.State> {

  /** Sharding key of the entity type. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "NumberPool");
  /** Most assignments in one journal write. */
  public static final int MAX_BATCH = 100;
  /** Refusal text of a pool that does not exist for the asking operator. */
  public static final String NO_SUCH_POOL = "no such pool";
  /**
   * Events between snapshots (2 kept): recovery reads the last snapshot and at most this many events (a batch of up to
   * {@value #MAX_BATCH} assignments is one event) instead of every assignment ever made.
   */
  public static final int SNAPSHOT_EVERY = 1000;

  /** How numbers are handed out (API names {@code dynamic}, {@code one_time}). */
  public enum Method {
    DYNAMIC, ONE_TIME;

    /** The API name. */
    public String apiName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * The settings of a pool.
   *
   * @param operatorId the owning operator
   * @param method how numbers are handed out
   * @param numbers the pool's numbers, E.164, in pool order (at least one; pooled in the inventory by the caller)
   * @param holdSec seconds a number stays with its session after an assignment
   * @param coolDownSec seconds after a hold ends before the number is handed out again
   * @param fallbackE164 the number handed out when all are held, E.164
   * @param allowedOrigins web origins whose pages may ask for numbers through the JS tag ({@link Find}, CORS)
   * @param trackingNumber the tracking number (E.164) whose route a call to any number of the pool takes (issue 5,
   *     attribution: forward destination, call flow, judgment, notifications, recording, advertiser); null for pools
   *     created before the field existed (their numbers route nowhere, as before). Left out of the JSON when null
   * @param trackingClientId the advertiser ({@code client_id}) that owned {@code trackingNumber} when the pool was
   *     created; a call to a pool number takes the tracking number's route only while it still belongs to this
   *     advertiser and {@code trackingDialinId} (never another advertiser's route). Null for pools created before the
   *     field existed (then only the operator is checked) and for pools without a tracking number
   * @param trackingDialinId the {@code dialin_id} of {@code trackingNumber} when the pool was created; null as above
   */
  public record Settings(@JsonProperty("operator_id") String operatorId, @JsonProperty("method") Method method,
      @JsonProperty("numbers") List<String> numbers, @JsonProperty("hold_sec") long holdSec,
      @JsonProperty("cool_down_sec") long coolDownSec, @JsonProperty("fallback_e164") String fallbackE164,
      @JsonProperty("allowed_origins") List<String> allowedOrigins,
      @JsonProperty("tracking_number") @JsonInclude(JsonInclude.Include.NON_NULL) String trackingNumber,
      @JsonProperty("tracking_client_id") @JsonInclude(JsonInclude.Include.NON_NULL) String trackingClientId,
      @JsonProperty("tracking_dialin_id") @JsonInclude(JsonInclude.Include.NON_NULL) String trackingDialinId)
      implements JsonSerializable {
    @JsonCreator
    public Settings {
      numbers = List.copyOf(numbers);
      allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
    }

    /** Settings without a tracking number (calls to the pool's numbers route nowhere). */
    public Settings(String operatorId, Method method, List<String> numbers, long holdSec, long coolDownSec,
        String fallbackE164, List<String> allowedOrigins) {
      this(operatorId, method, numbers, holdSec, coolDownSec, fallbackE164, allowedOrigins, null);
    }

    /** Settings with a tracking number whose owner was not captured (pools created before the owner fields). */
    public Settings(String operatorId, Method method, List<String> numbers, long holdSec, long coolDownSec,
        String fallbackE164, List<String> allowedOrigins, String trackingNumber) {
      this(operatorId, method, numbers, holdSec, coolDownSec, fallbackE164, allowedOrigins, trackingNumber, null,
          null);
    }

    /**
     * These settings without the tracking number's captured owner: what a retry of the creation of a pool created
     * before the owner fields existed is compared with (the owner is derived by the server, not sent by the client).
     */
    public Settings withoutTrackingOwner() {
      return new Settings(operatorId, method, numbers, holdSec, coolDownSec, fallbackE164, allowedOrigins,
          trackingNumber, null, null);
    }
  }

  /**
   * The holder of one number.
   *
   * @param sessionId the visitor session it was handed to
   * @param params the session's parameters (gclid, utm_*, landing_page, referrer, member_id, any keys)
   * @param heldUntil end of the hold; the cool-down runs from here
   * @param assignedAt when this session got the number (the {@link Assigned} event's {@code at}; kept while the same
   *     session extends its hold), so that a call arriving before it is never attributed to this holder
   *     ({@link Attribution#forPool}); null for slots written before the field existed (unknown)
   */
  public record Slot(@JsonProperty("session_id") String sessionId, @JsonProperty("params") Map<String, String> params,
      @JsonProperty("held_until") Instant heldUntil,
      @JsonProperty("assigned_at") @JsonInclude(JsonInclude.Include.NON_NULL) Instant assignedAt)
      implements JsonSerializable {
    @JsonCreator
    public Slot {
      params = params == null ? Map.of() : Map.copyOf(params);
    }

    /** A slot whose start of holding is unknown (as written before {@code assigned_at} existed). */
    public Slot(String sessionId, Map<String, String> params, Instant heldUntil) {
      this(sessionId, params, heldUntil, null);
    }
  }

  /**
   * Reply to {@link Assign}.
   *
   * @param e164 the number handed out, E.164
   * @param heldUntil end of the hold; null for a fallback (the fallback number is not held)
   * @param fallback whether it is the fallback number (every pool number was held or cooling down)
   */
  public record Assignment(@JsonProperty("e164") String e164,
      @JsonProperty("held_until") @JsonInclude(JsonInclude.Include.NON_NULL) Instant heldUntil,
      @JsonProperty("fallback") boolean fallback) implements JsonSerializable {
    @JsonCreator
    public Assignment {}
  }

  /** Commands. */
  public sealed interface Command extends JsonSerializable {}

  /** Creates the pool with {@code settings}. */
  public record Create(@JsonProperty("settings") Settings settings,
      @JsonProperty("reply_to") ActorRef<StatusReply<State>> replyTo) implements Command {
    @JsonCreator
    public Create {}
  }

  /** Hands a number to {@code sessionId} of {@code operatorId} at {@code now}. */
  public record Assign(@JsonProperty("operator_id") String operatorId, @JsonProperty("session_id") String sessionId,
      @JsonProperty("params") Map<String, String> params, @JsonProperty("now") Instant now,
      @JsonProperty("reply_to") ActorRef<StatusReply<Assignment>> replyTo) implements Command {
    @JsonCreator
    public Assign {
      params = params == null ? Map.of() : Map.copyOf(params);
    }
  }

  /** Reads the pool for {@code operatorId}. */
  public record Get(@JsonProperty("operator_id") String operatorId,
      @JsonProperty("reply_to") ActorRef<StatusReply<State>> replyTo) implements Command {
    @JsonCreator
    public Get {}
  }

  /**
   * Reads who holds {@code e164} for a call arriving at {@code at} (issue 5, attribution): read-only, nothing is
   * persisted, any operator may ask (the caller is the call routing, which knows the number is in this pool).
   */
  public record GetHolder(@JsonProperty("e164") String e164, @JsonProperty("at") Instant at,
      @JsonProperty("reply_to") ActorRef<Holder> replyTo) implements Command {
    @JsonCreator
    public GetHolder {}
  }

  /**
   * Reply to {@link GetHolder}.
   *
   * @param inPool whether the pool exists and {@code e164} is one of its numbers (false: the other fields are null)
   * @param operatorId the pool's operator
   * @param trackingNumber the pool's tracking number (E.164), null when the pool has none
   * @param slot the number's last holder, null when never handed out; its {@code assigned_at} and {@code held_until}
   *     tell whether its hold covers {@code at} ({@link Attribution#forPool}): the holder may have got the number
   *     after {@code at} when the hold before ended in between
   * @param trackingClientId {@link Settings#trackingClientId()}: the advertiser the tracking number's route must
   *     still belong to (null: not captured, only the operator is checked)
   * @param trackingDialinId {@link Settings#trackingDialinId()}: the {@code dialin_id} it must still have
   * @param deleted whether the pool was deleted (a deleted pool still answers its settings and last holders: its
   *     numbers that still cool down are routed unattributed, issue 5 "Deleting a pool")
   */
  public record Holder(@JsonProperty("in_pool") boolean inPool,
      @JsonProperty("operator_id") @JsonInclude(JsonInclude.Include.NON_NULL) String operatorId,
      @JsonProperty("tracking_number") @JsonInclude(JsonInclude.Include.NON_NULL) String trackingNumber,
      @JsonProperty("slot") @JsonInclude(JsonInclude.Include.NON_NULL) Slot slot,
      @JsonProperty("tracking_client_id") @JsonInclude(JsonInclude.Include.NON_NULL) String trackingClientId,
      @JsonProperty("tracking_dialin_id") @JsonInclude(JsonInclude.Include.NON_NULL) String trackingDialinId,
      @JsonProperty("deleted") boolean deleted) implements JsonSerializable {
    @JsonCreator
    public Holder {}

    /** A holder of a live pool without a captured tracking-number owner. */
    public Holder(boolean inPool, String operatorId, String trackingNumber, Slot slot) {
      this(inPool, operatorId, trackingNumber, slot, null, null, false);
    }
  }

  /**
   * Reads the pool's settings whatever its operator (issue 5 JS tag: the public endpoint {@code POST
   * /v1/dni/pools/{pool_id}/assignments} has no API key and resolves the operator and allowed origins with it).
   * Answers an error {@value #NO_SUCH_POOL} when the pool was never created.
   */
  public record Find(@JsonProperty("reply_to") ActorRef<StatusReply<Settings>> replyTo) implements Command {
    @JsonCreator
    public Find {}
  }

  /**
   * Deletes the pool of {@code operatorId} at {@code now} (issue 5, deleting a pool): later assignments are refused
   * with {@link #NO_SUCH_POOL}; the state (counters, last holders) stays readable by {@link Get}. Deleting a deleted
   * pool answers its state again (a retry finishes what the caller does after it). Replies the state.
   */
  public record Delete(@JsonProperty("operator_id") String operatorId, @JsonProperty("now") Instant now,
      @JsonProperty("reply_to") ActorRef<StatusReply<State>> replyTo) implements Command {
    @JsonCreator
    public Delete {}
  }

  /**
   * Whether the pool exists for {@code operatorId}: its {@link Found} (the hold, which decides how long the session
   * claim made for an assignment lives: {@link PoolSessions#claimLife}), or the error {@value #NO_SUCH_POOL}. Cheaper
   * than {@link Get} (no state in the reply), asked before a new session's claim.
   */
  public record Exists(@JsonProperty("operator_id") String operatorId,
      @JsonProperty("reply_to") ActorRef<StatusReply<Found>> replyTo) implements Command {
    @JsonCreator
    public Exists {}
  }

  /** The answer to {@link Exists} for an existing pool: its {@code hold_sec} (seconds a number stays with a session). */
  public record Found(@JsonProperty("hold_sec") long holdSec) implements JsonSerializable {
    @JsonCreator
    public Found {}
  }

  /** Internal: the batch is complete (mailbox drained or window over); write and answer the buffered assignments. */
  public record FlushAssignments() implements Command {
    @JsonCreator
    public FlushAssignments {}
  }

  /**
   * Internal: the log's answer to an append of {@code events} (decided for {@code batch}, leaving state {@code after});
   * {@code written} false with the reason in {@code failure}.
   */
  public record AppendDone(@JsonProperty("batch") List<Assign> batch, @JsonProperty("events") List<Assigned> events,
      @JsonProperty("after") State after, @JsonProperty("written") boolean written,
      @JsonProperty("failure") String failure) implements Command {
    @JsonCreator
    public AppendDone {}
  }

  /** Internal: write the log-acknowledged assignments to the pool's own journal. */
  public record WriteUnwritten() implements Command {
    @JsonCreator
    public WriteUnwritten {}
  }

  /**
   * Internal: what log {@code from} holds for the pool after count {@code after} ({@code events}; null when the ask
   * failed, {@code failure} says why).
   */
  public record CaughtUp(@JsonProperty("from") String from, @JsonProperty("after") long after,
      @JsonProperty("events") List<Assigned> events, @JsonProperty("failure") String failure) implements Command {
    @JsonCreator
    public CaughtUp {}
  }

  /** Internal: ask the log again after a failed catch-up. */
  public record RetryCatchUp() implements Command {
    @JsonCreator
    public RetryCatchUp {}
  }

  /** Events. */
  public sealed interface Event extends JsonSerializable {}

  /** The pool was created. */
  public record Created(@JsonProperty("settings") Settings settings) implements Event {
    @JsonCreator
    public Created {}
  }

  /** The pool was deleted at {@code at}. */
  public record Deleted(@JsonProperty("at") Instant at) implements Event {
    @JsonCreator
    public Deleted {}
  }

  /**
   * A number was handed out.
   *
   * @param e164 the number (the fallback number when {@code fallback})
   * @param index its position in the pool, -1 for a fallback
   * @param at the time of the assignment
   */
  public record Assigned(@JsonProperty("e164") String e164, @JsonProperty("index") int index,
      @JsonProperty("session_id") String sessionId, @JsonProperty("params") Map<String, String> params,
      @JsonProperty("held_until") Instant heldUntil, @JsonProperty("fallback") boolean fallback,
      @JsonProperty("at") Instant at) implements Event {
    @JsonCreator
    public Assigned {
      params = params == null ? Map.of() : Map.copyOf(params);
    }
  }

  /**
   * Several assignments written at once, in the order they were decided (a batch of two or more: ONE journal row
   * instead of one per assignment, which is what a Cassandra write costs by). Applied as its {@link Assigned} events
   * one after another.
   */
  public record AssignedAll(@JsonProperty("assignments") List<Assigned> assignments) implements Event {
    @JsonCreator
    public AssignedAll {
      assignments = List.copyOf(assignments);
    }
  }

  /**
   * From now on the pool writes its assignments to {@link AssignmentLog} {@code log} first (null: to its own journal
   * directly). Written before the first append to a log, so that a pool started again knows where its assignments not
   * yet in its own journal are.
   */
  public record LogChosen(@JsonProperty("log") @JsonInclude(JsonInclude.Include.NON_NULL) String log)
      implements Event {
    @JsonCreator
    public LogChosen {}
  }

  /**
   * State; also the reply to {@link Get}.
   *
   * @param settings null until created
   * @param slots holder per number E.164 (numbers never handed out are absent)
   * @param nextIndex where the next {@code one_time} round-robin search starts
   * @param assignments assignments answered, fallbacks included
   * @param fallbacks assignments answered with the fallback number
   * @param exhausted whether the last assignment that needed a free number found none (it fell back; a holder's page
   *     view keeping its number leaves the flag as it was, the next number handed out clears it)
   * @param usage display counters per Japan-time month and day (issue 5, display counting and pool sizing)
   * @param deletedAt when the pool was deleted, or null
   * @param log the {@link AssignmentLog} the pool writes its assignments to first ({@link LogChosen}); null when it
   *     never wrote to one (then no assignment of it waits in a log)
   */
  public record State(@JsonProperty("settings") @JsonInclude(JsonInclude.Include.NON_NULL) Settings settings,
      @JsonProperty("slots") Map<String, Slot> slots, @JsonProperty("next_index") int nextIndex,
      @JsonProperty("assignments") long assignments, @JsonProperty("fallbacks") long fallbacks,
      @JsonProperty("exhausted") boolean exhausted, @JsonProperty("usage") PoolUsage usage,
      @JsonProperty("deleted_at") @JsonInclude(JsonInclude.Include.NON_NULL) Instant deletedAt,
      @JsonProperty("log") @JsonInclude(JsonInclude.Include.NON_NULL) String log)
      implements JsonSerializable {
    @JsonCreator
    public State {
      // immutable and persistent: an assignment adds its slot without copying the others (PoolSlots); indexed for
      // the assignment decisions, the index built here only when the slots are not yet indexed for these settings
      // (creation, snapshot load), else kept as updated by the assignment
      slots = PoolSlots.of(slots == null ? PoolSlots.EMPTY : slots, settings);
      usage = usage == null ? PoolUsage.EMPTY : usage;
    }

    /** A live pool without counters (tests of {@link PoolAssigner}). */
    public State(Settings settings, Map<String, Slot> slots, int nextIndex, long assignments, long fallbacks,
        boolean exhausted) {
      this(settings, slots, nextIndex, assignments, fallbacks, exhausted, PoolUsage.EMPTY, null);
    }

    /** A state that never wrote to an assignment log. */
    public State(Settings settings, Map<String, Slot> slots, int nextIndex, long assignments, long fallbacks,
        boolean exhausted, PoolUsage usage, Instant deletedAt) {
      this(settings, slots, nextIndex, assignments, fallbacks, exhausted, usage, deletedAt, null);
    }

    /** This state writing to {@code log} first. */
    State withLog(String log) {
      return new State(settings, slots, nextIndex, assignments, fallbacks, exhausted, usage, deletedAt, log);
    }

    /** Whether the pool was deleted. */
    public boolean deleted() {
      return deletedAt != null;
    }

    /** Whether the pool exists. */
    public boolean created() {
      return settings != null;
    }

    /** The method (pool must be created). */
    public Method method() {
      return settings.method();
    }

    /** The numbers in pool order. */
    public List<String> numbers() {
      return settings.numbers();
    }

    /** Hold, seconds. */
    public long holdSec() {
      return settings.holdSec();
    }

    /** Cool-down, seconds. */
    public long coolDownSec() {
      return settings.coolDownSec();
    }

    /** The fallback number, E.164. */
    public String fallbackE164() {
      return settings.fallbackE164();
    }

    boolean visibleTo(String operatorId) {
      return created() && settings.operatorId().equals(operatorId);
    }
  }

  /**
   * Registers the entity type with sharding (idempotent: the first registration of a node wins), gathering assignments
   * for {@code hankyo.pools.batch-window} of the system's config (zero when absent) and writing them to the assignment
   * logs of {@code hankyo.pools.assignment-log} ({@link AssignmentLog.Logs#of}), which it registers too.
   */
  public static void init(ActorSystem<?> system, ClusterSharding sharding) {
    var config = system.settings().config();
    init(sharding, config.hasPath("hankyo.pools.batch-window") ? config.getDuration("hankyo.pools.batch-window")
        : Duration.ZERO, AssignmentLog.Logs.of(config, sharding));
  }

  /**
   * Registers the entity type with sharding, and the assignment logs.
   *
   * @param batchWindow how long assignments are gathered into one write (zero: group commit, no wait)
   * @param logs the assignment logs the pools write to first ({@code logs.logs()} 0: each pool writes its own journal)
   */
  public static void init(ClusterSharding sharding, Duration batchWindow, AssignmentLog.Logs logs) {
    AssignmentLog.init(sharding, Objects.requireNonNull(logs.readJournal(), "logs.readJournal"));
    sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), batchWindow, logs)));
  }

  /** The entity of pool {@code poolId}, group commit (no batch window), writing its own journal directly. */
  public static Behavior<Command> create(String poolId) {
    return create(poolId, Duration.ZERO);
  }

  /** The entity of pool {@code poolId}, gathering assignments for {@code batchWindow}, writing its own journal. */
  public static Behavior<Command> create(String poolId, Duration batchWindow) {
    return create(poolId, batchWindow, null);
  }

  /**
   * The entity of pool {@code poolId}, gathering assignments for {@code batchWindow} (zero: group commit) and writing
   * them to {@code logs} first (null, or no logs: to its own journal directly).
   */
  public static Behavior<Command> create(String poolId, Duration batchWindow, AssignmentLog.Logs logs) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new NumberPool(poolId, batchWindow, logs, timers,
        ctx)));
  }

  /** Most log-acknowledged assignments kept before they are written to the pool's own journal (one row). */
  public static final int MAX_UNWRITTEN = 2000;
  /** Refusal text when the assignment log did not take an assignment (the API's 503: try again). */
  public static final String LOG_UNAVAILABLE = "the assignment could not be written; try again";
  private static final Object WRITE_TIMER = "write-unwritten";
  private static final Object CATCH_UP_TIMER = "catch-up";
  private static final Duration CATCH_UP_RETRY = Duration.ofSeconds(1);
  /** Most commands kept waiting for a catch-up or a running append (more are dropped: their askers time out). */
  static final int MAX_DEFERRED = 1000;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NumberPool.class);

  private final String poolId;
  /** The logs, null when the pool writes its own journal (tests). */
  private final AssignmentLog.Logs logs;
  /** The log this pool writes to now, null: its own journal directly. */
  private final String logId;
  private final TimerScheduler<Command> timers;
  private final ActorContext<Command> ctx;
  /** Assignments waiting for their write. */
  private final WriteBatch<Assign, Command> pending;
  /**
   * Assignments written to the log and answered, not yet in the pool's own journal, in order (never part of the
   * state); {@link #unwrittenState} is the state with them applied.
   */
  private final List<Assigned> unwritten = new ArrayList<>();
  private State unwrittenState;
  /** Whether an append to the log runs (one at a time, so the log sees the pool's counts in order). */
  private boolean appending;
  /** Whether the assignments the log holds for this pool were read after its recovery (see {@link #caughtUp}). */
  private boolean caughtUp = true;
  /** Commands that wait for the catch-up or the running append (answered from the state after them). */
  private final List<Command> deferred = new ArrayList<>();

  private NumberPool(String poolId, Duration batchWindow, AssignmentLog.Logs logs, TimerScheduler<Command> timers,
      ActorContext<Command> ctx) {
    super(PersistenceId.of(ENTITY_KEY.name(), poolId));
    this.poolId = poolId;
    this.logs = logs;
    this.logId = logs == null ? null : logs.logFor(poolId);
    this.timers = timers;
    this.ctx = ctx;
    this.pending = new WriteBatch<>(MAX_BATCH, batchWindow, timers, ctx.getSelf(), FlushAssignments::new);
  }

  @Override
  public State emptyState() {
    return new State(null, PoolSlots.EMPTY, 0, 0, 0, false);
  }

  @Override
  public org.apache.pekko.persistence.typed.javadsl.RetentionCriteria retentionCriteria() {
    return org.apache.pekko.persistence.typed.javadsl.RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
  }

  /** The state with the assignments answered but not yet in the journal. */
  private State current(State s) {
    return unwrittenState != null ? unwrittenState : s;
  }

  @Override
  public org.apache.pekko.persistence.typed.javadsl.SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(org.apache.pekko.persistence.typed.RecoveryCompleted.instance(), this::onRecovered)
        .build();
  }

  /**
   * After recovery: a pool that wrote to a log reads the assignments the log holds after its own journal's last
   * ({@link AssignmentLog.Unwritten}) before it answers anything; the others are ready.
   */
  private void onRecovered(State s) {
    if (s.log() == null) {
      caughtUp = true;
      return;
    }
    if (logs == null) {
      // its assignments after the journal's last may wait in that log: deciding without them would reuse counts
      throw new IllegalStateException("pool " + poolId + " wrote to assignment log " + s.log()
          + " but was started without assignment logs");
    }
    caughtUp = false;
    askUnwritten(s);
  }

  private void askUnwritten(State s) {
    String from = s.log();
    long after = s.assignments();
    ctx.ask(AssignmentLog.Entries.class, logs.ref(from), logs.askTimeout(),
        r -> new AssignmentLog.Unwritten(poolId, after, r),
        (entries, failure) -> new CaughtUp(from, after, entries == null ? null : entries.events(),
            failure == null ? null : failure.toString()));
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Assign.class, this::onAssign)
        .onCommand(FlushAssignments.class, (s, c) -> flush(s))
        .onCommand(AppendDone.class, this::onAppended)
        .onCommand(WriteUnwritten.class, (s, c) -> writeUnwritten())
        .onCommand(CaughtUp.class, this::onCaughtUp)
        .onCommand(RetryCatchUp.class, (s, c) -> {
          askUnwritten(s);
          return Effect().noReply();
        })
        .onCommand(Create.class, whenReady(this::onCreate))
        .onCommand(Delete.class, whenReady(this::onDelete))
        .onCommand(Get.class, whenReady((s, c) -> Effect().reply(c.replyTo(),
            s.visibleTo(c.operatorId()) ? StatusReply.success(s) : StatusReply.error(NO_SUCH_POOL))))
        .onCommand(Find.class, whenReady((s, c) -> Effect().reply(c.replyTo(),
            s.created() && !s.deleted() ? StatusReply.success(s.settings()) : StatusReply.error(NO_SUCH_POOL))))
        .onCommand(GetHolder.class, whenReady((s, c) -> Effect().reply(c.replyTo(), holder(s, c.e164()))))
        .onCommand(Exists.class, whenReady((s, c) -> Effect().reply(c.replyTo(),
            s.visibleTo(c.operatorId()) && !s.deleted() ? StatusReply.success(new Found(s.holdSec()))
                : StatusReply.error(NO_SUCH_POOL))))
        .build();
  }

  /**
   * {@code handler} on the state with the unwritten assignments applied, once the pool has caught up with its log (a
   * deletion also waits for the running append); until then the command waits in {@link #deferred}.
   */
  private <C extends Command> java.util.function.BiFunction<State, C, ReplyEffect<Event, State>> whenReady(
      java.util.function.BiFunction<State, C, ReplyEffect<Event, State>> handler) {
    return (s, c) -> {
      if (caughtUp && !(appending && c instanceof Delete)) {
        return handler.apply(current(s), c);
      }
      if (deferred.size() < MAX_DEFERRED) {
        deferred.add(c);
      } else {
        LOG.warn("pool {}: {} commands wait for its assignment log already; {} dropped (its asker times out)", poolId,
            MAX_DEFERRED, c.getClass().getSimpleName());
      }
      return Effect().noReply();
    };
  }

  /** Sends the deferred commands to the entity again (they queue behind nothing newer than them that matters). */
  private void replayDeferred() {
    for (Command c : deferred) {
      ctx.getSelf().tell(c);
    }
    deferred.clear();
  }

  /** The answer to {@link GetHolder} for {@code e164} in {@code s}. */
  static Holder holder(State s, String e164) {
    if (!s.created() || !s.numbers().contains(e164)) {
      return new Holder(false, null, null, null);
    }
    return new Holder(true, s.settings().operatorId(), s.settings().trackingNumber(), s.slots().get(e164),
        s.settings().trackingClientId(), s.settings().trackingDialinId(), s.deleted());
  }

  private ReplyEffect<Event, State> onCreate(State s, Create c) {
    if (s.created()) {
      return Effect().reply(c.replyTo(), s.settings().equals(c.settings()) ? StatusReply.success(s)
          : StatusReply.error("the pool exists with other settings"));
    }
    if (c.settings().numbers().isEmpty()) {
      return Effect().reply(c.replyTo(), StatusReply.error("a pool needs at least one number"));
    }
    if (logId != null && !logId.equals(s.log())) {
      return Effect().persist(List.of(new Created(c.settings()), new LogChosen(logId)))
          .thenReply(c.replyTo(), StatusReply::success);
    }
    return Effect().persist(new Created(c.settings())).thenReply(c.replyTo(), StatusReply::success);
  }

  private ReplyEffect<Event, State> onDelete(State s, Delete c) {
    if (!s.visibleTo(c.operatorId())) {
      return Effect().reply(c.replyTo(), StatusReply.error(NO_SUCH_POOL));
    }
    if (s.deleted()) {
      return Effect().reply(c.replyTo(), StatusReply.success(s));
    }
    if (unwritten.isEmpty()) {
      return Effect().persist(new Deleted(c.now())).thenRun(x -> flushAgainIfPending())
          .thenReply(c.replyTo(), StatusReply::success);
    }
    // the answered assignments first, in the same row: the deletion's cool-downs see every hold
    List<Event> events = List.of(unwrittenEvent(), new Deleted(c.now()));
    return Effect().persist(events).thenRun(this::unwrittenWritten).thenReply(c.replyTo(), StatusReply::success);
  }

  private ReplyEffect<Event, State> onAssign(State s, Assign c) {
    State cur = current(s);
    if (caughtUp && (!cur.visibleTo(c.operatorId()) || cur.deleted())) {
      return Effect().reply(c.replyTo(), StatusReply.error(NO_SUCH_POOL));
    }
    // while catching up the batch only gathers (checked when it is written)
    return pending.add(c) ? flush(s) : Effect().noReply();
  }

  private ReplyEffect<Event, State> flush(State s) {
    if (!caughtUp || appending || pending.isEmpty()) {
      // written when the catch-up or the running append ends
      return Effect().noReply();
    }
    List<Assign> batch = pending.take(MAX_BATCH);
    State cur = current(s);
    List<Assign> refused = new ArrayList<>();
    List<Assign> valid = new ArrayList<>(batch.size());
    for (Assign c : batch) {
      (cur.deleted() || !cur.visibleTo(c.operatorId()) ? refused : valid).add(c);
    }
    refused.forEach(c -> c.replyTo().tell(StatusReply.error(NO_SUCH_POOL)));
    if (valid.isEmpty()) {
      flushAgainIfPending();
      return Effect().noReply();
    }
    Decided decided = decideAll(cur, valid);
    List<Assigned> events = decided.events();
    if (logId == null) {
      Event event = events.size() == 1 ? events.get(0) : new AssignedAll(events);
      return Effect().persist(event).thenRun(x -> {
        answer(valid, events);
        flushAgainIfPending();
      }).thenNoReply();
    }
    long first = cur.assignments() + 1;
    appending = true;
    if (!logId.equals(s.log())) {
      // the log is named in the journal before anything is written to it (nothing of the pool waits elsewhere: a
      // pool that wrote to another log caught up from it first); the log learns where the pool's count is (it may
      // hold an older count of the pool, from before a time without logs), then the append continues it
      return Effect().persist(new LogChosen(logId))
          .thenRun(x -> {
            logs.ref(logId).tell(new AssignmentLog.Confirm(poolId, cur.assignments()));
            append(first, valid, events, decided.after().withLog(logId));
          })
          .thenNoReply();
    }
    append(first, valid, events, decided.after());
    return Effect().noReply();
  }

  private void append(long first, List<Assign> batch, List<Assigned> events, State after) {
    ctx.ask(AssignmentLog.Appended.class, logs.ref(logId), logs.askTimeout(),
        r -> new AssignmentLog.Append(poolId, first, events, r),
        (reply, failure) -> new AppendDone(batch, events, after, reply != null && reply.accepted(),
            failure != null ? failure.toString() : reply.accepted() ? null
                : "the log continues from count " + reply.lastCount() + ", not " + (first - 1)));
  }

  private ReplyEffect<Event, State> onAppended(State s, AppendDone a) {
    appending = false;
    if (!a.written()) {
      LOG.warn("pool {}: assignment log {} did not take {} assignments ({}); the pool reads the log again",
          poolId, logId, a.events().size(), a.failure());
      a.batch().forEach(c -> c.replyTo().tell(StatusReply.error(LOG_UNAVAILABLE)));
      pending.take().forEach(c -> c.replyTo().tell(StatusReply.error(LOG_UNAVAILABLE)));
      // the answered assignments are in the log (and the refused or unanswered append may still land there): forget
      // them here and read the log again, as after a restart, before anything else is answered
      unwritten.clear();
      unwrittenState = null;
      timers.cancel(WRITE_TIMER);
      caughtUp = false;
      askUnwritten(s);
      return Effect().noReply();
    }
    unwritten.addAll(a.events());
    unwrittenState = a.after();
    answer(a.batch(), a.events());
    Delete delete = null;
    for (Command c : deferred) {
      if (c instanceof Delete d) {
        delete = d;
        break;
      }
    }
    if (delete != null) {
      // before the next append: under steady traffic a re-told deletion would find the next append running
      deferred.remove(delete);
      replayDeferred();
      return onDelete(current(s), delete);
    }
    replayDeferred();
    if (unwritten.size() >= MAX_UNWRITTEN) {
      return writeUnwritten();
    }
    if (!timers.isTimerActive(WRITE_TIMER)) {
      timers.startSingleTimer(WRITE_TIMER, new WriteUnwritten(), logs.poolWriteInterval());
    }
    return flush(s);
  }

  /** The row of the unwritten assignments (there is at least one). */
  private Event unwrittenEvent() {
    return unwritten.size() == 1 ? unwritten.get(0) : new AssignedAll(List.copyOf(unwritten));
  }

  /** Writes the log-acknowledged assignments to the pool's own journal (one row), then confirms them to the log. */
  private ReplyEffect<Event, State> writeUnwritten() {
    timers.cancel(WRITE_TIMER);
    if (unwritten.isEmpty()) {
      return Effect().noReply();
    }
    return Effect().persist(unwrittenEvent()).thenRun(this::unwrittenWritten).thenNoReply();
  }

  /** After the unwritten assignments were written to the pool's journal ({@code s} the state after them). */
  private void unwrittenWritten(State s) {
    // commands were stashed while the write ran: nothing was added to unwritten meanwhile
    unwritten.clear();
    unwrittenState = null;
    timers.cancel(WRITE_TIMER);
    logs.ref(logId).tell(new AssignmentLog.Confirm(poolId, s.assignments()));
    flushAgainIfPending();
  }

  /** Asks for the next batch's write when assignments wait (a batch was taken partly, or could not be written yet). */
  private void flushAgainIfPending() {
    if (!pending.isEmpty()) {
      ctx.getSelf().tell(new FlushAssignments());
    }
  }

  private ReplyEffect<Event, State> onCaughtUp(State s, CaughtUp c) {
    if (caughtUp || !c.from().equals(s.log()) || c.after() != s.assignments()) {
      return Effect().noReply(); // a late answer of an earlier ask
    }
    if (c.events() == null) {
      LOG.warn("pool {}: reading assignment log {} failed ({}); trying again in {}", poolId, c.from(), c.failure(),
          CATCH_UP_RETRY);
      // the assignments waiting are answered now (not decided long after their askers gave up)
      pending.take().forEach(a -> a.replyTo().tell(StatusReply.error(LOG_UNAVAILABLE)));
      timers.startSingleTimer(CATCH_UP_TIMER, new RetryCatchUp(), CATCH_UP_RETRY);
      return Effect().noReply();
    }
    List<Event> events = new ArrayList<>();
    // a deleted pool wrote its answered assignments with the deletion: what the log holds after it is a stale append
    // of an earlier incarnation, never answered as assigned
    if (!c.events().isEmpty() && !s.deleted()) {
      events.add(c.events().size() == 1 ? c.events().get(0) : new AssignedAll(c.events()));
    }
    if (!java.util.Objects.equals(logId, s.log())) {
      events.add(new LogChosen(logId));
    }
    if (events.isEmpty()) {
      caughtUp(s, c.from());
      return flush(s);
    }
    return Effect().persist(events).thenRun(st -> {
      caughtUp(st, c.from());
      flushAgainIfPending();
    }).thenNoReply();
  }

  /**
   * The pool read what log {@code from} held for it and wrote it ({@code s} after it): the logs learn that its own
   * journal continues from here (the old entries leave them; the next append continues the count), deferred commands
   * run.
   */
  private void caughtUp(State s, String from) {
    caughtUp = true;
    logs.ref(from).tell(new AssignmentLog.Confirm(poolId, s.assignments()));
    if (logId != null && !logId.equals(from)) {
      logs.ref(logId).tell(new AssignmentLog.Confirm(poolId, s.assignments()));
    }
    replayDeferred();
  }

  private static void answer(List<Assign> batch, List<Assigned> events) {
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).replyTo().tell(StatusReply.success(answer(events.get(i))));
    }
  }

  /** The events of a decided batch, in order, and the state they leave. */
  record Decided(List<Assigned> events, State after) {}

  /** The events of {@code batch} decided in order, each on the state left by the ones before. */
  static Decided decideAll(State s, List<Assign> batch) {
    List<Assigned> out = new ArrayList<>(batch.size());
    State running = s;
    for (Assign c : batch) {
      PoolAssigner.Decision d = PoolAssigner.assign(running, c.sessionId(), c.now());
      Assigned e = new Assigned(d.e164(), d.index(), c.sessionId(), c.params(), d.heldUntil(), d.fallback(), c.now());
      running = applyAssigned(running, e);
      out.add(e);
    }
    return new Decided(List.copyOf(out), running);
  }

  private static Assignment answer(Assigned e) {
    return new Assignment(e.e164(), e.fallback() ? null : e.heldUntil(), e.fallback());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Created.class, (s, e) -> new State(e.settings(), PoolSlots.EMPTY, 0, 0, 0, false, PoolUsage.EMPTY,
            null, s.log()))
        .onEvent(Assigned.class, NumberPool::applyAssigned)
        .onEvent(AssignedAll.class, (s, e) -> {
          State out = s;
          for (Assigned a : e.assignments()) {
            out = applyAssigned(out, a);
          }
          return out;
        })
        .onEvent(Deleted.class, (s, e) -> new State(s.settings(), s.slots(), s.nextIndex(), s.assignments(),
            s.fallbacks(), s.exhausted(), s.usage(), e.at(), s.log()))
        .onEvent(LogChosen.class, (s, e) -> s.withLog(e.log()))
        .build();
  }

  /** The state after {@code e} (also used by tests of {@link PoolAssigner} to play a sequence of decisions). */
  static State applyAssigned(State s, Assigned e) {
    PoolAssigner.Decision d = new PoolAssigner.Decision(e.e164(), e.heldUntil(), e.fallback(), e.index());
    int next = e.fallback() ? s.nextIndex() : (e.index() + 1) % s.numbers().size();
    PoolSlots slots = PoolAssigner.apply((PoolSlots) s.slots(), d, e.sessionId(), e.params(), e.at());
    int holds = e.fallback() ? s.numbers().size() : heldAt(slots, e.at());
    return new State(s.settings(), slots, next, s.assignments() + 1, s.fallbacks() + (e.fallback() ? 1 : 0),
        e.fallback() || (s.exhausted() && keptItsNumber(s, e)), s.usage().record(e.at(), e.fallback(), holds),
        s.deletedAt(), s.log());
  }

  /**
   * Whether {@code e} (not a fallback) is a page view of the session holding its number at {@code e.at()} (a dynamic
   * pool's renewal): it needed no free number, so it leaves {@link State#exhausted} as it was; a number handed out
   * anew clears it.
   */
  private static boolean keptItsNumber(State s, Assigned e) {
    Slot before = s.slots().get(e.e164());
    return before != null && e.sessionId().equals(before.sessionId()) && before.heldUntil() != null
        && before.heldUntil().isAfter(e.at());
  }

  /** How many of {@code slots} are held at {@code at} (their hold ends after it); O(log n) when indexed. */
  static int heldAt(Map<String, Slot> slots, Instant at) {
    return PoolSlots.of(slots).heldAt(at);
  }
}
