package io.hankyo.node.pool;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
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
import scala.Option;
import scala.collection.immutable.HashMap;

/**
 * Which pool each visitor session id belongs to, for one bucket of one operator's session ids (issue 5 pools: "a
 * session id reused across pools" is refused with 409, nothing assigned). Replaces one entity per session id
 * ({@code PoolSession}, one journal write and one recovery per new session, kept forever) by {@code buckets}
 * entities per operator ({@code hankyo.pools.session-buckets}). Entity id = {@link #entityId}({@code operatorId},
 * {@code sessionId}, {@code buckets}) = {@code operatorId/b} with {@code b = floorMod(sessionId.hashCode(), buckets)}.
 *
 * <p>Rule: a session id belongs to the first pool of its operator that claimed it while the claim lives. A claim lives
 * its {@code life} from its last write ({@code until = now + life}), and the life depends on the claiming pool:
 * {@link #claimLife} = 2 × the pool's {@code hold_sec}, at least {@link #MIN_CLAIM_LIFE}, at most {@code claimTtl}
 * ({@code hankyo.pools.session-claim-ttl}, the cap; 48 h = 2 × the longest hold of 86,400 s), carried by the {@link
 * Claim} command and its {@link Claimed} event (so replay decides the same way; a command, event or snapshot written
 * before the field existed reads as the cap). The owning pool asking again is acknowledged, and when less than half of
 * the claim's life is left the claim is renewed (written again), so a session that keeps viewing pages keeps its pool,
 * and a claim is written at most about twice per life per session. Why twice the hold: at any page view the claim's
 * end is then at least that view + life / 2 ≥ the end of the hold handed out at that view, so a session that holds a
 * number in one pool can never be claimed by another (given a cap of at least 2 × the longest hold). Another pool
 * asking while the claim lives is refused ({@link StatusReply#error}, text for API users); after it expired, the
 * session id is free again and the next pool asking claims it. A busy site keeps about 1 to 2 × its sessions per life
 * in memory and in each bucket's snapshot (one Cassandra row): a short-hold pool's claims go after minutes, not 48 h.
 *
 * <p>A claim is decided and answered when it arrives, on the written claims and those still waiting for their write;
 * the claims to write (new, or renewed) are gathered for {@code writeWindow} (or until {@value #MAX_BATCH} wait) and
 * persisted as ONE event ({@link Claimed} for one, {@link ClaimedAll} for more: one journal row). Claims arriving while
 * that write runs are stashed by Pekko and decided after it. Unlike a pool's assignment, which is in the journal before
 * it is answered, a claim is answered before its write: a new session's assignment then costs one journal write (the
 * pool's), and the claims of a bucket, each operator's new sessions spread over {@code buckets} entities, are written
 * many at a time (docs/performance.md "Stop 15": at one write per claim the claims were most of the node's journal
 * writes). The price: when the node crashes, or the write fails (the entity then stops), the claims of the last window
 * are forgotten, so those session ids could be claimed by another pool afterwards; a graceful stop ({@link Stop}, the
 * sharding stop message) writes them first. The assignments made under them are unaffected. Claims answered from
 * memory (the owning pool again with more than half of the claim left, or a refusal) write nothing. Bounded state:
 * expired claims (each by its own end) are dropped from the state at most once per min({@code claimTtl / 8}, {@link
 * #MAX_PURGE_EVERY}) (when a {@link Claimed} event is applied that late after the last purge, so replay purges the
 * same), and a snapshot is taken every {@value #SNAPSHOT_EVERY} events (2 kept).
 */
public final class PoolSessions extends EventSourcedBehaviorWithEnforcedReplies<PoolSessions.Command,
    PoolSessions.Event, PoolSessions.State> {

  /** Sharding key of the entity type. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "PoolSessions");
  /** Most claims in one journal write. */
  public static final int MAX_BATCH = 200;
  /** Events between snapshots. */
  public static final int SNAPSHOT_EVERY = 5000;
  /** The shortest claim life ({@link #claimLife}), however short the pool's hold (unless the cap is shorter). */
  public static final Duration MIN_CLAIM_LIFE = Duration.ofMinutes(10);
  /** Longest time between two purges of expired claims (see the class comment). */
  public static final Duration MAX_PURGE_EVERY = Duration.ofMinutes(5);

  /**
   * The life of a claim by a pool holding numbers {@code holdSec} seconds: 2 × {@code holdSec}, at least {@link
   * #MIN_CLAIM_LIFE}, at most {@code cap} (see the class comment for why twice the hold).
   *
   * @param holdSec the claiming pool's {@code hold_sec} (≥ 0)
   * @param cap {@code hankyo.pools.session-claim-ttl} (positive; wins over the floor when shorter)
   */
  public static Duration claimLife(long holdSec, Duration cap) {
    Duration life = Duration.ofSeconds(Math.max(0, holdSec)).multipliedBy(2);
    if (life.compareTo(MIN_CLAIM_LIFE) < 0) {
      life = MIN_CLAIM_LIFE;
    }
    return life.compareTo(cap) > 0 ? cap : life;
  }

  /** {@code life} when it is set, positive and at most {@code cap}; else {@code cap} (older writers, bad input). */
  static Duration lifeOr(Duration life, Duration cap) {
    return life == null || life.isZero() || life.isNegative() || life.compareTo(cap) > 0 ? cap : life;
  }

  /**
   * The entity id of the bucket holding {@code sessionId} of {@code operatorId}.
   *
   * @param buckets buckets per operator (≥ 1; must be the same on every node and not change while claims live)
   */
  public static String entityId(String operatorId, String sessionId, int buckets) {
    return operatorId + "/" + Math.floorMod(sessionId.hashCode(), buckets);
  }

  /** Commands. */
  public sealed interface Command extends JsonSerializable {}

  /**
   * Claims {@code sessionId} for {@code poolId} at {@code now}, to live {@code life} ({@link #claimLife} of the pool;
   * null, as from a node of an older version, or more than the cap: the cap); answers at once the claim as it stands
   * after this command (the pool, the end and the life of the claim: the pool owns the session until then; written
   * within the write window after the answer, see the class comment), or an error naming the owning pool
   * ({@link #ownerIn} reads it back). {@code replacing}: a pool the caller found deleted; a claim of that pool is taken
   * over as if it had expired (a deleted pool's id is never used again, so its claims protect no hold; without this,
   * the returning visitors of a pool replaced by another would be refused for the rest of their claims' life). Null:
   * only an expired claim is taken over.
   */
  public record Claim(@JsonProperty("session_id") String sessionId, @JsonProperty("pool_id") String poolId,
      @JsonProperty("now") Instant now,
      @JsonProperty("life") @JsonInclude(JsonInclude.Include.NON_NULL) Duration life,
      @JsonProperty("replacing") @JsonInclude(JsonInclude.Include.NON_NULL) String replacing,
      @JsonProperty("reply_to") ActorRef<StatusReply<Owner>> replyTo) implements Command {
    @JsonCreator
    public Claim {}

    /** A claim taking over no pool's claim. */
    public Claim(String sessionId, String poolId, Instant now, Duration life, ActorRef<StatusReply<Owner>> replyTo) {
      this(sessionId, poolId, now, life, null, replyTo);
    }

    /** A claim living the cap ({@code hankyo.pools.session-claim-ttl}). */
    public Claim(String sessionId, String poolId, Instant now, ActorRef<StatusReply<Owner>> replyTo) {
      this(sessionId, poolId, now, null, null, replyTo);
    }
  }

  /** Internal: the write window is over; write the claims answered since the last write. */
  public record FlushClaims() implements Command {
    @JsonCreator
    public FlushClaims {}
  }

  /**
   * Sharding's stop message (hand-off, passivation, node shutdown): writes the claims still waiting for their write,
   * then stops.
   */
  public record Stop() implements Command {
    @JsonCreator
    public Stop {}
  }

  /** Events. */
  public sealed interface Event extends JsonSerializable {}

  /**
   * {@code sessionId} was claimed (or its claim renewed) by {@code poolId} at {@code at}, living {@code life} until
   * {@code until} ({@code life} null: written before the field existed, the cap).
   */
  public record Claimed(@JsonProperty("session_id") String sessionId, @JsonProperty("pool_id") String poolId,
      @JsonProperty("at") Instant at, @JsonProperty("until") Instant until,
      @JsonProperty("life") @JsonInclude(JsonInclude.Include.NON_NULL) Duration life) implements Event {
    @JsonCreator
    public Claimed {}
  }

  /**
   * Several claims written at once, in the order they were decided (a batch of two or more: ONE journal row instead of
   * one per claim, which is what a Cassandra write costs by). Applied as its {@link Claimed} events one after another.
   */
  public record ClaimedAll(@JsonProperty("claims") List<Claimed> claims) implements Event {
    @JsonCreator
    public ClaimedAll {
      claims = List.copyOf(claims);
    }
  }

  /**
   * One live (or not yet purged) claim: the owning pool, the end of the claim and its life (renewed when less than half
   * of it is left; null in a snapshot written before the field existed: the cap; always set in answers).
   */
  public record Owner(@JsonProperty("pool_id") String poolId, @JsonProperty("until") Instant until,
      @JsonProperty("life") @JsonInclude(JsonInclude.Include.NON_NULL) Duration life) implements JsonSerializable {
    @JsonCreator
    public Owner {}
  }

  /**
   * State: claims by session id (an immutable persistent map, so that adding a claim does not copy the others) and the
   * time of the last purge of expired claims.
   */
  public record State(@JsonProperty("claims") HashMap<String, Owner> claims,
      @JsonProperty("purged_at") Instant purgedAt) implements JsonSerializable {
    @JsonCreator
    public State {
      claims = claims == null ? emptyClaims() : claims;
      purgedAt = purgedAt == null ? Instant.EPOCH : purgedAt;
    }

    /** The claim of {@code sessionId} still alive at {@code now}, or null. */
    public Owner liveClaim(String sessionId, Instant now) {
      Option<Owner> o = claims.get(sessionId);
      return o.isDefined() && now.isBefore(o.get().until()) ? o.get() : null;
    }

    /** Claims held in the state (live or expired but not yet purged). */
    public int size() {
      return claims.size();
    }
  }

  /** An empty claim map. */
  static HashMap<String, Owner> emptyClaims() {
    return scala.collection.immutable.HashMap$.MODULE$.<String, Owner>empty();
  }

  /** What to do with one claim. */
  enum Verdict { ACK, WRITE, REFUSE }

  /**
   * The decision for {@code c} given the session's claim living at {@code c.now()} ({@code o}, null when none): ACK
   * (the owning pool, at least half of the claim's life left), WRITE (new, expired, or to be renewed), REFUSE (another
   * pool owns it). The life is the claim's own, or {@code c}'s when longer (a claim written under a smaller cap), so
   * that an ACK leaves at least half of the asking pool's claim life: at least its hold. A life missing in {@code o} or
   * {@code c} is the cap {@code claimTtl}.
   */
  static Verdict decide(Owner o, Claim c, Duration claimTtl) {
    if (o == null) {
      return Verdict.WRITE;
    }
    if (!o.poolId().equals(c.poolId())) {
      return o.poolId().equals(c.replacing()) ? Verdict.WRITE : Verdict.REFUSE;
    }
    Duration life = longer(lifeOr(o.life(), claimTtl), lifeOr(c.life(), claimTtl));
    return Duration.between(c.now(), o.until()).compareTo(half(life)) >= 0 ? Verdict.ACK : Verdict.WRITE;
  }

  /**
   * Half of {@code d} (not negative), rounded down to the nanosecond: what {@code d.dividedBy(2)} gives, without the
   * {@link java.math.BigDecimal} arithmetic it does (asked on every claim and every new session's assignment;
   * docs/performance.md, stop 19).
   */
  static Duration half(Duration d) {
    long s = d.getSeconds();
    return Duration.ofSeconds(s / 2, (s % 2) * 500_000_000L + d.getNano() / 2);
  }

  /** The longer of {@code a} and {@code b}. */
  static Duration longer(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** Registers the entity type with sharding. */
  public static void init(ClusterSharding sharding, Duration writeWindow, Duration claimTtl) {
    sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), writeWindow, claimTtl))
        .withStopMessage(new Stop()));
  }

  /**
   * The entity {@code entityId}.
   *
   * @param writeWindow how long answered claims are gathered into one journal write ({@code
   *     hankyo.pools.claim-write-window}; zero: group commit, the claims waiting in the mailbox form one write)
   * @param claimTtl the longest a claim lives after it was written (positive; {@link #claimLife} caps each claim's
   *     life at it, and a claim without a life lives this long)
   */
  public static Behavior<Command> create(String entityId, Duration writeWindow, Duration claimTtl) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new PoolSessions(entityId, writeWindow, claimTtl, timers, ctx.getSelf())));
  }

  private final Duration claimTtl;
  private final Duration purgeEvery;
  /** Claims answered and waiting for their write, in the order they were decided. */
  private final WriteBatch<Claimed, Command> pending;
  /**
   * The claims of {@link #pending} by session id (the last one of each): decisions read them before the state. Empty
   * whenever no claim waits (cleared when their write has ended; never part of the state).
   */
  private final java.util.Map<String, Owner> unwritten = new java.util.HashMap<>();

  private PoolSessions(String entityId, Duration writeWindow, Duration claimTtl, TimerScheduler<Command> timers,
      ActorRef<Command> self) {
    super(PersistenceId.of(ENTITY_KEY.name(), entityId));
    if (claimTtl.isZero() || claimTtl.isNegative()) {
      throw new IllegalArgumentException("claimTtl must be positive: " + claimTtl);
    }
    this.claimTtl = claimTtl;
    this.purgeEvery = claimTtl.dividedBy(8).compareTo(MAX_PURGE_EVERY) < 0 ? claimTtl.dividedBy(8) : MAX_PURGE_EVERY;
    this.pending = new WriteBatch<>(MAX_BATCH, writeWindow, timers, self, FlushClaims::new);
  }

  @Override
  public State emptyState() {
    return new State(emptyClaims(), Instant.EPOCH);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Claim.class, this::onClaim)
        .onCommand(FlushClaims.class, (s, c) -> flush())
        .onCommand(Stop.class, (s, c) -> {
          List<Claimed> batch = pending.take();
          return batch.isEmpty() ? Effect().stop().thenNoReply()
              : Effect().persist(eventOf(batch)).thenStop().thenNoReply();
        })
        .build();
  }

  private ReplyEffect<Event, State> onClaim(State s, Claim c) {
    Owner live = liveClaim(s, c.sessionId(), c.now());
    Verdict v = decide(live, c, claimTtl);
    if (v == Verdict.REFUSE) {
      return Effect().reply(c.replyTo(), refusal(live.poolId()));
    }
    if (v == Verdict.ACK) {
      return Effect().reply(c.replyTo(), StatusReply.success(live));
    }
    Duration life = lifeOr(c.life(), claimTtl);
    Claimed e = new Claimed(c.sessionId(), c.poolId(), c.now(), c.now().plus(life), life);
    Owner owner = new Owner(e.poolId(), e.until(), life);
    unwritten.put(e.sessionId(), owner);
    c.replyTo().tell(StatusReply.success(owner));
    return pending.add(e) ? flush() : Effect().noReply();
  }

  /**
   * The claim of {@code sessionId} living at {@code now}: the last one waiting for its write, else the state's (its
   * life set: the cap when it was written without one).
   */
  private Owner liveClaim(State s, String sessionId, Instant now) {
    Owner o = unwritten.get(sessionId);
    if (o != null) {
      return now.isBefore(o.until()) ? o : null;
    }
    o = s.liveClaim(sessionId, now);
    return o == null || o.life() != null ? o : new Owner(o.poolId(), o.until(), claimTtl);
  }

  /** Writes the claims answered since the last write (nothing when none waits). */
  private ReplyEffect<Event, State> flush() {
    List<Claimed> batch = pending.take();
    if (batch.isEmpty()) {
      return Effect().noReply();
    }
    Event event = eventOf(batch);
    // commands are stashed while the write runs: when it ends, every unwritten claim is in the state
    return Effect().persist(event).thenRun(x -> unwritten.clear()).thenNoReply();
  }

  /** One journal row for {@code batch} (not empty). */
  private static Event eventOf(List<Claimed> batch) {
    return batch.size() == 1 ? batch.get(0) : new ClaimedAll(batch);
  }

  private static final String REFUSAL_START = "the session id is used in another pool (";
  private static final String REFUSAL_END = "); use one session id per pool";

  private static StatusReply<Owner> refusal(String owner) {
    return StatusReply.error(REFUSAL_START + owner + REFUSAL_END);
  }

  /**
   * The owning pool named by a {@link Claim}'s refusal text, or null when {@code message} is no such refusal (pool ids
   * contain no parentheses or semicolons: {@code [A-Za-z0-9._:-]}, PoolApi.POOL_ID).
   */
  public static String ownerIn(String message) {
    if (message == null || !message.startsWith(REFUSAL_START) || !message.endsWith(REFUSAL_END)) {
      return null;
    }
    String owner = message.substring(REFUSAL_START.length(), message.length() - REFUSAL_END.length());
    return owner.isEmpty() ? null : owner;
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Claimed.class, (s, e) -> apply(s, e, purgeEvery, claimTtl))
        .onEvent(ClaimedAll.class, (s, e) -> {
          State out = s;
          for (Claimed c : e.claims()) {
            out = apply(out, c, purgeEvery, claimTtl);
          }
          return out;
        })
        .build();
  }

  /**
   * The state after {@code e}: the claim set (living {@code e.life()}, or {@code claimTtl} for an event written before
   * the field existed); when {@code e.at()} is at least {@code purgeEvery} after the last purge, the claims expired at
   * {@code e.at()} (each by its own end) are dropped first (deterministic in replay: it depends on the events only).
   */
  static State apply(State s, Claimed e, Duration purgeEvery, Duration claimTtl) {
    HashMap<String, Owner> claims = s.claims();
    Instant purgedAt = s.purgedAt();
    if (!e.at().isBefore(purgedAt.plus(purgeEvery))) {
      Instant at = e.at();
      scala.collection.Iterator<scala.Tuple2<String, Owner>> it = s.claims().iterator();
      while (it.hasNext()) {
        scala.Tuple2<String, Owner> kv = it.next();
        if (!at.isBefore(kv._2().until())) {
          claims = claims.removed(kv._1());
        }
      }
      purgedAt = at;
    }
    return new State(claims.updated(e.sessionId(), new Owner(e.poolId(), e.until(), lifeOr(e.life(), claimTtl))),
        purgedAt);
  }
}
