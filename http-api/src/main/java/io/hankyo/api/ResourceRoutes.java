package io.hankyo.api;

import io.hankyo.api.json.ApiJson;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * What the resource classes of the API ({@link PoolApi}, {@link DniApi}, {@link InventoryApi}, {@link CallbackApi},
 * {@link DeliveryApi}) share: a backend call rendered as JSON, its failure as RFC 9457 problem+json ({@link ApiProblem}
 * as thrown, anything else 503 "retry later").
 */
abstract class ResourceRoutes extends AllDirectives {

  /**
   * {@code text} as a decimal integer of 1 to 9 ASCII digits, or -1 when it is none: query parameters are ASCII
   * (Java's {@code Integer.parseInt} would also take full-width and other Unicode digits, and a sign).
   */
  static int asciiInt(String text) {
    if (text == null || text.isEmpty() || text.length() > 9) {
      return -1;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
    }
    return Integer.parseInt(text);
  }


  /** The text of a 503 for a failure that is not an {@link ApiProblem} (an ask timed out, a node went away). */
  static final String UNAVAILABLE = "the cluster could not answer in time; retry later";

  /**
   * Runs {@code call} (a thrown exception counts as a failed stage) and completes the request with {@code render} of
   * its value, or with the problem of its failure.
   */
  protected final <T> Route respond(Supplier<CompletionStage<T>> call, Function<T, HttpResponse> render) {
    CompletionStage<T> stage = guard(call);
    return extractUri(uri -> onComplete(stage, t -> t.isSuccess()
        ? complete(render.apply(t.get()))
        : complete(HttpApi.problemResponse(problemOf(t.failed().get()), uri.path()))));
  }

  /** The problem a failed backend call answers: its {@link ApiProblem}, else 503 {@value #UNAVAILABLE}. */
  static ApiProblem problemOf(Throwable failure) {
    Throwable cause = unwrap(failure);
    return cause instanceof ApiProblem p ? p : Problems.unavailable(UNAVAILABLE);
  }

  /**
   * Runs {@code inner} when the request's query has only parameters of {@code allowed}, each at most once; else 400
   * problem+json "unknown query parameter 'foo'; {@code takes}" or "query parameter 'limit' is given 2 times; give it
   * once" (a typo must not silently list everything, and of two values none is taken at random). The rule of every
   * query of the inventory and pool resources ({@code GET /v1/inventory}, {@code GET /v1/pools}, {@code GET
   * /v1/pools/{pool_id}/sizing}, {@code GET /v1/usage/displays}).
   *
   * @param allowed the parameter names the resource takes
   * @param takes the end of the 400 text naming them, e.g. {@code "a listing takes state, range, limit and cursor"}
   */
  protected final Route checkedQuery(java.util.Set<String> allowed, String takes, Supplier<Route> inner) {
    return parameterMultiMap(query -> {
      checkQuery(query, allowed, takes);
      return inner.get();
    });
  }

  /** Throws the 400 of {@link #checkedQuery} for {@code query}, if any. */
  static void checkQuery(java.util.Map<String, java.util.List<String>> query, java.util.Set<String> allowed,
      String takes) {
    for (java.util.Map.Entry<String, java.util.List<String>> e : query.entrySet()) {
      if (!allowed.contains(e.getKey())) {
        throw ApiProblem.invalid("unknown query parameter '" + e.getKey() + "'; " + takes);
      }
      if (e.getValue().size() > 1) {
        throw ApiProblem.invalid("query parameter '" + e.getKey() + "' is given " + e.getValue().size()
            + " times; give it once");
      }
    }
  }

  /** {@code call}'s stage; a thrown exception or a null stage as a failed one. */
  static <T> CompletionStage<T> guard(Supplier<CompletionStage<T>> call) {
    try {
      CompletionStage<T> stage = call.get();
      return stage != null ? stage : CompletableFuture.failedFuture(new IllegalStateException("backend returned null"));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** {@code t} without its {@link CompletionException} wrappers. */
  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** 200 with {@code body} as compact UTF-8 JSON. */
  static HttpResponse json(Object body) {
    return json(StatusCodes.OK, body);
  }

  /** {@code status} with {@code body} as compact UTF-8 JSON. */
  static HttpResponse json(StatusCode status, Object body) {
    return HttpResponse.create().withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, ApiJson.writeBytes(body)));
  }
}
