package io.hankyo.node.notify;

import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * The email about one call (issue 4, メール通知): subject, plain-text Japanese body and the id of the notification,
 * built from the call-log record (spec section 6) without any I/O. {@link EmailSender} turns it into a MIME message
 * (RFC 5322; subject RFC 2047-encoded, body {@code text/plain; charset=UTF-8}).
 *
 * <p>Example (a missed call, {@link Kind#MISSED_CALL}):
 *
 * <pre>
 * Subject: 【不在着信】0120-111-222 (ショップ本店) 03-1234-5678 から
 *
 * ショップ本店 (0120-111-222) に不在着信がありました。
 *
 * 着信日時: 2017/11/10 09:21:55
 * トラッキング番号: 0120-111-222
 * ...
 * </pre>
 *
 * @param kind the notification trigger this email is for
 * @param trnId {@code trn_id} of the call
 * @param subject the Subject text (unencoded; one line)
 * @param body the body text, lines separated by {@code \n} (the SMTP transport writes CRLF, RFC 5321 section 2.3.8)
 */
public record CallEmail(Kind kind, String trnId, String subject, String body) {

  /** The trigger of a notification (issue 4: every call, missed calls only, valid calls only). */
  public enum Kind {
    /** Every call: 【着信】. */
    EVERY_CALL("call", "着信", "着信がありました"),
    /** A missed call (not connected, busy, outside hours, abandoned in queue): 【不在着信】. */
    MISSED_CALL("missed", "不在着信", "不在着信がありました"),
    /** A call judged valid (logvars.valid_res = 有効): 【有効着信】. */
    VALID_CALL("valid", "有効着信", "有効な着信がありました");

    private final String code;
    private final String tag;
    private final String sentence;

    Kind(String code, String tag, String sentence) {
      this.code = code;
      this.tag = tag;
      this.sentence = sentence;
    }

    /** The English code used in the Message-ID and the {@code X-Hankyo-Notification} header, e.g. {@code missed}. */
    public String code() {
      return code;
    }

    /** The subject tag without brackets, e.g. 不在着信. */
    public String tag() {
      return tag;
    }
  }

  /** Times in the body: {@code 2017/11/10 09:21:55}, as on the reference screen (spec section 6). */
  public static final DateTimeFormatter TIME_FORMAT = DateTimeFormatter.ofPattern("uuuu/MM/dd HH:mm:ss");
  /** Japan time, the zone of the reference screen. */
  public static final ZoneId JAPAN = ZoneId.of("Asia/Tokyo");
  /** Shown for a withheld caller (clr_id_cipher empty). */
  public static final String WITHHELD = "非通知";

  /** @throws NullPointerException when a component is null */
  public CallEmail {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(trnId, "trnId");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(body, "body");
  }

  /**
   * Composes the email in Japan time.
   *
   * @see #compose(CallLogRecord, String, String, PhoneNumber, Kind, ZoneId)
   */
  public static CallEmail compose(
      CallLogRecord call, String callerNumber, String source, PhoneNumber callbackNumber, Kind kind) {
    return compose(call, callerNumber, source, callbackNumber, kind, JAPAN);
  }

  /**
   * Composes the email about a call.
   *
   * @param call the call-log record (spec section 6)
   * @param callerNumber the decrypted {@code clr_id_cipher} (E.164, or the From user part when it was not a number);
   *     null or empty when withheld (shown as {@value #WITHHELD})
   * @param source the attribution text (流入元, e.g. an ad or a page); null or empty when the call was not attributed
   *     (the line is left out)
   * @param callbackNumber the one-time callback tracking number (折返し番号, issue 4); null when none (the line is left
   *     out)
   * @param kind the trigger
   * @param zone the zone of the times shown
   */
  public static CallEmail compose(
      CallLogRecord call, String callerNumber, String source, PhoneNumber callbackNumber, Kind kind, ZoneId zone) {
    return compose(call, callerNumber, source, callbackNumber, false, kind, zone);
  }

  /**
   * Composes the email about a call, saying {@code 折返し番号: 折返し番号なし (空き番号なし)} when callback tracking is on
   * but the operator's pool had no free number (issue 4: "When the pool is empty the notification says so").
   *
   * @param callbackPoolEmpty true when the pool was empty; ignored when {@code callbackNumber} is set
   * @see #compose(CallLogRecord, String, String, PhoneNumber, Kind, ZoneId)
   */
  public static CallEmail compose(CallLogRecord call, String callerNumber, String source, PhoneNumber callbackNumber,
      boolean callbackPoolEmpty, Kind kind, ZoneId zone) {
    Objects.requireNonNull(call, "call");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(zone, "zone");
    String din = call.din().national();
    String numberName = oneLine(call.dialinName());
    String caller = displayCaller(callerNumber);
    String advertiser = oneLine(call.clientName());

    StringBuilder subject = new StringBuilder();
    subject.append('【').append(kind.tag).append('】').append(din);
    if (!numberName.isEmpty()) {
      subject.append(" (").append(numberName).append(')');
    }
    subject.append(' ').append(caller).append(" から");

    StringBuilder b = new StringBuilder();
    b.append(numberName.isEmpty() ? din : numberName + " (" + din + ")")
        .append(" に").append(kind.sentence).append("。\n\n");
    line(b, "着信日時", TIME_FORMAT.format(call.arrivedAt().atZone(zone)));
    line(b, "トラッキング番号", din);
    if (!numberName.isEmpty()) {
      line(b, "番号名", numberName);
    }
    line(b, "広告主", advertiser);
    line(b, "発信者番号", caller);
    line(b, "転送先", call.forwardTo() == null ? "なし" : call.forwardTo().national());
    line(b, "状況", call.dialStatus().label());
    line(b, "最終切断者", call.hangupParty().label());
    line(b, "通話時間", duration(call.talkingSec()));
    String validRes = oneLine(call.logvars().get("valid_res"));
    if (!validRes.isEmpty()) {
      line(b, "有効判定", validRes);
    }
    line(b, "処理ID", call.trnId());
    String src = oneLine(source);
    if (!src.isEmpty()) {
      line(b, "流入元", src);
    }
    if (callbackNumber != null) {
      line(b, "折返し番号", callbackNumber.national());
    } else if (callbackPoolEmpty) {
      line(b, "折返し番号", CallSms.NO_CALLBACK_NUMBER + " (空き番号なし)");
    }
    b.append("\n-- \n").append("このメールは Hankyo から自動送信されています。返信されても届きません。\n");
    return new CallEmail(kind, call.trnId(), subject.toString(), b.toString());
  }

  /**
   * The left part of the Message-ID (RFC 5322 section 3.6.4): {@code trn_id} + "." + kind code, e.g. {@code
   * 0123456789abcdef01234567.missed}. The same call and trigger always give the same id, so a resend by the outbox is
   * recognisable as the same message (and mail clients thread or deduplicate it).
   */
  public String messageIdLocalPart() {
    return trnId + "." + kind.code;
  }

  /**
   * The Message-ID header value, {@code <trnId.kind@domain>}.
   *
   * @param domain the right part, normally the domain of the From address
   */
  public String messageId(String domain) {
    return "<" + messageIdLocalPart() + "@" + domain + ">";
  }

  /** {@code 3分52秒 (232秒)}, the reference screen's form of a duration (spec section 6); seconds &lt; 0 count as 0. */
  public static String duration(int seconds) {
    int s = Math.max(0, seconds);
    return (s / 60) + "分" + (s % 60) + "秒 (" + s + "秒)";
  }

  /**
   * The caller as shown: the national form of an E.164 number ({@code 03-1234-5678}), the text as received when it is
   * not a valid number, {@value #WITHHELD} when null or empty.
   */
  public static String displayCaller(String callerNumber) {
    String c = oneLine(callerNumber);
    if (c.isEmpty()) {
      return WITHHELD;
    }
    return PhoneNumbers.tryParse(c).map(PhoneNumber::national).orElse(c);
  }

  private static void line(StringBuilder b, String label, String value) {
    b.append(label).append(": ").append(value).append('\n');
  }

  /**
   * Text from configuration or from the caller's From header on one line: control characters (CR, LF, TAB, ...)
   * become spaces, so no value can start a new header or forge a body line; null becomes empty.
   */
  static String oneLine(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(text.length());
    text.codePoints().forEach(cp -> sb.appendCodePoint(Character.isISOControl(cp) ? ' ' : cp));
    return sb.toString().strip();
  }
}
