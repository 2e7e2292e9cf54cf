package io.hankyo.node.directory;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.directory.AdvertiserView;
import io.hankyo.protocol.directory.JudgmentView;
import io.hankyo.protocol.judgment.JudgmentRules;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
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
 * An advertiser (広告主, spec section 1) of one operator, with the dialin ids of its tracking numbers. Sharded,
 * event-sourced; entity id = {@link #entityId(String, String)} = {@code operatorId + "/" + clientId} (client ids are
 * unique within an operator, so operators never share an advertiser entity).
 *
 * <p>The advertiser reserves its dialin ids ({@code dialin_id} → tracking number in E.164) before the tracking number
 * is assigned in {@link TrackingNumber}; the number entity is the authority on who holds a number, the map here is
 * the advertiser's list of records. Dialin ids are unique within the advertiser.
 *
 * <p>Life cycle: absent → active → deleted → (re-created with the same client id) active. Rejections
 * ({@link StatusReply#error(String)}): Create of an active advertiser (client id taken) or with a blank name or for
 * another entity id; Rename/Delete/ReserveNumber/Get of an absent or deleted advertiser ("not found");
 * ReserveNumber of a taken dialin id.
 *
 * <p>The advertiser's valid-call judgment rules (成果判定, issue 4: "configuration per tracking number or
 * advertiser, versioned like the call flow") apply to every number of the advertiser that has no rules of its own
 * ({@link StoreJudgment}, {@link ClearJudgment}; events {@link AdvertiserJudgmentStored}, {@link
 * AdvertiserJudgmentCleared}). Versions count 1, 2, … per store or removal, across deletes and re-creates (a
 * re-created advertiser starts without rules but never reuses a version), independently of the numbers' versions.
 */
public final class Advertiser
    extends EventSourcedBehaviorWithEnforcedReplies<Advertiser.Command, Advertiser.Event, Advertiser.State> {

  /** Sharding type key; persistence ids are {@code Advertiser|<operatorId>/<clientId>}. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Advertiser");

  /**
   * The entity id of an advertiser.
   *
   * @param operatorId not blank, without '/' (so the id splits unambiguously at the first '/')
   * @param clientId not blank
   * @throws IllegalArgumentException otherwise
   */
  public static String entityId(String operatorId, String clientId) {
    if (operatorId == null || operatorId.isBlank() || operatorId.contains("/")) {
      throw new IllegalArgumentException("operator id must be non-blank without '/', got '" + operatorId + "'");
    }
    if (clientId == null || clientId.isBlank()) {
      throw new IllegalArgumentException("client_id must not be blank");
    }
    return operatorId + "/" + clientId;
  }

  // ---------------------------------------------------------------------------------------------------- commands

  /** Commands of the advertiser entity. */
  public sealed interface Command extends JsonSerializable {}

  /**
   * Creates the advertiser (also after a delete).
   *
   * @param operatorId owner; with {@code clientId} must give this entity's id
   * @param clientId {@code client_id}
   * @param clientName {@code client_name}, not blank
   * @param replyTo gets the advertiser, or an error when the client id is taken (advertiser active)
   */
  public record Create(
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("client_name") String clientName,
      @JsonProperty("reply_to") ActorRef<StatusReply<Summary>> replyTo)
      implements Command {}

  /**
   * Renames the advertiser (no event when the name is unchanged).
   *
   * @param replyTo gets the advertiser, or an error when not found or the name is blank
   */
  public record Rename(
      @JsonProperty("client_name") String clientName,
      @JsonProperty("reply_to") ActorRef<StatusReply<Summary>> replyTo)
      implements Command {}

  /**
   * Deletes the advertiser.
   *
   * @param replyTo gets the numbers it had (the caller releases them in {@link TrackingNumber}), or an error when
   *     not found
   */
  public record Delete(@JsonProperty("reply_to") ActorRef<StatusReply<Removed>> replyTo) implements Command {}

  /**
   * Reserves a dialin id for a tracking number (before {@link TrackingNumber.Assign}).
   *
   * @param dialinId {@code dialin_id}, not blank
   * @param e164 the tracking number in E.164
   * @param replyTo gets {@link Done}, or an error when not found or the dialin id is already taken
   */
  public record ReserveNumber(
      @JsonProperty("dialin_id") String dialinId,
      @JsonProperty("e164") String e164,
      @JsonProperty("reply_to") ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /**
   * Drops a dialin id. Idempotent: Done also when it is not reserved or the advertiser is absent/deleted.
   *
   * @param replyTo gets {@link Done}
   */
  public record UnreserveNumber(
      @JsonProperty("dialin_id") String dialinId, @JsonProperty("reply_to") ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /** Reads the advertiser. @param replyTo gets it, or an error when not found */
  public record Get(@JsonProperty("reply_to") ActorRef<StatusReply<Summary>> replyTo) implements Command {}

  /**
   * Stores a new version of the advertiser's judgment rules (issue 4), used by its numbers without rules of their
   * own from the next call on.
   *
   * @param rules rules checked by {@link io.hankyo.protocol.judgment.JudgmentRulesParser}; not null
   * @param replyTo gets the rules afterwards, or an error when not found or the rules are missing
   */
  public record StoreJudgment(
      @JsonProperty("rules") JudgmentRules rules,
      @JsonProperty("reply_to") ActorRef<StatusReply<AdvertiserJudgment>> replyTo)
      implements Command {}

  /**
   * Removes the advertiser's judgment rules (a new version; no event when it has none).
   *
   * @param replyTo gets the (absent) rules afterwards with their version, or an error when not found
   */
  public record ClearJudgment(@JsonProperty("reply_to") ActorRef<StatusReply<AdvertiserJudgment>> replyTo)
      implements Command {}

  /**
   * Reads the advertiser's current judgment rules (in-memory; asked by {@link NumberRoutes} for every call to a
   * number without rules of its own).
   *
   * @param replyTo gets them (rules null when none), or an error when not found
   */
  public record GetJudgment(@JsonProperty("reply_to") ActorRef<StatusReply<AdvertiserJudgment>> replyTo)
      implements Command {}

  // ----------------------------------------------------------------------------------------------------- replies

  /**
   * An active advertiser.
   *
   * @param operatorId owner
   * @param clientId {@code client_id}
   * @param clientName {@code client_name}
   * @param numbers dialin id → tracking number in E.164 (immutable)
   * @param createdAt creation time (of the current life after a re-create)
   * @param updatedAt last change (name or numbers)
   */
  public record Summary(
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("client_name") String clientName,
      @JsonProperty("numbers") Map<String, String> numbers,
      @JsonProperty("created_at") Instant createdAt,
      @JsonProperty("updated_at") Instant updatedAt)
      implements JsonSerializable {
    public Summary {
      numbers = numbers == null ? Map.of() : Map.copyOf(numbers);
    }

    /** The API view ({@code number_count} = size of {@link #numbers}). */
    public AdvertiserView toView() {
      return new AdvertiserView(clientId, clientName, numbers.size(), createdAt, updatedAt);
    }
  }

  /**
   * The advertiser's judgment rules (issue 4).
   *
   * @param clientId {@code client_id}
   * @param version 0 while the advertiser never had rules, then 1, 2, … per store or removal
   * @param rules the rules, or null when none
   * @param updatedAt when the current version was stored or removed; null for version 0
   */
  public record AdvertiserJudgment(
      @JsonProperty("client_id") String clientId,
      @JsonProperty("version") int version,
      @JsonProperty("rules") JudgmentRules rules,
      @JsonProperty("updated_at") Instant updatedAt)
      implements JsonSerializable {

    /** The API view ({@code dialin_id} null: the advertiser's own rules). */
    public JudgmentView toView() {
      return new JudgmentView(null, clientId, version, rules, updatedAt);
    }
  }

  /** Reply to {@link Delete}: dialin id → E.164 of the numbers the advertiser had (immutable). */
  public record Removed(@JsonProperty("numbers") Map<String, String> numbers) implements JsonSerializable {
    public Removed {
      numbers = numbers == null ? Map.of() : Map.copyOf(numbers);
    }
  }

  // ------------------------------------------------------------------------------------------------------ events

  /** Events of the advertiser entity. */
  public sealed interface Event extends JsonSerializable {}

  /** Created (or re-created after a delete, with no numbers). */
  public record AdvertiserCreated(
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("client_name") String clientName,
      @JsonProperty("at") Instant at)
      implements Event {}

  /** Renamed. */
  public record AdvertiserRenamed(@JsonProperty("client_name") String clientName, @JsonProperty("at") Instant at)
      implements Event {}

  /** Deleted; its numbers are released by the caller. */
  public record AdvertiserDeleted(@JsonProperty("at") Instant at) implements Event {}

  /** A dialin id was reserved for a number. */
  public record NumberReserved(
      @JsonProperty("dialin_id") String dialinId, @JsonProperty("e164") String e164, @JsonProperty("at") Instant at)
      implements Event {}

  /** A dialin id was dropped. */
  public record NumberUnreserved(@JsonProperty("dialin_id") String dialinId, @JsonProperty("at") Instant at)
      implements Event {}

  /** A version of the advertiser's judgment rules was stored (issue 4). */
  public record AdvertiserJudgmentStored(
      @JsonProperty("version") int version,
      @JsonProperty("rules") JudgmentRules rules,
      @JsonProperty("at") Instant at)
      implements Event {}

  /** The advertiser's judgment rules were removed; {@code version} is the removal's version. */
  public record AdvertiserJudgmentCleared(@JsonProperty("version") int version, @JsonProperty("at") Instant at)
      implements Event {}

  // ------------------------------------------------------------------------------------------------------- state

  /** State of the advertiser entity. */
  public sealed interface State extends JsonSerializable {}

  /** Never created. */
  public record Absent() implements State {}

  /**
   * Active; fields as in {@link Summary}, plus the judgment rules as in {@link AdvertiserJudgment} (states written
   * before they existed read as no rules, version 0).
   */
  public record Active(
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("client_name") String clientName,
      @JsonProperty("numbers") Map<String, String> numbers,
      @JsonProperty("created_at") Instant createdAt,
      @JsonProperty("updated_at") Instant updatedAt,
      @JsonProperty("judgment") JudgmentRules judgment,
      @JsonProperty("judgment_version") int judgmentVersion,
      @JsonProperty("judgment_updated_at") Instant judgmentUpdatedAt)
      implements State {
    @JsonCreator
    public Active {
      Objects.requireNonNull(operatorId, "operatorId");
      Objects.requireNonNull(clientId, "clientId");
      numbers = numbers == null ? Map.of() : Map.copyOf(numbers);
    }

    /** Without judgment rules. */
    public Active(String operatorId, String clientId, String clientName, Map<String, String> numbers,
        Instant createdAt, Instant updatedAt) {
      this(operatorId, clientId, clientName, numbers, createdAt, updatedAt, null, 0, null);
    }

    AdvertiserJudgment judgmentView() {
      return new AdvertiserJudgment(clientId, judgmentVersion, judgment, judgmentUpdatedAt);
    }

    Active withJudgment(JudgmentRules rules, int version, Instant at) {
      return new Active(operatorId, clientId, clientName, numbers, createdAt, updatedAt, rules, version, at);
    }

    Summary summary() {
      return new Summary(operatorId, clientId, clientName, numbers, createdAt, updatedAt);
    }

    Active renamed(String name, Instant at) {
      return new Active(operatorId, clientId, name, numbers, createdAt, at, judgment, judgmentVersion,
          judgmentUpdatedAt);
    }

    Active withNumber(String dialinId, String e164, Instant at) {
      Map<String, String> m = new HashMap<>(numbers);
      m.put(dialinId, e164);
      return new Active(operatorId, clientId, clientName, m, createdAt, at, judgment, judgmentVersion,
          judgmentUpdatedAt);
    }

    Active withoutNumber(String dialinId, Instant at) {
      Map<String, String> m = new HashMap<>(numbers);
      m.remove(dialinId);
      return new Active(operatorId, clientId, clientName, m, createdAt, at, judgment, judgmentVersion,
          judgmentUpdatedAt);
    }
  }

  /**
   * Deleted at {@code deletedAt}; can be created again.
   *
   * @param judgmentVersion the last judgment-rules version, so a re-created advertiser never reuses one (0 in states
   *     written before it existed)
   */
  public record Deleted(
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("deleted_at") Instant deletedAt,
      @JsonProperty("judgment_version") int judgmentVersion)
      implements State {
    @JsonCreator
    public Deleted {}

    /** Deleted without judgment-rules versions. */
    public Deleted(String operatorId, String clientId, Instant deletedAt) {
      this(operatorId, clientId, deletedAt, 0);
    }
  }

  // ---------------------------------------------------------------------------------------------------- behavior

  private final String entityId;
  private final String clientId;

  private Advertiser(String entityId) {
    super(PersistenceId.of(ENTITY_KEY.name(), entityId));
    this.entityId = entityId;
    this.clientId = entityId.substring(entityId.indexOf('/') + 1);
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
   * The behavior of one advertiser.
   *
   * @param entityId {@link #entityId(String, String)}
   * @throws IllegalArgumentException when the id has no '/' separating operator and client id
   */
  public static Behavior<Command> create(String entityId) {
    if (entityId == null || entityId.indexOf('/') <= 0 || entityId.endsWith("/")) {
      throw new IllegalArgumentException(
          "advertiser entity id must be <operatorId>/<clientId>, got '" + entityId + "'");
    }
    return new Advertiser(entityId);
  }

  @Override
  public State emptyState() {
    return new Absent();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> b = newCommandHandlerWithReplyBuilder();
    b.forStateType(Active.class)
        .onCommand(Create.class, c -> Effect().reply(c.replyTo(),
            StatusReply.error("client_id '" + clientId + "' is already taken")))
        .onCommand(Rename.class, this::rename)
        .onCommand(Delete.class, this::delete)
        .onCommand(ReserveNumber.class, this::reserve)
        .onCommand(UnreserveNumber.class, this::unreserve)
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(s.summary())))
        .onCommand(StoreJudgment.class, this::storeJudgment)
        .onCommand(ClearJudgment.class, this::clearJudgment)
        .onCommand(GetJudgment.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(s.judgmentView())));
    // Absent and Deleted behave alike.
    b.forState(s -> !(s instanceof Active))
        .onCommand(Create.class, this::create)
        .onCommand(Rename.class, c -> Effect().reply(c.replyTo(), notFound()))
        .onCommand(Delete.class, c -> Effect().reply(c.replyTo(), notFound()))
        .onCommand(ReserveNumber.class, c -> Effect().reply(c.replyTo(), notFound()))
        .onCommand(UnreserveNumber.class, c -> Effect().reply(c.replyTo(), StatusReply.ack()))
        .onCommand(Get.class, c -> Effect().reply(c.replyTo(), notFound()))
        .onCommand(StoreJudgment.class, c -> Effect().reply(c.replyTo(), notFound()))
        .onCommand(ClearJudgment.class, c -> Effect().reply(c.replyTo(), notFound()))
        .onCommand(GetJudgment.class, c -> Effect().reply(c.replyTo(), notFound()));
    return b.build();
  }

  private <T> StatusReply<T> notFound() {
    return StatusReply.error("advertiser '" + clientId + "' not found");
  }

  private ReplyEffect<Event, State> create(Create c) {
    String expected;
    try {
      expected = entityId(c.operatorId(), c.clientId());
    } catch (IllegalArgumentException e) {
      return Effect().reply(c.replyTo(), StatusReply.error(e.getMessage()));
    }
    if (!expected.equals(entityId)) {
      return Effect().reply(c.replyTo(), StatusReply.error(
          "Create for '" + expected + "' was sent to advertiser entity '" + entityId + "'"));
    }
    if (c.clientName() == null || c.clientName().isBlank()) {
      return Effect().reply(c.replyTo(), StatusReply.error("client_name must not be blank"));
    }
    return Effect().persist(new AdvertiserCreated(c.operatorId(), c.clientId(), c.clientName(), Instant.now()))
        .thenReply(c.replyTo(), s -> StatusReply.success(((Active) s).summary()));
  }

  private ReplyEffect<Event, State> rename(Active s, Rename c) {
    if (c.clientName() == null || c.clientName().isBlank()) {
      return Effect().reply(c.replyTo(), StatusReply.error("client_name must not be blank"));
    }
    if (c.clientName().equals(s.clientName())) {
      return Effect().reply(c.replyTo(), StatusReply.success(s.summary()));
    }
    return Effect().persist(new AdvertiserRenamed(c.clientName(), Instant.now()))
        .thenReply(c.replyTo(), ns -> StatusReply.success(((Active) ns).summary()));
  }

  private ReplyEffect<Event, State> delete(Active s, Delete c) {
    Removed removed = new Removed(s.numbers());
    return Effect().persist(new AdvertiserDeleted(Instant.now()))
        .thenReply(c.replyTo(), ns -> StatusReply.success(removed));
  }

  private ReplyEffect<Event, State> reserve(Active s, ReserveNumber c) {
    if (c.dialinId() == null || c.dialinId().isBlank()) {
      return Effect().reply(c.replyTo(), StatusReply.error("dialin_id must not be blank"));
    }
    if (c.e164() == null || !c.e164().startsWith("+")) {
      return Effect().reply(c.replyTo(), StatusReply.error("the number must be in E.164, got '" + c.e164() + "'"));
    }
    if (s.numbers().containsKey(c.dialinId())) {
      return Effect().reply(c.replyTo(), StatusReply.error(
          "dialin_id '" + c.dialinId() + "' is already taken in advertiser '" + clientId + "'"));
    }
    return Effect().persist(new NumberReserved(c.dialinId(), c.e164(), Instant.now()))
        .thenReply(c.replyTo(), ns -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> unreserve(Active s, UnreserveNumber c) {
    if (!s.numbers().containsKey(c.dialinId())) {
      return Effect().reply(c.replyTo(), StatusReply.ack());
    }
    return Effect().persist(new NumberUnreserved(c.dialinId(), Instant.now()))
        .thenReply(c.replyTo(), ns -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> storeJudgment(Active s, StoreJudgment c) {
    if (c.rules() == null) {
      return Effect().reply(c.replyTo(), StatusReply.error(
          "the judgment rules are missing; use ClearJudgment to remove them"));
    }
    return Effect().persist(new AdvertiserJudgmentStored(s.judgmentVersion() + 1, c.rules(), Instant.now()))
        .thenReply(c.replyTo(), ns -> StatusReply.success(((Active) ns).judgmentView()));
  }

  private ReplyEffect<Event, State> clearJudgment(Active s, ClearJudgment c) {
    if (s.judgment() == null) {
      return Effect().reply(c.replyTo(), StatusReply.success(s.judgmentView()));
    }
    return Effect().persist(new AdvertiserJudgmentCleared(s.judgmentVersion() + 1, Instant.now()))
        .thenReply(c.replyTo(), ns -> StatusReply.success(((Active) ns).judgmentView()));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    var b = newEventHandlerBuilder();
    b.forState(s -> !(s instanceof Active))
        .onEvent(AdvertiserCreated.class, (s, e) ->
            new Active(e.operatorId(), e.clientId(), e.clientName(), Map.of(), e.at(), e.at(), null,
                s instanceof Deleted d ? d.judgmentVersion() : 0, null));
    b.forStateType(Active.class)
        .onEvent(AdvertiserRenamed.class, (s, e) -> s.renamed(e.clientName(), e.at()))
        .onEvent(NumberReserved.class, (s, e) -> s.withNumber(e.dialinId(), e.e164(), e.at()))
        .onEvent(NumberUnreserved.class, (s, e) -> s.withoutNumber(e.dialinId(), e.at()))
        .onEvent(AdvertiserJudgmentStored.class, (s, e) -> s.withJudgment(e.rules(), e.version(), e.at()))
        .onEvent(AdvertiserJudgmentCleared.class, (s, e) -> s.withJudgment(null, e.version(), e.at()))
        .onEvent(AdvertiserDeleted.class, (s, e) ->
            new Deleted(s.operatorId(), s.clientId(), e.at(), s.judgmentVersion()));
    return b.build();
  }
}
