package io.hankyo.api;

import io.hankyo.api.json.ApiJson;
import io.hankyo.api.json.ProblemJson;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Renders requests that Pekko HTTP cannot even parse (malformed request line or URI, e.g. {@code GET /v1/calls?from=%ZZ},
 * malformed or oversized headers, an unknown method: 501, an HTTP version other than 1.0/1.1: 505) as problem+json
 * instead of text/plain, with the same types and titles as the routes' problems ({@link Problems#forStatus}).
 *
 * <p>These problems have no {@code instance} (elsewhere the request path): Pekko calls this handler with the status
 * and error alone, not the request, whose target may be the very thing that could not be parsed. Installed
 * by {@link HttpApi#serverSettings} (setting {@code pekko.http.server.parsing.error-handler}); Pekko instantiates it
 * by reflection, hence the public no-arg constructor.
 */
public final class ProblemParsingErrorHandler extends ParsingErrorHandler {
  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    log.debug("unparseable request: {}", info.formatPretty());
    int code = status.intValue();
    ApiProblem problem = Problems.forStatus(code, status.reason(), info.formatPretty());
    ProblemJson body = new ProblemJson(problem.type(), problem.title(), code, problem.detail(), null);
    return HttpResponse.create()
        .withStatus(code)
        .withEntity(HttpEntities.create(HttpApi.PROBLEM_JSON.toContentType(), ApiJson.writeBytes(body)));
  }
}
