package io.hankyo.api.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.hankyo.api.ApiTimes;
import io.hankyo.protocol.directory.RecordingView;
import java.time.ZoneId;

/**
 * A tracking number's recording setting (2者間通話録音, issue 4) as the API renders it: {@code {"dialin_id",
 * "client_id", "version": 2, "updated_at": ISO-8601, "mode": "both", "consent_prompt": "recording-notice"}}, so that
 * {@code PUT} of its {@code mode} and {@code consent_prompt} stores the same setting. Rendered only while the number
 * has a setting (else the API answers 404).
 */
@JsonPropertyOrder({"dialin_id", "client_id", "version", "updated_at", "mode", "consent_prompt"})
public record RecordingJson(
    @JsonProperty("dialin_id") String dialinId,
    @JsonProperty("client_id") String clientId,
    @JsonProperty("version") int version,
    @JsonProperty("updated_at") String updatedAt,
    @JsonProperty("mode") String mode,
    @JsonProperty("consent_prompt") @JsonInclude(JsonInclude.Include.NON_NULL) String consentPrompt) {

  /** Renders the view (whose settings are not null) with times in {@code zone}. */
  public static RecordingJson of(RecordingView view, ZoneId zone) {
    return new RecordingJson(view.dialinId(), view.clientId(), view.version(),
        view.updatedAt() == null ? null : ApiTimes.iso(view.updatedAt(), zone), view.settings().mode().jsonName(),
        view.settings().consentPrompt());
  }
}
