package io.hankyo.api;

/**
 * Problem kinds the routes report themselves, besides the ones of {@link ApiProblem} (404 not found, 409 conflict,
 * 400 invalid request). Every type is a URI under {@code https://hankyo.io/problems/}.
 */
public final class Problems {
  private static final String BASE = "https://hankyo.io/problems/";

  private Problems() {}

  /**
   * Most items one problem lists: the entries of a 400's {@code errors} ({@link HttpApi#listed}) and the numbers named
   * in a detail ({@link #listed}); further ones are counted in a last "… and N more" (a document of 200,000 bad numbers
   * answered a 28 MB 400, and a pool of 200 refused numbers a 10 KB 409, before).
   */
  public static final int MAX_LISTED = 100;

  /** The last item of a cut list: {@code "… and 1 more problem"}, {@code "… and 100 more refused numbers"}. */
  public static String andMore(int more, String noun) {
    return "… and " + more + " more " + noun + (more == 1 ? "" : "s");
  }

  /**
   * {@code items} joined with {@code separator}: all of them when at most {@value #MAX_LISTED}, else the first
   * {@value #MAX_LISTED} and {@link #andMore} of the rest, e.g. {@code "0120-000-001 is not available; …; … and 100
   * more refused numbers"}.
   *
   * @param noun what an item is, singular ({@code "refused number"})
   */
  public static String listed(java.util.List<String> items, String separator, String noun) {
    if (items.size() <= MAX_LISTED) {
      return String.join(separator, items);
    }
    return String.join(separator, items.subList(0, MAX_LISTED)) + separator
        + andMore(items.size() - MAX_LISTED, noun);
  }

  /** 401: no, a malformed, or an unknown bearer token. Rendered with {@code WWW-Authenticate: Bearer realm="hankyo"}. */
  public static ApiProblem unauthorized(String detail) {
    return new ApiProblem(401, BASE + "unauthorized", "Unauthorized", detail);
  }

  /**
   * 403: the request is understood but refused for who sends it; the JS tag endpoint's answer to an {@code Origin}
   * that is not among the pool's {@code allowed_origins} ({@link DniApi}).
   */
  public static ApiProblem forbiddenOrigin(String detail) {
    return new ApiProblem(403, BASE + "origin-not-allowed", "Forbidden", detail);
  }

  /**
   * 429 Too Many Requests (RFC 6585 section 4): the client sent more than its limit; the JS tag endpoint's answer to
   * too many new sessions from one client address ({@link DniApi}, {@link DniRateLimit}), sent with {@code
   * Retry-After}.
   */
  public static ApiProblem tooManyRequests(String detail) {
    return new ApiProblem(429, BASE + "too-many-requests", "Too Many Requests", detail);
  }

  /** 404 for a path no route serves. */
  public static ApiProblem noSuchResource(String path) {
    return ApiProblem.notFound("no resource at " + path);
  }

  /** 405: the path exists but not for this method. Rendered with an {@code Allow} header. */
  public static ApiProblem methodNotAllowed(String detail) {
    return new ApiProblem(405, BASE + "method-not-allowed", "Method Not Allowed", detail);
  }

  /** 406: none of the media types of the {@code Accept} header can be produced. */
  public static ApiProblem notAcceptable(String detail) {
    return new ApiProblem(406, BASE + "not-acceptable", "Not Acceptable", detail);
  }

  /**
   * 413: the request body is larger than {@code hankyo.http.max-body-bytes} (or a resource's own limit). The title is
   * RFC 9110 section 15.5.14's reason phrase, "Content Too Large" (RFC 7231 called it "Payload Too Large"; the type
   * URI keeps that older name so that clients matching on it go on working).
   */
  public static ApiProblem payloadTooLarge(String detail) {
    return new ApiProblem(413, BASE + "payload-too-large", "Content Too Large", detail);
  }

  /**
   * 415 of Pekko's own rejections: the request body is not of a media type the resource takes. The API's own 415s
   * name those types ({@link #unsupportedMediaType(String, String)}).
   */
  public static ApiProblem unsupportedMediaType(String detail) {
    return new ApiProblem(415, BASE + "unsupported-media-type", "Unsupported Media Type", detail);
  }

  /** The type of {@link #unsupportedContentEncoding}: answered with {@code Accept-Encoding: identity}. */
  public static final String UNSUPPORTED_CONTENT_ENCODING = BASE + "unsupported-content-encoding";

  /**
   * 415: the request body came with a content coding (RFC 9110 section 8.4, e.g. {@code Content-Encoding: gzip}); the
   * API takes bodies as sent ({@code identity}) only, and says so with {@code Accept-Encoding: identity} (section
   * 12.5.3).
   */
  public static ApiProblem unsupportedContentEncoding(String detail) {
    return new ApiProblem(415, UNSUPPORTED_CONTENT_ENCODING, "Unsupported Media Type", detail);
  }

  /** The {@code Accept} of a 415 of the JSON resources. */
  public static final String ACCEPT_JSON = "application/json";

  /**
   * 415: the request body is not of a media type the resource takes (or declares a charset other than UTF-8), answered
   * with {@code Accept: <accept>}, the media types a next request may use (RFC 9110 section 12.5.1 and 15.5.16: a
   * 415 with {@code Accept} says which types the resource takes), e.g. {@link #ACCEPT_JSON}.
   */
  public static ApiProblem unsupportedMediaType(String detail, String accept) {
    return unsupportedMediaType(detail).withAccept(accept);
  }

  /** 503: the cluster could not answer (timeout, unreachable shard, read side down). */
  public static ApiProblem unavailable(String detail) {
    return new ApiProblem(503, BASE + "service-unavailable", "Service Unavailable", detail);
  }

  /** 500: a defect of the API itself. */
  public static ApiProblem internal(String detail) {
    return new ApiProblem(500, BASE + "internal-error", "Internal Server Error", detail);
  }

  /**
   * The problem for an error response Pekko HTTP produced itself (a rejection of its directives, or a request it could
   * not parse), from its status: the API's own kind where it has one for the status (400 invalid request, 406, 413,
   * 415), else {@link #generic}.
   *
   * @param status the HTTP status code, 400-599
   * @param reason the status's reason phrase, the title of a generic problem
   * @param detail Pekko's explanation
   */
  public static ApiProblem forStatus(int status, String reason, String detail) {
    switch (status) {
      case 400:
        return ApiProblem.invalid(detail);
      case 406:
        return notAcceptable(detail);
      case 413:
        return payloadTooLarge(detail);
      case 415:
        return unsupportedMediaType(detail);
      default:
        return generic(status, reason, detail);
    }
  }

  /**
   * A problem for a status the API has no kind for (e.g. Pekko's own rejections): type {@code about:blank} with the
   * reason phrase as title, as RFC 9457 section 4.2.1 prescribes.
   */
  public static ApiProblem generic(int status, String reason, String detail) {
    return new ApiProblem(status, "about:blank", reason, detail);
  }
}
