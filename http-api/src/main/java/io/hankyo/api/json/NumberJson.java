package io.hankyo.api.json;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.hankyo.api.ApiTimes;
import io.hankyo.protocol.directory.TrackingNumberView;
import io.hankyo.protocol.number.PhoneNumber;
import java.time.ZoneId;

/**
 * A tracking number as the API renders it: {@code {"dialin_id", "client_id", "din_id": "0120-123-456", "din_e164":
 * "+81120123456", "dialin_name", "fwd_id": "03-1234-5678", "fwd_e164": "+81312345678", "created_at",
 * "updated_at", "absent"}}; {@code absent} is whether absence mode (不在設定) is on. Numbers are the national display form plus E.164; {@code dialin_name} is null when the number has
 * no name; times are ISO-8601 with the offset of the configured zone.
 */
@JsonPropertyOrder({"dialin_id", "client_id", "din_id", "din_e164", "dialin_name", "fwd_id", "fwd_e164",
    "created_at", "updated_at", "absent"})
public record NumberJson(
    @JsonProperty("dialin_id") String dialinId,
    @JsonProperty("client_id") String clientId,
    @JsonProperty("din_id") String dinId,
    @JsonProperty("din_e164") String dinE164,
    @JsonProperty("dialin_name") String dialinName,
    @JsonProperty("fwd_id") String fwdId,
    @JsonProperty("fwd_e164") String fwdE164,
    @JsonProperty("created_at") String createdAt,
    @JsonProperty("updated_at") String updatedAt,
    @JsonProperty("absent") boolean absent) {

  /** Renders the view with times in {@code zone}. */
  public static NumberJson of(TrackingNumberView view, ZoneId zone) {
    PhoneNumber din = view.number();
    PhoneNumber fwd = view.forwardTo();
    return new NumberJson(view.dialinId(), view.clientId(),
        din == null ? null : din.national(), din == null ? null : din.e164(),
        view.name(),
        fwd == null ? null : fwd.national(), fwd == null ? null : fwd.e164(),
        ApiTimes.iso(view.createdAt(), zone), ApiTimes.iso(view.updatedAt(), zone), view.absent());
  }
}
