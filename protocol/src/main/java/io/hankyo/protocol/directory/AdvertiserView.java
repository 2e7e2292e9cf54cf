package io.hankyo.protocol.directory;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * An advertiser (広告主) as the API shows it.
 *
 * @param clientId {@code client_id}, unique within the operator
 * @param clientName {@code client_name}
 * @param numberCount how many tracking numbers the advertiser has
 * @param createdAt when it was created
 * @param updatedAt when it was last changed
 */
public record AdvertiserView(
    @JsonProperty("client_id") String clientId,
    @JsonProperty("client_name") String clientName,
    @JsonProperty("number_count") int numberCount,
    @JsonProperty("created_at") Instant createdAt,
    @JsonProperty("updated_at") Instant updatedAt) {}
