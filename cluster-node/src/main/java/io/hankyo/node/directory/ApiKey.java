package io.hankyo.node.directory;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
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
 * An HTTP API key (bearer token) bound to one operator. Sharded, event-sourced; entity id = {@link #idFor(String)}
 * of the key text, i.e. 64 lowercase hex characters of its SHA-256. The key text itself is never stored or sent to
 * the entity: {@link #create(String)} refuses any other entity id.
 *
 * <p>Life cycle: unregistered → registered(operator) → revoked. A revoked key stays revoked (register a new one).
 * Rejections ({@link StatusReply#error(String)}): {@link Register} for another operator or after revocation;
 * {@link Revoke} of a key that was never registered.
 */
public final class ApiKey extends EventSourcedBehaviorWithEnforcedReplies<ApiKey.Command, ApiKey.Event, ApiKey.State> {

  /** Sharding type key; persistence ids are {@code ApiKey|<sha-256 hex>}. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "ApiKey");

  /**
   * The entity id of an API key: SHA-256 of its UTF-8 text, lowercase hex (64 characters).
   *
   * @param apiKey the key text as the client sends it (not trimmed)
   */
  public static String idFor(String apiKey) {
    Objects.requireNonNull(apiKey, "apiKey");
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(apiKey.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  // ---------------------------------------------------------------------------------------------------- commands

  /** Commands of the API key entity. */
  public sealed interface Command extends JsonSerializable {}

  /**
   * Binds the key to an operator. Idempotent for the same operator.
   *
   * @param replyTo gets {@link Done}, or an error when the key is bound to another operator or was revoked
   */
  public record Register(
      @JsonProperty("operator_id") String operatorId, @JsonProperty("reply_to") ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /** Resolves the key. @param replyTo gets the operator id, empty when the key is unknown or revoked */
  public record Resolve(@JsonProperty("reply_to") ActorRef<Resolution> replyTo) implements Command {}

  /**
   * Revokes the key. Idempotent for a revoked key.
   *
   * @param replyTo gets {@link Done}, or an error when the key was never registered
   */
  public record Revoke(@JsonProperty("reply_to") ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** Reply to {@link Resolve}. @param operatorId the operator, empty when unknown or revoked */
  public record Resolution(@JsonProperty("operator_id") Optional<String> operatorId) implements JsonSerializable {
    public Resolution {
      operatorId = operatorId == null ? Optional.empty() : operatorId;
    }
  }

  // ------------------------------------------------------------------------------------------------------ events

  /** Events of the API key entity. */
  public sealed interface Event extends JsonSerializable {}

  /** The key was bound to an operator. */
  public record KeyRegistered(@JsonProperty("operator_id") String operatorId, @JsonProperty("at") Instant at)
      implements Event {}

  /** The key was revoked. */
  public record KeyRevoked(@JsonProperty("at") Instant at) implements Event {}

  // ------------------------------------------------------------------------------------------------------- state

  /** State of the API key entity. */
  public sealed interface State extends JsonSerializable {}

  /** Never registered. */
  public record Unregistered() implements State {}

  /** Bound to {@code operatorId} since {@code registeredAt}. */
  public record Registered(
      @JsonProperty("operator_id") String operatorId, @JsonProperty("registered_at") Instant registeredAt)
      implements State {}

  /** Was bound to {@code operatorId}; revoked at {@code revokedAt}. */
  public record Revoked(
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("registered_at") Instant registeredAt,
      @JsonProperty("revoked_at") Instant revokedAt)
      implements State {}

  // ---------------------------------------------------------------------------------------------------- behavior

  private ApiKey(String keyHash) {
    super(PersistenceId.of(ENTITY_KEY.name(), keyHash));
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
   * The behavior of one key.
   *
   * @param keyHash {@link #idFor(String)} of the key: 64 lowercase hex characters
   * @throws IllegalArgumentException when the id is not such a hash (so that a key text is never persisted)
   */
  public static Behavior<Command> create(String keyHash) {
    if (keyHash == null || !keyHash.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("ApiKey entity id must be the SHA-256 hex of the key, not the key");
    }
    return new ApiKey(keyHash);
  }

  @Override
  public State emptyState() {
    return new Unregistered();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> b = newCommandHandlerWithReplyBuilder();
    b.forStateType(Unregistered.class)
        .onCommand(Register.class, this::register)
        .onCommand(Resolve.class, c -> Effect().reply(c.replyTo(), new Resolution(Optional.empty())))
        .onCommand(Revoke.class, c -> Effect().reply(c.replyTo(), StatusReply.error("unknown API key")));
    b.forStateType(Registered.class)
        .onCommand(Register.class, this::registerAgain)
        .onCommand(Resolve.class, (s, c) -> Effect().reply(c.replyTo(), new Resolution(Optional.of(s.operatorId()))))
        .onCommand(Revoke.class, c -> Effect().persist(new KeyRevoked(Instant.now()))
            .thenReply(c.replyTo(), s -> StatusReply.ack()));
    b.forStateType(Revoked.class)
        .onCommand(Register.class, c -> Effect().reply(c.replyTo(), StatusReply.error(
            "this API key was revoked and cannot be registered again; use a new key")))
        .onCommand(Resolve.class, c -> Effect().reply(c.replyTo(), new Resolution(Optional.empty())))
        .onCommand(Revoke.class, c -> Effect().reply(c.replyTo(), StatusReply.ack()));
    return b.build();
  }

  private ReplyEffect<Event, State> register(Register c) {
    if (c.operatorId() == null || c.operatorId().isBlank()) {
      return Effect().reply(c.replyTo(), StatusReply.error("operator id must not be blank"));
    }
    return Effect().persist(new KeyRegistered(c.operatorId(), Instant.now()))
        .thenReply(c.replyTo(), s -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> registerAgain(Registered s, Register c) {
    if (s.operatorId().equals(c.operatorId())) {
      return Effect().reply(c.replyTo(), StatusReply.ack());
    }
    return Effect().reply(c.replyTo(), StatusReply.error("this API key is already registered for another operator"));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    var b = newEventHandlerBuilder();
    b.forStateType(Unregistered.class)
        .onEvent(KeyRegistered.class, (s, e) -> new Registered(e.operatorId(), e.at()));
    b.forStateType(Registered.class)
        .onEvent(KeyRevoked.class, (s, e) -> new Revoked(s.operatorId(), s.registeredAt(), e.at()));
    return b.build();
  }
}
