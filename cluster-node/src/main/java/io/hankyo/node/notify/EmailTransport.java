package io.hankyo.node.notify;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The email channel's transport for the outbox entity ({@link WebhookDelivery.Channel#EMAIL}, issue 4 {@code
 * nfy_email}): the request's target is {@code mailto:a@example.jp,b@example.jp} (RFC 6068, addresses
 * percent-encoded), its body the stored email notification ({@link CallNotificationPayload#storedEmail}); the email is
 * composed at send time (caller decrypted) and sent by {@link EmailSender} on {@code blocking}.
 *
 * <p>Results: {@link EmailSendResult.Sent} → a 250 "response" (delivered); {@link EmailSendResult.Retryable} → a
 * {@link AttemptResult.Failure} (retried by the policy); {@link EmailSendResult.Permanent} → {@link
 * AttemptResult.Refused} (given up). A stored payload that cannot be read is refused too.
 */
public final class EmailTransport implements WebhookSender {
  private final EmailSender sender;
  private final CallNotificationPayload payloads;
  private final Executor blocking;

  /**
   * @param sender the SMTP client
   * @param payloads composes the email from the stored notification
   * @param blocking where the SMTP conversation runs (it blocks)
   */
  public EmailTransport(EmailSender sender, CallNotificationPayload payloads, Executor blocking) {
    this.sender = sender;
    this.payloads = payloads;
    this.blocking = blocking;
  }

  /** The {@code mailto:} target of a recipient list. */
  public static String target(List<String> to) {
    return "mailto:" + String.join(",", to.stream()
        .map(a -> java.net.URLEncoder.encode(a, StandardCharsets.UTF_8).replace("%40", "@")).toList());
  }

  /** The recipients of a {@code mailto:} target. */
  public static List<String> recipients(String target) {
    String list = target.substring("mailto:".length());
    int q = list.indexOf('?');
    if (q >= 0) {
      list = list.substring(0, q);
    }
    return Arrays.stream(list.split(",")).map(a -> URLDecoder.decode(a, StandardCharsets.UTF_8))
        .filter(a -> !a.isBlank()).toList();
  }

  @Override
  public CompletionStage<AttemptResult> send(Request request) {
    return CompletableFuture.supplyAsync(() -> {
      long start = System.nanoTime();
      CallEmail email;
      try {
        email = payloads.email(new String(request.body(), StandardCharsets.UTF_8));
      } catch (RuntimeException e) {
        return new AttemptResult.Refused("unreadable email notification: " + e.getMessage(), 0);
      }
      EmailSendResult r = sender.send(email, recipients(request.url().toString()));
      long ms = (System.nanoTime() - start) / 1_000_000;
      if (r instanceof EmailSendResult.Sent) {
        return new AttemptResult.Response(250, null, ms);
      }
      if (r instanceof EmailSendResult.Permanent p) {
        return new AttemptResult.Refused(r.describe(), ms);
      }
      return new AttemptResult.Failure(r.describe(), false, ms);
    }, blocking);
  }
}
