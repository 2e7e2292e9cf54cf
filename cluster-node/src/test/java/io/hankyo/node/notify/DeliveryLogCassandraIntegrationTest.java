package io.hankyo.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.hankyo.api.ApiProblem;
import io.hankyo.api.DeliveryBackend;
import io.hankyo.node.testing.TestCassandra;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.junit.jupiter.api.Test;

/**
 * The delivery log (issue 4: "a delivery log per attempt readable through the API, and a redeliver-from-here API")
 * against the real Cassandra and a real HTTP receiver ({@link HttpServer} on 127.0.0.1) that answers 503 to the first
 * 3 requests and 200 afterwards, counting the accepted requests per {@code Idempotency-Key} and checking every
 * signature: the webhook entity (remember-entities, real {@link HttpWebhookSender}) writes its state to {@link
 * CassandraDeliveryIndex}; {@link ClusterDeliveryBackend} lists it (4 attempts, delivered), reads its log, redelivers
 * it (attempt 5 accepted, the same key), answers 404 to another operator and an unknown id, 409 while pending.
 */
class DeliveryLogCassandraIntegrationTest {
  private static final String TRN = "trn-log-1";
  private static final String ID = new WebhookDelivery.DeliveryId(TRN, "call_ended").entityId();
  private static final byte[] SECRET = "secret-0123456789-log".getBytes(StandardCharsets.UTF_8);
  private static final String PAYLOAD =
      "{\"operator_id\":\"op-1\",\"client_id\":\"shop-1\",\"dialin_id\":\"d1\",\"trn_id\":\"" + TRN + "\"}";
  private static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules().build();

  private static Config config(String keyspace) {
    return ConfigFactory.parseString(String.join("\n",
            "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"",
            "pekko.remote.artery.canonical.port = 0",
            "pekko.cluster.seed-nodes = []",
            "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on",
            "pekko.coordinated-shutdown.exit-jvm = off",
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off"))
        .withFallback(TestCassandra.persistenceConfig(keyspace))
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  private static void awaitUntil(Duration wait, java.util.function.BooleanSupplier done, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + wait + ": " + what);
      }
      Thread.sleep(100);
    }
  }

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static List<DeliveryBackend.Summary> list(ClusterDeliveryBackend backend, String operator, String status) {
    DeliveryBackend.Query q = new DeliveryBackend.Query("webhook", null, null, status,
        Instant.now().minus(Duration.ofDays(2)), Instant.now().plusSeconds(60), 100);
    try {
      return await(backend.list(operator, q));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aDeliveryIsListedWithItsFourAttemptsAndRedeliveredAsAttemptFive() throws Exception {
    String keyspace = TestCassandra.uniqueKeyspace("deliverylog");
    AtomicInteger requests = new AtomicInteger();
    ConcurrentHashMap<String, AtomicInteger> acceptedByKey = new ConcurrentHashMap<>();
    Set<String> badSignatures = ConcurrentHashMap.newKeySet();
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String signature = exchange.getRequestHeaders().getFirst(WebhookSignature.HEADER);
      if (WebhookSignature.verify(signature, body, SECRET, Instant.now().getEpochSecond(),
          WebhookSignature.DEFAULT_TOLERANCE_SECONDS) != WebhookSignature.Verification.VALID) {
        badSignatures.add(String.valueOf(signature));
      }
      int n = requests.incrementAndGet();
      if (n == 5) { // the redelivery waits here until the test has seen it in flight
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      int status = n <= 3 ? 503 : 200;
      if (status == 200) {
        acceptedByKey.computeIfAbsent(exchange.getRequestHeaders().getFirst(WebhookSignature.IDEMPOTENCY_HEADER),
            k -> new AtomicInteger()).incrementAndGet();
      }
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    receiver.start();
    String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "deliverylog", config(keyspace + "_journal"));
    try {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      CassandraSession session = CassandraSessionRegistry.get(system)
          .sessionFor(CassandraSessionSettings.create("pekko.persistence.cassandra"));
      // journal, snapshot and read-side tables (notification_deliveries among them) as a node creates them
      await(io.hankyo.node.cassandra.DevelopmentSchema.create(system, session, keyspace, 1));
      CassandraDeliveryIndex index = new CassandraDeliveryIndex(session, keyspace, JSON);
      ClusterSharding sharding = ClusterSharding.get(system);
      var settings = new WebhookDelivery.Settings(new RetryPolicy(Duration.ofMillis(200), Duration.ofMillis(500),
          Duration.ofHours(1), Duration.ofSeconds(1)), Duration.ofSeconds(5), java.time.Clock.systemUTC(),
          new Random(5));
      var region = WebhookDelivery.initRemembered(sharding, system, WebhookDelivery.Channel.WEBHOOK, settings,
          new HttpWebhookSender(Duration.ofSeconds(2), true),
          (ref, stored) -> CompletableFuture.completedFuture(Optional.of(new WebhookDelivery.Resolved(SECRET, stored))),
          index);
      ClusterDeliveryBackend backend = new ClusterDeliveryBackend(sharding, index, JSON, Duration.ofSeconds(20));

      Done done = await(AskPattern.<ShardingEnvelope<WebhookDelivery.Command>, Done>askWithStatus(region,
          r -> new ShardingEnvelope<>(ID, new WebhookDelivery.Deliver(url, "ref", PAYLOAD, r)),
          Duration.ofSeconds(60), system.scheduler()));
      assertEquals(Done.getInstance(), done);

      awaitUntil(Duration.ofSeconds(60), () -> list(backend, "op-1", "delivered").size() == 1,
          "the delivery listed as delivered");
      DeliveryBackend.Summary listed = list(backend, "op-1", null).get(0);
      assertEquals("webhook:" + ID, listed.id());
      assertEquals(ID, listed.idempotencyKey());
      assertEquals(TRN, listed.trnId());
      assertEquals("shop-1", listed.clientId());
      assertEquals(url, listed.target());
      assertEquals(4, listed.attempts());
      assertEquals(200, listed.lastStatus());
      assertNull(listed.nextAttemptAt());
      assertEquals(List.of(), list(backend, "op-1", "pending"));
      assertEquals(List.of(), list(backend, "op-2", null), "another operator lists nothing");

      DeliveryBackend.Detail detail = await(backend.get("op-1", "webhook:" + ID));
      assertEquals(List.of(503, 503, 503, 200), detail.attempts().stream().map(DeliveryBackend.Attempt::httpStatus)
          .toList());
      assertEquals(List.of("retry", "retry", "retry", "delivered"),
          detail.attempts().stream().map(DeliveryBackend.Attempt::outcome).toList());
      assertEquals(List.of(1, 2, 3, 4), detail.attempts().stream().map(DeliveryBackend.Attempt::number).toList());
      assertTrue(detail.attempts().stream().allMatch(a -> a.startedAt() != null && a.finishedAt() != null
          && !a.finishedAt().isBefore(a.startedAt()) && a.durationMs() >= 0), detail.attempts().toString());
      assertEquals(1, acceptedByKey.get(ID).get(), "exactly one accepted delivery");
      assertEquals(Set.of(), badSignatures);

      assertEquals(404, problem(() -> backend.get("op-2", "webhook:" + ID)).status(), "another operator's");
      assertEquals(404, problem(() -> backend.get("op-1", "webhook:trn-never:call_ended")).status());
      assertEquals(404, problem(() -> backend.redeliver("op-1", "webhook:trn-never:call_ended")).status());
      assertEquals(404, problem(() -> backend.get("op-1", "fax:" + ID)).status());

      DeliveryBackend.Detail again = await(backend.redeliver("op-1", ID)); // the Idempotency-Key form
      assertEquals("pending", again.summary().status());
      awaitUntil(Duration.ofSeconds(30), () -> requests.get() == 5, "attempt 5 reaching the receiver");
      assertEquals(409, problem(() -> backend.redeliver("op-1", "webhook:" + ID)).status(),
          "refused while attempt 5 is in flight");
      assertEquals(5, await(backend.get("op-1", "webhook:" + ID)).inFlight());
      release.countDown();
      awaitUntil(Duration.ofSeconds(60), () -> acceptedByKey.get(ID).get() == 2, "the redelivery accepted");
      awaitUntil(Duration.ofSeconds(30), () -> {
        List<DeliveryBackend.Summary> rows = list(backend, "op-1", "delivered");
        return rows.size() == 1 && rows.get(0).attempts() == 5;
      }, "the listing shows the redelivery");
      DeliveryBackend.Detail after = await(backend.get("op-1", "webhook:" + ID));
      DeliveryBackend.Attempt fifth = after.attempts().get(4);
      assertEquals(5, fifth.number());
      assertEquals(200, fifth.httpStatus());
      assertEquals("delivered", fifth.outcome());
      assertEquals(5, after.attempts().size());
      assertEquals(1, list(backend, "op-1", null).size(), "still one row per delivery");
      assertEquals(5, requests.get(), "nothing sent after the accepted redelivery");
      assertEquals(Set.of(), badSignatures);
    } finally {
      release.countDown();
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
      receiver.stop(0);
    }
  }

  private static ApiProblem problem(java.util.concurrent.Callable<java.util.concurrent.CompletionStage<?>> call) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(call.call()));
    return assertInstanceOf(ApiProblem.class, e.getCause());
  }
}
