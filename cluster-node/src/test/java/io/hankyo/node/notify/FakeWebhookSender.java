package io.hankyo.node.notify;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@link WebhookSender} whose every send waits for the test to complete it. */
final class FakeWebhookSender implements WebhookSender {
  /** One send: what was sent, and the result the test completes. */
  record Sent(Request request, CompletableFuture<AttemptResult> result) {
    String header(String name) {
      return request.headers().get(name);
    }
  }

  private final LinkedBlockingQueue<Sent> sent = new LinkedBlockingQueue<>();

  @Override
  public CompletionStage<AttemptResult> send(Request request) {
    CompletableFuture<AttemptResult> f = new CompletableFuture<>();
    sent.add(new Sent(request, f));
    return f;
  }

  /** The next send, waiting up to 5 s for it. */
  Sent next() throws InterruptedException {
    Sent s = sent.poll(5, TimeUnit.SECONDS);
    assertNotNull(s, "expected a webhook send");
    return s;
  }

  /** Asserts nothing is sent within {@code d}. */
  void expectNone(Duration d) throws InterruptedException {
    Sent s = sent.poll(d.toMillis(), TimeUnit.MILLISECONDS);
    assertNull(s, () -> "unexpected send " + s.request().headers());
  }
}
