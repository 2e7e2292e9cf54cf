package io.hankyo.node.pool;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 *
 * <p>Owner (issue 5, a binding never outlives its tracking-number record): each binding also carries the tracking
 * number's record it was bound for ({@link Owner}: {@code client_id}, {@code dialin_id} and the record's {@code
 * created_at}). A number can be deleted and created again, for another advertiser or as another record of the same
 * one; the entity (keyed by the number) keeps the earlier record's bindings, so the readers keep only those of the
 * current record ({@link State#boundFor}): the call routing ({@code NumberRoutes}) and the listing. Bindings stored
 * before the owner was recorded (no {@code client_id}) count for the current record only when they were stored
 * ({@code created_at}) at or after the record's creation, i.e. while it already held the number
 * ({@link Binding#boundFor}).
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
   * @param clientId the {@code client_id} of the tracking-number record it was bound for; null in bindings stored
   *     before the owner was recorded (left out of the JSON then)
   * @param dialinId the {@code dialin_id} of that record; null as {@code clientId}
   * @param numberCreatedAt the {@code created_at} of that record ({@code TrackingNumber.Details#createdAt}: a number
   *     deleted and created again is a new record with a new time); null as {@code clientId}
   */
  public record Binding(@JsonProperty("binding_id") String bindingId, @JsonProperty("operator_id") String operatorId,
      @JsonProperty("session_id") @JsonInclude(JsonInclude.Include.NON_NULL) String sessionId,
      @JsonProperty("params") Map<String, String> params, @JsonProperty("bound_at") Instant boundAt,
      @JsonProperty("held_until") Instant heldUntil, @JsonProperty("created_at") Instant createdAt,
      @JsonProperty("client_id") @JsonInclude(JsonInclude.Include.NON_NULL) String clientId,
      @JsonProperty("dialin_id") @JsonInclude(JsonInclude.Include.NON_NULL) String dialinId,
      @JsonProperty("number_created_at") @JsonInclude(JsonInclude.Include.NON_NULL) Instant numberCreatedAt)
      implements JsonSerializable {
    @JsonCreator
    public Binding {
      params = params == null ? Map.of() : Map.copyOf(params);
    }

    /** A new binding for the tracking-number record {@code owner}. */
    public static Binding of(String bindingId, Owner owner, String sessionId, Map<String, String> params,
        Instant boundAt, Instant heldUntil, Instant createdAt) {
      return new Binding(bindingId, owner.operatorId(), sessionId, params, boundAt, heldUntil, createdAt,
          owner.clientId(), owner.dialinId(), owner.numberCreatedAt());
    }

    /**
     * Whether this binding was made for {@code current}, the record that holds the number now: same operator, and
     * same {@code client_id}, {@code dialin_id} and record creation time. A binding stored before the owner was
     * recorded ({@code clientId} null) counts only when it was stored at or after {@code current}'s creation (it was
     * bound while that record held the number; one stored earlier belongs to an earlier record, perhaps of another
     * advertiser, and is never credited to this one). Pure.
     */
    public boolean boundFor(Owner current) {
      if (!operatorId.equals(current.operatorId())) {
        return false;
      }
      if (clientId == null) {
        return current.numberCreatedAt() != null && !createdAt.isBefore(current.numberCreatedAt());
      }
      return clientId.equals(current.clientId()) && Objects.equals(dialinId, current.dialinId())
          && Objects.equals(numberCreatedAt, current.numberCreatedAt());
    }

    /** As the attribution decision needs it. */
    public Attribution.Window window() {
      return new Attribution.Window(bindingId, sessionId, params, boundAt, heldUntil);
    }
  }

  /**
   * The tracking-number record a binding is made for, or that holds the number now (not persisted by itself).
   *
   * @param operatorId the operator
   * @param clientId the record's {@code client_id}
   * @param dialinId the record's {@code dialin_id}
   * @param numberCreatedAt the record's {@code created_at}
   */
  public record Owner(String operatorId, String clientId, String dialinId, Instant numberCreatedAt) {
    public Owner {
      Objects.requireNonNull(operatorId, "operatorId");
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

    /** The bindings made for {@code current}, the record that holds the number now ({@link Binding#boundFor}). */
    public State boundFor(Owner current) {
      return new State(bindings.stream().filter(b -> b.boundFor(current)).toList());
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
