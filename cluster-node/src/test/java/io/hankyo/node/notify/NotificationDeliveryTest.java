package io.hankyo.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.hankyo.node.directory.DirectoryTestConfig;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.calllog.DeviceType;
import io.hankyo.protocol.calllog.DialStatus;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.notify.NotificationSettings;
import io.hankyo.protocol.notify.NotificationSettingsParser;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import jakarta.mail.internet.MimeMessage;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The notification path after the call (issue 4): the handover of an ended call's record to the outbox entities
 * ({@link NotificationHandover}), the stored forms (caller encrypted) and their rendering at send time, and the email
 * channel of the outbox entity against GreenMail (a real SMTP server in this JVM).
 */
class NotificationDeliveryTest {
  private static final Instant ARRIVED = Instant.parse("2026-11-29T01:02:03Z");
  private static final String CALLER = "+81312345678";
  private static ActorTestKit testKit;
  private static ExecutorService blocking;
  private static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules().build();
  private static final CallerNumberCipher CIPHER = new CallerNumberCipher(Map.of("k1", key()), "k1", key());
  private static final CallNotificationPayload PAYLOADS = new CallNotificationPayload(JSON, CIPHER);
  private static final NotificationSettings SETTINGS = NotificationSettingsParser.parse("""
      {"email": {"to": ["shop@example.jp", "owner@example.com"], "trigger": "missed"},
       "webhook": {"url": "https://hooks.example.jp/calls", "secret": "s3cret-for-hooks-only", "trigger": "every"}}""");

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("NotificationDeliveryTest", DirectoryTestConfig.eventSourced());
    blocking = Executors.newSingleThreadExecutor();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
    blocking.shutdownNow();
  }

  private static String key() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return Base64.getEncoder().encodeToString(k);
  }

  private static CallLogRecord missed(boolean email, boolean http) {
    return new CallLogRecord("op1", 7, "0123456789abcdef01234567", PhoneNumbers.parse("0120-111-222"),
        "acme", "株式会社アクメ", "din-1", "ショップ本店", PhoneNumbers.parse("090-9999-8888"),
        CIPHER.encrypt(CALLER), DeviceType.FIXED, DeviceType.MOBILE,
        ARRIVED, null, ARRIVED.plusSeconds(31), 30, 0, 31,
        DialStatus.BUSY, HangupParty.CALLEE, Map.of("source", "Google 広告"), email, http, 0, "BUSY", 486);
  }

  private static NumberRoute route(String dialinId, NotificationSettings settings) {
    return new NumberRoute("op1", "acme", "株式会社アクメ", dialinId, "ショップ本店", PhoneNumbers.parse("0120-111-222"),
        PhoneNumbers.parse("090-9999-8888"), false, null, 0, null, 0, null, settings, 1, null, 0, null);
  }

  private record Handed(WebhookDelivery.Channel channel, String entityId, String target, String ref, String stored) {}

  @Test
  void anEndedCallIsHandedToOneEntityPerFiredChannelWithoutTheClearCaller() throws Exception {
    List<Handed> handed = new ArrayList<>();
    AtomicInteger lookups = new AtomicInteger();
    NotificationHandover handover = new NotificationHandover(e164 -> {
      lookups.incrementAndGet();
      assertEquals("+81120111222", e164);
      return CompletableFuture.completedFuture(Optional.of(route("din-1", SETTINGS)));
    }, (channel, id, target, ref, stored) -> {
      handed.add(new Handed(channel, id, target, ref, stored));
      return CompletableFuture.completedFuture(Done.getInstance());
    }, PAYLOADS);

    handover.handOver(missed(false, false)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(0, lookups.get(), "nothing fired: not even a lookup");

    handover.handOver(missed(true, true)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(2, handed.size(), handed.toString());
    Handed hook = handed.get(0);
    assertEquals(WebhookDelivery.Channel.WEBHOOK, hook.channel());
    assertEquals("0123456789abcdef01234567:call_ended", hook.entityId());
    assertEquals("https://hooks.example.jp/calls", hook.target());
    assertEquals("+81120111222|acme|din-1", hook.ref());
    Handed mail = handed.get(1);
    assertEquals(WebhookDelivery.Channel.EMAIL, mail.channel());
    assertEquals("0123456789abcdef01234567:call_ended", mail.entityId());
    assertEquals("mailto:shop@example.jp,owner@example.com", mail.target());
    assertEquals(List.of("shop@example.jp", "owner@example.com"), EmailTransport.recipients(mail.target()));
    for (Handed h : handed) {
      assertFalse(h.stored().contains(CALLER), "the stored request holds the caller encrypted only");
      assertFalse(h.stored().contains("s3cret-for-hooks-only"), "no secret in the stored request");
    }
    // rendered at send time: the caller in clear
    String body = PAYLOADS.webhookBody(hook.stored());
    JsonNode parsed = JSON.readTree(body);
    assertEquals(CALLER, parsed.get("caller_e164").asText());
    assertEquals("call_ended", parsed.get("event").asText());
    // the call-log row as GET /v1/calls renders it (issue 4: "JSON payload with the call-log fields")
    assertEquals("話中", parsed.get("dial_stat").asText(), body);
    assertEquals("03-1234-5678", parsed.get("clr_id_cipher").asText(), body);
    assertEquals("0123456789abcdef01234567", parsed.get("trn_id").asText(), body);
    assertTrue(parsed.get("din_tms").asText().endsWith("+09:00"), body);
    assertTrue(parsed.has("conn_sec") && parsed.has("call_charge") && parsed.has("nfy_http"), body);
    CallEmail email = PAYLOADS.email(mail.stored());
    assertEquals(CallEmail.Kind.MISSED_CALL, email.kind());
    assertTrue(email.subject().contains("03-1234-5678"), email.subject());
  }

  @Test
  void theSecretComesFromTheNumbersCurrentSettingsOfTheSameRecordOnly() {
    String ref = NotificationHandover.secretRef(missed(true, true));
    NumberRoute route = route("din-1", SETTINGS);
    assertEquals(Optional.of("s3cret-for-hooks-only"),
        NotificationHandover.webhookSecret(ref, route.clientId(), "din-1", SETTINGS));
    assertEquals(Optional.empty(), NotificationHandover.webhookSecret(ref, route.clientId(), "din-2", SETTINGS),
        "the number now belongs to another record");
    assertEquals(Optional.empty(), NotificationHandover.webhookSecret(ref, route.clientId(), "din-1", null));
    assertEquals(Optional.empty(), NotificationHandover.webhookSecret(ref, null, null, null), "not a number now");
    assertEquals(Optional.empty(), NotificationHandover.webhookSecret(ref, route.clientId(), "din-1",
        route.notifications()), "a route never carries the secret");
    assertEquals(route.din().e164(), NotificationHandover.numberOf(ref));
  }

  @Test
  void aChannelRemovedSinceTheCallIsDroppedAndAFailedAskFailsTheHandover() {
    NotificationSettings hookOnly = new NotificationSettings(null, SETTINGS.webhook(), null);
    List<Handed> handed = new ArrayList<>();
    NotificationHandover handover = new NotificationHandover(
        e164 -> CompletableFuture.completedFuture(Optional.of(route("din-1", hookOnly))),
        (channel, id, target, ref, stored) -> {
          handed.add(new Handed(channel, id, target, ref, stored));
          return channel == WebhookDelivery.Channel.WEBHOOK
              ? CompletableFuture.failedFuture(new IllegalStateException("ask timed out"))
              : CompletableFuture.completedFuture(Done.getInstance());
        }, PAYLOADS);
    var result = handover.handOver(missed(true, true)).toCompletableFuture();
    assertTrue(result.isCompletedExceptionally(), "the projection retries the envelope");
    assertEquals(1, handed.size(), "email settings removed: only the webhook was asked");
  }

  private static WebhookDelivery.Settings settings() {
    return new WebhookDelivery.Settings(RetryPolicy.defaults(), Duration.ofSeconds(5), java.time.Clock.systemUTC(),
        new Random(1));
  }

  @Test
  void theEmailChannelSendsTheComposedEmailOnceAndPassivatesWhenDelivered() throws Exception {
    GreenMail gm = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
        .withConfiguration(GreenMailConfiguration.aConfig().withDisabledAuthentication());
    gm.start();
    try {
      SmtpSettings smtp = new SmtpSettings("127.0.0.1", gm.getSmtp().getPort(), SmtpSettings.StartTls.OFF, "", "",
          SmtpSettings.parseFrom("Hankyo 通知 <notify@example.jp>"), Duration.ofSeconds(5));
      TestProbe<ActorRef<WebhookDelivery.Command>> passivated = testKit.createTestProbe();
      var kit = EventSourcedBehaviorTestKit.<WebhookDelivery.Command, WebhookDelivery.Event, WebhookDelivery.State>
          create(testKit.system(), WebhookDelivery.create(WebhookDelivery.Channel.EMAIL,
              "0123456789abcdef01234567:call_ended", settings(),
              new EmailTransport(new EmailSender(smtp), PAYLOADS, blocking),
              (ref, stored) -> CompletableFuture.completedFuture(
                  Optional.of(new WebhookDelivery.Resolved(new byte[0], stored))),
              Optional.of(passivated.ref()::tell)));
      String stored = PAYLOADS.storedEmail(missed(true, false), CallEmail.Kind.MISSED_CALL);
      var r = kit.<StatusReply<Done>>runCommand(reply -> new WebhookDelivery.Deliver(
          EmailTransport.target(List.of("shop@example.jp")), "+81120111222|acme|din-1", stored, reply));
      assertTrue(r.reply().isSuccess());
      WebhookDelivery.Requested requested = r.eventOfType(WebhookDelivery.Requested.class);
      assertFalse(requested.payload().contains(CALLER), "the journal holds the caller encrypted only");

      assertTrue(gm.waitForIncomingEmail(10_000, 1));
      passivated.expectMessageClass(ActorRef.class, Duration.ofSeconds(10));
      WebhookDelivery.Delivery d = assertInstanceOf(WebhookDelivery.Delivery.class, kit.getState());
      assertEquals(WebhookDelivery.Status.DELIVERED, d.status());
      assertEquals(1, d.attempts().size());
      MimeMessage m = gm.getReceivedMessages()[0];
      assertEquals("【不在着信】0120-111-222 (ショップ本店) 03-1234-5678 から", m.getSubject());
      String text = GreenMailUtil.getBody(m);
      assertTrue(m.getAllRecipients()[0].toString().contains("shop@example.jp"));
      assertFalse(text.isEmpty());

      // a replayed handover (same entity id) is a no-op
      var again = kit.<StatusReply<Done>>runCommand(reply -> new WebhookDelivery.Deliver(
          EmailTransport.target(List.of("shop@example.jp")), "+81120111222|acme|din-1", stored, reply));
      assertTrue(again.reply().isSuccess());
      assertTrue(again.hasNoEvents());
      assertEquals(1, gm.getReceivedMessages().length);
    } finally {
      gm.stop();
    }
  }

  @Test
  void aPermanentEmailFailureGivesUpAtOnce() {
    SmtpSettings smtp = new SmtpSettings("127.0.0.1", 9, SmtpSettings.StartTls.OFF, "", "",
        SmtpSettings.parseFrom("notify@example.jp"), Duration.ofSeconds(2));
    TestProbe<ActorRef<WebhookDelivery.Command>> passivated = testKit.createTestProbe();
    var kit = EventSourcedBehaviorTestKit.<WebhookDelivery.Command, WebhookDelivery.Event, WebhookDelivery.State>
        create(testKit.system(), WebhookDelivery.create(WebhookDelivery.Channel.EMAIL, "trn-2:call_ended",
            settings(), new EmailTransport(new EmailSender(smtp), PAYLOADS, blocking),
            (ref, stored) -> CompletableFuture.completedFuture(
                Optional.of(new WebhookDelivery.Resolved(new byte[0], stored))),
            Optional.of(passivated.ref()::tell)));
    // an address the strict check refuses before any connection: permanent
    var r = kit.<StatusReply<Done>>runCommand(reply -> new WebhookDelivery.Deliver("mailto:bad@@example.jp", "ref",
        PAYLOADS.storedEmail(missed(true, false), CallEmail.Kind.MISSED_CALL), reply));
    assertTrue(r.reply().isSuccess(), String.valueOf(r.reply()));
    passivated.expectMessageClass(ActorRef.class, Duration.ofSeconds(10));
    WebhookDelivery.Delivery d = assertInstanceOf(WebhookDelivery.Delivery.class, kit.getState());
    assertEquals(WebhookDelivery.Status.GAVE_UP, d.status());
    assertEquals(RetryPolicy.Verdict.FINAL, d.attempts().get(0).verdict());
    assertNull(d.attempts().get(0).status());
    assertTrue(d.gaveUpReason().contains("bad@@example.jp"), d.gaveUpReason());
  }

  @Test
  void aWebhookTargetOnTheEmailChannelIsRefused() {
    var kit = EventSourcedBehaviorTestKit.<WebhookDelivery.Command, WebhookDelivery.Event, WebhookDelivery.State>
        create(testKit.system(), WebhookDelivery.create(WebhookDelivery.Channel.EMAIL, "trn-3:call_ended",
            settings(), request -> CompletableFuture.completedFuture(new AttemptResult.Response(250, null, 1)),
            (ref, stored) -> CompletableFuture.completedFuture(Optional.empty()), Optional.empty()));
    var r = kit.<StatusReply<Done>>runCommand(reply -> new WebhookDelivery.Deliver("https://example.jp/h", "ref",
        "{}", reply));
    assertTrue(r.reply().isError());
    assertTrue(r.hasNoEvents());
  }
}
