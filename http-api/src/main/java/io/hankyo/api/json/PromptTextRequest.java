package io.hankyo.api.json;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Body of {@code PUT /v1/prompts/{name}} with {@code Content-Type: application/json}: {@code {"text":
 * "お電話ありがとうございます。", "voice": "ja"}}. {@code voice} is optional (espeak-ng's {@code ja} by default).
 */
public record PromptTextRequest(@JsonProperty("text") String text, @JsonProperty("voice") String voice) {}
