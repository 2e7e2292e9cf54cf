package io.hankyo.api.json;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.hankyo.api.ApiTimes;
import io.hankyo.protocol.directory.AdvertiserView;
import java.time.ZoneId;

/**
 * An advertiser as the API renders it:
 * {@code {"client_id", "client_name", "number_count", "created_at", "updated_at"}}, times ISO-8601 with the offset of
 * the configured zone (e.g. {@code 2026-11-29T17:21:55+09:00}).
 */
@JsonPropertyOrder({"client_id", "client_name", "number_count", "created_at", "updated_at"})
public record AdvertiserJson(
    @JsonProperty("client_id") String clientId,
    @JsonProperty("client_name") String clientName,
    @JsonProperty("number_count") int numberCount,
    @JsonProperty("created_at") String createdAt,
    @JsonProperty("updated_at") String updatedAt) {

  /** Renders the view with times in {@code zone}. */
  public static AdvertiserJson of(AdvertiserView view, ZoneId zone) {
    return new AdvertiserJson(view.clientId(), view.clientName(), view.numberCount(),
        ApiTimes.iso(view.createdAt(), zone), ApiTimes.iso(view.updatedAt(), zone));
  }
}
