package io.hankyo.api.json;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Body of {@code PUT /v1/advertisers/{client_id}}: {@code {"client_name": required name}}.
 *
 * @param clientName non-blank, at most 200 characters
 */
public record UpdateAdvertiserRequest(@JsonProperty("client_name") String clientName) {}
