package io.hankyo.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.node.directory.DirectoryTestConfig;
import io.hankyo.node.notify.RetryPolicy.Verdict;
import io.hankyo.node.notify.WebhookDelivery.Attempt;
import io.hankyo.node.notify.WebhookDelivery.AttemptDue;
import io.hankyo.node.notify.WebhookDelivery.Deliver;
import io.hankyo.node.notify.WebhookDelivery.Delivery;
import io.hankyo.node.notify.WebhookDelivery.Event;
import io.hankyo.node.notify.WebhookDelivery.NextAttemptScheduled;
import io.hankyo.node.notify.WebhookDelivery.Redeliver;
import io.hankyo.node.notify.WebhookDelivery.Requested;
import io.hankyo.node.notify.WebhookDelivery.Status;
import io.hankyo.node.notify.WebhookSignature.Verification;
import io.hankyo.node.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Predicate;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The delivery entity through {@link EventSourcedBehaviorTestKit} (commands, events and state through Jackson), with
 * a {@link FakeWebhookSender} whose results the test completes and a {@link ManualClock}. The policy is the default
 * one (base 10 s, cap 1 h), so the entity's own retry timers are seconds away in real time: the test sets the clock to
 * the persisted deadline and sends {@link AttemptDue} itself (a real timer firing meanwhile finds the clock before the
 * deadline and re-arms, or finds the attempt already started and is ignored). Deadlines are predicted with a twin of
 * the entity's seeded {@link Random}.
 */
class WebhookDeliveryTest {
  private static final String ID = new WebhookDelivery.DeliveryId("trn-0001", "call_ended").entityId();
  private static final Instant T0 = Instant.parse("2026-04-01T01:00:00Z");
  private static final String URL = "https://receiver.example/hooks/hankyo";
  private static final String PAYLOAD = "{\"trn_id\":\"trn-0001\",\"event\":\"call_ended\",\"dial_stat\":\"通話\"}";
  private static final byte[] SECRET = "whsec_entity".getBytes(StandardCharsets.UTF_8);
  private static final long SEED = 20260401L;
  private static ActorTestKit testKit;

  private ManualClock clock;
  private FakeWebhookSender sender;
  private Random twin;
  private EventSourcedBehaviorTestKit<WebhookDelivery.Command, Event, WebhookDelivery.State> kit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("WebhookDeliveryTest", DirectoryTestConfig.eventSourced());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void nothingElseSent() throws InterruptedException {
    if (sender == null) {
      return; // a test without an entity
    }
    sender.expectNone(Duration.ofMillis(50));
  }

  private void start(WebhookDelivery.Secrets secrets) {
    clock = new ManualClock(T0);
    sender = new FakeWebhookSender();
    twin = new Random(SEED);
    var settings = new WebhookDelivery.Settings(RetryPolicy.defaults(), Duration.ofSeconds(10), clock,
        new Random(SEED));
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        WebhookDelivery.create(ID, settings, sender, secrets));
    kit.clear();
  }

  private void start() {
    start(ref -> ref.equals("number:n-1") ? Optional.of(SECRET) : Optional.empty());
  }

  private CommandResultWithReply<WebhookDelivery.Command, Event, WebhookDelivery.State, StatusReply<Done>> deliver(
      String payload) {
    return kit.runCommand(r -> new Deliver(URL, "number:n-1", payload, r));
  }

  /** Waits until the state satisfies {@code p}. */
  private Delivery awaitState(Predicate<Delivery> p) {
    TestProbe<Object> probe = testKit.createTestProbe();
    return probe.awaitAssert(Duration.ofSeconds(5), () -> {
      Delivery d = assertInstanceOf(Delivery.class, kit.getState());
      assertTrue(p.test(d), () -> "state not reached: " + d);
      return d;
    });
  }

  /** The deadline the entity computes after the {@code failures}-th failure at {@code now} (round from T0). */
  private Instant predicted(Instant roundStart, Instant now, int failures) {
    return RetryPolicy.defaults().nextAttemptAt(roundStart, now, failures, null, twin);
  }

  private static AttemptResult status(int code) {
    return new AttemptResult.Response(code, null, 12);
  }

  private static void assertSigned(FakeWebhookSender.Sent s, Instant at, int attempt) {
    assertEquals(ID, s.header(WebhookSignature.IDEMPOTENCY_HEADER));
    assertEquals(Integer.toString(attempt), s.header(WebhookDelivery.ATTEMPT_HEADER));
    assertEquals(URL, s.request().url().toString());
    assertEquals(PAYLOAD, new String(s.request().body(), StandardCharsets.UTF_8));
    assertEquals("t=" + at.getEpochSecond() + ",", s.header(WebhookSignature.HEADER).substring(0, 13));
    assertEquals(Verification.VALID, WebhookSignature.verify(s.header(WebhookSignature.HEADER), s.request().body(),
        SECRET, at.getEpochSecond(), 0));
  }

  // ------------------------------------------------------------------------------------------------------- tests

  @Test
  void entityIdIsTheIdempotencyKey() {
    assertEquals("trn-0001:call_ended", ID);
    assertEquals(new WebhookDelivery.DeliveryId("a:b", "call_ended"), WebhookDelivery.DeliveryId.parse("a:b:call_ended"));
    assertThrows(IllegalArgumentException.class, () -> WebhookDelivery.DeliveryId.parse("no-event"));
    assertThrows(IllegalArgumentException.class, () -> new WebhookDelivery.DeliveryId("t", "Call Ended"));
    assertThrows(IllegalArgumentException.class, () -> new WebhookDelivery.DeliveryId(" ", "call_ended"));
  }

  /** Persisted before sending; 503, 500, then 200 at the persisted deadlines; the log has all three. */
  @Test
  void retriesThenSucceeds() throws InterruptedException {
    start();
    var accepted = deliver(PAYLOAD);
    assertTrue(accepted.reply().isSuccess());
    assertEquals(List.of(new Requested(URL, "number:n-1", PAYLOAD, T0), new NextAttemptScheduled(1, T0)),
        accepted.events().subList(0, 2), "the notification is persisted before the reply and before any send");

    var s1 = sender.next();
    assertSigned(s1, T0, 1);
    clock.set(T0.plusMillis(40));
    s1.result().complete(status(503));
    Instant due2 = predicted(T0, T0.plusMillis(40), 1);
    Delivery d = awaitState(x -> x.attempts().size() == 1 && x.nextAttempt() != null);
    assertEquals(due2, d.nextAttemptAt());
    assertTrue(due2.isBefore(T0.plusSeconds(11)), "first backoff below the 10 s ceiling: " + due2);
    assertEquals(new Attempt(1, T0, T0.plusMillis(40), 503, null, 12, Verdict.RETRY), d.attempts().get(0));

    clock.set(due2);
    kit.runCommand(new AttemptDue(2));
    var s2 = sender.next();
    assertSigned(s2, due2, 2);
    s2.result().complete(new AttemptResult.Failure("ConnectException: Connection refused", false, 3));
    Instant due3 = predicted(T0, due2, 2);
    d = awaitState(x -> x.attempts().size() == 2 && x.nextAttempt() != null);
    assertEquals(due3, d.nextAttemptAt());
    assertEquals("ConnectException: Connection refused", d.attempts().get(1).error());

    // A timer that fires early (before the deadline) changes nothing.
    clock.set(due3.minusMillis(1));
    kit.runCommand(new AttemptDue(3));
    sender.expectNone(Duration.ofMillis(50));

    clock.set(due3);
    kit.runCommand(new AttemptDue(3));
    var s3 = sender.next();
    assertSigned(s3, due3, 3);
    s3.result().complete(status(204));
    d = awaitState(x -> x.status() == Status.DELIVERED);
    assertEquals(Arrays.asList(503, null, 204), d.attempts().stream().map(Attempt::status).toList());
    assertEquals(List.of(Verdict.RETRY, Verdict.RETRY, Verdict.DELIVERED),
        d.attempts().stream().map(Attempt::verdict).toList());
    assertEquals(due3, d.closedAt());
    assertNull(d.nextAttempt());
    assertNull(d.inFlight());
    // A late duplicate timer after delivery sends nothing.
    kit.runCommand(new AttemptDue(3));
  }

  @Test
  void finalClientErrorGivesUpAtOnce() throws InterruptedException {
    start();
    deliver(PAYLOAD);
    sender.next().result().complete(status(404));
    Delivery d = awaitState(x -> x.status() == Status.GAVE_UP);
    assertEquals(1, d.attempts().size());
    assertEquals(Verdict.FINAL, d.attempts().get(0).verdict());
    assertTrue(d.gaveUpReason().contains("404"), d.gaveUpReason());
    assertNull(d.nextAttempt());
  }

  @Test
  void retryAfterOf429IsHonoured() throws InterruptedException {
    start();
    deliver(PAYLOAD);
    sender.next().result().complete(new AttemptResult.Response(429, "600", 5));
    Delivery d = awaitState(x -> x.nextAttempt() != null && x.nextAttempt() == 2);
    assertEquals(T0.plusSeconds(600), d.nextAttemptAt(), "Retry-After 600 s beats a backoff below 10 s");
  }

  @Test
  void deliverIsIdempotent() throws InterruptedException {
    start();
    deliver(PAYLOAD);
    var again = deliver("{\"other\":true}");
    assertTrue(again.reply().isSuccess());
    assertTrue(again.events().isEmpty(), "a second Deliver writes nothing");
    var s1 = sender.next();
    sender.expectNone(Duration.ofMillis(100));
    s1.result().complete(status(200));
    Delivery d = awaitState(x -> x.status() == Status.DELIVERED);
    assertEquals(PAYLOAD, d.payload(), "the first notification stays");
    var late = deliver(PAYLOAD);
    assertTrue(late.reply().isSuccess() && late.events().isEmpty(), "nor after delivery");
    assertEquals(1, ((Delivery) kit.getState()).attempts().size());
  }

  @Test
  void invalidDeliverIsRefused() throws InterruptedException {
    start();
    for (String url : new String[] {"ftp://x/y", "not a url", "/relative"}) {
      var r = kit.<StatusReply<Done>>runCommand(rt -> new Deliver(url, "number:n-1", PAYLOAD, rt));
      assertTrue(r.reply().isError(), url);
      assertTrue(r.events().isEmpty());
    }
    var noSecret = kit.<StatusReply<Done>>runCommand(rt -> new Deliver(URL, " ", PAYLOAD, rt));
    assertTrue(noSecret.reply().isError());
    var redeliver = kit.<StatusReply<Done>>runCommand(Redeliver::new);
    assertTrue(redeliver.reply().isError(), "nothing to redeliver");
  }

  /** A secret reference that resolves to nothing fails the attempt without sending, and is retried. */
  @Test
  void missingSecretIsARetriedFailure() throws InterruptedException {
    start(ref -> Optional.empty());
    deliver(PAYLOAD);
    Delivery d = awaitState(x -> x.attempts().size() == 1 && x.nextAttempt() != null);
    assertTrue(d.attempts().get(0).error().contains("no secret"), d.attempts().get(0).error());
    assertEquals(Status.PENDING, d.status());
  }

  /**
   * A restart (the node died) after a failed attempt: recovery re-arms the persisted deadline, which has passed by
   * then, so the next attempt goes out without any command.
   */
  @Test
  void restartReArmsTheNextAttempt() throws InterruptedException {
    start();
    deliver(PAYLOAD);
    sender.next().result().complete(status(503));
    Delivery d = awaitState(x -> x.nextAttempt() != null && x.nextAttempt() == 2);
    clock.set(d.nextAttemptAt().plusSeconds(1));
    kit.restart();
    var s2 = sender.next();
    assertSigned(s2, d.nextAttemptAt().plusSeconds(1), 2);
    s2.result().complete(status(200));
    Delivery done = awaitState(x -> x.status() == Status.DELIVERED);
    assertEquals(List.of(503, 200), done.attempts().stream().map(Attempt::status).toList());
  }

  /**
   * A restart while an attempt is on the wire (started, no result): recovery records it as interrupted and schedules
   * the next attempt by the policy; the old attempt's late result is ignored.
   */
  @Test
  void restartDuringAnAttemptRecordsItAndResends() throws InterruptedException {
    start();
    deliver(PAYLOAD);
    var s1 = sender.next();
    awaitState(x -> x.inFlight() != null);
    kit.restart();
    Delivery d = awaitState(x -> x.attempts().size() == 1 && x.nextAttempt() != null);
    Attempt interrupted = d.attempts().get(0);
    assertEquals(WebhookDelivery.INTERRUPTED, interrupted.error());
    assertEquals(-1, interrupted.durationMs());
    assertEquals(predicted(T0, T0, 1), d.nextAttemptAt());
    s1.result().complete(status(200)); // the old incarnation's result: stale

    clock.set(d.nextAttemptAt());
    kit.runCommand(new AttemptDue(2));
    var s2 = sender.next();
    assertSigned(s2, d.nextAttemptAt(), 2);
    s2.result().complete(status(200));
    Delivery done = awaitState(x -> x.status() == Status.DELIVERED);
    assertEquals(List.of(1, 2), done.attempts().stream().map(Attempt::number).toList());
    assertEquals(Verdict.RETRY, done.attempts().get(0).verdict());
  }

  /** Past the 24 h horizon the delivery gives up, with the reason in the log. */
  @Test
  void givesUpAfterTheHorizon() throws InterruptedException {
    start();
    deliver(PAYLOAD);
    sender.next().result().complete(status(500));
    Delivery d = awaitState(x -> x.nextAttempt() != null && x.nextAttempt() == 2);
    Instant late = T0.plus(Duration.ofHours(24));
    clock.set(late);
    kit.runCommand(new AttemptDue(2));
    var s2 = sender.next();
    clock.set(late.plusSeconds(1));
    s2.result().complete(status(502));
    Delivery gone = awaitState(x -> x.status() == Status.GAVE_UP);
    assertTrue(gone.gaveUpReason().contains("PT24H") && gone.gaveUpReason().contains("HTTP 502"),
        gone.gaveUpReason());
    assertEquals(2, gone.attempts().size());
    assertEquals(1, d.attempts().size());
  }

  /** Redeliver ("redeliver from here") sends a delivered notification again; refused while pending. */
  @Test
  void redeliverSendsAgain() throws InterruptedException {
    start();
    deliver(PAYLOAD);
    var s1 = sender.next();
    var pending = kit.<StatusReply<Done>>runCommand(Redeliver::new);
    assertTrue(pending.reply().isError(), "still pending");
    s1.result().complete(status(200));
    awaitState(x -> x.status() == Status.DELIVERED);

    Instant later = T0.plus(Duration.ofDays(3));
    clock.set(later);
    var again = kit.<StatusReply<Done>>runCommand(Redeliver::new);
    assertTrue(again.reply().isSuccess());
    // (The attempt's own AttemptStarted may already follow: the timer of a due attempt fires at once.)
    assertEquals(List.of(new WebhookDelivery.RedeliveryRequested(later), new NextAttemptScheduled(2, later)),
        again.events().subList(0, 2));
    var s2 = sender.next();
    assertSigned(s2, later, 2);
    s2.result().complete(status(200));
    Delivery d = awaitState(x -> x.status() == Status.DELIVERED && x.attempts().size() == 2);
    assertEquals(later, d.roundStartedAt(), "the retry horizon starts again");
    assertEquals(List.of(1, 2), d.attempts().stream().map(Attempt::number).toList());
  }
}
