package io.hankyo.sip;

import io.hankyo.protocol.call.CallArrival;
import io.hankyo.protocol.call.CallInstruction;
import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.RouteDecision;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The gateway's view of the cluster (the "brain", design-notes.md section 1). Implemented by the cluster node on the
 * sharded TrackingNumber and Call entities; only {@code protocol} records cross it.
 */
public interface CallControl {

  /**
   * A new call arrived. The cluster looks up the tracking number and, when it exists, creates the Call entity and
   * decides where to forward.
   *
   * @param arrival the call, caller already encrypted
   * @param gateway where the Call entity sends its {@link CallInstruction}s for this call (e.g. ring timeout)
   * @return {@link RouteDecision.Forward}, or {@link RouteDecision.Reject} (404 for an unknown number, no entity
   *     created); fails when the cluster does not answer in time (the gateway then answers 503)
   */
  CompletionStage<RouteDecision> arrive(CallArrival arrival, ActorRef<CallInstruction> gateway);

  /**
   * Reports progress of a call. Delivered at least once (the implementation retries); completes when the Call entity
   * has taken it (for {@link CallProgress.Answered} and {@link CallProgress.Ended}: persisted).
   */
  CompletionStage<Done> report(CallProgress progress);
}
