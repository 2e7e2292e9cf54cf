package io.hankyo.api;

import io.hankyo.protocol.number.PhoneNumber;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The cluster side of the callback-number pool API (折返し通話トラッキング, issue 4, spec section 4). Kept apart from
 * {@link ApiBackend} so that the feature can be wired in (and faked in tests) on its own.
 */
public interface CallbackBackend {
  /**
   * An operator's callback number pool.
   *
   * @param numbers the numbers in the order configured
   * @param holdSec how long one lease forwards to the caller, seconds
   * @param leased how many numbers are held by a missed call right now
   */
  record Pool(List<PhoneNumber> numbers, long holdSec, int leased) {
    public Pool {
      numbers = List.copyOf(numbers);
    }
  }

  /** The operator's pool; an operator that never set one has no numbers and the default hold. */
  CompletionStage<Pool> getPool(String operatorId);

  /**
   * Replaces the operator's pool.
   *
   * @param numbers valid, distinct numbers (checked by the API)
   * @param holdSec 3600..7776000 seconds (checked by the API)
   * @return the pool afterwards; fails with {@link ApiProblem} 409 when a number is a tracking number (of any
   *     operator) or in another operator's pool
   */
  CompletionStage<Pool> putPool(String operatorId, List<PhoneNumber> numbers, long holdSec);
}
