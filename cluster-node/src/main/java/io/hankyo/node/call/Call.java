package io.hankyo.node.call;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.call.CallArrival;
import io.hankyo.protocol.call.CallInstruction;
import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.call.RouteDecision;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.number.PhoneNumber;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.javadsl.Recovery;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One live call (the "brain" of design-notes.md section 1): entity id = {@code trn_id}.
 *
 * <p>A state machine: {@link Idle} → {@link Forwarding} (forward attempt under way, ring timer armed) →
 * {@link Connected} (destination answered) → {@link Ended} (call-log record final). A call that fails before answer
 * goes from {@link Forwarding} straight to {@link Ended}. The next issues add schedule, IVR, queueing and sequential
 * forwarding as further states and attempts.
 *
 * <p>Write budget (design-notes.md section 2): a call persists at most four events in three writes: {@link CallArrived}
 * with {@link ForwardAttemptStarted} (one {@code persistAll}), {@link CallAnswered}, {@link CallEnded}. Ringing is kept
 * in memory and carried by the later events. Only {@link CallEnded} is tagged (for the call-log projection) and it
 * carries the complete {@link CallLogRecord}.
 *
 * <p>Timers: the ring deadline is persisted in {@link ForwardAttemptStarted} and re-armed on recovery, so a call whose
 * entity moved to another node still times out. When it fires the entity orders the gateway to cancel
 * ({@link CallInstruction.CancelForward}); if the gateway does not report the end within {@link #GATEWAY_GRACE}, or
 * the gateway's node dies (death watch), the entity ends the call itself as a system failure.
 *
 * <p>Reports from the gateway are idempotent: a report for another attempt, or after the end, is acknowledged and
 * ignored.
 */
public final class Call
    extends EventSourcedBehaviorWithEnforcedReplies<Call.Command, Call.Event, Call.State> {

  /** Sharding key of the entity type. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Call");

  /** Prefix of the tags of {@link CallEnded} events; the call-log projection runs one instance per tag. */
  public static final String TAG_PREFIX = "calllog-";

  /** How long the gateway has to report the end after the entity ordered a cancel. */
  static final Duration GATEWAY_GRACE = Duration.ofSeconds(15);

  // ---------------------------------------------------------------- commands

  /** Commands. */
  public sealed interface Command extends JsonSerializable {}

  /**
   * A new call: persist its arrival and decide where to forward.
   *
   * @param arrival what the gateway saw
   * @param route the tracking number's route at arrival
   * @param seqNum the operator's {@code seq_num} for this call
   * @param gateway where to send instructions for this call
   * @param ringTimeoutMillis ring timeout of the forward attempt, milliseconds
   * @param replyTo gets {@link RouteDecision.Forward}, or an error when the call already ended
   */
  public record Start(
      @JsonProperty("arrival") CallArrival arrival,
      @JsonProperty("route") NumberRoute route,
      @JsonProperty("seqNum") long seqNum,
      @JsonProperty("gateway") ActorRef<CallInstruction> gateway,
      @JsonProperty("ringTimeoutMillis") long ringTimeoutMillis,
      @JsonProperty("replyTo") ActorRef<StatusReply<RouteDecision>> replyTo)
      implements Command {
    @JsonCreator
    public Start {}
  }

  /** A progress report from the gateway; acknowledged once taken (persisted where it changes the state). */
  public record Report(
      @JsonProperty("progress") CallProgress progress,
      @JsonProperty("replyTo") ActorRef<StatusReply<Done>> replyTo)
      implements Command {
    @JsonCreator
    public Report {}
  }

  /** Reads the current state (tests, diagnostics). */
  public record GetState(@JsonProperty("replyTo") ActorRef<State> replyTo) implements Command {
    @JsonCreator
    public GetState {}
  }

  /** Internal: the ring timer of {@code attempt} fired. */
  public record RingTimeoutExpired(@JsonProperty("attempt") int attempt) implements Command {
    @JsonCreator
    public RingTimeoutExpired {}
  }

  /** Internal: the gateway did not report the end after a cancel order. */
  public record GatewaySilent(@JsonProperty("attempt") int attempt) implements Command {
    @JsonCreator
    public GatewaySilent {}
  }

  /** Internal: the gateway actor (and so its SIP dialogs) is gone, e.g. its node died. */
  public record GatewayLost() implements Command {
    @JsonCreator
    public GatewayLost {}
  }

  // ---------------------------------------------------------------- events

  /** Events. */
  public sealed interface Event extends JsonSerializable {}

  /** The call arrived for a known tracking number. */
  public record CallArrived(
      @JsonProperty("arrival") CallArrival arrival,
      @JsonProperty("route") NumberRoute route,
      @JsonProperty("seqNum") long seqNum,
      @JsonProperty("gateway") ActorRef<CallInstruction> gateway)
      implements Event {
    @JsonCreator
    public CallArrived {}
  }

  /** A forward attempt started; {@code ringDeadline} is when the entity gives up on it. */
  public record ForwardAttemptStarted(
      @JsonProperty("attempt") int attempt,
      @JsonProperty("destination") PhoneNumber destination,
      @JsonProperty("startedAt") Instant startedAt,
      @JsonProperty("ringDeadline") Instant ringDeadline)
      implements Event {
    @JsonCreator
    public ForwardAttemptStarted {}
  }

  /** The destination answered; {@code ringingAt} is when it first rang (null when it answered without ringing). */
  public record CallAnswered(
      @JsonProperty("attempt") int attempt,
      @JsonProperty("answeredAt") Instant answeredAt,
      @JsonProperty("ringingAt") Instant ringingAt)
      implements Event {
    @JsonCreator
    public CallAnswered {}
  }

  /** The call ended; carries the complete call-log record (the projection needs nothing else). */
  public record CallEnded(
      @JsonProperty("record") CallLogRecord record, @JsonProperty("ringingAt") Instant ringingAt)
      implements Event {
    @JsonCreator
    public CallEnded {}
  }

  // ---------------------------------------------------------------- state

  /** States. */
  public sealed interface State extends JsonSerializable {}

  /** No call yet. */
  public record Idle() implements State {
    @JsonCreator
    public Idle {}
  }

  /** Forwarding to a destination that has not answered yet. */
  public record Forwarding(
      @JsonProperty("arrived") CallArrived arrived, @JsonProperty("attempt") ForwardAttemptStarted attempt)
      implements State {
    @JsonCreator
    public Forwarding {}
  }

  /** The destination answered; talk is under way. */
  public record Connected(
      @JsonProperty("arrived") CallArrived arrived,
      @JsonProperty("attempt") ForwardAttemptStarted attempt,
      @JsonProperty("answered") CallAnswered answered)
      implements State {
    @JsonCreator
    public Connected {}
  }

  /** The call is over; {@code record} is its call-log record. */
  public record Ended(@JsonProperty("record") CallLogRecord record) implements State {
    @JsonCreator
    public Ended {}
  }

  // ---------------------------------------------------------------- wiring

  /** What the entity needs besides its id. */
  public record Dependencies(CallOutcomes outcomes, CallLogWriter callLog, int tagCount) {}

  /** Registers the entity type with sharding. */
  public static void init(ClusterSharding sharding, Dependencies deps) {
    sharding.init(
        Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), deps, ctx.getShard())));
  }

  /**
   * The behavior of call {@code trnId}.
   *
   * @param shard the shard to ask for passivation when the call ended; null outside sharding (tests)
   */
  public static Behavior<Command> create(
      String trnId, Dependencies deps, ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new Call(trnId, deps, ctx, timers, shard)));
  }

  /** The tag of a call's {@link CallEnded} event: one of {@code tagCount} tags, by hash of the id. */
  public static String tagFor(String trnId, int tagCount) {
    return TAG_PREFIX + Math.floorMod(trnId.hashCode(), tagCount);
  }

  /** All tags the call-log projection must follow. */
  public static List<String> allTags(int tagCount) {
    return java.util.stream.IntStream.range(0, tagCount).mapToObj(i -> TAG_PREFIX + i).toList();
  }

  private final String trnId;
  private final Dependencies deps;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  /** When the destination first rang; transient by design (not worth a write), carried by later events. */
  private Instant ringingAt;

  private Call(
      String trnId,
      Dependencies deps,
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    super(PersistenceId.of(ENTITY_KEY.name(), trnId));
    this.trnId = trnId;
    this.deps = deps;
    this.ctx = ctx;
    this.timers = timers;
    this.shard = shard;
  }

  @Override
  public State emptyState() {
    return new Idle();
  }

  /**
   * Calls never take snapshots (a call has at most four events), so recovery skips the snapshot store: one read less
   * for every new call.
   */
  @Override
  public Recovery recovery() {
    return Recovery.withSnapshotSelectionCriteria(SnapshotSelectionCriteria.none());
  }

  @Override
  public Set<String> tagsFor(Event event) {
    if (event instanceof CallEnded) {
      return Set.of(tagFor(trnId, deps.tagCount()));
    }
    return Set.of();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecovered)
        .build();
  }

  private void onRecovered(State state) {
    if (state instanceof Forwarding f) {
      watchGateway(f.arrived().gateway());
      armRingTimer(f.attempt());
    } else if (state instanceof Connected c) {
      watchGateway(c.arrived().gateway());
    } else if (state instanceof Ended) {
      passivate();
    }
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    var b = newCommandHandlerWithReplyBuilder();
    b.forStateType(Idle.class)
        .onCommand(Start.class, this::start)
        .onCommand(Report.class, (s, c) -> orphanReport(c))
        .onCommand(RingTimeoutExpired.class, (s, c) -> Effect().noReply())
        .onCommand(GatewaySilent.class, (s, c) -> Effect().noReply())
        .onCommand(GatewayLost.class, (s, c) -> Effect().noReply());
    b.forStateType(Forwarding.class)
        .onCommand(Start.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(decision(s.arrived(), s.attempt()))))
        .onCommand(Report.class, this::reportWhileForwarding)
        .onCommand(RingTimeoutExpired.class, this::ringTimeout)
        .onCommand(GatewaySilent.class, (s, c) -> c.attempt() == s.attempt().attempt()
            ? end(s.arrived(), s.attempt(), null, Instant.now(), HangupParty.SYSTEM, EndCause.GATEWAY_FAILURE, 0, null)
            : Effect().noReply())
        .onCommand(GatewayLost.class, (s, c) ->
            end(s.arrived(), s.attempt(), null, Instant.now(), HangupParty.SYSTEM, EndCause.GATEWAY_FAILURE, 0, null));
    b.forStateType(Connected.class)
        .onCommand(Start.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(decision(s.arrived(), s.attempt()))))
        .onCommand(Report.class, this::reportWhileConnected)
        .onCommand(RingTimeoutExpired.class, (s, c) -> Effect().noReply())
        .onCommand(GatewaySilent.class, (s, c) -> Effect().noReply())
        .onCommand(GatewayLost.class, (s, c) -> end(s.arrived(), s.attempt(), s.answered().answeredAt(), Instant.now(),
            HangupParty.SYSTEM, EndCause.GATEWAY_FAILURE, 0, null));
    b.forStateType(Ended.class)
        .onCommand(Start.class, (s, c) -> Effect().reply(c.replyTo(),
            StatusReply.error("call " + trnId + " has already ended")))
        .onCommand(Report.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.ack()))
        .onCommand(RingTimeoutExpired.class, (s, c) -> Effect().noReply())
        .onCommand(GatewaySilent.class, (s, c) -> Effect().noReply())
        .onCommand(GatewayLost.class, (s, c) -> Effect().noReply());
    b.forAnyState().onCommand(GetState.class, (s, c) -> Effect().reply(c.replyTo(), s));
    return b.build();
  }

  private ReplyEffect<Event, State> start(Idle state, Start cmd) {
    if (!cmd.arrival().trnId().equals(trnId)) {
      return Effect().reply(cmd.replyTo(),
          StatusReply.error("trn_id " + cmd.arrival().trnId() + " sent to call entity " + trnId));
    }
    if (cmd.ringTimeoutMillis() <= 0) {
      return Effect().reply(cmd.replyTo(), StatusReply.error("ring timeout must be positive"));
    }
    Instant now = Instant.now();
    CallArrived arrived = new CallArrived(cmd.arrival(), cmd.route(), cmd.seqNum(), cmd.gateway());
    RouteDecision.Forward first = firstAttempt(cmd.arrival(), cmd.route(), cmd.ringTimeoutMillis());
    ForwardAttemptStarted attempt = new ForwardAttemptStarted(
        first.attempt(), first.destination(), now, now.plusMillis(first.ringTimeoutMillis()));
    return Effect()
        .persist(List.of(arrived, attempt))
        .thenRun(s -> {
          watchGateway(cmd.gateway());
          armRingTimer(attempt);
        })
        .thenReply(cmd.replyTo(), s -> StatusReply.success(decision(arrived, attempt)));
  }

  private ReplyEffect<Event, State> orphanReport(Report cmd) {
    // A report for a call this entity has not started: its Start may still be on the way (the gateway forwards
    // while the Start is persisted, and a Start retried after a timeout can arrive late), so the report is refused
    // and the sender retries; if the Start never comes, the call was given up with 503 and there is nothing to log.
    if (cmd.progress() instanceof CallProgress.Ringing) {
      return Effect().reply(cmd.replyTo(), StatusReply.ack()); // transient, not worth a retry
    }
    ctx.getLog().debug("call {}: {} before the call started; refused (the sender retries)", trnId,
        cmd.progress().getClass().getSimpleName());
    return Effect().reply(cmd.replyTo(), StatusReply.error("call " + trnId + " has not started"));
  }

  private ReplyEffect<Event, State> reportWhileForwarding(Forwarding s, Report cmd) {
    CallProgress p = cmd.progress();
    if (p instanceof CallProgress.Ringing r) {
      if (r.attempt() == s.attempt().attempt() && ringingAt == null) {
        ringingAt = r.at();
      }
      return Effect().reply(cmd.replyTo(), StatusReply.ack());
    }
    if (p instanceof CallProgress.Answered a) {
      if (a.attempt() != s.attempt().attempt()) {
        return Effect().reply(cmd.replyTo(), StatusReply.ack());
      }
      timers.cancel(ringTimerKey(a.attempt()));
      timers.cancel(graceTimerKey(a.attempt()));
      return Effect()
          .persist(new CallAnswered(a.attempt(), a.at(), ringingAt))
          .thenReply(cmd.replyTo(), st -> StatusReply.ack());
    }
    if (p instanceof CallProgress.Ended e) {
      return end(s.arrived(), s.attempt(), null, e.at(), e.by(), e.cause(), e.sipStatus(), cmd.replyTo());
    }
    return Effect().reply(cmd.replyTo(), StatusReply.ack());
  }

  private ReplyEffect<Event, State> reportWhileConnected(Connected s, Report cmd) {
    if (cmd.progress() instanceof CallProgress.Ended e) {
      return end(s.arrived(), s.attempt(), s.answered().answeredAt(), e.at(), e.by(), e.cause(), e.sipStatus(),
          cmd.replyTo());
    }
    return Effect().reply(cmd.replyTo(), StatusReply.ack());
  }

  private ReplyEffect<Event, State> ringTimeout(Forwarding s, RingTimeoutExpired cmd) {
    if (cmd.attempt() != s.attempt().attempt()) {
      return Effect().noReply();
    }
    s.arrived().gateway().tell(new CallInstruction.CancelForward(trnId, cmd.attempt(), EndCause.NO_ANSWER));
    timers.startSingleTimer(graceTimerKey(cmd.attempt()), new GatewaySilent(cmd.attempt()), GATEWAY_GRACE);
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> end(
      CallArrived arrived,
      ForwardAttemptStarted attempt,
      Instant answeredAt,
      Instant endedAt,
      HangupParty by,
      EndCause cause,
      int sipStatus,
      ActorRef<StatusReply<Done>> replyTo) {
    timers.cancelAll();
    CallLogRecord record = deps.outcomes().record(new CallOutcomes.Facts(
        arrived.seqNum(), arrived.arrival(), arrived.route(), attempt.destination(), attempt.startedAt(),
        answeredAt, endedAt, by, cause, sipStatus));
    var effect = Effect()
        .persist(new CallEnded(record, ringingAt))
        .thenRun(s -> {
          deps.callLog().upsert(record).whenComplete((done, err) -> {
            if (err != null) {
              ctx.getLog().warn("call {}: direct call-log write failed, the projection will write it: {}",
                  trnId, err.toString());
            }
          });
          passivate();
        });
    return replyTo == null ? effect.thenNoReply() : effect.thenReply(replyTo, s -> StatusReply.ack());
  }

  /**
   * The first step of a new call: forward attempt 1 to the tracking number's forward destination, ringing at most
   * {@code ringTimeoutMillis}. A pure function of its arguments, so the cluster's call control can compute the same
   * decision before this entity has recovered (see {@link ClusterCallControl#arrive}).
   */
  public static RouteDecision.Forward firstAttempt(CallArrival arrival, NumberRoute route, long ringTimeoutMillis) {
    return new RouteDecision.Forward(arrival.trnId(), 1, route, route.forwardTo(), ringTimeoutMillis);
  }

  private static RouteDecision decision(CallArrived arrived, ForwardAttemptStarted attempt) {
    long ringMs = Math.max(1, Duration.between(attempt.startedAt(), attempt.ringDeadline()).toMillis());
    return new RouteDecision.Forward(
        arrived.arrival().trnId(), attempt.attempt(), arrived.route(), attempt.destination(), ringMs);
  }

  private void armRingTimer(ForwardAttemptStarted attempt) {
    Duration left = Duration.between(Instant.now(), attempt.ringDeadline());
    if (left.isNegative()) {
      left = Duration.ZERO;
    }
    timers.startSingleTimer(ringTimerKey(attempt.attempt()), new RingTimeoutExpired(attempt.attempt()), left);
  }

  private void watchGateway(ActorRef<CallInstruction> gateway) {
    ctx.watchWith(gateway, new GatewayLost());
  }

  private void passivate() {
    if (shard != null) {
      shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    }
  }

  private static String ringTimerKey(int attempt) {
    return "ring-" + attempt;
  }

  private static String graceTimerKey(int attempt) {
    return "grace-" + attempt;
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    var b = newEventHandlerBuilder();
    b.forStateType(Idle.class).onEvent(CallArrived.class, (s, e) -> new Forwarding(e, null));
    b.forStateType(Forwarding.class)
        .onEvent(ForwardAttemptStarted.class, (s, e) -> new Forwarding(s.arrived(), e))
        .onEvent(CallAnswered.class, (s, e) -> new Connected(s.arrived(), s.attempt(), e))
        .onEvent(CallEnded.class, (s, e) -> new Ended(e.record()));
    b.forStateType(Connected.class).onEvent(CallEnded.class, (s, e) -> new Ended(e.record()));
    return b.build();
  }
}
