package io.hankyo.api.json;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.hankyo.api.ApiTimes;
import io.hankyo.protocol.directory.JudgmentView;
import io.hankyo.protocol.judgment.JudgmentRules;
import java.time.ZoneId;

/**
 * An advertiser's own valid-call judgment rules (成果判定, issue 4) as the API renders them: {@code {"client_id",
 * "scope": "advertiser", "version": 3, "updated_at": ISO-8601, "rules": document}}. {@code rules} is the stored
 * document with its defaults filled in, so {@code PUT} of it stores the same rules. Rendered only while the advertiser
 * has rules (else the API answers 404).
 */
@JsonPropertyOrder({"client_id", "scope", "version", "updated_at", "rules"})
public record AdvertiserJudgmentJson(
    @JsonProperty("client_id") String clientId,
    @JsonProperty("scope") String scope,
    @JsonProperty("version") int version,
    @JsonProperty("updated_at") String updatedAt,
    @JsonProperty("rules") JudgmentRules rules) {

  /** Renders the view with times in {@code zone}; {@code scope} is always {@code "advertiser"}. */
  public static AdvertiserJudgmentJson of(JudgmentView view, ZoneId zone) {
    return new AdvertiserJudgmentJson(view.clientId(), "advertiser", view.version(),
        view.updatedAt() == null ? null : ApiTimes.iso(view.updatedAt(), zone), view.rules());
  }
}
