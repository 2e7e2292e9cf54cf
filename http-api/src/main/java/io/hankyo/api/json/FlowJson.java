package io.hankyo.api.json;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.api.ApiTimes;
import io.hankyo.protocol.directory.FlowView;
import io.hankyo.protocol.flow.CallFlowWriter;
import java.time.ZoneId;

/**
 * A tracking number's call flow as the API renders it (issue 3): {@code {"dialin_id", "client_id", "version": 3,
 * "updated_at": ISO-8601 or null, "flow": document or null}}. {@code flow} is the stored document in the shape it was
 * sent (forward targets in national display form); null means the number has no document and calls are forwarded to
 * its {@code fwd_id}.
 */
@JsonPropertyOrder({"dialin_id", "client_id", "version", "updated_at", "flow"})
public record FlowJson(
    @JsonProperty("dialin_id") String dialinId,
    @JsonProperty("client_id") String clientId,
    @JsonProperty("version") int version,
    @JsonProperty("updated_at") String updatedAt,
    @JsonProperty("flow") JsonNode flow) {

  /** Renders the view with times in {@code zone}. */
  public static FlowJson of(FlowView view, ZoneId zone) {
    return new FlowJson(view.dialinId(), view.clientId(), view.version(),
        view.updatedAt() == null ? null : ApiTimes.iso(view.updatedAt(), zone),
        view.flow() == null ? null : CallFlowWriter.toTree(view.flow()));
  }
}
