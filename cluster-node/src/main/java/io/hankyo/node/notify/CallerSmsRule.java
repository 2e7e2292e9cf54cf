package io.hankyo.node.notify;

import io.hankyo.protocol.calllog.DeviceType;
import io.hankyo.protocol.number.NumberKind;
import io.hankyo.protocol.number.PhoneNumber;
import java.util.List;
import java.util.Objects;

/**
 * Whether the caller of an ended call gets the SMS after the call (spec section 4, "SMS after the call": "an SMS to a
 * mobile caller when the call ends"; issue 4: "only to mobile callers; coupon or URL text per number"). Pure.
 *
 * <p>Only a Japanese mobile number (携帯: 070, 080 or 090; {@link NumberKind#MOBILE} with one of these prefixes, so
 * neither 020 nor a foreign mobile) whose call was classified {@link DeviceType#MOBILE} gets it. Landlines, IP phones,
 * free-call numbers, payphones (公衆電話), withheld callers (非通知) and callers whose From was not a number get none:
 * an SMS cannot reach them, or the caller chose not to give the number.
 */
public final class CallerSmsRule {
  /** The national prefixes of Japanese mobile numbers that take SMS. */
  public static final List<String> MOBILE_PREFIXES = List.of("070", "080", "090");

  private CallerSmsRule() {}

  /**
   * The follow-up SMS settings of one tracking number.
   *
   * @param enabled whether the number sends an SMS to callers after the call
   * @param template the text with placeholders ({@link CallSms#PLACEHOLDERS}), e.g. a coupon code or a sign-up URL;
   *     may be empty while disabled
   */
  public record Settings(boolean enabled, String template) {
    /** Null template becomes empty. */
    public Settings {
      template = template == null ? "" : template;
    }

    /** Off. */
    public static Settings off() {
      return new Settings(false, "");
    }
  }

  /** Why a caller gets no SMS. */
  public enum Reason {
    /** The number does not send SMS to callers. */
    DISABLED,
    /** Enabled but the template is unusable (empty, unknown placeholder): a configuration problem to report. */
    BAD_TEMPLATE,
    /** The caller withheld the number (非通知). */
    WITHHELD,
    /** A payphone (公衆電話). */
    PAYPHONE,
    /** The From header held no valid number. */
    NOT_A_NUMBER,
    /** A valid number, but not a Japanese 070/080/090 mobile (landline, IP phone, free call, abroad...). */
    NOT_MOBILE
  }

  /** The decision. */
  public sealed interface Decision {}

  /**
   * Send the follow-up SMS.
   *
   * @param to the caller's mobile number
   * @param template the template to render with {@link CallSms#callerFollowUp}
   */
  public record Send(PhoneNumber to, String template) implements Decision {
    /** @throws NullPointerException when a component is null */
    public Send {
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(template, "template");
    }
  }

  /**
   * Send nothing.
   *
   * @param reason why
   * @param detail a short explanation for logs, e.g. {@code 固定電話 03-1234-5678 is not a mobile number}
   */
  public record Skip(Reason reason, String detail) implements Decision {
    /** @throws NullPointerException when reason is null */
    public Skip {
      Objects.requireNonNull(reason, "reason");
      detail = detail == null ? "" : detail;
    }
  }

  /**
   * Decides.
   *
   * @param caller the caller's number (the decrypted {@code clr_id_cipher} parsed); null when withheld or when it was
   *     not a valid number
   * @param callerType {@code clr_type} of the call; null counts as {@link DeviceType#UNKNOWN}
   * @param settings the number's follow-up SMS settings
   */
  public static Decision decide(PhoneNumber caller, DeviceType callerType, Settings settings) {
    Objects.requireNonNull(settings, "settings");
    DeviceType type = callerType == null ? DeviceType.UNKNOWN : callerType;
    if (!settings.enabled()) {
      return new Skip(Reason.DISABLED, "SMS after the call is off for this number");
    }
    List<String> problems = CallSms.templateProblems(settings.template());
    if (!problems.isEmpty()) {
      return new Skip(Reason.BAD_TEMPLATE, String.join("; ", problems));
    }
    if (type == DeviceType.WITHHELD) {
      return new Skip(Reason.WITHHELD, "the caller withheld the number (" + type.label() + ")");
    }
    if (type == DeviceType.PAYPHONE) {
      return new Skip(Reason.PAYPHONE, "a payphone (" + type.label() + ")");
    }
    if (caller == null) {
      return new Skip(Reason.NOT_A_NUMBER, "the caller's From held no valid number (" + type.label() + ")");
    }
    if (type != DeviceType.MOBILE || !isJapaneseMobile(caller)) {
      return new Skip(Reason.NOT_MOBILE, type.label() + " " + caller.national() + " is not a mobile number");
    }
    return new Send(caller, settings.template());
  }

  /** True for a Japanese 070/080/090 number of kind {@link NumberKind#MOBILE}. */
  public static boolean isJapaneseMobile(PhoneNumber number) {
    if (number.kind() != NumberKind.MOBILE || !number.e164().startsWith("+81")) {
      return false;
    }
    String digits = number.nationalDigits();
    return MOBILE_PREFIXES.stream().anyMatch(digits::startsWith);
  }
}
