package io.hankyo.api.json;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Body of {@code GET /v1/advertisers}: {@code {"advertisers": [advertiser, ...]}}. */
public record AdvertiserListJson(@JsonProperty("advertisers") List<AdvertiserJson> advertisers) {}
