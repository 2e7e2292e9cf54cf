package io.hankyo.node.callback;

import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import java.util.Optional;

/**
 * The route of a call to a leased callback number (折返し通話トラッキング, issue 4): a plain forward to the missed call's
 * caller, with no call flow and no judgment rules, logged for the advertiser that missed the call.
 */
public final class CallbackRoutes {
  private CallbackRoutes() {}

  /**
   * The route of a call to {@code dialled} under {@code lease}.
   *
   * <p>{@code din_id} is the callback number dialled; {@code client_id} and {@code dialin_id} are the missed call's
   * (names are left empty: the lease does not carry them); {@code fwd_id} is the caller number, decrypted here and
   * only held in memory (the call's events carry it as the forward destination, as every forward does);
   * {@code callback_of} is the missed call's {@code trn_id}.
   *
   * @return empty when the caller number cannot be decrypted with this node's keys or is not a phone number (the
   *     call is then answered like one to an unknown number)
   */
  public static Optional<NumberRoute> routeOf(CallbackLease lease, PhoneNumber dialled, CallerNumberCipher cipher) {
    String caller;
    try {
      caller = cipher.decrypt(lease.callerCipher());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
    return PhoneNumbers.tryParse(caller).map(to -> new NumberRoute(lease.operatorId(), lease.clientId(), "",
        lease.dialinId(), "", dialled, to, false, null, 0, null, 0, null, null, 0, null, 0, lease.origTrnId()));
  }
}
