package io.hankyo.node.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The webhook body of an ended call (issue 4, {@code nfy_http}), rendered at send time from the call-log record as the
 * journal holds it (caller encrypted, {@code clr_id_cipher}); the caller number is decrypted only for the request and
 * never written to the journal.
 *
 * <p>Body: {@code {"event": "call_ended", "trn_id", "operator_id", "client_id", "client_name", "dialin_id",
 * "dialin_name", "din": E.164, "caller": E.164 or "非通知"-style value as stored, or null when withheld, "din_tms",
 * "tst_tms", "eoc_tms" (ISO-8601 UTC), "calling_sec", "talking_sec", "dial_stat", "hup_usr", "end_cause",
 * "logvars": {...}}}.
 */
public final class CallNotificationPayload {
  /** The event name of an ended call: the second half of the idempotency key. */
  public static final String CALL_ENDED = "call_ended";

  private final ObjectMapper json;
  private final CallerNumberCipher cipher;

  /**
   * @param json the node's mapper (with the Java time module)
   * @param cipher the node's caller-number cipher ({@code hankyo.privacy})
   */
  public CallNotificationPayload(ObjectMapper json, CallerNumberCipher cipher) {
    this.json = json;
    this.cipher = cipher;
  }

  /** The stored form of a notification: the record as JSON (the caller stays encrypted). */
  public String stored(CallLogRecord record) {
    try {
      return json.writeValueAsString(record);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a call-log record did not serialize", e);
    }
  }

  /** The record back from its stored form. @throws IllegalArgumentException when it is not one */
  public CallLogRecord record(String stored) {
    try {
      return json.readValue(stored, CallLogRecord.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a stored call-log record: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * The caller number in clear, or null when withheld/absent or no longer decryptable (a shredded key: the
   * notification then shows the caller as withheld rather than failing).
   */
  public String caller(CallLogRecord r) {
    if (r.caller() == null) {
      return null;
    }
    try {
      return cipher.decrypt(r.caller());
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The webhook body for a stored record. */
  public String webhookBody(String stored) {
    CallLogRecord r = record(stored);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("event", CALL_ENDED);
    body.put("trn_id", r.trnId());
    body.put("operator_id", r.operatorId());
    body.put("client_id", r.clientId());
    body.put("client_name", r.clientName());
    body.put("dialin_id", r.dialinId());
    body.put("dialin_name", r.dialinName());
    body.put("din", r.din().e164());
    body.put("caller", caller(r));
    body.put("din_tms", r.arrivedAt() == null ? null : r.arrivedAt().toString());
    body.put("tst_tms", r.answeredAt() == null ? null : r.answeredAt().toString());
    body.put("eoc_tms", r.endedAt() == null ? null : r.endedAt().toString());
    body.put("calling_sec", r.callingSec());
    body.put("talking_sec", r.talkingSec());
    body.put("dial_stat", r.dialStatus());
    body.put("hup_usr", r.hangupParty());
    body.put("end_cause", r.endCause());
    body.put("logvars", r.logvars());
    try {
      return json.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a webhook body did not serialize", e);
    }
  }

  /**
   * The stored form of an email notification: {@code {"kind": "missed", "record": {...}}} (the trigger's {@link
   * CallEmail.Kind} code and the record with the caller encrypted).
   */
  public String storedEmail(CallLogRecord record, CallEmail.Kind kind) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", kind.code());
    m.put("record", record);
    try {
      return json.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a call-log record did not serialize", e);
    }
  }

  /**
   * The email of a stored email notification, composed now (caller decrypted, Japan time); the source line is
   * {@code logvars.source} when present.
   *
   * @throws IllegalArgumentException when {@code stored} is not a stored email notification
   */
  public CallEmail email(String stored) {
    try {
      var tree = json.readTree(stored);
      CallLogRecord r = json.treeToValue(tree.get("record"), CallLogRecord.class);
      String code = tree.path("kind").asText();
      CallEmail.Kind kind = null;
      for (CallEmail.Kind k : CallEmail.Kind.values()) {
        if (k.code().equals(code)) {
          kind = k;
        }
      }
      if (r == null || kind == null) {
        throw new IllegalArgumentException("not a stored email notification (kind '" + code + "')");
      }
      String source = r.logvars() == null ? null : r.logvars().get("source");
      return CallEmail.compose(r, caller(r), source, null, kind);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a stored email notification: " + e.getOriginalMessage(), e);
    }
  }

  /** The email kind of a trigger. */
  public static CallEmail.Kind kindOf(io.hankyo.protocol.notify.NotificationSettings.Trigger trigger) {
    if (trigger == io.hankyo.protocol.notify.NotificationSettings.Trigger.MISSED) {
      return CallEmail.Kind.MISSED_CALL;
    }
    if (trigger == io.hankyo.protocol.notify.NotificationSettings.Trigger.VALID) {
      return CallEmail.Kind.VALID_CALL;
    }
    return CallEmail.Kind.EVERY_CALL;
  }
}
