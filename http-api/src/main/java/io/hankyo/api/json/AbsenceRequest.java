package io.hankyo.api.json;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Body of {@code PUT /v1/advertisers/{client_id}/numbers/{dialin_id}/absence}: {@code {"on": true}} turns absence
 * mode (不在設定, spec section 4) on, {@code {"on": false}} off.
 *
 * @param on required; null when missing (the API answers 400)
 */
public record AbsenceRequest(@JsonProperty("on") Boolean on) {}
