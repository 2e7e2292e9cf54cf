package io.hankyo.api.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.hankyo.api.ApiTimes;
import io.hankyo.protocol.judgment.RejudgmentPlan;
import io.hankyo.protocol.judgment.RejudgmentView;
import java.time.ZoneId;
import java.util.List;

/**
 * A re-judgment (再判定, issue 4) as the API renders it: {@code {"id": "rjd_…", "client_id", "dialin_id", "from",
 * "to", "rules": {"scope", "version"}, "examined": N, "changed": N, "applied": bool, "created_at", "changes":
 * [{"trn_id", "dialin_id", "din_tms", "before": {...}, "after": {...}}]}}; times ISO-8601 in the API zone.
 */
@JsonPropertyOrder({"id", "client_id", "dialin_id", "from", "to", "rules", "examined", "changed", "applied",
    "created_at", "changes"})
public record RejudgmentJson(
    @JsonProperty("id") String id,
    @JsonProperty("client_id") String clientId,
    @JsonProperty("dialin_id") String dialinId,
    @JsonProperty("from") String from,
    @JsonProperty("to") String to,
    @JsonProperty("rules") Rules rules,
    @JsonProperty("examined") int examined,
    @JsonProperty("changed") int changed,
    @JsonProperty("applied") boolean applied,
    @JsonProperty("created_at") String createdAt,
    @JsonProperty("changes") List<Change> changes) {

  /** The rule version re-judged under. */
  public record Rules(@JsonProperty("scope") String scope, @JsonProperty("version") int version) {}

  /** One changed call. */
  @JsonPropertyOrder({"trn_id", "dialin_id", "din_tms", "before", "after"})
  public record Change(
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("dialin_id") String dialinId,
      @JsonProperty("din_tms") String arrivedAt,
      @JsonProperty("before") @JsonInclude(JsonInclude.Include.ALWAYS) RejudgmentPlan.Outcome before,
      @JsonProperty("after") RejudgmentPlan.Outcome after) {}

  /** Renders the view with times in {@code zone}. */
  public static RejudgmentJson of(RejudgmentView v, ZoneId zone) {
    RejudgmentView.Request r = v.request();
    return new RejudgmentJson(v.id(), r.clientId(), r.dialinId(), ApiTimes.iso(r.from(), zone),
        ApiTimes.iso(r.to(), zone), new Rules(r.scope(), r.version()), v.examined(), v.changes().size(), v.applied(),
        v.createdAt() == null ? null : ApiTimes.iso(v.createdAt(), zone),
        v.changes().stream().map(c -> new Change(c.trnId(), c.dialinId(), ApiTimes.iso(c.arrivedAt(), zone),
            c.before(), c.after())).toList());
  }
}
