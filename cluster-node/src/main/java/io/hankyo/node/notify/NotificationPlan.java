package io.hankyo.node.notify;

import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.judgment.Verdict;
import io.hankyo.protocol.notify.NotificationSettings;
import io.hankyo.protocol.notify.NotificationSettings.Trigger;
import java.util.Map;

/**
 * Which notification channels an ended call fires (着信通知, issue 4): a pure decision from the tracking number's
 * {@link NotificationSettings} as the call arrived with them and the call's final outcome. The call-log record carries
 * the answer as {@code nfy_email} and {@code nfy_http} (spec section 6); the notification projection sends what fired.
 *
 * <p>Triggers: {@code every} fires for every ended call; {@code missed} for a call that never talked (no destination
 * answered: not connected, busy, no answer, rejected outside business hours or in absence mode, abandoned in the
 * queue or during guidance, i.e. no {@code tst_tms}); {@code valid} for a call whose judgment at its end is 有効
 * ({@code logvars.valid_code} = {@code valid}; a number without judgment rules never fires it, and a later
 * re-judgment does not fire it after the fact).
 *
 * @param email the email channel fires
 * @param webhook the webhook channel fires
 * @param sms the SMS channel fires
 */
public record NotificationPlan(boolean email, boolean webhook, boolean sms) {
  /** {@code logvars} key of the judgment code (written by the call's judgment). */
  public static final String VALID_CODE = "valid_code";

  /**
   * {@code logvars} key saying whether the SMS channel fired ({@code true}/{@code false}; written only for numbers with
   * an SMS channel): {@code false} also when it would have fired but no SMSC is configured ({@code hankyo.notify.smpp}).
   */
  public static final String NFY_SMS = "nfy_sms";
  /**
   * {@code logvars} key saying whether the SMS to the caller after the call fired ({@code true}/{@code false}; written
   * only for numbers with {@code caller_sms}): its trigger fired, the caller was classified mobile and an SMSC is
   * configured (the handover still checks the 070/080/090 prefix, {@link CallerSmsRule}).
   */
  public static final String NFY_CALLER_SMS = "nfy_caller_sms";

  /** Nothing fires. */
  public static final NotificationPlan NONE = new NotificationPlan(false, false, false);

  /** True when at least one channel fires. */
  public boolean any() {
    return email || webhook || sms;
  }

  /**
   * Decides from the final record.
   *
   * @param settings the settings the call arrived with; null = none (nothing fires)
   * @param record the final call-log record (its {@code tst_tms} and {@code logvars.valid_code} count)
   */
  public static NotificationPlan decide(NotificationSettings settings, CallLogRecord record) {
    return decide(settings, record.answeredAt() != null, record.logvars());
  }

  /**
   * Decides from the outcome.
   *
   * @param settings the settings the call arrived with; null = none (nothing fires)
   * @param answered whether a destination answered (the call talked)
   * @param logvars the call's final {@code logvars} (may be null)
   */
  public static NotificationPlan decide(NotificationSettings settings, boolean answered, Map<String, String> logvars) {
    if (settings == null) {
      return NONE;
    }
    boolean valid = logvars != null && Verdict.VALID.code().equals(logvars.get(VALID_CODE));
    return new NotificationPlan(
        settings.email() != null && fires(settings.email().trigger(), answered, valid),
        settings.webhook() != null && fires(settings.webhook().trigger(), answered, valid),
        settings.sms() != null && fires(settings.sms().trigger(), answered, valid));
  }

  /** Whether the caller SMS trigger of {@code settings} fires for an outcome (false when there is none). */
  public static boolean callerSmsFires(NotificationSettings settings, boolean answered, Map<String, String> logvars) {
    if (settings == null || settings.callerSms() == null) {
      return false;
    }
    boolean valid = logvars != null && Verdict.VALID.code().equals(logvars.get(VALID_CODE));
    return fires(settings.callerSms().trigger(), answered, valid);
  }

  /** Whether one trigger fires for an outcome. */
  static boolean fires(Trigger trigger, boolean answered, boolean valid) {
    if (trigger == Trigger.EVERY) {
      return true;
    }
    if (trigger == Trigger.MISSED) {
      return !answered;
    }
    return valid;
  }
}
