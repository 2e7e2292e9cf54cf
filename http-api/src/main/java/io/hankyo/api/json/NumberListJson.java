package io.hankyo.api.json;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Body of {@code GET /v1/advertisers/{client_id}/numbers}: {@code {"numbers": [number, ...]}}. */
public record NumberListJson(@JsonProperty("numbers") List<NumberJson> numbers) {}
