package io.hankyo.node.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import io.hankyo.node.HankyoNode;
import io.hankyo.node.notify.WebhookSignature;
import io.hankyo.node.testing.TestCassandra;
import io.hankyo.sip.testing.Sipp;
import io.hankyo.sip.testing.SippProcess;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4: a notification is "sent at least once even if the node dies in between (a test kills the sender
 * mid-way)". A node in its own JVM (as in production) takes a missed sipp call whose webhook receiver answers 503 to
 * the first attempt and holds the second one open; while that second POST is in flight the node is killed with
 * SIGKILL ({@code Process.destroyForcibly()}). A node started in this JVM on the same keyspaces and cluster address
 * is sent nothing about the delivery: sharding's remember-entities starts the delivery entity again, which records
 * the interrupted attempt and retries; the receiver (which de-duplicates by {@code Idempotency-Key}, as a receiver
 * must) now accepts, exactly once, with a valid signature (the secret read from the number's settings by the new
 * node), and the delivery log API of the new node shows it delivered with the interrupted attempt in its log.
 */
class CrashedNodeDeliveryTest {
  private static final ConfigRenderOptions CONCISE = ConfigRenderOptions.concise();
  private static final String SECRET = "crash-webhook-secret-0123";
  private static final String NOTIFY = "hankyo.notify.retry-base = 500ms\nhankyo.notify.retry-cap = 1s\n"
      + "hankyo.notify.webhook-timeout = 120s\n";

  private record Received(String key, String attempt, String signature, byte[] body) {}

  @Test
  void aWebhookInFlightWhenItsNodeIsKilledIsDeliveredExactlyOnceAfterARestart(@TempDir Path dir)
      throws Exception {
    TestCassandra.get();
    List<Received> received = new CopyOnWriteArrayList<>();
    ConcurrentHashMap<String, AtomicInteger> accepted = new ConcurrentHashMap<>();
    AtomicBoolean accepting = new AtomicBoolean(false);
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService receiverThreads = Executors.newCachedThreadPool();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.setExecutor(receiverThreads);
    receiver.createContext("/hooks", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      Received r = new Received(exchange.getRequestHeaders().getFirst(WebhookSignature.IDEMPOTENCY_HEADER),
          exchange.getRequestHeaders().getFirst("Hankyo-Attempt"),
          exchange.getRequestHeaders().getFirst(WebhookSignature.HEADER), body);
      received.add(r);
      int status = 503;
      if (accepting.get()) {
        // de-duplication by Idempotency-Key: a repeat of an accepted key is answered 200 but not counted again
        accepted.computeIfAbsent(r.key(), k -> new AtomicInteger()).incrementAndGet();
        status = 200;
      } else if ("2".equals(r.attempt())) {
        held.countDown(); // the second attempt hangs until the node is dead
        try {
          release.await(3, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      try {
        exchange.sendResponseHeaders(status, -1);
      } catch (Exception e) {
        // the sender died
      }
      exchange.close();
    });
    receiver.start();

    String ks = TestNode.keyspaces("crashhook");
    String din = "0120555101";
    int uasPort = FreePorts.udpAndTcp(26000, 26999);
    int clusterPort = FreePorts.tcp();
    TestNode.Spec first = new TestNode.Spec("node-1", FreePorts.tcp(), FreePorts.udpAndTcp(25060, 25999),
        clusterPort, FreePorts.tcp(), uasPort, ks, List.of(), NOTIFY);
    Path traces = Files.createDirectories(Path.of(System.getProperty("hankyo.test.workdir", "target/test-work"))
        .resolve("sipp-crash-hook"));
    Process forked = fork(first, dir);
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    Thread reader = new Thread(() -> {
      try (InputStream in = forked.getInputStream()) {
        in.transferTo(output);
      } catch (Exception ignored) {
        // the process ended
      }
    });
    reader.start();
    String trnId;
    try {
      ApiClient api = new ApiClient("127.0.0.1:" + first.httpPort(), TestNode.API_KEY);
      awaitUp(forked, output);
      assertEquals(201, api.post("/v1/advertisers", "{\"client_id\":\"adv-crash\",\"client_name\":\"x\"}").status());
      assertEquals(201, api.post("/v1/advertisers/adv-crash/numbers",
          "{\"dialin_id\":\"hooked\",\"number\":\"" + din + "\",\"forward_to\":\"03-9999-0000\"}").status());
      ApiClient.Response settings = api.put("/v1/advertisers/adv-crash/numbers/hooked/notifications",
          "{\"webhook\": {\"url\": \"http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks\","
              + " \"secret\": \"" + SECRET + "\", \"trigger\": \"missed\"}}");
      assertEquals(200, settings.status(), settings.body());

      // a missed call: the destination is busy
      try (SippProcess uas = Sipp.scenario("uas-busy.xml").localPort(uasPort).calls(1).traceDir(traces)
              .label("crash-hook-uas").timeout(Duration.ofMinutes(1)).start()) {
        uas.awaitListening(Duration.ofSeconds(10));
        try (SippProcess uac = Sipp.scenario("uac-expect-486.xml").localPort(FreePorts.udpAndTcp(27000, 27999))
            .remote("127.0.0.1:" + first.sipPort()).service(din).key("caller", "0311112222").calls(1)
            .traceDir(traces).label("crash-hook-uac").timeout(Duration.ofMinutes(1)).start()) {
          assertEquals(0, uac.waitFor(Duration.ofMinutes(1)), "the caller got 486");
        }
      }
      assertTrue(held.await(90, TimeUnit.SECONDS), "the second attempt reaches the receiver: " + received);
      trnId = received.get(0).key().split(":")[0];
      forked.destroyForcibly(); // SIGKILL while attempt 2 is in flight
      assertTrue(forked.waitFor(30, TimeUnit.SECONDS), "the node is dead");
      assertEquals(137, forked.exitValue(), "killed by SIGKILL");
      reader.join(5_000);
    } finally {
      forked.destroyForcibly();
      accepting.set(true);
      release.countDown();
    }
    assertEquals(2, received.size(), "attempt 1 failed, attempt 2 interrupted: " + received);

    TestNode.Spec second = new TestNode.Spec("node-1", FreePorts.tcp(), FreePorts.udpAndTcp(25060, 25999),
        clusterPort, FreePorts.tcp(), uasPort, ks, List.of(), NOTIFY);
    try (HankyoNode node = TestNode.start(second)) {
      ApiClient api = new ApiClient(node.httpAddress(), TestNode.API_KEY);
      String key = trnId + ":call_ended";
      // nothing is sent to the delivery: remember-entities starts it again
      JsonNode delivery = awaitDelivered(api, "webhook:" + key, Duration.ofSeconds(90));
      assertEquals(1, accepted.get(key).get(), "accepted exactly once: " + received);
      assertEquals(1, accepted.size());
      for (Received r : received.subList(2, received.size())) {
        assertEquals(key, r.key());
        assertEquals(WebhookSignature.Verification.VALID, WebhookSignature.verify(r.signature(), r.body(),
            SECRET.getBytes(StandardCharsets.UTF_8), Instant.now().getEpochSecond(), 300), r.toString());
      }
      JsonNode attempts = delivery.get("attempts");
      assertEquals(received.size(), attempts.size(), delivery.toString());
      assertEquals(503, attempts.get(0).get("http_status").asInt(), delivery.toString());
      assertEquals("no result: the entity stopped during the attempt", attempts.get(1).get("error").asText(),
          delivery.toString());
      assertEquals(200, attempts.get(attempts.size() - 1).get("http_status").asInt(), delivery.toString());
      ApiClient.Response listed = api.get("/v1/webhook-deliveries?trn_id=" + trnId);
      assertEquals(200, listed.status(), listed.body());
      assertEquals("delivered", listed.json().get("deliveries").get(0).get("status").asText(), listed.body());
    } finally {
      receiver.stop(0);
      receiverThreads.shutdownNow();
    }
  }

  private static JsonNode awaitDelivered(ApiClient api, String id, Duration wait) throws Exception {
    long deadline = System.nanoTime() + wait.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      ApiClient.Response r = api.get("/v1/webhook-deliveries/" + id);
      last = r.status() + " " + r.body();
      if (r.status() == 200 && r.json().get("delivery").get("status").asText().equals("delivered")) {
        return r.json();
      }
      Thread.sleep(250);
    }
    throw new AssertionError("not delivered within " + wait + ": " + last);
  }

  /** The node of {@code spec} in its own JVM, configured exactly as {@link TestNode#config} would. */
  private static Process fork(TestNode.Spec spec, Path dir) throws Exception {
    Config c = TestNode.config(spec);
    String hocon = String.join("\n",
        "hankyo " + c.getConfig("hankyo").root().render(CONCISE),
        "pekko " + c.getConfig("pekko").root().render(CONCISE),
        "datastax-java-driver " + c.getConfig("datastax-java-driver").root().render(CONCISE));
    Path conf = dir.resolve("node.conf");
    Files.writeString(conf, hocon);
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return new ProcessBuilder(List.of(java.toString(), "-Xmx384m", "-Dconfig.file=" + conf, "-cp",
        System.getProperty("java.class.path"), "io.hankyo.node.HankyoNode"))
        .redirectErrorStream(true)
        .start();
  }

  private static void awaitUp(Process node, ByteArrayOutputStream output) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      assertTrue(node.isAlive(), "the forked node died: " + output.toString(StandardCharsets.UTF_8));
      if (output.toString(StandardCharsets.UTF_8).contains("Hankyo node is up")) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the forked node did not start: " + output.toString(StandardCharsets.UTF_8));
  }
}
