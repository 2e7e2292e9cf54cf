package io.hankyo.node.call;

import io.hankyo.protocol.judgment.JudgmentRules.Scope;
import io.hankyo.protocol.judgment.PriorCalls;
import io.hankyo.protocol.judgment.Verdict;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * The duplicate index of the valid-call judgment (成果判定, issue 4, spec section 5): the connected calls of each
 * caller, per operator and scope (the tracking number, the advertiser), that the {@link Call} entity asks for the
 * {@link PriorCalls} of {@code Judge} when a call to a number whose rules have a {@code duplicate} rule ends, and adds
 * the call to after its {@link Call.CallEnded} is persisted.
 *
 * <p>Asynchronous: the entity asks with a timeout and judges without the duplicate rule when the answer does not come;
 * writes are fire-and-forget (a lost write only means a later call from the same caller is not seen as a duplicate).
 */
public interface CallerHistory {
  /** No index: nothing is ever a duplicate (tests of other behaviour, nodes without Cassandra). */
  CallerHistory NONE = new CallerHistory() {
    @Override
    public CompletionStage<Optional<PriorCalls.PriorCall>> latest(PriorCalls.Query query) {
      return CompletableFuture.completedFuture(Optional.empty());
    }

    @Override
    public CompletionStage<Done> record(Entry entry) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
  };

  /**
   * The latest call matching {@code query} (see {@link PriorCalls#latest}: arrival in ({@code since}, {@code
   * before}), both exclusive; valid ones only when {@code validOnly}).
   *
   * @return completes with the call or empty; fails when the index cannot be read
   */
  CompletionStage<Optional<PriorCalls.PriorCall>> latest(PriorCalls.Query query);

  /** Adds one call under one scope (idempotent: the same entry twice is one row); completes when acknowledged. */
  CompletionStage<Done> record(Entry entry);

  /**
   * One connected, judged call of one caller under one scope.
   *
   * @param scope number or advertiser
   * @param operatorId the call's operator
   * @param scopeKey {@code dialin_id} for {@link Scope#NUMBER}, {@code client_id} for {@link Scope#ADVERTISER}
   * @param callerKey the caller's keyed hash (HMAC-SHA256 hex of the E.164 From, or of P-Asserted-Identity when From
   *     is withheld), or {@code Judge.WITHHELD_CALLER}
   * @param arrivedAt {@code din_tms}: the call's arrival (periods are measured between arrivals)
   * @param trnId the call's {@code trn_id}
   * @param verdict the call's judgment (for {@code earlier_calls: "valid"})
   */
  record Entry(Scope scope, String operatorId, String scopeKey, String callerKey, Instant arrivedAt, String trnId,
      Verdict verdict) {
    /** Checks the parts. */
    public Entry {
      Objects.requireNonNull(scope, "scope");
      Objects.requireNonNull(operatorId, "operatorId");
      Objects.requireNonNull(scopeKey, "scopeKey");
      Objects.requireNonNull(callerKey, "callerKey");
      Objects.requireNonNull(arrivedAt, "arrivedAt");
      Objects.requireNonNull(trnId, "trnId");
      Objects.requireNonNull(verdict, "verdict");
    }
  }
}
