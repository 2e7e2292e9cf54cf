package io.hankyo.node.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hankyo.api.calllog.CallLogRowRenderer;
import io.hankyo.node.callback.LeaseResult;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The webhook body of an ended call (issue 4, {@code nfy_http}), rendered at send time from the call-log record as the
 * journal holds it (caller encrypted, {@code clr_id_cipher}); the caller number is decrypted only for the request and
 * never written to the journal.
 *
 * <p>Body: {@code {"event": "call_ended", "operator_id", <every key of the call-log JSON row>, "caller_e164": E.164
 * or null, "callback_number": E.164 or null, "callback_until": ISO-8601 UTC or null, "callback_pool_empty": true (only
 * when the operator's callback pool had no free number)}} (issue 4: "JSON payload with the call-log fields"; callback
 * tracking).
 */
public final class CallNotificationPayload {
  /** The event name of an ended call: the second half of the idempotency key. */
  public static final String CALL_ENDED = "call_ended";

  private final ObjectMapper json;
  private final CallerNumberCipher cipher;
  private final CallLogRowRenderer rows;

  /**
   * @param json the node's mapper (with the Java time module)
   * @param cipher the node's caller-number cipher ({@code hankyo.privacy})
   */
  public CallNotificationPayload(ObjectMapper json, CallerNumberCipher cipher) {
    this(json, cipher, ZoneId.of("Asia/Tokyo"));
  }

  /**
   * @param json the node's mapper (with the Java time module)
   * @param cipher the node's caller-number cipher ({@code hankyo.privacy})
   * @param zone the zone of the call-log times in webhook bodies ({@code hankyo.http.zone}, as the call-log API)
   */
  public CallNotificationPayload(ObjectMapper json, CallerNumberCipher cipher, ZoneId zone) {
    this.json = json;
    this.cipher = cipher;
    this.rows = new CallLogRowRenderer(zone, v -> {
      try {
        return Optional.of(cipher.decrypt(v));
      } catch (RuntimeException e) {
        return Optional.empty();
      }
    });
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

  /**
   * The webhook body for a stored record: {@code "event"}, {@code "operator_id"}, then the call-log row exactly as
   * {@code GET /v1/calls?format=json} renders it (spec section 6 keys in order, Japan-time timestamps, Japanese
   * status labels, {@code clr_id_cipher} as the caller's national number, {@code logvars.*} flattened), then {@code
   * "caller_e164"} (the caller in E.164, null when withheld) and the callback-tracking fields.
   */
  public String webhookBody(String stored) {
    CallLogRecord r = record(stored);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("event", CALL_ENDED);
    body.put("operator_id", r.operatorId());
    body.putAll(rows.jsonRow(r));
    body.put("caller_e164", caller(r));
    // callback tracking (issue 4): the leased number, null when none (pool empty, withheld caller, no pool)
    body.put("callback_number", callbackNumber(r).map(PhoneNumber::e164).orElse(null));
    body.put("callback_until", callbackNumber(r).isPresent() ? r.logvars().get(CALLBACK_UNTIL) : null);
    if (callbackPoolEmpty(r)) {
      body.put("callback_pool_empty", true);
    }
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
      return CallEmail.compose(r, caller(r), source, callbackNumber(r).orElse(null), callbackPoolEmpty(r), kind,
          CallEmail.JAPAN);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a stored email notification: " + e.getOriginalMessage(), e);
    }
  }

  // ------------------------------------------------------------------------------------- callback number (issue 4)

  /** {@code logvars} key of the leased callback number (E.164), or {@value #POOL_EMPTY} when the pool had none. */
  public static final String CALLBACK_NUMBER = "callback_number";
  /** {@code logvars} key of the end of the callback number's lease (ISO-8601 UTC). */
  public static final String CALLBACK_UNTIL = "callback_until";
  /** The {@value #CALLBACK_NUMBER} value when the operator's pool had no free number. */
  public static final String POOL_EMPTY = "pool_empty";

  /**
   * The record with the outcome of a callback-number lease in its {@code logvars} (before the notification is
   * persisted, so every channel and every resend shows the same number): {@link LeaseResult.Leased} → {@value
   * #CALLBACK_NUMBER} (E.164) and {@value #CALLBACK_UNTIL}; {@link LeaseResult.PoolEmpty} → {@value #CALLBACK_NUMBER}
   * = {@value #POOL_EMPTY}; {@link LeaseResult.NoCaller} → unchanged (no callback line).
   */
  public static CallLogRecord withCallback(CallLogRecord r, LeaseResult lease) {
    if (lease instanceof LeaseResult.Leased l) {
      return r.withLogvar(CALLBACK_NUMBER, l.number().e164()).withLogvar(CALLBACK_UNTIL, l.until().toString());
    }
    if (lease instanceof LeaseResult.PoolEmpty) {
      return r.withLogvar(CALLBACK_NUMBER, POOL_EMPTY);
    }
    return r;
  }

  /** The callback number a record's {@code logvars} carry; empty when none (or the pool was empty). */
  public static Optional<PhoneNumber> callbackNumber(CallLogRecord r) {
    String v = r.logvars() == null ? null : r.logvars().get(CALLBACK_NUMBER);
    if (v == null || v.isBlank() || POOL_EMPTY.equals(v)) {
      return Optional.empty();
    }
    return PhoneNumbers.tryParse(v);
  }

  /** True when the record says the operator's callback pool had no free number (折返し番号なし). */
  public static boolean callbackPoolEmpty(CallLogRecord r) {
    return r.logvars() != null && POOL_EMPTY.equals(r.logvars().get(CALLBACK_NUMBER));
  }

  // ------------------------------------------------------------------------------------------------ SMS (issue 4)

  /** The {@code kind} of a stored SMS to the caller after the call. */
  public static final String CALLER_SMS = "caller";

  /**
   * The stored form of an SMS notification: {@code {"kind": "missed"|"call"|"valid"|"caller", "template": "...",
   * "record": {...}}}: the trigger's {@link CallEmail.Kind} code for the advertiser's SMS, {@value #CALLER_SMS} for the
   * caller's (with its template); the record keeps the caller encrypted. The text is composed at send time.
   *
   * @param template the caller SMS template; null for the advertiser's SMS
   */
  public String storedSms(CallLogRecord record, String kind, String template) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", kind);
    if (template != null) {
      m.put("template", template);
    }
    m.put("record", record);
    try {
      return json.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a call-log record did not serialize", e);
    }
  }

  /**
   * A stored SMS notification read back.
   *
   * @param kind see {@link #storedSms}
   * @param template the caller SMS template, null for the advertiser's
   * @param record the record (caller encrypted)
   */
  public record StoredSms(String kind, String template, CallLogRecord record) {}

  /** @throws IllegalArgumentException when {@code stored} is not a stored SMS notification */
  public StoredSms storedSms(String stored) {
    try {
      var tree = json.readTree(stored);
      CallLogRecord r = tree.hasNonNull("record") ? json.treeToValue(tree.get("record"), CallLogRecord.class) : null;
      String kind = tree.path("kind").asText();
      String template = tree.hasNonNull("template") ? tree.get("template").asText() : null;
      boolean known = CALLER_SMS.equals(kind) ? template != null
          : java.util.Arrays.stream(CallEmail.Kind.values()).anyMatch(k -> k.code().equals(kind));
      if (r == null || !known) {
        throw new IllegalArgumentException("not a stored SMS notification (kind '" + kind + "')");
      }
      return new StoredSms(kind, template, r);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a stored SMS notification: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * The SMS of a stored SMS notification, composed now (caller decrypted, Japan time): the caller's follow-up from
   * its template ({@link CallSms#callerFollowUp}), or the advertiser's notification ({@link CallSms#advertiser}) with
   * the callback number or 折返し番号なし.
   *
   * @throws IllegalArgumentException when {@code stored} is not a stored SMS notification or its template is broken
   */
  public CallSms sms(String stored) {
    StoredSms s = storedSms(stored);
    if (CALLER_SMS.equals(s.kind())) {
      return CallSms.callerFollowUp(s.record(), s.template(), CallEmail.JAPAN);
    }
    CallEmail.Kind kind = java.util.Arrays.stream(CallEmail.Kind.values()).filter(k -> k.code().equals(s.kind()))
        .findFirst().orElseThrow();
    return CallSms.advertiser(s.record(), caller(s.record()), callbackNumber(s.record()).orElse(null),
        callbackPoolEmpty(s.record()), kind, CallEmail.JAPAN);
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
