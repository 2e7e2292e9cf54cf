package io.hankyo.api.json;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.hankyo.api.ApiTimes;
import io.hankyo.protocol.directory.JudgmentView;
import io.hankyo.protocol.judgment.JudgmentRules;
import java.time.ZoneId;

/**
 * A tracking number's valid-call judgment rules (成果判定, issue 4, spec section 5) as the API renders them: {@code
 * {"dialin_id", "client_id", "version": 3, "updated_at": ISO-8601, "rules": document}}. {@code rules} is the stored
 * document with its defaults filled in ({@code ivr_match}, {@code ivr}, {@code earlier_calls}, …), so {@code PUT}
 * of it stores the same rules. Rendered only while the number has rules (else the API answers 404).
 */
@JsonPropertyOrder({"dialin_id", "client_id", "version", "updated_at", "rules"})
public record JudgmentJson(
    @JsonProperty("dialin_id") String dialinId,
    @JsonProperty("client_id") String clientId,
    @JsonProperty("version") int version,
    @JsonProperty("updated_at") String updatedAt,
    @JsonProperty("rules") JudgmentRules rules) {

  /** Renders the view with times in {@code zone}. */
  public static JudgmentJson of(JudgmentView view, ZoneId zone) {
    return new JudgmentJson(view.dialinId(), view.clientId(), view.version(),
        view.updatedAt() == null ? null : ApiTimes.iso(view.updatedAt(), zone), view.rules());
  }
}
