package io.hankyo.node.call;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.node.flow.BusinessHours;
import io.hankyo.node.flow.FlowAction;
import io.hankyo.node.flow.FlowInterpreter;
import io.hankyo.node.flow.FlowResult;
import io.hankyo.node.flow.FlowSignal;
import io.hankyo.node.flow.FlowState;
import io.hankyo.node.flow.FlowTimer;
import io.hankyo.node.prompt.QueuePositionPrompts;
import io.hankyo.node.queue.CallQueue;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.call.CallArrival;
import io.hankyo.protocol.call.CallInstruction;
import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.call.RouteDecision;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.flow.CallFlow;
import io.hankyo.protocol.flow.FlowStep;
import io.hankyo.protocol.flow.MenuStep;
import io.hankyo.protocol.flow.QueueStep;
import io.hankyo.protocol.flow.ScheduleStep;
import io.hankyo.protocol.judgment.CallFacts;
import io.hankyo.protocol.judgment.Judgment;
import io.hankyo.protocol.judgment.JudgmentRules;
import io.hankyo.protocol.judgment.PriorCalls;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.recording.CallRecording;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * <p>The call follows its tracking number's call flow (issue 3; the number's document, or "forward to fwd_id" when it
 * has none), run by the pure {@link FlowInterpreter}: {@link Idle} → {@link Forwarding} (the flow runs: guidance, IVR,
 * queue, forward attempts; no destination connected yet) → {@link Connected} (a destination answered) → {@link Ended}
 * (call-log record final). The flow's state is not stored as such: every event that feeds the flow ({@link
 * CallArrived}, {@link ForwardAttemptFailed}, {@link FlowSignalled}, {@link CallAnswered}) is replayed through the
 * interpreter on recovery. The flow's actions become {@link CallInstruction}s to the gateway, timers, and asks to the
 * {@link CallQueue} entities.
 *
 * <p>Write budget (design-notes.md section 2): a call to a number without a flow document persists at most four events
 * in three writes: {@link CallArrived} with {@link ForwardAttemptStarted} (one {@code persistAll}), {@link
 * CallAnswered}, {@link CallEnded}; each further forward attempt, digit or prompt end adds one write. Ringing is kept
 * in memory and carried by the later events. Only {@link CallEnded} is tagged (for the call-log projection) and it
 * carries the complete {@link CallLogRecord}. Besides the journal, a call that does not end in its first write costs
 * the {@link OpenCalls} index exactly one insert (when {@link CallArrived} is persisted) and one delete (when {@link
 * CallEnded} is), both fire-and-forget: nothing waits for them, in particular not the {@link RouteDecision} reply. A
 * call rejected at once (arrival and end in one write) costs the index nothing.
 *
 * <p>Valid-call judgment (成果判定, issue 4, spec section 5): when a call to a number whose route has judgment rules
 * ends, {@link CallJudging} judges it and {@link CallEnded}'s record carries {@code logvars.valid_res} (the Japanese
 * label), {@code valid_code}, {@code judgment_version} and {@code valid_reason} (none for a call that never connected).
 * When the rules' duplicate rule needs the earlier calls, the entity first asks the {@link CallerHistory} (at most
 * {@link Dependencies#judgmentLookupTimeout()}; on failure or timeout it judges without that rule and says so in the
 * reason), stashing other commands meanwhile, and after {@link CallEnded} adds the call to it (at most 2 inserts,
 * fire-and-forget). Numbers without rules cost nothing extra.
 *
 * <p>Timers: the ring deadline is persisted in {@link ForwardAttemptStarted} and re-armed on recovery, so a call whose
 * entity moved to another node still times out. When it fires the entity orders the gateway to cancel
 * ({@link CallInstruction.CancelForward}); if the gateway does not report the end within {@link #GATEWAY_GRACE}, or
 * the gateway's node dies (death watch), the entity ends the call itself as a system failure.
 *
 * <p>Crash recovery: sharding does not restart entities by itself, so an entity whose node crashed (or which
 * passivated while idle) is not recovered until a message reaches it, and its death watch and timers are not re-armed.
 * The {@link OpenCallSweeper} sends {@link Wake} to the calls the {@link OpenCalls} index holds: the entity recovers,
 * re-arms watch and timers ({@code onRecovered}), and a gateway that is gone (a dead node, or a node restarted on the
 * same host:port: its new gateway actor has another UID, so the old ref resolves to no actor) is reported as {@link
 * GatewayLost} at once, which ends the call as ステータス異. An entity that had already ended removes its index row.
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
  /**
   * The call-log key of a call's recording (issue 4): {@code logvars.recording} is {@code "1"} once the recording is
   * stored, {@code "0"} after it was deleted, absent for a call without one.
   */
  public static final String RECORDING_LOGVAR = "recording";

  /** Ring timeout of calls whose events predate call flows (hankyo.sip.ring-timeout's default), milliseconds. */
  static final long DEFAULT_RING_TIMEOUT_MILLIS = 30_000;

  /** Runs every call's flow; pure, shared. Schedule steps use Japanese public holidays. */
  static final FlowInterpreter FLOWS = new FlowInterpreter(BusinessHours.japan());

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

  /**
   * Marks the call's recording deleted (issue 4: {@code DELETE /v1/calls/{trn_id}/recording}); the caller deletes
   * the file from the recording store first, so a failed write here leaves nothing behind and can be retried.
   *
   * @param replyTo gets the recording as it was, or an error when the call has none (never recorded, not ended, or
   *     deleted already)
   */
  public record DeleteRecording(@JsonProperty("replyTo") ActorRef<StatusReply<CallRecording>> replyTo)
      implements Command {
    @JsonCreator
    public DeleteRecording {}
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

  /** Internal: a timer of the call flow fired (IVR first-digit / inter-digit, queue wait); stale unless its token holds. */
  public record FlowTimerFired(@JsonProperty("kind") FlowTimer.Kind kind, @JsonProperty("token") long token)
      implements Command {
    @JsonCreator
    public FlowTimerFired {}
  }

  /** Internal: the queue's answer to Enter/Renew (granted, position, or an error such as a full queue). */
  public record QueueAnswered(@JsonProperty("reply") StatusReply<CallQueue.Standing> reply) implements Command {
    @JsonCreator
    public QueueAnswered {}
  }

  /** Internal: a notification from the queue (line granted, position changed, lease expired). */
  public record QueueNotified(@JsonProperty("notification") CallQueue.Notification notification) implements Command {
    @JsonCreator
    public QueueNotified {}
  }

  /** Internal: time to renew the lease in the queue. */
  public record RenewQueue() implements Command {
    @JsonCreator
    public RenewQueue {}
  }

  /** Internal: the gateway did not report the end after a cancel order. */
  public record GatewaySilent(@JsonProperty("attempt") int attempt) implements Command {
    @JsonCreator
    public GatewaySilent {}
  }

  /**
   * From the {@link OpenCallSweeper}: the call is still in the {@link OpenCalls} index. Being delivered is the point:
   * it recovers the entity, whose recovery re-arms the gateway's death watch and the timers. Open calls answer at once
   * (the watch decides); an ended or never-started call removes its index row and passivates. Always acknowledged.
   */
  public record Wake(@JsonProperty("replyTo") ActorRef<StatusReply<Done>> replyTo) implements Command {
    @JsonCreator
    public Wake {}
  }

  /**
   * Internal: the {@link CallerHistory} answered the ending call's duplicate query (valid-call judgment, issue 4).
   *
   * @param priorTrnId the latest earlier call's {@code trn_id}; null when there is none (or on failure)
   * @param priorArrivedAt its arrival; null with {@code priorTrnId}
   * @param failure why there is no answer (an error, or no answer within {@link
   *     Dependencies#judgmentLookupTimeout()}); null when the index answered
   */
  public record PriorCallsRead(
      @JsonProperty("priorTrnId") String priorTrnId,
      @JsonProperty("priorArrivedAt") Instant priorArrivedAt,
      @JsonProperty("failure") String failure)
      implements Command {
    @JsonCreator
    public PriorCallsRead {}
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
      @JsonProperty("gateway") ActorRef<CallInstruction> gateway,
      @JsonProperty("ringTimeoutMillis") long ringTimeoutMillis)
      implements Event {
    @JsonCreator
    public CallArrived {
      // events written before call flows have no ring timeout: the default of hankyo.sip.ring-timeout
      ringTimeoutMillis = ringTimeoutMillis > 0 ? ringTimeoutMillis : DEFAULT_RING_TIMEOUT_MILLIS;
    }

    /** The flow this call follows: the number's document, or "forward to fwd_id" with the gateway's ring timeout. */
    public CallFlow flow() {
      CallFlow base = route.flow() != null ? route.flow() : defaultFlow(route, ringTimeoutMillis);
      return RecordingConsent.withConsent(base, route); // issue 4: the consent notice first when recorded
    }
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

  /**
   * Forward {@code attempt} failed while the caller waits (sequential forwarding, issue 3); persisted together with the
   * next {@link ForwardAttemptStarted} in one write.
   *
   * @param cause BUSY, DECLINED, UNREACHABLE or NO_ANSWER
   * @param sipStatus the destination's final response, 0 for none
   */
  public record ForwardAttemptFailed(
      @JsonProperty("attempt") int attempt,
      @JsonProperty("at") Instant at,
      @JsonProperty("cause") EndCause cause,
      @JsonProperty("sipStatus") int sipStatus)
      implements Event {
    @JsonCreator
    public ForwardAttemptFailed {}
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

  /**
   * Something happened that the call flow reacts to (a prompt finished, a digit, a flow timer): the event is the
   * signal itself, so that recovery rebuilds the flow state by replaying the interpreter (issue 3: timers and IVR
   * input survive a restart of the entity on another node).
   *
   * @param digitSeq for a digit, the gateway's number of it within the call (a report sent twice counts once); else 0
   */
  public record FlowSignalled(@JsonProperty("signal") FlowSignal signal, @JsonProperty("digitSeq") int digitSeq)
      implements Event {
    @JsonCreator
    public FlowSignalled {}
  }

  /** The gateway answered the caller with its own media (guidance, IVR): the caller is connected from {@code at}. */
  public record MediaAnswered(@JsonProperty("at") Instant at) implements Event {
    @JsonCreator
    public MediaAnswered {}
  }

  /**
   * The recording consent notice (issue 4, {@link RecordingConsent}) finished before the bridge.
   *
   * @param at when it ended
   * @param prompt the consent prompt's name
   * @param played false when the gateway could not play it (no such prompt, media error)
   */
  public record RecordingConsentPlayed(
      @JsonProperty("at") Instant at, @JsonProperty("prompt") String prompt, @JsonProperty("played") boolean played)
      implements Event {
    @JsonCreator
    public RecordingConsentPlayed {}
  }

  /** The call ended; carries the complete call-log record (the projection needs nothing else). */
  public record CallEnded(
      @JsonProperty("record") CallLogRecord record, @JsonProperty("ringingAt") Instant ringingAt)
      implements Event {
    @JsonCreator
    public CallEnded {}
  }

  /**
   * The gateway stored the call's recording (issue 4). Carries the call-log record with {@code logvars.recording =
   * "1"} so that the call-log projection rewrites the row from this event alone.
   */
  public record RecordingStored(
      @JsonProperty("recording") CallRecording recording, @JsonProperty("record") CallLogRecord record)
      implements Event {
    @JsonCreator
    public RecordingStored {}
  }

  /**
   * The call's recording was deleted through the API (issue 4); the record has {@code logvars.recording = "0"}.
   */
  public record RecordingDeleted(@JsonProperty("at") Instant at, @JsonProperty("record") CallLogRecord record)
      implements Event {
    @JsonCreator
    public RecordingDeleted {}
  }

  // ---------------------------------------------------------------- state

  /** States. */
  public sealed interface State extends JsonSerializable {}

  /** No call yet. */
  public record Idle() implements State {
    @JsonCreator
    public Idle {}
  }

  /**
   * Forwarding to a destination that has not answered yet.
   *
   * @param flow where the call flow stands (rebuilt from the events on recovery: the interpreter is a pure function)
   * @param attempt the current forward attempt; null while the flow has not forwarded yet (guidance, IVR)
   * @param mediaAnsweredAt when the gateway answered the caller with its own media; null when it did not
   * @param digitsSeen the highest digit number ({@link CallProgress.Digit#seq()}) taken so far
   * @param failedRingMillis milliseconds the failed forward attempts rang, summed (each from its {@link
   *     ForwardAttemptStarted#startedAt()} to its {@link ForwardAttemptFailed#at()}); for {@code
   *     logvars.calling_sec_total} (issue 3, call log)
   * @param attemptFailedAt when the current attempt failed ({@link ForwardAttemptFailed}); null while it rings or
   *     before any: the current attempt's ringing ends there, not at the end of the call
   */
  public record Forwarding(
      @JsonProperty("arrived") CallArrived arrived,
      @JsonProperty("attempt") ForwardAttemptStarted attempt,
      @JsonProperty("flow") FlowState flow,
      @JsonProperty("mediaAnsweredAt") Instant mediaAnsweredAt,
      @JsonProperty("digitsSeen") int digitsSeen,
      @JsonProperty("failedRingMillis") long failedRingMillis,
      @JsonProperty("attemptFailedAt") Instant attemptFailedAt)
      implements State {
    @JsonCreator
    public Forwarding {}

    Forwarding(CallArrived arrived, ForwardAttemptStarted attempt, FlowState flow) {
      this(arrived, attempt, flow, null, 0, 0, null);
    }

    /** A new attempt rings: its ringing has not ended. */
    Forwarding withAttempt(ForwardAttemptStarted a) {
      return new Forwarding(arrived, a, flow, mediaAnsweredAt, digitsSeen, failedRingMillis, null);
    }

    Forwarding withFlow(FlowState f) {
      return new Forwarding(arrived, attempt, f, mediaAnsweredAt, digitsSeen, failedRingMillis, attemptFailedAt);
    }

    /** The current attempt failed at {@code at}: its ringing joins {@link #failedRingMillis()}. */
    Forwarding withAttemptFailed(FlowState f, Instant at) {
      long rang = attempt == null ? 0 : Math.max(0, Duration.between(attempt.startedAt(), at).toMillis());
      return new Forwarding(arrived, attempt, f, mediaAnsweredAt, digitsSeen, failedRingMillis + rang, at);
    }

    /** The current forward attempt's number, 0 before the first. */
    int attemptNumber() {
      return attempt == null ? 0 : attempt.attempt();
    }
  }

  /**
   * The destination answered; talk is under way.
   *
   * @param failedRingMillis milliseconds the attempts before the answered one rang, summed (see {@link
   *     Forwarding#failedRingMillis()})
   */
  public record Connected(
      @JsonProperty("arrived") CallArrived arrived,
      @JsonProperty("attempt") ForwardAttemptStarted attempt,
      @JsonProperty("answered") CallAnswered answered,
      @JsonProperty("flow") FlowState flow,
      @JsonProperty("failedRingMillis") long failedRingMillis)
      implements State {
    @JsonCreator
    public Connected {}
  }

  /**
   * The call is over; {@code record} is its call-log record.
   *
   * @param recording the call's recording once the gateway stored it (issue 4), else null
   */
  public record Ended(
      @JsonProperty("record") CallLogRecord record, @JsonProperty("recording") CallRecording recording)
      implements State {
    @JsonCreator
    public Ended {}

    /** Ended without a recording. */
    public Ended(CallLogRecord record) {
      this(record, null);
    }
  }

  // ---------------------------------------------------------------- wiring

  /**
   * What the entity needs besides its id.
   *
   * @param queues where queue steps find their {@link CallQueue} entity; {@link Queues#NONE} ends such calls
   * @param openCalls the index of open calls the {@link OpenCallSweeper} reads; {@link OpenCalls#NONE} for none
   * @param callerHistory the duplicate index of the valid-call judgment (issue 4); {@link CallerHistory#NONE} for none
   * @param judgmentLookupTimeout how long an ending call waits for {@code callerHistory} before it is judged without
   *     the duplicate rule; the call's {@link CallEnded} is delayed by at most this
   * @param recordings the index of stored recordings the recording retention sweeper reads (issue 4), written when
   *     {@link RecordingStored} is persisted; {@link io.hankyo.node.recording.RecordingIndex#NONE} for none
   */
  public record Dependencies(
      CallOutcomes outcomes, CallLogWriter callLog, int tagCount, Queues queues, OpenCalls openCalls,
      CallerHistory callerHistory, Duration judgmentLookupTimeout,
      io.hankyo.node.recording.RecordingIndex recordings) {
    /** Default of {@link #judgmentLookupTimeout()}: 2 s. */
    public static final Duration DEFAULT_JUDGMENT_LOOKUP_TIMEOUT = Duration.ofSeconds(2);

    /** Checks the parts. */
    public Dependencies {
      callerHistory = callerHistory == null ? CallerHistory.NONE : callerHistory;
      judgmentLookupTimeout = judgmentLookupTimeout == null || judgmentLookupTimeout.isNegative()
          || judgmentLookupTimeout.isZero() ? DEFAULT_JUDGMENT_LOOKUP_TIMEOUT : judgmentLookupTimeout;
      recordings = recordings == null ? io.hankyo.node.recording.RecordingIndex.NONE : recordings;
    }

    /** Without a recordings index (recordings are not swept by retention). */
    public Dependencies(
        CallOutcomes outcomes, CallLogWriter callLog, int tagCount, Queues queues, OpenCalls openCalls,
        CallerHistory callerHistory, Duration judgmentLookupTimeout) {
      this(outcomes, callLog, tagCount, queues, openCalls, callerHistory, judgmentLookupTimeout,
          io.hankyo.node.recording.RecordingIndex.NONE);
    }

    /** Without a duplicate index (calls are judged, nothing is ever a duplicate). */
    public Dependencies(
        CallOutcomes outcomes, CallLogWriter callLog, int tagCount, Queues queues, OpenCalls openCalls) {
      this(outcomes, callLog, tagCount, queues, openCalls, CallerHistory.NONE, DEFAULT_JUDGMENT_LOOKUP_TIMEOUT);
    }

    /** Without an open-calls index (tests of other behaviour). */
    public Dependencies(CallOutcomes outcomes, CallLogWriter callLog, int tagCount, Queues queues) {
      this(outcomes, callLog, tagCount, queues, OpenCalls.NONE);
    }

    /** Without queues nor open-calls index (tests of other steps). */
    public Dependencies(CallOutcomes outcomes, CallLogWriter callLog, int tagCount) {
      this(outcomes, callLog, tagCount, Queues.NONE, OpenCalls.NONE);
    }
  }

  /**
   * The port to the {@link CallQueue} entities (コールキューイング): one per advertiser and queue name, or per tracking
   * number and queue name ({@link CallQueue.QueueKey}).
   */
  public interface Queues {
    /** No queues: a queue step ends the call as a flow error. */
    Queues NONE = (key, command) -> {
      throw new UnsupportedOperationException("no call queues");
    };

    /** Sends {@code command} to the queue {@code key}. */
    void tell(CallQueue.QueueKey key, CallQueue.Command command);

    /** The cluster's queues, through sharding. */
    static Queues sharded(ClusterSharding sharding) {
      CallQueue.init(sharding);
      return (key, command) -> sharding.entityRefFor(CallQueue.ENTITY_KEY, key.entityId()).tell(command);
    }
  }

  /**
   * The queue {@code queue} of this call's flow: the advertiser's, or the tracking number's own when the flow's queue
   * steps naming it say {@code "scope": "number"} (the parser makes them agree).
   */
  static CallQueue.QueueKey queueKey(NumberRoute route, String queue) {
    boolean perNumber = route.flow() != null && route.flow().steps().values().stream()
        .anyMatch(step -> step instanceof QueueStep q && q.queue().equals(queue) && q.scope() == QueueStep.Scope.NUMBER);
    return new CallQueue.QueueKey(route.operatorId(), route.clientId(), perNumber ? route.dialinId() : null, queue);
  }

  /**
   * How often a call in a queue renews its lease there: a third of the queue's lease (CallQueue frees the line of a
   * call that has not renewed for a whole lease), so two renewals may be lost before the line is.
   */
  static final Duration QUEUE_RENEW_INTERVAL = CallQueue.Settings.defaults().lease().dividedBy(3);

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
  /**
   * The end of the call while its judgment waits for the {@link CallerHistory} (null otherwise): nothing is persisted
   * yet; commands other than {@link PriorCallsRead} and {@link GetState} are stashed until {@link CallEnded} is.
   */
  private PendingEnd pendingEnd;

  /** An end waiting for the duplicate index. */
  private record PendingEnd(
      CallOutcomes.Facts facts, CallFacts judged, JudgmentRules rules, int version,
      ActorRef<StatusReply<Done>> replyTo, String scope) {}

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
    if (event instanceof CallEnded || event instanceof RecordingStored || event instanceof RecordingDeleted) {
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
      if (f.attempt() != null) {
        armRingTimer(f.attempt());
      }
      if (f.flow() != null) {
        f.flow().timers().forEach(this::armFlowTimer);
      }
    } else if (state instanceof Connected c) {
      watchGateway(c.arrived().gateway());
    } else if (state instanceof Ended) {
      passivate();
    }
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    var b = newCommandHandlerWithReplyBuilder();
    // first: while the judgment of the end waits for the duplicate index, the call is neither open nor ended
    b.forState(s -> pendingEnd != null)
        .onCommand(PriorCallsRead.class, (s, c) -> priorCallsRead(c))
        .onCommand(GetState.class, (s, c) -> Effect().reply(c.replyTo(), s))
        .onAnyCommand(c -> Effect().stash());
    b.forStateType(Idle.class)
        .onCommand(Start.class, this::start)
        .onCommand(Report.class, (s, c) -> orphanReport(c))
        .onCommand(RingTimeoutExpired.class, (s, c) -> Effect().noReply())
        .onCommand(FlowTimerFired.class, (s, c) -> Effect().noReply())
        .onCommand(GatewaySilent.class, (s, c) -> Effect().noReply())
        .onCommand(GatewayLost.class, (s, c) -> Effect().noReply())
        .onCommand(Wake.class, (s, c) -> {
          // no call under this id (the index row outlived its journal, e.g. the arrival was never persisted)
          indexClosed();
          passivate();
          return Effect().reply(c.replyTo(), StatusReply.ack());
        });
    b.forStateType(Forwarding.class)
        .onCommand(Start.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(decision(s))))
        .onCommand(Report.class, (s, c) -> c.progress() instanceof CallProgress.RecordingStored
            ? recordingBeforeEnd(c) : reportWhileForwarding(s, c))
        .onCommand(RingTimeoutExpired.class, this::ringTimeout)
        .onCommand(FlowTimerFired.class, (s, c) ->
            advance(s, new FlowSignal.TimerFired(Instant.now(), c.kind(), c.token()), null))
        .onCommand(QueueAnswered.class, this::queueAnswered)
        .onCommand(QueueNotified.class, this::queueNotified)
        .onCommand(RenewQueue.class, (s, c) -> renewQueue(s.arrived(), s.flow()))
        .onCommand(GatewaySilent.class, (s, c) -> c.attempt() == s.attemptNumber()
            ? end(s, Instant.now(), HangupParty.SYSTEM, EndCause.GATEWAY_FAILURE, 0, null)
            : Effect().noReply())
        .onCommand(GatewayLost.class, (s, c) ->
            end(s, Instant.now(), HangupParty.SYSTEM, EndCause.GATEWAY_FAILURE, 0, null))
        .onCommand(Wake.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.ack()));
    b.forStateType(Connected.class)
        .onCommand(Start.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(
            decision(new Forwarding(s.arrived(), s.attempt(), s.flow())))))
        .onCommand(Report.class, (s, c) -> c.progress() instanceof CallProgress.RecordingStored
            ? recordingBeforeEnd(c) : reportWhileConnected(s, c))
        .onCommand(RingTimeoutExpired.class, (s, c) -> Effect().noReply())
        .onCommand(FlowTimerFired.class, (s, c) -> Effect().noReply())
        .onCommand(QueueAnswered.class, (s, c) -> Effect().noReply())
        .onCommand(QueueNotified.class, (s, c) -> Effect().noReply())
        .onCommand(RenewQueue.class, (s, c) -> renewQueue(s.arrived(), s.flow()))
        .onCommand(GatewaySilent.class, (s, c) -> Effect().noReply())
        .onCommand(GatewayLost.class, (s, c) ->
            end(s, Instant.now(), HangupParty.SYSTEM, EndCause.GATEWAY_FAILURE, 0, null))
        .onCommand(Wake.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.ack()));
    b.forStateType(Ended.class)
        .onCommand(Start.class, (s, c) -> Effect().reply(c.replyTo(),
            StatusReply.error("call " + trnId + " has already ended")))
        .onCommand(Report.class, (s, c) -> c.progress() instanceof CallProgress.RecordingStored
            ? recordingStored(s, c) : Effect().reply(c.replyTo(), StatusReply.ack()))
        .onCommand(DeleteRecording.class, this::deleteRecording)
        .onCommand(RingTimeoutExpired.class, (s, c) -> Effect().noReply())
        .onCommand(FlowTimerFired.class, (s, c) -> Effect().noReply())
        .onCommand(GatewaySilent.class, (s, c) -> Effect().noReply())
        .onCommand(GatewayLost.class, (s, c) -> Effect().noReply())
        .onCommand(Wake.class, (s, c) -> {
          // the end was persisted but its index delete was lost (crash, Cassandra error): remove the row now
          indexClosed();
          passivate();
          return Effect().reply(c.replyTo(), StatusReply.ack());
        });
    b.forAnyState()
        .onCommand(GetState.class, (s, c) -> Effect().reply(c.replyTo(), s))
        .onCommand(DeleteRecording.class, (s, c) -> Effect().reply(c.replyTo(),
            StatusReply.error("call " + trnId + " has no recording")))
        .onCommand(PriorCallsRead.class, (s, c) -> Effect().noReply()) // a late answer after a restart
        .onCommand(QueueAnswered.class, (s, c) -> Effect().noReply())
        .onCommand(QueueNotified.class, (s, c) -> Effect().noReply())
        .onCommand(RenewQueue.class, (s, c) -> Effect().noReply());
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
    CallArrived arrived = new CallArrived(cmd.arrival(), cmd.route(), cmd.seqNum(), cmd.gateway(),
        cmd.ringTimeoutMillis());
    FirstStep first = firstStep(arrived);
    if (first.decision() instanceof RouteDecision.Forward forward) {
      Instant now = Instant.now();
      ForwardAttemptStarted attempt = new ForwardAttemptStarted(
          forward.attempt(), forward.destination(), now, now.plusMillis(forward.ringTimeoutMillis()));
      return Effect()
          .persist(List.of(arrived, attempt))
          .thenRun(s -> {
            indexOpened(arrived);
            watchGateway(cmd.gateway());
            armRingTimer(attempt);
          })
          .thenReply(cmd.replyTo(), s -> StatusReply.success(decision((Forwarding) s)));
    }
    if (first.decision() instanceof RouteDecision.AnswerWithMedia media) {
      // guidance or IVR first: the gateway answers the caller itself; the prompts and timers follow from here
      return Effect()
          .persist(arrived)
          .thenRun(s -> {
            indexOpened(arrived);
            watchGateway(cmd.gateway());
            // the decision itself answers the caller with media: carry out the rest (prompt, timers)
            carryOut(arrived, first.state(), first.actions().stream()
                .filter(a -> !(a instanceof FlowAction.AnswerWithMedia)).toList());
          })
          .thenReply(cmd.replyTo(), s -> StatusReply.success(media));
    }
    if (first.decision() instanceof RouteDecision.Hold hold) {
      // the flow asks first (a queue for a line): the gateway holds the caller until the next instruction
      return Effect()
          .persist(arrived)
          .thenRun(s -> {
            indexOpened(arrived);
            watchGateway(cmd.gateway());
            carryOut(arrived, first.state(), first.actions());
          })
          .thenReply(cmd.replyTo(), s -> StatusReply.success(hold));
    }
    // The flow ends the call before any destination rings (outside business hours, absence, a flow that cannot run
    // here yet): the caller gets the final response of the decision and the call is logged now.
    RouteDecision.Reject reject = (RouteDecision.Reject) first.decision();
    CallLogRecord record = deps.outcomes().record(new CallOutcomes.Facts(
        arrived.seqNum(), arrived.arrival(), arrived.route(), null, null, null, // no destination was tried: no fwd_id
        arrived.arrival().arrivedAt(), HangupParty.SYSTEM, first.endCause(), reject.sipStatus(),
        flowLogvars(arrived, first.state(), 0)));
    return Effect()
        .persist(List.of(arrived, new CallEnded(record, null)))
        .thenRun(s -> {
          writeCallLog(record);
          passivate();
        })
        .thenReply(cmd.replyTo(), s -> StatusReply.success(reject));
  }

  /** A recording reported before the call's end was taken: refused, the gateway sends it again (issue 4). */
  private ReplyEffect<Event, State> recordingBeforeEnd(Report cmd) {
    return Effect().reply(cmd.replyTo(), StatusReply.error("call " + trnId + " has not ended yet; "
        + "its recording is taken after the end"));
  }

  /**
   * The gateway stored the recording (issue 4): persisted once per key (a report sent twice, or after the recording
   * was deleted, changes nothing), the call log gets {@code logvars.recording = "1"}.
   */
  private ReplyEffect<Event, State> recordingStored(Ended s, Report cmd) {
    CallProgress.RecordingStored r = (CallProgress.RecordingStored) cmd.progress();
    if (s.recording() != null) {
      if (!s.recording().key().equals(r.key())) {
        ctx.getLog().warn("call {}: a second recording {} reported; the call keeps {}", trnId, r.key(),
            s.recording().key());
      }
      return Effect().reply(cmd.replyTo(), StatusReply.ack());
    }
    CallRecording recording = new CallRecording(r.key(), r.bytes(), r.sha256(), r.durationMillis(), r.mode(),
        r.at(), null);
    CallLogRecord record = s.record().withLogvar(RECORDING_LOGVAR, "1");
    return Effect().persist(new RecordingStored(recording, record))
        .thenRun(st -> {
          writeCallLog(record);
          indexRecording(record.operatorId(), recording);
        })
        .thenReply(cmd.replyTo(), st -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> deleteRecording(Ended s, DeleteRecording cmd) {
    if (s.recording() == null || !s.recording().exists()) {
      return Effect().reply(cmd.replyTo(), StatusReply.error("call " + trnId + " has no recording"));
    }
    CallLogRecord record = s.record().withLogvar(RECORDING_LOGVAR, "0");
    CallRecording was = s.recording();
    return Effect().persist(new RecordingDeleted(Instant.now(), record))
        .thenRun(st -> writeCallLog(record))
        .thenReply(cmd.replyTo(), st -> StatusReply.success(was));
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
      if (r.attempt() == s.attemptNumber() && ringingAt == null) {
        ringingAt = r.at();
      }
      return Effect().reply(cmd.replyTo(), StatusReply.ack());
    }
    if (p instanceof CallProgress.Answered a) {
      if (a.attempt() != s.attemptNumber()) {
        return Effect().reply(cmd.replyTo(), StatusReply.ack());
      }
      timers.cancel(ringTimerKey(a.attempt()));
      timers.cancel(graceTimerKey(a.attempt()));
      return Effect()
          .persist(new CallAnswered(a.attempt(), a.at(), ringingAt))
          .thenReply(cmd.replyTo(), st -> StatusReply.ack());
    }
    if (p instanceof CallProgress.Ended e) {
      return end(s, e.at(), e.by(), e.cause(), e.sipStatus(), cmd.replyTo());
    }
    if (p instanceof CallProgress.LegFailed f) {
      return legFailed(s, f, cmd.replyTo());
    }
    if (p instanceof CallProgress.MediaAnswered m) {
      if (s.mediaAnsweredAt() != null) {
        return Effect().reply(cmd.replyTo(), StatusReply.ack());
      }
      return Effect().persist(new MediaAnswered(m.at())).thenReply(cmd.replyTo(), st -> StatusReply.ack());
    }
    if (p instanceof CallProgress.PromptFinished f) {
      Event consent = RecordingConsent.isConsentStep(s.arrived().flow(), s.arrived().route(), s.flow().step())
          ? new RecordingConsentPlayed(f.at(), s.arrived().route().recording().consentPrompt(), f.played()) : null;
      return advance(s, new FlowSignal.PromptFinished(f.at(), f.token()), cmd.replyTo(), 0, consent);
    }
    if (p instanceof CallProgress.Digit d) {
      if (d.seq() <= s.digitsSeen()) {
        return Effect().reply(cmd.replyTo(), StatusReply.ack()); // a report sent twice counts once
      }
      return advance(s, new FlowSignal.Digit(d.at(), d.digit()), cmd.replyTo(), d.seq());
    }
    return Effect().reply(cmd.replyTo(), StatusReply.ack());
  }

  private ReplyEffect<Event, State> advance(Forwarding s, FlowSignal signal, ActorRef<StatusReply<Done>> replyTo) {
    return advance(s, signal, replyTo, 0);
  }

  /**
   * Runs a flow signal (prompt finished, digit, flow timer): when the flow takes it, it is persisted ({@link
   * FlowSignalled}, with the next {@link ForwardAttemptStarted} in the same write when the flow forwards) and the
   * flow's actions are carried out; a signal the flow ignores (stale token) persists nothing.
   */
  private ReplyEffect<Event, State> advance(
      Forwarding s, FlowSignal signal, ActorRef<StatusReply<Done>> replyTo, int digitSeq) {
    return advance(s, signal, replyTo, digitSeq, null);
  }

  /** {@link #advance(Forwarding, FlowSignal, ActorRef, int)} with {@code extra} (when not null) persisted after it. */
  private ReplyEffect<Event, State> advance(
      Forwarding s, FlowSignal signal, ActorRef<StatusReply<Done>> replyTo, int digitSeq, Event extra) {
    FlowResult result = FLOWS.apply(s.arrived().flow(), s.flow(), signal);
    if (result.ignored()) {
      return replyTo == null ? Effect().noReply() : Effect().reply(replyTo, StatusReply.ack());
    }
    List<Event> events = new ArrayList<>();
    events.add(new FlowSignalled(signal, digitSeq));
    if (extra != null) {
      events.add(extra);
    }
    FlowAction.Forward next = firstOf(result.actions(), FlowAction.Forward.class);
    ForwardAttemptStarted attempt = null;
    if (next != null) {
      Instant now = Instant.now();
      attempt = new ForwardAttemptStarted(next.attempt(), next.to(), now,
          now.plusMillis(ringMillis(s.arrived(), next)));
      events.add(attempt);
    }
    ForwardAttemptStarted started = attempt;
    var effect = Effect().persist(events).thenRun(st -> {
      carryOut(s.arrived(), result.state(), result.actions());
      if (started != null) {
        armRingTimer(started);
      }
    });
    return replyTo == null ? effect.thenNoReply() : effect.thenReply(replyTo, st -> StatusReply.ack());
  }

  /**
   * Carries out the flow's actions that reach outside the entity: instructions to the gateway (answer with media,
   * prompts, forward, release) and the flow's timers. The ring timeout of a forward is the entity's own timer
   * ({@link #armRingTimer}), armed where the attempt is persisted; queue actions are not wired yet and end the call.
   */
  private void carryOut(CallArrived arrived, FlowState after, List<FlowAction> actions) {
    ActorRef<CallInstruction> gateway = arrived.gateway();
    for (FlowAction a : actions) {
      if (a instanceof FlowAction.AnswerWithMedia) {
        gateway.tell(new CallInstruction.AnswerWithMedia(trnId));
      } else if (a instanceof FlowAction.PlayPrompt p) {
        gateway.tell(new CallInstruction.PlayPrompt(trnId, arrived.route().operatorId(), p.prompt(), p.loop(),
            p.token()));
      } else if (a instanceof FlowAction.AnnouncePosition p) {
        // the media plane plays position announcements as prompts of a reserved name (QueuePositionPrompts)
        gateway.tell(new CallInstruction.PlayPrompt(trnId, arrived.route().operatorId(),
            QueuePositionPrompts.name(p.position()), false, p.token()));
      } else if (a instanceof FlowAction.StopPrompt p) {
        gateway.tell(new CallInstruction.StopPrompt(trnId, p.token()));
      } else if (a instanceof FlowAction.StartTimer t && t.timer().kind() != FlowTimer.Kind.RING) {
        armFlowTimer(t.timer());
      } else if (a instanceof FlowAction.CancelTimer t && t.kind() != FlowTimer.Kind.RING) {
        timers.cancel(flowTimerKey(t.kind()));
      } else if (a instanceof FlowAction.Forward f) {
        gateway.tell(new CallInstruction.Forward(trnId, f.attempt(), f.to(), ringMillis(arrived, f),
            holdCallerOnFailure(arrived, after, f.attempt())));
      } else if (a instanceof FlowAction.Hangup h) {
        gateway.tell(new CallInstruction.Release(trnId, h.cause()));
        timers.startSingleTimer(graceTimerKey(after.attempt()), new GatewaySilent(after.attempt()), GATEWAY_GRACE);
      } else if (a instanceof FlowAction.EnterQueue q) {
        if (deps.queues() == Queues.NONE) {
          ctx.getLog().warn("call {}: no call queues on this node; releasing", trnId);
          gateway.tell(new CallInstruction.Release(trnId, EndCause.FLOW_ERROR));
        } else {
          deps.queues().tell(queueKey(arrived.route(), q.queue()),
              new CallQueue.Enter(trnId, q.lines(), queueNotifications(), queueReplies()));
          timers.startTimerWithFixedDelay(QUEUE_RENEW_KEY, new RenewQueue(), QUEUE_RENEW_INTERVAL);
        }
      } else if (a instanceof FlowAction.LeaveQueue q) {
        leaveQueue(arrived, q.queue());
      }
    }
  }

  private static final String QUEUE_RENEW_KEY = "queue-renew";

  private ActorRef<StatusReply<CallQueue.Standing>> queueReplies;
  private ActorRef<CallQueue.Notification> queueNotifications;

  @SuppressWarnings({"unchecked", "rawtypes"})
  private ActorRef<StatusReply<CallQueue.Standing>> queueReplies() {
    if (queueReplies == null) {
      queueReplies = (ActorRef) ctx.messageAdapter(StatusReply.class, r -> new QueueAnswered(r));
    }
    return queueReplies;
  }

  private ActorRef<CallQueue.Notification> queueNotifications() {
    if (queueNotifications == null) {
      queueNotifications = ctx.messageAdapter(CallQueue.Notification.class, QueueNotified::new);
    }
    return queueNotifications;
  }

  private void leaveQueue(CallArrived arrived, String queue) {
    timers.cancel(QUEUE_RENEW_KEY);
    if (queue != null && deps.queues() != Queues.NONE) {
      deps.queues().tell(queueKey(arrived.route(), queue),
          new CallQueue.Leave(trnId, ctx.getSystem().ignoreRef()));
    }
  }

  private ReplyEffect<Event, State> renewQueue(CallArrived arrived, FlowState flow) {
    if (flow != null && flow.queue() != null && deps.queues() != Queues.NONE) {
      deps.queues().tell(queueKey(arrived.route(), flow.queue()),
          new CallQueue.Renew(trnId, queueNotifications(), queueReplies()));
    } else {
      timers.cancel(QUEUE_RENEW_KEY);
    }
    return Effect().noReply();
  }

  /** The queue's answer to Enter or Renew: a line (granted), a position, or an error (full, lease gone). */
  private ReplyEffect<Event, State> queueAnswered(Forwarding s, QueueAnswered c) {
    if (s.flow() == null || s.flow().queue() == null) {
      return Effect().noReply();
    }
    if (c.reply().isError()) {
      ctx.getLog().info("call {}: queue {} refused it: {}", trnId, s.flow().queue(), c.reply().getError().getMessage());
      return queueGaveUp(s);
    }
    CallQueue.Standing standing = c.reply().getValue();
    if (standing instanceof CallQueue.Granted) {
      return s.flow().lineHeld() ? Effect().noReply() : advance(s, new FlowSignal.QueueLineGranted(Instant.now()), null);
    }
    int position = ((CallQueue.Queued) standing).position();
    return position == s.flow().position() ? Effect().noReply()
        : advance(s, new FlowSignal.QueuePosition(Instant.now(), position), null);
  }

  private ReplyEffect<Event, State> queueNotified(Forwarding s, QueueNotified c) {
    CallQueue.Notification n = c.notification();
    if (s.flow() == null || s.flow().queue() == null || !trnId.equals(n.trnId())) {
      return Effect().noReply();
    }
    if (n instanceof CallQueue.LineGranted) {
      return s.flow().lineHeld() ? Effect().noReply() : advance(s, new FlowSignal.QueueLineGranted(n.at()), null);
    }
    if (n instanceof CallQueue.PositionChanged p) {
      return advance(s, new FlowSignal.QueuePosition(p.at(), p.position()), null);
    }
    return queueGaveUp(s); // LeaseExpired
  }

  /** The queue will not serve the call (full, or it lost the call's lease): the flow goes on as after the longest wait. */
  private ReplyEffect<Event, State> queueGaveUp(Forwarding s) {
    FlowTimer wait = s.flow().timer(FlowTimer.Kind.QUEUE_MAX_WAIT);
    if (wait == null) {
      return Effect().noReply();
    }
    timers.cancel(flowTimerKey(FlowTimer.Kind.QUEUE_MAX_WAIT));
    return advance(s, new FlowSignal.TimerFired(Instant.now(), FlowTimer.Kind.QUEUE_MAX_WAIT, wait.token()), null);
  }

  private void armFlowTimer(FlowTimer timer) {
    if (timer.kind() == FlowTimer.Kind.RING) {
      return;
    }
    Duration left = Duration.between(Instant.now(), timer.deadline());
    timers.startSingleTimer(flowTimerKey(timer.kind()), new FlowTimerFired(timer.kind(), timer.token()),
        left.isNegative() ? Duration.ZERO : left);
  }

  private static String flowTimerKey(FlowTimer.Kind kind) {
    return "flow-" + kind.name();
  }

  /**
   * A forward leg failed while the caller waits: the flow decides. Next target: persist the failure and the next
   * attempt in one write, then order the gateway to ring it. The flow ends: order the gateway to release the caller
   * with the flow's status; the gateway's {@link CallProgress.Ended} then ends the call here.
   */
  private ReplyEffect<Event, State> legFailed(Forwarding s, CallProgress.LegFailed f, ActorRef<StatusReply<Done>> replyTo) {
    if (f.attempt() != s.attemptNumber()) {
      return Effect().reply(replyTo, StatusReply.ack());
    }
    timers.cancel(ringTimerKey(f.attempt()));
    timers.cancel(graceTimerKey(f.attempt()));
    ForwardAttemptFailed failed = new ForwardAttemptFailed(f.attempt(), f.at(), f.cause(), f.sipStatus());
    FlowResult result = FLOWS.apply(s.arrived().flow(), s.flow(), signalOf(failed));
    List<Event> events = new ArrayList<>();
    events.add(failed);
    FlowAction.Forward next = firstOf(result.actions(), FlowAction.Forward.class);
    ForwardAttemptStarted attempt = null;
    if (next != null) {
      Instant now = Instant.now();
      attempt = new ForwardAttemptStarted(next.attempt(), next.to(), now, now.plusMillis(ringMillis(s.arrived(), next)));
      events.add(attempt);
    }
    ForwardAttemptStarted started = attempt;
    // the next destination, a prompt of a "failed" step (media answer first), or the end (Release)
    return Effect()
        .persist(events)
        .thenRun(st -> {
          carryOut(s.arrived(), result.state(), result.actions());
          if (started != null) {
            armRingTimer(started);
          }
        })
        .thenReply(replyTo, st -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> reportWhileConnected(Connected s, Report cmd) {
    if (cmd.progress() instanceof CallProgress.Ended e) {
      return end(s.arrived(), s.flow(), s.attempt(), null, s.failedRingMillis(), s.answered().answeredAt(), e.at(),
          e.by(), e.cause(), e.sipStatus(), e.postCallDigit(), cmd.replyTo());
    }
    return Effect().reply(cmd.replyTo(), StatusReply.ack());
  }

  private ReplyEffect<Event, State> ringTimeout(Forwarding s, RingTimeoutExpired cmd) {
    if (cmd.attempt() != s.attemptNumber()) {
      return Effect().noReply();
    }
    s.arrived().gateway().tell(new CallInstruction.CancelForward(trnId, cmd.attempt(), EndCause.NO_ANSWER));
    timers.startSingleTimer(graceTimerKey(cmd.attempt()), new GatewaySilent(cmd.attempt()), GATEWAY_GRACE);
    return Effect().noReply();
  }

  /** The call ends before any destination answered. */
  private ReplyEffect<Event, State> end(Forwarding s, Instant endedAt, HangupParty by, EndCause cause, int sipStatus,
      ActorRef<StatusReply<Done>> replyTo) {
    return end(s.arrived(), s.flow(), s.attempt(), s.attemptFailedAt(), s.failedRingMillis(), null, endedAt, by, cause,
        sipStatus, replyTo);
  }

  /** The connected call ends. */
  private ReplyEffect<Event, State> end(Connected s, Instant endedAt, HangupParty by, EndCause cause, int sipStatus,
      ActorRef<StatusReply<Done>> replyTo) {
    return end(s.arrived(), s.flow(), s.attempt(), null, s.failedRingMillis(), s.answered().answeredAt(), endedAt, by,
        cause, sipStatus, replyTo);
  }

  /**
   * Ends the call: persists {@link CallEnded} with the complete call-log record. The durations come from persisted
   * instants only, so a call recovered on another node logs the same: {@code calling_sec} is the ringing of the last
   * attempt (the one that answered) up to its answer, its failure ({@code attemptFailedAt}) or the end;
   * {@code logvars.calling_sec_total} adds the ringing of the attempts that failed before it ({@code
   * failedRingMillis}).
   */
  private ReplyEffect<Event, State> end(
      CallArrived arrived,
      FlowState flowState,
      ForwardAttemptStarted attempt,
      Instant attemptFailedAt,
      long failedRingMillis,
      Instant answeredAt,
      Instant endedAt,
      HangupParty by,
      EndCause cause,
      int sipStatus,
      ActorRef<StatusReply<Done>> replyTo) {
    return end(arrived, flowState, attempt, attemptFailedAt, failedRingMillis, answeredAt, endedAt, by, cause,
        sipStatus, null, replyTo);
  }

  /**
   * Ends the call (see above) with the callee's post-call button key ({@code postCallDigit}, issue 4; null: none),
   * which goes into {@code logvars.post_call_digit} and so into the judgment ({@link CallJudging#facts}).
   */
  private ReplyEffect<Event, State> end(
      CallArrived arrived,
      FlowState flowState,
      ForwardAttemptStarted attempt,
      Instant attemptFailedAt,
      long failedRingMillis,
      Instant answeredAt,
      Instant endedAt,
      HangupParty by,
      EndCause cause,
      int sipStatus,
      String postCallDigit,
      ActorRef<StatusReply<Done>> replyTo) {
    timers.cancelAll();
    if (flowState != null && flowState.queue() != null) {
      leaveQueue(arrived, flowState.queue()); // give the line (or the place) back
    }
    long ringMillis = failedRingMillis;
    if (attempt != null && attemptFailedAt == null) {
      ringMillis += Math.max(0, Duration.between(attempt.startedAt(), answeredAt != null ? answeredAt : endedAt)
          .toMillis());
    }
    FlowState closed = closingFlow(arrived, flowState, attempt, attemptFailedAt, endedAt, cause, sipStatus);
    CallOutcomes.Facts facts = new CallOutcomes.Facts(
        arrived.seqNum(), arrived.arrival(), arrived.route(), attempt == null ? null : attempt.destination(),
        attempt == null ? null : attempt.startedAt(), answeredAt == null ? attemptFailedAt : null, answeredAt,
        endedAt, by, cause, sipStatus,
        CallJudging.withPostCallDigit(flowLogvars(arrived, closed, ringMillis), answeredAt, postCallDigit));
    CallLogRecord record = deps.outcomes().record(facts);
    NumberRoute route = arrived.route();
    JudgmentRules rules = route.judgment();
    if (rules == null) {
      return persistEnd(record, List.of(), replyTo, false); // no rules: no valid_res, no index writes
    }
    CallFacts judged = CallJudging.facts(arrived.arrival(), route, record);
    Optional<PriorCalls.Query> query = CallJudging.queryOf(rules, judged);
    PendingEnd pending = new PendingEnd(facts, judged, rules, route.judgmentVersion(), replyTo,
        route.judgmentScopeOrNumber()); // logvars.judgment_scope, as a re-judgment writes it
    if (query.isEmpty()) {
      return judged(pending, CallJudging.judge(rules, judged, Optional.empty(), null), false);
    }
    pendingEnd = pending;
    long timeoutMs = deps.judgmentLookupTimeout().toMillis();
    CompletableFuture<Optional<PriorCalls.PriorCall>> lookup;
    try {
      lookup = deps.callerHistory().latest(query.get()).toCompletableFuture().thenApply(p -> p);
    } catch (RuntimeException e) {
      lookup = CompletableFuture.failedFuture(e);
    }
    ctx.pipeToSelf(lookup.orTimeout(timeoutMs, TimeUnit.MILLISECONDS), (prior, err) -> {
      if (err != null) {
        Throwable cause0 = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        return new PriorCallsRead(null, null, cause0 instanceof TimeoutException
            ? "no answer within " + timeoutMs + " ms" : cause0.toString());
      }
      return prior.isPresent()
          ? new PriorCallsRead(prior.get().trnId(), prior.get().arrivedAt(), null)
          : new PriorCallsRead(null, null, null);
    });
    return Effect().noReply(); // the report is acknowledged once CallEnded is persisted
  }

  /** The duplicate index answered (or did not in time): judge and persist the end. */
  private ReplyEffect<Event, State> priorCallsRead(PriorCallsRead read) {
    PendingEnd pending = pendingEnd;
    pendingEnd = null;
    if (read.failure() != null) {
      ctx.getLog().warn("call {}: earlier calls unreadable, judged without the duplicate rule: {}", trnId,
          read.failure());
    }
    Optional<PriorCalls.PriorCall> prior = read.priorTrnId() == null || read.priorArrivedAt() == null
        ? Optional.empty() : Optional.of(new PriorCalls.PriorCall(read.priorTrnId(), read.priorArrivedAt()));
    return judged(pending, CallJudging.judge(pending.rules(), pending.judged(), prior, read.failure()), true);
  }

  /** Persists the end of a judged call: the record carries the judgment's logvars; the index rows follow. */
  private ReplyEffect<Event, State> judged(PendingEnd pending, Judgment judgment, boolean unstash) {
    CallLogRecord record = deps.outcomes().record(
        pending.facts().withLogvars(CallJudging.logvars(judgment, pending.version(), pending.scope())));
    return persistEnd(record, CallJudging.entries(pending.rules(), pending.judged(), judgment), pending.replyTo(),
        unstash);
  }

  /**
   * Persists {@link CallEnded}, then (fire-and-forget) writes the call-log row, removes the call from the open-calls
   * index, adds it to the duplicate index ({@code judged}: at most 2 rows) and passivates; commands stashed while the
   * judgment waited are handled after it ({@code unstash}: only after a lookup, the only time anything is stashed).
   */
  private ReplyEffect<Event, State> persistEnd(CallLogRecord record, List<CallerHistory.Entry> judged,
      ActorRef<StatusReply<Done>> replyTo, boolean unstash) {
    var effect = Effect()
        .persist(new CallEnded(record, ringingAt))
        .thenRun(s -> {
          writeCallLog(record);
          indexClosed();
          indexJudged(judged);
          passivate();
        });
    ReplyEffect<Event, State> replied = replyTo == null ? effect.thenNoReply()
        : effect.thenReply(replyTo, s -> StatusReply.ack());
    return unstash ? replied.thenUnstashAll() : replied;
  }

  /** Adds the judged call to the duplicate index; fire-and-forget, failures logged. */
  private void indexJudged(List<CallerHistory.Entry> entries) {
    org.slf4j.Logger log = ctx.getLog();
    for (CallerHistory.Entry e : entries) {
      CompletionStage<Done> write;
      try {
        write = deps.callerHistory().record(e);
      } catch (RuntimeException ex) {
        write = CompletableFuture.failedFuture(ex);
      }
      write.whenComplete((done, err) -> {
        if (err != null) {
          log.warn("call {}: duplicate index insert ({}) failed; later calls of this caller may not count it: {}",
              trnId, e.scope(), err.toString());
        }
      });
    }
  }

  /**
   * What a new call does first, decided by its flow ({@link CallArrived#flow()}) at its arrival time: forward to the
   * first destination ({@link RouteDecision.Forward}), answer with media ({@link RouteDecision.AnswerWithMedia}: a
   * prompt or menu first), hold the caller while a queue is asked ({@link RouteDecision.Hold}), or end it at once
   * ({@link RouteDecision.Reject} with the flow's final response: outside business hours, absence, a hangup step
   * without a prompt). A pure function of the arrival, so that the cluster's call
   * control computes the same decision before this entity has recovered (see {@link ClusterCallControl#arrive}).
   *
   * @param ringTimeoutMillis ring timeout of numbers without a flow document (hankyo.sip.ring-timeout), ms
   */
  public static RouteDecision firstDecision(CallArrival arrival, NumberRoute route, long ringTimeoutMillis) {
    return firstStep(new CallArrived(arrival, route, 0, null, ringTimeoutMillis)).decision();
  }

  /** The first decision and, when it ends the call, why. */
  record FirstStep(RouteDecision decision, EndCause endCause, FlowState state, List<FlowAction> actions) {}

  static FirstStep firstStep(CallArrived arrived) {
    FlowResult result = FLOWS.apply(arrived.flow(), FlowState.initial(), signalOf(arrived));
    FlowAction.Forward forward = firstOf(result.actions(), FlowAction.Forward.class);
    CallArrival arrival = arrived.arrival();
    if (forward != null) {
      return new FirstStep(new RouteDecision.Forward(arrival.trnId(), forward.attempt(), arrived.route(),
          forward.to(), ringMillis(arrived, forward),
          holdCallerOnFailure(arrived, result.state(), forward.attempt())), null, result.state(), result.actions());
    }
    if (firstOf(result.actions(), FlowAction.AnswerWithMedia.class) != null) {
      return new FirstStep(new RouteDecision.AnswerWithMedia(arrival.trnId(), arrived.route()), null,
          result.state(), result.actions());
    }
    if (firstOf(result.actions(), FlowAction.EnterQueue.class) != null) {
      // a queue as the first step: the queue's answer (a line, or a place) comes after the gateway needs a decision,
      // so the caller waits unanswered; a line → a plain forward, a place → answered with media and the hold prompt
      return new FirstStep(new RouteDecision.Hold(arrival.trnId(), arrived.route()), null, result.state(),
          result.actions());
    }
    FlowAction.Hangup hangup = firstOf(result.actions(), FlowAction.Hangup.class);
    if (hangup != null) {
      return new FirstStep(new RouteDecision.Reject(hangup.sipStatus() >= 300 ? hangup.sipStatus() : 480,
          reasonOf(hangup.cause())), hangup.cause(), result.state(), result.actions());
    }
    return new FirstStep(new RouteDecision.Reject(500, "Server Internal Error (the call flow did nothing)"),
        EndCause.FLOW_ERROR, result.state(), result.actions());
  }

  /**
   * The call flow's {@code logvars.*} of a call that has a flow document (issue 3, "Call log"); empty for numbers
   * without a document. All values are strings:
   *
   * <ul>
   *   <li>{@code flow_version}: the version of the document the call arrived with.
   *   <li>{@code flow_path}: the ids of the steps entered, in order, joined by {@code >} (a step entered twice appears
   *       twice), up to the last one, e.g. {@code hours>menu>sales>sorry}.
   *   <li>{@code outside_hours}: {@code true} when a schedule step sent the call to its closed branch, {@code false}
   *       when a schedule step found it open; absent when the path has no schedule step (with distinct branches).
   *   <li>{@code fwd_attempts}: forward attempts made (destinations rung), over the whole call.
   *   <li>{@code calling_sec_total}: seconds all forward attempts rang, summed (sequential forwarding: busy, no
   *       answer, unreachable ones and the one that answered or was last), each from its start to its answer, failure
   *       or the end of the call; whole seconds rounded half up from the summed milliseconds, so never less than
   *       {@code calling_sec} (the ringing of the destination that answered, or of the last one). {@code 0} when
   *       nothing was rung.
   *   <li>{@code ivr_digits}: the keys the caller pressed in menu steps, one entry per menu input in order (a retried
   *       invalid input is an entry of its own), entries joined by {@code ,}; the terminator (e.g. {@code #}) is not
   *       part of an entry, inputs without any key (first-digit timeout) are left out, keys typed before a hangup
   *       are the last entry. Keys pressed outside menus (during a play step) are not listed. E.g. {@code 9,1} (an
   *       invalid 9, then 1 on the retry) or {@code 1,23} (1 in a first menu, 23 in a second). Present (possibly
   *       empty) when the path has a menu step.
   *   <li>{@code queue}: the queue names of the queue steps entered, in order of first entry, joined by {@code ,};
   *       present when the path has a queue step.
   *   <li>{@code queue_wait_sec}: seconds the caller waited in queues for a line, summed over the queue steps: each
   *       wait from entering the step to the line being granted, the max-wait timeout (or the queue refusing the
   *       call) or the end of the call; whole seconds rounded half up from the summed milliseconds. Present when the
   *       path has a queue step.
   * </ul>
   *
   * @param state the flow state at the end (see {@link #closingFlow}): a pure function of the persisted events, so a
   *     call recovered on another node logs the same
   * @param callingMillisTotal milliseconds all forward attempts rang, summed
   */
  static Map<String, String> flowLogvars(CallArrived arrived, FlowState state, long callingMillisTotal) {
    CallFlow flow = arrived.route().flow();
    if (flow == null || state == null) {
      return Map.of();
    }
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("flow_version", Integer.toString(arrived.route().flowVersion()));
    vars.put("flow_path", String.join(">", state.path()));
    List<String> path = state.path();
    boolean menu = false;
    Set<String> queues = new java.util.LinkedHashSet<>();
    for (int i = 0; i < path.size(); i++) {
      FlowStep step = flow.step(path.get(i));
      if (i + 1 < path.size() && step instanceof ScheduleStep schedule
          && !schedule.open().equals(schedule.closed())) {
        vars.put("outside_hours", Boolean.toString(path.get(i + 1).equals(schedule.closed())));
      }
      menu |= step instanceof MenuStep;
      if (step instanceof QueueStep q) {
        queues.add(q.queue());
      }
    }
    vars.put("fwd_attempts", Integer.toString(state.attempt()));
    vars.put("calling_sec_total", Integer.toString(CallOutcomes.seconds(callingMillisTotal)));
    if (menu) {
      vars.put("ivr_digits", String.join(",", state.menuInputs().stream().filter(d -> !d.isEmpty()).toList()));
    }
    if (!queues.isEmpty()) {
      vars.put("queue", String.join(",", queues));
      vars.put("queue_wait_sec", Integer.toString(CallOutcomes.seconds(state.queueWaitMillis())));
    }
    return vars;
  }

  /**
   * The flow state to log when the call ends: the flow as the journal left it, completed with how the call ended,
   * which the journal does not hold as a flow signal (the gateway's end goes straight to {@link CallEnded}).
   *
   * <ul>
   *   <li>The last forward leg failed and the gateway ended the call itself (the entity told it nothing would follow:
   *       {@link #holdCallerOnFailure}): the failure is applied, so the path ends with the step the flow goes to
   *       then (e.g. a {@code failed} hangup step without prompt). Only taken when the flow then ends too.
   *   <li>Anything else before the flow ended (the caller hung up during guidance, a menu or a queue; a gateway
   *       failure): {@link FlowSignal.CallerHungUp} at the end closes the queue wait and keeps keys typed in a menu.
   * </ul>
   *
   * Pure: the same persisted events give the same state on any node.
   */
  static FlowState closingFlow(CallArrived arrived, FlowState state, ForwardAttemptStarted attempt,
      Instant attemptFailedAt, Instant endedAt, EndCause cause, int sipStatus) {
    if (state == null || state.ended()) {
      return state;
    }
    CallFlow flow = arrived.flow();
    FlowState s = state;
    if (s.phase() == FlowState.Phase.RINGING && attempt != null && attemptFailedAt == null
        && attempt.attempt() == s.attempt() && isLegFailure(cause)) {
      FlowResult failed = FLOWS.apply(flow, s,
          new FlowSignal.ForwardFailed(endedAt, attempt.attempt(), cause, sipStatus));
      if (!failed.ignored() && failed.state().ended()) {
        return failed.state();
      }
    }
    FlowResult hungUp = FLOWS.apply(flow, s, new FlowSignal.CallerHungUp(endedAt));
    return hungUp.ignored() ? s : hungUp.state();
  }

  private static boolean isLegFailure(EndCause cause) {
    return cause == EndCause.BUSY || cause == EndCause.NO_ANSWER || cause == EndCause.DECLINED
        || cause == EndCause.UNREACHABLE;
  }

  private static String reasonOf(EndCause cause) {
    return cause == EndCause.FLOW_ERROR ? "Server Internal Error" : "Temporarily Unavailable";
  }

  /**
   * Whether the gateway should keep the caller waiting when {@code attempt} fails: true when the flow would try
   * something else then; false when it would just end the call (then the gateway answers the caller itself, one
   * round trip less — the default flow of a number without a document).
   */
  static boolean holdCallerOnFailure(CallArrived arrived, FlowState state, int attempt) {
    FlowResult ifFailed = FLOWS.apply(arrived.flow(), state,
        new FlowSignal.ForwardFailed(arrived.arrival().arrivedAt(), attempt, EndCause.UNREACHABLE, 0));
    return ifFailed.actions().stream().noneMatch(a -> a instanceof FlowAction.Hangup);
  }

  /** Ring timeout of a forward: the document's ring_sec, or exactly the node's setting for the default flow. */
  private static long ringMillis(CallArrived arrived, FlowAction.Forward forward) {
    return arrived.route().flow() == null ? arrived.ringTimeoutMillis() : forward.ringTimeoutMillis();
  }

  static CallFlow defaultFlow(NumberRoute route, long ringTimeoutMillis) {
    int ringSec = (int) Math.max(1, (ringTimeoutMillis + 999) / 1000);
    return CallFlow.defaultFor(route.forwardTo(), ringSec);
  }

  private static FlowSignal signalOf(CallArrived arrived) {
    return new FlowSignal.CallArrived(arrived.arrival().arrivedAt(), arrived.route().absent());
  }

  private static FlowSignal signalOf(ForwardAttemptFailed failed) {
    return new FlowSignal.ForwardFailed(failed.at(), failed.attempt(), failed.cause(), failed.sipStatus());
  }

  private static <T extends FlowAction> T firstOf(List<FlowAction> actions, Class<T> type) {
    for (FlowAction a : actions) {
      if (type.isInstance(a)) {
        return type.cast(a);
      }
    }
    return null;
  }

  private static RouteDecision decision(Forwarding s) {
    ForwardAttemptStarted attempt = s.attempt();
    CallArrived arrived = s.arrived();
    if (attempt == null) {
      return firstStep(arrived).decision();
    }
    long ringMs = Math.max(1, Duration.between(attempt.startedAt(), attempt.ringDeadline()).toMillis());
    return new RouteDecision.Forward(arrived.arrival().trnId(), attempt.attempt(), arrived.route(),
        attempt.destination(), ringMs, holdCallerOnFailure(arrived, s.flow(), attempt.attempt()));
  }

  private void writeCallLog(CallLogRecord record) {
    deps.callLog().upsert(record).whenComplete((done, err) -> {
      if (err != null) {
        ctx.getLog().warn("call {}: direct call-log write failed, the projection will write it: {}",
            trnId, err.toString());
      }
    });
  }

  /**
   * Adds the call's recording to the recordings index (issue 4, retention); fire-and-forget (the reply never waits for
   * it), failures logged (such a recording is not swept; it can still be deleted through the API).
   */
  private void indexRecording(String operatorId, CallRecording recording) {
    org.slf4j.Logger log = ctx.getLog();
    CompletionStage<Done> write;
    try {
      write = deps.recordings().stored(operatorId, trnId, recording.key(),
          recording.storedAt() == null ? Instant.now() : recording.storedAt());
    } catch (RuntimeException e) {
      write = CompletableFuture.failedFuture(e);
    }
    write.whenComplete((done, err) -> {
      if (err != null) {
        log.warn("call {}: recordings index insert failed (its retention will not delete it): {}", trnId,
            err.toString());
      }
    });
  }

  /** Adds the call to the open-calls index; fire-and-forget (the reply never waits for it), failures logged. */
  private void indexOpened(CallArrived arrived) {
    org.slf4j.Logger log = ctx.getLog(); // taken on the actor's thread: the callback runs elsewhere
    deps.openCalls().opened(trnId, arrived.arrival().arrivedAt()).whenComplete((done, err) -> {
      if (err != null) {
        log.warn("call {}: open-calls index insert failed (only the death watch guards it now): {}",
            trnId, err.toString());
      }
    });
  }

  /** Removes the call from the open-calls index; fire-and-forget, failures logged (the sweeper retries it). */
  private void indexClosed() {
    org.slf4j.Logger log = ctx.getLog();
    deps.openCalls().closed(trnId).whenComplete((done, err) -> {
      if (err != null) {
        log.warn("call {}: open-calls index delete failed (the sweeper will retry): {}", trnId,
            err.toString());
      }
    });
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
    b.forStateType(Idle.class)
        .onEvent(CallArrived.class, (s, e) ->
            new Forwarding(e, null, FLOWS.apply(e.flow(), FlowState.initial(), signalOf(e)).state()));
    b.forStateType(Forwarding.class)
        .onEvent(ForwardAttemptStarted.class, (s, e) -> s.withAttempt(e))
        .onEvent(RecordingConsentPlayed.class, (s, e) -> s)
        .onEvent(ForwardAttemptFailed.class, (s, e) ->
            s.withAttemptFailed(FLOWS.apply(s.arrived().flow(), s.flow(), signalOf(e)).state(), e.at()))
        .onEvent(FlowSignalled.class, (s, e) -> new Forwarding(s.arrived(), s.attempt(),
            FLOWS.apply(s.arrived().flow(), s.flow(), e.signal()).state(), s.mediaAnsweredAt(),
            Math.max(s.digitsSeen(), e.digitSeq()), s.failedRingMillis(), s.attemptFailedAt()))
        .onEvent(MediaAnswered.class, (s, e) -> new Forwarding(s.arrived(), s.attempt(), s.flow(), e.at(),
            s.digitsSeen(), s.failedRingMillis(), s.attemptFailedAt()))
        .onEvent(CallAnswered.class, (s, e) -> new Connected(s.arrived(), s.attempt(), e,
            FLOWS.apply(s.arrived().flow(), s.flow(), new FlowSignal.ForwardAnswered(e.answeredAt(), e.attempt()))
                .state(), s.failedRingMillis()))
        .onEvent(CallEnded.class, (s, e) -> new Ended(e.record()));
    b.forStateType(Connected.class).onEvent(CallEnded.class, (s, e) -> new Ended(e.record()));
    b.forStateType(Ended.class)
        .onEvent(RecordingStored.class, (s, e) -> new Ended(e.record(), e.recording()))
        .onEvent(RecordingDeleted.class, (s, e) ->
            new Ended(e.record(), s.recording() == null ? null : s.recording().deleted(e.at())));
    return b.build();
  }
}
