package io.hankyo.node.notify;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The port through which {@link WebhookDelivery} POSTs a webhook (issue 4, {@code nfy_http}). The real implementation
 * is {@link HttpWebhookSender}; tests use fakes. Called on the entity's thread, it must not block: the work runs
 * elsewhere and the result is piped back to the entity.
 */
public interface WebhookSender {
  /**
   * Sends one attempt.
   *
   * @return completes with the result; must complete normally (errors become {@link AttemptResult.Failure}), and
   *     within about {@code request.timeout()}
   */
  CompletionStage<AttemptResult> send(Request request);

  /**
   * One POST.
   *
   * @param url the webhook URL (http or https)
   * @param headers the headers to set besides {@code Content-Type: application/json} (signature, idempotency key...)
   * @param body the JSON body, exactly the bytes that were signed
   * @param timeout the whole request's timeout
   */
  record Request(URI url, Map<String, String> headers, byte[] body, Duration timeout) {
    /** Copies the headers. */
    public Request {
      headers = Map.copyOf(headers);
    }
  }
}
