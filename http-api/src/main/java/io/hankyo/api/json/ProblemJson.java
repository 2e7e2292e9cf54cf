package io.hankyo.api.json;

import io.hankyo.api.ApiProblem;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.hankyo.api.ApiProblem;

/**
 * RFC 9457 problem details body ({@code application/problem+json}):
 * {@code {"type": uri, "title": text, "status": int, "detail": text, "instance": request path}}, plus, when a body
 * has bad members, {@code "errors": [{"pointer": "/steps/menu/retries", "detail": text}, …]} (RFC 9457 section 3.2
 * extension member).
 */
@JsonPropertyOrder({"type", "title", "status", "detail", "instance", "errors"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProblemJson(
    @JsonProperty("type") String type,
    @JsonProperty("title") String title,
    @JsonProperty("status") int status,
    @JsonProperty("detail") String detail,
    @JsonProperty("instance") String instance,
    @JsonProperty("errors") List<ApiProblem.FieldError> errors) {

  /** A problem without field errors. */
  public ProblemJson(String type, String title, int status, String detail, String instance) {
    this(type, title, status, detail, instance, null);
  }

  /** The body for a problem that occurred on the request to {@code instance} (the request path). */
  public static ProblemJson of(ApiProblem problem, String instance) {
    return new ProblemJson(problem.type(), problem.title(), problem.status(), problem.detail(), instance,
        problem.errors().isEmpty() ? null : problem.errors());
  }
}
