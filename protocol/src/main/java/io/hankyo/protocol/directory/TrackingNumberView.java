package io.hankyo.protocol.directory;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.number.PhoneNumber;
import java.time.Instant;

/**
 * A tracking number (トラッキング番号) record as the API shows it.
 *
 * @param dialinId {@code dialin_id}, unique within the advertiser
 * @param clientId {@code client_id} of the owning advertiser
 * @param number {@code din_id}, the tracking number (E.164, national display, raw as entered)
 * @param name {@code dialin_name}
 * @param forwardTo {@code fwd_id}, the forward destination
 * @param createdAt when it was created
 * @param updatedAt when it was last changed
 * @param absent whether absence mode (不在設定, spec section 4) is on
 */
public record TrackingNumberView(
    @JsonProperty("dialin_id") String dialinId,
    @JsonProperty("client_id") String clientId,
    @JsonProperty("number") PhoneNumber number,
    @JsonProperty("name") String name,
    @JsonProperty("forward_to") PhoneNumber forwardTo,
    @JsonProperty("created_at") Instant createdAt,
    @JsonProperty("updated_at") Instant updatedAt,
    @JsonProperty("absent") boolean absent) {}
