package io.hankyo.node.notify;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * Where a notification delivery entity ({@link WebhookDelivery}) writes the summary of its state after every change,
 * so that deliveries can be listed by operator and time (issue 4: "a delivery log per attempt readable through the
 * API"). The full log (every attempt) stays in the entity; the index holds one row per delivery.
 *
 * <p>Writes are idempotent upserts ordered by {@code sequenceNr} (the entity's last event sequence number when the
 * state was reached): a write of an older state never overwrites a newer one, and a write repeated (on recovery, the
 * entity writes its recovered state again) changes nothing. A failed write is not retried by the entity; the next
 * change or recovery writes the state again. The index is therefore eventually consistent with the entity, never
 * ahead of it.
 */
@FunctionalInterface
public interface DeliveryIndex {
  /** An index that records nothing (unit tests, nodes without the read side). */
  DeliveryIndex NONE = (channel, entityId, sequenceNr, state) -> CompletableFuture.completedFuture(Done.getInstance());

  /**
   * Records the current state of a delivery.
   *
   * @param channel the entity's channel
   * @param entityId {@code <trn_id>:<event>}
   * @param sequenceNr the entity's sequence number of the last event applied to {@code state} (orders the writes)
   * @param state the delivery as it stands
   * @return completes when written; fails when it could not be
   */
  CompletionStage<Done> record(WebhookDelivery.Channel channel, String entityId, long sequenceNr,
      WebhookDelivery.Delivery state);
}
