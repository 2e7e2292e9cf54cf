package io.hankyo.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * An error the API reports as an RFC 9457 problem detail ({@code application/problem+json}).
 *
 * <p>{@code type} is a URI under {@code https://hankyo.io/problems/} naming the kind of problem, {@code title} a
 * short fixed summary of that kind, {@code detail} the explanation for this occurrence (names the bad field or id).
 */
public final class ApiProblem extends RuntimeException {
  private final int status;
  private final String type;
  private final String title;
  private final List<FieldError> errors;
  private final String accept;

  /**
   * One of several problems in a request body: RFC 9457 section 3.2's {@code errors} extension member, as in the RFC's
   * own example.
   *
   * @param pointer RFC 6901 JSON Pointer to the bad member of the request body, e.g. {@code /steps/menu/retries}
   * @param detail what is wrong there
   */
  public record FieldError(@JsonProperty("pointer") String pointer, @JsonProperty("detail") String detail) {}

  public ApiProblem(int status, String type, String title, String detail) {
    this(status, type, title, detail, List.of());
  }

  /** A problem with a list of field errors ({@code errors} in the body). */
  public ApiProblem(int status, String type, String title, String detail, List<FieldError> errors) {
    this(status, type, title, detail, errors, null);
  }

  private ApiProblem(int status, String type, String title, String detail, List<FieldError> errors, String accept) {
    super(detail);
    this.status = status;
    this.type = type;
    this.title = title;
    this.errors = List.copyOf(errors);
    this.accept = accept;
  }

  /**
   * This problem answered with an {@code Accept} response header of {@code mediaTypes} (e.g. {@code
   * "application/json"}): on a 415, the media types the resource takes in a next request (RFC 9110 section 12.5.1).
   */
  public ApiProblem withAccept(String mediaTypes) {
    return new ApiProblem(status, type, title, getMessage(), errors, mediaTypes);
  }

  /** The {@code Accept} response header's value ({@link #withAccept}), or null for none. */
  public String accept() {
    return accept;
  }

  /** The field errors; empty when the problem has none. */
  public List<FieldError> errors() {
    return errors;
  }

  /** 400 listing every bad field of the body; {@code detail} summarizes. */
  public static ApiProblem invalid(String detail, List<FieldError> errors) {
    return new ApiProblem(400, "https://hankyo.io/problems/invalid-request", "Invalid request", detail, errors);
  }

  /** HTTP status code. */
  public int status() {
    return status;
  }

  /** Problem type URI. */
  public String type() {
    return type;
  }

  /** Short summary of the problem type. */
  public String title() {
    return title;
  }

  /** The occurrence's explanation. */
  public String detail() {
    return getMessage();
  }

  /** 404: the named resource does not exist for this operator. */
  public static ApiProblem notFound(String detail) {
    return new ApiProblem(404, "https://hankyo.io/problems/not-found", "Not Found", detail);
  }

  /** 409: the request conflicts with the current state (taken id or number). */
  public static ApiProblem conflict(String detail) {
    return new ApiProblem(409, "https://hankyo.io/problems/conflict", "Conflict", detail);
  }

  /** 400: the request is invalid; the detail names the field. */
  public static ApiProblem invalid(String detail) {
    return new ApiProblem(400, "https://hankyo.io/problems/invalid-request", "Invalid request", detail);
  }
}
