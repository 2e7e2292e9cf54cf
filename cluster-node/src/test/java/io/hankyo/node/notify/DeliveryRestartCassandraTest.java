package io.hankyo.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.hankyo.node.testing.TestCassandra;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.Test;

/**
 * Pending deliveries resume after a full cluster restart (issue 4): the outbox entity type is sharded with
 * remember-entities (event-sourced store in the real Cassandra journal). A one-node cluster takes a webhook delivery
 * whose receiver fails, and stops; a new cluster on the same journal is started and sent nothing: the delivery is
 * started again by sharding and reaches the (now accepting) receiver.
 */
class DeliveryRestartCassandraTest {
  private static final String ID = new WebhookDelivery.DeliveryId("trn-restart-1", "call_ended").entityId();

  private static Config config(String keyspaces) {
    return ConfigFactory.parseString(String.join("\n",
            "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"",
            "pekko.remote.artery.canonical.port = 0",
            "pekko.cluster.seed-nodes = []",
            "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on",
            "pekko.coordinated-shutdown.exit-jvm = off",
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off"))
        .withFallback(TestCassandra.persistenceConfig(keyspaces + "_journal"))
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  private static ActorRef<ShardingEnvelope<WebhookDelivery.Command>> node(ActorSystem<?> system,
      WebhookSender sender) {
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    var settings = new WebhookDelivery.Settings(new RetryPolicy(Duration.ofMillis(200), Duration.ofMillis(500),
        Duration.ofHours(1), Duration.ofSeconds(1)), Duration.ofSeconds(5), java.time.Clock.systemUTC(),
        new Random(3));
    return WebhookDelivery.initRemembered(ClusterSharding.get(system), system, WebhookDelivery.Channel.WEBHOOK,
        settings, sender, (ref, stored) -> CompletableFuture.completedFuture(Optional.of(
            new WebhookDelivery.Resolved("secret-0123456789".getBytes(StandardCharsets.UTF_8), stored))));
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

  @Test
  void aPendingDeliveryIsResumedByANewClusterWithoutAnyMessage() throws Exception {
    String keyspaces = TestCassandra.uniqueKeyspace("redeliver");
    List<WebhookSender.Request> failed = new CopyOnWriteArrayList<>();
    ActorSystem<Void> first = ActorSystem.create(Behaviors.empty(), "restart", config(keyspaces));
    try {
      var region = node(first, request -> {
        failed.add(request);
        return CompletableFuture.completedFuture(new AttemptResult.Response(503, null, 1));
      });
      Done done = AskPattern.<ShardingEnvelope<WebhookDelivery.Command>, Done>askWithStatus(region,
          r -> new ShardingEnvelope<>(ID, new WebhookDelivery.Deliver("https://receiver.example/h", "ref",
              "{\"trn_id\":\"trn-restart-1\"}", r)), Duration.ofSeconds(60), first.scheduler())
          .toCompletableFuture().get(90, TimeUnit.SECONDS);
      assertEquals(Done.getInstance(), done);
      awaitUntil(Duration.ofSeconds(30), () -> failed.size() >= 2, "two failed attempts on the first cluster");
    } finally {
      first.terminate();
      first.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    List<WebhookSender.Request> accepted = new CopyOnWriteArrayList<>();
    ActorSystem<Void> second = ActorSystem.create(Behaviors.empty(), "restart", config(keyspaces));
    try {
      var region = node(second, request -> {
        accepted.add(request);
        return CompletableFuture.completedFuture(new AttemptResult.Response(204, null, 1));
      });
      // nothing is sent to the entity: sharding starts it again from the remembered set
      awaitUntil(Duration.ofSeconds(90), () -> !accepted.isEmpty(), "the resumed delivery's attempt");
      assertEquals(ID, accepted.get(0).headers().get(WebhookSignature.IDEMPOTENCY_HEADER));
      WebhookDelivery.State state = AskPattern.<ShardingEnvelope<WebhookDelivery.Command>, WebhookDelivery.State>ask(
          region, r -> new ShardingEnvelope<>(ID, new WebhookDelivery.Get(r)), Duration.ofSeconds(30),
          second.scheduler()).toCompletableFuture().get(60, TimeUnit.SECONDS);
      WebhookDelivery.Delivery d = assertInstanceOf(WebhookDelivery.Delivery.class, state);
      assertEquals(WebhookDelivery.Status.DELIVERED, d.status());
      assertTrue(d.attempts().size() >= 3, d.attempts().toString());
    } finally {
      second.terminate();
      second.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }
}
