package io.hankyo.protocol.judgment;

import io.hankyo.protocol.judgment.JudgmentRules.Scope;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The earlier calls {@link Judge} needs for duplicate exclusion (issue 4), supplied by the caller of the judge: in the
 * node a duplicate index in Cassandra (operator, scope key, caller key → arrivals), in tests a list. Only connected
 * calls belong in it (a call that never connected is never the earlier call of a duplicate); with {@code
 * earlier_calls: "valid"} the query asks for valid ones only.
 */
@FunctionalInterface
public interface PriorCalls {
  /** No earlier calls at all. */
  PriorCalls NONE = query -> Optional.empty();

  /**
   * The latest earlier call that matches the query.
   *
   * @return the call with the latest arrival in ({@code since}, {@code before}), both exclusive, to the query's
   *     scope from its caller (and valid when {@code validOnly}); empty when there is none. The judge checks the
   *     period again, so an index that returns an older call is harmless.
   */
  Optional<PriorCall> latest(Query query);

  /**
   * An earlier call.
   *
   * @param trnId its {@code trn_id}
   * @param arrivedAt its {@code din_tms}
   */
  record PriorCall(String trnId, Instant arrivedAt) {
    /** Checks the parts. */
    public PriorCall {
      Objects.requireNonNull(trnId, "trnId");
      Objects.requireNonNull(arrivedAt, "arrivedAt");
    }
  }

  /**
   * What to look for.
   *
   * @param scope number or advertiser
   * @param operatorId the operator of the call
   * @param scopeKey {@code dialin_id} for {@link Scope#NUMBER}, {@code client_id} for {@link Scope#ADVERTISER}
   * @param callerKey the caller's keyed hash, or {@link Judge#WITHHELD_CALLER} for callers without identity (only
   *     with {@code count_withheld})
   * @param since the start of the period: the call's arrival minus {@code period_sec}; exclusive
   * @param before the call's arrival; exclusive (the call itself and calls arriving later never count)
   * @param validOnly true to count only calls judged valid ({@code earlier_calls: "valid"})
   */
  record Query(
      Scope scope, String operatorId, String scopeKey, String callerKey, Instant since, Instant before,
      boolean validOnly) {
    /** Checks the parts. */
    public Query {
      Objects.requireNonNull(scope, "scope");
      Objects.requireNonNull(operatorId, "operatorId");
      Objects.requireNonNull(scopeKey, "scopeKey");
      Objects.requireNonNull(callerKey, "callerKey");
      Objects.requireNonNull(since, "since");
      Objects.requireNonNull(before, "before");
    }
  }
}
