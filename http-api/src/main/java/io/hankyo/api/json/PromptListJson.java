package io.hankyo.api.json;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code GET /v1/prompts}: {@code {"prompts": [prompt, ...]}}, ordered by name, metadata only. */
public record PromptListJson(@JsonProperty("prompts") List<PromptJson> prompts) {}
