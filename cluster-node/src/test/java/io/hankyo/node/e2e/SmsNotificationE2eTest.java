package io.hankyo.node.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.node.notify.TestSmsc;
import io.hankyo.sip.testing.SippProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jsmpp.bean.SubmitSm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end (issue 4, SMS and callback tracking): a real sipp call from a mobile caller (090) to a node on the real
 * Cassandra, the destination busy (486): a missed call. The number's {@code sms} channel (trigger {@code missed}) and
 * {@code caller_sms} send through the SMS outbox to a jSMPP test SMSC in this JVM; the operator's callback pool gives
 * the missed call a one-time callback number, which the advertiser's SMS shows.
 */
class SmsNotificationE2eTest {
  private static SippE2e e2e;
  private static TestSmsc smsc;

  @BeforeAll
  static void start() throws Exception {
    smsc = new TestSmsc("hankyo-e2e", "pw-e2e");
    e2e = SippE2e.start("smsnotify", "adv-sms", "SMS広告主", Duration.ofSeconds(40), String.join("\n",
        "hankyo.notify.smpp.host = \"127.0.0.1\"",
        "hankyo.notify.smpp.port = " + smsc.port(),
        "hankyo.notify.smpp.system-id = \"hankyo-e2e\"",
        "hankyo.notify.smpp.password = \"pw-e2e\"",
        "hankyo.notify.retry-base = 200ms",
        "hankyo.notify.retry-cap = 1s"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (e2e != null) {
      e2e.close();
    }
    if (smsc != null) {
      smsc.close();
    }
  }

  private static String decode(SubmitSm sm) {
    byte[] b = sm.getShortMessage();
    int offset = (sm.getEsmClass() & 0x40) != 0 ? (b[0] & 0xFF) + 1 : 0;
    return new String(b, offset, b.length - offset, StandardCharsets.UTF_16BE);
  }

  private static void waitUntil(Duration wait, java.util.function.BooleanSupplier done, String what)
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
  void aMissedCallFromAMobileSendsTheAdvertiserSmsWithTheCallbackNumberAndTheCallerSms() throws Exception {
    String din = "0120700201";
    ApiClient api = e2e.api();
    assertEquals(201, api.post("/v1/advertisers/adv-sms/numbers", "{\"dialin_id\":\"sms\",\"number\":\"" + din
        + "\",\"name\":\"本店\",\"forward_to\":\"03-9999-0000\"}").status());
    ApiClient.Response settings = api.put("/v1/advertisers/adv-sms/numbers/sms/notifications",
        "{\"sms\": {\"to\": [\"080-7000-0002\"], \"trigger\": \"missed\"},"
            + " \"caller_sms\": {\"text\": \"{advertiser}へのお電話ありがとうございました。クーポン: https://example.jp/c/7\","
            + " \"trigger\": \"missed\"}}");
    assertEquals(200, settings.status(), settings.body());
    ApiClient.Response pool = api.put("/v1/callback-pool", "{\"numbers\": [\"05070000001\"], \"hold_sec\": 3600}");
    assertEquals(200, pool.status(), pool.body());

    try (SippProcess uas = e2e.uas("uas-busy.xml", 1, null, "sms-busy-uas");
        SippProcess uac = e2e.uac("uac-expect-486.xml", din, "09011112222", null, "sms-busy-uac")) {
      e2e.assertExit0(uac);
      e2e.assertExit0(uas);
    }
    List<JsonNode> rows = e2e.records(din, 1, Duration.ofSeconds(10));
    assertEquals(1, rows.size(), rows.toString());
    JsonNode row = rows.get(0);
    assertEquals("true", row.path("logvars.nfy_sms").asText(), row.toString());
    assertEquals("true", row.path("logvars.nfy_caller_sms").asText(), row.toString());

    waitUntil(Duration.ofSeconds(30), () -> smsc.submits.size() >= 2, "the advertiser's and the caller's SMS");
    Map<String, String> byDestination = smsc.submits.stream()
        .collect(Collectors.toMap(SubmitSm::getDestAddress, SmsNotificationE2eTest::decode, (a, b) -> a + b));
    String advertiser = byDestination.get("818070000002");
    assertTrue(advertiser != null && advertiser.startsWith("【不在着信】") && advertiser.contains("本店")
        && advertiser.contains("発信者:090-1111-2222") && advertiser.endsWith("折返し:050-7000-0001"),
        byDestination.toString());
    assertEquals("SMS広告主へのお電話ありがとうございました。クーポン: https://example.jp/c/7",
        byDestination.get("819011112222"), byDestination.toString());
    assertEquals(1, api.get("/v1/callback-pool").json().get("leased").asInt(), "the missed call holds the number");
    assertEquals(2, smsc.submits.size(), "each SMS sent once: " + byDestination);
  }
}
