package io.hankyo.protocol.directory;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.notify.NotificationSettings;
import java.time.Instant;

/**
 * A tracking number's call notification settings (issue 4) as the backend hands them to the API, versioned like the
 * judgment rules ({@link JudgmentView}). The API renders the webhook secret only as {@code "secret_set": true}.
 *
 * @param dialinId {@code dialin_id} of the number
 * @param clientId {@code client_id} of the owning advertiser
 * @param version 0 while the number never had settings, then 1, 2, … per store or removal
 * @param settings the settings, or null when the number has none (its calls notify nobody)
 * @param updatedAt when the current version was stored or the settings removed; null for version 0
 */
public record NotificationView(
    @JsonProperty("dialin_id") String dialinId,
    @JsonProperty("client_id") String clientId,
    @JsonProperty("version") int version,
    @JsonProperty("settings") NotificationSettings settings,
    @JsonProperty("updated_at") Instant updatedAt) {}
