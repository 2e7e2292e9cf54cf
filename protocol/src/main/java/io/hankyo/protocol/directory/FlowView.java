package io.hankyo.protocol.directory;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.flow.CallFlow;
import java.time.Instant;

/**
 * A tracking number's call flow (issue 3) as the API shows it.
 *
 * @param dialinId {@code dialin_id} of the number
 * @param clientId {@code client_id} of the owning advertiser
 * @param version 0 while the number never had a document, then 1, 2, … per store (a removal is a version too)
 * @param flow the document, or null when the number has none (calls are forwarded to {@code fwd_id})
 * @param updatedAt when the current version was stored; null for version 0
 */
public record FlowView(
    @JsonProperty("dialin_id") String dialinId,
    @JsonProperty("client_id") String clientId,
    @JsonProperty("version") int version,
    @JsonProperty("flow") CallFlow flow,
    @JsonProperty("updated_at") Instant updatedAt) {}
