package io.hankyo.protocol.call;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.flow.CallFlow;
import io.hankyo.protocol.judgment.JudgmentRules;
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
 * @param judgment the tracking number's valid-call judgment rules (成果判定, issue 4, spec section 5) when the call
 *     arrived, or null when it has none (the call gets no {@code valid_res}); the call keeps them to its end and
 *     judges with them when it ends. Left out of the JSON when null; routes written before the field existed read
 *     as null
 * @param judgmentVersion the version of {@code judgment} (0 when the number never had rules; a removal is a version
 *     too, so a null {@code judgment} may have a version above 0); routes written before the field existed read as 0
 * @param callbackOf for a call to a leased callback number (折返し通話トラッキング, issue 4): the {@code trn_id} of the
 *     missed call whose caller the number forwards to (written to the call log as {@code logvars.callback_of});
 *     null for calls to tracking numbers (left out of the JSON; routes written before the field existed read as null)
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
    @JsonProperty("flow_version") int flowVersion,
    @JsonProperty("judgment") @JsonInclude(JsonInclude.Include.NON_NULL) JudgmentRules judgment,
    @JsonProperty("judgment_version") int judgmentVersion,
    @JsonProperty("callback_of") @JsonInclude(JsonInclude.Include.NON_NULL) String callbackOf)
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

  /** A route of a tracking number (not a callback number: {@code callbackOf} null). */
  public NumberRoute(String operatorId, String clientId, String clientName, String dialinId, String dialinName,
      PhoneNumber din, PhoneNumber forwardTo, boolean absent, CallFlow flow, int flowVersion, JudgmentRules judgment,
      int judgmentVersion) {
    this(operatorId, clientId, clientName, dialinId, dialinName, din, forwardTo, absent, flow, flowVersion, judgment,
        judgmentVersion, null);
  }

  /** A route with absence mode off. */
  public NumberRoute(String operatorId, String clientId, String clientName, String dialinId, String dialinName,
      PhoneNumber din, PhoneNumber forwardTo) {
    this(operatorId, clientId, clientName, dialinId, dialinName, din, forwardTo, false, null, 0);
  }

  /** A route without judgment rules (version 0): calls to it get no {@code valid_res}. */
  public NumberRoute(String operatorId, String clientId, String clientName, String dialinId, String dialinName,
      PhoneNumber din, PhoneNumber forwardTo, boolean absent, CallFlow flow, int flowVersion) {
    this(operatorId, clientId, clientName, dialinId, dialinName, din, forwardTo, absent, flow, flowVersion, null, 0);
  }
}
