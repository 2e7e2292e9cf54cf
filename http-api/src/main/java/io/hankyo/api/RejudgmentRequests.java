package io.hankyo.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.protocol.flow.DocumentFields;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Checks the body of {@code POST /v1/rejudgments} (再判定, issue 4): {@code {"client_id", "from", "to", "dialin_id"?,
 * "rules": {"scope": "number"|"advertiser", "version": N}}}. Every problem is reported at once with its JSON Pointer
 * (RFC 9457, RFC 6901), as for the other documents; unknown fields are refused.
 */
public final class RejudgmentRequests {
  private static final Set<String> FIELDS = Set.of("client_id", "from", "to", "dialin_id", "rules");
  private static final Set<String> RULE_FIELDS = Set.of("scope", "version");

  private RejudgmentRequests() {}

  /**
   * A checked request.
   *
   * @param clientId {@code client_id}
   * @param dialinId {@code dialin_id}, or null for every number of the advertiser
   * @param from arrival range start, inclusive
   * @param to arrival range end, exclusive; after {@code from}
   * @param scope {@code "number"} (needs {@code dialinId}) or {@code "advertiser"}
   * @param version ≥ 1
   */
  public record Parsed(String clientId, String dialinId, Instant from, Instant to, String scope, int version) {}

  /**
   * Checks the document.
   *
   * @throws ApiProblem 400 listing every problem
   */
  public static Parsed parse(JsonNode doc) {
    List<ApiProblem.FieldError> errors = new ArrayList<>();
    if (doc == null || !doc.isObject()) {
      throw ApiProblem.invalid("the re-judgment request must be a JSON object",
          List.of(new ApiProblem.FieldError("", "must be a JSON object")));
    }
    unknown(doc, FIELDS, "", errors);
    String clientId = id(doc, "client_id", true, errors);
    String dialinId = id(doc, "dialin_id", false, errors);
    Instant from = time(doc, "from", errors);
    Instant to = time(doc, "to", errors);
    if (from != null && to != null && !from.isBefore(to)) {
      errors.add(new ApiProblem.FieldError("/to", "must be after from"));
    }
    String scope = null;
    int version = 0;
    JsonNode rules = doc.get("rules");
    if (rules == null || !rules.isObject()) {
      errors.add(new ApiProblem.FieldError("/rules", (rules == null ? "is required" : "must be an object")
          + ": {\"scope\": \"number\"|\"advertiser\", \"version\": N}"
          + (rules == null ? "" : "; got " + DocumentFields.describe(rules))));
    } else {
      unknown(rules, RULE_FIELDS, "/rules", errors);
      JsonNode s = rules.get("scope");
      if (s == null || !s.isTextual() || !(s.asText().equals("number") || s.asText().equals("advertiser"))) {
        errors.add(new ApiProblem.FieldError("/rules/scope", s == null ? "is required: \"number\" or \"advertiser\""
            : "must be \"number\" or \"advertiser\"; got " + DocumentFields.describe(s)));
      } else {
        scope = s.asText();
        if (scope.equals("number") && dialinId == null && !doc.has("dialin_id")) {
          errors.add(new ApiProblem.FieldError("/dialin_id",
              "is required with rules.scope \"number\" (the number whose version it is)"));
        }
      }
      JsonNode v = rules.get("version");
      Long whole = DocumentFields.wholeNumber(v);
      if (whole == null || whole < 1 || whole > Integer.MAX_VALUE) {
        errors.add(new ApiProblem.FieldError("/rules/version", (v == null ? "is required: " : "must be ")
            + "a whole number of 1 or more (a stored version of the rules)"
            + (v == null ? "" : "; got " + DocumentFields.describe(v))));
      } else {
        version = whole.intValue();
      }
    }
    if (!errors.isEmpty()) {
      throw HttpApi.documentProblem("the re-judgment request", errors);
    }
    return new Parsed(clientId, dialinId, from, to, scope, version);
  }

  private static void unknown(JsonNode obj, Set<String> known, String at, List<ApiProblem.FieldError> errors) {
    for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f)) {
        errors.add(new ApiProblem.FieldError(at + "/" + f, "is not a field of a re-judgment request"));
      }
    }
  }

  private static String id(JsonNode doc, String field, boolean required, List<ApiProblem.FieldError> errors) {
    JsonNode n = doc.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        errors.add(new ApiProblem.FieldError("/" + field, "is required: a string of 1-64 characters of "
            + "A-Z a-z 0-9 _ . -"));
      }
      return null;
    }
    if (!n.isTextual() || !Validation.isValidId(n.asText())) {
      errors.add(new ApiProblem.FieldError("/" + field, "must be a string of 1-64 characters of A-Z a-z 0-9 _ . -; "
          + "got " + DocumentFields.describe(n)));
      return null;
    }
    return n.asText();
  }

  private static Instant time(JsonNode doc, String field, List<ApiProblem.FieldError> errors) {
    JsonNode n = doc.get(field);
    if (n == null || !n.isTextual()) {
      errors.add(new ApiProblem.FieldError("/" + field, (n == null ? "is required: " : "must be a string: ")
          + "an ISO-8601 time with its offset, e.g. 2026-11-01T00:00:00+09:00"
          + (n == null ? "" : "; got " + DocumentFields.describe(n))));
      return null;
    }
    try {
      return OffsetDateTime.parse(n.asText()).toInstant();
    } catch (DateTimeParseException e) {
      errors.add(new ApiProblem.FieldError("/" + field, "must be an ISO-8601 time with its offset, e.g. "
          + "2026-11-01T00:00:00+09:00; got \"" + n.asText() + "\""));
      return null;
    }
  }
}
