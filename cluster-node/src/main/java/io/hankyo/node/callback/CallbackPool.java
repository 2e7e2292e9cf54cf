package io.hankyo.node.callback;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.privacy.EncryptedValue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

/**
 * The callback number pool of one operator (折返し通話トラッキング, issue 4, spec section 4): the numbers a missed-call
 * notification may show, and which missed call holds which of them until when.
 *
 * <p>Entity id = operator id. {@link Lease} gives a missed call ({@code trn_id}) a free number for the pool's
 * {@code hold_sec}; the same {@code trn_id} asking again gets the same lease back while it holds. A number is free
 * when it has no lease or its lease has expired (checked at lease time with the entity's clock); among the free
 * numbers the one whose last lease ended longest ago is taken (never-leased numbers first), which keeps a just-freed
 * number out of use as long as possible. When no number is free the answer is {@link LeaseResult.PoolEmpty}: a held
 * number is never reused. A withheld caller gets {@link LeaseResult.NoCaller}. Numbers removed from the pool by
 * {@link Configure} are not leased again; their current leases run out. Routing of calls to a leased number is not
 * this entity's work: {@link CallbackNumber} holds each number's lease (written by {@link CallbackNumbers}).
 */
public final class CallbackPool
    extends EventSourcedBehaviorWithEnforcedReplies<CallbackPool.Command, CallbackPool.Event, CallbackPool.State> {

  /** Sharding key of the entity type. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "CallbackPool");

  /** Shortest hold: 1 hour. */
  public static final long MIN_HOLD_SEC = 3600;
  /** Longest hold: 90 days. */
  public static final long MAX_HOLD_SEC = 90L * 86400;
  /** Hold of a pool that never set one: 7 days. */
  public static final long DEFAULT_HOLD_SEC = 7L * 86400;

  /** Commands. */
  public sealed interface Command extends JsonSerializable {}

  /**
   * Replaces the numbers and the hold period (the API's {@code PUT /v1/callback-pool}; the caller has validated the
   * numbers and claimed them in {@link CallbackNumber}).
   *
   * @param numbers the pool, no duplicates
   * @param holdSec how long a lease holds, seconds, {@value #MIN_HOLD_SEC}..{@value #MAX_HOLD_SEC}; else rejected
   */
  public record Configure(
      @JsonProperty("numbers") List<PhoneNumber> numbers,
      @JsonProperty("hold_sec") long holdSec,
      @JsonProperty("reply_to") ActorRef<StatusReply<PoolView>> replyTo)
      implements Command {
    @JsonCreator
    public Configure {
      numbers = List.copyOf(numbers);
    }
  }

  /** Reads the pool. */
  public record Get(@JsonProperty("reply_to") ActorRef<PoolView> replyTo) implements Command {
    @JsonCreator
    public Get {}
  }

  /**
   * Leases a number for a missed call.
   *
   * @param trnId the missed call's {@code trn_id}
   * @param callerCipher the missed call's {@code clr_id_cipher}; null when the caller was withheld
   */
  public record Lease(
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("dialin_id") String dialinId,
      @JsonProperty("caller_cipher") EncryptedValue callerCipher,
      @JsonProperty("reply_to") ActorRef<Granted> replyTo)
      implements Command {
    @JsonCreator
    public Lease {}
  }

  /** Ends the lease of a missed call now (its number becomes free); a {@code trn_id} without a lease is fine. */
  public record Release(@JsonProperty("trn_id") String trnId, @JsonProperty("reply_to") ActorRef<Released> replyTo)
      implements Command {
    @JsonCreator
    public Release {}
  }

  /** Reply to {@link Release}: the number that was freed, empty when the call held none. */
  public record Released(@JsonProperty("number") Optional<PhoneNumber> number) implements JsonSerializable {
    @JsonCreator
    public Released {
      number = number == null ? Optional.empty() : number;
    }
  }

  /** Reply to {@link Lease}: the result, and the lease itself when one was granted (null otherwise). */
  public record Granted(
      @JsonProperty("result") LeaseResult result,
      @JsonProperty("lease") @JsonInclude(JsonInclude.Include.NON_NULL) CallbackLease lease)
      implements JsonSerializable {
    @JsonCreator
    public Granted {}
  }

  /**
   * The pool as the API shows it.
   *
   * @param numbers the numbers, in the order configured
   * @param holdSec the hold period, seconds
   * @param leased how many numbers are held at the time of the read
   */
  public record PoolView(
      @JsonProperty("numbers") List<PhoneNumber> numbers,
      @JsonProperty("hold_sec") long holdSec,
      @JsonProperty("leased") int leased)
      implements JsonSerializable {
    @JsonCreator
    public PoolView {
      numbers = List.copyOf(numbers);
    }
  }

  /** Events. */
  public sealed interface Event extends JsonSerializable {}

  /** The pool's numbers and hold period were set. */
  public record PoolConfigured(@JsonProperty("numbers") List<PhoneNumber> numbers,
      @JsonProperty("hold_sec") long holdSec) implements Event {
    @JsonCreator
    public PoolConfigured {
      numbers = List.copyOf(numbers);
    }
  }

  /** A number was leased (replaces any earlier, expired lease of the number). */
  public record NumberLeased(@JsonProperty("lease") CallbackLease lease) implements Event {
    @JsonCreator
    public NumberLeased {}
  }

  /** A lease was ended early; the number keeps {@code endedAt} as the end of its last lease. */
  public record LeaseReleased(@JsonProperty("number") String numberE164, @JsonProperty("trn_id") String trnId,
      @JsonProperty("ended_at") Instant endedAt) implements Event {
    @JsonCreator
    public LeaseReleased {}
  }

  /**
   * State.
   *
   * @param numbers the pool
   * @param holdSec the hold period, seconds
   * @param leases the last lease of each number ever leased, by E.164 (expired ones stay until replaced: their
   *     {@code until} orders reuse)
   */
  public record State(
      @JsonProperty("numbers") List<PhoneNumber> numbers,
      @JsonProperty("hold_sec") long holdSec,
      @JsonProperty("leases") Map<String, CallbackLease> leases)
      implements JsonSerializable {
    @JsonCreator
    public State {
      numbers = numbers == null ? List.of() : List.copyOf(numbers);
      leases = leases == null ? Map.of() : Map.copyOf(leases);
    }

    /** The active lease of a missed call at {@code now}. */
    public Optional<CallbackLease> leaseOf(String trnId, Instant now) {
      return leases.values().stream().filter(l -> l.origTrnId().equals(trnId) && l.activeAt(now)).findFirst();
    }

    /**
     * The number to lease at {@code now}: a pool number without an active lease, never-leased ones first (pool
     * order), then the one whose last lease ended first; empty when all are held.
     */
    public Optional<PhoneNumber> freeNumber(Instant now) {
      PhoneNumber best = null;
      Instant bestEnd = null;
      for (PhoneNumber n : numbers) {
        CallbackLease last = leases.get(n.e164());
        if (last == null) {
          return Optional.of(n);
        }
        if (!last.activeAt(now) && (bestEnd == null || last.until().isBefore(bestEnd))) {
          best = n;
          bestEnd = last.until();
        }
      }
      return Optional.ofNullable(best);
    }

    PoolView view(Instant now) {
      int held = (int) numbers.stream()
          .filter(n -> leases.containsKey(n.e164()) && leases.get(n.e164()).activeAt(now)).count();
      return new PoolView(numbers, holdSec, held);
    }
  }

  private final String operatorId;
  private final Clock clock;

  /** Registers the entity type with sharding (system clock). */
  public static void init(ClusterSharding sharding) {
    sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), Clock.systemUTC())));
  }

  /**
   * The pool of {@code operatorId}.
   *
   * @param clock decides expiry and lease times (tests pass a manual clock)
   */
  public static Behavior<Command> create(String operatorId, Clock clock) {
    return new CallbackPool(operatorId, clock);
  }

  private CallbackPool(String operatorId, Clock clock) {
    super(PersistenceId.of(ENTITY_KEY.name(), operatorId));
    this.operatorId = operatorId;
    this.clock = clock;
  }

  @Override
  public State emptyState() {
    return new State(List.of(), DEFAULT_HOLD_SEC, Map.of());
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Configure.class, this::onConfigure)
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), s.view(clock.instant())))
        .onCommand(Lease.class, this::onLease)
        .onCommand(Release.class, this::onRelease)
        .build();
  }

  private ReplyEffect<Event, State> onConfigure(State state, Configure cmd) {
    if (cmd.holdSec() < MIN_HOLD_SEC || cmd.holdSec() > MAX_HOLD_SEC) {
      return Effect().reply(cmd.replyTo(), StatusReply.error(
          "hold_sec must be " + MIN_HOLD_SEC + ".." + MAX_HOLD_SEC + " seconds, was " + cmd.holdSec()));
    }
    if (cmd.numbers().stream().map(PhoneNumber::e164).distinct().count() != cmd.numbers().size()) {
      return Effect().reply(cmd.replyTo(), StatusReply.error("numbers must not repeat"));
    }
    return Effect().persist(new PoolConfigured(cmd.numbers(), cmd.holdSec()))
        .thenReply(cmd.replyTo(), s -> StatusReply.success(s.view(clock.instant())));
  }

  private ReplyEffect<Event, State> onLease(State state, Lease cmd) {
    if (cmd.callerCipher() == null) {
      return Effect().reply(cmd.replyTo(), new Granted(new LeaseResult.NoCaller(), null));
    }
    Instant now = clock.instant();
    Optional<CallbackLease> held = state.leaseOf(cmd.trnId(), now);
    if (held.isPresent()) {
      return Effect().reply(cmd.replyTo(), granted(held.get()));
    }
    Optional<PhoneNumber> free = state.freeNumber(now);
    if (free.isEmpty()) {
      return Effect().reply(cmd.replyTo(), new Granted(new LeaseResult.PoolEmpty(), null));
    }
    CallbackLease lease = new CallbackLease(free.get(), operatorId, cmd.trnId(), cmd.clientId(), cmd.dialinId(),
        cmd.callerCipher(), now, now.plus(Duration.ofSeconds(state.holdSec())));
    return Effect().persist(new NumberLeased(lease)).thenReply(cmd.replyTo(), s -> granted(lease));
  }

  private static Granted granted(CallbackLease lease) {
    return new Granted(new LeaseResult.Leased(lease.number(), lease.until()), lease);
  }

  private ReplyEffect<Event, State> onRelease(State state, Release cmd) {
    Instant now = clock.instant();
    Optional<CallbackLease> held = state.leaseOf(cmd.trnId(), now);
    if (held.isEmpty()) {
      return Effect().reply(cmd.replyTo(), new Released(Optional.empty()));
    }
    return Effect().persist(new LeaseReleased(held.get().number().e164(), cmd.trnId(), now))
        .thenReply(cmd.replyTo(), s -> new Released(Optional.of(held.get().number())));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(PoolConfigured.class, (s, e) -> new State(e.numbers(), e.holdSec(), s.leases()))
        .onEvent(NumberLeased.class, (s, e) -> {
          Map<String, CallbackLease> leases = new LinkedHashMap<>(s.leases());
          leases.put(e.lease().number().e164(), e.lease());
          return new State(s.numbers(), s.holdSec(), leases);
        })
        .onEvent(LeaseReleased.class, (s, e) -> {
          Map<String, CallbackLease> leases = new LinkedHashMap<>(s.leases());
          CallbackLease l = leases.get(e.numberE164());
          if (l != null && l.origTrnId().equals(e.trnId())) {
            leases.put(e.numberE164(), new CallbackLease(l.number(), l.operatorId(), l.origTrnId(), l.clientId(),
                l.dialinId(), l.callerCipher(), l.leasedAt(), e.endedAt()));
          }
          return new State(s.numbers(), s.holdSec(), leases);
        })
        .build();
  }
}
