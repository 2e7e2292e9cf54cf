package io.hankyo.api;

import io.hankyo.api.json.ApiJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.ContentEncoding;
import org.apache.pekko.http.javadsl.model.headers.HttpEncodings;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JS tag of dynamic number insertion (issue 5, "JS tag"): the script and the public, key-less assignment endpoint
 * it calls from the visitor's browser. Mounted by {@link HttpApi} outside the API-key authentication:
 *
 * <ul>
 *   <li>{@code GET /dni.js} → 200 the script ({@code text/javascript; charset=utf-8}, {@code Cache-Control: public,
 *       max-age=}{@value #SCRIPT_MAX_AGE_SECONDS}, {@code Access-Control-Allow-Origin: *} so that a site may add
 *       Subresource Integrity), a strong {@code ETag}, 304 for a matching {@code If-None-Match} and gzip when accepted
 *       ({@link #scriptRoute}). A site includes it as {@code <script src="https://api.example/dni.js"
 *       data-pool="POOL_ID" data-number="0120-123-456" async></script>}; what it does is described in the script
 *       and in {@code docs/inventory.md}, section "JS tag (dni.js)".
 *   <li>{@code POST /v1/dni/pools/{pool_id}/assignments}, no API key: the body, limits and answer of the keyed {@code
 *       POST /v1/pools/{pool_id}/assignments} ({@link PoolApi}), allowed only to a browser page of one of the pool's
 *       {@code allowed_origins}: the request's {@code Origin} header must be a serialised origin (scheme://host[:port],
 *       no path or trailing slash) that is one of them, compared as origins ({@link PoolApi#origin}, RFC 6454 section
 *       5: scheme and host ignoring case, a default port same as none). A 409 (the session id is already used in another pool of the operator) does not name that
 *       pool, unlike the keyed endpoint's: the caller is anonymous. Then every answer (200, 400, 409, 413, 415, 503)
 *       carries {@code
 *       Access-Control-Allow-Origin: <that origin>} and {@code Vary: Origin} (no credentials: the tag sends no
 *       cookie to the API). Otherwise 403 problem+json and nothing is assigned: no {@code Origin}, several, or one
 *       not allowed, or a pool without {@code allowed_origins}; the 403 carries no {@code Access-Control-Allow-Origin}
 *       (the page's script sees a network error, and keeps its number). An unknown pool (or a path id no pool can
 *       have, or a node without pools) is 404 with {@code Access-Control-Allow-Origin: *} ({@link #unknownPool}:
 *       the script can read the status, which reveals nothing anyone could not learn without a browser).
 *   <li>{@code OPTIONS /v1/dni/pools/{pool_id}/assignments} (the CORS preflight of the JSON POST, Fetch standard
 *       section 3.2.2): for an allowed origin 204 with {@code Access-Control-Allow-Origin}, {@code
 *       Access-Control-Allow-Methods: POST}, {@code Access-Control-Allow-Headers: Content-Type}, {@code
 *       Access-Control-Max-Age: }{@value #PREFLIGHT_MAX_AGE_SECONDS}; for an unknown pool the same with {@code
 *       Access-Control-Allow-Origin: *} (so that the browser sends the POST and shows its 404); otherwise the same
 *       403 as the POST.
 * </ul>
 *
 * <p>The {@code Origin} check keeps other web sites' pages from using a pool through their visitors' browsers; it is
 * not authentication (any program can send any {@code Origin}), like the pool numbers themselves are public.
 *
 * <p>New sessions are limited per client address ({@link DniRateLimit}, {@code hankyo.dni.rate-limit}, default 120 a
 * minute with a burst of 120): a program sending a new session id per request would otherwise take a number of a
 * dynamic pool with each and soon leave every real visitor the fallback number. A POST of an allowed origin whose
 * session this node answered a number still held is not counted (it takes no further number); any other well-formed
 * POST of an allowed origin takes a token of its client's bucket, and without one it is answered 429 Too Many
 * Requests (RFC 6585 section 4) problem+json with {@code Retry-After: <seconds>} (RFC 9110 section 10.2.3) and the
 * CORS grant of the origin (so that the script can read it), and nothing is assigned: the pool backend is not asked
 * to assign. The origin check comes first (it needs the pool's {@code allowed_origins}), so 403, 404 and 400 answers
 * take no token. The client is the TCP peer's address; {@code X-Forwarded-For} is believed only from the {@code
 * hankyo.dni.trusted-proxies}.
 */
public final class DniApi extends ResourceRoutes {
  /** Class-path resource of the script. */
  public static final String SCRIPT_RESOURCE = "/io/hankyo/api/dni.js";
  /** How long browsers and proxies may keep the script, seconds. */
  public static final int SCRIPT_MAX_AGE_SECONDS = 300;
  /** How long a browser may keep a preflight answer, seconds (Chromium caps it at 7200). */
  public static final int PREFLIGHT_MAX_AGE_SECONDS = 600;

  private static final ContentType JAVASCRIPT = ContentTypes.parse("text/javascript; charset=utf-8");
  private static final Logger log = LoggerFactory.getLogger(DniApi.class);
  /** Whether a request without the remote-address attribute was logged (once per process is enough). */
  private static final java.util.concurrent.atomic.AtomicBoolean warnedNoAddress =
      new java.util.concurrent.atomic.AtomicBoolean();

  private final PoolBackend pools;
  private final CallbackApi.JsonBodies bodies;
  private final java.time.ZoneId zone;
  private final DniRateLimit limit;
  private final java.time.Clock clock;
  private final byte[] script;
  /** The script gzip-compressed once, served to requests that accept gzip. */
  private final byte[] gzipped;
  /** The strong entity tags of the script as is and gzipped: hashes of the bytes served. */
  private final String scriptTag;
  private final String gzipTag;

  /**
   * @param pools the pool backend, or null when the node has none (the endpoint answers 404; the script is served)
   * @param bodies reads JSON documents like the rest of {@link HttpApi}
   * @param zone zone of {@code held_until} ({@code hankyo.http.zone})
   */
  DniApi(PoolBackend pools, CallbackApi.JsonBodies bodies, java.time.ZoneId zone) {
    this(pools, bodies, zone, new DniRateLimit(DniRateLimit.Settings.defaults()), java.time.Clock.systemUTC());
  }

  /**
   * @param limit the limit of new sessions per client (shared by the {@code DniApi} instances of one {@link HttpApi})
   * @param clock "now", compared with the {@code held_until} of remembered sessions
   */
  DniApi(PoolBackend pools, CallbackApi.JsonBodies bodies, java.time.ZoneId zone, DniRateLimit limit,
      java.time.Clock clock) {
    this.pools = pools;
    this.bodies = Objects.requireNonNull(bodies, "bodies");
    this.zone = Objects.requireNonNull(zone, "zone");
    this.limit = Objects.requireNonNull(limit, "limit");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.script = loadScript();
    this.gzipped = gzip(script);
    this.scriptTag = entityTag(script);
    this.gzipTag = entityTag(gzipped);
  }

  /** The script's bytes, UTF-8 (as served). */
  public static byte[] loadScript() {
    try (InputStream in = DniApi.class.getResourceAsStream(SCRIPT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("class-path resource " + SCRIPT_RESOURCE + " is missing");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code GET /dni.js} (and HEAD): the script, gzip-compressed when the request accepts it ({@link #acceptsGzip}; as is
   * otherwise, never 406), each form with its strong {@code ETag} ({@link #entityTag} of the bytes served, computed
   * once; RFC 9110 section 8.8.3: a strong tag belongs to one representation). Every answer, 304 included, carries
   * {@code ETag}, {@code Cache-Control} and {@code Vary: Accept-Encoding} (RFC 9110 section 15.4.5). A request whose
   * {@code If-None-Match} matches ({@link #noneMatch}: {@code *}, or a list holding the tag of the form it would get,
   * compared weakly as RFC 9110 section 13.1.2 says) gets 304 without a body, so that a browser revalidating its copy
   * after {@value #SCRIPT_MAX_AGE_SECONDS} s does not download the script again.
   */
  Route scriptRoute() {
    return path("dni.js", () -> get(() -> extractRequest(request -> {
      // several field lines of a list header are one list (RFC 9110 section 5.3)
      String ifNoneMatch = joined(request, "if-none-match");
      boolean gzip = acceptsGzip(joined(request, "accept-encoding"));
      String tag = gzip ? gzipTag : scriptTag;
      List<HttpHeader> headers = new ArrayList<>(List.of(RawHeader.create("ETag", tag),
          RawHeader.create("Cache-Control", "public, max-age=" + SCRIPT_MAX_AGE_SECONDS),
          RawHeader.create("Vary", "Accept-Encoding"),
          RawHeader.create("Access-Control-Allow-Origin", "*"),
          RawHeader.create("X-Content-Type-Options", "nosniff")));
      if (ifNoneMatch != null && noneMatch(ifNoneMatch, List.of(tag))) {
        return complete(HttpResponse.create().withStatus(StatusCodes.NOT_MODIFIED).addHeaders(headers));
      }
      if (gzip) {
        headers.add(ContentEncoding.create(HttpEncodings.GZIP));
      }
      return complete(HttpResponse.create().withStatus(StatusCodes.OK).addHeaders(headers)
          .withEntity(HttpEntities.create(JAVASCRIPT, gzip ? gzipped : script)));
    })));
  }

  /** The values of the request's {@code name} header lines joined by commas, or null when it has none. */
  private static String joined(org.apache.pekko.http.javadsl.model.HttpRequest request, String name) {
    List<String> values = new ArrayList<>();
    for (HttpHeader h : request.getHeaders()) {
      if (h.is(name)) {
        values.add(h.value());
      }
    }
    return values.isEmpty() ? null : String.join(",", values);
  }

  /**
   * Whether an {@code Accept-Encoding} field value (null: no header) makes gzip the coding to answer with (RFC 9110
   * section 12.5.3): gzip ({@code x-gzip}, else {@code *}) has a q-value above 0 and at least that of identity (1
   * unless listed, or given by {@code *}). No header, {@code br} alone, {@code gzip;q=0} or {@code identity} answer
   * the script as is; a malformed q-value counts as 0.
   */
  static boolean acceptsGzip(String field) {
    if (field == null) {
      return false;
    }
    Map<String, Double> q = new HashMap<>();
    for (String element : field.split(",")) {
      String[] parts = element.split(";");
      String coding = parts[0].strip().toLowerCase(Locale.ROOT);
      if (coding.isEmpty()) {
        continue;
      }
      double weight = 1;
      for (int i = 1; i < parts.length; i++) {
        String param = parts[i].strip();
        if (param.regionMatches(true, 0, "q=", 0, 2)) {
          weight = param.substring(2).matches("0(\\.[0-9]{0,3})?|1(\\.0{0,3})?")
              ? Double.parseDouble(param.substring(2)) : 0;
        }
      }
      q.putIfAbsent(coding, weight);
    }
    double gzip = q.getOrDefault("gzip", q.getOrDefault("x-gzip", q.getOrDefault("*", 0.0)));
    double identity = q.getOrDefault("identity", q.getOrDefault("*", 1.0));
    return gzip > 0 && gzip >= identity;
  }

  /** {@code bytes} gzip-compressed (RFC 1952), the same bytes every time for the same input and JDK. */
  static byte[] gzip(byte[] bytes) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out)) {
      z.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * The strong entity tag of {@code bytes} (RFC 9110 section 8.8.3): the first 16 bytes of their SHA-256 in base64url
   * (22 characters), quoted.
   */
  static String entityTag(byte[] bytes) {
    try {
      byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
      return "\"" + java.util.Base64.getUrlEncoder().withoutPadding()
          .encodeToString(java.util.Arrays.copyOf(hash, 16)) + "\"";
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing", e);
    }
  }

  /**
   * Whether an {@code If-None-Match} field value matches one of {@code current} (RFC 9110 section 13.1.2): {@code *},
   * or a comma-separated list of entity tags one of which equals one of them by the weak comparison (RFC 9110 section
   * 8.8.3.2: the opaque tags equal, {@code W/} ignored). A malformed element is skipped.
   */
  static boolean noneMatch(String field, List<String> current) {
    String value = field.strip();
    if (value.equals("*")) {
      return true;
    }
    java.util.regex.Matcher m = ENTITY_TAG.matcher(value);
    while (m.find()) {
      if (current.contains(m.group(1))) {
        return true;
      }
    }
    return false;
  }

  /** An entity tag of a list (RFC 9110 section 8.8.3: {@code [W/]"etagc*"}), group 1 the opaque tag with quotes. */
  private static final java.util.regex.Pattern ENTITY_TAG = java.util.regex.Pattern.compile(
      "(?:W/)?(\"[\\x21\\x23-\\x7e\\x80-\\xff]*\")");

  /**
   * The routes under {@code /v1/dni} (the {@code dni} segment already matched by {@link HttpApi}).
   *
   * @param errors renders exceptions of the inner routes as problem+json, so that they get the CORS headers too
   */
  Route route(ExceptionHandler errors) {
    return pathPrefix("pools", () -> pathPrefix(PathMatchers.segment(), id -> path("assignments", () -> concat(
        options(() -> allowedOrigin(id, true, origin -> complete(preflightGrant(cors(origin))))),
        post(() -> allowedOrigin(id, false, origin -> mapResponse(r -> r.addHeaders(cors(origin)), () ->
            handleExceptions(errors, () -> extractRequest(request -> {
              // after the origin check and with the CORS grant, as every other 4xx of an allowed origin
              ApiProblem coded = HttpApi.bodyHeaderProblem(request);
              if (coded != null) {
                throw coded;
              }
              return bodies.read(PoolApi.MAX_ASSIGN_BODY_BYTES, body -> {
                PoolApi.Request r = PoolApi.parseAssignment(body);
                return limited(id, r.sessionId(), () -> respond(() -> withoutOtherPool(guard(() ->
                        pools.assign(origin.operatorId(), id, r.sessionId(), r.params()))),
                    a -> {
                      if (!a.fallback()) {
                        // its repeats take no further number: they are not counted
                        limit.held(id, r.sessionId(), a.heldUntil());
                      }
                      return HttpResponse.create().withStatus(StatusCodes.OK).withEntity(HttpEntities.create(
                          ContentTypes.APPLICATION_JSON, ApiJson.writeBytes(PoolApi.AssignmentJson.of(a, zone))));
                    }));
              });
            })))))))));
  }

  /**
   * {@code inner} when the request may assign: the limit is off, session {@code sessionId} holds a number of pool
   * {@code poolId} ({@link DniRateLimit#holds}), or the client's bucket had a token ({@link DniRateLimit#take});
   * otherwise 429 problem+json with {@code Retry-After} and {@code inner} is not run. A request without Pekko's
   * remote-address attribute (a server bound without {@link HttpApi#serverSettings}) is not limited: it has no client
   * to count, and counting every such request as one client would refuse all visitors; that is logged once.
   */
  private Route limited(String poolId, String sessionId, java.util.function.Supplier<Route> inner) {
    if (!limit.enabled() || limit.holds(poolId, sessionId, clock.instant())) {
      return inner.get();
    }
    return extractRequest(request -> extractUri(uri -> {
      java.net.InetAddress peer = request.getAttribute(AttributeKeys.remoteAddress)
          .flatMap(org.apache.pekko.http.javadsl.model.RemoteAddress::getAddress).orElse(null);
      if (peer == null) {
        if (warnedNoAddress.compareAndSet(false, true)) {
          log.warn("the JS tag endpoint got a request without the client's address: its rate limit is not applied "
              + "(bind the server with HttpApi.serverSettings, or pekko.http.server.remote-address-attribute = on)");
        }
        return inner.get();
      }
      long wait = limit.take(limit.clientKey(peer, joined(request, "x-forwarded-for")));
      if (wait == 0) {
        return inner.get();
      }
      return complete(HttpApi.problemResponse(Problems.tooManyRequests("too many new sessions from this client "
              + "address; retry after " + wait + " s; nothing was assigned"), uri.path())
          .addHeader(RawHeader.create("Retry-After", Long.toString(wait))));
    }));
  }

  /**
   * The 409 of the public endpoint for a session id already used in another pool of the pool's operator: unlike the
   * keyed endpoint's, it does not name that other pool (an anonymous visitor must not learn the operator's other pool
   * ids).
   */
  static final String SESSION_IN_OTHER_POOL = "the session id is already used in another pool; a session id belongs "
      + "to one pool: send a new session id for this pool; nothing was assigned";

  /**
   * {@code stage} with every 409 (the backend's "session id used in another pool", {@link PoolBackend#assign}) replaced
   * by {@link #SESSION_IN_OTHER_POOL}, whose detail names no pool; other failures as they are.
   */
  static <T> CompletionStage<T> withoutOtherPool(CompletionStage<T> stage) {
    CompletableFuture<T> out = new CompletableFuture<>();
    stage.whenComplete((v, e) -> {
      if (e == null) {
        out.complete(v);
      } else if (unwrap(e) instanceof ApiProblem p && p.status() == 409) {
        out.completeExceptionally(ApiProblem.conflict(SESSION_IN_OTHER_POOL));
      } else {
        out.completeExceptionally(e);
      }
    });
    return out;
  }

  /**
   * 204 granting the JS tag's POST ({@code Access-Control-Allow-Methods: POST}, {@code Access-Control-Allow-Headers:
   * Content-Type}, {@code Access-Control-Max-Age}) with {@code grant} ({@code Access-Control-Allow-Origin}, {@code
   * Vary}).
   */
  private static HttpResponse preflightGrant(Iterable<HttpHeader> grant) {
    return HttpResponse.create()
        .withStatus(StatusCodes.NO_CONTENT)
        .addHeaders(grant)
        .addHeader(RawHeader.create("Access-Control-Allow-Methods", "POST"))
        .addHeader(RawHeader.create("Access-Control-Allow-Headers", "Content-Type"))
        .addHeader(RawHeader.create("Access-Control-Max-Age", Integer.toString(PREFLIGHT_MAX_AGE_SECONDS)));
  }

  /** The CORS grant of an unknown pool's answers: any origin may read them ({@link #unknownPool}). */
  private static final List<HttpHeader> ANY_ORIGIN = List.of(RawHeader.create("Access-Control-Allow-Origin", "*"),
      RawHeader.create("Vary", "Origin"));

  /**
   * The answer for an unknown pool ({@code notFound}, a 404): readable by any page, {@code Access-Control-Allow-Origin:
   * *} (no credentials are involved), so that the JS tag's script (and the site's developer) sees the 404 instead of a
   * CORS error that hides it; it tells nothing the status does not, and anyone can ask without a browser. The JSON POST
   * is preceded by a preflight, which must succeed for the browser to send it and show its answer: the preflight of an
   * unknown pool is granted the same way (204 with {@code *}); the POST then answers 404 and nothing is assigned. A
   * 403 (origin not allowed) stays without a grant: those pages must not use the pool.
   */
  private static HttpResponse unknownPool(HttpResponse notFound, boolean preflight) {
    if (preflight) {
      return preflightGrant(ANY_ORIGIN);
    }
    return notFound.getHeader("Vary").isPresent() ? notFound.addHeader(ANY_ORIGIN.get(0))
        : notFound.addHeaders(ANY_ORIGIN);
  }

  /** An allowed origin of a pool. */
  private record Allowed(String origin, String operatorId) {}

  private static Iterable<HttpHeader> cors(Allowed a) {
    return List.of(RawHeader.create("Access-Control-Allow-Origin", a.origin()), RawHeader.create("Vary", "Origin"));
  }

  /**
   * Resolves pool {@code id} and checks the request's {@code Origin} against its {@code allowed_origins}; completes
   * with 403 (origin) or 503 (cluster) itself, with {@code Vary: Origin} and no CORS grant, and for an unknown pool
   * with {@link #unknownPool} (a 404, or the preflight's 204, readable by any origin).
   *
   * @param preflight whether the request is the CORS preflight ({@code OPTIONS})
   */
  private Route allowedOrigin(String id, boolean preflight, Function<Allowed, Route> inner) {
    return extractRequest(request -> extractUri(uri -> {
      List<String> origins = new ArrayList<>();
      for (HttpHeader h : request.getHeaders()) {
        if (h.is("origin")) {
          origins.add(h.value().strip());
        }
      }
      CompletionStage<PoolBackend.PublicPool> pool;
      if (pools == null) {
        pool = CompletableFuture.failedFuture(ApiProblem.notFound("number pools are not available on this node"));
      } else if (!PoolApi.isPoolId(id)) {
        // not echoed (it may be long or hold control characters); the path holding it is not the instance either
        return complete(unknownPool(PoolApi.notAPoolId(), preflight));
      } else {
        try {
          pool = pools.publicPool(id);
        } catch (RuntimeException e) {
          pool = CompletableFuture.failedFuture(e);
        }
      }
      return onComplete(pool, t -> {
        if (t.isFailure()) {
          HttpResponse refused = refusal(t.failed().get(), uri.path());
          return complete(refused.status().intValue() == 404 ? unknownPool(refused, preflight) : refused);
        }
        PoolBackend.PublicPool p = t.get();
        if (p.allowedOrigins().isEmpty()) {
          return complete(refusal(Problems.forbiddenOrigin("pool " + id + " has no allowed_origins: the JS tag may "
              + "not use it; nothing was assigned"), uri.path()));
        }
        if (origins.size() != 1) {
          return complete(refusal(Problems.forbiddenOrigin((origins.isEmpty() ? "no Origin header"
              : "several Origin headers") + "; this endpoint answers only pages of the pool's allowed_origins "
              + "(servers use POST /v1/pools/{pool_id}/assignments with the API key); nothing was assigned"),
              uri.path()));
        }
        String origin = origins.get(0);
        String normal = PoolApi.origin(origin);
        boolean allowed = normal != null
            && p.allowedOrigins().stream().anyMatch(o -> normal.equals(storedOrigin(o)));
        if (!allowed) {
          // the header is the client's: at most 100 characters of it are shown (a 7,000-character one was echoed)
          String shown = origin.length() > 100 ? origin.substring(0, 100) + "…" : origin;
          return complete(refusal(Problems.forbiddenOrigin("origin " + shown + " is not among the allowed_origins "
              + "of pool " + id + "; nothing was assigned"), uri.path()));
        }
        return inner.apply(new Allowed(origin, p.operatorId()));
      });
    }));
  }

  /** The problem+json of {@code t} (its {@link ApiProblem}, else 503) with {@code Vary: Origin}. */
  private static HttpResponse refusal(Throwable t, String path) {
    Throwable cause = t;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    ApiProblem problem = cause instanceof ApiProblem p ? p
        : Problems.unavailable("the cluster could not answer in time; retry later");
    return HttpApi.problemResponse(problem, path).addHeader(RawHeader.create("Vary", "Origin"));
  }


  /**
   * An allowed origin as stored with its pool, in the form {@link PoolApi#origin} gives the Origin header: pools
   * created before origins were checked strictly (stop 16) may hold one trailing slash ({@code https://shop.example/}),
   * which the check of that time accepted and stripped when comparing; it is stripped here too, so those pools keep
   * answering their sites. Null when it can never match.
   */
  static String storedOrigin(String stored) {
    return PoolApi.origin(stored.endsWith("/") ? stored.substring(0, stored.length() - 1) : stored);
  }
}
