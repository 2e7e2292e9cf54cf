package io.hankyo.protocol.judgment;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A re-judgment (再判定, issue 4) as stored and shown: the request, the counts and the calls whose judgment changed.
 *
 * @param id {@code rjd_…}
 * @param request what was asked
 * @param examined connected calls of the range (and number, if given) judged again
 * @param changes the calls whose {@code valid_code} changed, in arrival order (before and after)
 * @param createdAt when the re-judgment was stored
 * @param applied true once every changed call-log row carries the new judgment
 */
public record RejudgmentView(
    @JsonProperty("id") String id,
    @JsonProperty("request") Request request,
    @JsonProperty("examined") int examined,
    @JsonProperty("changes") List<RejudgmentPlan.Change> changes,
    @JsonProperty("created_at") Instant createdAt,
    @JsonProperty("applied") boolean applied)
    implements JsonSerializable {
  @JsonCreator
  public RejudgmentView {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(request, "request");
    changes = changes == null ? List.of() : List.copyOf(changes);
  }

  /**
   * What to re-judge.
   *
   * @param operatorId the operator (advertisers are scoped to it)
   * @param clientId {@code client_id}
   * @param dialinId one number's {@code dialin_id}, or null for every number of the advertiser
   * @param from start of the arrival range ({@code din_tms}), inclusive
   * @param to end of the arrival range, exclusive; after {@code from}
   * @param scope {@code "number"} (the number's own stored versions; needs {@code dialinId}) or {@code
   *     "advertiser"}
   * @param version the stored version of that scope, ≥ 1
   */
  public record Request(
      @JsonProperty("operator_id") String operatorId,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("dialin_id") String dialinId,
      @JsonProperty("from") Instant from,
      @JsonProperty("to") Instant to,
      @JsonProperty("scope") String scope,
      @JsonProperty("version") int version)
      implements JsonSerializable {
    @JsonCreator
    public Request {
      Objects.requireNonNull(operatorId, "operatorId");
      Objects.requireNonNull(clientId, "clientId");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(scope, "scope");
    }
  }
}
