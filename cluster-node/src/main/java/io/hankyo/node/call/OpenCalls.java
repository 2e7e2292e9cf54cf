package io.hankyo.node.call;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * The index of calls left open: the {@link Call} entity adds its call when it persists {@link Call.CallArrived} and
 * removes it when it persists {@link Call.CallEnded}; the {@link OpenCallSweeper} reads it to wake entities that
 * nothing else would wake after a node crash (sharding does not restart entities by itself).
 *
 * <p>Both writes are fire-and-forget for the entity: it never waits for them, and a lost write is harmless (a lost
 * insert leaves the call to its death watch as before; a lost delete makes the sweeper wake an ended entity, which
 * removes the row again).
 */
public interface OpenCalls {
  /** No index (tests of other behaviour, nodes without Cassandra). */
  OpenCalls NONE = new OpenCalls() {
    @Override
    public CompletionStage<Done> opened(String trnId, Instant arrivedAt) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }

    @Override
    public CompletionStage<Done> closed(String trnId) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
  };

  /**
   * Adds call {@code trnId}; completes when the index acknowledged it.
   *
   * @param arrivedAt when the call arrived at the gateway ({@code CallArrival.arrivedAt}), so the sweeper can leave
   *     young calls alone
   */
  CompletionStage<Done> opened(String trnId, Instant arrivedAt);

  /** Removes call {@code trnId} (idempotent); completes when the index acknowledged it. */
  CompletionStage<Done> closed(String trnId);

  /** An open call as the index holds it. */
  record Entry(String trnId, Instant arrivedAt) {}
}
