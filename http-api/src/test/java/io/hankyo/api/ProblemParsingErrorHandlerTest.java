package io.hankyo.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.api.json.ApiJson;
import org.apache.pekko.event.NoLogging;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.model.StatusCodes;
import org.junit.jupiter.api.Test;

/**
 * The problems of requests Pekko cannot parse have the routes' types and titles for the same status: a 413 of the
 * parser is the API's 413 (RFC 9110 section 15.5.14's "Content Too Large"), not a generic {@code about:blank}.
 */
class ProblemParsingErrorHandlerTest {
  private static JsonNode handle(StatusCode status, String summary) throws Exception {
    HttpResponse r = new ProblemParsingErrorHandler().handle(status, new ErrorInfo(summary, ""),
        NoLogging.getInstance(), null);
    assertEquals(status.intValue(), r.status().intValue());
    assertEquals("application/problem+json", r.entity().getContentType().mediaType().toString());
    JsonNode p = ApiJson.mapper().readTree(((HttpEntity.Strict) r.entity()).getData().toArray());
    assertEquals(status.intValue(), p.get("status").asInt());
    // no request reaches the handler: no instance (documented)
    assertFalse(p.has("instance"), p.toString());
    return p;
  }

  @Test
  void theParsersProblemsHaveTheRoutesTypesAndTitles() throws Exception {
    JsonNode tooLarge = handle(StatusCodes.ContentTooLarge(), "Request Content-Length 9000000 exceeds the limit");
    assertEquals("https://hankyo.io/problems/payload-too-large", tooLarge.get("type").asText());
    assertEquals("Content Too Large", tooLarge.get("title").asText());
    assertEquals("Request Content-Length 9000000 exceeds the limit", tooLarge.get("detail").asText());

    JsonNode bad = handle(StatusCodes.BadRequest(), "Illegal character ' ' in header name");
    assertEquals("https://hankyo.io/problems/invalid-request", bad.get("type").asText());
    assertEquals("Invalid request", bad.get("title").asText());

    JsonNode media = handle(StatusCodes.UnsupportedMediaType(), "x");
    assertEquals("https://hankyo.io/problems/unsupported-media-type", media.get("type").asText());

    JsonNode method = handle(StatusCodes.NotImplemented(), "Unsupported HTTP method: FOO");
    assertEquals("about:blank", method.get("type").asText());
    assertEquals("Not Implemented", method.get("title").asText());
  }
}
