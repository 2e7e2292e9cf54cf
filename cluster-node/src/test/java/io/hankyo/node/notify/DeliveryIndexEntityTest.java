package io.hankyo.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.node.directory.DirectoryTestConfig;
import io.hankyo.node.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The delivery entity writes its summary to the {@link DeliveryIndex} after every change, ordered by its event
 * sequence number, and again on recovery; a read of an id never requested passivates it (issue 4, the delivery log).
 * Also {@link CassandraDeliveryIndex}'s pure parts: the owner read from a stored payload and the summary.
 */
class DeliveryIndexEntityTest {
  private static final String ID = new WebhookDelivery.DeliveryId("trn-idx-1", "call_ended").entityId();
  private static final String PAYLOAD =
      "{\"operator_id\":\"op-1\",\"client_id\":\"shop-1\",\"dialin_id\":\"d1\",\"trn_id\":\"trn-idx-1\"}";
  private static ActorTestKit testKit;

  private record Written(long seqNr, WebhookDelivery.Delivery state) {}

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("DeliveryIndexEntityTest", DirectoryTestConfig.eventSourced());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyChangeAndARecoveryIsWrittenWithItsSequenceNumber() throws Exception {
    List<Written> written = new CopyOnWriteArrayList<>();
    DeliveryIndex index = (channel, id, seqNr, state) -> {
      assertEquals(WebhookDelivery.Channel.WEBHOOK, channel);
      assertEquals(ID, id);
      written.add(new Written(seqNr, state));
      return CompletableFuture.completedFuture(Done.getInstance());
    };
    FakeWebhookSender sender = new FakeWebhookSender();
    ManualClock clock = new ManualClock(Instant.parse("2026-04-01T01:00:00Z"));
    var settings = new WebhookDelivery.Settings(RetryPolicy.defaults(), Duration.ofSeconds(10), clock,
        new Random(1));
    var kit = EventSourcedBehaviorTestKit.<WebhookDelivery.Command, WebhookDelivery.Event, WebhookDelivery.State>
        create(testKit.system(), WebhookDelivery.create(WebhookDelivery.Channel.WEBHOOK, ID, settings, sender,
        (ref, stored) -> CompletableFuture.completedFuture(Optional.of(new WebhookDelivery.Resolved(
            "secret-0123456789".getBytes(StandardCharsets.UTF_8), stored))), Optional.empty(), index));
    StatusReply<Done> ack = kit.<StatusReply<Done>>runCommand(
        r -> new WebhookDelivery.Deliver("https://receiver.example/h", "ref", PAYLOAD, r)).reply();
    assertTrue(ack.isSuccess());
    // Requested + NextAttemptScheduled: written at seqNr 2, pending, no attempt yet
    Written first = written.stream().filter(w -> w.seqNr() == 2).findFirst().orElseThrow();
    assertEquals(WebhookDelivery.Status.PENDING, first.state().status());
    assertEquals(0, first.state().attempts().size());

    sender.next().result().complete(new AttemptResult.Response(200, null, 7)); // attempt 1 (due at once) accepted
    TestProbe<Object> probe = testKit.createTestProbe();
    Written last = probe.awaitAssert(Duration.ofSeconds(5), () -> {
      Written w = written.get(written.size() - 1);
      assertEquals(WebhookDelivery.Status.DELIVERED, w.state().status());
      return w;
    });
    // AttemptStarted (3) is not written on its own; AttemptRecorded + Delivered end at 5
    assertEquals(5, last.seqNr());
    assertEquals(1, last.state().attempts().size());
    assertEquals(List.of(2L, 5L), written.stream().map(Written::seqNr).toList());

    kit.restart();
    probe.awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(3, written.size(), "written again on recovery");
      assertEquals(5, written.get(2).seqNr());
      assertEquals(WebhookDelivery.Status.DELIVERED, written.get(2).state().status());
      return null;
    });
  }

  @Test
  void aReadOfAnIdNeverRequestedPassivatesTheEntityAndWritesNothing() {
    AtomicInteger passivated = new AtomicInteger();
    List<Written> written = new CopyOnWriteArrayList<>();
    var kit = EventSourcedBehaviorTestKit.<WebhookDelivery.Command, WebhookDelivery.Event, WebhookDelivery.State>
        create(testKit.system(), WebhookDelivery.create(WebhookDelivery.Channel.WEBHOOK, "trn-none:call_ended",
        WebhookDelivery.Settings.defaults(), new FakeWebhookSender(),
        (ref, stored) -> CompletableFuture.completedFuture(Optional.empty()),
        Optional.of(self -> passivated.incrementAndGet()), (channel, id, seqNr, state) -> {
          written.add(new Written(seqNr, state));
          return CompletableFuture.completedFuture(Done.getInstance());
        }));
    WebhookDelivery.State state = kit.<WebhookDelivery.State>runCommand(WebhookDelivery.Get::new).reply();
    assertInstanceOf(WebhookDelivery.NotRequested.class, state);
    assertEquals(1, passivated.get());
    StatusReply<Done> refused = kit.<StatusReply<Done>>runCommand(WebhookDelivery.Redeliver::new).reply();
    assertTrue(refused.isError());
    assertTrue(refused.getError().getMessage().startsWith(WebhookDelivery.NOT_REQUESTED_PREFIX));
    assertEquals(2, passivated.get());
    assertEquals(List.of(), written);
  }

  @Test
  void theOwnerIsReadFromAWebhookOrAnEmailPayload() {
    var json = com.fasterxml.jackson.databind.json.JsonMapper.builder().findAndAddModules().build();
    assertEquals(Optional.of(new CassandraDeliveryIndex.Owner("op-1", "shop-1", "d1", "trn-idx-1")),
        CassandraDeliveryIndex.owner(json, PAYLOAD));
    assertEquals(Optional.of(new CassandraDeliveryIndex.Owner("op-1", "shop-1", "d1", "trn-idx-1")),
        CassandraDeliveryIndex.owner(json, "{\"kind\":\"missed\",\"record\":" + PAYLOAD + "}"));
    assertEquals(Optional.empty(), CassandraDeliveryIndex.owner(json, "{\"trn_id\":\"x\"}"));
    assertEquals(Optional.empty(), CassandraDeliveryIndex.owner(json, "not json"));
    assertEquals("2026-11-29", CassandraDeliveryIndex.dayOf(Instant.parse("2026-11-29T23:59:59Z")));
    assertEquals("gave_up", CassandraDeliveryIndex.statusName(WebhookDelivery.Status.GAVE_UP));
  }
}
