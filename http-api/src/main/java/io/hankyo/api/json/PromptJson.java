package io.hankyo.api.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.hankyo.api.ApiTimes;
import io.hankyo.protocol.prompt.PromptView;
import java.time.ZoneId;

/**
 * A prompt as the API renders it (issue 3): {@code {"name", "source": "upload"|"text", "text"?, "voice"?,
 * "duration_ms", "bytes", "sha256", "updated_at"}}. {@code text} and {@code voice} appear for text prompts only;
 * {@code bytes} and {@code sha256} describe the stored, normalized WAV file (8 kHz mono 16-bit PCM) that {@code GET}
 * with {@code Accept: audio/wav} returns, not the upload.
 */
@JsonPropertyOrder({"name", "source", "text", "voice", "duration_ms", "bytes", "sha256", "updated_at"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PromptJson(
    @JsonProperty("name") String name,
    @JsonProperty("source") String source,
    @JsonProperty("text") String text,
    @JsonProperty("voice") String voice,
    @JsonProperty("duration_ms") long durationMs,
    @JsonProperty("bytes") long bytes,
    @JsonProperty("sha256") String sha256,
    @JsonProperty("updated_at") String updatedAt) {

  /** Renders the view with times in {@code zone}. */
  public static PromptJson of(PromptView v, ZoneId zone) {
    return new PromptJson(v.name(), v.source().code(), v.text(), v.voice(), v.durationMs(), v.bytes(), v.sha256(),
        ApiTimes.iso(v.updatedAt(), zone));
  }
}
