package io.hankyo.node.pool;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
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

/**
 * Which pool a visitor session id belongs to, per operator (issue 5 pools: "a session id reused across pools" is
 * refused). Entity id = {@link #entityId}({@code operatorId}, {@code sessionId}). The first pool that asks claims the
 * session (one journal write per new session, not per assignment); that pool asking again is acknowledged, another
 * pool is refused with {@link StatusReply#error}. Claims do not expire.
 */
public final class PoolSession extends EventSourcedBehaviorWithEnforcedReplies<PoolSession.Command,
    PoolSession.Event, PoolSession.State> {

  /** Sharding key of the entity type. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "PoolSession");

  /** The entity id of a session of an operator: {@code operatorId/sessionId} (the API keeps {@code /} out of session ids). */
  public static String entityId(String operatorId, String sessionId) {
    return operatorId + "/" + sessionId;
  }

  /** Commands. */
  public sealed interface Command extends JsonSerializable {}

  /** Claims the session for {@code poolId}. */
  public record Claim(@JsonProperty("pool_id") String poolId,
      @JsonProperty("reply_to") ActorRef<StatusReply<Done>> replyTo) implements Command {
    @JsonCreator
    public Claim {}
  }

  /** Events. */
  public sealed interface Event extends JsonSerializable {}

  /** The session was claimed by {@code poolId}. */
  public record Claimed(@JsonProperty("pool_id") String poolId) implements Event {
    @JsonCreator
    public Claimed {}
  }

  /** State: the claiming pool, or null. */
  public record State(@JsonProperty("pool_id") @JsonInclude(JsonInclude.Include.NON_NULL) String poolId)
      implements JsonSerializable {
    @JsonCreator
    public State {}
  }

  /** Registers the entity type with sharding. */
  public static void init(ClusterSharding sharding) {
    sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId())));
  }

  /** The entity {@code entityId}. */
  public static Behavior<Command> create(String entityId) {
    return new PoolSession(entityId);
  }

  private PoolSession(String entityId) {
    super(PersistenceId.of(ENTITY_KEY.name(), entityId));
  }

  @Override
  public State emptyState() {
    return new State(null);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Claim.class, (s, c) -> {
          if (s.poolId() == null) {
            return Effect().persist(new Claimed(c.poolId())).thenReply(c.replyTo(), x -> StatusReply.ack());
          }
          return Effect().reply(c.replyTo(), s.poolId().equals(c.poolId()) ? StatusReply.ack()
              : StatusReply.error("the session id is used in another pool (" + s.poolId() + "); use one session id "
                  + "per pool"));
        })
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Claimed.class, (s, e) -> new State(e.poolId()))
        .build();
  }
}
