package io.hankyo.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.protocol.number.InvalidPhoneNumberException;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Routes of number pools (issue 5, pools), mounted by {@link HttpApi} under {@code /v1} for an authenticated operator:
 *
 * <ul>
 *   <li>{@code POST /v1/pools} {@code {"method": "dynamic"|"one_time", "numbers": ["0120-000-001", ...], "hold_sec":
 *       1800, "cool_down_sec": 600, "fallback_number": "0120-999-999", "allowed_origins": ["https://shop.example"]}}
 *       → 201 the pool. 1..{@value #MAX_NUMBERS} distinct numbers of the operator's inventory, each {@code available}
 *       (they become {@code pooled}; otherwise 409 and none is pooled); a number outside the ranges the inventory
 *       takes ({@link io.hankyo.protocol.number.NumberRange#of}: 0120, 0800, 0078, 050) is 400 with the range's reason
 *       at {@code /numbers/<i>}, before the backend is asked; {@code hold_sec} 1..86400; {@code
 *       cool_down_sec} 0..86400 (default 0); {@code fallback_number} required, a tracking-number range number not
 *       in the pool (400), a static tracking number of the operator (409 from the backend); {@code allowed_origins}
 *       optional, each {@code http(s)://host[:port]} with no path or trailing slash (else 400 {@code
 *       /allowed_origins/<i>}; {@link #origin}: normalised, default port dropped, repeats dropped); {@code pool_id}
 *       optional (the client's id: the same request again answers the same pool), or an {@code Idempotency-Key} header
 *       ({@link #withIdempotencyKey}; the key used before for a different request is 409 saying so); {@code tracking_number} required (issue 5, attribution): one of the
 *       operator's tracking numbers, whose route calls to the pool's numbers take (404 when it is not one). Body at
 *       most 64 KiB (413);
 *       request timeout {@link #CREATE_TIMEOUT} (docs/inventory.md "Retrying a creation").
 *   <li>{@code GET /v1/pools} → {@code {"pools": [pool, ...]}}; {@code GET /v1/pools/{pool_id}} → the pool:
 *       {@code {"pool_id", "method", "numbers": [{"number", "number_e164", "session_id", "held_until"}], "hold_sec",
 *       "cool_down_sec", "fallback_number", "fallback_number_e164", "allowed_origins", "assignments", "fallbacks",
 *       "exhausted"}} ({@code exhausted}: the last assignment that needed a free number fell back); 404 unknown pool.
 *       A path {@code pool_id} that no pool can have ({@link #isPoolId}, the rule of {@code pool_id} at creation) is
 *       404 on every {@code /v1/pools/{pool_id}...} route, without reaching the backend, its text not echoing the id
 *       ({@link #NOT_A_POOL_ID}, no {@code instance}), as for an unknown pool.
 *   <li>{@code POST /v1/pools/{pool_id}/assignments} {@code {"session_id": "...", "params": {"gclid": "...",
 *       "utm_source": "...", "landing_page": "...", "referrer": "...", "member_id": "...", any key: string}}} → 200
 *       {@code {"number": "0120-000-001", "number_e164", "held_until", "fallback": false}}, answered after the
 *       assignment is persisted. {@code session_id} required, 1..128 of {@code [A-Za-z0-9._:-]}; {@code params} at
 *       most {@value #MAX_PARAMS} keys and string values of at most {@value #MAX_VALUE_BYTES} bytes (400 with JSON
 *       Pointers beyond), at most {@value #MAX_PARAMS_BYTES} bytes of keys and values in all (413 beyond). 404
 *       unknown pool, 409 a session id already used in another pool of the operator, 400 a bad
 *       document (an {@code errors} list of JSON Pointers) or a body that is not UTF-8 JSON; nothing is assigned.
 *       A fallback answers {@code "held_until": null}.
 *   <li>{@code GET /v1/pools?limit=&cursor=} pages the pools by id: {@code limit} 1..{@value #MAX_LIMIT} (default
 *       {@value #DEFAULT_LIMIT}), {@code cursor} the previous page's {@code next_cursor} (base64url of the last pool
 *       id); else 400.
 *   <li>The queries of {@code GET /v1/pools}, {@code GET /v1/pools/{pool_id}/sizing} and {@code GET
 *       /v1/usage/displays} are checked like the inventory listing's ({@link #checkedQuery}): a parameter the resource
 *       does not take, or one given twice, is 400.
 *   <li>{@code DELETE /v1/pools/{pool_id}} → 204 (404 unknown pool); the pool's numbers leave it, its display counts
 *       stay (docs/inventory.md "Deleting a pool"). Idempotent: a pool of the operator that is already deleted answers
 *       204 again (the backend finishes a deletion cut short, {@link PoolBackend#delete}), though {@code GET} of it is
 *       404; so a retried {@code DELETE} whose first answer was lost gets 204.
 *   <li>{@code GET /v1/pools/{pool_id}/sizing?days=30} → {@code {"pool_id", "pool_size", "days": [{"date",
 *       "peak_holds", "fallbacks", "displays"}], "peak_holds", "days_at_capacity", "action", "suggested_size",
 *       "advice", "history_since"}} ({@link PoolSizing}; {@code history_since} the pool's first display, null before
 *       it; {@code action} {@code not_enough_history} while that history does not cover the days asked for or one full
 *       day); {@code days} 1..{@value #MAX_DAYS} (default {@value #DEFAULT_DAYS}), else 400.
 *   <li>{@code GET /v1/usage/displays?month=2026-11} → {@code {"operator_id", "month", "displays", "fallbacks",
 *       "tier": {"from", "to", "included"}, "pools": [{"pool_id", "displays", "fallbacks", "deleted"}]}} for a
 *       Japan-time month (default the current one; {@code YYYY-MM} from 2000, else 400), tiers of spec section 3
 *       ({@link DisplayTiers}).
 *       A parameter key that is one of the call log's own {@code logvars} keys ({@link #isReservedParam}) is 400.
 *   <li>{@code POST /v1/bindings} {@code {"number": "0120-…", "session_id"?: "…", "params"?: {…}, "bound_at"?:
 *       "2026-11-30T09:30:00+09:00", "hold_sec": 600}} (中間発番, spec section 3; issue 5) → 201 {@code
 *       {"binding_id", "number", "number_e164", "session_id", "params", "bound_at", "held_until"}}; {@code number}
 *       one of the operator's tracking numbers (404 otherwise), {@code bound_at} within a day of now (default now),
 *       {@code hold_sec} 1..86400; parameters as an assignment's (400/413); 409 naming the pools when the number is
 *       the {@code fallback_number} of live pools (every fallback visitor would be credited to one session). A binding
 *       counts only while the tracking-number record it was made for holds the number (deleted and created again:
 *       not listed, not attributed). {@code GET /v1/bindings?number=…} → {@code {"bindings": [...]}}, the number's
 *       last 20 of its current record in the order they were made (not by {@code bound_at}).
 * </ul>
 */
public final class PoolApi extends ResourceRoutes {
  /** Most numbers per pool. */
  public static final int MAX_NUMBERS = 1000;
  /** Most parameter keys per assignment. */
  public static final int MAX_PARAMS = 50;
  /** Longest parameter value, UTF-8 bytes. */
  public static final int MAX_VALUE_BYTES = 1024;
  /** Most bytes of parameter keys and values together, UTF-8. */
  public static final int MAX_PARAMS_BYTES = 4096;
  /** Largest assignment body, bytes (the parameters and JSON around them). */
  public static final long MAX_ASSIGN_BODY_BYTES = 16 * 1024;
  /** Longest hold or cool-down, seconds (one day). */
  public static final long MAX_SECONDS = 86_400;

  /** Default page of {@code GET /v1/pools}. */
  public static final int DEFAULT_LIMIT = 100;
  /** Largest page of {@code GET /v1/pools}. */
  public static final int MAX_LIMIT = 1000;
  /**
   * Query parameters of {@code GET /v1/pools}; anything else, or one of them twice, is 400 ({@link #checkedQuery}, as
   * for the inventory listing).
   */
  public static final Set<String> LIST_PARAMETERS = Set.of("limit", "cursor");
  /** Query parameters of {@code GET /v1/pools/{pool_id}/sizing} (else 400, {@link #checkedQuery}). */
  public static final Set<String> SIZING_PARAMETERS = Set.of("days");
  /** Query parameters of {@code GET /v1/bindings} (else 400, {@link #checkedQuery}). */
  public static final Set<String> BINDINGS_PARAMETERS = Set.of("number");
  /** Query parameters of {@code GET /v1/usage/displays} (else 400, {@link #checkedQuery}). */
  public static final Set<String> DISPLAYS_PARAMETERS = Set.of("month");
  /** Default days of the sizing report. */
  public static final int DEFAULT_DAYS = 30;
  /** Most days of the sizing report (the pool keeps {@code PoolUsage.DAYS} = 400 days). */
  public static final int MAX_DAYS = 400;
  /**
   * A pool id: the client's {@code pool_id} (1..128 of {@code A-Z a-z 0-9 . _ : -}) or the backend's
   * {@code pool-} + 16 hex digits, which matches too. Also what the key-less JS tag endpoint accepts ({@link DniApi}).
   */
  public static final Pattern POOL_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final Pattern MONTH = Pattern.compile("[0-9]{4}-[0-9]{2}");

  /**
   * Parameter keys refused at assignment and binding (400, issue 5 attribution): the call log's own {@code logvars}
   * keys (issues 3, 4, 5), so that a visit's parameters never overwrite them; keys starting with {@code nfy_} are
   * refused too ({@link #isReservedParam}).
   */
  public static final Set<String> RESERVED_PARAMS = Set.of("attribution", "attribution_note", "pool_id", "session_id", "binding_id",
      "last_session_id", "last_held_until", "last_binding_id", "valid_res", "valid_code", "valid_reason",
      "judgment_version", "judgment_scope", "post_call_digit", "callback_of", "callback_number", "calling_sec_total",
      "flow_path", "flow_version", "fwd_attempts", "ivr_digits", "outside_hours", "queue", "queue_wait_sec",
      "recording", "rejudgment_id", "source");

  /**
   * Whether {@code key} is one of the call log's own {@code logvars} keys ({@link #RESERVED_PARAMS} or {@code nfy_*}),
   * compared case-insensitively ({@code Attribution}, {@code NFY_x} are reserved too: a log reader or spreadsheet
   * must never see two keys that differ only in case).
   */
  public static boolean isReservedParam(String key) {
    String k = key.toLowerCase(java.util.Locale.ROOT);
    return RESERVED_PARAMS.contains(k) || k.startsWith("nfy_");
  }

  /** A parameter key: 1..64 of {@code A-Z a-z 0-9 _ . -} (it becomes a {@code logvars.<key>} name and a CSV header). */
  public static final Pattern PARAM_KEY = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  /** Whether a parameter value contains a control character other than tab (U+0000..U+001F but tab, U+007F..U+009F). */
  static boolean hasControl(String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c != '\t' && Character.getType(c) == Character.CONTROL) {
        return true;
      }
    }
    return false;
  }

  /** Longest session id, characters. */
  static final int MAX_SESSION_ID = 128;

  /** Whether {@code s} is a session id: 1..128 of {@code A-Z a-z 0-9 . _ : -} (a loop: {@link CharRules}). */
  static boolean isSessionId(String s) {
    return CharRules.isIdColon(s, MAX_SESSION_ID);
  }

  /**
   * Whether {@code id} can be a pool's id: it matches {@link #POOL_ID} (1..128 of {@code A-Z a-z 0-9 . _ : -}) and
   * has at least one letter or digit, the rule of a client's {@code pool_id} at creation (the backend's ids match it
   * too); checked without a regex matcher ({@link CharRules}). A pool id in a path ({@code /v1/pools/{pool_id}...},
   * the JS tag endpoint) that is not one is 404 {@link #NOT_A_POOL_ID} without reaching the backend and without
   * being echoed.
   */
  public static boolean isPoolId(String id) {
    if (!CharRules.isIdColon(id, 128)) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      if (Character.isLetterOrDigit(id.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The 404 text for a path pool id that no pool can have ({@link #isPoolId}): like an unknown pool (404), but the id
   * is not echoed (it may be long or hold control characters).
   */
  public static final String NOT_A_POOL_ID = "no such pool: the pool id in the path is not one a pool can have (1 to "
      + "128 characters of A-Z a-z 0-9 . _ : - with at least one letter or digit)";

  /**
   * 404 {@link #NOT_A_POOL_ID}, problem+json without {@code instance} (the path holds the id, which is not echoed).
   */
  static HttpResponse notAPoolId() {
    return HttpApi.problemResponse(ApiProblem.notFound(NOT_A_POOL_ID), null);
  }

  /** Whether {@code key} matches {@link #PARAM_KEY} (1..64 of {@code A-Z a-z 0-9 _ . -}), without a regex matcher. */
  static boolean isParamKey(String key) {
    return CharRules.isIdDot(key, 64);
  }
  /**
   * A serialised origin (RFC 6454 section 6.2): scheme, host (DNS labels, an IPv4 address, or an IPv6 address in
   * brackets; checked further by {@link #origin}), optional
   * port, and nothing after it (no path, not even a slash).
   */
  private static final Pattern ORIGIN = Pattern.compile(
      "(?i)(https?)://([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
      + "|\\[[0-9a-f:.]+\\])(?::([0-9]{1,5}))?");
  /** What an element of {@code allowed_origins} must look like (the 400's text). */
  static final String ORIGIN_FORM = "must be an origin as a browser sends it in its Origin header, scheme://host[:port] "
      + "with nothing after the host or port, not even a slash (RFC 6454 section 6.2), e.g. https://shop.example, "
      + "http://localhost:8080, http://192.0.2.1 or http://[::1]:8080 (http or https, port 1-65535; an IPv4 host is "
      + "four decimal parts 0-255 without leading zeros)";
  /** Largest pool document, bytes (64 KiB, like {@code PUT /v1/callback-pool}: 1000 numbers with room to spare). */
  public static final long MAX_CREATE_BODY_BYTES = CallbackApi.MAX_DOCUMENT_BYTES;
  /** The 503 text of a creation that did not finish in time (timeout, or a cluster ask that failed). */
  static final String CREATE_UNFINISHED = "the pool was not created in time and may still be created: send the same "
      + "request again (give a pool_id of your own to be sure to get the same pool); GET /v1/pools lists your pools";
  /**
   * Request timeout of {@code POST /v1/pools}, 50 s (the server's default is 20 s; kept under its 60 s idle timeout):
   * 1000 numbers take a few journal reads and a write each. A pool created after a timeout is found by sending the
   * same request again (with the same {@code pool_id}).
   */
  public static final scala.concurrent.duration.FiniteDuration CREATE_TIMEOUT =
      scala.concurrent.duration.Duration.create(50, java.util.concurrent.TimeUnit.SECONDS);

  private final PoolBackend pools;
  private final CallbackApi.JsonBodies bodies;
  private final java.time.ZoneId zone;

  /**
   * @param pools the backend, or null when the node has none (the resources answer 404)
   * @param bodies reads JSON documents like the rest of {@link HttpApi}
   */
  PoolApi(PoolBackend pools, CallbackApi.JsonBodies bodies, java.time.ZoneId zone) {
    this.zone = java.util.Objects.requireNonNull(zone, "zone");
    this.pools = pools;
    this.bodies = bodies;
  }

  /** The routes for {@code operator} (authenticated by {@link HttpApi}). */
  public Route route(String operator) {
    return concat(poolRoutes(operator), bindingRoutes(operator));
  }

  /** The path of {@link #assignDirect}: {@code /v1/pools/} + pool id + {@code /assignments}. */
  private static final String ASSIGN_PREFIX = "/v1/pools/";
  private static final String ASSIGN_SUFFIX = "/assignments";
  /** Requests {@link #assignDirect} answered (taken on; its answer may be an error of the backend). */
  private final java.util.concurrent.atomic.LongAdder directAnswers = new java.util.concurrent.atomic.LongAdder();

  /** How many requests {@link #assignDirect} has answered itself (not handed to the route). */
  long directAnswers() {
    return directAnswers.sum();
  }

  /**
   * The pieces of {@link HttpApi}'s route that {@link #assignDirect} answers with, so that its answers, errors and log
   * lines are the route's.
   */
  interface RoutePieces {
    /** The operator of an API key ({@link ApiBackend#authenticate}; a thrown exception as a failed stage). */
    java.util.concurrent.CompletionStage<java.util.Optional<String>> authenticate(String apiKey);

    /** The route's answer to {@code request}. */
    java.util.concurrent.CompletionStage<HttpResponse> routed(org.apache.pekko.http.javadsl.model.HttpRequest request);

    /** The route's answer when the key could not be checked (503, logged). */
    HttpResponse authenticationFailed(Throwable failure, String path);

    /** The route's answer to an exception thrown while answering (its problem, or 500, logged). */
    HttpResponse thrown(Throwable e, String path);

    /** The route's answer when the server's request timeout strikes. */
    HttpResponse timedOut(org.apache.pekko.http.javadsl.model.HttpRequest request);

    /** A body that did not arrive whole, collected as the route does (fails with the route's 413 or 400). */
    java.util.concurrent.CompletionStage<org.apache.pekko.util.ByteString> body(
        org.apache.pekko.http.javadsl.model.RequestEntity entity, long max);
  }

  /**
   * {@code POST /v1/pools/{pool_id}/assignments}, the API's busiest request (every page view of a site with the JS
   * tag's keyed variant, issue 5), answered without the routing DSL: the route tree of {@link HttpApi} is built
   * anew for each request (the operator is known only after the key), which made about a third of the node's
   * allocations under assignment load (docs/performance.md "Stop 18"). It answers exactly as the route would, in the
   * route's order, with the route's pieces: POST, that path with a pool id and no query, one {@code Authorization:
   * Bearer} header, a body of a known length of at most {@link #MAX_ASSIGN_BODY_BYTES} bytes with Content-Type {@code
   * application/json} (no charset or UTF-8), no content coding and one Content-Type ({@link
   * HttpApi#bodyHeaderProblem}) are checked here, and anything else returns null before anything is done (the route
   * answers it: 401, 404, 405, 413, 415...). Then: a body that came whole with the head is parsed
   * first (no side effect) and, when {@link #parseAssignment} refuses it, the route answers it (the key first, then
   * this body's problem); the key is checked (401 to an unknown key, 503 when it cannot be checked); a body that did
   * not come whole is collected (as the route does, after the key) and its problem answered; the backend assigns
   * and its answer is rendered as the route renders it: 200 {@link AssignmentJson}, or the problem of its failure
   * (404, 409, 503) with the request path as {@code instance}.
   *
   * @param request the request as Pekko HTTP parsed it
   * @param route the route's pieces
   * @return the answer, or null when {@code request} is not one for this method (nothing was done)
   */
  java.util.concurrent.CompletionStage<HttpResponse> assignDirect(
      org.apache.pekko.http.javadsl.model.HttpRequest request, RoutePieces route) {
    if (pools == null || !request.method().equals(org.apache.pekko.http.javadsl.model.HttpMethods.POST)) {
      return null;
    }
    org.apache.pekko.http.javadsl.model.Uri uri = request.getUri();
    if (uri.rawQueryString().isPresent()) {
      return null;
    }
    String path = uri.path();
    if (!path.startsWith(ASSIGN_PREFIX) || !path.endsWith(ASSIGN_SUFFIX)
        || path.length() <= ASSIGN_PREFIX.length() + ASSIGN_SUFFIX.length()) {
      return null;
    }
    String poolId = path.substring(ASSIGN_PREFIX.length(), path.length() - ASSIGN_SUFFIX.length());
    if (!isPoolId(poolId)) {
      return null;
    }
    String token = HttpApi.bearerTokenOf(request);
    if (token == null) {
      return null; // the route's 401
    }
    org.apache.pekko.http.javadsl.model.RequestEntity entity = request.entity();
    java.util.OptionalLong length = entity.getContentLengthOption();
    if (!HttpApi.isUtf8Json(entity.getContentType()) || HttpApi.bodyHeaderProblem(request) != null
        || length.isEmpty() || length.getAsLong() == 0 || length.getAsLong() > MAX_ASSIGN_BODY_BYTES) {
      return null;
    }
    request.getHeader(org.apache.pekko.http.javadsl.model.headers.TimeoutAccess.class)
        .ifPresent(t -> t.timeoutAccess().updateHandler(route::timedOut));
    if (entity instanceof org.apache.pekko.http.javadsl.model.HttpEntity.Strict strict) {
      Request parsed;
      try {
        parsed = parse(strict.getData());
      } catch (RuntimeException e) {
        return route.routed(request); // the key first, then this body's problem: the route's order
      }
      return withOperator(route, token, path, operator -> assign(route, operator, poolId, parsed, path));
    }
    // the body did not come with the head: after the key, as the route reads it
    return withOperator(route, token, path, operator -> route.body(entity, MAX_ASSIGN_BODY_BYTES)
        .thenCompose(bytes -> assign(route, operator, poolId, parse(bytes), path))
        .exceptionally(e -> route.thrown(e, path)));
  }

  private static Request parse(org.apache.pekko.util.ByteString body) {
    return parseAssignment(io.hankyo.api.json.ApiJson.readBody(body.toArray(), JsonNode.class));
  }

  /** {@code then} with the operator of {@code token}; the route's 401 or 503 when there is none. */
  private java.util.concurrent.CompletionStage<HttpResponse> withOperator(RoutePieces route, String token,
      String path, java.util.function.Function<String, java.util.concurrent.CompletionStage<HttpResponse>> then) {
    return route.authenticate(token).handle((operator, failure) -> {
      directAnswers.increment();
      if (failure != null) {
        return java.util.concurrent.CompletableFuture.completedFuture(route.authenticationFailed(failure, path));
      }
      if (operator == null || operator.isEmpty()) {
        return java.util.concurrent.CompletableFuture.completedFuture(
            route.thrown(Problems.unauthorized(HttpApi.UNKNOWN_KEY), path));
      }
      return then.apply(operator.get());
    }).thenCompose(x -> x);
  }

  private java.util.concurrent.CompletionStage<HttpResponse> assign(RoutePieces route, String operator,
      String poolId, Request r, String path) {
    return guard(() -> pools.assign(operator, poolId, r.sessionId(), r.params())).handle((a, failure) -> {
      try {
        return failure == null ? json(StatusCodes.OK, AssignmentJson.of(a, zone))
            : HttpApi.problemResponse(problemOf(failure), path);
      } catch (RuntimeException e) {
        return route.thrown(e, path);
      }
    });
  }

  /**
   * {@code POST /v1/bindings} and {@code GET /v1/bindings?number=…} (中間発番, spec section 3; issue 5).
   */
  private Route bindingRoutes(String operator) {
    return pathPrefix("bindings", () -> pathEnd(() -> concat(
        post(() -> bodies.read(MAX_ASSIGN_BODY_BYTES, body -> {
          backend();
          PoolBackend.NewBinding b = parseBinding(body, java.time.Instant.now());
          // a binding has no resource of its own: Location is the listing of its number's bindings, which holds it
          return respond(() -> backend().bind(operator, b), x -> json(StatusCodes.CREATED, BindingJson.of(x, zone))
              .addHeader(org.apache.pekko.http.javadsl.model.headers.Location.create(
                  "/v1/bindings?number=" + java.net.URLEncoder.encode(national(x.e164()),
                      java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"))));
        })),
        get(() -> checkedQuery(BINDINGS_PARAMETERS, "the bindings listing takes number", () ->
            parameterOptional("number", number -> {
              PhoneNumber n = queryNumber(number.orElse(null));
              return respond(() -> backend().bindings(operator, n), l -> json(StatusCodes.OK,
                  new BindingListJson(l.stream().map(x -> BindingJson.of(x, zone)).toList())));
            }))))));
  }

  /**
   * The request's {@code Idempotency-Key}, if any; given twice (two header lines or a list) is 400: the field is one
   * string (draft-ietf-httpapi-idempotency-key-header), and taking the first silently could create a second pool.
   */
  static java.util.Optional<String> idempotencyKey(org.apache.pekko.http.javadsl.model.HttpRequest request) {
    List<String> values = new java.util.ArrayList<>();
    for (org.apache.pekko.http.javadsl.model.HttpHeader h : request.getHeaders()) {
      if (h.is("idempotency-key")) {
        values.add(h.value());
      }
    }
    if (values.size() > 1) {
      throw ApiProblem.invalid("the Idempotency-Key header is given " + values.size() + " times; give it once");
    }
    return values.stream().findFirst();
  }

  private static PhoneNumber queryNumber(String number) {
    if (number == null || number.isBlank()) {
      throw ApiProblem.invalid("the query parameter 'number' is required",
          List.of(new ApiProblem.FieldError("/number", "required")));
    }
    try {
      return PhoneNumbers.parse(number);
    } catch (InvalidPhoneNumberException e) {
      throw ApiProblem.invalid("the query parameter 'number' is not a phone number",
          List.of(new ApiProblem.FieldError("/number", e.getMessage())));
    }
  }


  private Route poolRoutes(String operator) {
    return concat(pathPrefix("pools", () -> concat(
        pathEnd(() -> concat(
            post(() -> withRequestTimeout(CREATE_TIMEOUT, () -> withRequestTimeoutResponse(
                req -> HttpApi.problemResponse(Problems.unavailable(CREATE_UNFINISHED), req.getUri().path()),
                () -> extractRequest(request -> bodies.read(MAX_CREATE_BODY_BYTES, body -> {
                  java.util.Optional<String> key = idempotencyKey(request);
                  PoolBackend.NewPool parsed = parseNew(body);
                  PoolBackend.NewPool p = withIdempotencyKey(parsed, operator, key);
                  // the pool id stands for the Idempotency-Key: the client never chose it
                  String keyPoolId = parsed.poolId() == null ? p.poolId() : null;
                  return respond(() -> backend().create(operator, p).exceptionally(e -> {
                    Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (c instanceof ApiProblem ap) {
                      throw keyPoolId != null ? idempotencyKeyConflict(ap, keyPoolId) : ap;
                    }
                    throw Problems.unavailable(CREATE_UNFINISHED);
                  }), x -> json(StatusCodes.CREATED, PoolJson.of(x, zone))
                      .addHeader(org.apache.pekko.http.javadsl.model.headers.Location.create("/v1/pools/"
                          + x.poolId())));
                }))))),
            get(() -> checkedQuery(LIST_PARAMETERS, "the listing of pools takes limit and cursor", () ->
                parameterOptional("limit", limit -> parameterOptional("cursor", cursor -> {
                  int n = limit(limit);
                  String after = cursor(cursor);
                  return respond(() -> backend().page(operator, after, n), page -> json(StatusCodes.OK,
                      new PoolListJson(page.pools().stream().map(x -> PoolJson.of(x, zone)).toList(),
                          cursorOf(page.lastPoolId()))));
                })))))),
        pathPrefix(PathMatchers.segment(), id -> !isPoolId(id) ? complete(notAPoolId()) : concat(
            pathEnd(() -> concat(
                get(() -> respond(() -> backend().get(operator, id),
                    x -> json(StatusCodes.OK, PoolJson.of(x, zone)))),
                delete(() -> respond(() -> backend().delete(operator, id),
                    x -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT))))),
            path("sizing", () -> get(() -> checkedQuery(SIZING_PARAMETERS, "the sizing report takes days", () ->
                parameterOptional("days", days -> {
                  int n = days(days);
                  return respond(() -> backend().sizing(operator, id, n),
                      r -> json(StatusCodes.OK, SizingJson.of(r, zone)));
                })))),
            path("assignments", () -> post(() -> bodies.read(MAX_ASSIGN_BODY_BYTES, body -> {
              backend();
              Request r = parseAssignment(body);
              return respond(() -> backend().assign(operator, id, r.sessionId(), r.params()),
                  a -> json(StatusCodes.OK, AssignmentJson.of(a, zone)));
            }))))))),
        pathPrefix("usage", () -> path("displays", () -> get(() -> checkedQuery(DISPLAYS_PARAMETERS,
            "the displays of a month take month", () -> parameterOptional("month", month -> {
              java.time.YearMonth m = month(month);
              return respond(() -> backend().displays(operator, m), d -> json(StatusCodes.OK, DisplaysJson.of(d)));
            }))))));
  }

  static int limit(java.util.Optional<String> limit) {
    return intParam("limit", limit, DEFAULT_LIMIT, MAX_LIMIT);
  }

  static int days(java.util.Optional<String> days) {
    return intParam("days", days, DEFAULT_DAYS, MAX_DAYS);
  }

  private static int intParam(String name, java.util.Optional<String> value, int dflt, int max) {
    if (value.isEmpty()) {
      return dflt;
    }
    int n = asciiInt(value.get());
    if (n >= 1 && n <= max) {
      return n;
    }
    throw ApiProblem.invalid(name + " '" + value.get() + "' must be an integer from 1 to " + max);
  }

  /** The pool id a cursor stands for: base64url of the last pool id of the previous page. */
  static String cursor(java.util.Optional<String> cursor) {
    if (cursor.isEmpty()) {
      return null;
    }
    try {
      String id = new String(java.util.Base64.getUrlDecoder().decode(cursor.get()), StandardCharsets.UTF_8);
      if (POOL_ID.matcher(id).matches()) {
        return id;
      }
    } catch (IllegalArgumentException e) {
      // refused below
    }
    throw ApiProblem.invalid("cursor '" + cursor.get() + "' is not a cursor of this listing; use next_cursor "
        + "of the previous page");
  }

  static String cursorOf(String poolId) {
    return poolId == null ? null
        : java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(poolId.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code month=2026-11} as a month; null (the backend's current Japan-time month) when absent. */
  static java.time.YearMonth month(java.util.Optional<String> month) {
    if (month.isEmpty()) {
      return null;
    }
    if (MONTH.matcher(month.get()).matches()) {
      try {
        java.time.YearMonth m = java.time.YearMonth.parse(month.get());
        if (m.getYear() >= 2000) {
          return m;
        }
      } catch (java.time.format.DateTimeParseException e) {
        // refused below
      }
    }
    throw ApiProblem.invalid("month '" + month.get() + "' must be a month like 2026-11 (Japan time)");
  }

  private PoolBackend backend() {
    if (pools == null) {
      throw ApiProblem.notFound("number pools are not available on this node");
    }
    return pools;
  }

  /** A checked assignment request. */
  record Request(String sessionId, Map<String, String> params) {}

  static Request parseAssignment(JsonNode body) {
    List<ApiProblem.FieldError> errors = new ArrayList<>();
    if (!body.isObject()) {
      throw ApiProblem.invalid("the request body must be a JSON object");
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("session_id") && !f.equals("params")) {
        errors.add(new ApiProblem.FieldError("/" + pointerEscape(f), "unknown field; allowed: session_id, params"));
      }
    }
    JsonNode sid = body.get("session_id");
    String sessionId = null;
    if (sid == null || sid.isNull()) {
      errors.add(new ApiProblem.FieldError("/session_id", "required"));
    } else if (!sid.isTextual() || !isSessionId(sid.asText())) {
      errors.add(new ApiProblem.FieldError("/session_id", "must be 1 to 128 characters of A-Z a-z 0-9 . _ : -"));
    } else {
      sessionId = sid.asText();
    }
    Params p = params(body.get("params"), errors);
    if (!errors.isEmpty()) {
      throw ApiProblem.invalid("the assignment request is not valid; nothing was assigned", errors);
    }
    p.checkSize("nothing was assigned");
    Map<String, String> params = p.values();
    return new Request(sessionId, params);
  }

  /** Checked visit parameters and their size (keys and values, UTF-8 bytes). */
  record Params(Map<String, String> values, long bytes) {
    /** 413 when the keys and values are too large together. */
    void checkSize(String nothingDone) {
      if (bytes > MAX_PARAMS_BYTES) {
        throw Problems.payloadTooLarge("params have " + bytes + " bytes of keys and values; at most "
            + MAX_PARAMS_BYTES + "; " + nothingDone);
      }
    }
  }

  /**
   * The {@code params} object of an assignment or a binding: at most {@value #MAX_PARAMS} string values of at most
   * {@value #MAX_VALUE_BYTES} bytes without control characters but tab, keys matching {@link #PARAM_KEY} and not
   * {@link #isReservedParam reserved} (ignoring case); problems are added to
   * {@code errors} as JSON Pointers under {@code /params}.
   */
  static Params params(JsonNode p, List<ApiProblem.FieldError> errors) {
    Map<String, String> params = new LinkedHashMap<>();
    long bytes = 0;
    if (p != null && !p.isNull()) {
      if (!p.isObject()) {
        errors.add(new ApiProblem.FieldError("/params", "must be an object of strings"));
      } else if (p.size() > MAX_PARAMS) {
        errors.add(new ApiProblem.FieldError("/params", "has " + p.size() + " keys; at most " + MAX_PARAMS));
      } else {
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          String key = e.getKey();
          if (key.isEmpty()) {
            errors.add(new ApiProblem.FieldError(paramPointer(key), "a key must not be empty"));
          } else if (!isParamKey(key)) {
            errors.add(new ApiProblem.FieldError(paramPointer(key),
                "a key must be 1 to 64 characters of A-Z a-z 0-9 _ . -"));
          } else if (isReservedParam(key)) {
            errors.add(new ApiProblem.FieldError(paramPointer(key), "'" + key + "' is a key of the call log's own "
                + "logvars (compared ignoring case); use another name"));
          } else if (!e.getValue().isTextual()) {
            errors.add(new ApiProblem.FieldError(paramPointer(key), "must be a string"));
          } else {
            String value = e.getValue().asText();
            if (hasControl(value)) {
              errors.add(new ApiProblem.FieldError(paramPointer(key),
                  "must not contain control characters (tab is allowed)"));
            } else {
              int len = CharRules.utf8Length(value);
              if (len > MAX_VALUE_BYTES) {
                errors.add(new ApiProblem.FieldError(paramPointer(key),
                    "has " + len + " bytes; at most " + MAX_VALUE_BYTES));
              }
              // a valid key is ASCII: one byte per character
              bytes += len + key.length();
              params.put(key, value);
            }
          }
        }
      }
    }
    return new Params(params, bytes);
  }

  /**
   * A checked binding request {@code {"number", "session_id"?, "params"?, "bound_at"?, "hold_sec"}}: {@code number}
   * a phone number; {@code session_id} like an assignment's; {@code bound_at} ISO-8601 with offset within a day of
   * {@code now} (default: now, chosen by the backend); {@code hold_sec} 1..86400. 400 with JSON Pointers, 413 for
   * parameters too large together.
   */
  static PoolBackend.NewBinding parseBinding(JsonNode body, java.time.Instant now) {
    if (!body.isObject()) {
      throw ApiProblem.invalid("the request body must be a JSON object");
    }
    Set<String> allowed = Set.of("number", "session_id", "params", "bound_at", "hold_sec");
    List<ApiProblem.FieldError> errors = new ArrayList<>();
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        errors.add(new ApiProblem.FieldError("/" + pointerEscape(f), "unknown field; allowed: "
            + String.join(", ", new java.util.TreeSet<>(allowed))));
      }
    }
    PhoneNumber number = number(body.get("number"), "/number", errors);
    JsonNode sid = body.get("session_id");
    String sessionId = null;
    if (sid != null && !sid.isNull()) {
      if (!sid.isTextual() || !isSessionId(sid.asText())) {
        errors.add(new ApiProblem.FieldError("/session_id", "must be 1 to 128 characters of A-Z a-z 0-9 . _ : -"));
      } else {
        sessionId = sid.asText();
      }
    }
    java.time.Instant boundAt = null;
    JsonNode at = body.get("bound_at");
    if (at != null && !at.isNull()) {
      try {
        if (!at.isTextual()) {
          throw new java.time.format.DateTimeParseException("not a string", at.toString(), 0);
        }
        boundAt = java.time.OffsetDateTime.parse(at.asText()).toInstant();
        if (Math.abs(java.time.Duration.between(now, boundAt).getSeconds()) > MAX_SECONDS) {
          errors.add(new ApiProblem.FieldError("/bound_at", "must be within a day of now"));
          boundAt = null;
        }
      } catch (java.time.format.DateTimeParseException e) {
        errors.add(new ApiProblem.FieldError("/bound_at",
            "must be an ISO-8601 time with offset, e.g. 2026-11-30T09:30:00+09:00"));
      }
    }
    long hold = seconds(body.get("hold_sec"), "/hold_sec", 1, true, errors);
    Params p = params(body.get("params"), errors);
    if (!errors.isEmpty()) {
      throw ApiProblem.invalid("the binding is not valid; nothing was bound", errors);
    }
    p.checkSize("nothing was bound");
    return new PoolBackend.NewBinding(number, sessionId, p.values(), boundAt, hold);
  }

  static PoolBackend.NewPool parseNew(JsonNode body) {
    if (!body.isObject()) {
      throw ApiProblem.invalid("the request body must be a JSON object");
    }
    Set<String> allowed = Set.of("method", "numbers", "hold_sec", "cool_down_sec", "fallback_number",
        "allowed_origins", "tracking_number", "pool_id");
    List<ApiProblem.FieldError> errors = new ArrayList<>();
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        errors.add(new ApiProblem.FieldError("/" + pointerEscape(f), "unknown field; allowed: "
            + String.join(", ", new java.util.TreeSet<>(allowed))));
      }
    }
    String method = body.path("method").asText("");
    if (!body.path("method").isTextual() || !(method.equals("dynamic") || method.equals("one_time"))) {
      errors.add(new ApiProblem.FieldError("/method", "must be \"dynamic\" or \"one_time\""));
    }
    List<PhoneNumber> numbers = new ArrayList<>();
    JsonNode ns = body.get("numbers");
    if (ns == null || !ns.isArray() || ns.isEmpty() || ns.size() > MAX_NUMBERS) {
      errors.add(new ApiProblem.FieldError("/numbers", "must be a list of 1 to " + MAX_NUMBERS + " numbers"));
    } else {
      Set<String> seen = new LinkedHashSet<>();
      for (int i = 0; i < ns.size(); i++) {
        PhoneNumber n = number(ns.get(i), "/numbers/" + i, errors);
        if (n != null) {
          // the inventory import's rule (spec section 2: 0120, 0800, 0078, 050): a number of another range can never
          // be in the inventory, so it is refused here with the range's reason, not by the backend's 409
          try {
            io.hankyo.protocol.number.NumberRange.of(n);
          } catch (InvalidPhoneNumberException e) {
            errors.add(new ApiProblem.FieldError("/numbers/" + i, e.getMessage()));
            continue;
          }
        }
        if (n != null && !seen.add(n.e164())) {
          errors.add(new ApiProblem.FieldError("/numbers/" + i, "repeats " + n.national()));
        } else if (n != null) {
          numbers.add(n);
        }
      }
    }
    long hold = seconds(body.get("hold_sec"), "/hold_sec", 1, true, errors);
    long coolDown = seconds(body.get("cool_down_sec"), "/cool_down_sec", 0, false, errors);
    PhoneNumber fallback = null;
    JsonNode fb = body.get("fallback_number");
    if (fb == null || fb.isNull()) {
      errors.add(new ApiProblem.FieldError("/fallback_number", "is required: one of your static tracking numbers "
          + "(handed out when every pool number is held)"));
    } else {
      fallback = number(fb, "/fallback_number", errors);
      if (fallback != null) {
        try {
          io.hankyo.protocol.number.NumberRange.of(fallback);
        } catch (InvalidPhoneNumberException e) {
          errors.add(new ApiProblem.FieldError("/fallback_number", e.getMessage()));
          fallback = null;
        }
      }
      String fallbackE164 = fallback == null ? null : fallback.e164();
      if (fallback != null && numbers.stream().anyMatch(n -> n.e164().equals(fallbackE164))) {
        errors.add(new ApiProblem.FieldError("/fallback_number", "is one of the pool's numbers; the fallback must "
            + "be a number outside every pool, normally one of your static tracking numbers"));
      }
    }
    PhoneNumber tracking = null;
    JsonNode tn = body.get("tracking_number");
    if (tn == null || tn.isNull()) {
      errors.add(new ApiProblem.FieldError("/tracking_number", "is required: one of your tracking numbers (calls to "
          + "the pool's numbers are handled like calls to it)"));
    } else {
      tracking = number(tn, "/tracking_number", errors);
    }
    List<String> origins = new ArrayList<>();
    JsonNode os = body.get("allowed_origins");
    if (os != null && !os.isNull()) {
      if (!os.isArray()) {
        errors.add(new ApiProblem.FieldError("/allowed_origins", "must be a list of origins"));
      } else {
        for (int i = 0; i < os.size(); i++) {
          String o = os.get(i).isTextual() ? origin(os.get(i).asText()) : null;
          if (o == null) {
            errors.add(new ApiProblem.FieldError("/allowed_origins/" + i, ORIGIN_FORM));
          } else if (!origins.contains(o)) {
            origins.add(o);
          }
        }
      }
    }
    String poolId = null;
    JsonNode pid = body.get("pool_id");
    if (pid != null && !pid.isNull()) {
      if (!pid.isTextual() || !isPoolId(pid.asText())) {
        errors.add(new ApiProblem.FieldError("/pool_id", "must be 1 to 128 characters of A-Z a-z 0-9 . _ : - with at "
            + "least one letter or digit"));
      } else {
        poolId = pid.asText();
      }
    }
    if (!errors.isEmpty()) {
      throw ApiProblem.invalid("the pool is not valid; nothing was created", errors);
    }
    return new PoolBackend.NewPool(method, numbers, hold, coolDown, fallback, origins, tracking, poolId);
  }

  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");

  /**
   * {@code p} with the pool id an {@code Idempotency-Key} header stands for, when the document has no {@code pool_id}:
   * {@code pool-} + the first 16 hex digits of SHA-256 of {@code operator} and the key, so that the same key of the
   * same operator always names the same pool (the retry answers it; another request under the key is 409 saying that
   * the key was already used for a different request, {@link #idempotencyKeyConflict}). The key is 1..255 visible
   * ASCII characters (else 400).
   */
  static PoolBackend.NewPool withIdempotencyKey(PoolBackend.NewPool p, String operator,
      java.util.Optional<String> key) {
    if (key.isEmpty()) {
      return p;
    }
    if (!IDEMPOTENCY_KEY.matcher(key.get()).matches()) {
      throw ApiProblem.invalid("the Idempotency-Key header must be 1 to 255 visible ASCII characters");
    }
    if (p.poolId() != null) {
      return p;
    }
    try {
      byte[] h = java.security.MessageDigest.getInstance("SHA-256")
          .digest((operator + "\n" + key.get()).getBytes(StandardCharsets.UTF_8));
      String id = "pool-" + java.util.HexFormat.of().formatHex(h, 0, 8);
      return new PoolBackend.NewPool(p.method(), p.numbers(), p.holdSec(), p.coolDownSec(), p.fallback(),
          p.allowedOrigins(), p.trackingNumber(), id);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /**
   * The answer to a creation under an {@code Idempotency-Key} that failed with {@code problem}: a 409 naming the pool
   * id the key stands for ({@code keyPoolId}: that pool exists with other settings, was deleted, or holds the numbers)
   * means that the key was already used for a different request, and is answered so, with the advice to use a new key
   * or to resend the identical request (the backend's own text advises choosing another {@code pool_id}, which the
   * client never sent). Any other problem as it is.
   */
  static ApiProblem idempotencyKeyConflict(ApiProblem problem, String keyPoolId) {
    if (problem.status() != 409 || problem.detail() == null || !problem.detail().contains(keyPoolId)) {
      return problem;
    }
    if (problem.detail().contains("pool " + keyPoolId + " was deleted")) {
      return ApiProblem.conflict(IDEMPOTENCY_KEY_DELETED + " (" + keyPoolId + "); nothing was created");
    }
    return ApiProblem.conflict(IDEMPOTENCY_KEY_REUSED + " (its pool is " + keyPoolId + "); nothing was created");
  }

  /** The start of the 409 text for an {@code Idempotency-Key} whose pool has been deleted since. */
  static final String IDEMPOTENCY_KEY_DELETED = "the pool this Idempotency-Key created has been deleted: send the "
      + "request with a new Idempotency-Key to create a new pool";

  /** The start of the 409 text for an {@code Idempotency-Key} already used for a different request. */
  static final String IDEMPOTENCY_KEY_REUSED = "the Idempotency-Key was already used for a different request: send "
      + "this request with a new Idempotency-Key, or resend the identical earlier request to get the pool it created";

  /**
   * {@code text} as a normalised serialised web origin (RFC 6454 section 6.2: lower-case scheme and host, an IPv6
   * address in the RFC 5952 canonical form, the port without leading zeros and only when it is not the scheme's
   * default, 443 or 80), or null when it is none: {@code http}/{@code https} (any case), {@code ://}, a host of DNS
   * labels (letters, digits, hyphens inside; at most 63 characters each; one whose last label is a number must be a
   * dotted quad of 0..255 without leading zeros, {@link OriginHosts}) or an IPv6 address in brackets (parsed as text,
   * never resolved), an optional port 1..65535, and nothing else (a path or a trailing
   * slash is refused: a browser's {@code Origin} header never has one, RFC 6454 section 7.1). Used for {@code
   * allowed_origins} at creation and for the {@code Origin} header of the JS tag endpoint ({@link DniApi}), so that
   * both compare as origins (RFC 6454 section 5: scheme, host and port; scheme and host case-insensitive).
   */
  static String origin(String text) {
    java.util.regex.Matcher m = ORIGIN.matcher(text);
    if (!m.matches()) {
      return null;
    }
    String host = m.group(2).toLowerCase(java.util.Locale.ROOT);
    if (host.startsWith("[")) {
      String canonical = OriginHosts.ipv6(host.substring(1, host.length() - 1));
      if (canonical == null) {
        return null;
      }
      host = "[" + canonical + "]";
    } else if (host.length() > 253 || OriginHosts.isNumericHost(host) && !OriginHosts.ipv4(host)) {
      return null;
    }
    String scheme = m.group(1).toLowerCase(java.util.Locale.ROOT);
    String port = m.group(3);
    if (port != null) {
      int p = Integer.parseInt(port);
      if (p < 1 || p > 65535) {
        return null;
      }
      port = p == (scheme.equals("https") ? 443 : 80) ? null : Integer.toString(p);
    }
    return scheme + "://" + host + (port == null ? "" : ":" + port);
  }

  private static PhoneNumber number(JsonNode n, String pointer, List<ApiProblem.FieldError> errors) {
    if (n == null || !n.isTextual()) {
      errors.add(new ApiProblem.FieldError(pointer, "must be a phone number string"));
      return null;
    }
    try {
      return PhoneNumbers.parse(n.asText());
    } catch (InvalidPhoneNumberException e) {
      errors.add(new ApiProblem.FieldError(pointer, e.getMessage()));
      return null;
    }
  }

  private static long seconds(JsonNode n, String pointer, long min, boolean required,
      List<ApiProblem.FieldError> errors) {
    if (n == null || n.isNull()) {
      if (required) {
        errors.add(new ApiProblem.FieldError(pointer, "required"));
      }
      return 0;
    }
    if (!n.isIntegralNumber() || n.asLong() < min || n.asLong() > MAX_SECONDS) {
      errors.add(new ApiProblem.FieldError(pointer, "must be an integer from " + min + " to " + MAX_SECONDS));
      return 0;
    }
    return n.asLong();
  }

  /** The JSON Pointer of parameter {@code key}: {@code /params/<key>} (RFC 6901 escapes). */
  private static String paramPointer(String key) {
    return "/params/" + pointerEscape(key);
  }

  private static String pointerEscape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  /** {@code e164}'s national form, or {@code e164} when it does not parse ({@link NationalForms}, cached). */
  private static String national(String e164) {
    return NationalForms.of(e164);
  }

  /** One number of a pool. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record MemberJson(@JsonProperty("number") String number, @JsonProperty("number_e164") String e164,
      @JsonProperty("session_id") String sessionId, @JsonProperty("held_until") String heldUntil) {}

  /** A pool. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record PoolJson(@JsonProperty("pool_id") String poolId, @JsonProperty("method") String method,
      @JsonProperty("numbers") List<MemberJson> numbers, @JsonProperty("hold_sec") long holdSec,
      @JsonProperty("cool_down_sec") long coolDownSec, @JsonProperty("fallback_number") String fallback,
      @JsonProperty("fallback_number_e164") String fallbackE164,
      @JsonProperty("allowed_origins") List<String> allowedOrigins,
      @JsonProperty("assignments") long assignments, @JsonProperty("fallbacks") long fallbacks,
      @JsonProperty("exhausted") boolean exhausted, @JsonProperty("tracking_number") String trackingNumber,
      @JsonProperty("tracking_number_e164") String trackingNumberE164) {
    static PoolJson of(PoolBackend.Pool p, java.time.ZoneId zone) {
      return new PoolJson(p.poolId(), p.method(), p.numbers().stream().map(m -> new MemberJson(national(m.e164()),
          m.e164(), m.sessionId(), m.heldUntil() == null ? null : ApiTimes.iso(m.heldUntil(), zone))).toList(),
          p.holdSec(), p.coolDownSec(), national(p.fallbackE164()), p.fallbackE164(), p.allowedOrigins(),
          p.assignments(), p.fallbacks(), p.exhausted(),
          p.trackingNumberE164() == null ? null : national(p.trackingNumberE164()), p.trackingNumberE164());
    }
  }

  /** A binding. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record BindingJson(@JsonProperty("binding_id") String bindingId, @JsonProperty("number") String number,
      @JsonProperty("number_e164") String e164, @JsonProperty("session_id") String sessionId,
      @JsonProperty("params") Map<String, String> params, @JsonProperty("bound_at") String boundAt,
      @JsonProperty("held_until") String heldUntil) {
    static BindingJson of(PoolBackend.Binding b, java.time.ZoneId zone) {
      return new BindingJson(b.bindingId(), national(b.e164()), b.e164(), b.sessionId(), b.params(),
          ApiTimes.iso(b.boundAt(), zone), ApiTimes.iso(b.heldUntil(), zone));
    }
  }

  /** A number's bindings. */
  record BindingListJson(@JsonProperty("bindings") List<BindingJson> bindings) {}

  /** A page of the pools of an operator. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record PoolListJson(@JsonProperty("pools") List<PoolJson> pools, @JsonProperty("next_cursor") String nextCursor) {}

  /** A tier of {@link DisplayTiers}. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record TierJson(@JsonProperty("from") long from, @JsonProperty("to") Long to,
      @JsonProperty("included") boolean included) {
    static TierJson of(DisplayTiers.Tier t) {
      return new TierJson(t.from(), t.to(), t.included());
    }
  }

  /** One pool's displays. */
  record PoolDisplaysJson(@JsonProperty("pool_id") String poolId, @JsonProperty("displays") long displays,
      @JsonProperty("fallbacks") long fallbacks, @JsonProperty("deleted") boolean deleted) {}

  /** Displays of a month. */
  record DisplaysJson(@JsonProperty("operator_id") String operatorId, @JsonProperty("month") String month,
      @JsonProperty("displays") long displays, @JsonProperty("fallbacks") long fallbacks,
      @JsonProperty("tier") TierJson tier, @JsonProperty("pools") List<PoolDisplaysJson> pools) {
    static DisplaysJson of(PoolBackend.Displays d) {
      return new DisplaysJson(d.operatorId(), d.month(), d.displays(), d.fallbacks(),
          TierJson.of(DisplayTiers.of(d.displays())), d.pools().stream().map(p -> new PoolDisplaysJson(p.poolId(),
              p.displays(), p.fallbacks(), p.deleted())).toList());
    }
  }

  /** One day of a sizing report. */
  record SizingDayJson(@JsonProperty("date") String date, @JsonProperty("peak_holds") int peakHolds,
      @JsonProperty("fallbacks") long fallbacks, @JsonProperty("displays") long displays) {}

  /** A sizing report. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record SizingJson(@JsonProperty("pool_id") String poolId, @JsonProperty("pool_size") int poolSize,
      @JsonProperty("days") List<SizingDayJson> days, @JsonProperty("peak_holds") int peakHolds,
      @JsonProperty("days_at_capacity") int daysAtCapacity, @JsonProperty("action") String action,
      @JsonProperty("suggested_size") Integer suggestedSize, @JsonProperty("advice") String advice,
      @JsonProperty("history_since") String historySince) {
    static SizingJson of(PoolSizing.Report r, java.time.ZoneId zone) {
      return new SizingJson(r.poolId(), r.poolSize(), r.days().stream().map(d -> new SizingDayJson(d.date(),
          d.peakHolds(), d.fallbacks(), d.displays())).toList(), r.peakHolds(), r.daysAtCapacity(), r.action(),
          r.suggestedSize(), r.advice(), r.historySince() == null ? null : ApiTimes.iso(r.historySince(), zone));
    }
  }

  /** An assignment's answer ({@code held_until} null for a fallback). */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record AssignmentJson(@JsonProperty("number") String number, @JsonProperty("number_e164") String e164,
      @JsonProperty("held_until") String heldUntil, @JsonProperty("fallback") boolean fallback) {
    static AssignmentJson of(PoolBackend.Assignment a, java.time.ZoneId zone) {
      return new AssignmentJson(national(a.e164()), a.e164(), ApiTimes.iso(a.heldUntil(), zone), a.fallback());
    }
  }
}
