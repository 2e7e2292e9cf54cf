package io.hankyo.api.calllog;

import io.hankyo.api.ApiProblem;
import io.hankyo.api.Validation;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.calllog.DialStatus;
import io.hankyo.protocol.calllog.HangupParty;
import java.util.Arrays;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The call-log search form's filters (spec section 6); a null field does not filter.
 *
 * @param dinPrefix {@code din_id}: prefix of the tracking number's national digits ({@code 0120123}); or, starting with
 *     {@code +}, of its E.164 form
 * @param fwdPrefix {@code fwd_id}: same, for the forward destination used (calls never forwarded do not match)
 * @param clientId {@code client_id}: exact advertiser id
 * @param hangupParty {@code hup_usr}
 * @param dialStatus {@code dial_stat}
 */
public record CallLogFilter(
    String dinPrefix, String fwdPrefix, String clientId, HangupParty hangupParty, DialStatus dialStatus)
    implements Predicate<CallLogRecord> {

  /** A filter that keeps every record. */
  public static final CallLogFilter NONE = new CallLogFilter(null, null, null, null, null);

  private static final Pattern SEPARATORS = Pattern.compile("[\\s\\-().]");
  private static final Pattern PREFIX = Pattern.compile("\\+?[0-9]+");

  /**
   * Reads the filters from the query parameter values; null or empty values do not filter (search forms submit empty
   * fields).
   *
   * @param din {@code din_id}: digits with optional hyphens, spaces, dots, parentheses, e.g. {@code 0120-123}
   * @param fwd {@code fwd_id}: same
   * @param clientId {@code client_id}: an id
   * @param hupUsr {@code hup_usr}: a Japanese label (発信者, 着信者, システム) or code (CALLER, CALLEE, SYSTEM),
   *     case-insensitive
   * @param dialStat {@code dial_stat}: a Japanese label (正常通話, 話中, ...) or code (NORMAL, BUSY, ...)
   * @throws ApiProblem 400 naming the parameter
   */
  public static CallLogFilter of(String din, String fwd, String clientId, String hupUsr, String dialStat) {
    return new CallLogFilter(
        numberPrefix("din_id", din),
        numberPrefix("fwd_id", fwd),
        blank(clientId) ? null : Validation.optionalId(clientId.strip(), "client_id"),
        blank(hupUsr) ? null : hangupParty(hupUsr.strip()),
        blank(dialStat) ? null : dialStatus(dialStat.strip()));
  }

  @Override
  public boolean test(CallLogRecord r) {
    if (dinPrefix != null && !matches(dinPrefix, r.din())) {
      return false;
    }
    if (fwdPrefix != null && (r.forwardTo() == null || !matches(fwdPrefix, r.forwardTo()))) {
      return false;
    }
    if (clientId != null && !clientId.equals(r.clientId())) {
      return false;
    }
    if (hangupParty != null && hangupParty != r.hangupParty()) {
      return false;
    }
    return dialStatus == null || dialStatus == r.dialStatus();
  }

  private static boolean matches(String prefix, io.hankyo.protocol.number.PhoneNumber n) {
    return prefix.startsWith("+") ? n.e164().startsWith(prefix) : n.nationalDigits().startsWith(prefix);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String numberPrefix(String name, String value) {
    if (blank(value)) {
      return null;
    }
    String digits = SEPARATORS.matcher(value).replaceAll("");
    if (!PREFIX.matcher(digits).matches()) {
      throw ApiProblem.invalid(name + ": '" + value + "' is not a number prefix; use digits, optionally with "
          + "hyphens (e.g. 0120 or 0120-123), or an E.164 prefix starting with +");
    }
    return digits;
  }

  private static HangupParty hangupParty(String value) {
    for (HangupParty p : HangupParty.values()) {
      if (p.name().equalsIgnoreCase(value) || p.label().equals(value)) {
        return p;
      }
    }
    throw ApiProblem.invalid("hup_usr: '" + value + "' is not a hang-up party; use one of "
        + Arrays.stream(HangupParty.values()).map(p -> p.label() + " (" + p.name() + ")")
            .collect(Collectors.joining(", ")));
  }

  private static DialStatus dialStatus(String value) {
    for (DialStatus s : DialStatus.values()) {
      if (s.name().equalsIgnoreCase(value) || s.label().equals(value)) {
        return s;
      }
    }
    throw ApiProblem.invalid("dial_stat: '" + value + "' is not a dial status; use one of "
        + Arrays.stream(DialStatus.values()).map(s -> s.label() + " (" + s.name() + ")")
            .collect(Collectors.joining(", ")));
  }
}
