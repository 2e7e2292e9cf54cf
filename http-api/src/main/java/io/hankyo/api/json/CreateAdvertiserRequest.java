package io.hankyo.api.json;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Body of {@code POST /v1/advertisers}: {@code {"client_id": optional id, "client_name": required name}}.
 *
 * @param clientId 1-64 characters of {@code [A-Za-z0-9_.-]}; null to have the cluster generate one
 * @param clientName non-blank, at most 200 characters
 */
public record CreateAdvertiserRequest(
    @JsonProperty("client_id") String clientId,
    @JsonProperty("client_name") String clientName) {}
