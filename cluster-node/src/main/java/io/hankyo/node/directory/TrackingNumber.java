package io.hankyo.node.directory;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.directory.FlowView;
import io.hankyo.protocol.directory.JudgmentView;
import io.hankyo.protocol.directory.NotificationView;
import io.hankyo.protocol.directory.TrackingNumberView;
import io.hankyo.protocol.flow.CallFlow;
import io.hankyo.protocol.judgment.JudgmentRules;
import io.hankyo.protocol.notify.NotificationSettings;
import io.hankyo.protocol.recording.RecordingSettings;
import io.hankyo.protocol.directory.RecordingView;
import io.hankyo.protocol.number.PhoneNumber;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * A phone number in the cluster (spec section 2): unassigned, or the tracking number (トラッキング番号,
 * {@code din_id}) of exactly one record (operator, advertiser {@code client_id}, {@code dialin_id}) that forwards to
 * {@code fwd_id}. Sharded, event-sourced; entity id = the number in E.164 ({@code +81120123456}), so a number routes
 * to at most one record in the whole cluster.
 *
 * <p>Every incoming call reads {@link GetRoute}, a pure in-memory read. Changes are accepted only from the holder
 * (operator, client id, dialin id): {@link Update} from anyone else is rejected as not found,
 * {@link UpdateClientName} and {@link Release} from anyone else change nothing.
 *
 * <p>Rejections ({@link StatusReply#error(String)}): {@link Assign} when another record holds the number ("already a
 * tracking number") or the number is not this entity's; {@link Update} and {@link Get} when the number is not held
 * (by that record).
 *
 * <p>Two versioned documents hang off the record, each with its own version counter (1, 2, … per store or removal):
 * the call flow ({@link StoreFlow}, issue 3) and the valid-call judgment rules ({@link StoreJudgment}, {@link
 * ClearJudgment}; 成果判定, issue 4). Both travel in every call's {@link NumberRoute} as they were at arrival. The
 * call notification settings ({@link StoreNotifications}, {@link ClearNotifications}; 着信通知, issue 4) are a third
 * document versioned the same way.
 */
public final class TrackingNumber
    extends EventSourcedBehaviorWithEnforcedReplies<
        TrackingNumber.Command, TrackingNumber.Event, TrackingNumber.State> {

  /** Sharding type key; persistence ids are {@code TrackingNumber|<E.164>}. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "TrackingNumber");

  // ---------------------------------------------------------------------------------------------------- commands

  /** Commands of the tracking number entity. */
  public sealed interface Command extends JsonSerializable {}

  /**
   * Makes the number the tracking number of a record. Idempotent for the same (operator, client id, dialin id): the
   * current record is replied unchanged.
   *
   * @param operatorId owner operator
   * @param clientId {@code client_id}
   * @param clientName {@code client_name} (copied so that calls log it without asking the advertiser)
   * @param dialinId {@code dialin_id}
   * @param dialinName {@code dialin_name}, may be empty
   * @param number the tracking number; its E.164 must be this entity's id; {@code raw} kept as entered
   * @param forwardTo {@code fwd_id}
   * @param replyTo gets the record, or an error when the number is already another record's tracking number
   */
  public record Assign(
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("client_name") String clientName,
      @JsonProperty("dialin_id") String dialinId,
      @JsonProperty("dialin_name") String dialinName,
      @JsonProperty("number") PhoneNumber number,
      @JsonProperty("forward_to") PhoneNumber forwardTo,
      @JsonProperty("reply_to") ActorRef<StatusReply<Details>> replyTo)
      implements Command {}

  /**
   * Changes the name and/or forward destination of the holder's record (empty = unchanged; no event when nothing
   * changes).
   *
   * @param replyTo gets the record, or an error when the number is not held by (operator, client id, dialin id)
   */
  public record Update(
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("dialin_id") String dialinId,
      @JsonProperty("dialin_name") Optional<String> dialinName,
      @JsonProperty("forward_to") Optional<PhoneNumber> forwardTo,
      @JsonProperty("reply_to") ActorRef<StatusReply<Details>> replyTo)
      implements Command {
    public Update {
      dialinName = dialinName == null ? Optional.empty() : dialinName;
      forwardTo = forwardTo == null ? Optional.empty() : forwardTo;
    }
  }

  /**
   * The advertiser was renamed: copy its new name. Done without change when the number is not held by that
   * advertiser (operator, client id).
   *
   * @param replyTo gets {@link Done}
   */
  public record UpdateClientName(
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("client_name") String clientName,
      @JsonProperty("reply_to") ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /**
   * Ends the record's hold on the number; calls to it are refused from then on. Idempotent: Done without change when
   * the number is unassigned or held by another record (either way that record does not hold it afterwards).
   *
   * @param replyTo gets {@link Done}
   */
  public record Release(
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("dialin_id") String dialinId,
      @JsonProperty("reply_to") ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /**
   * Turns absence mode (不在設定, spec section 4) on or off. Every call's {@link NumberRoute} carries the switch as it
   * was when the call arrived, for the call flow's {@code absence} step. No event when it already is as asked.
   *
   * @param replyTo gets the record, or an error when the number is not held by (operator, client id, dialin id)
   */
  public record SetAbsence(
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("dialin_id") String dialinId,
      @JsonProperty("on") boolean on,
      @JsonProperty("reply_to") ActorRef<StatusReply<Details>> replyTo)
      implements Command {}

  /**
   * Stores a new version of the number's call flow document (issue 3), or removes the document ({@code flow} null:
   * calls are forwarded to {@code fwd_id} again). Every store is a new version (1, 2, …, per record); a call keeps the
   * flow and version it started with (they travel in its {@link NumberRoute}).
   *
   * @param flow a flow checked by {@link io.hankyo.protocol.flow.CallFlowParser}, or null to remove the document
   * @param replyTo gets the record, or an error when the number is not held by (operator, client id, dialin id)
   */
  public record StoreFlow(
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("dialin_id") String dialinId,
      @JsonProperty("flow") CallFlow flow,
      @JsonProperty("reply_to") ActorRef<StatusReply<Details>> replyTo)
      implements Command {}

  /**
   * Stores a new version of the number's valid-call judgment rules (成果判定, issue 4, spec section 5). Every store
   * is a new version; versions count per record across stores and removals ({@link ClearJudgment}), independently of
   * the flow's. A call keeps the rules and version it arrived with (they travel in its {@link NumberRoute}).
   *
   * @param rules rules checked by {@link io.hankyo.protocol.judgment.JudgmentRulesParser}; not null
   * @param replyTo gets the record, or an error when the number is not held by (operator, client id, dialin id) or
   *     the rules are missing
   */
  public record StoreJudgment(
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("dialin_id") String dialinId,
      @JsonProperty("rules") JudgmentRules rules,
      @JsonProperty("reply_to") ActorRef<StatusReply<Details>> replyTo)
      implements Command {}

  /**
   * Removes the number's judgment rules: calls arriving from then on get no {@code valid_res}. The removal is a new
   * version; no event (and no new version) when the number has no rules.
   *
   * @param replyTo gets the record, or an error when the number is not held by (operator, client id, dialin id)
   */
  public record ClearJudgment(
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("dialin_id") String dialinId,
      @JsonProperty("reply_to") ActorRef<StatusReply<Details>> replyTo)
      implements Command {}

  /**
   * Stores a new version of the number's call notification settings (issue 4). Every store is a new version; versions
   * count per record across stores and removals, independently of the other documents. A call keeps the settings and
   * version it arrived with (they travel in its {@link NumberRoute}).
   *
   * @param settings settings checked by {@link io.hankyo.protocol.notify.NotificationSettingsParser}; not null
   * @param replyTo gets the record, or an error when the number is not held by (operator, client id, dialin id) or
   *     the settings are missing
   */
  public record StoreNotifications(
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("dialin_id") String dialinId,
      @JsonProperty("settings") NotificationSettings settings,
      @JsonProperty("reply_to") ActorRef<StatusReply<Details>> replyTo)
      implements Command {}

  /**
   * Stores a new version of the number's recording setting (2者間通話録音, issue 4). Versions count per record across
   * stores and removals ({@link ClearRecording}), independently of the flow's and the judgment's. A call keeps the
   * setting it arrived with (it travels in its {@link NumberRoute}).
   *
   * @param settings a setting checked by {@link io.hankyo.protocol.recording.RecordingSettingsParser}; not null
   * @param replyTo gets the record, or an error when the number is not held by (operator, client id, dialin id) or
   *     the setting is missing
   */
  public record StoreRecording(
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("dialin_id") String dialinId,
      @JsonProperty("settings") RecordingSettings settings,
      @JsonProperty("reply_to") ActorRef<StatusReply<Details>> replyTo)
      implements Command {}

  /**
   * Removes the number's notification settings: calls arriving from then on notify nobody. The removal is a new
   * version; no event when the number has no settings.
   *
   * @param replyTo gets the record, or an error when the number is not held by (operator, client id, dialin id)
   */
  public record ClearNotifications(
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("dialin_id") String dialinId,
      @JsonProperty("reply_to") ActorRef<StatusReply<Details>> replyTo)
      implements Command {}

  /**
   * Removes the number's recording setting: calls arriving from then on are not recorded. The removal is a new
   * version; no event when the number has no setting.
   *
   * @param replyTo gets the record, or an error when the number is not held by (operator, client id, dialin id)
   */
  public record ClearRecording(
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("dialin_id") String dialinId,
      @JsonProperty("reply_to") ActorRef<StatusReply<Details>> replyTo)
      implements Command {}

  /** Reads the record. @param replyTo gets it, or an error when the number is not a tracking number */
  public record Get(@JsonProperty("reply_to") ActorRef<StatusReply<Details>> replyTo) implements Command {}

  /** Where a call to this number goes (in-memory read, nothing persisted). @param replyTo gets the route or empty */
  public record GetRoute(@JsonProperty("reply_to") ActorRef<Route> replyTo) implements Command {}

  // ----------------------------------------------------------------------------------------------------- replies

  /**
   * Reply to {@link GetRoute}.
   *
   * @param route empty when the number is not a tracking number
   * @param createdAt the record's {@code created_at} (which record holds the number: one deleted and created again
   *     is a new record; the intermediate bindings of an earlier record are not credited to it, issue 5); null when
   *     {@code route} is empty, and in replies of nodes older than the field
   */
  public record Route(@JsonProperty("route") Optional<NumberRoute> route,
      @JsonProperty("created_at") @JsonInclude(JsonInclude.Include.NON_NULL) Instant createdAt)
      implements JsonSerializable {
    @JsonCreator
    public Route {
      route = route == null ? Optional.empty() : route;
    }

    /** A reply without the record's creation time (no route). */
    public Route(Optional<NumberRoute> route) {
      this(route, null);
    }
  }

  /**
   * A tracking-number record.
   *
   * @param operatorId owner operator
   * @param clientId {@code client_id}
   * @param clientName {@code client_name} (as of the last advertiser rename)
   * @param dialinId {@code dialin_id}
   * @param dialinName {@code dialin_name}
   * @param number {@code din_id} (raw as entered at creation)
   * @param forwardTo {@code fwd_id}
   * @param createdAt when assigned
   * @param updatedAt last change
   * @param absent whether absence mode (不在設定) is on
   * @param flow the call flow document (none: calls go to {@code fwd_id}; issue 3)
   * @param judgment the valid-call judgment rules (none: calls get no {@code valid_res} unless the advertiser has
   *     rules; issue 4)
   * @param notifications the call notification settings (none: calls notify nobody; issue 4)
   * @param recording the recording setting (none: calls are not recorded; issue 4)
   */
  public record Details(
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("client_name") String clientName,
      @JsonProperty("dialin_id") String dialinId,
      @JsonProperty("dialin_name") String dialinName,
      @JsonProperty("number") PhoneNumber number,
      @JsonProperty("forward_to") PhoneNumber forwardTo,
      @JsonProperty("created_at") Instant createdAt,
      @JsonProperty("updated_at") Instant updatedAt,
      @JsonProperty("absent") boolean absent,
      @JsonProperty("flow") Versioned<CallFlow> flow,
      @JsonProperty("judgment") Versioned<JudgmentRules> judgment,
      @JsonProperty("notifications") Versioned<NotificationSettings> notifications,
      @JsonProperty("recording") Versioned<RecordingSettings> recording)
      implements JsonSerializable {

    @JsonCreator
    public Details {
      Objects.requireNonNull(operatorId, "operatorId");
      Objects.requireNonNull(clientId, "clientId");
      Objects.requireNonNull(dialinId, "dialinId");
      Objects.requireNonNull(number, "number");
      Objects.requireNonNull(forwardTo, "forwardTo");
      clientName = clientName == null ? "" : clientName;
      dialinName = dialinName == null ? "" : dialinName;
      flow = flow == null ? Versioned.none() : flow;
      judgment = judgment == null ? Versioned.none() : judgment;
      notifications = notifications == null ? Versioned.none() : notifications;
      recording = recording == null ? Versioned.none() : recording;
    }

    /** A new record without documents. */
    static Details assigned(NumberAssigned e) {
      return new Details(e.operatorId(), e.clientId(), e.clientName(), e.dialinId(), e.dialinName(), e.number(),
          e.forwardTo(), e.at(), e.at(), false, null, null, null, null);
    }

    /** True when (operator, client id, dialin id) is this record. */
    public boolean heldBy(String operator, String client, String dialin) {
      return operatorId.equals(operator) && clientId.equals(client) && dialinId.equals(dialin);
    }

    /** The API view of the flow. */
    public FlowView toFlowView() {
      return new FlowView(dialinId, clientId, flow.version(), flow.document(), flow.updatedAt());
    }

    /** The API view of the judgment rules. */
    public JudgmentView toJudgmentView() {
      return new JudgmentView(dialinId, clientId, judgment.version(), judgment.document(), judgment.updatedAt());
    }

    /** The API view of the notification settings. */
    public NotificationView toNotificationView() {
      return new NotificationView(dialinId, clientId, notifications.version(), notifications.document(),
          notifications.updatedAt());
    }

    /** The API view of the recording setting (issue 4). */
    public RecordingView toRecordingView() {
      return new RecordingView(dialinId, clientId, recording.version(), recording.document(), recording.updatedAt());
    }

    /** The API view. */
    public TrackingNumberView toView() {
      return new TrackingNumberView(dialinId, clientId, number, dialinName, forwardTo, createdAt, updatedAt, absent);
    }

    /** What a call needs: every document with its version, as they are now. */
    public NumberRoute toRoute() {
      return new NumberRoute(
          operatorId, clientId, clientName, dialinId, dialinName, number, forwardTo, absent, flow.document(),
          flow.version(), judgment.document(), judgment.version(), null, notifications.document(),
          notifications.version(), recording.document(), recording.version(), null);
    }

    Details withNames(String client, String dialin, PhoneNumber fwd, Instant at) {
      return new Details(operatorId, clientId, client, dialinId, dialin, number, fwd, createdAt, at, absent, flow,
          judgment, notifications, recording);
    }

    Details withAbsent(boolean on, Instant at) {
      return new Details(operatorId, clientId, clientName, dialinId, dialinName, number, forwardTo, createdAt, at, on,
          flow, judgment, notifications, recording);
    }

    Details withFlow(Versioned<CallFlow> f) {
      return new Details(operatorId, clientId, clientName, dialinId, dialinName, number, forwardTo, createdAt,
          f.updatedAt(), absent, f, judgment, notifications, recording);
    }

    Details withJudgment(Versioned<JudgmentRules> j) {
      return new Details(operatorId, clientId, clientName, dialinId, dialinName, number, forwardTo, createdAt,
          j.updatedAt(), absent, flow, j, notifications, recording);
    }

    Details withNotifications(Versioned<NotificationSettings> n) {
      return new Details(operatorId, clientId, clientName, dialinId, dialinName, number, forwardTo, createdAt,
          n.updatedAt(), absent, flow, judgment, n, recording);
    }

    Details withRecording(Versioned<RecordingSettings> r) {
      return new Details(operatorId, clientId, clientName, dialinId, dialinName, number, forwardTo, createdAt,
          r.updatedAt(), absent, flow, judgment, notifications, r);
    }
  }

  // ------------------------------------------------------------------------------------------------------ events

  /** Events of the tracking number entity. */
  public sealed interface Event extends JsonSerializable {}

  /** The number became the tracking number of a record. */
  public record NumberAssigned(
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("client_name") String clientName,
      @JsonProperty("dialin_id") String dialinId,
      @JsonProperty("dialin_name") String dialinName,
      @JsonProperty("number") PhoneNumber number,
      @JsonProperty("forward_to") PhoneNumber forwardTo,
      @JsonProperty("at") Instant at)
      implements Event {}

  /** Name and forward destination after an update (both given, changed or not). */
  public record NumberUpdated(
      @JsonProperty("dialin_name") String dialinName,
      @JsonProperty("forward_to") PhoneNumber forwardTo,
      @JsonProperty("at") Instant at)
      implements Event {}

  /** The advertiser's new name. */
  public record ClientRenamed(@JsonProperty("client_name") String clientName, @JsonProperty("at") Instant at)
      implements Event {}

  /** A version of the call flow document was stored ({@code flow} null: the document was removed). */
  public record FlowStored(
      @JsonProperty("version") int version, @JsonProperty("flow") CallFlow flow, @JsonProperty("at") Instant at)
      implements Event {}

  /** A version of the judgment rules was stored. */
  public record JudgmentStored(
      @JsonProperty("version") int version,
      @JsonProperty("rules") JudgmentRules rules,
      @JsonProperty("at") Instant at)
      implements Event {}

  /** The judgment rules were removed; {@code version} is the removal's version. */
  public record JudgmentCleared(@JsonProperty("version") int version, @JsonProperty("at") Instant at)
      implements Event {}

  /** A version of the call notification settings was stored. */
  public record NotificationsStored(
      @JsonProperty("version") int version,
      @JsonProperty("settings") NotificationSettings settings,
      @JsonProperty("at") Instant at)
      implements Event {}

  /** The call notification settings were removed; {@code version} is the removal's version. */
  public record NotificationsCleared(@JsonProperty("version") int version, @JsonProperty("at") Instant at)
      implements Event {}

  /** A version of the recording setting (issue 4) was stored. */
  public record RecordingSettingStored(
      @JsonProperty("version") int version,
      @JsonProperty("settings") RecordingSettings settings,
      @JsonProperty("at") Instant at)
      implements Event {}

  /** The recording setting was removed; {@code version} is the removal's version. */
  public record RecordingSettingCleared(@JsonProperty("version") int version, @JsonProperty("at") Instant at)
      implements Event {}

  /** Absence mode (不在設定) was turned on or off. */
  public record AbsenceSet(@JsonProperty("on") boolean on, @JsonProperty("at") Instant at) implements Event {}

  /** The record let go of the number. */
  public record NumberReleased(
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("dialin_id") String dialinId,
      @JsonProperty("at") Instant at)
      implements Event {}

  // ------------------------------------------------------------------------------------------------------- state

  /** State of the tracking number entity. */
  public sealed interface State extends JsonSerializable {}

  /** No record holds the number. */
  public record Unassigned() implements State {}

  /** Held by a record. @param details the record */
  public record Assigned(@JsonProperty("details") Details details) implements State {
    @JsonCreator
    public Assigned {
      Objects.requireNonNull(details, "details");
    }

    Assigned with(java.util.function.UnaryOperator<Details> change) {
      return new Assigned(change.apply(details));
    }

    boolean heldBy(String operator, String client, String dialin) {
      return details.heldBy(operator, client, dialin);
    }
  }

  // ---------------------------------------------------------------------------------------------------- behavior

  private final String e164;

  private TrackingNumber(String e164) {
    super(PersistenceId.of(ENTITY_KEY.name(), e164));
    this.e164 = e164;
  }

  /**
   * Registers the entity type with sharding (idempotent: a second call returns the same region).
   *
   * @return the shard region
   */
  public static ActorRef<ShardingEnvelope<Command>> init(ClusterSharding sharding) {
    return sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId())));
  }

  /**
   * The behavior of one number.
   *
   * @param e164 the number in E.164, e.g. {@code +81120123456}
   * @throws IllegalArgumentException when the id is not E.164
   */
  public static Behavior<Command> create(String e164) {
    if (!isE164(e164)) {
      throw new IllegalArgumentException("tracking number entity id must be E.164, got '" + e164 + "'");
    }
    return new TrackingNumber(e164);
  }

  /** True for '+' followed by 2 to 15 digits, the first not 0 (ITU-T E.164). */
  public static boolean isE164(String s) {
    return s != null && s.matches("\\+[1-9][0-9]{1,14}");
  }

  @Override
  public State emptyState() {
    return new Unassigned();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> b = newCommandHandlerWithReplyBuilder();
    b.forStateType(Unassigned.class)
        .onCommand(Assign.class, this::assign)
        .onCommand(Update.class, c -> Effect().reply(c.replyTo(), notHeld()))
        .onCommand(SetAbsence.class, c -> Effect().reply(c.replyTo(), notHeld()))
        .onCommand(StoreFlow.class, c -> Effect().reply(c.replyTo(), notHeld()))
        .onCommand(StoreJudgment.class, c -> Effect().reply(c.replyTo(), notHeld()))
        .onCommand(ClearJudgment.class, c -> Effect().reply(c.replyTo(), notHeld()))
        .onCommand(StoreNotifications.class, c -> Effect().reply(c.replyTo(), notHeld()))
        .onCommand(ClearNotifications.class, c -> Effect().reply(c.replyTo(), notHeld()))
        .onCommand(StoreRecording.class, c -> Effect().reply(c.replyTo(), notHeld()))
        .onCommand(ClearRecording.class, c -> Effect().reply(c.replyTo(), notHeld()))
        .onCommand(UpdateClientName.class, c -> Effect().reply(c.replyTo(), StatusReply.ack()))
        .onCommand(Release.class, c -> Effect().reply(c.replyTo(), StatusReply.ack()))
        .onCommand(Get.class, c -> Effect().reply(c.replyTo(), notHeld()))
        .onCommand(GetRoute.class, c -> Effect().reply(c.replyTo(), new Route(Optional.empty())));
    b.forStateType(Assigned.class)
        .onCommand(Assign.class, this::assignAgain)
        .onCommand(Update.class, this::update)
        .onCommand(SetAbsence.class, this::setAbsence)
        .onCommand(StoreFlow.class, this::storeFlow)
        .onCommand(StoreJudgment.class, this::storeJudgment)
        .onCommand(ClearJudgment.class, this::clearJudgment)
        .onCommand(StoreNotifications.class, this::storeNotifications)
        .onCommand(ClearNotifications.class, this::clearNotifications)
        .onCommand(StoreRecording.class, this::storeRecording)
        .onCommand(ClearRecording.class, this::clearRecording)
        .onCommand(UpdateClientName.class, this::updateClientName)
        .onCommand(Release.class, this::release)
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(s.details())))
        .onCommand(GetRoute.class, (s, c) ->
            Effect().reply(c.replyTo(), new Route(Optional.of(s.details().toRoute()), s.details().createdAt())));
    return b.build();
  }

  private <T> StatusReply<T> notHeld() {
    return StatusReply.error(e164 + " is not a tracking number");
  }

  private ReplyEffect<Event, State> assign(Assign c) {
    if (c.number() == null || !e164.equals(c.number().e164())) {
      return Effect().reply(c.replyTo(), StatusReply.error("Assign of "
          + (c.number() == null ? "no number" : c.number().e164()) + " was sent to tracking number " + e164));
    }
    if (c.forwardTo() == null) {
      return Effect().reply(c.replyTo(), StatusReply.error("the forward destination is missing"));
    }
    if (isBlank(c.operatorId()) || isBlank(c.clientId()) || isBlank(c.dialinId())) {
      return Effect().reply(c.replyTo(), StatusReply.error("operator id, client_id and dialin_id must not be blank"));
    }
    return Effect()
        .persist(new NumberAssigned(c.operatorId(), c.clientId(), orEmpty(c.clientName()), c.dialinId(),
            orEmpty(c.dialinName()), c.number(), c.forwardTo(), Instant.now()))
        .thenReply(c.replyTo(), s -> StatusReply.success(((Assigned) s).details()));
  }

  private ReplyEffect<Event, State> assignAgain(Assigned s, Assign c) {
    if (s.heldBy(c.operatorId(), c.clientId(), c.dialinId())) {
      return Effect().reply(c.replyTo(), StatusReply.success(s.details()));
    }
    return Effect().reply(c.replyTo(), StatusReply.error(
        s.details().number().national() + " (" + e164 + ") is already a tracking number"));
  }

  private ReplyEffect<Event, State> update(Assigned s, Update c) {
    if (!s.heldBy(c.operatorId(), c.clientId(), c.dialinId())) {
      return Effect().reply(c.replyTo(), notHeld());
    }
    String name = c.dialinName().orElse(s.details().dialinName());
    PhoneNumber fwd = c.forwardTo().orElse(s.details().forwardTo());
    if (name.equals(s.details().dialinName()) && fwd.equals(s.details().forwardTo())) {
      return Effect().reply(c.replyTo(), StatusReply.success(s.details()));
    }
    return Effect().persist(new NumberUpdated(name, fwd, Instant.now()))
        .thenReply(c.replyTo(), ns -> StatusReply.success(((Assigned) ns).details()));
  }

  private ReplyEffect<Event, State> setAbsence(Assigned s, SetAbsence c) {
    if (!s.heldBy(c.operatorId(), c.clientId(), c.dialinId())) {
      return Effect().reply(c.replyTo(), notHeld());
    }
    if (c.on() == s.details().absent()) {
      return Effect().reply(c.replyTo(), StatusReply.success(s.details()));
    }
    return Effect().persist(new AbsenceSet(c.on(), Instant.now()))
        .thenReply(c.replyTo(), ns -> StatusReply.success(((Assigned) ns).details()));
  }

  private ReplyEffect<Event, State> storeFlow(Assigned s, StoreFlow c) {
    if (!s.heldBy(c.operatorId(), c.clientId(), c.dialinId())) {
      return Effect().reply(c.replyTo(), notHeld());
    }
    if (c.flow() == null && !s.details().flow().present()) {
      return Effect().reply(c.replyTo(), StatusReply.success(s.details()));
    }
    return Effect().persist(new FlowStored(s.details().flow().next(), c.flow(), Instant.now()))
        .thenReply(c.replyTo(), ns -> StatusReply.success(((Assigned) ns).details()));
  }

  private ReplyEffect<Event, State> storeJudgment(Assigned s, StoreJudgment c) {
    if (!s.heldBy(c.operatorId(), c.clientId(), c.dialinId())) {
      return Effect().reply(c.replyTo(), notHeld());
    }
    if (c.rules() == null) {
      return Effect().reply(c.replyTo(), StatusReply.error("the judgment rules are missing; use ClearJudgment to "
          + "remove them"));
    }
    return Effect().persist(new JudgmentStored(s.details().judgment().next(), c.rules(), Instant.now()))
        .thenReply(c.replyTo(), ns -> StatusReply.success(((Assigned) ns).details()));
  }

  private ReplyEffect<Event, State> clearJudgment(Assigned s, ClearJudgment c) {
    if (!s.heldBy(c.operatorId(), c.clientId(), c.dialinId())) {
      return Effect().reply(c.replyTo(), notHeld());
    }
    if (!s.details().judgment().present()) {
      return Effect().reply(c.replyTo(), StatusReply.success(s.details()));
    }
    return Effect().persist(new JudgmentCleared(s.details().judgment().next(), Instant.now()))
        .thenReply(c.replyTo(), ns -> StatusReply.success(((Assigned) ns).details()));
  }

  private ReplyEffect<Event, State> storeNotifications(Assigned s, StoreNotifications c) {
    if (!s.heldBy(c.operatorId(), c.clientId(), c.dialinId())) {
      return Effect().reply(c.replyTo(), notHeld());
    }
    if (c.settings() == null) {
      return Effect().reply(c.replyTo(), StatusReply.error("the notification settings are missing; use "
          + "ClearNotifications to remove them"));
    }
    return Effect().persist(new NotificationsStored(s.details().notifications().next(), c.settings(), Instant.now()))
        .thenReply(c.replyTo(), ns -> StatusReply.success(((Assigned) ns).details()));
  }

  private ReplyEffect<Event, State> clearNotifications(Assigned s, ClearNotifications c) {
    if (!s.heldBy(c.operatorId(), c.clientId(), c.dialinId())) {
      return Effect().reply(c.replyTo(), notHeld());
    }
    if (!s.details().notifications().present()) {
      return Effect().reply(c.replyTo(), StatusReply.success(s.details()));
    }
    return Effect().persist(new NotificationsCleared(s.details().notifications().next(), Instant.now()))
        .thenReply(c.replyTo(), ns -> StatusReply.success(((Assigned) ns).details()));
  }

  private ReplyEffect<Event, State> storeRecording(Assigned s, StoreRecording c) {
    if (!s.heldBy(c.operatorId(), c.clientId(), c.dialinId())) {
      return Effect().reply(c.replyTo(), notHeld());
    }
    if (c.settings() == null) {
      return Effect().reply(c.replyTo(), StatusReply.error("the recording setting is missing; use ClearRecording to "
          + "remove it"));
    }
    return Effect().persist(new RecordingSettingStored(s.details().recording().next(), c.settings(), Instant.now()))
        .thenReply(c.replyTo(), ns -> StatusReply.success(((Assigned) ns).details()));
  }

  private ReplyEffect<Event, State> clearRecording(Assigned s, ClearRecording c) {
    if (!s.heldBy(c.operatorId(), c.clientId(), c.dialinId())) {
      return Effect().reply(c.replyTo(), notHeld());
    }
    if (!s.details().recording().present()) {
      return Effect().reply(c.replyTo(), StatusReply.success(s.details()));
    }
    return Effect().persist(new RecordingSettingCleared(s.details().recording().next(), Instant.now()))
        .thenReply(c.replyTo(), ns -> StatusReply.success(((Assigned) ns).details()));
  }

  private ReplyEffect<Event, State> updateClientName(Assigned s, UpdateClientName c) {
    boolean holder = s.details().operatorId().equals(c.operatorId()) && s.details().clientId().equals(c.clientId());
    if (!holder || c.clientName() == null || c.clientName().equals(s.details().clientName())) {
      return Effect().reply(c.replyTo(), StatusReply.ack());
    }
    return Effect().persist(new ClientRenamed(c.clientName(), Instant.now()))
        .thenReply(c.replyTo(), ns -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> release(Assigned s, Release c) {
    if (!s.heldBy(c.operatorId(), c.clientId(), c.dialinId())) {
      return Effect().reply(c.replyTo(), StatusReply.ack());
    }
    return Effect().persist(new NumberReleased(s.details().operatorId(), s.details().clientId(), s.details().dialinId(), Instant.now()))
        .thenReply(c.replyTo(), ns -> StatusReply.ack());
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    var b = newEventHandlerBuilder();
    b.forStateType(Unassigned.class)
        .onEvent(NumberAssigned.class, (s, e) -> new Assigned(Details.assigned(e)));
    b.forStateType(Assigned.class)
        .onEvent(NumberUpdated.class,
            (s, e) -> s.with(d -> d.withNames(d.clientName(), e.dialinName(), e.forwardTo(), e.at())))
        .onEvent(ClientRenamed.class,
            (s, e) -> s.with(d -> d.withNames(e.clientName(), d.dialinName(), d.forwardTo(), e.at())))
        .onEvent(AbsenceSet.class, (s, e) -> s.with(d -> d.withAbsent(e.on(), e.at())))
        .onEvent(FlowStored.class, (s, e) -> s.with(d -> d.withFlow(new Versioned<>(e.flow(), e.version(), e.at()))))
        .onEvent(JudgmentStored.class,
            (s, e) -> s.with(d -> d.withJudgment(new Versioned<>(e.rules(), e.version(), e.at()))))
        .onEvent(JudgmentCleared.class,
            (s, e) -> s.with(d -> d.withJudgment(new Versioned<>(null, e.version(), e.at()))))
        .onEvent(NotificationsStored.class,
            (s, e) -> s.with(d -> d.withNotifications(new Versioned<>(e.settings(), e.version(), e.at()))))
        .onEvent(NotificationsCleared.class,
            (s, e) -> s.with(d -> d.withNotifications(new Versioned<>(null, e.version(), e.at()))))
        .onEvent(RecordingSettingStored.class,
            (s, e) -> s.with(d -> d.withRecording(new Versioned<>(e.settings(), e.version(), e.at()))))
        .onEvent(RecordingSettingCleared.class,
            (s, e) -> s.with(d -> d.withRecording(new Versioned<>(null, e.version(), e.at()))))
        .onEvent(NumberReleased.class, (s, e) -> new Unassigned());
    return b.build();
  }
}
