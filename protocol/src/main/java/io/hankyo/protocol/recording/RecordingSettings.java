package io.hankyo.protocol.recording;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import java.util.Objects;

/**
 * A tracking number's recording setting (2者間通話録音, issue 4): {@code {"mode": "both", "consent_prompt":
 * "recording-notice"}}. Read and checked by {@link RecordingSettingsParser}; versioned per number like the judgment
 * rules, and carried to the call in its {@code NumberRoute}.
 *
 * @param mode what is recorded; not null
 * @param consentPrompt the name of the uploaded prompt ({@code PUT /v1/prompts/{name}}) the caller hears before the
 *     bridge while recording is on; required unless {@code mode} is {@link RecordingMode#OFF}, where it may be null
 */
public record RecordingSettings(
    @JsonProperty("mode") RecordingMode mode,
    @JsonProperty("consent_prompt") @JsonInclude(JsonInclude.Include.NON_NULL) String consentPrompt)
    implements JsonSerializable {
  @JsonCreator
  public RecordingSettings {
    Objects.requireNonNull(mode, "mode");
    if (mode.records() && consentPrompt == null) {
      throw new IllegalArgumentException("a recording mode other than off needs a consent prompt");
    }
  }

  /** True when calls are recorded ({@code mode} is not {@code off}). */
  public boolean records() {
    return mode.records();
  }
}
