package io.hankyo.node.notify;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One webhook notification ({@code nfy_http}, issue 4 "Notifications with delivery guarantees"): an event-sourced
 * outbox entry that POSTs a signed JSON payload to a URL until it is accepted, retrying with the {@link RetryPolicy}.
 *
 * <p><b>Entity id</b> = the idempotency key {@code <trn_id>:<event>} ({@link DeliveryId}), e.g. {@code
 * 01HX...:call_ended}; it is sent on every attempt as {@code Idempotency-Key}. Persistence id = {@code
 * WebhookDelivery|<entity id>}.
 *
 * <p><b>At least once.</b> {@link Deliver} persists {@link Requested} (URL, secret reference, payload) together with
 * {@link NextAttemptScheduled} (attempt 1, due now) <em>before</em> anything is sent, and only then replies. Every
 * attempt is persisted as {@link AttemptStarted} before the POST and as {@link AttemptRecorded} after it. Failures
 * persist the next attempt's deadline ({@link NextAttemptScheduled}); the entity's timer is re-armed from it on
 * recovery. So whenever the node dies:
 * <ul>
 *   <li>before {@link Requested} is written: the Deliver was not acknowledged, the caller (the Call entity's outbox
 *       step, later) retries it;
 *   <li>after a deadline is written and before its attempt starts: recovery re-arms the timer, the attempt is made;
 *   <li>after {@link AttemptStarted} and before its result: recovery records that attempt as failed ("no result: the
 *       entity stopped during the attempt") and schedules the next by the policy. The receiver may have got the
 *       interrupted request: it de-duplicates on {@code Idempotency-Key}.
 * </ul>
 * The entity must be started again for this to happen: on a node it is registered with {@link #initRemembered}
 * (Cluster Sharding <b>remember-entities</b>, event-sourced remember store in the journal), so every pending delivery
 * is started again when its shard starts, also after a full cluster restart; a delivery that is delivered or given
 * up passivates itself, which makes sharding forget it.
 *
 * <p><b>Channels</b> ({@link Channel}): the same entity class serves the webhook ({@code WebhookDelivery} type, http(s)
 * URL), the email channel ({@code EmailDelivery} type, {@code mailto:} target sent by {@link EmailTransport}) and the
 * SMS channel ({@code SmsDelivery} type, one entity per recipient, {@code sms:<E.164>} or {@code sms:caller} target
 * sent by {@link SmsTransport}); only the target check, the signature header (webhook only) and the transport differ.
 *
 * <p><b>Secrets and caller numbers</b> are not persisted: {@link Deliver} names a secret reference (the tracking
 * number's notification settings) and carries a stored payload (the call-log record with the caller encrypted); a
 * {@link Resolver} turns both into the secret and the body at each attempt, because the journal is plain JSON
 * readable by analysts. A reference that resolves to nothing fails the attempt (retried: the setting may come back).
 *
 * <p><b>Request</b>: {@code POST <url>}, {@code Content-Type: application/json}, body = the payload's UTF-8 bytes,
 * {@value WebhookSignature#HEADER} ({@link WebhookSignature}, {@code t} = the attempt's start by the entity's clock),
 * {@value WebhookSignature#IDEMPOTENCY_HEADER}: the entity id, {@value #ATTEMPT_HEADER}: the attempt number (1, 2,
 * ...). Sent through the {@link WebhookSender} port off the actor's thread; the result comes back as
 * {@link AttemptFinished}.
 *
 * <p><b>Log</b>: {@link Get} returns the {@link Delivery} state with one {@link Attempt} per attempt (start, end,
 * status or error, duration in ms, verdict): the delivery log {@code GET /v1/webhook-deliveries/{id}} shows
 * ({@link ClusterDeliveryBackend}). After every change, and on recovery, the entity writes a summary of its state to a
 * {@link DeliveryIndex} (the listing {@code GET /v1/webhook-deliveries} reads). {@link Redeliver} ("redeliver from
 * here", {@code POST /v1/webhook-deliveries/{id}/redeliver}) sends a delivered or abandoned notification again, with a
 * fresh retry horizon.
 */
public final class WebhookDelivery
    extends EventSourcedBehaviorWithEnforcedReplies<WebhookDelivery.Command, WebhookDelivery.Event,
        WebhookDelivery.State> {

  /** Sharding type key; persistence ids are {@code WebhookDelivery|<entity id>}. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "WebhookDelivery");
  /**
   * Sharding type key of the email channel (issue 4, {@code nfy_email}): the same outbox with a {@code mailto:} target
   * ({@link Channel#EMAIL}); persistence ids are {@code EmailDelivery|<entity id>}.
   */
  public static final EntityTypeKey<Command> EMAIL_ENTITY_KEY = EntityTypeKey.create(Command.class, "EmailDelivery");
  /**
   * Sharding type key of the SMS channel (issue 4, {@code logvars.nfy_sms} and the SMS to the caller): the same outbox
   * with an {@code sms:} target ({@link Channel#SMS}), one entity per recipient; persistence ids are {@code
   * SmsDelivery|<entity id>}.
   */
  public static final EntityTypeKey<Command> SMS_ENTITY_KEY = EntityTypeKey.create(Command.class, "SmsDelivery");

  /**
   * The channel an outbox entity delivers on: its entity type and the targets it accepts. The retry machinery, log and
   * guarantees are the same for every channel; the transport is the {@link WebhookSender} port given at init.
   */
  public enum Channel {
    /** HTTP POST to an absolute http(s) URL. */
    WEBHOOK(ENTITY_KEY, "http", "https"),
    /** Email: the target is a {@code mailto:} URI (RFC 6068) listing the recipients, sent by {@link EmailTransport}. */
    EMAIL(EMAIL_ENTITY_KEY, "mailto"),
    /**
     * SMS over SMPP: the target is {@code sms:<E.164>} (one recipient) or {@code sms:caller} (the call's caller,
     * decrypted at send time), sent by {@link SmsTransport}.
     */
    SMS(SMS_ENTITY_KEY, "sms");

    private final EntityTypeKey<Command> key;
    private final List<String> schemes;

    Channel(EntityTypeKey<Command> key, String... schemes) {
      this.key = key;
      this.schemes = List.of(schemes);
    }

    /** The sharding type key. */
    public EntityTypeKey<Command> key() {
      return key;
    }

    /** The URI schemes of its targets. */
    public List<String> schemes() {
      return schemes;
    }
  }
  /** Header carrying the attempt number (1 for the first POST). */
  public static final String ATTEMPT_HEADER = "Hankyo-Attempt";
  /** The error recorded for an attempt whose result never came because the entity stopped (node died). */
  public static final String INTERRUPTED = "no result: the entity stopped during the attempt";
  /** A snapshot is written every this many events. */
  public static final int SNAPSHOT_EVERY = 100;

  private static final String ATTEMPT_TIMER = "attempt";
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WebhookDelivery.class);
  /** Start of the error a {@link Redeliver} of a never requested delivery gets (the API answers 404 to it). */
  public static final String NOT_REQUESTED_PREFIX = "no webhook delivery ";

  // ------------------------------------------------------------------------------------------------------- ids

  /**
   * The idempotency key of a notification: the call and the event that triggered it (issue 4: "idempotency key =
   * {@code trn_id} + event").
   *
   * @param trnId the call's {@code trn_id} (not blank)
   * @param event the trigger, lowercase letters, digits and {@code _} (e.g. {@code call_ended})
   */
  public record DeliveryId(String trnId, String event) {
    private static final Pattern EVENT = Pattern.compile("[a-z0-9_]+");

    /** @throws IllegalArgumentException on a blank trn id or an event not of the form above */
    public DeliveryId {
      if (trnId == null || trnId.isBlank() || event == null || !EVENT.matcher(event).matches()) {
        throw new IllegalArgumentException("a webhook delivery needs a trn_id and an event of [a-z0-9_]+, got "
            + trnId + ", " + event);
      }
    }

    /** {@code <trn_id>:<event>}: the entity id and the {@code Idempotency-Key}. */
    public String entityId() {
      return trnId + ":" + event;
    }

    /**
     * The id of an entity id (split at the last {@code :}).
     *
     * @throws IllegalArgumentException when it is not of that shape
     */
    public static DeliveryId parse(String entityId) {
      int colon = entityId == null ? -1 : entityId.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("a webhook delivery's entity id is <trn_id>:<event>, got " + entityId);
      }
      return new DeliveryId(entityId.substring(0, colon), entityId.substring(colon + 1));
    }
  }

  // ---------------------------------------------------------------------------------------------------- settings

  /** Resolves a secret reference to the HMAC key bytes (the UTF-8 bytes of the configured secret). */
  @FunctionalInterface
  public interface Secrets {
    /** The secret, or empty when the reference names nothing (any more). */
    Optional<byte[]> secret(String ref);
  }

  /**
   * What an attempt sends, resolved at the attempt (issue 4: the journal holds neither the secret nor the decrypted
   * caller number; the stored payload may be a template, e.g. the call-log record with the caller encrypted).
   *
   * @param secret the HMAC key bytes; not empty
   * @param body the JSON body to POST (what is signed)
   */
  public record Resolved(byte[] secret, String body) {}

  /** Resolves a secret reference and a stored payload to what an attempt sends; may be asynchronous. */
  @FunctionalInterface
  public interface Resolver {
    /**
     * @return the secret and body, or empty when the reference names nothing (any more): the attempt fails and is
     *     retried. A failed stage fails the attempt the same way.
     */
    CompletionStage<Optional<Resolved>> resolve(String secretRef, String storedPayload);

    /** A resolver that sends the stored payload as it is, with the secret from {@code secrets}. */
    static Resolver of(Secrets secrets) {
      return (ref, payload) -> CompletableFuture.completedFuture(
          secrets.secret(ref).map(secret -> new Resolved(secret, payload)));
    }
  }

  /**
   * Tunables of a delivery.
   *
   * @param policy when to retry and when to give up
   * @param requestTimeout the timeout of one POST, whole request
   * @param clock the time source of events, deadlines and signatures (tests use a manual one)
   * @param random the jitter's source (thread-safe {@link Random}; tests pass a seeded one)
   */
  public record Settings(RetryPolicy policy, Duration requestTimeout, Clock clock, Random random) {
    /** Checks for nulls. */
    public Settings {
      Objects.requireNonNull(policy, "policy");
      Objects.requireNonNull(requestTimeout, "requestTimeout");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(random, "random");
    }

    /** {@link RetryPolicy#defaults()}, a 10 s request timeout, the system clock (UTC), an unseeded Random. */
    public static Settings defaults() {
      return new Settings(RetryPolicy.defaults(), Duration.ofSeconds(10), Clock.systemUTC(), new Random());
    }
  }

  // ---------------------------------------------------------------------------------------------------- commands

  /** Commands of the delivery entity. */
  public sealed interface Command extends JsonSerializable {}

  /**
   * Decides the notification: persists it, then replies, then sends it (attempt 1 is due at once). Idempotent: when
   * the entity already has a notification (same idempotency key), replies done and sends nothing; the first
   * notification's URL and payload stay.
   *
   * @param url absolute http or https URL
   * @param secretRef the secret's reference, resolved by {@link Secrets} at each attempt
   * @param payload the JSON body (sent as its UTF-8 bytes)
   * @param replyTo gets done once {@link Requested} is written; an error on invalid input
   */
  public record Deliver(
      @JsonProperty("url") String url,
      @JsonProperty("secret_ref") String secretRef,
      @JsonProperty("payload") String payload,
      @JsonProperty("reply_to") ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /** Internal (the entity's timer): attempt {@code attempt} is due. Ignored unless it is the scheduled attempt. */
  public record AttemptDue(@JsonProperty("attempt") int attempt) implements Command {
    @JsonCreator
    public AttemptDue {}
  }

  /** Internal (piped from the {@link WebhookSender}): attempt {@code attempt} ended. Stale results are ignored. */
  public record AttemptFinished(
      @JsonProperty("attempt") int attempt,
      @JsonProperty("result") AttemptResult result)
      implements Command {}

  /** Reads the delivery and its log. @param replyTo gets the {@link State} */
  public record Get(@JsonProperty("reply_to") ActorRef<State> replyTo) implements Command {
    @JsonCreator
    public Get {}
  }

  /**
   * Sends a delivered or abandoned notification again ("redeliver from here"): the next attempt is due at once and
   * the retry horizon starts again. Error when nothing was requested or it is still pending.
   */
  public record Redeliver(@JsonProperty("reply_to") ActorRef<StatusReply<Done>> replyTo) implements Command {
    @JsonCreator
    public Redeliver {}
  }

  // ------------------------------------------------------------------------------------------------------ events

  /** Events of the delivery entity. */
  public sealed interface Event extends JsonSerializable {}

  /** The notification was decided: what to send where (written before any attempt). */
  public record Requested(
      @JsonProperty("url") String url,
      @JsonProperty("secret_ref") String secretRef,
      @JsonProperty("payload") String payload,
      @JsonProperty("at") Instant at)
      implements Event {}

  /** Attempt {@code attempt} is due at {@code at} (the persisted deadline, re-armed on recovery). */
  public record NextAttemptScheduled(@JsonProperty("attempt") int attempt, @JsonProperty("at") Instant at)
      implements Event {}

  /** Attempt {@code attempt} started at {@code at}: the POST is about to go out. */
  public record AttemptStarted(@JsonProperty("attempt") int attempt, @JsonProperty("at") Instant at)
      implements Event {}

  /** The result of an attempt, for the log. */
  public record AttemptRecorded(@JsonProperty("attempt") Attempt attempt) implements Event {
    @JsonCreator
    public AttemptRecorded {}
  }

  /** The receiver accepted attempt {@code attempt} (2xx). */
  public record Delivered(@JsonProperty("attempt") int attempt, @JsonProperty("at") Instant at) implements Event {}

  /** No more attempts: a final response, or the retry horizon passed. */
  public record GaveUp(@JsonProperty("at") Instant at, @JsonProperty("reason") String reason) implements Event {}

  /** {@link Redeliver}: a new round of attempts (the horizon restarts at its first attempt). */
  public record RedeliveryRequested(@JsonProperty("at") Instant at) implements Event {
    @JsonCreator
    public RedeliveryRequested {}
  }

  // ------------------------------------------------------------------------------------------------------- state

  /** Where a delivery stands. */
  public enum Status {
    /** Attempts go on. */
    PENDING,
    /** A 2xx was received. */
    DELIVERED,
    /** Given up (final response or horizon). */
    GAVE_UP
  }

  /**
   * One attempt in the delivery log.
   *
   * @param number 1, 2, ... (counting on across redeliveries)
   * @param startedAt when it started (entity clock)
   * @param finishedAt when its result was recorded (entity clock)
   * @param status the HTTP status, null when there was none
   * @param error the error when there was no status (network, timeout, missing secret, interrupted), else null
   * @param durationMs the sender's measured duration in milliseconds; -1 when unknown
   * @param verdict what the policy made of it
   */
  public record Attempt(
      @JsonProperty("number") int number,
      @JsonProperty("started_at") Instant startedAt,
      @JsonProperty("finished_at") Instant finishedAt,
      @JsonProperty("status") Integer status,
      @JsonProperty("error") String error,
      @JsonProperty("duration_ms") long durationMs,
      @JsonProperty("verdict") RetryPolicy.Verdict verdict) {}

  /** State of the delivery entity. */
  public sealed interface State extends JsonSerializable {}

  /** Nothing was requested under this id yet. */
  public record NotRequested() implements State {
    @JsonCreator
    public NotRequested {}
  }

  /**
   * A requested notification and its log.
   *
   * @param url where it goes
   * @param secretRef its secret's reference
   * @param payload the JSON body
   * @param requestedAt when {@link Requested} was written
   * @param status pending, delivered or given up
   * @param attempts the log, oldest first
   * @param nextAttempt the number of the scheduled attempt; null when none is scheduled
   * @param nextAttemptAt its deadline; null when none is scheduled
   * @param inFlight the number of the attempt started without a result yet; null when none
   * @param inFlightSince when that attempt started; null when none
   * @param roundStartedAt the first attempt of the current round (the horizon's start); null before it
   * @param roundFailures failed attempts of the current round (the backoff exponent)
   * @param closedAt when it was delivered or given up; null while pending
   * @param gaveUpReason why it gave up; null otherwise
   */
  public record Delivery(
      @JsonProperty("url") String url,
      @JsonProperty("secret_ref") String secretRef,
      @JsonProperty("payload") String payload,
      @JsonProperty("requested_at") Instant requestedAt,
      @JsonProperty("status") Status status,
      @JsonProperty("attempts") List<Attempt> attempts,
      @JsonProperty("next_attempt") Integer nextAttempt,
      @JsonProperty("next_attempt_at") Instant nextAttemptAt,
      @JsonProperty("in_flight") Integer inFlight,
      @JsonProperty("in_flight_since") Instant inFlightSince,
      @JsonProperty("round_started_at") Instant roundStartedAt,
      @JsonProperty("round_failures") int roundFailures,
      @JsonProperty("closed_at") Instant closedAt,
      @JsonProperty("gave_up_reason") String gaveUpReason)
      implements State {
    /** Copies the log. */
    public Delivery {
      attempts = List.copyOf(attempts);
    }

    /** The number the next new attempt gets. */
    int nextNumber() {
      return attempts.size() + (inFlight == null ? 1 : 2);
    }

    Delivery apply(Event e) {
      if (e instanceof NextAttemptScheduled n) {
        return new Delivery(url, secretRef, payload, requestedAt, Status.PENDING, attempts, n.attempt(), n.at(),
            inFlight, inFlightSince, roundStartedAt, roundFailures, null, null);
      }
      if (e instanceof AttemptStarted a) {
        return new Delivery(url, secretRef, payload, requestedAt, status, attempts, null, null, a.attempt(),
            a.at(), roundStartedAt == null ? a.at() : roundStartedAt, roundFailures, closedAt, gaveUpReason);
      }
      if (e instanceof AttemptRecorded r) {
        List<Attempt> log = new ArrayList<>(attempts);
        log.add(r.attempt());
        int failures = roundFailures + (r.attempt().verdict() == RetryPolicy.Verdict.DELIVERED ? 0 : 1);
        return new Delivery(url, secretRef, payload, requestedAt, status, log, nextAttempt, nextAttemptAt, null,
            null, roundStartedAt, failures, closedAt, gaveUpReason);
      }
      if (e instanceof Delivered d) {
        return new Delivery(url, secretRef, payload, requestedAt, Status.DELIVERED, attempts, null, null, null,
            null, roundStartedAt, roundFailures, d.at(), null);
      }
      if (e instanceof GaveUp g) {
        return new Delivery(url, secretRef, payload, requestedAt, Status.GAVE_UP, attempts, null, null, null,
            null, roundStartedAt, roundFailures, g.at(), g.reason());
      }
      if (e instanceof RedeliveryRequested) {
        return new Delivery(url, secretRef, payload, requestedAt, Status.PENDING, attempts, null, null, null, null, null,
            0, null, null);
      }
      throw new IllegalStateException("unexpected event for a requested delivery: " + e);
    }
  }

  // ---------------------------------------------------------------------------------------------------- behavior

  /**
   * Registers the entity type with sharding (idempotent).
   *
   * @return the shard region; send {@link ShardingEnvelope}s with {@link DeliveryId#entityId()}
   */
  public static ActorRef<ShardingEnvelope<Command>> init(
      ClusterSharding sharding, Settings settings, WebhookSender sender, Secrets secrets) {
    return sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), settings, sender, secrets)));
  }

  /**
   * Registers the entity type with sharding with <b>remember-entities</b> (event-sourced remember store), so that
   * pending deliveries are started again after a full cluster restart (issue 4). A delivery passivates itself when it
   * is delivered or given up, which makes sharding forget it; a {@link Redeliver} or {@link Get} starts it again.
   *
   * @return the shard region; send {@link ShardingEnvelope}s with {@link DeliveryId#entityId()}
   */
  public static ActorRef<ShardingEnvelope<Command>> initRemembered(
      ClusterSharding sharding, ActorSystem<?> system, Channel channel, Settings settings, WebhookSender sender,
      Resolver resolver) {
    return initRemembered(sharding, system, channel, settings, sender, resolver, DeliveryIndex.NONE);
  }

  /**
   * {@link #initRemembered(ClusterSharding, ActorSystem, Channel, Settings, WebhookSender, Resolver)} with an index
   * that every entity writes its state to after each change and on recovery (the delivery log's listing, issue 4).
   *
   * @return the shard region; send {@link ShardingEnvelope}s with {@link DeliveryId#entityId()}
   */
  public static ActorRef<ShardingEnvelope<Command>> initRemembered(
      ClusterSharding sharding, ActorSystem<?> system, Channel channel, Settings settings, WebhookSender sender,
      Resolver resolver, DeliveryIndex index) {
    Objects.requireNonNull(index, "index");
    return sharding.init(Entity.of(channel.key(), ctx -> create(channel, ctx.getEntityId(), settings, sender,
            resolver, Optional.of(shard -> ctx.getShard().tell(new ClusterSharding.Passivate<>(shard))), index))
        .withSettings(ClusterShardingSettings.create(system)
            .withRememberEntities(true)
            .withRememberEntitiesStoreMode(
                ClusterShardingSettings.RememberEntitiesStoreModeEventSourced$.MODULE$)));
  }

  /**
   * The behavior of delivery {@code entityId}.
   *
   * @throws IllegalArgumentException when the id is not a {@link DeliveryId#entityId()}
   */
  public static Behavior<Command> create(String entityId, Settings settings, WebhookSender sender, Secrets secrets) {
    Objects.requireNonNull(secrets, "secrets");
    return create(Channel.WEBHOOK, entityId, settings, sender, Resolver.of(secrets), Optional.empty());
  }

  /**
   * The behavior of delivery {@code entityId} with a resolver of what each attempt sends.
   *
   * @param passivate when present, called with the entity's own ref once the delivery is closed (delivered or given
   *     up), also when it recovers closed: under sharding it asks the shard to passivate (and forget) the entity
   * @throws IllegalArgumentException when the id is not a {@link DeliveryId#entityId()}
   */
  public static Behavior<Command> create(Channel channel, String entityId, Settings settings, WebhookSender sender,
      Resolver resolver, Optional<java.util.function.Consumer<ActorRef<Command>>> passivate) {
    return create(channel, entityId, settings, sender, resolver, passivate, DeliveryIndex.NONE);
  }

  /**
   * The behavior of delivery {@code entityId} that writes its state to {@code index} after every change and on
   * recovery (issue 4, the delivery log's listing). A {@link Get} or {@link Redeliver} of a delivery that was never
   * requested passivates the entity (with {@code passivate}), so that reading an unknown id does not leave a
   * remembered entity behind.
   *
   * @throws IllegalArgumentException when the id is not a {@link DeliveryId#entityId()}
   */
  public static Behavior<Command> create(Channel channel, String entityId, Settings settings, WebhookSender sender,
      Resolver resolver, Optional<java.util.function.Consumer<ActorRef<Command>>> passivate, DeliveryIndex index) {
    DeliveryId.parse(entityId);
    Objects.requireNonNull(index, "index");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(resolver, "resolver");
    Objects.requireNonNull(passivate, "passivate");
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new WebhookDelivery(channel, entityId, settings, sender, resolver, passivate, index, ctx,
            timers)));
  }

  private final Channel channel;
  private final String id;
  private final Settings settings;
  private final WebhookSender sender;
  private final Resolver resolver;
  private final Optional<java.util.function.Consumer<ActorRef<Command>>> passivate;
  private final DeliveryIndex index;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;

  private WebhookDelivery(Channel channel, String id, Settings settings, WebhookSender sender, Resolver resolver,
      Optional<java.util.function.Consumer<ActorRef<Command>>> passivate, DeliveryIndex index,
      ActorContext<Command> ctx, TimerScheduler<Command> timers) {
    super(PersistenceId.ofUniqueId(channel.key().name() + "|" + id));
    this.channel = channel;
    this.id = id;
    this.settings = settings;
    this.sender = sender;
    this.resolver = resolver;
    this.passivate = passivate;
    this.index = index;
    this.ctx = ctx;
    this.timers = timers;
  }

  @Override
  public State emptyState() {
    return new NotRequested();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          index(state); // heals a write lost before the stop
          if (state instanceof Delivery d && d.status() == Status.PENDING && d.inFlight() != null) {
            // Started before a stop, result unknown: record it as a failed attempt, which schedules the next one.
            ctx.getSelf().tell(new AttemptFinished(d.inFlight(), new AttemptResult.Failure(INTERRUPTED, false, -1)));
          } else {
            arm(state);
          }
        })
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> b = newCommandHandlerWithReplyBuilder();
    b.forStateType(NotRequested.class)
        .onCommand(Deliver.class, this::deliver)
        .onCommand(Redeliver.class, (s, c) -> Effect().none().thenRun(x -> forgetUnknown()).thenReply(c.replyTo(),
            x -> StatusReply.error(NOT_REQUESTED_PREFIX + id + " was requested")))
        .onCommand(Get.class, (s, c) -> Effect().none().thenRun(x -> forgetUnknown()).thenReply(c.replyTo(), x -> x))
        .onCommand(AttemptDue.class, (s, c) -> Effect().noReply())
        .onCommand(AttemptFinished.class, (s, c) -> Effect().noReply());
    b.forStateType(Delivery.class)
        .onCommand(Deliver.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.ack()))
        .onCommand(AttemptDue.class, this::attemptDue)
        .onCommand(AttemptFinished.class, this::attemptFinished)
        .onCommand(Redeliver.class, this::redeliver);
    b.forStateType(Delivery.class).onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), s));
    return b.build();
  }

  private ReplyEffect<Event, State> deliver(NotRequested s, Deliver c) {
    String problem = invalid(c, channel);
    if (problem != null) {
      return Effect().reply(c.replyTo(), StatusReply.error(problem));
    }
    Instant at = now();
    return Effect().persist(List.of(new Requested(c.url(), c.secretRef(), c.payload(), at),
            new NextAttemptScheduled(1, at)))
        .thenRun(this::armAndIndex)
        .thenReply(c.replyTo(), ns -> StatusReply.ack());
  }

  private static String invalid(Deliver c, Channel channel) {
    String what = channel == Channel.WEBHOOK ? "a webhook"
        : channel == Channel.SMS ? "an SMS notification" : "an email notification";
    if (c.payload() == null || c.payload().isBlank()) {
      return what + " needs a payload";
    }
    if (c.secretRef() == null || c.secretRef().isBlank()) {
      return what + " needs a secret reference";
    }
    String need = channel == Channel.WEBHOOK ? "a webhook URL must be an absolute http(s) URL, got "
        : channel == Channel.SMS ? "an SMS target must be sms:<E.164> or sms:caller, got "
        : "an email target must be a mailto: URI with recipients, got ";
    try {
      URI u = new URI(c.url());
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
      boolean located = channel == Channel.WEBHOOK ? u.getHost() != null
          : channel == Channel.SMS ? SmsTransport.validTarget(c.url())
          : u.getSchemeSpecificPart() != null && u.getSchemeSpecificPart().contains("@");
      if (!channel.schemes().contains(scheme) || !located) {
        return need + c.url();
      }
    } catch (Exception e) {
      return need + c.url();
    }
    return null;
  }

  private ReplyEffect<Event, State> attemptDue(Delivery s, AttemptDue c) {
    if (s.status() != Status.PENDING || s.inFlight() != null || s.nextAttempt() == null
        || s.nextAttempt() != c.attempt()) {
      return Effect().noReply(); // stale: the attempt ran, or the state moved on
    }
    Instant at = now();
    if (at.isBefore(s.nextAttemptAt())) {
      arm(s); // early (e.g. a clock moved by a test, or a timer from before a recovery): wait for the deadline
      return Effect().noReply();
    }
    int n = c.attempt();
    return Effect().persist(new AttemptStarted(n, at))
        .thenRun(ns -> send((Delivery) ns, n, at))
        .thenNoReply();
  }

  private void send(Delivery d, int n, Instant at) {
    CompletionStage<AttemptResult> result;
    try {
      result = resolver.resolve(d.secretRef(), d.payload()).thenCompose(resolved -> {
        if (resolved.isEmpty() || (channel == Channel.WEBHOOK && resolved.get().secret().length == 0)) {
          return CompletableFuture.completedFuture(
              new AttemptResult.Failure("no secret for reference " + d.secretRef(), false, 0));
        }
        byte[] body = resolved.get().body().getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        if (channel == Channel.WEBHOOK) {
          headers.put(WebhookSignature.HEADER,
              WebhookSignature.header(resolved.get().secret(), at.getEpochSecond(), body));
        }
        headers.put(WebhookSignature.IDEMPOTENCY_HEADER, id);
        headers.put(ATTEMPT_HEADER, Integer.toString(n));
        return sender.send(new WebhookSender.Request(URI.create(d.url()), headers, body, settings.requestTimeout()));
      });
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    ctx.pipeToSelf(result, (r, error) -> new AttemptFinished(n, r != null ? r
        : new AttemptResult.Failure("resolving or sending failed: " + error, false, -1)));
  }

  private ReplyEffect<Event, State> attemptFinished(Delivery s, AttemptFinished c) {
    if (s.inFlight() == null || s.inFlight() != c.attempt()) {
      return Effect().noReply(); // a result from before a recovery or a redelivery
    }
    Instant at = now();
    AttemptResult r = c.result();
    RetryPolicy.Verdict verdict = RetryPolicy.classify(r);
    Integer status = r instanceof AttemptResult.Response resp ? resp.status() : null;
    String error = r instanceof AttemptResult.Failure f ? f.error()
        : r instanceof AttemptResult.Refused x ? x.error() : null;
    Attempt attempt = new Attempt(c.attempt(), s.inFlightSince(), at, status, error, r.durationMs(), verdict);
    List<Event> events = new ArrayList<>();
    events.add(new AttemptRecorded(attempt));
    if (verdict == RetryPolicy.Verdict.DELIVERED) {
      events.add(new Delivered(c.attempt(), at));
    } else if (verdict == RetryPolicy.Verdict.FINAL) {
      events.add(new GaveUp(at, "final response " + (status != null ? status : error) + " to attempt "
          + c.attempt()));
    } else {
      Duration retryAfter = r instanceof AttemptResult.Response resp
          ? RetryPolicy.parseRetryAfter(resp.retryAfter(), at) : null;
      Instant roundStart = s.roundStartedAt() == null ? at : s.roundStartedAt();
      Instant next = settings.policy().nextAttemptAt(roundStart, at, s.roundFailures() + 1, retryAfter,
          settings.random());
      if (next == null) {
        events.add(new GaveUp(at, "no success within " + settings.policy().giveUpAfter() + " since "
            + roundStart + " (" + (s.roundFailures() + 1) + " failed attempts; last: " + describe(attempt) + ")"));
      } else {
        events.add(new NextAttemptScheduled(c.attempt() + 1, next));
      }
    }
    Event last = events.get(events.size() - 1);
    return Effect().persist(events).thenRun(st -> {
      logOutcome(attempt, last);
      armAndIndex(st);
    }).thenNoReply();
  }

  /**
   * One log line per unsuccessful attempt (WARN, with the next attempt's time) and per delivery given up (ERROR), so an
   * operator sees a misconfigured SMTP server, SMSC or webhook receiver in the node's log and not only in the delivery
   * log API; successes are logged at DEBUG.
   */
  private void logOutcome(Attempt attempt, Event last) {
    if (last instanceof Delivered) {
      LOG.debug("delivery {} ({}): attempt {} accepted", id, channel, attempt.number());
    } else if (last instanceof NextAttemptScheduled next) {
      LOG.warn("delivery {} ({}): attempt {} failed ({}); next attempt at {}", id, channel, attempt.number(),
          describe(attempt), next.at());
    } else if (last instanceof GaveUp gaveUp) {
      LOG.error("delivery {} ({}): given up: {}", id, channel, gaveUp.reason());
    }
  }

  private ReplyEffect<Event, State> redeliver(Delivery s, Redeliver c) {
    if (s.status() == Status.PENDING) {
      return Effect().reply(c.replyTo(), StatusReply.error("webhook delivery " + id + " is still pending"
          + (s.nextAttemptAt() == null ? "" : " (next attempt at " + s.nextAttemptAt() + ")")));
    }
    Instant at = now();
    return Effect().persist(List.of(new RedeliveryRequested(at), new NextAttemptScheduled(s.nextNumber(), at)))
        .thenRun(this::armAndIndex)
        .thenReply(c.replyTo(), ns -> StatusReply.ack());
  }

  /** A read of an id never requested: stop, so that remember-entities does not start it again at every restart. */
  private void forgetUnknown() {
    passivate.ifPresent(p -> p.accept(ctx.getSelf()));
  }

  private void armAndIndex(State state) {
    arm(state);
    index(state);
  }

  /** Writes the delivery's summary to the index (not awaited; a failure is logged, the next change writes again). */
  private void index(State state) {
    if (!(state instanceof Delivery d)) {
      return;
    }
    long seqNr = lastSequenceNumber(ctx);
    try {
      index.record(channel, id, seqNr, d).whenComplete((done, error) -> {
        if (error != null) {
          LOG.warn("delivery {} ({}): index write at seqNr {} failed: {}", id, channel, seqNr, error.toString());
        }
      });
    } catch (RuntimeException e) {
      LOG.warn("delivery {} ({}): index write failed: {}", id, channel, e.toString());
    }
  }

  private static String describe(Attempt a) {
    return a.status() != null ? "HTTP " + a.status() : a.error();
  }

  /** Arms the attempt timer for the scheduled attempt, if any (delay 0 for a deadline already passed). */
  private void arm(State state) {
    if (state instanceof Delivery d && d.status() == Status.PENDING && d.inFlight() == null
        && d.nextAttempt() != null) {
      Duration delay = Duration.between(now(), d.nextAttemptAt());
      timers.startSingleTimer(ATTEMPT_TIMER, new AttemptDue(d.nextAttempt()),
          delay.isNegative() ? Duration.ZERO : delay);
    } else {
      timers.cancel(ATTEMPT_TIMER);
      if (state instanceof Delivery d && d.status() != Status.PENDING) {
        passivate.ifPresent(p -> p.accept(ctx.getSelf())); // closed: nothing left to do, sharding may forget it
      }
    }
  }

  private Instant now() {
    return settings.clock().instant();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    var b = newEventHandlerBuilder();
    b.forStateType(NotRequested.class).onEvent(Requested.class, (s, e) -> new Delivery(e.url(), e.secretRef(),
        e.payload(), e.at(), Status.PENDING, List.of(), null, null, null, null, null, 0, null, null));
    b.forStateType(Delivery.class).onEvent(Event.class, (s, e) -> s.apply(e));
    return b.build();
  }
}
