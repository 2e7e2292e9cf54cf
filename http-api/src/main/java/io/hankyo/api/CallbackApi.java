package io.hankyo.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.api.calllog.DateTimeParam;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.calllog.DialStatus;
import io.hankyo.protocol.number.InvalidPhoneNumberException;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.protocol.flow.DocumentFields;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Routes of callback tracking (折返し通話トラッキング, issue 4, spec section 4), mounted by {@link HttpApi} under
 * {@code /v1} for an authenticated operator:
 *
 * <ul>
 *   <li>{@code GET /v1/callback-pool} → 200 {@code {"numbers": ["050-1111-2222", ...], "numbers_e164": [...],
 *       "hold_sec": 604800, "leased": 0}}.
 *   <li>{@code PUT /v1/callback-pool} {@code {"numbers": ["05011112222", ...], "hold_sec": 604800}} → 200 with the
 *       pool; 400 (problem+json with JSON Pointers) for a bad document (not numbers, repeated numbers, more than
 *       {@value #MAX_NUMBERS}, {@code hold_sec} outside 3600..7776000 s = 1 h..90 days); 409 when a number is a
 *       tracking number or in another operator's pool. {@code hold_sec} defaults to 604800 (7 days).
 *   <li>{@code GET /v1/advertisers/{client_id}/callbacks?from=…&to=…} (same date forms as {@code /v1/calls}; default
 *       the last 30 days) → 200 {@code {"client_id", "from", "to", "missed_calls", "callbacks",
 *       "answered_callbacks", "rate"}} from the operator's call log in {@code [from, to)}: {@code missed_calls} the
 *       advertiser's calls that did not connect and had a caller number (those a notification leases a callback number
 *       for), {@code callbacks} distinct missed calls called back (calls with {@code logvars.callback_of}),
 *       {@code answered_callbacks} those of them that connected, {@code rate} = callbacks / missed_calls (null when
 *       no call was missed).
 * </ul>
 */
public final class CallbackApi extends ResourceRoutes {
  /** Most numbers one pool may have. */
  public static final int MAX_NUMBERS = 1000;
  /** Shortest hold, seconds (1 hour). */
  public static final long MIN_HOLD_SEC = 3600;
  /** Longest hold, seconds (90 days). */
  public static final long MAX_HOLD_SEC = 90L * 86400;
  /** Hold when the document gives none, seconds (7 days). */
  public static final long DEFAULT_HOLD_SEC = 7L * 86400;
  /** Longest range of a callback-rate request. */
  public static final Duration MAX_RANGE = Duration.ofDays(366);

  /**
   * Largest pool document, bytes: {@value #MAX_NUMBERS} numbers of up to 64 bytes each ({@code "+81-50-1234-5678", }
   * with indentation is about 30), whatever the general {@code max-body-bytes}; a larger body is 413.
   */
  public static final int MAX_DOCUMENT_BYTES = 64 * 1024;

  /**
   * Reads a JSON body of at most {@code max} bytes, or the general {@code max-body-bytes} when {@code max < 0} (413
   * problem+json beyond; HttpApi's reader, shared with {@link OperatorSettingsApi}).
   */
  interface JsonBodies {
    Route read(long max, Function<JsonNode, Route> inner);
  }

  private final ApiBackend backend;
  private final CallbackBackend callbacks;
  private final HttpApiSettings settings;
  private final Clock clock;
  private final JsonBodies bodies;

  /**
   * @param callbacks the pool backend, or null when the node has none (the pool resources answer 404)
   * @param bodies reads request bodies with the API's size limit and problem responses
   */
  CallbackApi(ApiBackend backend, CallbackBackend callbacks, HttpApiSettings settings, Clock clock, JsonBodies bodies) {
    this.backend = backend;
    this.callbacks = callbacks;
    this.settings = settings;
    this.clock = clock;
    this.bodies = bodies;
  }

  /** The routes for {@code operator} (authenticated by {@link HttpApi}). */
  public Route route(String operator) {
    return concat(
        path("callback-pool", () -> concat(
            get(() -> respond(() -> pool().getPool(operator), p -> json(PoolJson.of(p)))),
            put(() -> bodies.read(Math.max(settings.maxBodyBytes(), MAX_DOCUMENT_BYTES), body -> respond(
                () -> pool().putPool(operator, numbers(body), holdSec(body)),
                p -> json(PoolJson.of(p))))))),
        pathPrefix("advertisers", () -> pathPrefix(PathMatchers.segment(), rawClientId ->
            path("callbacks", () -> get(() -> checkedQuery(java.util.Set.of("from", "to"),
                "the callback rate takes from and to", () -> parameterOptional("from", from ->
                parameterOptional("to", to ->
                extractMaterializer(mat -> respond(() -> {
                  String clientId = Validation.pathId(rawClientId, "client_id");
                  Instant end = to.map(t -> DateTimeParam.parse("to", t, settings.zone())).orElse(clock.instant());
                  Instant start = from.map(f -> DateTimeParam.parse("from", f, settings.zone()))
                      .orElse(end.minus(Duration.ofDays(30)));
                  if (!start.isBefore(end)) {
                    throw ApiProblem.invalid("from must be before to");
                  }
                  if (Duration.between(start, end).compareTo(MAX_RANGE) > 0) {
                    throw ApiProblem.invalid("the range from..to may be at most " + MAX_RANGE.toDays() + " days");
                  }
                  return backend.getAdvertiser(operator, clientId).thenCompose(a ->
                      backend.calls(operator, start, end).filter(r -> clientId.equals(r.clientId()))
                          .runWith(Sink.fold(new CallbackRate(), CallbackRate::add), mat))
                      .thenApply(rate -> rate.json(clientId, start, end));
                }, CallbackApi::json))))))))));
  }

  private CallbackBackend pool() {
    if (callbacks == null) {
      throw ApiProblem.notFound("callback tracking is not available on this node");
    }
    return callbacks;
  }

  /**
   * The numbers of a pool document, checked: a JSON object with {@code numbers} (an array of at most {@value
   * #MAX_NUMBERS} phone number strings, none repeated) and optional {@code hold_sec}; else 400 listing the problems
   * ({@link HttpApi#documentProblem}, at most {@value HttpApi#MAX_LISTED_ERRORS} listed). The count is checked before
   * the numbers, so an oversized array is one problem, not one per number.
   */
  static List<PhoneNumber> numbers(JsonNode doc) {
    List<ApiProblem.FieldError> errors = new ArrayList<>();
    List<PhoneNumber> out = new ArrayList<>();
    if (!doc.isObject()) {
      throw HttpApi.documentProblem(SUBJECT, List.of(new ApiProblem.FieldError("",
          "must be a JSON object, e.g. {\"numbers\": [\"050-1111-2222\"]}; got " + DocumentFields.describe(doc))));
    }
    doc.fieldNames().forEachRemaining(f -> {
      if (!f.equals("numbers") && !f.equals("hold_sec")) {
        errors.add(new ApiProblem.FieldError(DocumentFields.pointer("", f),
            "unknown field; allowed fields: hold_sec, numbers"));
      }
    });
    JsonNode numbers = doc.get("numbers");
    if (numbers == null) {
      errors.add(new ApiProblem.FieldError("/numbers", "is required: an array of phone number strings"));
    } else if (!numbers.isArray()) {
      errors.add(new ApiProblem.FieldError("/numbers",
          "must be an array of phone number strings; got " + DocumentFields.describe(numbers)));
    } else if (numbers.size() > MAX_NUMBERS) {
      errors.add(new ApiProblem.FieldError("/numbers",
          "has " + numbers.size() + " numbers; at most " + MAX_NUMBERS + " are allowed"));
    } else {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < numbers.size(); i++) {
        JsonNode n = numbers.get(i);
        if (!n.isTextual()) {
          errors.add(new ApiProblem.FieldError("/numbers/" + i,
              "must be a phone number string; got " + DocumentFields.describe(n)));
          continue;
        }
        try {
          PhoneNumber p = PhoneNumbers.parse(n.asText());
          if (!seen.add(p.e164())) {
            errors.add(new ApiProblem.FieldError("/numbers/" + i, "repeats " + p.national()));
          }
          out.add(p);
        } catch (InvalidPhoneNumberException e) {
          errors.add(new ApiProblem.FieldError("/numbers/" + i, e.getMessage()));
        }
      }
    }
    JsonNode hold = doc.get("hold_sec");
    Long holdSec = DocumentFields.wholeNumber(hold);
    if (hold != null && (holdSec == null || holdSec < MIN_HOLD_SEC || holdSec > MAX_HOLD_SEC)) {
      errors.add(new ApiProblem.FieldError("/hold_sec", "must be a whole number of seconds from " + MIN_HOLD_SEC
          + " (1 hour) to " + MAX_HOLD_SEC + " (90 days); got " + DocumentFields.describe(hold)));
    }
    if (!errors.isEmpty()) {
      throw HttpApi.documentProblem(SUBJECT, errors);
    }
    return out;
  }

  private static final String SUBJECT = "the callback pool document";

  /** {@code hold_sec} of a document {@link #numbers} accepted; {@value #DEFAULT_HOLD_SEC} when absent. */
  static long holdSec(JsonNode doc) {
    Long hold = DocumentFields.wholeNumber(doc.get("hold_sec"));
    return hold == null ? DEFAULT_HOLD_SEC : hold;
  }

  /** The pool as JSON. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record PoolJson(@JsonProperty("numbers") List<String> numbers,
      @JsonProperty("numbers_e164") List<String> numbersE164,
      @JsonProperty("hold_sec") long holdSec,
      @JsonProperty("leased") int leased) {
    static PoolJson of(CallbackBackend.Pool p) {
      return new PoolJson(p.numbers().stream().map(PhoneNumber::national).toList(),
          p.numbers().stream().map(PhoneNumber::e164).toList(), p.holdSec(), p.leased());
    }
  }

  /** Counts of a callback-rate request; a plain accumulator over call-log records (not thread-safe). */
  static final class CallbackRate {
    private long missed;
    private final Set<String> calledBack = new HashSet<>();
    private final Set<String> answered = new HashSet<>();

    CallbackRate add(CallLogRecord r) {
      String of = r.logvars().get("callback_of");
      if (of != null) {
        calledBack.add(of);
        if (r.dialStatus() == DialStatus.NORMAL) {
          answered.add(of);
        }
      } else if (r.dialStatus() != DialStatus.NORMAL && r.caller() != null) {
        missed++;
      }
      return this;
    }

    RateJson json(String clientId, Instant from, Instant to) {
      return new RateJson(clientId, from.toString(), to.toString(), missed, calledBack.size(), answered.size(),
          missed == 0 ? null : (double) calledBack.size() / missed);
    }
  }

  /** The callback rate as JSON. */
  record RateJson(@JsonProperty("client_id") String clientId, @JsonProperty("from") String from,
      @JsonProperty("to") String to, @JsonProperty("missed_calls") long missedCalls,
      @JsonProperty("callbacks") long callbacks, @JsonProperty("answered_callbacks") long answeredCallbacks,
      @JsonProperty("rate") Double rate) {}
}
