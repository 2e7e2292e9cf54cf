package io.hankyo.node.pool;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import java.util.List;
import java.util.TreeSet;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;

/**
 * The pool ids of one operator (issue 5 pools), for {@code GET /v1/pools}. Entity id = the operator id. Adding an id
 * twice is a no-op. A deleted pool's id moves to {@link State#deletedPoolIds()} (its display counts stay readable for
 * {@code GET /v1/usage/displays}); removing an id that is not listed is a no-op.
 */
public final class PoolIndex extends EventSourcedBehaviorWithEnforcedReplies<PoolIndex.Command, PoolIndex.Event,
    PoolIndex.State> {

  /** Sharding key of the entity type. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "PoolIndex");

  /** Commands. */
  public sealed interface Command extends JsonSerializable {}

  /** Lists {@code poolId}. */
  public record Add(@JsonProperty("pool_id") String poolId, @JsonProperty("reply_to") ActorRef<Done> replyTo)
      implements Command {
    @JsonCreator
    public Add {}
  }

  /** Moves {@code poolId} to the deleted pools. */
  public record Remove(@JsonProperty("pool_id") String poolId, @JsonProperty("reply_to") ActorRef<Done> replyTo)
      implements Command {
    @JsonCreator
    public Remove {}
  }

  /** Reads the ids. */
  public record Get(@JsonProperty("reply_to") ActorRef<State> replyTo) implements Command {
    @JsonCreator
    public Get {}
  }

  /** Events. */
  public sealed interface Event extends JsonSerializable {}

  /** {@code poolId} was listed. */
  public record Added(@JsonProperty("pool_id") String poolId) implements Event {
    @JsonCreator
    public Added {}
  }

  /** {@code poolId} was deleted. */
  public record Removed(@JsonProperty("pool_id") String poolId) implements Event {
    @JsonCreator
    public Removed {}
  }

  /**
   * State; also the reply to {@link Get}.
   *
   * @param poolIds the live pools' ids, sorted
   * @param deletedPoolIds the deleted pools' ids, sorted
   */
  public record State(@JsonProperty("pool_ids") List<String> poolIds,
      @JsonProperty("deleted_pool_ids") List<String> deletedPoolIds) implements JsonSerializable {
    @JsonCreator
    public State {
      poolIds = poolIds == null ? List.of() : List.copyOf(poolIds);
      deletedPoolIds = deletedPoolIds == null ? List.of() : List.copyOf(deletedPoolIds);
    }

    /** Live pools only. */
    public State(List<String> poolIds) {
      this(poolIds, List.of());
    }
  }

  /** Registers the entity type with sharding. */
  public static void init(ClusterSharding sharding) {
    sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId())));
  }

  /** The index of {@code operatorId}. */
  public static Behavior<Command> create(String operatorId) {
    return new PoolIndex(operatorId);
  }

  private PoolIndex(String operatorId) {
    super(PersistenceId.of(ENTITY_KEY.name(), operatorId));
  }

  @Override
  public State emptyState() {
    return new State(List.of());
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Add.class, (s, c) -> s.poolIds().contains(c.poolId())
            ? Effect().reply(c.replyTo(), Done.getInstance())
            : Effect().persist(new Added(c.poolId())).thenReply(c.replyTo(), x -> Done.getInstance()))
        .onCommand(Remove.class, (s, c) -> !s.poolIds().contains(c.poolId())
            ? Effect().reply(c.replyTo(), Done.getInstance())
            : Effect().persist(new Removed(c.poolId())).thenReply(c.replyTo(), x -> Done.getInstance()))
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), s))
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Added.class, (s, e) -> {
          TreeSet<String> ids = new TreeSet<>(s.poolIds());
          ids.add(e.poolId());
          return new State(List.copyOf(ids), s.deletedPoolIds());
        })
        .onEvent(Removed.class, (s, e) -> {
          TreeSet<String> deleted = new TreeSet<>(s.deletedPoolIds());
          deleted.add(e.poolId());
          return new State(s.poolIds().stream().filter(id -> !id.equals(e.poolId())).toList(),
              List.copyOf(deleted));
        })
        .build();
  }
}
