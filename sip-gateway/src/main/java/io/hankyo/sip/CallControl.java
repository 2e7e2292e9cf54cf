package io.hankyo.sip;

import io.hankyo.protocol.call.CallArrival;
import io.hankyo.protocol.call.CallInstruction;
import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.RouteDecision;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The gateway's view of the cluster (the "brain", design-notes.md section 1). Implemented by the cluster node on the
 * sharded TrackingNumber and Call entities; only {@code protocol} records cross it.
 */
public interface CallControl {

  /**
   * The cluster's answer to a new call: what to do now, and when the call's arrival is durably recorded.
   *
   * <p>The two are separate so that the journal write stays off the post-dial path: the gateway acts on
   * {@code decision} at once (sends the forward INVITE, relays ringing), and holds the destination's answer (the 2xx
   * toward the caller, the moment the call becomes billable) until {@code recorded} completes. When {@code recorded}
   * fails the gateway gives the call up with 503: no call is ever connected that the cluster has not recorded.
   *
   * @param decision {@link RouteDecision.Forward}, or {@link RouteDecision.Reject} (404 for an unknown number; no
   *     entity created)
   * @param recorded completes when the Call entity has persisted the arrival; fails when it could not (timeout,
   *     journal failure). Already complete for a {@link RouteDecision.Reject}.
   */
  record Admission(RouteDecision decision, CompletionStage<Done> recorded) {
    public Admission {
      Objects.requireNonNull(decision, "decision");
      Objects.requireNonNull(recorded, "recorded");
    }

    /** An admission whose decision needs no record (a rejection, or a decision recorded before it was returned). */
    public static Admission recorded(RouteDecision decision) {
      return new Admission(decision, CompletableFuture.completedFuture(Done.getInstance()));
    }
  }

  /**
   * A new call arrived. The cluster looks up the tracking number and, when it exists, decides where to forward and
   * starts the Call entity, which records the arrival.
   *
   * @param arrival the call, caller already encrypted
   * @param gateway where the Call entity sends its {@link CallInstruction}s for this call (e.g. ring timeout)
   * @return the {@link Admission}; fails when the cluster does not decide in time (the gateway then answers 503)
   */
  CompletionStage<Admission> arrive(CallArrival arrival, ActorRef<CallInstruction> gateway);

  /**
   * Reports progress of a call. Delivered at least once (the implementation retries); completes when the Call entity
   * has taken it (for {@link CallProgress.Answered} and {@link CallProgress.Ended}: persisted).
   */
  CompletionStage<Done> report(CallProgress progress);
}
