package io.hankyo.node.notify;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * {@link WebhookSender} on {@link java.net.http.HttpClient} (issue 4): {@code POST}, {@code Content-Type:
 * application/json}, the request's headers, a connect timeout and a whole-request timeout, no redirects followed
 * (a redirect is a final answer, see {@link RetryPolicy#classify}); {@code http} URLs are sent as plain HTTP/1.1 (no h2c
 * upgrade offer), {@code https} ones may negotiate HTTP/2. Asynchronous: the client's own threads do the I/O,
 * never the actor's. The response body is read and discarded (at most what the receiver sends; receivers answer
 * small bodies). Thread-safe; one instance per node.
 */
public final class HttpWebhookSender implements WebhookSender {
  /** The {@code User-Agent} of every request. */
  public static final String USER_AGENT = "Hankyo-Webhook/1";

  private final HttpClient client;

  /** @param connectTimeout the TCP/TLS connect timeout (e.g. 5 s) */
  public HttpWebhookSender(Duration connectTimeout) {
    this.client = HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  @Override
  public CompletionStage<AttemptResult> send(Request request) {
    long started = System.nanoTime();
    HttpRequest.Builder b = HttpRequest.newBuilder(request.url())
        .timeout(request.timeout())
        .header("Content-Type", "application/json")
        .header("User-Agent", USER_AGENT)
        .POST(HttpRequest.BodyPublishers.ofByteArray(request.body()));
    if ("http".equalsIgnoreCase(request.url().getScheme())) {
      // plain HTTP/1.1: the client's default would offer an h2c upgrade (Upgrade, HTTP2-Settings), which many
      // receivers and proxies mishandle; https negotiates HTTP/2 by ALPN instead
      b.version(HttpClient.Version.HTTP_1_1);
    }
    request.headers().forEach(b::header);
    CompletableFuture<HttpResponse<Void>> sent;
    try {
      sent = client.sendAsync(b.build(), HttpResponse.BodyHandlers.discarding());
    } catch (RuntimeException e) { // e.g. a restricted header or an unsupported URL scheme
      return CompletableFuture.completedFuture(
          new AttemptResult.Failure(describe(e), false, elapsedMs(started)));
    }
    return sent.handle((response, error) -> {
      long ms = elapsedMs(started);
      if (error != null) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return new AttemptResult.Failure(describe(cause), cause instanceof HttpTimeoutException, ms);
      }
      return new AttemptResult.Response(
          response.statusCode(), response.headers().firstValue("Retry-After").orElse(null), ms);
    });
  }

  private static long elapsedMs(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
  }
}
