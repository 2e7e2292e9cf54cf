package io.hankyo.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.number.NumberRange;
import io.hankyo.protocol.number.PhoneNumber;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.StreamLimitReachedException;
import org.apache.pekko.util.ByteString;

/**
 * Routes of the number inventory (issue 5, spec sections 2–3), mounted by {@link HttpApi} under {@code /v1} for an
 * authenticated operator:
 *
 * <ul>
 *   <li>{@code POST /v1/inventory} with {@code application/json} {@code {"numbers": ["0120-123-456", ...]}} or
 *       {@code text/plain} (UTF-8, one number per line), at most {@value InventoryImport#MAX_LINES} numbers and
 *       {@value #MAX_BODY_BYTES} bytes → 200 {@code {"imported": n, "already_owned": n, "errors": n, "results":
 *       [{"line": 3, "number": "0120-123-456", "e164": "+81120123456", "range": "0120", "status":
 *       "imported"|"already_owned"|"error", "error": "..."}]}}, one result per non-blank line in order. Each line
 *       stands alone: an error on one line (not a number, not 0120/0800/0078/050, a repeat of an earlier line, in
 *       another operator's inventory) is reported there and does not stop the others; a number is never moved
 *       between operators. 400 for a body that is not such a document, has no number or too many; 413 too large;
 *       415 another Content-Type, or a charset other than UTF-8 (text: or US-ASCII), with {@code Accept:
 *       application/json, text/plain; charset=utf-8}.
 *   <li>{@code GET /v1/inventory?state=&range=&limit=&cursor=} → 200 {@code {"numbers": [{"number", "e164",
 *       "range", "state", "client_id", "dialin_id", "until", "pool_id"}], "next_cursor": "..."|null}} by E.164; {@code state}
 *       one of available, assigned, pooled, held, cooling_down; {@code range} one of 0120, 0800, 0078, 050;
 *       {@code limit} 1..1000 (default 100); {@code cursor} the {@code next_cursor} of the previous page. 400 for
 *       any other value.
 * </ul>
 */
public final class InventoryApi extends ResourceRoutes {
  /** Largest import body, bytes (10,000 lines of up to ~100 bytes). */
  public static final long MAX_BODY_BYTES = 1024 * 1024;
  /**
   * Request timeout of an import, 50 s (instead of the server's {@code pekko.http.server.request-timeout}, 20 s by
   * default; kept under its {@code idle-timeout}, 60 s, which would close the connection first): one number takes a
   * few journal reads and a write, about 80 numbers/s on a busy 2-core machine. After a timeout (503) the import goes
   * on in the cluster; sending the same list again answers the finished lines {@code already_owned}.
   */
  public static final scala.concurrent.duration.FiniteDuration IMPORT_TIMEOUT =
      scala.concurrent.duration.Duration.create(50, java.util.concurrent.TimeUnit.SECONDS);
  /** The 503 text of an import that outlived {@link #IMPORT_TIMEOUT}: the work goes on in the cluster. */
  static final String IMPORT_UNFINISHED = "the import did not finish in time but goes on in the cluster: send the same "
      + "list again to see every line's result (lines already done answer already_owned); or send fewer lines at a time";
  /** The {@code Accept} of an import's 415: the two forms of the body (RFC 9110 section 12.5.1). */
  static final String IMPORT_ACCEPT = "application/json, text/plain; charset=utf-8";
  /** Default page size of a listing. */
  public static final int DEFAULT_LIMIT = 100;
  /** Largest page size of a listing. */
  public static final int MAX_LIMIT = 1000;
  /** State names a listing may filter on. */
  public static final List<String> STATES = List.of("available", "assigned", "pooled", "held", "cooling_down");

  /** Query parameters of a listing; anything else, or one of them twice, is 400. */
  public static final java.util.Set<String> LIST_PARAMETERS = java.util.Set.of("state", "range", "limit", "cursor");

  private final InventoryBackend inventory;
  private final java.time.ZoneId zone;

  /**
   * @param inventory the backend, or null when the node has none (the resources answer 404)
   * @param zone the zone of the times the API answers ({@code hankyo.http.zone}, Japan time by default)
   */
  public InventoryApi(InventoryBackend inventory, java.time.ZoneId zone) {
    this.inventory = inventory;
    this.zone = Objects.requireNonNull(zone, "zone");
  }

  /** The routes for {@code operator} (authenticated by {@link HttpApi}). */
  public Route route(String operator) {
    return path("inventory", () -> concat(
        post(() -> withRequestTimeout(IMPORT_TIMEOUT, () -> withRequestTimeoutResponse(
            req -> HttpApi.problemResponse(Problems.unavailable(IMPORT_UNFINISHED), req.getUri().path()),
            () -> importNumbers(operator)))),
        get(() -> checkedQuery(LIST_PARAMETERS, "a listing takes state, range, limit and cursor", () ->
            parameterOptional("state", state -> parameterOptional("range", range ->
            parameterOptional("limit", limit -> parameterOptional("cursor", cursor -> respond(() ->
                backend().list(operator, state(state), range(range), cursor(cursor), limit(limit)),
                p -> json(ListJson.of(p, zone)))))))))));
  }

  private InventoryBackend backend() {
    if (inventory == null) {
      throw ApiProblem.notFound("the number inventory is not available on this node");
    }
    return inventory;
  }

  private Route importNumbers(String operator) {
    return extractRequest(request -> extractMaterializer(mat -> {
      backend();
      org.apache.pekko.http.javadsl.model.RequestEntity entity = request.entity();
      org.apache.pekko.http.javadsl.model.ContentType contentType = HttpApi.contentTypeOf(request, "text/plain",
          IMPORT_ACCEPT);
      MediaType mt = contentType.mediaType();
      boolean json = mt.mainType().equals("application") && mt.subType().equals("json");
      boolean text = mt.mainType().equals("text") && mt.subType().equals("plain");
      if (!json && !text) {
        throw Problems.unsupportedMediaType("Content-Type must be application/json ({\"numbers\": [...]}) or "
            + "text/plain (one number per line), got " + contentType, IMPORT_ACCEPT);
      }
      if (json) {
        HttpApi.requireUtf8Json(contentType, IMPORT_ACCEPT);
      } else {
        requireUtf8Text(contentType);
      }
      if (entity.isKnownEmpty()) {
        throw ApiProblem.invalid("the request body is empty; send the numbers to import");
      }
      OptionalLong length = entity.getContentLengthOption();
      if (length.isPresent() && length.getAsLong() > MAX_BODY_BYTES) {
        throw tooLarge();
      }
      CompletionStage<ByteString> bytes = entity.withSizeLimit(MAX_BODY_BYTES).getDataBytes()
          .limitWeighted(MAX_BODY_BYTES, b -> (long) b.size())
          .runFold(ByteString.emptyByteString(), ByteString::concat, mat);
      return onComplete(bytes, t -> {
        if (t.isFailure()) {
          Throwable cause = unwrap(t.failed().get());
          if (cause instanceof StreamLimitReachedException || cause instanceof EntityStreamSizeException) {
            throw tooLarge();
          }
          throw ApiProblem.invalid("the request body could not be read: " + cause.getMessage());
        }
        byte[] body = t.get().toArray();
        List<InventoryImport.Line> lines = json ? InventoryImport.fromJson(body) : InventoryImport.fromText(body);
        Map<PhoneNumber, NumberRange> valid = new LinkedHashMap<>();
        lines.stream().filter(InventoryImport.Line::ok).forEach(l -> valid.put(l.number(), l.range()));
        return respond(() -> valid.isEmpty() ? CompletableFuture.completedFuture(Map.of())
                : backend().importNumbers(operator, valid),
            results -> json(ImportJson.of(lines, results)));
      });
    }));
  }

  /**
   * Refuses (415, with {@code Accept} {@value #IMPORT_ACCEPT}) a text body whose Content-Type names a charset other than
   * UTF-8 or its subset US-ASCII (any case), as {@link HttpApi#requireUtf8Json} does for JSON: the import reads UTF-8
   * only, and a {@code charset=iso-8859-1} body would otherwise be read as UTF-8 and refused as "not UTF-8" (400) or,
   * for ASCII-only Latin-1, silently accepted. No charset passes (read as UTF-8).
   */
  static void requireUtf8Text(org.apache.pekko.http.javadsl.model.ContentType contentType) {
    Optional<org.apache.pekko.http.javadsl.model.HttpCharset> charset = contentType.getCharsetOption();
    if (charset.isPresent() && !charset.get().value().equalsIgnoreCase("UTF-8")
        && !charset.get().value().equalsIgnoreCase("US-ASCII")) {
      throw Problems.unsupportedMediaType("only UTF-8 text is accepted; Content-Type names charset "
          + charset.get().value() + ": send the numbers as UTF-8 with Content-Type: text/plain (or text/plain; "
          + "charset=utf-8)", IMPORT_ACCEPT);
    }
  }

  private static ApiProblem tooLarge() {
    return Problems.payloadTooLarge("the request body is larger than the limit of " + MAX_BODY_BYTES + " bytes");
  }

  static String state(Optional<String> state) {
    if (state.isEmpty()) {
      return null;
    }
    if (!STATES.contains(state.get())) {
      throw ApiProblem.invalid("state '" + state.get() + "' is not one of " + String.join(", ", STATES));
    }
    return state.get();
  }

  static NumberRange range(Optional<String> range) {
    return range.map(r -> NumberRange.byLabel(r).orElseThrow(() ->
        ApiProblem.invalid("range '" + r + "' is not one of 0120, 0800, 0078, 050"))).orElse(null);
  }

  static int limit(Optional<String> limit) {
    if (limit.isEmpty()) {
      return DEFAULT_LIMIT;
    }
    int n = asciiInt(limit.get());
    if (n >= 1 && n <= MAX_LIMIT) {
      return n;
    }
    throw ApiProblem.invalid("limit '" + limit.get() + "' must be an integer from 1 to " + MAX_LIMIT);
  }

  /** The E.164 a cursor stands for: base64url of the last number of the previous page. */
  static String cursor(Optional<String> cursor) {
    if (cursor.isEmpty()) {
      return null;
    }
    try {
      String e164 = new String(Base64.getUrlDecoder().decode(cursor.get()), StandardCharsets.UTF_8);
      if (e164.matches("\\+[1-9][0-9]{1,19}")) {
        return e164;
      }
    } catch (IllegalArgumentException e) {
      // refused below
    }
    throw ApiProblem.invalid("cursor '" + cursor.get() + "' is not a cursor of this listing; use next_cursor "
        + "of the previous page");
  }

  static String cursorOf(String e164) {
    return e164 == null ? null
        : Base64.getUrlEncoder().withoutPadding().encodeToString(e164.getBytes(StandardCharsets.UTF_8));
  }

  /** One line's result. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record LineJson(@JsonProperty("line") int line, @JsonProperty("number") String number,
      @JsonProperty("e164") String e164, @JsonProperty("range") String range,
      @JsonProperty("status") String status, @JsonProperty("error") String error) {}

  /** Longest refused input echoed in a result line (characters; the rest is cut with "…"). */
  static final int MAX_ECHO = 64;

  private static String abbreviated(String input) {
    return input == null || input.length() <= MAX_ECHO ? input : input.substring(0, MAX_ECHO) + "…";
  }

  /** The import's answer. */
  record ImportJson(@JsonProperty("imported") int imported, @JsonProperty("already_owned") int alreadyOwned,
      @JsonProperty("errors") int errors, @JsonProperty("results") List<LineJson> results) {
    static ImportJson of(List<InventoryImport.Line> lines, Map<String, InventoryBackend.Result> results) {
      List<LineJson> out = new ArrayList<>(lines.size());
      int imported = 0;
      int owned = 0;
      int errors = 0;
      for (InventoryImport.Line l : lines) {
        if (!l.ok()) {
          out.add(new LineJson(l.line(), abbreviated(l.input()), null, null, "error", l.error()));
          errors++;
          continue;
        }
        InventoryBackend.Result r = results.get(l.number().e164());
        if (r == null) {
          r = new InventoryBackend.Result(InventoryBackend.Outcome.ERROR, "not imported; retry");
        }
        String status = r.outcome().name().toLowerCase(java.util.Locale.ROOT);
        out.add(new LineJson(l.line(), l.number().national(), l.number().e164(), l.range().label(), status,
            r.error()));
        if (r.outcome() == InventoryBackend.Outcome.IMPORTED) {
          imported++;
        } else if (r.outcome() == InventoryBackend.Outcome.ALREADY_OWNED) {
          owned++;
        } else {
          errors++;
        }
      }
      return new ImportJson(imported, owned, errors, out);
    }
  }

  /** One listed number. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record EntryJson(@JsonProperty("number") String number, @JsonProperty("e164") String e164,
      @JsonProperty("range") String range, @JsonProperty("state") String state,
      @JsonProperty("client_id") String clientId, @JsonProperty("dialin_id") String dialinId,
      @JsonProperty("until") String until, @JsonProperty("pool_id") String poolId) {}

  /** A listing page. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record ListJson(@JsonProperty("numbers") List<EntryJson> numbers, @JsonProperty("next_cursor") String nextCursor) {
    static ListJson of(InventoryBackend.Page p, java.time.ZoneId zone) {
      return new ListJson(p.entries().stream().map(e -> new EntryJson(e.national(), e.e164(), e.range(), e.state(),
          e.clientId(), e.dialinId(), e.until() == null ? null : ApiTimes.iso(e.until(), zone), e.poolId())).toList(),
          cursorOf(p.lastE164()));
    }
  }
}
