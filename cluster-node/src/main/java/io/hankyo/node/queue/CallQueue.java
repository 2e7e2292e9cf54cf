package io.hankyo.node.queue;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * A call queue (コールキューイング, spec section 4; issue 3's {@code queue} step): a set of lines (回線数) shared by
 * every call whose flow names the queue, handed out in FIFO order. Sharded and event-sourced, so the line count holds
 * across all nodes of the cluster and after a restart.
 *
 * <p><b>Entity id</b> = {@link QueueKey#entityId()}: operator, advertiser and queue name (and the tracking number
 * when the flow's queue step has {@code "scope": "number"}), e.g. {@code op-1|adv-1|support}: one queue per name per
 * advertiser, shared by every tracking number of that advertiser whose flow names it. Persistence id =
 * {@code CallQueue|op-1|adv-1|support} ({@link PersistenceId#ofUniqueId}, because {@link PersistenceId#of} refuses an
 * entity id that contains its separator).
 *
 * <p><b>Lines and waiting.</b> {@link Enter} takes a free line ({@link Granted}) or a place at the back of the queue
 * ({@link Queued}, position 1 = next). {@link Leave} gives the line back or takes the call out of the queue; a freed
 * line goes to the first waiting call at once, which is told with {@link LineGranted}; every call behind a change
 * is told its new position with {@link PositionChanged}. Notifications are sent after the events are written and are
 * not repeated after a crash: the reply of {@link Renew} (and of a repeated {@link Enter}) gives the call's
 * standing, so a call that missed a notification catches up within one renewal.
 *
 * <p><b>Line count.</b> Each {@link Enter} brings the count of its flow document; the count of the <em>latest
 * accepted Enter</em> applies from then on to every new grant. A higher count grants waiting calls at once; a lower
 * count never takes a held line back: grants stop until enough holders have left. (A call still on an older document
 * version sets the count back to its own until the next newer call enters; the queue cannot tell versions of
 * different numbers apart.)
 *
 * <p><b>Leases.</b> Every holder and waiter has a lease deadline ({@code until}, persisted in the events and
 * snapshots): the Call entity renews it with {@link Renew} (every {@link Settings#lease()}/3 is right), and the queue
 * frees the line or the place of a call whose lease ran out (its call is told {@link LeaseExpired}). Leases were
 * chosen over death watch of the caller's {@link ActorRef}: a Call entity's ref also terminates when sharding moves or
 * passivates a live call (a watch would free its line), and a watch says nothing when a Leave is lost (its retries
 * ran out) while the call's node lives on. Renewals are collected in memory and written as one
 * {@link LeasesRenewed} event per sweep ({@link Settings#sweepInterval()}), not one event per renewal. After recovery
 * every deadline is re-armed, but none runs out before {@link Settings#recoveryGrace()} has passed since the
 * recovery: calls could not renew while the queue was down (and the renewals of the last sweep interval were in
 * memory only).
 *
 * <p><b>Idempotence.</b> {@link Enter} of a call already holding or waiting replies its standing and writes nothing
 * (it counts as a renewal; a new caller ref is recorded); {@link Leave} of a call not in the queue replies done.
 *
 * <p><b>Rejections</b> ({@link StatusReply#error(String)}): {@link Enter} when {@link Settings#maxWaiting()} calls
 * already wait ("queue ... is full"), or with a blank trn id, a line count below 1 or no caller ref; {@link Renew} of a
 * call not in the queue (its lease ran out, or it left).
 *
 * <p><b>Events</b>: one per Enter, Leave, grant, expiry and sweep of renewals at most; a snapshot every
 * {@value #SNAPSHOT_EVERY} events, the last {@value #SNAPSHOTS_KEPT} kept, so recovery reads at most one snapshot
 * and {@value #SNAPSHOT_EVERY} events however busy the queue.
 */
public final class CallQueue
    extends EventSourcedBehaviorWithEnforcedReplies<CallQueue.Command, CallQueue.Event, CallQueue.State> {

  /** Sharding type key; persistence ids are {@code CallQueue|<entity id>}. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "CallQueue");

  /** A snapshot is written every this many events. */
  public static final int SNAPSHOT_EVERY = 100;
  /** How many snapshots are kept. */
  public static final int SNAPSHOTS_KEPT = 2;

  private static final String SWEEP_TIMER = "sweep";

  // ---------------------------------------------------------------------------------------------------- settings

  /**
   * Tunables of a queue.
   *
   * @param maxWaiting the most calls that may wait at once; {@link Enter} beyond it is rejected (holders do not count)
   * @param lease how long a holder or waiter stays without renewal (the Call entity renews every lease/3)
   * @param sweepInterval how often expired leases are freed and renewals written
   * @param recoveryGrace after a recovery, no lease runs out before this much time has passed
   * @param clock the time source (tests use a manual one)
   */
  public record Settings(
      int maxWaiting, Duration lease, Duration sweepInterval, Duration recoveryGrace, Clock clock) {
    public Settings {
      if (maxWaiting < 1) {
        throw new IllegalArgumentException("maxWaiting must be at least 1: " + maxWaiting);
      }
      Objects.requireNonNull(lease, "lease");
      Objects.requireNonNull(sweepInterval, "sweepInterval");
      Objects.requireNonNull(recoveryGrace, "recoveryGrace");
      Objects.requireNonNull(clock, "clock");
      if (lease.isNegative() || lease.isZero() || sweepInterval.isNegative() || sweepInterval.isZero()) {
        throw new IllegalArgumentException("lease and sweepInterval must be positive");
      }
    }

    /** 1000 waiting, lease 60 s, sweep every 10 s, recovery grace 30 s, the system clock (UTC). */
    public static Settings defaults() {
      return new Settings(1000, Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(30),
          Clock.systemUTC());
    }
  }

  // ---------------------------------------------------------------------------------------------------- commands

  /** Commands of the queue entity. */
  public sealed interface Command extends JsonSerializable {}

  /**
   * Asks for a line for call {@code trnId}. Idempotent: a call already holding or waiting gets its standing again
   * (nothing written unless {@code caller} changed).
   *
   * @param trnId the call ({@code trn_id})
   * @param lines the line count (回線数) of the call's flow document, at least 1; applies to new grants from now on
   * @param caller where {@link Notification}s about this call go (the Call entity, or an adapter of it)
   * @param replyTo gets {@link Granted} or {@link Queued}; an error when the queue is full or the command is invalid
   */
  public record Enter(
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("lines") int lines,
      @JsonProperty("caller") ActorRef<Notification> caller,
      @JsonProperty("reply_to") ActorRef<StatusReply<Standing>> replyTo)
      implements Command {}

  /**
   * Call {@code trnId} leaves: it hung up, waited too long, or ended after holding a line. Frees the line (granted to
   * the first waiting call) or removes the waiting place. Idempotent: done without change when the call is not here.
   *
   * @param replyTo gets {@link Done}
   */
  public record Leave(
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("reply_to") ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /**
   * Renews the lease of call {@code trnId} (holder or waiter) and tells where it stands. Written with the next sweep,
   * not at once.
   *
   * @param caller where notifications go from now on (a Call entity that moved to another node sends its new ref);
   *     null keeps the current one
   * @param replyTo gets {@link Granted} or {@link Queued}; an error when the call is not in the queue (its lease ran
   *     out, or it left): it must not assume it holds a line
   */
  public record Renew(
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("caller") ActorRef<Notification> caller,
      @JsonProperty("reply_to") ActorRef<StatusReply<Standing>> replyTo)
      implements Command {}

  /** Reads the whole state (tests, diagnostics). @param replyTo gets the {@link QueueState} */
  public record Get(@JsonProperty("reply_to") ActorRef<QueueState> replyTo) implements Command {
    @JsonCreator
    public Get {}
  }

  /** Internal, sent by the entity's timer every {@link Settings#sweepInterval()}: frees expired leases. */
  public record Sweep() implements Command {
    @JsonCreator
    public Sweep {}
  }

  // ----------------------------------------------------------------------------------------------------- replies

  /** Where a call stands: reply to {@link Enter} and {@link Renew}. */
  public sealed interface Standing extends JsonSerializable {
    /** The queue's entity id. */
    String queueId();

    /** The call. */
    String trnId();
  }

  /** The call holds a line: connect it. */
  public record Granted(@JsonProperty("queue_id") String queueId, @JsonProperty("trn_id") String trnId)
      implements Standing {}

  /** All lines are busy: the call waits at {@code position} (1 = next to be granted). */
  public record Queued(
      @JsonProperty("queue_id") String queueId,
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("position") int position)
      implements Standing {}

  // ------------------------------------------------------------------------------------------------ notifications

  /**
   * What the queue tells a call later, at the {@code caller} ref of its {@link Enter} (or last {@link Renew}). Sent
   * once after the change is written; not repeated (a renewal's reply gives the standing).
   */
  public sealed interface Notification extends JsonSerializable {
    /** The queue's entity id. */
    String queueId();

    /** The call. */
    String trnId();

    /** When the change happened. */
    Instant at();
  }

  /** A line freed and the waiting call now holds it (→ {@code FlowSignal.QueueLineGranted}). */
  public record LineGranted(
      @JsonProperty("queue_id") String queueId,
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("at") Instant at)
      implements Notification {}

  /** The waiting call moved to {@code position} (1 = next) (→ {@code FlowSignal.QueuePosition}). */
  public record PositionChanged(
      @JsonProperty("queue_id") String queueId,
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("position") int position,
      @JsonProperty("at") Instant at)
      implements Notification {}

  /**
   * The call's lease ran out without renewal: it lost its line or its place ({@code held} tells which). A live call
   * that gets this lost contact with the queue for a whole lease; it should go on as after the queue's max wait.
   */
  public record LeaseExpired(
      @JsonProperty("queue_id") String queueId,
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("held") boolean held,
      @JsonProperty("at") Instant at)
      implements Notification {}

  // ------------------------------------------------------------------------------------------------------ events

  /** Events of the queue entity. */
  public sealed interface Event extends JsonSerializable {}

  /**
   * A call entered: it holds a line ({@code granted}) or waits at the back. {@code lines} becomes the queue's line
   * count.
   *
   * @param until its lease deadline
   */
  public record Entered(
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("caller") ActorRef<Notification> caller,
      @JsonProperty("lines") int lines,
      @JsonProperty("granted") boolean granted,
      @JsonProperty("at") Instant at,
      @JsonProperty("until") Instant until)
      implements Event {}

  /** The first waiting call was given a freed line, with a fresh lease until {@code until}. */
  public record LineTaken(
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("at") Instant at,
      @JsonProperty("until") Instant until)
      implements Event {}

  /** Why a call left. */
  public enum LeftReason {
    /** The call sent {@link Leave}. */
    LEFT,
    /** Its lease ran out. */
    EXPIRED
  }

  /** A call gave up its line or its place. */
  public record Left(
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("reason") LeftReason reason,
      @JsonProperty("at") Instant at)
      implements Event {}

  /** The leases of these calls (renewed since the last sweep) now run until {@code until}. */
  public record LeasesRenewed(
      @JsonProperty("trn_ids") List<String> trnIds,
      @JsonProperty("until") Instant until)
      implements Event {
    public LeasesRenewed {
      trnIds = List.copyOf(trnIds);
    }
  }

  /** Notifications about the call go to {@code caller} from now on. */
  public record CallerChanged(
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("caller") ActorRef<Notification> caller)
      implements Event {}

  // ------------------------------------------------------------------------------------------------------- state

  /** State of the queue entity. */
  public sealed interface State extends JsonSerializable {}

  /**
   * A call in the queue, holding a line or waiting.
   *
   * @param trnId the call
   * @param caller where its notifications go
   * @param since when it entered (waiter) or got its line (holder)
   * @param until its lease deadline
   */
  public record Member(
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("caller") ActorRef<Notification> caller,
      @JsonProperty("since") Instant since,
      @JsonProperty("until") Instant until)
      implements JsonSerializable {
    Member withUntil(Instant newUntil) {
      return new Member(trnId, caller, since, newUntil);
    }

    Member withCaller(ActorRef<Notification> newCaller) {
      return new Member(trnId, newCaller, since, until);
    }
  }

  /**
   * The queue: also the reply to {@link Get}.
   *
   * @param lines the line count of the latest Enter (0 before the first)
   * @param held the calls holding a line, in order of grant (may exceed {@code lines} after the count was lowered)
   * @param waiting the waiting calls, first = next to be granted (position 1)
   */
  public record QueueState(
      @JsonProperty("lines") int lines,
      @JsonProperty("held") List<Member> held,
      @JsonProperty("waiting") List<Member> waiting)
      implements State {
    public QueueState {
      held = held == null ? List.of() : List.copyOf(held);
      waiting = waiting == null ? List.of() : List.copyOf(waiting);
    }

    /** True when the call holds a line. */
    public boolean holds(String trnId) {
      return indexOf(held, trnId) >= 0;
    }

    /** The call's position among the waiting (1 = next), or 0 when it does not wait. */
    public int positionOf(String trnId) {
      return indexOf(waiting, trnId) + 1;
    }

    /** True when a waiting call would be granted a line now. */
    boolean lineFree() {
      return held.size() < lines;
    }

    Optional<Member> member(String trnId) {
      int i = indexOf(held, trnId);
      if (i >= 0) {
        return Optional.of(held.get(i));
      }
      i = indexOf(waiting, trnId);
      return i >= 0 ? Optional.of(waiting.get(i)) : Optional.empty();
    }

    private static int indexOf(List<Member> list, String trnId) {
      for (int i = 0; i < list.size(); i++) {
        if (list.get(i).trnId().equals(trnId)) {
          return i;
        }
      }
      return -1;
    }

    private static List<Member> replace(List<Member> list, String trnId, java.util.function.UnaryOperator<Member> f) {
      List<Member> out = new ArrayList<>(list.size());
      for (Member m : list) {
        out.add(m.trnId().equals(trnId) ? f.apply(m) : m);
      }
      return out;
    }

    private static List<Member> without(List<Member> list, String trnId) {
      List<Member> out = new ArrayList<>(list.size());
      for (Member m : list) {
        if (!m.trnId().equals(trnId)) {
          out.add(m);
        }
      }
      return out;
    }

    /** The state after {@code event}; pure, used by the event handler and to plan events in the command handler. */
    QueueState apply(Event event) {
      if (event instanceof Entered e) {
        Member m = new Member(e.trnId(), e.caller(), e.at(), e.until());
        List<Member> target = new ArrayList<>(e.granted() ? held : waiting);
        target.add(m);
        return e.granted() ? new QueueState(e.lines(), target, waiting) : new QueueState(e.lines(), held, target);
      }
      if (event instanceof LineTaken g) {
        int i = indexOf(waiting, g.trnId());
        if (i < 0) {
          return this;
        }
        Member w = waiting.get(i);
        List<Member> newHeld = new ArrayList<>(held);
        newHeld.add(new Member(w.trnId(), w.caller(), g.at(), g.until()));
        return new QueueState(lines, newHeld, without(waiting, g.trnId()));
      }
      if (event instanceof Left l) {
        return new QueueState(lines, without(held, l.trnId()), without(waiting, l.trnId()));
      }
      if (event instanceof LeasesRenewed r) {
        List<Member> h = held;
        List<Member> w = waiting;
        for (String id : r.trnIds()) {
          h = replace(h, id, m -> m.withUntil(r.until()));
          w = replace(w, id, m -> m.withUntil(r.until()));
        }
        return new QueueState(lines, h, w);
      }
      if (event instanceof CallerChanged c) {
        return new QueueState(lines, replace(held, c.trnId(), m -> m.withCaller(c.caller())),
            replace(waiting, c.trnId(), m -> m.withCaller(c.caller())));
      }
      throw new IllegalArgumentException("unknown event " + event);
    }
  }

  // ---------------------------------------------------------------------------------------------------- entity id

  /**
   * Whose queue and which: the operator, the advertiser, the tracking number when the flow's queue step has {@code
   * "scope": "number"} (null for the default {@code "advertiser"}: every number of the advertiser that names the queue
   * shares its lines), and the queue name. Queues are never shared across advertisers, even of one operator.
   *
   * <p>Entity id: the parts escaped ({@code %} → {@code %25}, {@code |} → {@code %7C}) and joined with {@code |}:
   * {@code op-1|adv-1|support} for an advertiser's queue, {@code op-1|adv-1|support|number-7} for a number's.
   *
   * @param operatorId the operator (not blank)
   * @param clientId the advertiser's client_id (not blank)
   * @param dialinId the tracking number's dialin_id for a number's own queue; null for the advertiser's
   * @param queue the queue name of the flow (not blank)
   */
  public record QueueKey(String operatorId, String clientId, String dialinId, String queue) {
    /** @throws IllegalArgumentException when a part is blank */
    public QueueKey {
      if (blank(operatorId) || blank(clientId) || blank(queue) || (dialinId != null && dialinId.isBlank())) {
        throw new IllegalArgumentException("operator id, client id, queue name (and dialin id when given) must not be "
            + "blank");
      }
    }

    /** The queue named {@code queue} of the advertiser {@code clientId} (scope {@code "advertiser"}). */
    public static QueueKey ofAdvertiser(String operatorId, String clientId, String queue) {
      return new QueueKey(operatorId, clientId, null, queue);
    }

    /** The entity id, see the class comment. */
    public String entityId() {
      String id = escape(operatorId) + "|" + escape(clientId) + "|" + escape(queue);
      return dialinId == null ? id : id + "|" + escape(dialinId);
    }

    /**
     * The key of an entity id made by {@link #entityId()}.
     *
     * @throws IllegalArgumentException when the id is not of that shape
     */
    public static QueueKey parse(String entityId) {
      String[] parts = entityId == null ? new String[0] : entityId.split("\\|", -1);
      if (parts.length != 3 && parts.length != 4) {
        throw new IllegalArgumentException("a call queue's entity id is <operator id>|<client id>|<queue name>"
            + "[|<dialin id>] (escaped), got '" + entityId + "'");
      }
      return new QueueKey(unescape(parts[0]), unescape(parts[1]), parts.length == 4 ? unescape(parts[3]) : null,
          unescape(parts[2]));
    }

    private static boolean blank(String s) {
      return s == null || s.isBlank();
    }

    /** For messages: {@code queue 'support' of advertiser adv-1} (or {@code of number n-7 of advertiser adv-1}). */
    @Override
    public String toString() {
      return "queue '" + queue + "' of " + (dialinId == null ? "" : "number " + dialinId + " of ") + "advertiser "
          + clientId;
    }
  }

  private static String escape(String s) {
    return s.replace("%", "%25").replace("|", "%7C");
  }

  private static String unescape(String s) {
    return s.replace("%7C", "|").replace("%7c", "|").replace("%25", "%");
  }

  // ---------------------------------------------------------------------------------------------------- behavior

  /**
   * Registers the entity type with sharding (default {@link Settings}; idempotent).
   *
   * @return the shard region
   */
  public static ActorRef<ShardingEnvelope<Command>> init(ClusterSharding sharding) {
    return sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId())));
  }

  /** The behavior of queue {@code entityId} with default settings. */
  public static Behavior<Command> create(String entityId) {
    return create(entityId, Settings.defaults());
  }

  /**
   * The behavior of queue {@code entityId}.
   *
   * @throws IllegalArgumentException when the id is not a {@link QueueKey#entityId()}
   */
  public static Behavior<Command> create(String entityId, Settings settings) {
    QueueKey.parse(entityId);
    Objects.requireNonNull(settings, "settings");
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new CallQueue(entityId, settings, timers)));
  }

  private final String queueId;
  private final Settings settings;
  private final TimerScheduler<Command> timers;
  /** Calls renewed since the last sweep (memory only: written by the sweep as one event). */
  private final Set<String> renewed = new LinkedHashSet<>();
  /** No lease runs out before this instant (set at recovery). */
  private Instant graceUntil = Instant.MIN;

  private CallQueue(String queueId, Settings settings, TimerScheduler<Command> timers) {
    super(PersistenceId.ofUniqueId(ENTITY_KEY.name() + "|" + queueId));
    this.queueId = queueId;
    this.settings = settings;
    this.timers = timers;
  }

  @Override
  public State emptyState() {
    return new QueueState(0, List.of(), List.of());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, SNAPSHOTS_KEPT);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          graceUntil = now().plus(settings.recoveryGrace());
          timers.startTimerWithFixedDelay(SWEEP_TIMER, new Sweep(), settings.sweepInterval());
        })
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> b = newCommandHandlerWithReplyBuilder();
    b.forStateType(QueueState.class)
        .onCommand(Enter.class, this::enter)
        .onCommand(Leave.class, this::leave)
        .onCommand(Renew.class, this::renew)
        .onCommand(Sweep.class, this::sweep)
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), s));
    return b.build();
  }

  private ReplyEffect<Event, State> enter(QueueState s, Enter c) {
    if (c.trnId() == null || c.trnId().isBlank()) {
      return Effect().reply(c.replyTo(), StatusReply.error("Enter needs a trn_id"));
    }
    if (c.lines() < 1) {
      return Effect().reply(c.replyTo(), StatusReply.error("lines must be at least 1, got " + c.lines()));
    }
    if (c.caller() == null) {
      return Effect().reply(c.replyTo(), StatusReply.error("Enter needs a caller ref for notifications"));
    }
    Optional<Member> present = s.member(c.trnId());
    if (present.isPresent()) {
      return again(s, present.get(), c.caller(), c.replyTo());
    }
    Instant at = now();
    // The count of this Enter applies at once: on a raised count the waiting calls are granted first (FIFO), and the
    // newcomer gets a line only when none waits after that.
    List<Event> grants = new ArrayList<>();
    QueueState planned = grantWaiting(new QueueState(c.lines(), s.held(), s.waiting()), at, grants);
    boolean granted = planned.waiting().isEmpty() && planned.lineFree();
    if (!granted && planned.waiting().size() >= settings.maxWaiting()) {
      return Effect().reply(c.replyTo(), StatusReply.error(QueueKey.parse(queueId) + " is full: "
          + planned.waiting().size() + " calls are waiting (at most " + settings.maxWaiting() + ")"));
    }
    Entered entered = new Entered(c.trnId(), c.caller(), c.lines(), granted, at, at.plus(settings.lease()));
    List<Event> events;
    if (granted) {
      // Lines are held in order of grant: the waiting calls' grants go before the newcomer's.
      events = grants;
      events.add(entered);
    } else {
      events = replan(s, entered, at);
    }
    return Effect().persist(events)
        .thenRun(ns -> notifyChanges(s, (QueueState) ns, c.trnId(), at))
        .thenReply(c.replyTo(), ns -> StatusReply.success(standing((QueueState) ns, c.trnId())));
  }

  /** The first event followed by the grants it makes possible. */
  private List<Event> replan(QueueState s, Event first, Instant at) {
    List<Event> events = new ArrayList<>();
    events.add(first);
    grantWaiting(s.apply(first), at, events);
    return events;
  }

  /** Grants freed lines to the first waiting calls, adding a {@link LineTaken} per grant. */
  private QueueState grantWaiting(QueueState s, Instant at, List<Event> events) {
    QueueState planned = s;
    while (planned.lineFree() && !planned.waiting().isEmpty()) {
      LineTaken g = new LineTaken(planned.waiting().get(0).trnId(), at, at.plus(settings.lease()));
      events.add(g);
      planned = planned.apply(g);
    }
    return planned;
  }

  /** A repeated Enter or a Renew of a call that is here: a renewal; records a new caller ref. */
  private ReplyEffect<Event, State> again(
      QueueState s, Member m, ActorRef<Notification> caller, ActorRef<StatusReply<Standing>> replyTo) {
    renewed.add(m.trnId());
    StatusReply<Standing> reply = StatusReply.success(standing(s, m.trnId()));
    if (caller == null || caller.equals(m.caller())) {
      return Effect().reply(replyTo, reply);
    }
    return Effect().persist(new CallerChanged(m.trnId(), caller)).thenReply(replyTo, ns -> reply);
  }

  private ReplyEffect<Event, State> renew(QueueState s, Renew c) {
    Optional<Member> present = c.trnId() == null ? Optional.empty() : s.member(c.trnId());
    if (present.isEmpty()) {
      return Effect().reply(c.replyTo(), StatusReply.error(
          "call " + c.trnId() + " is not in " + QueueKey.parse(queueId) + " (it left, or its lease ran out)"));
    }
    return again(s, present.get(), c.caller(), c.replyTo());
  }

  private ReplyEffect<Event, State> leave(QueueState s, Leave c) {
    if (c.trnId() == null || s.member(c.trnId()).isEmpty()) {
      return Effect().reply(c.replyTo(), StatusReply.ack());
    }
    Instant at = now();
    renewed.remove(c.trnId());
    List<Event> events = replan(s, new Left(c.trnId(), LeftReason.LEFT, at), at);
    return Effect().persist(events)
        .thenRun(ns -> notifyChanges(s, (QueueState) ns, c.trnId(), at))
        .thenReply(c.replyTo(), ns -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> sweep(QueueState s, Sweep c) {
    Instant at = now();
    List<Event> events = new ArrayList<>();
    Set<String> stillHere = new LinkedHashSet<>();
    for (String id : renewed) {
      if (s.member(id).isPresent()) {
        stillHere.add(id);
      }
    }
    renewed.clear();
    if (!stillHere.isEmpty()) {
      events.add(new LeasesRenewed(List.copyOf(stillHere), at.plus(settings.lease())));
    }
    Map<String, Boolean> expired = new HashMap<>();
    if (!at.isBefore(graceUntil)) {
      for (Member m : s.held()) {
        if (!stillHere.contains(m.trnId()) && !at.isBefore(m.until())) {
          expired.put(m.trnId(), true);
        }
      }
      for (Member m : s.waiting()) {
        if (!stillHere.contains(m.trnId()) && !at.isBefore(m.until())) {
          expired.put(m.trnId(), false);
        }
      }
    }
    if (events.isEmpty() && expired.isEmpty()) {
      return Effect().noReply();
    }
    QueueState planned = s;
    for (Event e : events) {
      planned = planned.apply(e);
    }
    // Expire in queue order (holders, then waiters front to back) so the event order is deterministic.
    List<Member> order = new ArrayList<>(s.held());
    order.addAll(s.waiting());
    for (Member m : order) {
      if (expired.containsKey(m.trnId())) {
        Left l = new Left(m.trnId(), LeftReason.EXPIRED, at);
        events.add(l);
        planned = planned.apply(l);
      }
    }
    grantWaiting(planned, at, events);
    return Effect().persist(events)
        .thenRun(ns -> {
          for (Member m : order) {
            Boolean held = expired.get(m.trnId());
            if (held != null) {
              m.caller().tell(new LeaseExpired(queueId, m.trnId(), held, at));
            }
          }
          notifyChanges(s, (QueueState) ns, null, at);
        })
        .thenNoReply();
  }

  /**
   * Tells every call whose standing changed between {@code before} and {@code after}: newly granted calls get
   * {@link LineGranted}, waiting calls whose position changed get {@link PositionChanged}. The call that sent the
   * command ({@code self}, may be null) learns its standing from the reply instead.
   */
  private void notifyChanges(QueueState before, QueueState after, String self, Instant at) {
    for (Member m : after.held()) {
      if (!m.trnId().equals(self) && !before.holds(m.trnId())) {
        m.caller().tell(new LineGranted(queueId, m.trnId(), at));
      }
    }
    for (int i = 0; i < after.waiting().size(); i++) {
      Member m = after.waiting().get(i);
      if (!m.trnId().equals(self) && before.positionOf(m.trnId()) != i + 1) {
        m.caller().tell(new PositionChanged(queueId, m.trnId(), i + 1, at));
      }
    }
  }

  private Standing standing(QueueState s, String trnId) {
    int position = s.positionOf(trnId);
    return position > 0 ? new Queued(queueId, trnId, position) : new Granted(queueId, trnId);
  }

  private Instant now() {
    return settings.clock().instant();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    var b = newEventHandlerBuilder();
    b.forStateType(QueueState.class).onEvent(Event.class, (s, e) -> s.apply(e));
    return b.build();
  }
}
