package io.hankyo.node.call;

import io.hankyo.node.notify.NotificationPlan;
import io.hankyo.protocol.call.CallArrival;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.calllog.DeviceType;
import io.hankyo.protocol.calllog.DialStatus;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.number.PhoneNumber;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Turns what happened to a call into its call-log record (spec section 6): {@code dial_stat}, {@code hup_usr} and the
 * durations. Plain code, no actors, so every rule is unit-tested directly.
 *
 * <p>Status rules:
 *
 * <table>
 *   <caption>dial_stat / hup_usr by outcome</caption>
 *   <tr><th>outcome</th><th>dial_stat</th><th>hup_usr</th></tr>
 *   <tr><td>answered</td><td>正常通話</td><td>whoever sent BYE (システム for a system release)</td></tr>
 *   <tr><td>caller cancelled before answer</td><td>不完了呼</td><td>発信者</td></tr>
 *   <tr><td>no answer within the ring timeout</td><td>不完了呼</td><td>システム</td></tr>
 *   <tr><td>200 OK crossed our CANCEL (RFC 5407)</td><td>不完了呼</td><td>as reported</td></tr>
 *   <tr><td>busy (486/600)</td><td>話中</td><td>着信者</td></tr>
 *   <tr><td>declined (603/403)</td><td>回線不可</td><td>着信者</td></tr>
 *   <tr><td>unreachable (404/480/408/5xx/timeout)</td><td>回線不可</td><td>システム</td></tr>
 *   <tr><td>gateway or cluster failure before answer</td><td>ステータス異</td><td>システム</td></tr>
 *   <tr><td>the call flow hung up (hangup step, no failed forward before it)</td><td>不完了呼</td><td>システム</td></tr>
 *   <tr><td>the call flow could not go on</td><td>ステータス異</td><td>システム</td></tr>
 * </table>
 *
 * Durations are whole seconds rounded half up from milliseconds (spec section 6, issue 3 "Call log"):
 * {@code calling_sec} is the ringing of the destination that answered, from the start of its forward attempt to the
 * answer; when none answered, the ringing of the last attempt, up to its failure (busy, no answer, unreachable: the
 * flow may go on with guidance after it) or else to the end (with sequential forwarding the total over all attempts
 * is {@code logvars.calling_sec_total}, see {@code Call.flowLogvars}); {@code talking_sec} from the destination's
 * answer to the end (0 when never answered: guidance, IVR and queue waits are not talk); {@code conn_sec} from the
 * arrival to the end, guidance, IVR and queue waits included.
 */
public final class CallOutcomes {
  private final CallCharges charges;
  private final boolean smsEnabled;

  public CallOutcomes(CallCharges charges) {
    this(charges, false);
  }

  /**
   * @param smsEnabled whether an SMSC is configured ({@code hankyo.notify.smpp.host}); when not, {@code
   *     logvars.nfy_sms} and {@code logvars.nfy_caller_sms} say {@code false} (issue 4)
   */
  public CallOutcomes(CallCharges charges, boolean smsEnabled) {
    this.charges = charges;
    this.smsEnabled = smsEnabled;
  }

  /**
   * The facts of one finished call.
   *
   * @param seqNum {@code seq_num}
   * @param arrival the arrival
   * @param route the route the call took
   * @param forwardTo the destination of the last forward attempt; null when never forwarded
   * @param forwardStartedAt when the last forward attempt started; null when never forwarded
   * @param forwardFailedAt when the last forward attempt failed while the call went on (the flow played guidance or
   *     hung up after it); null when it was answered, or rang until the end
   * @param answeredAt when the destination answered; null when never
   * @param endedAt when the call ended
   * @param by who hung up, as the gateway reported it
   * @param cause why it ended
   * @param sipStatus the final response to the caller (0 after BYE)
   * @param logvars extra {@code logvars.*} of the call (e.g. the call flow's path, spec section 6 and issue 3)
   */
  public record Facts(
      long seqNum,
      CallArrival arrival,
      NumberRoute route,
      PhoneNumber forwardTo,
      Instant forwardStartedAt,
      Instant forwardFailedAt,
      Instant answeredAt,
      Instant endedAt,
      HangupParty by,
      EndCause cause,
      int sipStatus,
      Map<String, String> logvars) {

    public Facts {
      logvars = logvars == null ? Map.of() : Map.copyOf(logvars);
    }

    /** These facts with {@code more} added to (and overriding) the {@code logvars}. */
    public Facts withLogvars(Map<String, String> more) {
      Map<String, String> merged = new java.util.LinkedHashMap<>(logvars);
      merged.putAll(more);
      return new Facts(seqNum, arrival, route, forwardTo, forwardStartedAt, forwardFailedAt, answeredAt, endedAt, by,
          cause, sipStatus, merged);
    }

    /** Facts of a call whose last forward attempt (if any) rang until the answer or the end. */
    public Facts(long seqNum, CallArrival arrival, NumberRoute route, PhoneNumber forwardTo,
        Instant forwardStartedAt, Instant answeredAt, Instant endedAt, HangupParty by, EndCause cause,
        int sipStatus, Map<String, String> logvars) {
      this(seqNum, arrival, route, forwardTo, forwardStartedAt, null, answeredAt, endedAt, by, cause, sipStatus,
          logvars);
    }

    /** Facts of a call without extra {@code logvars}. */
    public Facts(long seqNum, CallArrival arrival, NumberRoute route, PhoneNumber forwardTo,
        Instant forwardStartedAt, Instant answeredAt, Instant endedAt, HangupParty by, EndCause cause,
        int sipStatus) {
      this(seqNum, arrival, route, forwardTo, forwardStartedAt, null, answeredAt, endedAt, by, cause, sipStatus,
          Map.of());
    }
  }

  /** The call-log record of a finished call. */
  public CallLogRecord record(Facts f) {
    Instant end = f.endedAt().isBefore(f.arrival().arrivedAt()) ? f.arrival().arrivedAt() : f.endedAt();
    boolean answered = f.answeredAt() != null;
    DialStatus status = status(answered, f.cause());
    HangupParty hup = hangupParty(answered, f.by(), f.cause());
    int callingSec = 0;
    if (f.forwardStartedAt() != null) {
      Instant ringEnd = answered ? f.answeredAt() : end;
      if (!answered && f.forwardFailedAt() != null && f.forwardFailedAt().isBefore(end)) {
        ringEnd = f.forwardFailedAt();
      }
      callingSec = seconds(f.forwardStartedAt(), ringEnd);
    }
    int talkingSec = answered ? seconds(f.answeredAt(), end) : 0;
    int connSec = seconds(f.arrival().arrivedAt(), end);
    DeviceType callerType = f.arrival().caller().type();
    DeviceType fwdType = f.forwardTo() == null ? null : DeviceType.of(f.forwardTo().kind());
    long charge = charges.charge(f.route().din().kind(), callerType, fwdType, talkingSec);
    // nfy_email / nfy_http: which notification channels this outcome fires (issue 4)
    NotificationPlan notify = NotificationPlan.decide(f.route().notifications(), answered, f.logvars());
    return new CallLogRecord(
        f.route().operatorId(),
        f.seqNum(),
        f.arrival().trnId(),
        f.route().din(),
        f.route().clientId(),
        f.route().clientName(),
        f.route().dialinId(),
        f.route().dialinName(),
        f.forwardTo(),
        f.arrival().caller().shownCaller(),
        callerType,
        fwdType,
        f.arrival().arrivedAt(),
        f.answeredAt(),
        end,
        callingSec,
        talkingSec,
        connSec,
        status,
        hup,
        smsLogvars(f, callbackLogvars(f), notify, answered, callerType),
        notify.email(),
        notify.webhook(),
        charge,
        f.cause().name(),
        f.sipStatus());
  }

  /**
   * {@code logvars.nfy_sms} (numbers with an SMS channel) and {@code logvars.nfy_caller_sms} (numbers with {@code
   * caller_sms}: trigger fired and the caller classified mobile) as {@code true}/{@code false}; both {@code false}
   * without an SMSC (issue 4).
   */
  private Map<String, String> smsLogvars(Facts f, Map<String, String> vars, NotificationPlan plan, boolean answered,
      DeviceType callerType) {
    var settings = f.route().notifications();
    if (settings == null || (settings.sms() == null && settings.callerSms() == null)) {
      return vars;
    }
    Map<String, String> out = new java.util.LinkedHashMap<>(vars);
    if (settings.sms() != null) {
      out.put(NotificationPlan.NFY_SMS, Boolean.toString(smsEnabled && plan.sms()));
    }
    if (settings.callerSms() != null) {
      out.put(NotificationPlan.NFY_CALLER_SMS, Boolean.toString(smsEnabled && callerType == DeviceType.MOBILE
          && NotificationPlan.callerSmsFires(settings, answered, f.logvars())));
    }
    return out;
  }

  /**
   * The call's {@code logvars}, plus {@code callback_of} (the missed call's {@code trn_id}) for a call to a leased
   * callback number (折返し通話トラッキング, issue 4), plus the route's attribution (issue 5: {@code attribution},
   * {@code pool_id}, {@code session_id}, the visit's parameters, …), which never overwrites the call's own keys.
   */
  private static Map<String, String> callbackLogvars(Facts f) {
    if (f.route().callbackOf() == null && f.route().attribution() == null) {
      return f.logvars();
    }
    Map<String, String> vars = new java.util.LinkedHashMap<>();
    if (f.route().attribution() != null) {
      vars.putAll(f.route().attribution());
    }
    vars.putAll(f.logvars());
    if (f.route().callbackOf() != null) {
      vars.put("callback_of", f.route().callbackOf());
    }
    return vars;
  }

  /** {@code dial_stat} for an outcome. */
  public static DialStatus status(boolean answered, EndCause cause) {
    if (answered) {
      return DialStatus.NORMAL;
    }
    switch (cause) {
      case CALLER_CANCELLED:
      case NO_ANSWER:
      case ANSWER_CANCEL_RACE:
      case FLOW_ENDED:
      case NORMAL_CLEARING: // a BYE before any destination answered: the caller left during guidance, IVR or a queue
      case MEDIA_TIMEOUT: // the caller's RTP stopped before any destination answered: the caller's phone vanished
      case SESSION_TIMER_EXPIRED: // the caller's leg stopped refreshing (RFC 4028) during guidance, IVR or a queue
        return DialStatus.INCOMPLETE;
      case BUSY:
        return DialStatus.BUSY;
      case DECLINED:
      case UNREACHABLE:
        return DialStatus.LINE_UNAVAILABLE;
      default:
        return DialStatus.STATUS_ERROR;
    }
  }

  /** {@code hup_usr} for an outcome. */
  public static HangupParty hangupParty(boolean answered, HangupParty reported, EndCause cause) {
    if (answered) {
      return reported == null ? HangupParty.SYSTEM : reported;
    }
    switch (cause) {
      case CALLER_CANCELLED:
        return HangupParty.CALLER;
      case BUSY:
      case DECLINED:
        return HangupParty.CALLEE;
      case ANSWER_CANCEL_RACE:
      case NORMAL_CLEARING:
      case MEDIA_TIMEOUT: // the gateway reports the caller, whose RTP stopped
      case SESSION_TIMER_EXPIRED: // the gateway reports the leg that stopped refreshing
        return reported == null ? HangupParty.SYSTEM : reported;
      default:
        return HangupParty.SYSTEM;
    }
  }

  /** Whole seconds between two instants, rounded half up; 0 when {@code to} is before {@code from}. */
  static int seconds(Instant from, Instant to) {
    return seconds(Duration.between(from, to).toMillis());
  }

  /** Whole seconds of {@code ms} milliseconds, rounded half up; 0 when not positive. */
  static int seconds(long ms) {
    if (ms <= 0) {
      return 0;
    }
    return (int) Math.min(Integer.MAX_VALUE, (ms + 500) / 1000);
  }
}
