package io.hankyo.node.inventory;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import java.time.Instant;
import java.util.Optional;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
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
 * One number of an operator's inventory (issue 5, spec sections 2–3): which operator owns it and what it is used
 * for. Entity id = the number in E.164 ({@code +81120123456}), so one number has one owner cluster-wide.
 *
 * <p>States ({@link Status}): {@code available} (owned, unused), {@code assigned} (static number of one advertiser's
 * tracking number: {@code client_id} + {@code dialin_id}), {@code pooled} (in pool {@code pool_id}), {@code held}
 * (set aside by the operator until a time), {@code cooling_down} (until a time after its last use; then available
 * again without an event) and {@code released} (given back: no owner, any operator may import it again).
 *
 * <p>Rules (decided by {@link InventoryRules}, refusals are {@link StatusReply#error} texts meant for API users): a
 * number belongs to one operator; only that operator may assign, pool, hold or release it; it is assigned to at most
 * one advertiser's tracking number at a time, and only from {@code available} (or {@code cooling_down} after its
 * {@code until}). Repeating a command that already took effect is acknowledged without a new event (idempotent, so
 * the API can retry).
 */
public final class InventoryNumber extends EventSourcedBehaviorWithEnforcedReplies<InventoryNumber.Command,
    InventoryNumber.Event, InventoryNumber.State> {

  /** Sharding key of the entity type. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "InventoryNumber");

  /** Where a number is in its life (the API writes the lower-case name, e.g. {@code cooling_down}). */
  public enum Status {
    AVAILABLE, ASSIGNED, POOLED, HELD, COOLING_DOWN, RELEASED;

    /** The API name, e.g. {@code "cooling_down"}. */
    public String apiName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** What an {@link Import} did. */
  public enum ImportOutcome {
    /** The number joined the operator's inventory. */
    IMPORTED,
    /** The operator owned it already; nothing changed. */
    ALREADY_OWNED
  }

  /**
   * Reply to {@link Import}.
   *
   * @param outcome what the import did
   * @param state the number's state afterwards
   */
  public record ImportResult(@JsonProperty("outcome") ImportOutcome outcome, @JsonProperty("state") State state)
      implements JsonSerializable {
    @JsonCreator
    public ImportResult {}
  }

  /** Commands. */
  public sealed interface Command extends JsonSerializable {}

  /** Adds the number to {@code operatorId}'s inventory (available); refused when another operator owns it. */
  public record Import(@JsonProperty("operator_id") String operatorId,
      @JsonProperty("reply_to") ActorRef<StatusReply<ImportResult>> replyTo) implements Command {
    @JsonCreator
    public Import {}
  }

  /** Makes the number the static number of {@code clientId}'s tracking number {@code dialinId}. */
  public record Assign(@JsonProperty("operator_id") String operatorId, @JsonProperty("client_id") String clientId,
      @JsonProperty("dialin_id") String dialinId, @JsonProperty("now") Instant now,
      @JsonProperty("reply_to") ActorRef<StatusReply<Done>> replyTo) implements Command {
    @JsonCreator
    public Assign {}
  }

  /**
   * Ends the static assignment of {@code clientId}/{@code dialinId} (no-op when it is not the current one): the number
   * cools down until {@code coolDownUntil}, or is available at once when that is null.
   */
  public record Unassign(@JsonProperty("operator_id") String operatorId, @JsonProperty("client_id") String clientId,
      @JsonProperty("dialin_id") String dialinId,
      @JsonProperty("cool_down_until") @JsonInclude(JsonInclude.Include.NON_NULL) Instant coolDownUntil,
      @JsonProperty("reply_to") ActorRef<StatusReply<Done>> replyTo) implements Command {
    @JsonCreator
    public Unassign {}
  }

  /** Gives the number back (no owner any more); refused while it is assigned or pooled. */
  public record Release(@JsonProperty("operator_id") String operatorId, @JsonProperty("now") Instant now,
      @JsonProperty("reply_to") ActorRef<StatusReply<Done>> replyTo) implements Command {
    @JsonCreator
    public Release {}
  }

  /**
   * Puts the number into pool {@code poolId} (issue 5 pools): only the owner's {@code available} number; pooling it
   * again into the same pool is acknowledged.
   */
  public record Pool(@JsonProperty("operator_id") String operatorId, @JsonProperty("pool_id") String poolId,
      @JsonProperty("now") Instant now, @JsonProperty("reply_to") ActorRef<StatusReply<Done>> replyTo)
      implements Command {
    @JsonCreator
    public Pool {}
  }

  /**
   * Takes the number out of pool {@code poolId}: available again, or {@code cooling_down} until
   * {@code coolDownUntil} when that is not null (a number handed out recently, when its pool is deleted); a no-op when
   * it is not in that pool.
   */
  public record Unpool(@JsonProperty("operator_id") String operatorId, @JsonProperty("pool_id") String poolId,
      @JsonProperty("reply_to") ActorRef<StatusReply<Done>> replyTo,
      @JsonProperty("cool_down_until") @JsonInclude(JsonInclude.Include.NON_NULL) Instant coolDownUntil)
      implements Command {
    @JsonCreator
    public Unpool {}

    /** Available again at once. */
    public Unpool(String operatorId, String poolId, ActorRef<StatusReply<Done>> replyTo) {
      this(operatorId, poolId, replyTo, null);
    }
  }

  /** Reads the number's state. */
  public record Get(@JsonProperty("reply_to") ActorRef<State> replyTo) implements Command {
    @JsonCreator
    public Get {}
  }

  /** Events. */
  public sealed interface Event extends JsonSerializable {}

  /** The number joined {@code operatorId}'s inventory, available. */
  public record Imported(@JsonProperty("operator_id") String operatorId) implements Event {
    @JsonCreator
    public Imported {}
  }

  /** The number became the static number of {@code clientId}/{@code dialinId}. */
  public record Assigned(@JsonProperty("client_id") String clientId, @JsonProperty("dialin_id") String dialinId)
      implements Event {
    @JsonCreator
    public Assigned {}
  }

  /** The static assignment ended; cooling down until {@code until}, or available when null. */
  public record Unassigned(@JsonProperty("until") @JsonInclude(JsonInclude.Include.NON_NULL) Instant until)
      implements Event {
    @JsonCreator
    public Unassigned {}
  }

  /** The number joined pool {@code poolId}. */
  public record Pooled(@JsonProperty("pool_id") String poolId) implements Event {
    @JsonCreator
    public Pooled {}
  }

  /** The number left its pool: available, or cooling down until {@code until} when that is not null. */
  public record Unpooled(@JsonProperty("until") @JsonInclude(JsonInclude.Include.NON_NULL) Instant until)
      implements Event {
    @JsonCreator
    public Unpooled {}

    /** Available at once. */
    public Unpooled() {
      this(null);
    }
  }

  /** The number left its operator's inventory. */
  public record Released() implements Event {
    @JsonCreator
    public Released {}
  }

  /**
   * State; also the reply to {@link Get}.
   *
   * @param owner the owning operator's id, or null (never imported, or released)
   * @param status the stored status ({@link #effective} applies the cool-down's end)
   * @param clientId the advertiser of an {@code assigned} number, else null
   * @param dialinId the tracking number record of an {@code assigned} number, else null
   * @param poolId the pool of a {@code pooled} number, else null (see {@link io.hankyo.node.pool.NumberPool})
   * @param until end of {@code held} or {@code cooling_down}, else null
   * @param lastPoolId the pool a {@code cooling_down} number left when its pool was deleted (issue 5, deleting a pool:
   *     while it cools down, calls to it go to that pool's tracking number, unattributed), else null. Left out of
   *     the JSON when null (states and snapshots written before the field read as null)
   */
  public record State(
      @JsonProperty("owner") @JsonInclude(JsonInclude.Include.NON_NULL) String owner,
      @JsonProperty("status") Status status,
      @JsonProperty("client_id") @JsonInclude(JsonInclude.Include.NON_NULL) String clientId,
      @JsonProperty("dialin_id") @JsonInclude(JsonInclude.Include.NON_NULL) String dialinId,
      @JsonProperty("pool_id") @JsonInclude(JsonInclude.Include.NON_NULL) String poolId,
      @JsonProperty("until") @JsonInclude(JsonInclude.Include.NON_NULL) Instant until,
      @JsonProperty("last_pool_id") @JsonInclude(JsonInclude.Include.NON_NULL) String lastPoolId)
      implements JsonSerializable {
    @JsonCreator
    public State {}

    /** A state without a last pool. */
    public State(String owner, Status status, String clientId, String dialinId, String poolId, Instant until) {
      this(owner, status, clientId, dialinId, poolId, until, null);
    }

    /**
     * The pool this number left when that pool was deleted, while it still cools down at {@code now}; else empty
     * (never pooled, pooled again, assigned, or available again).
     */
    public Optional<String> coolingDownFromPool(Instant now) {
      return lastPoolId != null && effective(now) == Status.COOLING_DOWN ? Optional.of(lastPoolId) : Optional.empty();
    }

    /** A number no operator owns. */
    public static State unowned() {
      return new State(null, Status.RELEASED, null, null, null, null);
    }

    /** Whether some operator owns the number. */
    public boolean owned() {
      return owner != null;
    }

    /** The status at {@code now}: {@code cooling_down} past its {@code until} is {@code available}. */
    public Status effective(Instant now) {
      if ((status == Status.COOLING_DOWN || status == Status.HELD) && until != null && !now.isBefore(until)) {
        return Status.AVAILABLE;
      }
      return status;
    }

    /** The assignment as {@code client_id/dialin_id}, or empty. */
    public Optional<String> assignment() {
      return status == Status.ASSIGNED ? Optional.of(clientId + "/" + dialinId) : Optional.empty();
    }
  }

  /** Registers the entity type with sharding. */
  public static void init(ClusterSharding sharding) {
    sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId())));
  }

  /** The entity of the number {@code e164}. */
  public static Behavior<Command> create(String e164) {
    return new InventoryNumber(e164);
  }

  private InventoryNumber(String e164) {
    super(PersistenceId.of(ENTITY_KEY.name(), e164));
  }

  @Override
  public State emptyState() {
    return State.unowned();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Import.class, this::onImport)
        .onCommand(Assign.class, this::onAssign)
        .onCommand(Unassign.class, this::onUnassign)
        .onCommand(Release.class, this::onRelease)
        .onCommand(Pool.class, this::onPool)
        .onCommand(Unpool.class, this::onUnpool)
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), s))
        .build();
  }

  private ReplyEffect<Event, State> onImport(State s, Import c) {
    Optional<String> refused = InventoryRules.refuseImport(s, c.operatorId());
    if (refused.isPresent()) {
      return Effect().reply(c.replyTo(), StatusReply.error(refused.get()));
    }
    if (c.operatorId().equals(s.owner())) {
      return Effect().reply(c.replyTo(), StatusReply.success(new ImportResult(ImportOutcome.ALREADY_OWNED, s)));
    }
    return Effect().persist(new Imported(c.operatorId()))
        .thenReply(c.replyTo(), x -> StatusReply.success(new ImportResult(ImportOutcome.IMPORTED, x)));
  }

  private ReplyEffect<Event, State> onAssign(State s, Assign c) {
    Optional<String> refused = InventoryRules.refuseAssign(s, c.operatorId(), c.clientId(), c.dialinId(), c.now());
    if (refused.isPresent()) {
      return Effect().reply(c.replyTo(), StatusReply.error(refused.get()));
    }
    if (s.status() == Status.ASSIGNED) {
      return Effect().reply(c.replyTo(), StatusReply.ack());
    }
    return Effect().persist(new Assigned(c.clientId(), c.dialinId())).thenReply(c.replyTo(), x -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> onUnassign(State s, Unassign c) {
    if (!c.operatorId().equals(s.owner()) || s.status() != Status.ASSIGNED
        || !c.clientId().equals(s.clientId()) || !c.dialinId().equals(s.dialinId())) {
      return Effect().reply(c.replyTo(), StatusReply.ack());
    }
    return Effect().persist(new Unassigned(c.coolDownUntil())).thenReply(c.replyTo(), x -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> onPool(State s, Pool c) {
    Optional<String> refused = InventoryRules.refusePool(s, c.operatorId(), c.poolId(), c.now());
    if (refused.isPresent()) {
      return Effect().reply(c.replyTo(), StatusReply.error(refused.get()));
    }
    if (s.status() == Status.POOLED) {
      return Effect().reply(c.replyTo(), StatusReply.ack());
    }
    return Effect().persist(new Pooled(c.poolId())).thenReply(c.replyTo(), x -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> onUnpool(State s, Unpool c) {
    if (!c.operatorId().equals(s.owner()) || s.status() != Status.POOLED || !c.poolId().equals(s.poolId())) {
      return Effect().reply(c.replyTo(), StatusReply.ack());
    }
    return Effect().persist(new Unpooled(c.coolDownUntil())).thenReply(c.replyTo(), x -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> onRelease(State s, Release c) {
    Optional<String> refused = InventoryRules.refuseRelease(s, c.operatorId(), c.now());
    if (refused.isPresent()) {
      return Effect().reply(c.replyTo(), StatusReply.error(refused.get()));
    }
    if (!s.owned()) {
      return Effect().reply(c.replyTo(), StatusReply.ack());
    }
    return Effect().persist(new Released()).thenReply(c.replyTo(), x -> StatusReply.ack());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Imported.class, (s, e) -> new State(e.operatorId(), Status.AVAILABLE, null, null, null, null))
        .onEvent(Assigned.class, (s, e) ->
            new State(s.owner(), Status.ASSIGNED, e.clientId(), e.dialinId(), null, null))
        .onEvent(Unassigned.class, (s, e) -> e.until() == null
            ? new State(s.owner(), Status.AVAILABLE, null, null, null, null)
            : new State(s.owner(), Status.COOLING_DOWN, null, null, null, e.until()))
        .onEvent(Pooled.class, (s, e) -> new State(s.owner(), Status.POOLED, null, null, e.poolId(), null))
        .onEvent(Unpooled.class, (s, e) -> e.until() == null
            ? new State(s.owner(), Status.AVAILABLE, null, null, null, null)
            : new State(s.owner(), Status.COOLING_DOWN, null, null, null, e.until(), s.poolId()))
        .onEvent(Released.class, (s, e) -> State.unowned())
        .build();
  }
}
