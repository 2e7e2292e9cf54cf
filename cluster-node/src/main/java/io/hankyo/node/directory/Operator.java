package io.hankyo.node.directory;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
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
 * An operator (事業者, spec section 1): the parent account that owns advertisers and calls the HTTP API. Sharded,
 * event-sourced; entity id = the operator id (never contains '/', see {@link Advertiser#entityId}).
 *
 * <p>Besides its name, the operator keeps the index of its advertisers' client ids, so that the API can list them
 * (the index may briefly name an advertiser that does not exist yet or any more: readers skip those).
 *
 * <p>Rejections ({@link StatusReply#error(String)}): every command but {@link Create} on an operator that was never
 * created; {@link Create} with another name than the existing operator's.
 */
public final class Operator
    extends EventSourcedBehaviorWithEnforcedReplies<Operator.Command, Operator.Event, Operator.State> {

  /** Sharding type key; persistence ids are {@code Operator|<operatorId>}. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Operator");

  // ---------------------------------------------------------------------------------------------------- commands

  /** Commands of the operator entity. */
  public sealed interface Command extends JsonSerializable {}

  /**
   * Creates the operator. Idempotent: for an existing operator with the same name it replies the operator with
   * {@code newlyCreated = false}.
   *
   * @param name display name, not blank
   * @param replyTo gets the operator, or an error when the name is blank or the operator exists with another name
   */
  public record Create(
      @JsonProperty("name") String name, @JsonProperty("reply_to") ActorRef<StatusReply<CreateResult>> replyTo)
      implements Command {}

  /** Reads the operator. @param replyTo gets the summary, or an error when the operator does not exist */
  public record Get(@JsonProperty("reply_to") ActorRef<StatusReply<Summary>> replyTo) implements Command {}

  /**
   * Adds a client id to the advertiser index. Idempotent.
   *
   * @param replyTo gets {@link Done}, or an error when the operator does not exist
   */
  public record AdvertiserAdded(
      @JsonProperty("client_id") String clientId, @JsonProperty("reply_to") ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /**
   * Removes a client id from the advertiser index. Idempotent (Done when it is not in the index).
   *
   * @param replyTo gets {@link Done}, or an error when the operator does not exist
   */
  public record AdvertiserRemoved(
      @JsonProperty("client_id") String clientId, @JsonProperty("reply_to") ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /** Lists the indexed client ids. @param replyTo gets them sorted, or an error when the operator does not exist */
  public record ListAdvertisers(@JsonProperty("reply_to") ActorRef<StatusReply<ClientIds>> replyTo)
      implements Command {}

  // ----------------------------------------------------------------------------------------------------- replies

  /**
   * The operator as other components see it.
   *
   * @param operatorId the entity id
   * @param name display name
   * @param createdAt when {@link Create} first succeeded
   * @param advertiserCount size of the advertiser index
   */
  public record Summary(
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("name") String name,
      @JsonProperty("created_at") Instant createdAt,
      @JsonProperty("advertiser_count") int advertiserCount)
      implements JsonSerializable {}

  /**
   * Reply to {@link Create}.
   *
   * @param operator the operator after the command
   * @param newlyCreated true when this command created it, false when it already existed
   */
  public record CreateResult(
      @JsonProperty("operator") Summary operator, @JsonProperty("newly_created") boolean newlyCreated)
      implements JsonSerializable {}

  /** Reply to {@link ListAdvertisers}: client ids in ascending order (an immutable list). */
  public record ClientIds(@JsonProperty("client_ids") List<String> clientIds) implements JsonSerializable {
    public ClientIds {
      clientIds = clientIds == null ? List.of() : List.copyOf(clientIds);
    }
  }

  // ------------------------------------------------------------------------------------------------------ events

  /** Events of the operator entity (journal, JSON). */
  public sealed interface Event extends JsonSerializable {}

  /** The operator was created. */
  public record OperatorCreated(@JsonProperty("name") String name, @JsonProperty("at") Instant at)
      implements Event {}

  /** A client id entered the advertiser index. */
  public record AdvertiserIndexed(@JsonProperty("client_id") String clientId, @JsonProperty("at") Instant at)
      implements Event {}

  /** A client id left the advertiser index. */
  public record AdvertiserUnindexed(@JsonProperty("client_id") String clientId, @JsonProperty("at") Instant at)
      implements Event {}

  // ------------------------------------------------------------------------------------------------------- state

  /** State of the operator entity. */
  public sealed interface State extends JsonSerializable {}

  /** Never created. */
  public record NotCreated() implements State {}

  /**
   * Created.
   *
   * @param name display name
   * @param createdAt creation time
   * @param clientIds the advertiser index (immutable)
   */
  public record Created(
      @JsonProperty("name") String name,
      @JsonProperty("created_at") Instant createdAt,
      @JsonProperty("client_ids") Set<String> clientIds)
      implements State {
    public Created {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(createdAt, "createdAt");
      clientIds = clientIds == null ? Set.of() : Set.copyOf(clientIds);
    }

    Created withClient(String clientId) {
      Set<String> s = new HashSet<>(clientIds);
      s.add(clientId);
      return new Created(name, createdAt, s);
    }

    Created withoutClient(String clientId) {
      Set<String> s = new HashSet<>(clientIds);
      s.remove(clientId);
      return new Created(name, createdAt, s);
    }
  }

  // ---------------------------------------------------------------------------------------------------- behavior

  private final String operatorId;

  private Operator(String operatorId) {
    super(PersistenceId.of(ENTITY_KEY.name(), operatorId));
    this.operatorId = operatorId;
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
   * The behavior of one operator.
   *
   * @param operatorId the entity id; not blank, no '/'
   * @throws IllegalArgumentException for an invalid id
   */
  public static Behavior<Command> create(String operatorId) {
    if (operatorId == null || operatorId.isBlank() || operatorId.contains("/")) {
      throw new IllegalArgumentException("operator id must be non-blank without '/', got '" + operatorId + "'");
    }
    return new Operator(operatorId);
  }

  @Override
  public State emptyState() {
    return new NotCreated();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> b = newCommandHandlerWithReplyBuilder();
    b.forStateType(NotCreated.class)
        .onCommand(Create.class, this::create)
        .onCommand(Get.class, c -> Effect().reply(c.replyTo(), notCreated()))
        .onCommand(AdvertiserAdded.class, c -> Effect().reply(c.replyTo(), notCreated()))
        .onCommand(AdvertiserRemoved.class, c -> Effect().reply(c.replyTo(), notCreated()))
        .onCommand(ListAdvertisers.class, c -> Effect().reply(c.replyTo(), notCreated()));
    b.forStateType(Created.class)
        .onCommand(Create.class, this::createAgain)
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(summary(s))))
        .onCommand(AdvertiserAdded.class, this::add)
        .onCommand(AdvertiserRemoved.class, this::remove)
        .onCommand(ListAdvertisers.class, (s, c) -> Effect().reply(
            c.replyTo(), StatusReply.success(new ClientIds(s.clientIds().stream().sorted().toList()))));
    return b.build();
  }

  private <T> StatusReply<T> notCreated() {
    return StatusReply.error("operator '" + operatorId + "' does not exist");
  }

  private ReplyEffect<Event, State> create(Create c) {
    if (c.name() == null || c.name().isBlank()) {
      return Effect().reply(c.replyTo(), StatusReply.error("operator name must not be blank"));
    }
    return Effect()
        .persist(new OperatorCreated(c.name(), Instant.now()))
        .thenReply(c.replyTo(), s -> StatusReply.success(new CreateResult(summary((Created) s), true)));
  }

  private ReplyEffect<Event, State> createAgain(Created s, Create c) {
    if (!s.name().equals(c.name())) {
      return Effect().reply(c.replyTo(), StatusReply.error(
          "operator '" + operatorId + "' already exists with another name ('" + s.name() + "')"));
    }
    return Effect().reply(c.replyTo(), StatusReply.success(new CreateResult(summary(s), false)));
  }

  private ReplyEffect<Event, State> add(Created s, AdvertiserAdded c) {
    if (c.clientId() == null || c.clientId().isBlank()) {
      return Effect().reply(c.replyTo(), StatusReply.error("client id must not be blank"));
    }
    if (s.clientIds().contains(c.clientId())) {
      return Effect().reply(c.replyTo(), StatusReply.ack());
    }
    return Effect().persist(new AdvertiserIndexed(c.clientId(), Instant.now()))
        .thenReply(c.replyTo(), ns -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> remove(Created s, AdvertiserRemoved c) {
    if (!s.clientIds().contains(c.clientId())) {
      return Effect().reply(c.replyTo(), StatusReply.ack());
    }
    return Effect().persist(new AdvertiserUnindexed(c.clientId(), Instant.now()))
        .thenReply(c.replyTo(), ns -> StatusReply.ack());
  }

  private Summary summary(Created s) {
    return new Summary(operatorId, s.name(), s.createdAt(), s.clientIds().size());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    var b = newEventHandlerBuilder();
    b.forStateType(NotCreated.class)
        .onEvent(OperatorCreated.class, (s, e) -> new Created(e.name(), e.at(), Set.of()));
    b.forStateType(Created.class)
        .onEvent(AdvertiserIndexed.class, (s, e) -> s.withClient(e.clientId()))
        .onEvent(AdvertiserUnindexed.class, (s, e) -> s.withoutClient(e.clientId()));
    return b.build();
  }
}
