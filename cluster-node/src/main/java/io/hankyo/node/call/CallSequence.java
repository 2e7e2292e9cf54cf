package io.hankyo.node.call;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * Hands out {@code seq_num} (ログ番号, spec section 6) for one operator: increasing in order of arrival, never
 * repeating (design-notes.md section 4).
 *
 * <p>Entity id = operator id. All calls of an operator ask this one entity, so the numbers follow the order in which
 * their requests reached it. The entity persists one {@link BlockReserved} event per {@link #BLOCK_SIZE} numbers, not
 * one per call. A graceful stop (passivation, rebalancing, node shutdown: the {@link Stop} message) records the last
 * number handed out, so the next incarnation continues right after it; only a crash leaves the unused rest of a block
 * as a gap (never a repeat).
 */
public final class CallSequence
    extends EventSourcedBehaviorWithEnforcedReplies<CallSequence.Command, CallSequence.Event, CallSequence.State> {

  /** Sharding key of the entity type. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "CallSequence");

  /** How many numbers one persisted reservation covers. */
  public static final long BLOCK_SIZE = 1000;

  /** Commands. */
  public sealed interface Command extends JsonSerializable {}

  /** Asks for the next number; the reply is a positive long. */
  public record Next(@JsonProperty("replyTo") ActorRef<Long> replyTo) implements Command {
    @JsonCreator
    public Next {}
  }

  /**
   * Stop message of the entity (passivation, rebalancing, node shutdown): records how far the numbers went, so that
   * the next incarnation continues exactly there instead of skipping the rest of the block.
   */
  public record Stop() implements Command {
    @JsonCreator
    public Stop {}
  }

  /** Events. */
  public sealed interface Event extends JsonSerializable {}

  /** A graceful stop: numbers up to and including {@code upTo} were handed out; the rest of the block is free. */
  public record BlockReleased(@JsonProperty("upTo") long upTo) implements Event {
    @JsonCreator
    public BlockReleased {}
  }

  /** Numbers up to and including {@code upTo} may be handed out. */
  public record BlockReserved(@JsonProperty("upTo") long upTo) implements Event {
    @JsonCreator
    public BlockReserved {}
  }

  /** State: {@code reservedUpTo} is the last persisted reservation (0 = none yet). */
  public record State(@JsonProperty("reservedUpTo") long reservedUpTo) implements JsonSerializable {
    @JsonCreator
    public State {}
  }

  /**
   * The number the next request gets. Kept in memory only (handing out a reserved number writes nothing); after a
   * restart it starts above the last reservation.
   */
  private long next = -1;

  /** Registers the entity type with sharding. */
  public static void init(ClusterSharding sharding) {
    sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId())).withStopMessage(new Stop()));
  }

  /**
   * The behavior of the sequence of {@code operatorId}. Each incarnation gets a fresh instance (the in-memory
   * counter must restart above the last reservation after every recovery).
   */
  public static Behavior<Command> create(String operatorId) {
    return Behaviors.setup(ctx -> new CallSequence(operatorId));
  }

  private CallSequence(String operatorId) {
    super(PersistenceId.of(ENTITY_KEY.name(), operatorId));
  }

  @Override
  public State emptyState() {
    return new State(0);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Next.class, this::onNext)
        .onCommand(Stop.class, this::onStop)
        .build();
  }

  private ReplyEffect<Event, State> onNext(State state, Next cmd) {
    if (next < 0) {
      next = state.reservedUpTo() + 1;
    }
    if (next <= state.reservedUpTo()) {
      long n = next++;
      // Handing out from the reserved block changes only memory: no event, by design.
      return Effect().none().thenReply(cmd.replyTo(), s -> n);
    }
    return Effect()
        .persist(new BlockReserved(Math.max(state.reservedUpTo(), next - 1) + BLOCK_SIZE))
        .thenReply(cmd.replyTo(), s -> next++);
  }

  private ReplyEffect<Event, State> onStop(State state, Stop cmd) {
    if (next < 0 || next - 1 >= state.reservedUpTo()) {
      return Effect().stop().thenNoReply();
    }
    return Effect().persist(new BlockReleased(next - 1)).thenStop().thenNoReply();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(BlockReserved.class, (state, e) -> new State(e.upTo()))
        .onEvent(BlockReleased.class, (state, e) -> new State(e.upTo()))
        .build();
  }
}
