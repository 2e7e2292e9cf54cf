package io.hankyo.node.inventory;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.Done;
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
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The listing index of one operator's inventory (issue 5): every number the operator imported, with its range and
 * last known status, sorted by E.164, for {@code GET /v1/inventory}. Entity id = the operator id.
 *
 * <p>The authority on a number is its {@link InventoryNumber}; this index is written after it (by
 * {@link ClusterInventoryBackend}) and may lag after a failure between the two writes; importing the number again
 * repairs its row. Limits: at most {@link #MAX_NUMBERS} numbers per operator (the whole index is one entity's state,
 * snapshotted every {@value #SNAPSHOT_EVERY} events); an operator that needs more needs a Cassandra table instead.
 */
public final class InventoryIndex extends EventSourcedBehaviorWithEnforcedReplies<InventoryIndex.Command,
    InventoryIndex.Event, InventoryIndex.State> {

  /** Sharding key of the entity type. */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "InventoryIndex");
  /** Most numbers one operator's inventory may hold. */
  public static final int MAX_NUMBERS = 100_000;
  /** Events between snapshots. */
  public static final int SNAPSHOT_EVERY = 100;

  /**
   * One row.
   *
   * @param e164 the number, E.164
   * @param national the national display form, e.g. {@code 0120-123-456}
   * @param range the range label ({@code 0120}, {@code 0800}, {@code 0078}, {@code 050})
   * @param status the number's stored status
   * @param clientId advertiser of an assigned number, else null
   * @param dialinId tracking number record of an assigned number, else null
   * @param until end of a cool-down, else null
   * @param poolId the pool of a pooled number, else null (rows stored before it read null)
   */
  public record Row(@JsonProperty("e164") String e164, @JsonProperty("national") String national,
      @JsonProperty("range") String range, @JsonProperty("status") InventoryNumber.Status status,
      @JsonProperty("client_id") @JsonInclude(JsonInclude.Include.NON_NULL) String clientId,
      @JsonProperty("dialin_id") @JsonInclude(JsonInclude.Include.NON_NULL) String dialinId,
      @JsonProperty("until") @JsonInclude(JsonInclude.Include.NON_NULL) Instant until,
      @JsonProperty("pool_id") @JsonInclude(JsonInclude.Include.NON_NULL) String poolId) implements JsonSerializable {
    @JsonCreator
    public Row {}

    /** A row of a number in no pool. */
    public Row(String e164, String national, String range, InventoryNumber.Status status, String clientId,
        String dialinId, Instant until) {
      this(e164, national, range, status, clientId, dialinId, until, null);
    }

    /** The row's status at {@code now} (a cool-down past its end is available). */
    public InventoryNumber.Status effective(Instant now) {
      return new InventoryNumber.State("x", status, clientId, dialinId, null, until).effective(now);
    }
  }

  /** Commands. */
  public sealed interface Command extends JsonSerializable {}

  /** Adds or replaces rows; refused (nothing written) when new rows would take the index over {@link #MAX_NUMBERS}. */
  public record Put(@JsonProperty("rows") List<Row> rows,
      @JsonProperty("reply_to") ActorRef<StatusReply<Done>> replyTo) implements Command {
    @JsonCreator
    public Put {
      rows = List.copyOf(rows);
    }
  }

  /** Drops the row of {@code e164} (a released number). */
  public record Remove(@JsonProperty("e164") String e164, @JsonProperty("reply_to") ActorRef<Done> replyTo)
      implements Command {
    @JsonCreator
    public Remove {}
  }

  /**
   * Reads one page: rows after {@code after} (E.164, exclusive; null = from the start) matching {@code status} and
   * {@code range} (null = any), at most {@code limit}, with the statuses evaluated at {@code now}.
   */
  public record ListRows(@JsonProperty("status") @JsonInclude(JsonInclude.Include.NON_NULL)
      InventoryNumber.Status status,
      @JsonProperty("range") @JsonInclude(JsonInclude.Include.NON_NULL) String range,
      @JsonProperty("after") @JsonInclude(JsonInclude.Include.NON_NULL) String after,
      @JsonProperty("limit") int limit, @JsonProperty("now") Instant now,
      @JsonProperty("reply_to") ActorRef<Page> replyTo) implements Command {
    @JsonCreator
    public ListRows {}
  }

  /**
   * Reply to {@link ListRows}.
   *
   * @param rows the page, by E.164
   * @param more whether rows after the last one match too
   */
  public record Page(@JsonProperty("rows") List<Row> rows, @JsonProperty("more") boolean more)
      implements JsonSerializable {
    @JsonCreator
    public Page {
      rows = List.copyOf(rows);
    }
  }

  /** Events. */
  public sealed interface Event extends JsonSerializable {}

  /** Rows were added or replaced. */
  public record RowsPut(@JsonProperty("rows") List<Row> rows) implements Event {
    @JsonCreator
    public RowsPut {
      rows = List.copyOf(rows);
    }
  }

  /** A row was dropped. */
  public record RowRemoved(@JsonProperty("e164") String e164) implements Event {
    @JsonCreator
    public RowRemoved {}
  }

  /** State: rows by E.164. Treated as immutable: every event makes a new map. */
  public record State(@JsonProperty("rows") TreeMap<String, Row> rows) implements JsonSerializable {
    @JsonCreator
    public State {
      rows = rows == null ? new TreeMap<>() : rows;
    }
  }

  /** Registers the entity type with sharding. */
  public static void init(ClusterSharding sharding) {
    sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId())));
  }

  /** The index of {@code operatorId}. */
  public static Behavior<Command> create(String operatorId) {
    return new InventoryIndex(operatorId);
  }

  private InventoryIndex(String operatorId) {
    super(PersistenceId.of(ENTITY_KEY.name(), operatorId));
  }

  @Override
  public State emptyState() {
    return new State(new TreeMap<>());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Put.class, (s, c) -> {
          long added = c.rows().stream().map(Row::e164).distinct().filter(e -> !s.rows().containsKey(e)).count();
          if (s.rows().size() + added > MAX_NUMBERS) {
            return Effect().reply(c.replyTo(), StatusReply.error("the inventory would have " + (s.rows().size()
                + added) + " numbers; at most " + MAX_NUMBERS + " per operator"));
          }
          List<Row> changed = c.rows().stream().filter(r -> !r.equals(s.rows().get(r.e164()))).toList();
          return changed.isEmpty() ? Effect().reply(c.replyTo(), StatusReply.ack())
              : Effect().persist(new RowsPut(changed)).thenReply(c.replyTo(), x -> StatusReply.ack());
        })
        .onCommand(Remove.class, (s, c) -> s.rows().containsKey(c.e164())
            ? Effect().persist(new RowRemoved(c.e164())).thenReply(c.replyTo(), x -> Done.getInstance())
            : Effect().reply(c.replyTo(), Done.getInstance()))
        .onCommand(ListRows.class, (s, c) -> Effect().reply(c.replyTo(), page(s, c)))
        .build();
  }

  private static Page page(State s, ListRows c) {
    Map<String, Row> tail = c.after() == null ? s.rows() : s.rows().tailMap(c.after(), false);
    List<Row> out = new ArrayList<>();
    for (Row r : tail.values()) {
      if ((c.status() == null || r.effective(c.now()) == c.status())
          && (c.range() == null || c.range().equals(r.range()))) {
        if (out.size() == c.limit()) {
          return new Page(out, true);
        }
        out.add(r);
      }
    }
    return new Page(out, false);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(RowsPut.class, (s, e) -> {
          TreeMap<String, Row> m = new TreeMap<>(s.rows());
          e.rows().forEach(r -> m.put(r.e164(), r));
          return new State(m);
        })
        .onEvent(RowRemoved.class, (s, e) -> {
          TreeMap<String, Row> m = new TreeMap<>(s.rows());
          m.remove(e.e164());
          return new State(m);
        })
        .build();
  }
}
