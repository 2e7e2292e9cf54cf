package io.hankyo.api.json;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Body of {@code POST /v1/advertisers/{client_id}/numbers}:
 * {@code {"dialin_id": optional id, "number": "0120-123-456", "name": optional, "forward_to": "03-1234-5678"}}.
 *
 * @param dialinId 1-64 characters of {@code [A-Za-z0-9_.-]}; null to have the cluster generate one
 * @param number required: the tracking number (free call, 050 or fixed line), any national or E.164 form
 * @param name optional label ({@code dialin_name}), at most 200 characters
 * @param forwardTo required: the forward destination, any valid number (mobile allowed)
 */
public record CreateNumberRequest(
    @JsonProperty("dialin_id") String dialinId,
    @JsonProperty("number") String number,
    @JsonProperty("name") String name,
    @JsonProperty("forward_to") String forwardTo) {}
