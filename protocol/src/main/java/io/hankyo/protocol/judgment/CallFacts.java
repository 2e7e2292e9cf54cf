package io.hankyo.protocol.judgment;

import io.hankyo.protocol.number.PhoneNumber;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What {@link Judge} needs to know of one ended call (issue 4, spec section 6 names in brackets). Built by the Call
 * entity at {@code CallEnded}, or from a stored call-log record for re-judgment.
 *
 * @param trnId {@code trn_id}
 * @param operatorId the operator that owns the call (client and number ids are unique within it)
 * @param clientId {@code client_id}: the advertiser (the area of the {@code advertiser} duplicate scope)
 * @param dialinId {@code dialin_id}: the tracking-number record (the area of the {@code number} duplicate scope)
 * @param din {@code din_id}: the tracking number dialled (for messages; duplicates go by {@code dialin_id})
 * @param arrivedAt {@code din_tms}: when the call arrived; duplicate periods are measured between arrivals
 * @param answered true when a destination answered ({@code tst_tms} set); false calls get {@link Verdict#NONE}
 * @param talkingSec {@code talking_sec}: seconds from answer to end, rounded; 0 when not answered
 * @param callerHash the keyed hash of the caller's number (CallerNumberCipher.keyedHash over E.164, of From, or of
 *     P-Asserted-Identity when From is withheld); null when the caller has no identity
 * @param ivrDigits {@code logvars.ivr_digits} split at {@code ,}: one entry per menu input, in order (see {@link
 *     #ivrDigits(String)}); empty when no key was pressed or the flow has no menu
 * @param postCallDigit the key the callee pressed after the post-call button prompt; null when none was pressed in
 *     time (or the rules have no button)
 */
public record CallFacts(
    String trnId,
    String operatorId,
    String clientId,
    String dialinId,
    PhoneNumber din,
    Instant arrivedAt,
    boolean answered,
    int talkingSec,
    String callerHash,
    List<String> ivrDigits,
    String postCallDigit) {
  /** Checks the parts; a null {@code ivrDigits} is empty. */
  public CallFacts {
    Objects.requireNonNull(trnId, "trnId");
    Objects.requireNonNull(operatorId, "operatorId");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(dialinId, "dialinId");
    Objects.requireNonNull(arrivedAt, "arrivedAt");
    if (talkingSec < 0) {
      throw new IllegalArgumentException("talking_sec must not be negative: " + talkingSec);
    }
    ivrDigits = ivrDigits == null ? List.of() : List.copyOf(ivrDigits);
  }

  /**
   * The menu inputs of a {@code logvars.ivr_digits} value (docs/call-flows.md): {@code "9,1,23"} → {@code [9, 1, 23]};
   * null or {@code ""} → empty; empty entries are dropped.
   */
  public static List<String> ivrDigits(String logvar) {
    List<String> inputs = new ArrayList<>();
    if (logvar != null) {
      for (String part : logvar.split(",")) {
        String p = part.strip();
        if (!p.isEmpty()) {
          inputs.add(p);
        }
      }
    }
    return List.copyOf(inputs);
  }
}
