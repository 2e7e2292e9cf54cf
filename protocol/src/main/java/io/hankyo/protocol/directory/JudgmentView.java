package io.hankyo.protocol.directory;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.judgment.JudgmentRules;
import java.time.Instant;

/**
 * A tracking number's valid-call judgment rules (成果判定, issue 4, spec section 5) as the API shows them, versioned
 * like the call flow ({@link FlowView}).
 *
 * @param dialinId {@code dialin_id} of the number
 * @param clientId {@code client_id} of the owning advertiser
 * @param version 0 while the number never had rules, then 1, 2, … per store or removal (a removal is a version too)
 * @param rules the rules, or null when the number has none (its calls get no {@code valid_res})
 * @param updatedAt when the current version was stored or the rules removed; null for version 0
 */
public record JudgmentView(
    @JsonProperty("dialin_id") String dialinId,
    @JsonProperty("client_id") String clientId,
    @JsonProperty("version") int version,
    @JsonProperty("rules") JudgmentRules rules,
    @JsonProperty("updated_at") Instant updatedAt) {}
