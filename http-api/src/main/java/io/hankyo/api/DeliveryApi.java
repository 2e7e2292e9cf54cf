package io.hankyo.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.hankyo.api.calllog.DateTimeParam;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Routes of the notification delivery log (issue 4: "a delivery log per attempt readable through the API, and a
 * redeliver-from-here API"), mounted by {@link HttpApi} under {@code /v1} for an authenticated operator; every
 * delivery is the operator's own (another operator's answers 404):
 *
 * <ul>
 *   <li>{@code GET /v1/webhook-deliveries?client_id=&trn_id=&status=&channel=&from=&to=&limit=} → 200 {@code
 *       {"deliveries": [summary, ...], "from", "to", "limit"}}, newest request first. {@code status} is {@code
 *       pending}, {@code delivered} or {@code gave_up}; {@code channel} {@code webhook} (default) or {@code email};
 *       {@code from}/{@code to} as for {@code /v1/calls} (default: the last 7 days; at most 31 days); {@code limit}
 *       1..{@value #MAX_LIMIT}, default {@value #DEFAULT_LIMIT}. 400 for a bad parameter.
 *   <li>{@code GET /v1/webhook-deliveries/{id}} → 200 the summary with {@code "attempts": [{"number", "started_at",
 *       "finished_at", "http_status", "error", "duration_ms", "outcome"}, ...]}, {@code in_flight} and {@code
 *       gave_up_reason}; 404 for an unknown id or another operator's delivery.
 *   <li>{@code POST /v1/webhook-deliveries/{id}/redeliver} → 202 the delivery (pending, next attempt due now): a
 *       delivered or given-up delivery is sent again from a new attempt series with the same {@code Idempotency-Key};
 *       404 as above; 409 while it is pending (an attempt in flight or scheduled).
 * </ul>
 *
 * <p>A summary: {@code {"id": "webhook:<trn_id>:call_ended", "channel", "idempotency_key", "trn_id", "client_id",
 * "dialin_id", "target", "status", "requested_at", "attempts", "last_attempt_at", "last_http_status", "last_error",
 * "next_attempt_at", "closed_at"}} (times ISO-8601 in the API's zone; absent values null).
 */
public final class DeliveryApi extends ResourceRoutes {
  /** Most rows one listing returns. */
  public static final int MAX_LIMIT = 1000;
  /** Rows of a listing without {@code limit}. */
  public static final int DEFAULT_LIMIT = 100;
  /** Longest range of a listing. */
  public static final Duration MAX_RANGE = Duration.ofDays(31);
  /** Range of a listing without {@code from}. */
  public static final Duration DEFAULT_RANGE = Duration.ofDays(7);
  /** Channels a listing can ask for. */
  public static final List<String> CHANNELS = List.of("webhook", "email");

  private final DeliveryBackend deliveries;
  private final HttpApiSettings settings;
  private final Clock clock;

  /** @param deliveries the backend, or null when the node has none (the resources answer 404) */
  public DeliveryApi(DeliveryBackend deliveries, HttpApiSettings settings, Clock clock) {
    this.deliveries = deliveries;
    this.settings = settings;
    this.clock = clock;
  }

  /** The query parameters of the listing (any other, or one given twice, is 400). */
  private static final java.util.Set<String> LIST_PARAMETERS =
      java.util.Set.of("channel", "client_id", "trn_id", "status", "from", "to", "limit");

  /** The routes for {@code operator} (authenticated by {@link HttpApi}). */
  public Route route(String operator) {
    return pathPrefix("webhook-deliveries", () -> concat(
        pathEnd(() -> get(() -> checkedQuery(LIST_PARAMETERS, "the deliveries listing takes channel, client_id, "
            + "trn_id, status, from, to and limit", () -> parameterMap(params -> respond(() -> list(operator, params),
            body -> json(StatusCodes.OK, body)))))),
        pathPrefix(PathMatchers.segment(), id -> concat(
            pathEnd(() -> get(() -> respond(() -> backend().get(operator, id),
                d -> json(StatusCodes.OK, DetailJson.of(d, zone()))))),
            path("redeliver", () -> post(() -> respond(() -> backend().redeliver(operator, id),
                d -> json(StatusCodes.ACCEPTED, DetailJson.of(d, zone())))))))));
  }

  private CompletionStage<ListJson> list(String operator, java.util.Map<String, String> params) {
    DeliveryBackend.Query q = query(Optional.ofNullable(params.get("channel")),
        Optional.ofNullable(params.get("client_id")),
        Optional.ofNullable(params.get("trn_id")), Optional.ofNullable(params.get("status")),
        Optional.ofNullable(params.get("from")), Optional.ofNullable(params.get("to")),
        Optional.ofNullable(params.get("limit")));
    return backend().list(operator, q).thenApply(list -> new ListJson(list.stream()
        .map(s -> SummaryJson.of(s, zone())).toList(), iso(q.from()), iso(q.to()), q.limit()));
  }

  private DeliveryBackend.Query query(Optional<String> channel, Optional<String> clientId, Optional<String> trnId, Optional<String> status,
      Optional<String> from, Optional<String> to, Optional<String> limit) {
    String ch = channel.map(String::strip).orElse("webhook");
    if (!CHANNELS.contains(ch)) {
      throw ApiProblem.invalid("channel: must be one of " + CHANNELS + ", got '" + ch + "'");
    }
    String client = clientId.map(String::strip).orElse(null);
    if (client != null && !Validation.isValidId(client)) {
      throw ApiProblem.invalid("client_id: '" + client + "' is not an id");
    }
    String trn = trnId.map(String::strip).orElse(null);
    if (trn != null && (trn.isEmpty() || trn.length() > 64 || !trn.matches("[A-Za-z0-9_.\\-]+"))) {
      throw ApiProblem.invalid("trn_id: '" + trn + "' is not a call id");
    }
    String st = status.map(String::strip).orElse(null);
    if (st != null && !DeliveryBackend.STATUSES.contains(st)) {
      throw ApiProblem.invalid("status: must be one of " + DeliveryBackend.STATUSES + ", got '" + st + "'");
    }
    Instant end = to.map(t -> DateTimeParam.parse("to", t, zone())).orElse(clock.instant());
    Instant start = from.map(f -> DateTimeParam.parse("from", f, zone())).orElse(end.minus(DEFAULT_RANGE));
    if (!start.isBefore(end)) {
      throw ApiProblem.invalid("from must be before to");
    }
    if (Duration.between(start, end).compareTo(MAX_RANGE) > 0) {
      throw ApiProblem.invalid("the range from..to may be at most " + MAX_RANGE.toDays() + " days");
    }
    int n = DEFAULT_LIMIT;
    if (limit.isPresent()) {
      n = asciiInt(limit.get().strip());
      if (n < 1 || n > MAX_LIMIT) {
        throw ApiProblem.invalid("limit: must be an integer from 1 to " + MAX_LIMIT + ", got '" + limit.get() + "'");
      }
    }
    return new DeliveryBackend.Query(ch, client, trn, st, start, end, n);
  }

  private ZoneId zone() {
    return settings.zone();
  }

  private String iso(Instant at) {
    return at == null ? null : ApiTimes.iso(at, zone());
  }

  private DeliveryBackend backend() {
    if (deliveries == null) {
      throw ApiProblem.notFound("the delivery log is not available on this node");
    }
    return deliveries;
  }

  /** A listing. */
  @JsonPropertyOrder({"deliveries", "from", "to", "limit"})
  record ListJson(@JsonProperty("deliveries") List<SummaryJson> deliveries, @JsonProperty("from") String from,
      @JsonProperty("to") String to, @JsonProperty("limit") int limit) {}

  /** A summary as JSON (nulls kept: a field is always there). */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"id", "channel", "idempotency_key", "trn_id", "client_id", "dialin_id", "target", "status",
      "requested_at", "attempts", "last_attempt_at", "last_http_status", "last_error", "next_attempt_at",
      "closed_at"})
  record SummaryJson(@JsonProperty("id") String id, @JsonProperty("channel") String channel,
      @JsonProperty("idempotency_key") String idempotencyKey, @JsonProperty("trn_id") String trnId,
      @JsonProperty("client_id") String clientId, @JsonProperty("dialin_id") String dialinId,
      @JsonProperty("target") String target, @JsonProperty("status") String status,
      @JsonProperty("requested_at") String requestedAt, @JsonProperty("attempts") int attempts,
      @JsonProperty("last_attempt_at") String lastAttemptAt, @JsonProperty("last_http_status") Integer lastStatus,
      @JsonProperty("last_error") String lastError, @JsonProperty("next_attempt_at") String nextAttemptAt,
      @JsonProperty("closed_at") String closedAt) {
    static SummaryJson of(DeliveryBackend.Summary s, ZoneId zone) {
      return new SummaryJson(s.id(), s.channel(), s.idempotencyKey(), s.trnId(), s.clientId(), s.dialinId(),
          s.target(), s.status(), time(s.requestedAt(), zone), s.attempts(), time(s.lastAttemptAt(), zone),
          s.lastStatus(), s.lastError(), time(s.nextAttemptAt(), zone), time(s.closedAt(), zone));
    }
  }

  /** An attempt as JSON. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"number", "started_at", "finished_at", "http_status", "error", "duration_ms", "outcome"})
  record AttemptJson(@JsonProperty("number") int number, @JsonProperty("started_at") String startedAt,
      @JsonProperty("finished_at") String finishedAt, @JsonProperty("http_status") Integer httpStatus,
      @JsonProperty("error") String error, @JsonProperty("duration_ms") long durationMs,
      @JsonProperty("outcome") String outcome) {}

  /** A delivery with its log as JSON. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record DetailJson(@JsonProperty("delivery") SummaryJson delivery,
      @JsonProperty("attempts") List<AttemptJson> attempts, @JsonProperty("in_flight") Integer inFlight,
      @JsonProperty("gave_up_reason") String gaveUpReason) {
    static DetailJson of(DeliveryBackend.Detail d, ZoneId zone) {
      return new DetailJson(SummaryJson.of(d.summary(), zone), d.attempts().stream()
          .map(a -> new AttemptJson(a.number(), time(a.startedAt(), zone), time(a.finishedAt(), zone),
              a.httpStatus(), a.error(), a.durationMs(), a.outcome()))
          .toList(), d.inFlight(), d.gaveUpReason());
    }
  }

  private static String time(Instant at, ZoneId zone) {
    return at == null ? null : ApiTimes.iso(at, zone);
  }
}
