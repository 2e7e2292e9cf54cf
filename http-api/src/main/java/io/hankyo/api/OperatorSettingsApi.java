package io.hankyo.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.api.json.ApiJson;
import io.hankyo.protocol.flow.DocumentFields;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The operator's own settings (issue 4), mounted by {@link HttpApi} under {@code /v1} for an authenticated operator:
 *
 * <ul>
 *   <li>{@code GET /v1/operator/settings} → 200 {@code {"recording_retention_days": 90}} ({@code null}: recordings
 *       are kept until deleted, the default).
 *   <li>{@code PUT /v1/operator/settings} {@code {"recording_retention_days": 90}} (or {@code null}) → 200 with the
 *       settings; 400 problem+json with JSON Pointers for a bad document (unknown field, missing field, not an integer,
 *       outside {@value #MIN_RETENTION_DAYS}..{@value #MAX_RETENTION_DAYS}). Recordings older than the retention
 *       (days of 24 h from when they were stored) are deleted by the cluster's retention sweeper, as {@code DELETE
 *       /v1/calls/{trn_id}/recording} would.
 * </ul>
 *
 * <p>Without a backend ({@link HttpApi#withOperatorSettings} not called) both answer 404.
 */
public final class OperatorSettingsApi extends AllDirectives {
  /** Shortest recording retention, days. */
  public static final int MIN_RETENTION_DAYS = 1;
  /** Longest recording retention, days (about 10 years). */
  public static final int MAX_RETENTION_DAYS = 3650;

  private final OperatorSettingsBackend backend;
  private final CallbackApi.JsonBodies bodies;

  /**
   * @param backend the settings backend, or null when the node has none (404)
   * @param bodies reads request bodies with the API's general size limit (413 problem+json beyond)
   */
  OperatorSettingsApi(OperatorSettingsBackend backend, CallbackApi.JsonBodies bodies) {
    this.backend = backend;
    this.bodies = bodies;
  }

  /** The routes for {@code operator} (authenticated by {@link HttpApi}). */
  public Route route(String operator) {
    return pathPrefix("operator", () -> path("settings", () -> concat(
        get(() -> respond(() -> backend().getSettings(operator))),
        put(() -> bodies.read(-1, body -> respond(() -> backend().putSettings(operator, parse(body))))))));
  }

  private OperatorSettingsBackend backend() {
    if (backend == null) {
      throw ApiProblem.notFound("operator settings are not available on this node");
    }
    return backend;
  }

  private static final String SUBJECT = "the operator settings document";

  /**
   * Parses a settings document.
   *
   * @throws ApiProblem 400 listing every problem with its JSON Pointer
   */
  static OperatorSettingsBackend.Settings parse(JsonNode doc) {
    List<ApiProblem.FieldError> errors = new ArrayList<>();
    if (!doc.isObject()) {
      throw HttpApi.documentProblem(SUBJECT, List.of(new ApiProblem.FieldError("",
          "must be a JSON object, e.g. {\"recording_retention_days\": 90}; got " + DocumentFields.describe(doc))));
    }
    doc.fieldNames().forEachRemaining(f -> {
      if (!f.equals("recording_retention_days")) {
        errors.add(new ApiProblem.FieldError("/" + f, "unknown field; allowed fields: recording_retention_days"));
      }
    });
    JsonNode days = doc.get("recording_retention_days");
    Integer retention = null;
    if (days == null) {
      errors.add(new ApiProblem.FieldError("/recording_retention_days",
          "is required: days to keep recordings (" + MIN_RETENTION_DAYS + ".." + MAX_RETENTION_DAYS
              + "), or null to keep them until deleted"));
    } else if (!days.isNull()) {
      Long whole = DocumentFields.wholeNumber(days);
      if (whole == null || whole < MIN_RETENTION_DAYS || whole > MAX_RETENTION_DAYS) {
        errors.add(new ApiProblem.FieldError("/recording_retention_days", "must be a whole number of days from "
            + MIN_RETENTION_DAYS + " to " + MAX_RETENTION_DAYS + ", or null; got " + DocumentFields.describe(days)));
      } else {
        retention = whole.intValue();
      }
    }
    if (!errors.isEmpty()) {
      throw HttpApi.documentProblem(SUBJECT, errors);
    }
    return new OperatorSettingsBackend.Settings(retention);
  }

  private Route respond(Supplier<CompletionStage<OperatorSettingsBackend.Settings>> call) {
    CompletionStage<OperatorSettingsBackend.Settings> stage;
    try {
      stage = call.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    CompletionStage<OperatorSettingsBackend.Settings> s = stage;
    return extractUri(uri -> onComplete(s, t -> {
      if (t.isSuccess()) {
        return complete(HttpResponse.create().withStatus(StatusCodes.OK).withEntity(HttpEntities.create(
            ContentTypes.APPLICATION_JSON, ApiJson.writeBytes(new SettingsJson(t.get().recordingRetentionDays())))));
      }
      Throwable cause = t.failed().get();
      while (cause instanceof CompletionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      ApiProblem problem = cause instanceof ApiProblem p ? p
          : Problems.unavailable("the cluster could not answer in time; retry later");
      return complete(HttpApi.problemResponse(problem, uri.path()));
    }));
  }

  /** The settings as JSON (null written: it means "keep forever"). */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record SettingsJson(@JsonProperty("recording_retention_days") Integer recordingRetentionDays) {}
}
