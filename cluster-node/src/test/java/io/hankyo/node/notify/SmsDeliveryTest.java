package io.hankyo.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.hankyo.node.callback.LeaseResult;
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
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.SubmitSm;
import org.jsmpp.bean.TypeOfNumber;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SMS channel of the notification outbox and the callback number in notifications (issue 4): the handover of an
 * ended call to one SMS delivery per recipient (and one to a mobile caller), the callback number leased before the
 * notification is persisted and shown in every channel, and the SMS delivery entity against a jSMPP test SMSC.
 */
class SmsDeliveryTest {
  private static final Instant ARRIVED = Instant.parse("2026-11-29T01:02:03Z");
  private static final String TRN = "0123456789abcdef01234567";
  private static final String MOBILE_CALLER = "+819011112222";
  private static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules().build();
  private static final CallerNumberCipher CIPHER = new CallerNumberCipher(Map.of("k1", key()), "k1", key());
  private static final CallNotificationPayload PAYLOADS = new CallNotificationPayload(JSON, CIPHER);
  private static final NotificationSettings SETTINGS = NotificationSettingsParser.parse("""
      {"email": {"to": ["shop@example.jp"], "trigger": "missed"},
       "webhook": {"url": "https://hooks.example.jp/calls", "secret": "s3cret-for-hooks-only", "trigger": "every"},
       "sms": {"to": ["080-1111-2222", "080-3333-4444"], "trigger": "missed"},
       "caller_sms": {"text": "{advertiser}へのお電話ありがとうございました。クーポン: https://example.jp/c/1",
                      "trigger": "missed"}}""");
  private static final LeaseResult.Leased LEASED = new LeaseResult.Leased(PhoneNumbers.parse("050-3333-4444"),
      Instant.parse("2026-12-06T01:02:34Z"));
  private static ActorTestKit testKit;
  private static ExecutorService blocking;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("SmsDeliveryTest", DirectoryTestConfig.eventSourced());
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

  /** A missed call from {@code caller} (null = withheld) whose record fired the given channels. */
  private static CallLogRecord missed(String caller, DeviceType type, boolean smsFired, boolean callerSmsFired) {
    Map<String, String> vars = new HashMap<>();
    vars.put(NotificationPlan.NFY_SMS, Boolean.toString(smsFired));
    vars.put(NotificationPlan.NFY_CALLER_SMS, Boolean.toString(callerSmsFired));
    return new CallLogRecord("op1", 7, TRN, PhoneNumbers.parse("0120-111-222"),
        "acme", "株式会社アクメ", "din-1", "ショップ本店", PhoneNumbers.parse("090-9999-8888"),
        caller == null ? null : CIPHER.encrypt(caller), type, DeviceType.MOBILE,
        ARRIVED, null, ARRIVED.plusSeconds(31), 30, 0, 31,
        DialStatus.BUSY, HangupParty.CALLEE, vars, true, true, 0, "BUSY", 486);
  }

  private static NumberRoute route(NotificationSettings settings) {
    return new NumberRoute("op1", "acme", "株式会社アクメ", "din-1", "ショップ本店", PhoneNumbers.parse("0120-111-222"),
        PhoneNumbers.parse("090-9999-8888"), false, null, 0, null, 0, null, settings, 1, null, 0, null);
  }

  private record Handed(WebhookDelivery.Channel channel, String entityId, String target, String stored) {}

  private static NotificationHandover handover(List<Handed> handed, NotificationHandover.Callbacks callbacks) {
    return new NotificationHandover(e164 -> CompletableFuture.completedFuture(Optional.of(route(SETTINGS))),
        (channel, id, target, ref, stored) -> {
          handed.add(new Handed(channel, id, target, stored));
          return CompletableFuture.completedFuture(Done.getInstance());
        }, PAYLOADS, callbacks);
  }

  private static List<Handed> of(List<Handed> handed, WebhookDelivery.Channel channel) {
    return handed.stream().filter(h -> h.channel() == channel).toList();
  }

  @Test
  void aFiredSmsChannelIsOneDeliveryPerRecipientAndOneToTheMobileCallerWithTheLeasedNumberEverywhere()
      throws Exception {
    List<Handed> handed = new CopyOnWriteArrayList<>();
    List<String> leasedFor = new CopyOnWriteArrayList<>();
    NotificationHandover h = handover(handed, r -> {
      leasedFor.add(r.trnId());
      assertTrue(handed.isEmpty(), "the number is leased before any notification is persisted");
      return CompletableFuture.completedFuture(Optional.of(LEASED));
    });
    h.handOver(missed(MOBILE_CALLER, DeviceType.MOBILE, true, true)).toCompletableFuture().get(5, TimeUnit.SECONDS);

    assertEquals(List.of(TRN), leasedFor);
    List<Handed> sms = of(handed, WebhookDelivery.Channel.SMS);
    assertEquals(List.of(TRN + ":sms_818011112222", TRN + ":sms_818033334444", TRN + ":caller_sms"),
        sms.stream().map(Handed::entityId).toList());
    assertEquals(List.of("sms:+818011112222", "sms:+818033334444", "sms:caller"),
        sms.stream().map(Handed::target).toList());
    for (Handed x : handed) {
      assertFalse(x.stored().contains(MOBILE_CALLER), "no clear caller number in any stored request: " + x);
    }
    // the advertiser's SMS, composed at send time: caller in national form and the callback number
    CallSms advertiser = PAYLOADS.sms(sms.get(0).stored());
    assertEquals(CallSms.Kind.MISSED_CALL, advertiser.kind());
    assertEquals("【不在着信】11/29 10:02 ショップ本店 発信者:090-1111-2222 折返し:050-3333-4444", advertiser.text());
    CallSms caller = PAYLOADS.sms(sms.get(2).stored());
    assertEquals(CallSms.Kind.CALLER_FOLLOW_UP, caller.kind());
    assertEquals("株式会社アクメへのお電話ありがとうございました。クーポン: https://example.jp/c/1", caller.text());
    // the email and the webhook carry the same number
    CallEmail email = PAYLOADS.email(of(handed, WebhookDelivery.Channel.EMAIL).get(0).stored());
    assertTrue(email.body().contains("折返し番号: 050-3333-4444\n"), email.body());
    JsonNode body = JSON.readTree(PAYLOADS.webhookBody(of(handed, WebhookDelivery.Channel.WEBHOOK).get(0).stored()));
    assertEquals("+815033334444", body.get("callback_number").asText());
    assertEquals("2026-12-06T01:02:34Z", body.get("callback_until").asText());
    assertNull(body.get("callback_pool_empty"));

    // a replayed handover asks for the lease again (the pool answers the same number) and the same entity ids
    List<String> ids = handed.stream().map(Handed::entityId).toList();
    handed.clear();
    h.handOver(missed(MOBILE_CALLER, DeviceType.MOBILE, true, true)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(ids, handed.stream().map(Handed::entityId).toList());
  }

  @Test
  void anEmptyPoolIsSaidInEveryChannelAndAWithheldCallerGetsNoCallbackLineAndNoLease() throws Exception {
    List<Handed> handed = new CopyOnWriteArrayList<>();
    AtomicInteger leases = new AtomicInteger();
    NotificationHandover h = handover(handed, r -> {
      leases.incrementAndGet();
      return CompletableFuture.completedFuture(Optional.of(new LeaseResult.PoolEmpty()));
    });
    h.handOver(missed("+81312345678", DeviceType.FIXED, true, false)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(1, leases.get());
    CallSms sms = PAYLOADS.sms(of(handed, WebhookDelivery.Channel.SMS).get(0).stored());
    assertTrue(sms.text().endsWith(" 発信者:03-1234-5678 折返し番号なし"), sms.text());
    CallEmail email = PAYLOADS.email(of(handed, WebhookDelivery.Channel.EMAIL).get(0).stored());
    assertTrue(email.body().contains("折返し番号: 折返し番号なし (空き番号なし)\n"), email.body());
    JsonNode body = JSON.readTree(PAYLOADS.webhookBody(of(handed, WebhookDelivery.Channel.WEBHOOK).get(0).stored()));
    assertTrue(body.get("callback_number").isNull());
    assertTrue(body.get("callback_pool_empty").asBoolean());

    handed.clear();
    h.handOver(missed(null, DeviceType.WITHHELD, true, false)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(1, leases.get(), "a withheld caller: nothing to forward to, no lease asked");
    CallSms withheld = PAYLOADS.sms(of(handed, WebhookDelivery.Channel.SMS).get(0).stored());
    assertTrue(withheld.text().endsWith(" 発信者:非通知"), withheld.text());
    assertFalse(PAYLOADS.email(of(handed, WebhookDelivery.Channel.EMAIL).get(0).stored()).body().contains("折返し"));
  }

  @Test
  void noPoolMeansNoCallbackLineAndAFailedLeasePersistsNothing() throws Exception {
    List<Handed> handed = new CopyOnWriteArrayList<>();
    handover(handed, r -> CompletableFuture.completedFuture(Optional.empty()))
        .handOver(missed(MOBILE_CALLER, DeviceType.MOBILE, true, false)).toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
    assertFalse(PAYLOADS.sms(of(handed, WebhookDelivery.Channel.SMS).get(0).stored()).text().contains("折返し"));
    assertFalse(PAYLOADS.email(of(handed, WebhookDelivery.Channel.EMAIL).get(0).stored()).body().contains("折返し"));

    handed.clear();
    var failed = handover(handed, r -> CompletableFuture.failedFuture(new IllegalStateException("ask timed out")))
        .handOver(missed(MOBILE_CALLER, DeviceType.MOBILE, true, false)).toCompletableFuture();
    assertTrue(failed.isCompletedExceptionally(), "the projection retries the envelope");
    assertTrue(handed.isEmpty(), "nothing persisted without the callback number");
  }

  @Test
  void aCallerWhoIsNotAJapaneseMobileGetsNoSmsAndNothingFiredMeansNothingSent() throws Exception {
    List<Handed> handed = new CopyOnWriteArrayList<>();
    NotificationHandover h = handover(handed, NotificationHandover.Callbacks.none());
    // classified mobile by the gateway, but a landline number: CallerSmsRule skips it
    h.handOver(missed("+81312345678", DeviceType.MOBILE, false, true)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertTrue(of(handed, WebhookDelivery.Channel.SMS).isEmpty(), handed.toString());

    handed.clear();
    h.handOver(missed(MOBILE_CALLER, DeviceType.MOBILE, false, false)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertTrue(of(handed, WebhookDelivery.Channel.SMS).isEmpty(), "nfy_sms false: no SMS");
  }

  // ------------------------------------------------------------------------------------------ entity + test SMSC

  private static SmppSettings smpp(int port) {
    return SmppSettings.disabled().withServer("127.0.0.1", port, "hankyo", "secret")
        .withSource("0312345678", TypeOfNumber.NATIONAL, NumberingPlanIndicator.ISDN)
        .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(5));
  }

  private static String decode(SubmitSm sm) {
    byte[] b = sm.getShortMessage();
    int offset = (sm.getEsmClass() & 0x40) != 0 ? (b[0] & 0xFF) + 1 : 0;
    return new String(b, offset, b.length - offset, StandardCharsets.UTF_16BE);
  }

  private static EventSourcedBehaviorTestKit<WebhookDelivery.Command, WebhookDelivery.Event, WebhookDelivery.State>
      kit(String entityId, SmsSender sender, TestProbe<ActorRef<WebhookDelivery.Command>> passivated) {
    // retries after 50..100 ms: the test waits for them without a manual clock
    var settings = new WebhookDelivery.Settings(new RetryPolicy(Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofHours(1), Duration.ofHours(1)), Duration.ofSeconds(5), java.time.Clock.systemUTC(), new Random(1));
    return EventSourcedBehaviorTestKit.create(testKit.system(), WebhookDelivery.create(WebhookDelivery.Channel.SMS,
        entityId, settings, new SmsTransport(sender, PAYLOADS, blocking),
        (ref, stored) -> CompletableFuture.completedFuture(
            Optional.of(new WebhookDelivery.Resolved(new byte[0], stored))),
        Optional.of(passivated.ref()::tell)));
  }

  @Test
  void theSmsChannelRetriesAThrottledSubmitAndNeverResendsToAnAcceptedRecipient() throws Exception {
    try (TestSmsc smsc = new TestSmsc("hankyo", "secret"); SmsSender sender = new SmsSender(smpp(smsc.port()))) {
      CallLogRecord call = CallNotificationPayload.withCallback(missed(MOBILE_CALLER, DeviceType.MOBILE, true, true),
          LEASED);
      String stored = PAYLOADS.storedSms(call, CallEmail.Kind.MISSED_CALL.code(), null);
      // recipient 1: throttled once, then accepted; recipient 2: an invalid destination (permanent)
      AtomicInteger toFirst = new AtomicInteger();
      smsc.answer = sm -> sm.getDestAddress().equals("818011112222")
          ? (toFirst.incrementAndGet() == 1 ? SMPPConstant.STAT_ESME_RTHROTTLED : 0)
          : SMPPConstant.STAT_ESME_RINVDSTADR;
      TestProbe<ActorRef<WebhookDelivery.Command>> passivated = testKit.createTestProbe();
      var first = kit(NotificationHandover.smsEntityId(call, PhoneNumbers.parse("080-1111-2222")), sender, passivated);
      var second = kit(NotificationHandover.smsEntityId(call, PhoneNumbers.parse("080-3333-4444")), sender,
          passivated);
      assertTrue(first.<StatusReply<Done>>runCommand(r -> new WebhookDelivery.Deliver("sms:+818011112222",
          "ref", stored, r)).reply().isSuccess());
      assertTrue(second.<StatusReply<Done>>runCommand(r -> new WebhookDelivery.Deliver("sms:+818033334444",
          "ref", stored, r)).reply().isSuccess());
      passivated.expectMessageClass(ActorRef.class, Duration.ofSeconds(10));
      passivated.expectMessageClass(ActorRef.class, Duration.ofSeconds(10));

      WebhookDelivery.Delivery d1 = assertInstanceOf(WebhookDelivery.Delivery.class, first.getState());
      assertEquals(WebhookDelivery.Status.DELIVERED, d1.status());
      assertEquals(List.of(RetryPolicy.Verdict.RETRY, RetryPolicy.Verdict.DELIVERED),
          d1.attempts().stream().map(WebhookDelivery.Attempt::verdict).toList());
      assertTrue(d1.attempts().get(0).error().contains("ESME_RTHROTTLED"), d1.attempts().get(0).error());
      WebhookDelivery.Delivery d2 = assertInstanceOf(WebhookDelivery.Delivery.class, second.getState());
      assertEquals(WebhookDelivery.Status.GAVE_UP, d2.status());
      assertEquals(1, d2.attempts().size());
      assertTrue(d2.gaveUpReason().contains("ESME_RINVDSTADR"), d2.gaveUpReason());

      List<SubmitSm> toAccepted = smsc.submits.stream().filter(s -> s.getDestAddress().equals("818011112222"))
          .toList();
      assertEquals(2, toAccepted.size(), "one throttled, one accepted, none after");
      assertEquals("【不在着信】11/29 10:02 ショップ本店 発信者:090-1111-2222 折返し:050-3333-4444",
          decode(toAccepted.get(1)));
      assertEquals(3, smsc.submits.size());
      assertFalse((stored + first.getState()).contains(MOBILE_CALLER), "no clear caller in the journal");

      // the SMS to the caller: the target names no number, the number is decrypted when sent
      var toCaller = kit(NotificationHandover.callerSmsEntityId(call), sender, passivated);
      smsc.answer = sm -> 0;
      String callerStored = PAYLOADS.storedSms(call, CallNotificationPayload.CALLER_SMS,
          SETTINGS.callerSms().text());
      assertTrue(toCaller.<StatusReply<Done>>runCommand(r -> new WebhookDelivery.Deliver(SmsTransport.CALLER_TARGET,
          "ref", callerStored, r)).reply().isSuccess());
      passivated.expectMessageClass(ActorRef.class, Duration.ofSeconds(10));
      assertEquals(WebhookDelivery.Status.DELIVERED,
          assertInstanceOf(WebhookDelivery.Delivery.class, toCaller.getState()).status());
      SubmitSm last = smsc.submits.get(smsc.submits.size() - 1);
      assertEquals("819011112222", last.getDestAddress());
      assertEquals("株式会社アクメへのお電話ありがとうございました。クーポン: https://example.jp/c/1", decode(last));
      assertFalse((callerStored + toCaller.getState()).contains(MOBILE_CALLER), "no clear caller in the journal");
    }
  }

  @Test
  void theSmsChannelTakesOnlySmsTargets() {
    var kit = EventSourcedBehaviorTestKit.<WebhookDelivery.Command, WebhookDelivery.Event, WebhookDelivery.State>
        create(testKit.system(), WebhookDelivery.create(WebhookDelivery.Channel.SMS, TRN + ":sms_1",
            new WebhookDelivery.Settings(RetryPolicy.defaults(), Duration.ofSeconds(5), java.time.Clock.systemUTC(),
                new Random(1)),
            request -> CompletableFuture.completedFuture(new AttemptResult.Response(200, null, 1)),
            (ref, stored) -> CompletableFuture.completedFuture(Optional.empty()), Optional.empty()));
    for (String bad : List.of("mailto:a@example.jp", "https://example.jp/h", "sms:", "sms:not-a-number")) {
      var r = kit.<StatusReply<Done>>runCommand(reply -> new WebhookDelivery.Deliver(bad, "ref", "{}", reply));
      assertTrue(r.reply().isError(), bad);
      assertTrue(r.reply().getError().getMessage().contains("sms:<E.164> or sms:caller"),
          r.reply().getError().getMessage());
      assertTrue(r.hasNoEvents());
    }
    assertTrue(SmsTransport.validTarget("sms:+819011112222"));
    assertTrue(SmsTransport.validTarget(SmsTransport.CALLER_TARGET));
  }

  // ------------------------------------------------------------------------------------------------ call log flags

  private static CallLogRecord ended(boolean smsEnabled, DeviceType callerType, boolean answered) {
    io.hankyo.protocol.call.CallArrival arrival = new io.hankyo.protocol.call.CallArrival(TRN, "sip-1@127.0.0.1",
        "node-1", PhoneNumbers.parse("0120-111-222"), new io.hankyo.protocol.call.CallerInfo(
            CIPHER.encrypt(MOBILE_CALLER), CIPHER.keyedHash(MOBILE_CALLER), null, null, callerType), ARRIVED);
    NumberRoute r = route(SETTINGS);
    return new io.hankyo.node.call.CallOutcomes(io.hankyo.node.call.CallCharges.defaults(), smsEnabled).record(
        new io.hankyo.node.call.CallOutcomes.Facts(1, arrival, r, r.forwardTo(), ARRIVED.plusSeconds(1),
            answered ? ARRIVED.plusSeconds(5) : null, ARRIVED.plusSeconds(20), HangupParty.CALLER,
            answered ? io.hankyo.protocol.call.EndCause.NORMAL_CLEARING : io.hankyo.protocol.call.EndCause.BUSY,
            answered ? 200 : 486));
  }

  @Test
  void theCallLogSaysWhetherTheSmsChannelsFired() {
    CallLogRecord missed = ended(true, DeviceType.MOBILE, false);
    assertEquals("true", missed.logvars().get("nfy_sms"));
    assertEquals("true", missed.logvars().get("nfy_caller_sms"));
    CallLogRecord noSmsc = ended(false, DeviceType.MOBILE, false);
    assertEquals("false", noSmsc.logvars().get("nfy_sms"), "no SMSC configured: not sent");
    assertEquals("false", noSmsc.logvars().get("nfy_caller_sms"));
    CallLogRecord answered = ended(true, DeviceType.MOBILE, true);
    assertEquals("false", answered.logvars().get("nfy_sms"), "trigger missed, the call talked");
    assertEquals("false", answered.logvars().get("nfy_caller_sms"));
    assertEquals("false", ended(true, DeviceType.FIXED, false).logvars().get("nfy_caller_sms"), "not a mobile");
    assertTrue(NotificationHandover.smsFired(missed));
    assertTrue(NotificationHandover.callerSmsFired(missed));
    assertFalse(NotificationHandover.smsFired(noSmsc));
  }
}
