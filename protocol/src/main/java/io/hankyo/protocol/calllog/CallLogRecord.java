package io.hankyo.protocol.calllog;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.privacy.EncryptedValue;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One call-log record (通話ログ, spec section 6) as stored in the read side; the HTTP API renders it with the spec's
 * JSON keys and decrypts the caller for authorised readers.
 *
 * @param operatorId the operator (事業者) that owns the call; never shown to another operator
 * @param seqNum {@code seq_num}: increases in order of arrival within the operator, never repeats
 * @param trnId {@code trn_id}: 24 lowercase hex characters
 * @param din {@code din_id}: the tracking number dialled
 * @param clientId {@code client_id}
 * @param clientName {@code client_name}
 * @param dialinId {@code dialin_id}
 * @param dialinName {@code dialin_name}
 * @param forwardTo {@code fwd_id}: the destination used; null when the call was never forwarded
 * @param caller {@code clr_id_cipher}: the encrypted caller number in E.164, or, when the From user part is not a
 *     number, that user part as received (at most 64 characters, {@code clr_type} 不明); null when withheld (非通知)
 * @param callerType {@code clr_type}
 * @param forwardType {@code fwd_type}; null when never forwarded
 * @param arrivedAt {@code din_tms}
 * @param answeredAt {@code tst_tms}; null when never connected
 * @param endedAt {@code eoc_tms}
 * @param callingSec {@code calling_sec}: seconds from the start of forwarding until answer (or until the end when
 *     never answered), rounded to the nearest second
 * @param talkingSec {@code talking_sec}: seconds from answer to end, rounded; 0 when never connected
 * @param connSec {@code conn_sec}: seconds from arrival to end, rounded
 * @param dialStatus {@code dial_stat}
 * @param hangupParty {@code hup_usr}
 * @param logvars {@code logvars.*}: judgment ({@code valid_res}) and attribution values; never null
 * @param nfyEmail {@code nfy_email}
 * @param nfyHttp {@code nfy_http}
 * @param callCharge {@code call_charge}: yen, whole
 * @param endCause the gateway's cause code (diagnostics, e.g. {@code NO_ANSWER}); not a spec field
 * @param sipStatus the final SIP status toward the caller, 0 when the call was answered and ended by BYE
 */
public record CallLogRecord(
    @JsonProperty("operator_id") String operatorId,
    @JsonProperty("seq_num") long seqNum,
    @JsonProperty("trn_id") String trnId,
    @JsonProperty("din") PhoneNumber din,
    @JsonProperty("client_id") String clientId,
    @JsonProperty("client_name") String clientName,
    @JsonProperty("dialin_id") String dialinId,
    @JsonProperty("dialin_name") String dialinName,
    @JsonProperty("forward_to") PhoneNumber forwardTo,
    @JsonProperty("caller") EncryptedValue caller,
    @JsonProperty("clr_type") DeviceType callerType,
    @JsonProperty("fwd_type") DeviceType forwardType,
    @JsonProperty("din_tms") Instant arrivedAt,
    @JsonProperty("tst_tms") Instant answeredAt,
    @JsonProperty("eoc_tms") Instant endedAt,
    @JsonProperty("calling_sec") int callingSec,
    @JsonProperty("talking_sec") int talkingSec,
    @JsonProperty("conn_sec") int connSec,
    @JsonProperty("dial_stat") DialStatus dialStatus,
    @JsonProperty("hup_usr") HangupParty hangupParty,
    @JsonProperty("logvars") Map<String, String> logvars,
    @JsonProperty("nfy_email") boolean nfyEmail,
    @JsonProperty("nfy_http") boolean nfyHttp,
    @JsonProperty("call_charge") long callCharge,
    @JsonProperty("end_cause") String endCause,
    @JsonProperty("sip_status") int sipStatus)
    implements JsonSerializable {
  public CallLogRecord {
    Objects.requireNonNull(operatorId, "operatorId");
    Objects.requireNonNull(trnId, "trnId");
    Objects.requireNonNull(din, "din");
    Objects.requireNonNull(arrivedAt, "arrivedAt");
    Objects.requireNonNull(endedAt, "endedAt");
    Objects.requireNonNull(dialStatus, "dialStatus");
    Objects.requireNonNull(hangupParty, "hangupParty");
    logvars = logvars == null ? Map.of() : Map.copyOf(logvars);
  }

  /**
   * The same record with {@code logvars[key] = value} (added or replaced), e.g. {@code recording = "1"} once the
   * call's recording is stored (issue 4).
   */
  public CallLogRecord withLogvar(String key, String value) {
    java.util.Map<String, String> vars = new java.util.LinkedHashMap<>(logvars);
    vars.put(key, value);
    return new CallLogRecord(operatorId, seqNum, trnId, din, clientId, clientName, dialinId, dialinName, forwardTo,
        caller, callerType, forwardType, arrivedAt, answeredAt, endedAt, callingSec, talkingSec, connSec, dialStatus,
        hangupParty, vars, nfyEmail, nfyHttp, callCharge, endCause, sipStatus);
  }
}
