package io.hankyo.api;

import io.hankyo.protocol.number.InvalidPhoneNumberException;
import io.hankyo.protocol.number.NumberKind;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Input rules of the API. Every failure is an {@link ApiProblem} whose detail starts with the field name, e.g.
 * {@code "client_name: must not be blank"}.
 */
public final class Validation {
  /** Longest advertiser name or tracking-number name, in Unicode code points. */
  public static final int MAX_NAME_LENGTH = 200;

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Pattern ONLY_DOTS = Pattern.compile("\\.+");
  private static final String ID_RULE = "1-64 characters of A-Z a-z 0-9 _ . - (not only dots)";
  /** The kinds {@link #forwardDestination} accepts, as every refusal states them. */
  static final String FORWARD_KINDS = "a forward destination must be a Japanese fixed-line (0AB-J, e.g. "
      + "03-1234-5678), mobile/PHS (070/080/090), IP-phone (050) or free-call (0120/0800) number";
  /** The emergency numbers of the plan: police, coast guard, fire and ambulance. */
  private static final Set<String> EMERGENCY = Set.of("110", "118", "119");

  private Validation() {}

  /**
   * Whether {@code value} is a valid {@code client_id} / {@code dialin_id}: 1-64 characters of {@code [A-Za-z0-9_.-]},
   * and not only dots ({@code .} and {@code ..} would be rewritten as path segments by clients).
   */
  public static boolean isValidId(String value) {
    return value != null && ID.matcher(value).matches() && !ONLY_DOTS.matcher(value).matches();
  }

  /**
   * An optional id from a request body.
   *
   * @return the id, or null when absent
   * @throws ApiProblem 400 when present and not a valid id
   */
  public static String optionalId(String value, String field) {
    if (value == null) {
      return null;
    }
    if (!isValidId(value)) {
      throw ApiProblem.invalid(field + ": '" + value + "' is not a valid id; use " + ID_RULE);
    }
    return value;
  }

  /**
   * An id from the request path.
   *
   * @throws ApiProblem 404 when not a valid id (no such resource can exist); the detail names the field
   */
  public static String pathId(String value, String field) {
    if (!isValidId(value)) {
      throw ApiProblem.notFound(field + ": '" + value + "' does not exist (ids are " + ID_RULE + ")");
    }
    return value;
  }

  /**
   * A required name: stripped of surrounding white space, non-blank, at most {@link #MAX_NAME_LENGTH} code points, no
   * control characters.
   *
   * @return the stripped name
   * @throws ApiProblem 400 naming the field
   */
  public static String requiredName(String value, String field) {
    if (value == null) {
      throw ApiProblem.invalid(field + ": is required");
    }
    String name = optionalName(value, field);
    if (name.isEmpty()) {
      throw ApiProblem.invalid(field + ": must not be blank");
    }
    return name;
  }

  /**
   * An optional name; same rules as {@link #requiredName} but may be absent (null) or empty.
   *
   * @return the stripped name, or null when absent
   * @throws ApiProblem 400 naming the field
   */
  public static String optionalName(String value, String field) {
    if (value == null) {
      return null;
    }
    String name = value.strip();
    int length = name.codePointCount(0, name.length());
    if (length > MAX_NAME_LENGTH) {
      throw ApiProblem.invalid(
          field + ": is " + length + " characters long; at most " + MAX_NAME_LENGTH + " are allowed");
    }
    if (name.codePoints().anyMatch(Character::isISOControl)) {
      throw ApiProblem.invalid(field + ": must not contain control characters (tabs, line breaks, ...)");
    }
    return name;
  }

  /**
   * A required phone number of any kind that the numbering plan knows, in Japan or abroad (e.g. the {@code number} of
   * a PUT, only compared with the current one). Forward destinations use {@link #forwardDestination}.
   *
   * @throws ApiProblem 400 {@code "<field>: is required"} or {@code "<field>: '0120-12-345' is not a valid ..."}
   */
  public static PhoneNumber phoneNumber(String value, String field) {
    if (value == null) {
      throw ApiProblem.invalid(field + ": is required");
    }
    try {
      return PhoneNumbers.parse(value);
    } catch (InvalidPhoneNumberException e) {
      throw ApiProblem.invalid(field + ": " + e.getMessage());
    }
  }

  /**
   * A required tracking number: a valid number that a carrier can route to the service, i.e. free call (0120/0800),
   * IP phone (050) or fixed line. Mobile, shared-cost (0570) and foreign numbers are refused.
   *
   * @throws ApiProblem 400 naming the field
   */
  public static PhoneNumber trackingNumber(String value, String field) {
    PhoneNumber number = phoneNumber(value, field);
    NumberKind kind = number.kind();
    if (kind == NumberKind.FREE_CALL || kind == NumberKind.IP_PHONE || kind == NumberKind.FIXED) {
      return number;
    }
    throw ApiProblem.invalid(field + ": " + number.national() + " is " + describe(kind)
        + "; a tracking number must be a free-call (0120/0800), IP-phone (050) or fixed-line number"
        + (kind == NumberKind.MOBILE ? " (a mobile number can be a forward_to destination)" : ""));
  }

  /**
   * A required forward destination (転送先番号, {@code forward_to}, shown as {@code fwd_id}): the number a call to a
   * tracking number is forwarded to by the cluster's B2BUA, on a SIP leg that the service originates and pays for.
   *
   * <p>Decision: only numbers where a person of the advertiser answers a domestic line are accepted, classified from
   * the Japanese numbering plan (電気通信番号計画) as libphonenumber encodes it ({@link PhoneNumbers}, {@link
   * NumberKind}); prefixes are checked only inside a kind, where libphonenumber puts unlike ranges together:
   *
   * <table>
   *   <caption>accepted</caption>
   *   <tr><th>range</th><th>kind</th><th>why</th></tr>
   *   <tr><td>fixed line 0AB-J (03-1234-5678, 06-6123-4567, 0466-12-3456)</td><td>{@link NumberKind#FIXED}</td>
   *       <td>the shop's or office's phone: the usual destination</td></tr>
   *   <tr><td>mobile / PHS 070, 080, 090</td><td>{@link NumberKind#MOBILE}</td><td>the owner's own phone; spec
   *       section 7 prices these legs</td></tr>
   *   <tr><td>IP phone 050</td><td>{@link NumberKind#IP_PHONE}</td><td>cloud PBX and softphones</td></tr>
   *   <tr><td>free call 0120, 0800</td><td>{@link NumberKind#FREE_CALL}</td><td>an advertiser's call centre; the
   *       destination pays for the leg</td></tr>
   * </table>
   *
   * <table>
   *   <caption>refused (400), because a forwarded call must never reach them</caption>
   *   <tr><th>range</th><th>why</th></tr>
   *   <tr><td>outside Japan (+1 212 555 0100, 010-1-212-555-0100)</td><td>toll fraud: whoever holds an API key
   *       could send every call to a premium line abroad at the service's expense; spec section 7 has no tariff
   *       abroad</td></tr>
   *   <tr><td>emergency numbers 110 (police), 118 (coast guard), 119 (fire and ambulance); other three-digit
   *       special service numbers 1XY (117, 177, 104, 171, 188, 189 ...) and # dial numbers (#7119, #9110)</td>
   *       <td>an emergency centre must never get machine-forwarded calls: ad calls would tie up its lines, and it
   *       could not call the caller back; 1XY and # numbers are services reached by dialling them on a carrier's
   *       network, not subscriber lines</td></tr>
   *   <tr><td>premium rate and shared cost: 0990 (dial Q2), 0570 (navi dial) — {@link NumberKind#SHARED_COST}</td>
   *       <td>information fees or per-call rates billed to the leg's originator, the service: the same abuse
   *       path as calls abroad</td></tr>
   *   <tr><td>020 (M2M / pager), in {@link NumberKind#MOBILE}</td><td>no person answers; libphonenumber types it
   *       PAGER, which {@link NumberKind} folds into MOBILE</td></tr>
   *   <tr><td>free call 00XY (0037, 0066, 0077, 0078, 0088 ...), in {@link NumberKind#FREE_CALL}</td><td>tied to
   *       one carrier's network; like 0078 (spec section 2) they may refuse calls from IP phones, and every
   *       forward leg is one</td></tr>
   *   <tr><td>any other number of the plan ({@link NumberKind#OTHER})</td><td>not a line a person answers</td></tr>
   * </table>
   *
   * The tracking number itself is refused by {@link #notTheTrackingNumber} once the tracking number is known.
   *
   * @param value the number as given, national or international form ({@link PhoneNumbers#parse})
   * @param field the field name for the detail, {@code forward_to}
   * @return the parsed number
   * @throws ApiProblem 400 {@code "<field>: is required"}, {@code "<field>: '03-12' is not a valid ..."}, or {@code
   *     "<field>: <number> is <reason>; a forward destination must be a Japanese fixed-line (0AB-J), mobile/PHS
   *     (070/080/090), IP-phone (050) or free-call (0120/0800) number"}
   */
  public static PhoneNumber forwardDestination(String value, String field) {
    if (value != null) {
      refuseSpecialServiceNumber(value, field);
    }
    PhoneNumber number = phoneNumber(value, field);
    String digits = number.nationalDigits();
    String reason;
    if (!number.e164().startsWith("+81")) {
      reason = "a number outside Japan; calls are never forwarded abroad (toll-fraud risk)";
    } else {
      switch (number.kind()) {
        case FIXED:
        case IP_PHONE:
          return number;
        case MOBILE:
          if (digits.startsWith("070") || digits.startsWith("080") || digits.startsWith("090")) {
            return number;
          }
          reason = "an M2M / pager number (020); no person answers it";
          break;
        case FREE_CALL:
          if (digits.startsWith("0120") || digits.startsWith("0800")) {
            return number;
          }
          reason = "a carrier-specific free-call number (00XY), often unreachable from the IP line a forwarded "
              + "call leaves on";
          break;
        case SHARED_COST:
          reason = "a premium-rate or shared-cost number (such as 0990 dial Q2 or 0570 navi dial), billed to the "
              + "service on every forwarded call";
          break;
        default:
          reason = "not a line a forwarded call may reach";
          break;
      }
    }
    throw ApiProblem.invalid(field + ": " + number.national() + " is " + reason + "; " + FORWARD_KINDS);
  }

  /**
   * Refuses a forward destination equal to the tracking number: every call would be forwarded to itself.
   *
   * @param trackingNumber the tracking number of the record (created or current)
   * @param forwardTo the forward destination, from {@link #forwardDestination}
   * @param field the field name for the detail, {@code forward_to}
   * @throws ApiProblem 400 {@code "<field>: 0120-123-456 is the tracking number itself; calls would loop ..."}
   */
  public static void notTheTrackingNumber(PhoneNumber trackingNumber, PhoneNumber forwardTo, String field) {
    if (trackingNumber.e164().equals(forwardTo.e164())) {
      throw ApiProblem.invalid(field + ": " + forwardTo.national()
          + " is the tracking number itself; calls would loop. Forward to the advertiser's own phone: "
          + FORWARD_KINDS);
    }
  }

  /** 1XY and # numbers: PhoneNumbers refuses them, with a message that does not say why they cannot be used. */
  private static void refuseSpecialServiceNumber(String value, String field) {
    String compact = value.strip().replaceAll("[-. ()]", "");
    String reason = null;
    if (EMERGENCY.contains(compact)) {
      reason = "an emergency number (110 police, 118 coast guard, 119 fire and ambulance)";
    } else if (compact.matches("1[0-9]{2}")) {
      reason = "a three-digit special service number (1XY, such as 117 time, 177 weather, 104 directory)";
    } else if (compact.matches("#[0-9]+")) {
      reason = "a # dial service number (such as #7119, #9110)";
    }
    if (reason != null) {
      throw ApiProblem.invalid(field + ": '" + value + "' is " + reason + "; calls are never forwarded to it; "
          + FORWARD_KINDS);
    }
  }

  private static String describe(NumberKind kind) {
    switch (kind) {
      case MOBILE:
        return "a mobile number";
      case SHARED_COST:
        return "a shared-cost / premium-rate number";
      default:
        return "not a Japanese fixed, free-call or IP-phone number";
    }
  }
}
