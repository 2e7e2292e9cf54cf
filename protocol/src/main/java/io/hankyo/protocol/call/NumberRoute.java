package io.hankyo.protocol.call;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.flow.CallFlow;
import io.hankyo.protocol.number.PhoneNumber;
import java.util.Objects;

/**
 * What a tracking number routes to at the moment a call arrives: the owner hierarchy (operator → advertiser →
 * tracking number, spec section 1) and the forward destination. Copied into the call's events so that later edits of
 * the number do not change the history.
 *
 * @param operatorId the operator (事業者)
 * @param clientId {@code client_id}
 * @param clientName {@code client_name}
 * @param dialinId {@code dialin_id}
 * @param dialinName {@code dialin_name}
 * @param din {@code din_id}, the tracking number
 * @param forwardTo {@code fwd_id}, the forward destination
 * @param absent whether absence mode (不在設定, spec section 4) was on when the call arrived
 * @param flow the tracking number's call flow document when the call arrived, or null when it has none (the call
 *     follows {@link CallFlow#defaultFor}: forward to {@code forwardTo}); the call keeps it to its end
 * @param flowVersion the version of {@code flow} (0 when the number never had a document)
 */
public record NumberRoute(
    @JsonProperty("operator_id") String operatorId,
    @JsonProperty("client_id") String clientId,
    @JsonProperty("client_name") String clientName,
    @JsonProperty("dialin_id") String dialinId,
    @JsonProperty("dialin_name") String dialinName,
    @JsonProperty("din") PhoneNumber din,
    @JsonProperty("forward_to") PhoneNumber forwardTo,
    @JsonProperty("absent") boolean absent,
    @JsonProperty("flow") @JsonInclude(JsonInclude.Include.NON_NULL) CallFlow flow,
    @JsonProperty("flow_version") int flowVersion)
    implements JsonSerializable {
  @JsonCreator
  public NumberRoute {
    Objects.requireNonNull(operatorId, "operatorId");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(dialinId, "dialinId");
    Objects.requireNonNull(din, "din");
    Objects.requireNonNull(forwardTo, "forwardTo");
    clientName = clientName == null ? "" : clientName;
    dialinName = dialinName == null ? "" : dialinName;
  }

  /** A route with absence mode off. */
  public NumberRoute(String operatorId, String clientId, String clientName, String dialinId, String dialinName,
      PhoneNumber din, PhoneNumber forwardTo) {
    this(operatorId, clientId, clientName, dialinId, dialinName, din, forwardTo, false, null, 0);
  }
}
