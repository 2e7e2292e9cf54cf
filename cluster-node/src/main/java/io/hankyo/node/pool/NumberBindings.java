package io.hankyo.node.pool;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The intermediate bindings (中間発番, spec section 3; issue 5) of one static tracking number: a web visit's
 * parameters bound to the number for a window ({@code bound_at} .. {@code held_until}), so that a call arriving in the
 * window is attributed to them ({@link Attribution#forBindings}). Entity id = the number in E.164. Keeps the last
 * {@value #KEEP} bindings (older ones are dropped from the state; their events stay in the journal); snapshot every
 * {@value #SNAPSHOT_EVERY} events, so recovery reads at most that many events.
 *
 * <p>Why an entity of its own rather than a command of {@code TrackingNumber}: bindings arrive per web visit (far more
 * often than a number's settings change), and the tracking number's journal is replayed whenever its entity starts;
 * kept apart, the tracking number stays small and is not snapshotted, and a binding write never delays a settings
 * change. The cost is one more in-memory ask per call to a tracking number ({@code NumberRoutes}).
 *
 * <p>Which operator may bind is checked by the caller ({@code ClusterPoolBackend}: the number must be one of the
 * operator's tracking numbers); each binding carries its operator, and {@link Get} lists only the asking operator's.
 */
public final class NumberBindings extends EventSourcedBehaviorWithEnforcedReplies<NumberBindings.Command,
    NumberBindings.Event, NumberBindings.State> {

  /** Sharding key of the entity type. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "NumberBindings");
  /** Bindings kept per number. */
  public static final int KEEP = 20;
  /** Events between snapshots. */
  public static final int SNAPSHOT_EVERY = 100;

  /**
   * One binding.
   *
   * @param bindingId its id ({@code bnd-} + 16 hex digits)
   * @param operatorId the operator that bound it
   * @param sessionId the visit's session id, or null
   * @param params the visit's parameters (checked by the API like a pool assignment's)
   * @param boundAt start of the window
   * @param heldUntil end of the window, exclusive ({@code bound_at + hold_sec})
   * @param createdAt when it was stored
   */
  public record Binding(@JsonProperty("binding_id") String bindingId, @JsonProperty("operator_id") String operatorId,
      @JsonProperty("session_id") @JsonInclude(JsonInclude.Include.NON_NULL) String sessionId,
      @JsonProperty("params") Map<String, String> params, @JsonProperty("bound_at") Instant boundAt,
      @JsonProperty("held_until") Instant heldUntil, @JsonProperty("created_at") Instant createdAt)
      implements JsonSerializable {
    @JsonCreator
    public Binding {
      params = params == null ? Map.of() : Map.copyOf(params);
    }

    /** As the attribution decision needs it. */
    public Attribution.Window window() {
      return new Attribution.Window(bindingId, sessionId, params, boundAt, heldUntil);
    }
  }

  /** Commands. */
  public sealed interface Command extends JsonSerializable {}

  /** Stores {@code binding}; a binding with the same id is acknowledged without a second event (a retry). */
  public record Bind(@JsonProperty("binding") Binding binding,
      @JsonProperty("reply_to") ActorRef<StatusReply<Binding>> replyTo) implements Command {
    @JsonCreator
    public Bind {}
  }

  /** The bindings of {@code operatorId} (all operators' when null: the call routing), oldest first. */
  public record Get(@JsonProperty("operator_id") String operatorId,
      @JsonProperty("reply_to") ActorRef<State> replyTo) implements Command {
    @JsonCreator
    public Get {}
  }

  /** Events. */
  public sealed interface Event extends JsonSerializable {}

  /** A binding was stored. */
  public record Bound(@JsonProperty("binding") Binding binding) implements Event {
    @JsonCreator
    public Bound {}
  }

  /** State; also the reply to {@link Get}. @param bindings the last {@value #KEEP}, in the order stored */
  public record State(@JsonProperty("bindings") List<Binding> bindings) implements JsonSerializable {
    @JsonCreator
    public State {
      bindings = bindings == null ? List.of() : List.copyOf(bindings);
    }

    /** The state after {@code b}: appended, the oldest dropped beyond {@value #KEEP}. */
    State with(Binding b) {
      List<Binding> out = new ArrayList<>(bindings);
      out.add(b);
      while (out.size() > KEEP) {
        out.remove(0);
      }
      return new State(out);
    }

    State of(String operatorId) {
      return operatorId == null ? this
          : new State(bindings.stream().filter(b -> b.operatorId().equals(operatorId)).toList());
    }
  }

  /** Registers the entity type with sharding. */
  public static void init(ClusterSharding sharding) {
    sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId())));
  }

  /** The entity of number {@code e164}. */
  public static Behavior<Command> create(String e164) {
    return new NumberBindings(e164);
  }

  private NumberBindings(String e164) {
    super(PersistenceId.of(ENTITY_KEY.name(), e164));
  }

  @Override
  public State emptyState() {
    return new State(List.of());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Bind.class, this::onBind)
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), s.of(c.operatorId())))
        .build();
  }

  private ReplyEffect<Event, State> onBind(State s, Bind c) {
    Binding b = c.binding();
    if (!b.heldUntil().isAfter(b.boundAt())) {
      return Effect().reply(c.replyTo(), StatusReply.error("held_until must be after bound_at"));
    }
    for (Binding old : s.bindings()) {
      if (old.bindingId().equals(b.bindingId())) {
        return Effect().reply(c.replyTo(), old.equals(b) ? StatusReply.success(old)
            : StatusReply.error("binding " + b.bindingId() + " exists with other contents"));
      }
    }
    return Effect().persist(new Bound(b)).thenReply(c.replyTo(), x -> StatusReply.success(b));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Bound.class, (s, e) -> s.with(e.binding()))
        .build();
  }
}
