package io.hankyo.node.notify;

import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.pekko.Done;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * {@link DeliveryIndex} in the read-side keyspace's table {@code notification_deliveries} (issue 4, the delivery log's
 * listing; CQL in docs/cassandra.md):
 *
 * <pre>
 * CREATE TABLE notification_deliveries (
 *   operator_id text, day text, requested_at timestamp, channel text, delivery_id text,
 *   client_id text, dialin_id text, trn_id text, target text, status text, attempts int,
 *   last_attempt_at timestamp, last_status int, last_error text, next_attempt_at timestamp, closed_at timestamp,
 *   PRIMARY KEY ((operator_id, day), requested_at, channel, delivery_id))
 *   WITH CLUSTERING ORDER BY (requested_at DESC, channel ASC, delivery_id ASC);
 * </pre>
 *
 * <p>One row per delivery, partitioned by operator and UTC day of the request ({@code day} = {@code 2026-11-29}), newest
 * first within a day, so a listing of a time range reads one partition per day, newest day first, and stops at the
 * limit. Every write is an {@code INSERT ... USING TIMESTAMP <sequenceNr>} (an upsert whose cell timestamps are the
 * entity's event sequence number): an older state written late never overwrites a newer one, a repeated write changes
 * nothing. Rows are never deleted here (no TTL: the log is kept as long as the journal is).
 *
 * <p>The owner (operator, advertiser, number, call) is read from the delivery's stored payload: the call-log record
 * as JSON ({@code operator_id}, {@code client_id}, {@code dialin_id}, {@code trn_id}), at the top (webhook) or under
 * {@code record} (email). A payload without an operator is not indexed (logged).
 */
public final class CassandraDeliveryIndex implements DeliveryIndex {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CassandraDeliveryIndex.class);
  /** Longest range one listing reads, days (one partition read per day). */
  public static final int MAX_DAYS = 31;

  /**
   * Who a delivery belongs to, read from its stored payload.
   *
   * @param operatorId the operator; never shown to another
   * @param clientId {@code client_id}
   * @param dialinId {@code dialin_id}
   * @param trnId {@code trn_id}
   */
  public record Owner(String operatorId, String clientId, String dialinId, String trnId) {}

  /**
   * One row: a delivery's summary.
   *
   * @param channel {@code webhook} or {@code email} (lower case {@link WebhookDelivery.Channel} name)
   * @param deliveryId the entity id {@code <trn_id>:<event>} (the webhook's {@code Idempotency-Key})
   * @param owner whose delivery it is
   * @param target the webhook URL or the {@code mailto:} target
   * @param status {@code pending}, {@code delivered} or {@code gave_up}
   * @param requestedAt when the notification was decided
   * @param attempts attempts recorded so far
   * @param lastAttemptAt the last recorded attempt's end; null before the first
   * @param lastStatus its HTTP status; null when none
   * @param lastError its error; null when none
   * @param nextAttemptAt the scheduled attempt's time; null when none
   * @param closedAt when it was delivered or given up; null while pending
   */
  public record Summary(String channel, String deliveryId, Owner owner, String target, String status,
      Instant requestedAt, int attempts, Instant lastAttemptAt, Integer lastStatus, String lastError,
      Instant nextAttemptAt, Instant closedAt) {}

  private final CassandraSession session;
  private final ObjectMapper json;
  private final String insertCql;
  private final String selectCql;
  private volatile CompletableFuture<PreparedStatement> insert;
  private volatile CompletableFuture<PreparedStatement> select;

  /**
   * @param session the shared Cassandra session
   * @param keyspace the read-side keyspace; the table must exist ({@link #createSchema})
   * @param json reads stored payloads
   */
  public CassandraDeliveryIndex(CassandraSession session, String keyspace, ObjectMapper json) {
    this.session = session;
    this.json = json;
    this.insertCql = "INSERT INTO " + keyspace + ".notification_deliveries (operator_id, day, requested_at, channel, "
        + "delivery_id, client_id, dialin_id, trn_id, target, status, attempts, last_attempt_at, last_status, "
        + "last_error, next_attempt_at, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        + "USING TIMESTAMP ?";
    this.selectCql = "SELECT * FROM " + keyspace + ".notification_deliveries WHERE operator_id = ? AND day = ? "
        + "AND requested_at >= ? AND requested_at < ?";
    this.insert = session.prepare(insertCql).toCompletableFuture();
    this.select = session.prepare(selectCql).toCompletableFuture();
  }

  /** Creates the table when absent (development and tests; production uses the CQL of docs/cassandra.md). */
  public static CompletionStage<Done> createSchema(CassandraSession session, String keyspace) {
    return session.executeDDL("CREATE TABLE IF NOT EXISTS " + keyspace + ".notification_deliveries ("
        + "operator_id text, day text, requested_at timestamp, channel text, delivery_id text, "
        + "client_id text, dialin_id text, trn_id text, target text, status text, attempts int, "
        + "last_attempt_at timestamp, last_status int, last_error text, next_attempt_at timestamp, "
        + "closed_at timestamp, PRIMARY KEY ((operator_id, day), requested_at, channel, delivery_id)) "
        + "WITH CLUSTERING ORDER BY (requested_at DESC, channel ASC, delivery_id ASC)");
  }

  /** The partition day of a request time: its UTC date, {@code yyyy-MM-dd}. */
  public static String dayOf(Instant at) {
    return LocalDate.ofInstant(at, ZoneOffset.UTC).toString();
  }

  /** The API name of a status: {@code pending}, {@code delivered}, {@code gave_up}. */
  public static String statusName(WebhookDelivery.Status status) {
    return status.name().toLowerCase(Locale.ROOT);
  }

  /** The API name of a channel: {@code webhook}, {@code email}, ... */
  public static String channelName(WebhookDelivery.Channel channel) {
    return channel.name().toLowerCase(Locale.ROOT);
  }

  /**
   * The owner of a stored payload (the call-log record at the top, or under {@code record}); empty when it names no
   * operator.
   */
  public static Optional<Owner> owner(ObjectMapper json, String payload) {
    try {
      JsonNode root = json.readTree(payload);
      JsonNode r = root.has("record") && root.get("record").isObject() ? root.get("record") : root;
      String operator = r.path("operator_id").asText("");
      if (operator.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new Owner(operator, r.path("client_id").asText(""), r.path("dialin_id").asText(""),
          r.path("trn_id").asText("")));
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  /** The summary of a delivery's state. */
  public static Summary summary(WebhookDelivery.Channel channel, String entityId, Owner owner,
      WebhookDelivery.Delivery d) {
    WebhookDelivery.Attempt last = d.attempts().isEmpty() ? null : d.attempts().get(d.attempts().size() - 1);
    return new Summary(channelName(channel), entityId, owner, d.url(), statusName(d.status()), d.requestedAt(),
        d.attempts().size(), last == null ? null : last.finishedAt(), last == null ? null : last.status(),
        last == null ? null : last.error(), d.nextAttemptAt(), d.closedAt());
  }

  @Override
  public CompletionStage<Done> record(WebhookDelivery.Channel channel, String entityId, long sequenceNr,
      WebhookDelivery.Delivery state) {
    Optional<Owner> owner = owner(json, state.payload());
    if (owner.isEmpty()) {
      LOG.warn("delivery {} ({}) not indexed: its payload names no operator", entityId, channel);
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    Summary s = summary(channel, entityId, owner.get(), state);
    return statement(insert, insertCql, f -> insert = f).thenCompose(ps -> session.executeWrite(ps.bind(
        s.owner().operatorId(), dayOf(s.requestedAt()), s.requestedAt(), s.channel(), s.deliveryId(),
        s.owner().clientId(), s.owner().dialinId(), s.owner().trnId(), s.target(), s.status(), s.attempts(),
        s.lastAttemptAt(), s.lastStatus(), s.lastError(), s.nextAttemptAt(), s.closedAt(), sequenceNr)));
  }

  /**
   * The operator's deliveries requested in {@code [from, to)}, newest first, that pass {@code filter}, at most
   * {@code limit}. Reads one partition per UTC day from {@code to} back to {@code from}, stopping at the limit.
   *
   * @throws IllegalArgumentException when the range spans more than {@value #MAX_DAYS} days or is empty
   */
  public CompletionStage<List<Summary>> list(String operatorId, Instant from, Instant to, Predicate<Summary> filter,
      int limit) {
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("from must be before to");
    }
    LocalDate first = LocalDate.ofInstant(from, ZoneOffset.UTC);
    LocalDate day = LocalDate.ofInstant(to.minusNanos(1), ZoneOffset.UTC);
    if (first.plusDays(MAX_DAYS).isBefore(day)) {
      throw new IllegalArgumentException("a listing spans at most " + MAX_DAYS + " days");
    }
    return statement(select, selectCql, f -> select = f)
        .thenCompose(ps -> page(ps, operatorId, first, day, from, to, filter, limit, new ArrayList<>()));
  }

  private CompletionStage<List<Summary>> page(PreparedStatement ps, String operatorId, LocalDate first,
      LocalDate day, Instant from, Instant to, Predicate<Summary> filter, int limit, List<Summary> out) {
    if (day.isBefore(first) || out.size() >= limit) {
      return CompletableFuture.completedFuture(List.copyOf(out));
    }
    return session.selectAll(ps.bind(operatorId, day.toString(), from, to)).thenCompose(rows -> {
      for (Row row : rows) {
        Summary s = read(operatorId, row);
        if (out.size() < limit && filter.test(s)) {
          out.add(s);
        }
      }
      return page(ps, operatorId, first, day.minusDays(1), from, to, filter, limit, out);
    });
  }

  private static Summary read(String operatorId, Row row) {
    return new Summary(row.getString("channel"), row.getString("delivery_id"), new Owner(operatorId,
        row.getString("client_id"), row.getString("dialin_id"), row.getString("trn_id")), row.getString("target"),
        row.getString("status"), row.getInstant("requested_at"), row.getInt("attempts"),
        row.getInstant("last_attempt_at"), row.isNull("last_status") ? null : row.getInt("last_status"),
        row.getString("last_error"), row.getInstant("next_attempt_at"), row.getInstant("closed_at"));
  }

  /** A prepared statement; a failed prepare (keyspace missing, Cassandra briefly away) is retried on next use. */
  private CompletionStage<PreparedStatement> statement(CompletableFuture<PreparedStatement> current, String cql,
      java.util.function.Consumer<CompletableFuture<PreparedStatement>> store) {
    if (current.isCompletedExceptionally()) {
      CompletableFuture<PreparedStatement> f = session.prepare(cql).toCompletableFuture();
      store.accept(f);
      return f;
    }
    return current;
  }
}
