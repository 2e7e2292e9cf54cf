package io.hankyo.protocol.call;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.flow.CallFlow;
import io.hankyo.protocol.judgment.JudgmentRules;
import io.hankyo.protocol.notify.NotificationSettings;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.recording.RecordingSettings;
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
 * @param judgmentScope whose rules {@code judgment} and {@code judgmentVersion} are: {@link #SCOPE_NUMBER} (the
 *     number's own; also null, as in routes written before the field existed, and left out of the JSON then) or
 *     {@link #SCOPE_ADVERTISER} (the advertiser's, used because the number has none of its own; issue 4). The
 *     version counts per scope, so {@link #judgmentVersionId()} ({@code n2}, {@code a3}) names one stored version.
 * @param notifications the tracking number's call notification settings (issue 4) when the call arrived, or null
 *     when it has none; the ended call decides with them which channels fire ({@code nfy_email}, {@code nfy_http}).
 *     Always without secrets ({@link NotificationSettings#withoutSecrets()}, applied by the constructor, also to
 *     routes read from old events that still hold a webhook secret): the route is copied into the call's journal,
 *     and the webhook delivery reads the secret from the number's current settings at each attempt.
 *     Left out of the JSON when null; routes written before the field existed read as null
 * @param notificationsVersion the version of {@code notifications} (0 when the number never had settings)
 * @param recording the tracking number's recording setting (2者間通話録音, issue 4) when the call arrived, or null
 *     when it has none (the call is not recorded); left out of the JSON when null; older routes read as null
 * @param recordingVersion the version of {@code recording} (0 when the number never had a setting; a removal is a
 *     version too); older routes read as 0
 * @param callbackOf for a call to a leased callback number (折返し通話トラッキング, issue 4): the {@code trn_id} of the
 *     missed call whose caller the number forwards to (written to the call log as {@code logvars.callback_of});
 *     null for calls to tracking numbers (left out of the JSON; routes written before the field existed read as null)
 * @param attribution the call's attribution to a web visit (issue 5, attribution): the {@code logvars.*} entries
 *     decided when the call arrived ({@code attribution} = {@code pool} / {@code binding} / {@code unattributed},
 *     {@code pool_id}, {@code session_id}, the holder's parameters, or {@code last_session_id} and {@code
 *     last_held_until}); null for calls that are not attributed at all (numbers outside pools without bindings,
 *     fallback numbers, callback numbers). Written to the call log without overwriting the log's own keys. Left
 *     out of the JSON when null; routes written before the field existed read as null
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
    @JsonProperty("judgment_scope") @JsonInclude(JsonInclude.Include.NON_NULL) String judgmentScope,
    @JsonProperty("notifications") @JsonInclude(JsonInclude.Include.NON_NULL) NotificationSettings notifications,
    @JsonProperty("notifications_version") int notificationsVersion,
    @JsonProperty("recording") @JsonInclude(JsonInclude.Include.NON_NULL) RecordingSettings recording,
    @JsonProperty("recording_version") int recordingVersion,
    @JsonProperty("callback_of") @JsonInclude(JsonInclude.Include.NON_NULL) String callbackOf,
    @JsonProperty("attribution") @JsonInclude(JsonInclude.Include.NON_NULL)
    java.util.Map<String, String> attribution)
    implements JsonSerializable {
  /** {@link #judgmentScope()} of the number's own rules. */
  public static final String SCOPE_NUMBER = "number";
  /** {@link #judgmentScope()} of the advertiser's rules (issue 4). */
  public static final String SCOPE_ADVERTISER = "advertiser";

  @JsonCreator
  public NumberRoute {
    Objects.requireNonNull(operatorId, "operatorId");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(dialinId, "dialinId");
    Objects.requireNonNull(din, "din");
    Objects.requireNonNull(forwardTo, "forwardTo");
    clientName = clientName == null ? "" : clientName;
    dialinName = dialinName == null ? "" : dialinName;
    // never a webhook secret in a route: routes are copied into the calls' journals (issue 4)
    notifications = notifications == null ? null : notifications.withoutSecrets();
    attribution = attribution == null ? null
        : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attribution));
    if (judgmentScope != null && !judgmentScope.equals(SCOPE_NUMBER) && !judgmentScope.equals(SCOPE_ADVERTISER)) {
      throw new IllegalArgumentException("judgment_scope must be \"number\" or \"advertiser\", got '"
          + judgmentScope + "'");
    }
  }

  /** A route without attribution (every field of the canonical constructor but {@code attribution}). */
  public NumberRoute(String operatorId, String clientId, String clientName, String dialinId, String dialinName,
      PhoneNumber din, PhoneNumber forwardTo, boolean absent, CallFlow flow, int flowVersion,
      JudgmentRules judgment, int judgmentVersion, String judgmentScope, NotificationSettings notifications,
      int notificationsVersion, RecordingSettings recording, int recordingVersion, String callbackOf) {
    this(operatorId, clientId, clientName, dialinId, dialinName, din, forwardTo, absent, flow, flowVersion, judgment,
        judgmentVersion, judgmentScope, notifications, notificationsVersion, recording, recordingVersion, callbackOf,
        null);
  }

  /**
   * This route for a call dialled to {@code dialled} and attributed with {@code vars} (issue 5: a pool number is
   * handled like its pool's tracking number but logged with the dialled number as {@code din}).
   *
   * @param dialled the dialled number ({@code din} of the call log)
   * @param vars the attribution's {@code logvars.*} entries, or null for none
   */
  public NumberRoute attributed(PhoneNumber dialled, java.util.Map<String, String> vars) {
    Objects.requireNonNull(dialled, "dialled");
    return new NumberRoute(operatorId, clientId, clientName, dialinId, dialinName, dialled, forwardTo, absent, flow,
        flowVersion, judgment, judgmentVersion, judgmentScope, notifications, notificationsVersion, recording,
        recordingVersion, callbackOf, vars);
  }

  /** A route with the number's own judgment rules (or none), {@link #judgmentScope()} null ("number"), and without
   * notification settings (version 0: its calls notify nobody). */
  public NumberRoute(String operatorId, String clientId, String clientName, String dialinId, String dialinName,
      PhoneNumber din, PhoneNumber forwardTo, boolean absent, CallFlow flow, int flowVersion,
      JudgmentRules judgment, int judgmentVersion) {
    this(operatorId, clientId, clientName, dialinId, dialinName, din, forwardTo, absent, flow, flowVersion, judgment,
        judgmentVersion, null, null, 0, null, 0, null);
  }

  /**
   * This route judged under the advertiser's rules (issue 4: a number without rules of its own uses its
   * advertiser's).
   *
   * @param rules the advertiser's current rules, not null
   * @param version their version in the advertiser's journal (1, 2, …)
   */
  public NumberRoute withAdvertiserJudgment(JudgmentRules rules, int version) {
    Objects.requireNonNull(rules, "rules");
    return new NumberRoute(operatorId, clientId, clientName, dialinId, dialinName, din, forwardTo, absent, flow,
        flowVersion, rules, version, SCOPE_ADVERTISER, notifications, notificationsVersion, recording,
        recordingVersion, callbackOf, attribution);
  }

  /** {@link #SCOPE_NUMBER} or {@link #SCOPE_ADVERTISER}: whose rules the route carries. */
  public String judgmentScopeOrNumber() {
    return judgmentScope == null ? SCOPE_NUMBER : judgmentScope;
  }

  /**
   * The stored version the route's rules are, as one id: {@code "n" + version} for the number's own rules, {@code
   * "a" + version} for the advertiser's (e.g. {@code n2}, {@code a3}); {@code n0} when the number never had rules.
   */
  public String judgmentVersionId() {
    return (SCOPE_ADVERTISER.equals(judgmentScope) ? "a" : "n") + judgmentVersion;
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

  /** True when calls on this route are recorded (a setting whose mode is not {@code off}). */
  public boolean recorded() {
    return recording != null && recording.records();
  }
}
