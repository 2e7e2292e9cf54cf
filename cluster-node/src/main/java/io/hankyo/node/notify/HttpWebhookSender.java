package io.hankyo.node.notify;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * {@link WebhookSender} on {@link java.net.http.HttpClient} (issue 4): {@code POST}, {@code Content-Type:
 * application/json}, the request's headers, a connect timeout and a whole-request timeout, no redirects followed
 * (a redirect is a final answer, see {@link RetryPolicy#classify}); {@code http} URLs are sent as plain HTTP/1.1 (no h2c
 * upgrade offer), {@code https} ones may negotiate HTTP/2. Asynchronous: the client's own threads do the I/O,
 * never the actor's. The response body is read and discarded (at most what the receiver sends; receivers answer
 * small bodies). Thread-safe; one instance per node.
 *
 * <p><b>SSRF guard</b> (issue 4): unless private receivers are allowed ({@code hankyo.notify.webhook-allow-private}),
 * every attempt first resolves the URL's host (on a small thread pool of its own, DNS blocks) and ends as a final
 * {@link AttemptResult.Refused} ("refused: 127.0.0.1 is a loopback address; set hankyo.notify.webhook-allow-private =
 * on to allow private receivers") when any of its addresses is one {@link WebhookAddressGuard} forbids. The check is
 * made at send time because DNS can change after the URL was stored. Remaining window: the JDK client resolves the
 * name again when it connects (it offers no way to connect to a given address while keeping the Host header and TLS
 * server name), so a receiver whose DNS answer changes between the check and the connect (DNS rebinding) could still
 * be reached; the JVM's positive DNS cache ({@code networkaddress.cache.ttl}, 30 s by default) makes the second
 * lookup return the checked addresses in the usual case.
 */
public final class HttpWebhookSender implements WebhookSender {
  /** The {@code User-Agent} of every request. */
  public static final String USER_AGENT = "Hankyo-Webhook/1";

  private final HttpClient client;
  private final boolean allowPrivate;
  private final Executor resolver;

  /**
   * A sender that refuses private receivers (see the class comment).
   *
   * @param connectTimeout the TCP/TLS connect timeout (e.g. 5 s)
   */
  public HttpWebhookSender(Duration connectTimeout) {
    this(connectTimeout, false);
  }

  /**
   * @param connectTimeout the TCP/TLS connect timeout (e.g. 5 s)
   * @param allowPrivate whether loopback, link-local, private and multicast receivers are allowed
   *     ({@code hankyo.notify.webhook-allow-private})
   */
  public HttpWebhookSender(Duration connectTimeout, boolean allowPrivate) {
    this.allowPrivate = allowPrivate;
    this.resolver = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "webhook-dns");
      t.setDaemon(true);
      return t;
    });
    this.client = HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  @Override
  public CompletionStage<AttemptResult> send(Request request) {
    long started = System.nanoTime();
    String host = request.url().getHost();
    if (allowPrivate || host == null) {
      return post(request, started);
    }
    return CompletableFuture.supplyAsync(() -> {
      try {
        return WebhookAddressGuard.checkHost(host);
      } catch (java.net.UnknownHostException e) {
        return Optional.<String>empty(); // the client's own lookup fails the same way and reports it (retried)
      }
    }, resolver).thenCompose(refusal -> refusal.isPresent()
        ? CompletableFuture.completedFuture(new AttemptResult.Refused(refusal.get(), elapsedMs(started)))
        : post(request, started));
  }

  private CompletionStage<AttemptResult> post(Request request, long started) {
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
