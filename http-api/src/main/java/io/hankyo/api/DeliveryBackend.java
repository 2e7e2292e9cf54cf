package io.hankyo.api;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The cluster side of the notification delivery log API ({@code /v1/webhook-deliveries}, issue 4: "a delivery log per
 * attempt readable through the API, and a redeliver-from-here API"). Kept apart from {@link ApiBackend} (like {@link
 * CallbackBackend}) so that the feature can be wired in, and faked in tests, on its own.
 *
 * <p>Delivery ids are {@code <channel>:<trn_id>:<event>}, e.g. {@code webhook:01HX…:call_ended} or {@code
 * email:01HX…:call_ended}; the API also accepts the webhook's {@code Idempotency-Key} ({@code <trn_id>:<event>}) for a
 * webhook delivery.
 */
public interface DeliveryBackend {
  /** Statuses of a delivery, as the API names them. */
  List<String> STATUSES = List.of("pending", "delivered", "gave_up");

  /**
   * One delivery as listed.
   *
   * @param id {@code <channel>:<trn_id>:<event>}
   * @param channel {@code webhook} or {@code email}
   * @param idempotencyKey {@code <trn_id>:<event>}, sent on every attempt as {@code Idempotency-Key}
   * @param trnId the call
   * @param clientId the advertiser
   * @param dialinId the tracking number's id
   * @param target the webhook URL, or the {@code mailto:} target
   * @param status {@code pending}, {@code delivered} or {@code gave_up}
   * @param requestedAt when the notification was decided (persisted before the first attempt)
   * @param attempts attempts recorded so far
   * @param lastAttemptAt the end of the last recorded attempt; null before the first
   * @param lastStatus its HTTP status; null when it had none
   * @param lastError its error (network, timeout, interrupted); null when none
   * @param nextAttemptAt when the next attempt is due; null when none is scheduled
   * @param closedAt when it was delivered or given up; null while pending
   */
  record Summary(String id, String channel, String idempotencyKey, String trnId, String clientId, String dialinId,
      String target, String status, Instant requestedAt, int attempts, Instant lastAttemptAt, Integer lastStatus,
      String lastError, Instant nextAttemptAt, Instant closedAt) {}

  /**
   * One attempt of the log.
   *
   * @param number 1, 2, … (counting on across redeliveries)
   * @param startedAt when it started
   * @param finishedAt when its result was recorded
   * @param httpStatus the HTTP status; null when there was none
   * @param error the error when there was no status; null otherwise
   * @param durationMs measured duration, milliseconds; -1 when unknown
   * @param outcome {@code delivered}, {@code retry} or {@code final} (what the retry policy made of it)
   */
  record Attempt(int number, Instant startedAt, Instant finishedAt, Integer httpStatus, String error,
      long durationMs, String outcome) {}

  /**
   * A delivery with its whole log.
   *
   * @param summary the listing's fields
   * @param attempts every attempt, oldest first
   * @param inFlight the number of an attempt started without a result yet; null when none
   * @param gaveUpReason why it gave up; null otherwise
   */
  record Detail(Summary summary, List<Attempt> attempts, Integer inFlight, String gaveUpReason) {
    public Detail {
      attempts = List.copyOf(attempts);
    }
  }

  /**
   * A listing's filters (checked by the API).
   *
   * @param channel {@code webhook} or {@code email}
   * @param clientId only this advertiser's; null for all
   * @param trnId only this call's; null for all
   * @param status only this status; null for all
   * @param from requested at or after (inclusive)
   * @param to requested before (exclusive)
   * @param limit at most this many rows, 1..{@value DeliveryApi#MAX_LIMIT}
   */
  record Query(String channel, String clientId, String trnId, String status, Instant from, Instant to, int limit) {}

  /** The operator's deliveries matching {@code query}, newest request first. */
  CompletionStage<List<Summary>> list(String operatorId, Query query);

  /**
   * One delivery with its log.
   *
   * @return fails with {@link ApiProblem} 404 when there is no such delivery or it is another operator's
   */
  CompletionStage<Detail> get(String operatorId, String id);

  /**
   * Sends a delivered or given-up delivery again from a new attempt series (same {@code Idempotency-Key}; the retry
   * horizon starts again).
   *
   * @return the delivery afterwards (pending, its next attempt due now); fails with {@link ApiProblem} 404 as {@link
   *     #get}, 409 while the delivery is still pending
   */
  CompletionStage<Detail> redeliver(String operatorId, String id);
}
