package io.hankyo.api.json;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Body of {@code PUT /v1/advertisers/{client_id}/numbers/{dialin_id}}: {@code {"name"?, "forward_to"?, "number"?}}.
 * Absent (or null) fields stay unchanged.
 *
 * @param number optional; accepted only when it is the current tracking number (a number cannot change: delete and
 *     create instead)
 * @param name new label, at most 200 characters; empty clears it
 * @param forwardTo new forward destination
 */
public record UpdateNumberRequest(
    @JsonProperty("number") String number,
    @JsonProperty("name") String name,
    @JsonProperty("forward_to") String forwardTo) {}
