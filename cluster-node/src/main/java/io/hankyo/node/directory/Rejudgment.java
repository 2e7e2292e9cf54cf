package io.hankyo.node.directory;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.judgment.RejudgmentPlan;
import io.hankyo.protocol.judgment.RejudgmentView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
 * One re-judgment (再判定, issue 4): the request and the calls whose judgment it changed, with their judgment before
 * and after, kept for {@code GET /v1/rejudgments/{id}} and as the history of the call-log rows it rewrote (the calls'
 * own {@code CallEnded} events keep the original judgment). Sharded, event-sourced; entity id = {@code
 * <operatorId>/<rjd_…>} ({@link #entityId}), so another operator's id is never found.
 *
 * <p>Life cycle: absent → recorded ({@link Record}: {@link RejudgmentRecorded} then the changes in {@link
 * ChangesRecorded} chunks of at most {@link #CHUNK} calls, one atomic write) → applied ({@link MarkApplied}: every
 * changed row rewritten). Rejections: Record twice, MarkApplied or Get before Record ("not found").
 */
public final class Rejudgment
    extends EventSourcedBehaviorWithEnforcedReplies<Rejudgment.Command, Rejudgment.Event, Rejudgment.State> {

  /** Sharding type key; persistence ids are {@code Rejudgment|<operatorId>/<rjd_…>}. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Rejudgment");
  /** Changes per {@link ChangesRecorded} event (keeps every event small whatever the range). */
  public static final int CHUNK = 500;

  /** The entity id of a re-judgment of an operator. */
  public static String entityId(String operatorId, String id) {
    return Advertiser.entityId(operatorId, id);
  }

  /** Commands. */
  public sealed interface Command extends JsonSerializable {}

  /**
   * Stores the request and its changes.
   *
   * @param replyTo gets the stored re-judgment, or an error when this id already holds one
   */
  public record Record(
      @JsonProperty("request") RejudgmentView.Request request,
      @JsonProperty("examined") int examined,
      @JsonProperty("changes") List<RejudgmentPlan.Change> changes,
      @JsonProperty("reply_to") ActorRef<StatusReply<RejudgmentView>> replyTo)
      implements Command {}

  /** Notes that every changed call-log row was rewritten. @param replyTo gets Done, or not found */
  public record MarkApplied(@JsonProperty("reply_to") ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** Reads it. @param replyTo gets it, or an error when not found */
  public record Get(@JsonProperty("reply_to") ActorRef<StatusReply<RejudgmentView>> replyTo) implements Command {}

  /** Events. */
  public sealed interface Event extends JsonSerializable {}

  /** The request, with how many calls were examined and changed (the changes follow). */
  public record RejudgmentRecorded(
      @JsonProperty("request") RejudgmentView.Request request,
      @JsonProperty("examined") int examined,
      @JsonProperty("changed") int changed,
      @JsonProperty("at") Instant at)
      implements Event {}

  /** A chunk of the changes, in arrival order. */
  public record ChangesRecorded(@JsonProperty("changes") List<RejudgmentPlan.Change> changes) implements Event {
    @JsonCreator
    public ChangesRecorded {
      changes = changes == null ? List.of() : List.copyOf(changes);
    }
  }

  /** Every changed row carries the new judgment. */
  public record RejudgmentApplied(@JsonProperty("at") Instant at) implements Event {}

  /** State. */
  public sealed interface State extends JsonSerializable {}

  /** Nothing stored. */
  public record Empty() implements State {}

  /** Stored; {@code view} as {@code Get} answers. */
  public record Stored(@JsonProperty("view") RejudgmentView view) implements State {}

  private final String id;

  private Rejudgment(String entityId) {
    super(PersistenceId.of(ENTITY_KEY.name(), entityId));
    this.id = entityId.substring(entityId.indexOf('/') + 1);
  }

  /** Registers the entity type with sharding. */
  public static ActorRef<ShardingEnvelope<Command>> init(ClusterSharding sharding) {
    return sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId())));
  }

  /**
   * The behavior of one re-judgment.
   *
   * @param entityId {@link #entityId(String, String)}
   * @throws IllegalArgumentException when it has no '/'
   */
  public static Behavior<Command> create(String entityId) {
    if (entityId == null || entityId.indexOf('/') <= 0 || entityId.endsWith("/")) {
      throw new IllegalArgumentException("rejudgment entity id must be <operatorId>/<id>, got '" + entityId + "'");
    }
    return new Rejudgment(entityId);
  }

  @Override
  public State emptyState() {
    return new Empty();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> b = newCommandHandlerWithReplyBuilder();
    b.forStateType(Empty.class)
        .onCommand(Record.class, this::record)
        .onCommand(MarkApplied.class, c -> Effect().reply(c.replyTo(), notFound()))
        .onCommand(Get.class, c -> Effect().reply(c.replyTo(), notFound()));
    b.forStateType(Stored.class)
        .onCommand(Record.class, c -> Effect().reply(c.replyTo(),
            StatusReply.error("rejudgment '" + id + "' is already stored")))
        .onCommand(MarkApplied.class, (s, c) -> s.view().applied() ? Effect().reply(c.replyTo(), StatusReply.ack())
            : Effect().persist(new RejudgmentApplied(Instant.now())).thenReply(c.replyTo(), ns -> StatusReply.ack()))
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(s.view())));
    return b.build();
  }

  private <T> StatusReply<T> notFound() {
    return StatusReply.error("rejudgment '" + id + "' not found");
  }

  private ReplyEffect<Event, State> record(Record c) {
    if (c.request() == null) {
      return Effect().reply(c.replyTo(), StatusReply.error("the request is missing"));
    }
    List<RejudgmentPlan.Change> changes = c.changes() == null ? List.of() : c.changes();
    List<Event> events = new ArrayList<>();
    events.add(new RejudgmentRecorded(c.request(), c.examined(), changes.size(), Instant.now()));
    for (int i = 0; i < changes.size(); i += CHUNK) {
      events.add(new ChangesRecorded(changes.subList(i, Math.min(changes.size(), i + CHUNK))));
    }
    return Effect().persist(events).thenReply(c.replyTo(), s -> StatusReply.success(((Stored) s).view()));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    var b = newEventHandlerBuilder();
    b.forStateType(Empty.class)
        .onEvent(RejudgmentRecorded.class, (s, e) ->
            new Stored(new RejudgmentView(id, e.request(), e.examined(), List.of(), e.at(), false)));
    b.forStateType(Stored.class)
        .onEvent(ChangesRecorded.class, (s, e) -> {
          RejudgmentView v = s.view();
          List<RejudgmentPlan.Change> all = new ArrayList<>(v.changes());
          all.addAll(e.changes());
          return new Stored(new RejudgmentView(v.id(), v.request(), v.examined(), all, v.createdAt(), v.applied()));
        })
        .onEvent(RejudgmentApplied.class, (s, e) -> {
          RejudgmentView v = s.view();
          return new Stored(new RejudgmentView(v.id(), v.request(), v.examined(), v.changes(), v.createdAt(), true));
        });
    return b.build();
  }
}
