package io.hankyo.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hankyo.node.directory.DirectoryTestConfig;
import io.hankyo.node.notify.WebhookDelivery.Attempt;
import io.hankyo.node.notify.WebhookDelivery.Deliver;
import io.hankyo.node.notify.WebhookDelivery.Delivery;
import io.hankyo.node.notify.WebhookDelivery.Get;
import io.hankyo.node.notify.WebhookDelivery.Status;
import io.hankyo.node.notify.WebhookSignature.Verification;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import java.util.function.Predicate;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 4's webhook test: {@link WebhookDelivery} with the real {@link HttpWebhookSender} against a real HTTP server
 * (JDK {@link HttpServer} on 127.0.0.1, a free port) that checks every request's signature and records its
 * {@code Idempotency-Key}. The journal is the persistence testkit's in-memory one (no Cassandra); the clock is the
 * system clock; the retry policy is shrunk (base 50 ms, cap 200 ms) so retries take milliseconds.
 */
class WebhookHttpIntegrationTest {
  private static final byte[] SECRET = "whsec_integration".getBytes(StandardCharsets.UTF_8);
  private static final String PAYLOAD =
      "{\"trn_id\":\"%s\",\"event\":\"call_ended\",\"din_id\":\"0120-123-456\",\"dial_stat\":\"通話\"}";
  private static final RetryPolicy FAST = new RetryPolicy(Duration.ofMillis(50), Duration.ofMillis(200),
      Duration.ofHours(24), Duration.ofSeconds(1));
  private static ActorTestKit testKit;

  /** What the receiver saw of one request. */
  record Received(String idempotencyKey, String attempt, Verification signature, String body, int answered) {}

  private HttpServer server;
  private ExecutorService serverThreads;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final HttpWebhookSender sender = new HttpWebhookSender(Duration.ofSeconds(2), true);

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("WebhookHttpIntegrationTest", DirectoryTestConfig.eventSourced());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void stopServer() {
    release.countDown();
    if (server != null) {
      server.stop(0);
      serverThreads.shutdownNow();
    }
  }

  /**
   * Starts the receiver. {@code answer} maps the request number (1, 2, ...) to the status to answer; a negative
   * status means: block until {@link #release}, then answer its absolute value.
   */
  private String startServer(IntUnaryOperator answer, CountDownLatch arrived) throws IOException {
    AtomicInteger count = new AtomicInteger();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    serverThreads = Executors.newFixedThreadPool(4); // a blocked request must not hold up the next one
    server.setExecutor(serverThreads);
    server.createContext("/hooks", (HttpExchange ex) -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      int n = count.incrementAndGet();
      int status = answer.applyAsInt(n);
      Verification v = WebhookSignature.verify(ex.getRequestHeaders().getFirst(WebhookSignature.HEADER), body, SECRET,
          Instant.now().getEpochSecond(), WebhookSignature.DEFAULT_TOLERANCE_SECONDS);
      if (!"POST".equals(ex.getRequestMethod())
          || !"application/json".equals(ex.getRequestHeaders().getFirst("Content-Type"))) {
        status = 405;
      }
      received.add(new Received(ex.getRequestHeaders().getFirst(WebhookSignature.IDEMPOTENCY_HEADER),
          ex.getRequestHeaders().getFirst(WebhookDelivery.ATTEMPT_HEADER), v,
          new String(body, StandardCharsets.UTF_8), Math.abs(status)));
      arrived.countDown();
      if (status < 0) {
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        status = -status;
      }
      ex.sendResponseHeaders(status, -1);
      ex.close();
    });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/hankyo";
  }

  private ActorRef<WebhookDelivery.Command> spawn(String id) {
    var settings = new WebhookDelivery.Settings(FAST, Duration.ofSeconds(5), Clock.systemUTC(), new Random(4));
    return testKit.spawn(WebhookDelivery.create(id, settings, sender,
        ref -> ref.equals("number:n-1") ? Optional.of(SECRET) : Optional.empty()));
  }

  private void deliver(ActorRef<WebhookDelivery.Command> entity, String url, String payload) {
    TestProbe<StatusReply<Done>> reply = testKit.createTestProbe();
    entity.tell(new Deliver(url, "number:n-1", payload, reply.ref()));
    assertTrue(reply.receiveMessage(Duration.ofSeconds(5)).isSuccess());
  }

  private Delivery await(ActorRef<WebhookDelivery.Command> entity, Predicate<Delivery> p) {
    TestProbe<WebhookDelivery.State> probe = testKit.createTestProbe();
    return probe.awaitAssert(Duration.ofSeconds(10), () -> {
      entity.tell(new Get(probe.ref()));
      Delivery d = assertInstanceOf(Delivery.class, probe.receiveMessage(Duration.ofSeconds(3)));
      assertTrue(p.test(d), () -> "not yet: " + d);
      return d;
    });
  }

  /** The case: the receiver fails the first 3 attempts with 503, then accepts. */
  @Test
  void threeFailuresThenOneAcceptedDelivery() throws IOException {
    String url = startServer(n -> n <= 3 ? 503 : 200, new CountDownLatch(1));
    String id = new WebhookDelivery.DeliveryId("trn-http-1", "call_ended").entityId();
    String payload = String.format(PAYLOAD, "trn-http-1");
    ActorRef<WebhookDelivery.Command> entity = spawn(id);
    deliver(entity, url, payload);

    Delivery d = await(entity, x -> x.status() == Status.DELIVERED);
    assertEquals(List.of(503, 503, 503, 200), d.attempts().stream().map(Attempt::status).toList(),
        "4 attempts in the entity's log");
    assertEquals(List.of(1, 2, 3, 4), d.attempts().stream().map(Attempt::number).toList());
    assertTrue(d.attempts().stream().allMatch(a -> a.durationMs() >= 0 && a.error() == null), d.attempts()::toString);

    assertEquals(4, received.size(), "the receiver saw 4 requests");
    assertEquals(1, received.stream().filter(r -> r.answered() == 200).count(), "exactly one accepted delivery");
    assertTrue(received.stream().allMatch(r -> r.signature() == Verification.VALID), received::toString);
    assertTrue(received.stream().allMatch(r -> id.equals(r.idempotencyKey())), "one Idempotency-Key throughout");
    assertTrue(received.stream().allMatch(r -> payload.equals(r.body())));
    assertEquals(List.of("1", "2", "3", "4"), received.stream().map(Received::attempt).toList());
  }

  /**
   * "A test kills the sender mid-way" (issue 4). Simulated: the receiver holds the first request open; once the
   * entity has persisted {@code AttemptStarted} (the request is at the receiver), the entity actor is stopped — its
   * node "dies" with the attempt's result unknown. A new incarnation is spawned for the same id on the same journal,
   * as sharding would on another node: recovery records attempt 1 as interrupted and sends attempt 2, which is
   * accepted. What is not simulated: a JVM kill (the journal here is the persistence testkit's in-memory one, which
   * outlives the actor but not the actor system; the old HTTP client lives on and its request is answered late and
   * dropped as a dead letter). The receiver then has the notification twice under one Idempotency-Key, which is what
   * at least once means and why the key is there.
   */
  @Test
  void stoppedMidAttemptTheRecoveredEntityDelivers() throws Exception {
    CountDownLatch firstArrived = new CountDownLatch(1);
    String url = startServer(n -> n == 1 ? -200 : 200, firstArrived);
    String id = new WebhookDelivery.DeliveryId("trn-http-2", "call_ended").entityId();
    String payload = String.format(PAYLOAD, "trn-http-2");
    ActorRef<WebhookDelivery.Command> first = spawn(id);
    deliver(first, url, payload);
    assertTrue(firstArrived.await(10, TimeUnit.SECONDS), "attempt 1 reached the receiver");
    Delivery mid = await(first, x -> x.inFlight() != null);
    assertEquals(1, mid.inFlight());
    assertTrue(mid.attempts().isEmpty());

    testKit.stop(first, Duration.ofSeconds(5));
    ActorRef<WebhookDelivery.Command> second = spawn(id);
    Delivery d = await(second, x -> x.status() == Status.DELIVERED);
    assertEquals(WebhookDelivery.INTERRUPTED, d.attempts().get(0).error());
    assertEquals(Arrays.asList(null, 200), d.attempts().stream().map(Attempt::status).toList());

    release.countDown(); // the dead incarnation's request is answered late; nobody is listening
    assertEquals(2, received.size());
    assertTrue(received.stream().allMatch(r -> r.signature() == Verification.VALID && id.equals(r.idempotencyKey())));
    assertEquals(1, received.stream().map(Received::idempotencyKey).distinct().count(),
        "a receiver de-duplicating on Idempotency-Key has the notification once");
    assertNull(d.inFlight());
  }
}
