package io.hankyo.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link HttpWebhookSender} against a real local server: what it sends, and how errors become results. */
class WebhookSenderHttpTest {
  private final HttpWebhookSender sender = new HttpWebhookSender(Duration.ofSeconds(2), true);
  private final CountDownLatch release = new CountDownLatch(1);
  private HttpServer server;
  private ExecutorService threads;

  @AfterEach
  void stop() {
    release.countDown();
    if (server != null) {
      server.stop(0);
      threads.shutdownNow();
    }
  }

  private URI serve(int status, String retryAfter, boolean block, AtomicReference<String> seen) throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    threads = Executors.newFixedThreadPool(2);
    server.setExecutor(threads);
    server.createContext("/", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      if (seen != null) {
        seen.set(ex.getRequestMethod() + " " + ex.getRequestHeaders().getFirst("Content-Type") + " "
            + ex.getRequestHeaders().getFirst("X-Test") + " " + new String(body, StandardCharsets.UTF_8)
            + (ex.getRequestHeaders().containsKey("Upgrade") || ex.getRequestHeaders().containsKey("HTTP2-Settings")
                ? " h2c-upgrade-offered" : ""));
      }
      if (block) {
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (retryAfter != null) {
        ex.getResponseHeaders().add("Retry-After", retryAfter);
      }
      ex.sendResponseHeaders(status, -1);
      ex.close();
    });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  private AttemptResult send(URI url, Duration timeout) throws Exception {
    return sender.send(new WebhookSender.Request(url, Map.of("X-Test", "yes"),
        "{\"a\":\"通話\"}".getBytes(StandardCharsets.UTF_8), timeout)).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void postsJsonWithTheHeadersAndReportsStatusAndRetryAfter() throws Exception {
    AtomicReference<String> seen = new AtomicReference<>();
    var r = assertInstanceOf(AttemptResult.Response.class, send(serve(429, "7", false, seen), Duration.ofSeconds(2)));
    assertEquals(429, r.status());
    assertEquals("7", r.retryAfter());
    assertTrue(r.durationMs() >= 0);
    assertEquals("POST application/json yes {\"a\":\"通話\"}", seen.get(), "plain HTTP/1.1, no h2c upgrade offer");
  }

  @Test
  void requestTimeoutIsAFailureMarkedTimeout() throws Exception {
    var r = assertInstanceOf(AttemptResult.Failure.class, send(serve(200, null, true, null), Duration.ofMillis(300)));
    assertTrue(r.timeout(), r.error());
    assertTrue(r.durationMs() >= 300, "took " + r.durationMs() + " ms");
  }

  @Test
  void refusedConnectionIsAFailure() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    var r = assertInstanceOf(AttemptResult.Failure.class,
        send(URI.create("http://127.0.0.1:" + port + "/hook"), Duration.ofSeconds(2)));
    assertTrue(!r.timeout() && r.error().contains("Connect"), r.error());
  }

  @Test
  void aGuardedSenderRefusesTheNodesOwnHostForGoodWithoutConnecting() throws Exception {
    AtomicReference<String> seen = new AtomicReference<>();
    URI url = serve(200, null, false, seen);
    HttpWebhookSender guarded = new HttpWebhookSender(Duration.ofSeconds(2));
    for (URI u : new URI[] {url, URI.create("http://localhost:" + url.getPort() + "/ready"),
        URI.create("http://[::ffff:127.0.0.1]:" + url.getPort() + "/ready")}) {
      AttemptResult result = guarded.send(new WebhookSender.Request(u, Map.of(), new byte[0], Duration.ofSeconds(2)))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      var r = assertInstanceOf(AttemptResult.Refused.class, result, u.toString());
      assertTrue(r.error().startsWith("refused: ") && r.error().contains(" is a loopback address; set "
          + "hankyo.notify.webhook-allow-private = on to allow private receivers"), r.error());
      assertEquals(RetryPolicy.Verdict.FINAL, RetryPolicy.classify(r), "never retried");
    }
    assertEquals("refused: 127.0.0.1 is a loopback address; set hankyo.notify.webhook-allow-private = on to allow "
        + "private receivers", ((AttemptResult.Refused) guarded.send(new WebhookSender.Request(url, Map.of(),
            new byte[0], Duration.ofSeconds(2))).toCompletableFuture().get(10, TimeUnit.SECONDS)).error());
    assertEquals(null, seen.get(), "the receiver was never called");
  }
}
