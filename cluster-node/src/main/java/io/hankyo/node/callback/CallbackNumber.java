package io.hankyo.node.callback;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
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
 * One callback number (折返し通話トラッキング, issue 4): which operator's pool it belongs to and its current lease, so that
 * a call to it can be routed with one in-memory read keyed by the dialled number (the pool is keyed by operator, which
 * the dialled number alone does not give).
 *
 * <p>Entity id = the number in E.164. {@link Claim} binds the number to one operator's pool (409 for the API when
 * another operator holds it). {@link Assign} is written by {@link ShardedCallbackNumbers} after the operator's
 * {@link CallbackPool} granted a lease and before the lease is answered, so a number shown in a notification routes;
 * the pool stays the authority (an assign always replaces). The lease's {@code until} is checked by the reader
 * ({@code NumberRoutes}) at call time: an expired lease routes nowhere.
 */
public final class CallbackNumber extends EventSourcedBehaviorWithEnforcedReplies<CallbackNumber.Command,
    CallbackNumber.Event, CallbackNumber.State> {

  /** Sharding key of the entity type. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "CallbackNumber");

  /** Commands. */
  public sealed interface Command extends JsonSerializable {}

  /** Binds the number to {@code operatorId}'s pool; rejected when another operator's pool has it. */
  public record Claim(@JsonProperty("operator_id") String operatorId,
      @JsonProperty("reply_to") ActorRef<StatusReply<Done>> replyTo) implements Command {
    @JsonCreator
    public Claim {}
  }

  /** Unbinds the number from {@code operatorId}'s pool (no-op for another operator); the lease runs out. */
  public record Unclaim(@JsonProperty("operator_id") String operatorId,
      @JsonProperty("reply_to") ActorRef<Done> replyTo) implements Command {
    @JsonCreator
    public Unclaim {}
  }

  /** Records the number's current lease (granted by the pool). */
  public record Assign(@JsonProperty("lease") CallbackLease lease, @JsonProperty("reply_to") ActorRef<Done> replyTo)
      implements Command {
    @JsonCreator
    public Assign {}
  }

  /** Ends the lease of {@code trnId} on this number now (no-op when another call holds it). */
  public record Clear(@JsonProperty("trn_id") String trnId, @JsonProperty("reply_to") ActorRef<Done> replyTo)
      implements Command {
    @JsonCreator
    public Clear {}
  }

  /** Reads the current lease (expired or not: the reader checks {@code until}). */
  public record GetLease(@JsonProperty("reply_to") ActorRef<Current> replyTo) implements Command {
    @JsonCreator
    public GetLease {}
  }

  /**
   * Reads which operator's pool holds the number, if any (a tracking number may not be created on a pool number,
   * issue 4 finding "callback pool vs tracking numbers").
   */
  public record GetOwner(@JsonProperty("reply_to") ActorRef<Owner> replyTo) implements Command {
    @JsonCreator
    public GetOwner {}
  }

  /** Reply to {@link GetOwner}: the operator whose callback pool has the number, or empty. */
  public record Owner(@JsonProperty("operator_id") Optional<String> operatorId) implements JsonSerializable {
    @JsonCreator
    public Owner {
      operatorId = operatorId == null ? Optional.empty() : operatorId;
    }
  }

  /** Reply to {@link GetLease}. */
  public record Current(@JsonProperty("lease") Optional<CallbackLease> lease) implements JsonSerializable {
    @JsonCreator
    public Current {
      lease = lease == null ? Optional.empty() : lease;
    }
  }

  /** Events. */
  public sealed interface Event extends JsonSerializable {}

  /** The number joined an operator's pool. */
  public record Claimed(@JsonProperty("operator_id") String operatorId) implements Event {
    @JsonCreator
    public Claimed {}
  }

  /** The number left its operator's pool. */
  public record Unclaimed(@JsonProperty("operator_id") String operatorId) implements Event {
    @JsonCreator
    public Unclaimed {}
  }

  /** A lease was recorded. */
  public record Assigned(@JsonProperty("lease") CallbackLease lease) implements Event {
    @JsonCreator
    public Assigned {}
  }

  /** The lease of {@code trnId} ended early. */
  public record Cleared(@JsonProperty("trn_id") String trnId) implements Event {
    @JsonCreator
    public Cleared {}
  }

  /**
   * State.
   *
   * @param owner the operator whose pool has the number, or null
   * @param lease the last lease, or null
   */
  public record State(
      @JsonProperty("owner") @JsonInclude(JsonInclude.Include.NON_NULL) String owner,
      @JsonProperty("lease") @JsonInclude(JsonInclude.Include.NON_NULL) CallbackLease lease)
      implements JsonSerializable {
    @JsonCreator
    public State {}
  }

  /** Registers the entity type with sharding. */
  public static void init(ClusterSharding sharding) {
    sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId())));
  }

  /** The entity of the number {@code e164}. */
  public static Behavior<Command> create(String e164) {
    return new CallbackNumber(e164);
  }

  private CallbackNumber(String e164) {
    super(PersistenceId.of(ENTITY_KEY.name(), e164));
  }

  @Override
  public State emptyState() {
    return new State(null, null);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Claim.class, this::onClaim)
        .onCommand(Unclaim.class, (s, c) -> c.operatorId().equals(s.owner())
            ? Effect().persist(new Unclaimed(c.operatorId())).thenReply(c.replyTo(), x -> Done.getInstance())
            : Effect().reply(c.replyTo(), Done.getInstance()))
        .onCommand(Assign.class, (s, c) -> c.lease().equals(s.lease())
            ? Effect().reply(c.replyTo(), Done.getInstance())
            : Effect().persist(new Assigned(c.lease())).thenReply(c.replyTo(), x -> Done.getInstance()))
        .onCommand(Clear.class, (s, c) -> s.lease() != null && s.lease().origTrnId().equals(c.trnId())
            ? Effect().persist(new Cleared(c.trnId())).thenReply(c.replyTo(), x -> Done.getInstance())
            : Effect().reply(c.replyTo(), Done.getInstance()))
        .onCommand(GetLease.class, (s, c) -> Effect().reply(c.replyTo(), new Current(Optional.ofNullable(s.lease()))))
        .onCommand(GetOwner.class, (s, c) -> Effect().reply(c.replyTo(), new Owner(Optional.ofNullable(s.owner()))))
        .build();
  }

  private ReplyEffect<Event, State> onClaim(State state, Claim cmd) {
    if (cmd.operatorId().equals(state.owner())) {
      return Effect().reply(cmd.replyTo(), StatusReply.ack());
    }
    if (state.owner() != null) {
      return Effect().reply(cmd.replyTo(), StatusReply.error("in another operator's callback pool"));
    }
    return Effect().persist(new Claimed(cmd.operatorId())).thenReply(cmd.replyTo(), s -> StatusReply.ack());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Claimed.class, (s, e) -> new State(e.operatorId(), s.lease()))
        .onEvent(Unclaimed.class, (s, e) -> new State(null, s.lease()))
        .onEvent(Assigned.class, (s, e) -> new State(s.owner(), e.lease()))
        .onEvent(Cleared.class, (s, e) -> new State(s.owner(), null))
        .build();
  }
}
