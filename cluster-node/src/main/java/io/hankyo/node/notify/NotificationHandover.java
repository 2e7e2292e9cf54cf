package io.hankyo.node.notify;

import io.hankyo.node.callback.LeaseResult;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.notify.NotificationSettings;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
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
 *
 * <p><b>SMS</b> (issue 4): when {@code logvars.nfy_sms} is {@code true}, one {@link WebhookDelivery.Channel#SMS}
 * delivery per recipient of the number's {@code sms.to} ({@code <trn_id>:sms_<digits>}, target {@code sms:<E.164>}),
 * so a retry never sends again to a recipient already accepted; when {@code logvars.nfy_caller_sms} is {@code true}
 * and {@link CallerSmsRule} lets it go, one delivery {@code <trn_id>:caller_sms} with target {@code sms:caller} (the
 * number is decrypted only when sent).
 *
 * <p><b>Callback number</b> (issue 4): for a missed call (no {@code tst_tms}) with a caller number that notifies the
 * advertiser, the {@link Callbacks} lease a number of the operator's pool <em>before</em> anything is persisted; the
 * result goes into the stored record's {@code logvars} ({@link CallNotificationPayload#withCallback}) and so into the
 * email, the SMS and the webhook payload.
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

  /**
   * Callback numbers for missed-call notifications (issue 4, 折返し通話トラッキング): leases one for a call.
   */
  @FunctionalInterface
  public interface Callbacks {
    /**
     * Leases a callback number for the missed call {@code r} (idempotent per {@code trn_id}: a replayed handover
     * gets the same number).
     *
     * @return empty when the call's operator has no callback pool configured (no callback line at all); else the
     *     lease's result; a failed stage fails the handover (the projection retries it)
     */
    CompletionStage<Optional<LeaseResult>> lease(CallLogRecord r);

    /** No callback tracking. */
    static Callbacks none() {
      return r -> CompletableFuture.completedFuture(Optional.empty());
    }
  }

  private final Function<String, CompletionStage<Optional<NumberRoute>>> routes;
  private final Outbox outbox;
  private final CallNotificationPayload payloads;
  private final Callbacks callbacks;

  /**
   * @param routes the current route of a number by E.164 ({@code NumberRoutes::lookup})
   * @param outbox the delivery entities
   * @param payloads renders the stored form of a record
   */
  public NotificationHandover(Function<String, CompletionStage<Optional<NumberRoute>>> routes, Outbox outbox,
      CallNotificationPayload payloads) {
    this(routes, outbox, payloads, Callbacks.none());
  }

  /**
   * @param callbacks leases the callback number of a missed call before its notifications are persisted
   * @see #NotificationHandover(Function, Outbox, CallNotificationPayload)
   */
  public NotificationHandover(Function<String, CompletionStage<Optional<NumberRoute>>> routes, Outbox outbox,
      CallNotificationPayload payloads, Callbacks callbacks) {
    this.routes = routes;
    this.outbox = outbox;
    this.payloads = payloads;
    this.callbacks = java.util.Objects.requireNonNull(callbacks, "callbacks");
  }

  /** The entity id of the SMS to one advertiser recipient: {@code <trn_id>:sms_<E.164 digits>}. */
  public static String smsEntityId(CallLogRecord r, PhoneNumber to) {
    return new WebhookDelivery.DeliveryId(r.trnId(), SmsTransport.event(to)).entityId();
  }

  /** The entity id of the SMS to the caller: {@code <trn_id>:caller_sms}. */
  public static String callerSmsEntityId(CallLogRecord r) {
    return new WebhookDelivery.DeliveryId(r.trnId(), SmsTransport.CALLER_EVENT).entityId();
  }

  /** True when the record says the SMS channel fired ({@code logvars.nfy_sms} = {@code true}). */
  public static boolean smsFired(CallLogRecord r) {
    return "true".equals(r.logvars().get(NotificationPlan.NFY_SMS));
  }

  /** True when the record says the SMS to the caller fired ({@code logvars.nfy_caller_sms} = {@code true}). */
  public static boolean callerSmsFired(CallLogRecord r) {
    return "true".equals(r.logvars().get(NotificationPlan.NFY_CALLER_SMS));
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
  public CompletionStage<Done> handOver(CallLogRecord call) {
    boolean advertiserNotified = call.nfyHttp() || call.nfyEmail() || smsFired(call);
    if (!advertiserNotified && !callerSmsFired(call)) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    // a missed call with a caller: lease the callback number first, so that what is persisted (and every resend on
    // every channel) shows it; idempotent per trn_id, so a replayed handover gets the same number
    CompletionStage<CallLogRecord> withCallback = advertiserNotified && call.answeredAt() == null
        && call.caller() != null
        ? callbacks.lease(call).thenApply(lease -> lease.map(l -> CallNotificationPayload.withCallback(call, l))
            .orElse(call))
        : CompletableFuture.completedFuture(call);
    return withCallback.thenCompose(r -> routes.apply(r.din().e164()).thenCompose(route -> {
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
      if (smsFired(r)) {
        if (settings == null || settings.sms() == null) {
          LOG.warn("call {}: SMS notification dropped: {} ({}) has no SMS settings any more", r.trnId(),
              r.dialinId(), r.din().e164());
        } else {
          String stored = payloads.storedSms(r, CallNotificationPayload.kindOf(settings.sms().trigger()).code(), null);
          for (PhoneNumber to : settings.sms().to()) {
            asks.add(outbox.deliver(WebhookDelivery.Channel.SMS, smsEntityId(r, to), SmsTransport.target(to),
                secretRef(r), stored).toCompletableFuture());
          }
        }
      }
      if (callerSmsFired(r)) {
        callerSms(r, settings).ifPresent(stored -> asks.add(outbox.deliver(WebhookDelivery.Channel.SMS,
            callerSmsEntityId(r), SmsTransport.CALLER_TARGET, secretRef(r), stored).toCompletableFuture()));
      }
      return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(x -> Done.getInstance());
    }));
  }

  /**
   * The stored SMS to the caller when {@link CallerSmsRule} lets it go (a Japanese 070/080/090 mobile caller); the
   * caller number is decrypted here only to decide, the stored form keeps it encrypted ({@code sms:caller}).
   */
  private Optional<String> callerSms(CallLogRecord r, NotificationSettings settings) {
    if (settings == null || settings.callerSms() == null) {
      LOG.warn("call {}: caller SMS dropped: {} ({}) has no caller SMS settings any more", r.trnId(), r.dialinId(),
          r.din().e164());
      return Optional.empty();
    }
    PhoneNumber caller = Optional.ofNullable(payloads.caller(r)).flatMap(PhoneNumbers::tryParse).orElse(null);
    CallerSmsRule.Decision d = CallerSmsRule.decide(caller, r.callerType(),
        new CallerSmsRule.Settings(true, settings.callerSms().text()));
    if (d instanceof CallerSmsRule.Skip skip) {
      LOG.info("call {}: no SMS to the caller: {} ({})", r.trnId(), skip.reason(), skip.detail());
      return Optional.empty();
    }
    return Optional.of(payloads.storedSms(r, CallNotificationPayload.CALLER_SMS, settings.callerSms().text()));
  }
}
