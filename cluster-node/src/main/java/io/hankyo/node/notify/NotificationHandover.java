package io.hankyo.node.notify;

import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.notify.NotificationSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the notifications of one ended call to their delivery entities (issue 4, the outbox step of {@link
 * NotificationProjection}): for each channel the call's record marks as fired ({@code nfy_http}, {@code nfy_email}),
 * one request to that channel's delivery entity, whose id is deterministic ({@code <trn_id>:call_ended} per entity
 * type), so a replayed handover is a no-op. Completes when every entity has persisted its request; fails otherwise
 * (the projection then retries the envelope).
 *
 * <p>The addresses (webhook URL, email recipients) are those of the tracking number's current notification settings
 * (the call's record says whether a channel fired; the settings it arrived with are not in the ended event); when the
 * number no longer has that channel, or belongs to another record, the notification is dropped with a warning. The
 * request carries the call-log record as stored (caller encrypted) and a secret reference, never a secret or a clear
 * caller number.
 */
public final class NotificationHandover {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationHandover.class);

  /** The delivery entities, as asks that complete once the request is persisted. */
  @FunctionalInterface
  public interface Outbox {
    /** {@link WebhookDelivery.Deliver}{@code (target, secretRef, storedPayload)} to entity {@code entityId} of the
     * channel's type; completes once the entity persisted it (or already had it), fails otherwise. */
    CompletionStage<Done> deliver(WebhookDelivery.Channel channel, String entityId, String target, String secretRef,
        String storedPayload);
  }

  private final Function<String, CompletionStage<Optional<NumberRoute>>> routes;
  private final Outbox outbox;
  private final CallNotificationPayload payloads;

  /**
   * @param routes the current route of a number by E.164 ({@code NumberRoutes::lookup})
   * @param outbox the delivery entities
   * @param payloads renders the stored form of a record
   */
  public NotificationHandover(Function<String, CompletionStage<Optional<NumberRoute>>> routes, Outbox outbox,
      CallNotificationPayload payloads) {
    this.routes = routes;
    this.outbox = outbox;
    this.payloads = payloads;
  }

  /** The secret reference of a tracking-number record: {@code <E.164>|<client_id>|<dialin_id>}. */
  public static String secretRef(CallLogRecord r) {
    return r.din().e164() + "|" + r.clientId() + "|" + r.dialinId();
  }

  /**
   * The webhook secret a reference names, from the number's current settings as the tracking number entity holds them
   * (with the secret; a {@link NumberRoute} never carries it, issue 4); empty when it names none any more.
   *
   * @param ref {@link #secretRef} of the call
   * @param clientId the number's current {@code client_id}; null when it is not a tracking number now
   * @param dialinId the number's current {@code dialin_id}; null when it is not a tracking number now
   * @param current the number's current settings with their secret; null when it has none
   */
  public static Optional<String> webhookSecret(String ref, String clientId, String dialinId,
      NotificationSettings current) {
    String[] parts = ref.split("\\|", 3);
    if (parts.length != 3 || clientId == null || !clientId.equals(parts[1]) || dialinId == null
        || !dialinId.equals(parts[2]) || current == null || current.webhook() == null
        || current.webhook().secret() == null || current.webhook().secret().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(current.webhook().secret());
  }

  /** The E.164 number a {@link #secretRef} names (its tracking number, the entity id of {@code TrackingNumber}). */
  public static String numberOf(String ref) {
    return ref.split("\\|", 2)[0];
  }

  /** The delivery entity id of a call's notification: {@code <trn_id>:call_ended}. */
  public static String entityId(CallLogRecord r) {
    return new WebhookDelivery.DeliveryId(r.trnId(), CallNotificationPayload.CALL_ENDED).entityId();
  }

  /** Hands over the notifications of one ended call; done at once when none fired. */
  public CompletionStage<Done> handOver(CallLogRecord r) {
    if (!r.nfyHttp() && !r.nfyEmail()) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    return routes.apply(r.din().e164()).thenCompose(route -> {
      NotificationSettings settings = route.filter(x -> x.clientId().equals(r.clientId())
          && x.dialinId().equals(r.dialinId())).map(NumberRoute::notifications).orElse(null);
      List<CompletableFuture<Done>> asks = new ArrayList<>();
      if (r.nfyHttp()) {
        if (settings == null || settings.webhook() == null) {
          LOG.warn("call {}: webhook notification dropped: {} ({}) has no webhook settings any more", r.trnId(),
              r.dialinId(), r.din().e164());
        } else {
          asks.add(outbox.deliver(WebhookDelivery.Channel.WEBHOOK, entityId(r), settings.webhook().url(),
              secretRef(r), payloads.stored(r)).toCompletableFuture());
        }
      }
      if (r.nfyEmail()) {
        if (settings == null || settings.email() == null) {
          LOG.warn("call {}: email notification dropped: {} ({}) has no email settings any more", r.trnId(),
              r.dialinId(), r.din().e164());
        } else {
          asks.add(outbox.deliver(WebhookDelivery.Channel.EMAIL, entityId(r),
              EmailTransport.target(settings.email().to()), secretRef(r),
              payloads.storedEmail(r, CallNotificationPayload.kindOf(settings.email().trigger())))
              .toCompletableFuture());
        }
      }
      return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(x -> Done.getInstance());
    });
  }
}
