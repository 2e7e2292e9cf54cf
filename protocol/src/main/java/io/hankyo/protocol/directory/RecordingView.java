package io.hankyo.protocol.directory;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.recording.RecordingSettings;
import java.time.Instant;

/**
 * A tracking number's recording setting (issue 4) as the API shows it, versioned like the judgment rules ({@link
 * JudgmentView}).
 *
 * @param dialinId {@code dialin_id} of the number
 * @param clientId {@code client_id} of the owning advertiser
 * @param version 0 while the number never had a setting, then 1, 2, … per store or removal
 * @param settings the setting, or null when the number has none (its calls are not recorded)
 * @param updatedAt when the current version was stored or removed; null for version 0
 */
public record RecordingView(
    @JsonProperty("dialin_id") String dialinId,
    @JsonProperty("client_id") String clientId,
    @JsonProperty("version") int version,
    @JsonProperty("settings") RecordingSettings settings,
    @JsonProperty("updated_at") Instant updatedAt) {}
