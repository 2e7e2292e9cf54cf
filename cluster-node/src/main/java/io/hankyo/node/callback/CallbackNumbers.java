package io.hankyo.node.callback;

import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.privacy.EncryptedValue;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Callback numbers (折返し通話トラッキング, issue 4, spec section 4) as the rest of the node uses them: the missed-call
 * notification leases one, the call routing finds the lease of a dialled number. Thread-safe.
 */
public interface CallbackNumbers {
  /**
   * Leases a number of {@code operatorId}'s pool for the missed call {@code trnId}; asking again with the same
   * {@code trnId} while the lease holds returns the same number. When this completes with {@link
   * LeaseResult.Leased}, calls to the number already route to the caller.
   *
   * @param callerCipher the missed call's {@code clr_id_cipher} (encrypted E.164), or null when withheld
   * @return {@link LeaseResult.Leased}, {@link LeaseResult.PoolEmpty} (no free number, or no pool), or {@link
   *     LeaseResult.NoCaller}; fails with a {@code TimeoutException} when the cluster does not answer in time
   */
  CompletionStage<LeaseResult> lease(String operatorId, String trnId, String clientId, String dialinId,
      EncryptedValue callerCipher);

  /** Ends the lease of {@code trnId} now (its number stops forwarding and becomes free). No lease: no-op. */
  CompletionStage<Optional<PhoneNumber>> release(String operatorId, String trnId);

  /**
   * The lease a call to {@code e164} follows at this moment: empty when the number is no callback number, or its
   * lease expired or was released.
   */
  CompletionStage<Optional<CallbackLease>> activeLease(String e164);
}
