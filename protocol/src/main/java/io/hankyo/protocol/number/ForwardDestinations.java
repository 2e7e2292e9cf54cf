package io.hankyo.protocol.number;

import java.util.Objects;
import java.util.Set;

/**
 * The rule for forward destinations (転送先番号, {@code forward_to} / {@code fwd_id}, and the {@code to} of a call
 * flow's forward and queue targets): the numbers a call to a tracking number may be forwarded to by the cluster's
 * B2BUA, on a SIP leg that the service originates and pays for. Shared by the HTTP API ({@code forward_to}) and the
 * call-flow parser (spec section 4), so that both refuse the same numbers with the same words.
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
 *   <caption>refused, because a forwarded call must never reach them</caption>
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
 * Whether the destination is the tracking number itself is a separate check, made where the tracking number is
 * known. Thread-safe, no state.
 */
public final class ForwardDestinations {
  /** The kinds {@link #check} accepts; every refusal ends with {@code "; " + KINDS}. */
  public static final String KINDS = "a forward destination must be a Japanese fixed-line (0AB-J, e.g. "
      + "03-1234-5678), mobile/PHS (070/080/090), IP-phone (050) or free-call (0120/0800) number";

  /** The emergency numbers of the plan: police, coast guard, fire and ambulance. */
  private static final Set<String> EMERGENCY = Set.of("110", "118", "119");

  private ForwardDestinations() {}

  /**
   * The outcome of {@link #check}: exactly one of {@code number} and {@code problem} is non-null.
   *
   * @param number the parsed destination when it is accepted
   * @param problem when refused, a sentence for API users without a field name, e.g. {@code "0570-123-456 is a
   *     premium-rate or shared-cost number (...), billed to the service on every forwarded call; a forward
   *     destination must be ..."} or {@code "'03-12' is not a valid number of the numbering plan"}
   */
  public record Verdict(PhoneNumber number, String problem) {
    public Verdict {
      if ((number == null) == (problem == null)) {
        throw new IllegalArgumentException("exactly one of number and problem");
      }
    }

    /** True when the destination is accepted ({@link #number} is set). */
    public boolean accepted() {
      return number != null;
    }
  }

  /**
   * Checks a forward destination as given by a user.
   *
   * @param value the number, national or international form ({@link PhoneNumbers#parse}); not null
   * @return the parsed number, or why it is refused: not a number ({@link InvalidPhoneNumberException}'s message),
   *     a special service number ({@code "'110' is an emergency number (...); calls are never forwarded to it; "
   *     + KINDS}), or a number of a refused range ({@code "<national> is <reason>; " + KINDS})
   */
  public static Verdict check(String value) {
    Objects.requireNonNull(value, "value");
    String special = specialServiceReason(value);
    if (special != null) {
      return new Verdict(null, "'" + value + "' is " + special + "; calls are never forwarded to it; " + KINDS);
    }
    PhoneNumber number;
    try {
      number = PhoneNumbers.parse(value);
    } catch (InvalidPhoneNumberException e) {
      return new Verdict(null, e.getMessage());
    }
    String reason = rangeReason(number);
    if (reason == null) {
      return new Verdict(number, null);
    }
    return new Verdict(null, number.national() + " is " + reason + "; " + KINDS);
  }

  /** Why an already parsed number is no forward destination, or null when it is one. */
  private static String rangeReason(PhoneNumber number) {
    if (!number.e164().startsWith("+81")) {
      return "a number outside Japan; calls are never forwarded abroad (toll-fraud risk)";
    }
    String digits = number.nationalDigits();
    switch (number.kind()) {
      case FIXED:
      case IP_PHONE:
        return null;
      case MOBILE:
        if (digits.startsWith("070") || digits.startsWith("080") || digits.startsWith("090")) {
          return null;
        }
        return "an M2M / pager number (020); no person answers it";
      case FREE_CALL:
        if (digits.startsWith("0120") || digits.startsWith("0800")) {
          return null;
        }
        return "a carrier-specific free-call number (00XY), often unreachable from the IP line a forwarded "
            + "call leaves on";
      case SHARED_COST:
        return "a premium-rate or shared-cost number (such as 0990 dial Q2 or 0570 navi dial), billed to the "
            + "service on every forwarded call";
      default:
        return "not a line a forwarded call may reach";
    }
  }

  /** 1XY and # numbers: {@link PhoneNumbers} refuses them, with a message that does not say why they cannot be used. */
  private static String specialServiceReason(String value) {
    String compact = value.strip().replaceAll("[-. ()]", "");
    if (EMERGENCY.contains(compact)) {
      return "an emergency number (110 police, 118 coast guard, 119 fire and ambulance)";
    }
    if (compact.matches("1[0-9]{2}")) {
      return "a three-digit special service number (1XY, such as 117 time, 177 weather, 104 directory)";
    }
    if (compact.matches("#[0-9]+")) {
      return "a # dial service number (such as #7119, #9110)";
    }
    return null;
  }
}
