package io.hankyo.node.notify;

import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.number.PhoneNumber;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text of one SMS about a call (issue 4, spec section 4), built from the call-log record (spec section 6) without
 * any I/O; {@link SmsSender} sends it (splitting or cutting it per {@link SmsText}).
 *
 * <ul>
 *   <li>{@link Kind#MISSED_CALL}, to the advertiser (SMS notification of a missed call, like {@link CallEmail} but
 *       short enough for one UCS-2 SMS of 70 characters in the usual case):
 *       <pre>【不在着信】11/10 09:21 ショップ本店 発信者:03-1234-5678 折返し:050-3333-4444</pre>
 *       the number name, or the tracking number when the number has no name; the caller in national form or 非通知;
 *       the one-time callback number (折返し番号, issue 4) when there is one, {@code 折返し番号なし} when the pool was
 *       empty, nothing when callback tracking is off;
 *   <li>{@link Kind#CALLER_FOLLOW_UP}, to the caller after the call (SMS after the call: coupon, sign-up URL,
 *       reminder), from the number's template with placeholders ({@link #PLACEHOLDERS}). Whether a caller gets it is
 *       {@link CallerSmsRule}'s decision.
 * </ul>
 *
 * @param kind what the SMS is for
 * @param trnId {@code trn_id} of the call
 * @param text the text; not empty; may be longer than one SMS
 */
public record CallSms(Kind kind, String trnId, String text) {

  /** What an SMS is for. */
  public enum Kind {
    /** A missed-call notification to the advertiser. */
    MISSED_CALL("missed"),
    /** The SMS to a mobile caller after the call. */
    CALLER_FOLLOW_UP("caller"),
    /** A notification to the advertiser of a call that is not (only) missed: trigger every or valid. */
    CALL_NOTICE("notice");

    private final String code;

    Kind(String code) {
      this.code = code;
    }

    /** The English code, e.g. {@code missed}: with the {@code trn_id}, the idempotency key of the SMS. */
    public String code() {
      return code;
    }
  }

  /** {@code 11/10 09:21}: the short time of the missed-call SMS. */
  public static final DateTimeFormatter SHORT_TIME = DateTimeFormatter.ofPattern("MM/dd HH:mm");
  /** {@code 2017/11/10}: the {@code {date}} placeholder. */
  public static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuu/MM/dd");
  /** {@code 09:21}: the {@code {time}} placeholder. */
  public static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm");
  /** Shown instead of a callback number when the operator's pool had none free (issue 4). */
  public static final String NO_CALLBACK_NUMBER = "折返し番号なし";

  /**
   * The placeholders of a follow-up template: {@code {number_name}} (the number's name, or the tracking number when it
   * has none), {@code {tracking_number}} (national form, {@code 0120-111-222}), {@code {advertiser}} ({@code
   * client_name}), {@code {date}} ({@code 2017/11/10}) and {@code {time}} ({@code 09:21}) of the call's arrival in
   * Japan time. Other braces (not of the form brace, lowercase letters and underscores, brace) stay as they are.
   */
  public static final Set<String> PLACEHOLDERS =
      io.hankyo.protocol.notify.NotificationSettings.CallerSms.PLACEHOLDERS;

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_]+)}");

  /** @throws NullPointerException when a component is null; IllegalArgumentException when the text is blank */
  public CallSms {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(trnId, "trnId");
    Objects.requireNonNull(text, "text");
    if (text.isBlank()) {
      throw new IllegalArgumentException("an SMS text must not be blank");
    }
  }

  /** The idempotency key of this SMS: {@code <trn_id>:sms-<kind>}, the same for every resend. */
  public String key() {
    return trnId + ":sms-" + kind.code;
  }

  /**
   * The missed-call SMS to the advertiser.
   *
   * @param call the call-log record
   * @param callerNumber the decrypted {@code clr_id_cipher}; null or empty when withheld (非通知)
   * @param callback the callback tracking number: null when callback tracking is off (no mention)
   * @param callbackPoolEmpty true when callback tracking is on but the pool had no free number ({@value
   *     #NO_CALLBACK_NUMBER}); ignored when {@code callback} is set
   * @param zone the zone of the time shown (Japan: {@link CallEmail#JAPAN})
   */
  public static CallSms missedCall(
      CallLogRecord call, String callerNumber, PhoneNumber callback, boolean callbackPoolEmpty, ZoneId zone) {
    Objects.requireNonNull(call, "call");
    Objects.requireNonNull(zone, "zone");
    StringBuilder b = new StringBuilder("【不在着信】");
    b.append(SHORT_TIME.format(call.arrivedAt().atZone(zone))).append(' ').append(numberLabel(call))
        .append(" 発信者:").append(CallEmail.displayCaller(callerNumber));
    if (callback != null) {
      b.append(" 折返し:").append(callback.national());
    } else if (callbackPoolEmpty) {
      b.append(' ').append(NO_CALLBACK_NUMBER);
    }
    return new CallSms(Kind.MISSED_CALL, call.trnId(), b.toString());
  }

  /**
   * The SMS notification to the advertiser for a trigger (issue 4, SMS channel): for {@link CallEmail.Kind#MISSED_CALL}
   * (or any call that was not answered) exactly {@link #missedCall}; otherwise the same line with the trigger's tag,
   * e.g. {@code 【有効着信】11/10 09:21 ショップ本店 発信者:03-1234-5678}.
   *
   * @param trigger the email kind of the number's SMS trigger ({@link CallNotificationPayload#kindOf})
   * @see #missedCall
   */
  public static CallSms advertiser(CallLogRecord call, String callerNumber, PhoneNumber callback,
      boolean callbackPoolEmpty, CallEmail.Kind trigger, ZoneId zone) {
    CallSms missed = missedCall(call, callerNumber, callback, callbackPoolEmpty, zone);
    if (trigger == CallEmail.Kind.MISSED_CALL || call.answeredAt() == null && trigger == CallEmail.Kind.EVERY_CALL) {
      return missed;
    }
    String text = "【" + trigger.tag() + "】" + missed.text().substring("【不在着信】".length());
    return new CallSms(Kind.CALL_NOTICE, call.trnId(), text);
  }

  /**
   * The SMS to the caller after the call, from the number's template.
   *
   * @param call the call-log record
   * @param template the number's text with placeholders (see {@link #PLACEHOLDERS}), e.g. {@code "{number_name}へのお電話
   *     ありがとうございます。クーポン: https://example.jp/c/123"}; checked with {@link #templateProblems}
   * @param zone the zone of {@code {date}} and {@code {time}}
   * @throws IllegalArgumentException when the template has problems (the message lists them)
   */
  public static CallSms callerFollowUp(CallLogRecord call, String template, ZoneId zone) {
    Objects.requireNonNull(call, "call");
    Objects.requireNonNull(zone, "zone");
    List<String> problems = templateProblems(template);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(value(m.group(1), call, zone)));
    }
    m.appendTail(out);
    return new CallSms(Kind.CALLER_FOLLOW_UP, call.trnId(), out.toString().strip());
  }

  /**
   * What is wrong with a follow-up template, for the API's 400 (empty when it is usable): blank, an unknown {@code
   * {placeholder}}, or control characters other than line feeds.
   */
  public static List<String> templateProblems(String template) {
    // one rule for the API's check of caller_sms.text (protocol) and the text sent here
    return io.hankyo.protocol.notify.NotificationSettings.CallerSms.textProblems(template);
  }

  private static String value(String placeholder, CallLogRecord call, ZoneId zone) {
    switch (placeholder) {
      case "number_name":
        return numberLabel(call);
      case "tracking_number":
        return call.din().national();
      case "advertiser":
        return CallEmail.oneLine(call.clientName());
      case "date":
        return DATE.format(call.arrivedAt().atZone(zone));
      case "time":
        return TIME.format(call.arrivedAt().atZone(zone));
      default:
        throw new IllegalArgumentException("unknown placeholder {" + placeholder + "}");
    }
  }

  /** The number's name on one line, or the tracking number's national form when it has none. */
  private static String numberLabel(CallLogRecord call) {
    String name = CallEmail.oneLine(call.dialinName());
    return name.isEmpty() ? call.din().national() : name;
  }
}
