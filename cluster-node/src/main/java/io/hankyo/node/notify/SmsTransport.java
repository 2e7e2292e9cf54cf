package io.hankyo.node.notify;

import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The SMS channel's transport for the outbox entity ({@link WebhookDelivery.Channel#SMS}, issue 4 "SMS over SMPP 3.4
 * (jSMPP) to a configured SMSC" and "SMS to the caller after the call"): one delivery entity per recipient, so a retry
 * never sends again to a recipient the SMSC already accepted.
 *
 * <p>Targets: {@code sms:<E.164>} (an advertiser's recipient from the number's {@code sms.to}), or {@value
 * #CALLER_TARGET} (the call's caller: the number is decrypted from the stored record's {@code clr_id_cipher} at send
 * time, so it is never in the journal in clear). The request's body is a stored SMS notification ({@link
 * CallNotificationPayload#storedSms}); the text is composed at send time ({@link CallNotificationPayload#sms}) and sent
 * by {@link SmsSender} on {@code blocking} (it blocks and is synchronized: one submit at a time per node).
 *
 * <p>Results: {@link SmsSendResult.Sent} → a 200 "response" (delivered); {@link SmsSendResult.Retryable} → {@link
 * AttemptResult.Failure} (retried by the {@link RetryPolicy}); {@link SmsSendResult.Permanent} → {@link
 * AttemptResult.Refused} (given up). A stored notification that cannot be read, or a caller number that cannot be
 * decrypted any more, is refused too.
 */
public final class SmsTransport implements WebhookSender {
  /** The target of the SMS to the call's caller. */
  public static final String CALLER_TARGET = "sms:caller";

  private final SmsSender sender;
  private final CallNotificationPayload payloads;
  private final Executor blocking;

  /**
   * @param sender the SMPP client
   * @param payloads composes the text from the stored notification, decrypts the caller
   * @param blocking where the SMPP exchange runs
   */
  public SmsTransport(SmsSender sender, CallNotificationPayload payloads, Executor blocking) {
    this.sender = sender;
    this.payloads = payloads;
    this.blocking = blocking;
  }

  /** The target of one advertiser recipient: {@code sms:+819012345678}. */
  public static String target(PhoneNumber to) {
    return "sms:" + to.e164();
  }

  /** The entity-id event of one recipient: {@code sms_819012345678} (E.164 digits), unique per call and recipient. */
  public static String event(PhoneNumber to) {
    return "sms_" + to.e164().replaceAll("[^0-9]", "");
  }

  /** The entity-id event of the SMS to the caller. */
  public static final String CALLER_EVENT = "caller_sms";

  /** True for {@value #CALLER_TARGET} and {@code sms:} + a number {@link PhoneNumbers} reads. */
  public static boolean validTarget(String target) {
    if (target == null) {
      return false;
    }
    if (CALLER_TARGET.equals(target)) {
      return true;
    }
    return target.startsWith("sms:") && PhoneNumbers.tryParse(target.substring(4)).isPresent();
  }

  @Override
  public CompletionStage<AttemptResult> send(Request request) {
    return CompletableFuture.supplyAsync(() -> {
      long start = System.nanoTime();
      String target = request.url().toString();
      CallSms sms;
      Optional<PhoneNumber> to;
      try {
        String stored = new String(request.body(), StandardCharsets.UTF_8);
        sms = payloads.sms(stored);
        to = CALLER_TARGET.equals(target)
            ? Optional.ofNullable(payloads.caller(payloads.storedSms(stored).record())).flatMap(PhoneNumbers::tryParse)
            : PhoneNumbers.tryParse(target.substring("sms:".length()));
      } catch (RuntimeException e) {
        return new AttemptResult.Refused("unreadable SMS notification: " + e.getMessage(), 0);
      }
      if (to.isEmpty()) {
        return new AttemptResult.Refused("no recipient number for " + target
            + (CALLER_TARGET.equals(target) ? " (the caller number cannot be decrypted any more)" : ""), 0);
      }
      SmsSendResult r = sender.send(to.get(), sms.text());
      long ms = (System.nanoTime() - start) / 1_000_000;
      if (r instanceof SmsSendResult.Sent) {
        return new AttemptResult.Response(200, null, ms);
      }
      if (r instanceof SmsSendResult.Permanent) {
        return new AttemptResult.Refused(r.describe(), ms);
      }
      return new AttemptResult.Failure(r.describe(), false, ms);
    }, blocking);
  }
}
