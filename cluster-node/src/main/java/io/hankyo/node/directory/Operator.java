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
 * <p>It also keeps the operator's settings ({@link SetSettings}, {@link GetSettings}): today the recording retention
 * (issue 4, "deletable (retention period per operator)"), read by the recording retention sweeper.
 *
 * <p>Rejections ({@link StatusReply#error(String)}): every command but {@link Create} on an operator that was never
 * created; {@link Create} with another name than the existing operator's; {@link SetSettings} with a retention outside
 * {@value #MIN_RETENTION_DAYS}..{@value #MAX_RETENTION_DAYS} days.
 */
public final class Operator
    extends EventSourcedBehaviorWithEnforcedReplies<Operator.Command, Operator.Event, Operator.State> {

  /** Sharding type key; persistence ids are {@code Operator|<operatorId>}. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Operator");

  /** Shortest recording retention, days (issue 4). */
  public static final int MIN_RETENTION_DAYS = 1;
  /** Longest recording retention, days (3650, about 10 years; issue 4). */
  public static final int MAX_RETENTION_DAYS = 3650;

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

  /**
   * Replaces the operator's settings (issue 4). A setting equal to the current one persists nothing.
   *
   * @param settings the new settings
   * @param replyTo gets the settings afterwards, or an error when the operator does not exist or a value is out of
   *     range
   */
  public record SetSettings(
      @JsonProperty("settings") Settings settings,
      @JsonProperty("reply_to") ActorRef<StatusReply<Settings>> replyTo)
      implements Command {}

  /** Reads the operator's settings. @param replyTo gets them, or an error when the operator does not exist */
  public record GetSettings(@JsonProperty("reply_to") ActorRef<StatusReply<Settings>> replyTo) implements Command {}

  // ----------------------------------------------------------------------------------------------------- replies

  /**
   * The operator's settings (issue 4).
   *
   * @param recordingRetentionDays how many days the operator's call recordings are kept
   *     ({@value #MIN_RETENTION_DAYS}..{@value #MAX_RETENTION_DAYS}); older ones are deleted by the retention
   *     sweeper. Null: kept until deleted through the API (the default)
   */
  public record Settings(
      @JsonProperty("recording_retention_days") Integer recordingRetentionDays)
      implements JsonSerializable {
    /** The settings of an operator that never set any: recordings are kept forever. */
    public static final Settings DEFAULTS = new Settings(null);
  }

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

  /**
   * The operator's settings were replaced (issue 4).
   *
   * @param settings the new settings
   * @param at when
   */
  public record SettingsChanged(@JsonProperty("settings") Settings settings, @JsonProperty("at") Instant at)
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
   * @param settings the operator's settings ({@link Settings#DEFAULTS} when never set; null in JSON reads as that)
   */
  public record Created(
      @JsonProperty("name") String name,
      @JsonProperty("created_at") Instant createdAt,
      @JsonProperty("client_ids") Set<String> clientIds,
      @JsonProperty("settings") Settings settings)
      implements State {
    public Created {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(createdAt, "createdAt");
      clientIds = clientIds == null ? Set.of() : Set.copyOf(clientIds);
      settings = settings == null ? Settings.DEFAULTS : settings;
    }

    /** Without settings (the defaults). */
    public Created(String name, Instant createdAt, Set<String> clientIds) {
      this(name, createdAt, clientIds, Settings.DEFAULTS);
    }

    Created withClient(String clientId) {
      Set<String> s = new HashSet<>(clientIds);
      s.add(clientId);
      return new Created(name, createdAt, s, settings);
    }

    Created withoutClient(String clientId) {
      Set<String> s = new HashSet<>(clientIds);
      s.remove(clientId);
      return new Created(name, createdAt, s, settings);
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
        .onCommand(ListAdvertisers.class, c -> Effect().reply(c.replyTo(), notCreated()))
        .onCommand(SetSettings.class, c -> Effect().reply(c.replyTo(), notCreated()))
        .onCommand(GetSettings.class, c -> Effect().reply(c.replyTo(), notCreated()));
    b.forStateType(Created.class)
        .onCommand(Create.class, this::createAgain)
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(summary(s))))
        .onCommand(AdvertiserAdded.class, this::add)
        .onCommand(AdvertiserRemoved.class, this::remove)
        .onCommand(ListAdvertisers.class, (s, c) -> Effect().reply(
            c.replyTo(), StatusReply.success(new ClientIds(s.clientIds().stream().sorted().toList()))))
        .onCommand(SetSettings.class, this::setSettings)
        .onCommand(GetSettings.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(s.settings())));
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

  private ReplyEffect<Event, State> setSettings(Created s, SetSettings c) {
    Settings next = c.settings() == null ? Settings.DEFAULTS : c.settings();
    Integer days = next.recordingRetentionDays();
    if (days != null && (days < MIN_RETENTION_DAYS || days > MAX_RETENTION_DAYS)) {
      return Effect().reply(c.replyTo(), StatusReply.error("recording_retention_days must be from "
          + MIN_RETENTION_DAYS + " to " + MAX_RETENTION_DAYS + ", got " + days));
    }
    if (next.equals(s.settings())) {
      return Effect().reply(c.replyTo(), StatusReply.success(next));
    }
    return Effect().persist(new SettingsChanged(next, Instant.now()))
        .thenReply(c.replyTo(), ns -> StatusReply.success(((Created) ns).settings()));
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
        .onEvent(AdvertiserUnindexed.class, (s, e) -> s.withoutClient(e.clientId()))
        .onEvent(SettingsChanged.class, (s, e) -> new Created(s.name(), s.createdAt(), s.clientIds(), e.settings()));
    return b.build();
  }
}
