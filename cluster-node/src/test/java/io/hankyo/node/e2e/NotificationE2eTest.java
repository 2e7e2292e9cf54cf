package io.hankyo.node.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import io.hankyo.node.notify.WebhookSignature;
import io.hankyo.sip.testing.SippProcess;
import jakarta.mail.internet.MimeMessage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end (issue 4, notifications): real sipp calls to a node on the real Cassandra; a busy destination makes a
 * missed call, whose email (trigger {@code missed}) reaches GreenMail in this JVM and whose webhook (trigger {@code
 * every}) reaches a local HTTP receiver that fails the first 3 attempts, then accepts; a connected call sends no email.
 */
class NotificationE2eTest {
  private static final String SECRET = "e2e-webhook-secret-0123";
  private static SippE2e e2e;
  private static GreenMail mail;
  private static HttpServer hooks;
  private static final List<Received> HOOKED = new CopyOnWriteArrayList<>();

  private record Received(String idempotencyKey, String attempt, String signature, byte[] body) {}

  @BeforeAll
  static void start() throws Exception {
    mail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
        .withConfiguration(GreenMailConfiguration.aConfig().withDisabledAuthentication());
    mail.start();
    hooks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    hooks.createContext("/hooks", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      HOOKED.add(new Received(exchange.getRequestHeaders().getFirst(WebhookSignature.IDEMPOTENCY_HEADER),
          exchange.getRequestHeaders().getFirst("Hankyo-Attempt"),
          exchange.getRequestHeaders().getFirst(WebhookSignature.HEADER), body));
      int status = HOOKED.size() <= 3 ? 503 : 204; // the first 3 attempts fail, the 4th is accepted
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    hooks.start();
    e2e = SippE2e.start("notify", "adv-notify", "通知広告主", Duration.ofSeconds(40), String.join("\n",
        "hankyo.notify.smtp.host = \"127.0.0.1\"",
        "hankyo.notify.smtp.port = " + mail.getSmtp().getPort(),
        "hankyo.notify.smtp.from = \"notify@example.jp\"",
        "hankyo.notify.retry-base = 200ms",
        "hankyo.notify.retry-cap = 1s"));
  }

  @AfterAll
  static void stop() {
    if (e2e != null) {
      e2e.close();
    }
    if (hooks != null) {
      hooks.stop(0);
    }
    if (mail != null) {
      mail.stop();
    }
  }

  private static void number(String dialinId, String din) throws Exception {
    ApiClient api = e2e.api();
    ApiClient.Response created = api.post("/v1/advertisers/adv-notify/numbers",
        "{\"dialin_id\":\"" + dialinId + "\",\"number\":\"" + din + "\",\"name\":\"本店\","
            + "\"forward_to\":\"03-9999-0000\"}");
    assertEquals(201, created.status(), created.body());
    ApiClient.Response settings = api.put("/v1/advertisers/adv-notify/numbers/" + dialinId + "/notifications",
        "{\"email\": {\"to\": [\"shop@example.jp\"], \"trigger\": \"missed\"},"
            + " \"webhook\": {\"url\": \"http://127.0.0.1:" + hooks.getAddress().getPort() + "/hooks\","
            + " \"secret\": \"" + SECRET + "\", \"trigger\": \"every\"}}");
    assertEquals(200, settings.status(), settings.body());
  }

  /** Every event of {@code persistenceId} in its first journal partition, as UTF-8 text, concatenated. */
  private static String journal(com.datastax.oss.driver.api.core.CqlSession cql, String table,
      String persistenceId) {
    StringBuilder out = new StringBuilder();
    for (var row : cql.execute("SELECT ser_manifest, event FROM " + table
        + " WHERE persistence_id = ? AND partition_nr = 0", persistenceId)) {
      out.append(row.getString("ser_manifest")).append(' ')
          .append(StandardCharsets.UTF_8.decode(row.getByteBuffer("event"))).append('\n');
    }
    return out.toString();
  }

  private static ApiClient.Response api(String path) {
    try {
      return e2e.api().get(path);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
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
  void aMissedCallEmailsAndItsWebhookIsRetriedUntilAcceptedAndAConnectedCallSendsNoEmail() throws Exception {
    String din = "0120700001";
    number("notified", din);

    // a connected call first: the row says no email fired
    try (SippProcess uas = e2e.uas("uas.xml", 1, Duration.ZERO, "talk-uas");
        SippProcess uac = e2e.uac("uac.xml", din, "0311112222", Duration.ofSeconds(1), "talk-uac")) {
      e2e.assertExit0(uac);
      e2e.assertExit0(uas);
    }
    List<JsonNode> rows = e2e.records(din, 1, Duration.ofSeconds(10));
    assertEquals(1, rows.size(), rows.toString());
    assertFalse(rows.get(0).get("nfy_email").asBoolean(), rows.get(0).toString());
    assertTrue(rows.get(0).get("nfy_http").asBoolean(), "webhook trigger every");
    String talkedTrn = rows.get(0).get("trn_id").asText();

    // a missed call: the destination is busy
    try (SippProcess uas = e2e.uas("uas-busy.xml", 1, null, "busy-uas");
        SippProcess uac = e2e.uac("uac-expect-486.xml", din, "0311114444", null, "busy-uac")) {
      e2e.assertExit0(uac);
      e2e.assertExit0(uas);
    }
    rows = e2e.records(din, 2, Duration.ofSeconds(10));
    assertEquals(2, rows.size(), rows.toString());
    JsonNode missed = rows.stream().filter(r -> !r.get("trn_id").asText().equals(talkedTrn)).findFirst()
        .orElseThrow();
    assertTrue(missed.get("nfy_email").asBoolean(), missed.toString());
    assertTrue(missed.get("nfy_http").asBoolean(), missed.toString());
    String missedTrn = missed.get("trn_id").asText();

    assertTrue(mail.waitForIncomingEmail(30_000, 1), "the missed call's email");
    MimeMessage m = mail.getReceivedMessages()[0];
    assertEquals("【不在着信】0120-700-001 (本店) 03-1111-4444 から", m.getSubject());
    String body = GreenMailUtil.getBody(m);
    assertTrue(m.getHeader("Message-ID")[0].contains(missedTrn), m.getHeader("Message-ID")[0]);
    assertEquals("shop@example.jp", m.getAllRecipients()[0].toString());
    assertFalse(body.isBlank());

    // webhooks: one per call (trigger every); the missed call's and the talked call's each end accepted
    ObjectMapper json = new ObjectMapper();
    waitUntil(Duration.ofSeconds(60), () -> HOOKED.stream().map(Received::idempotencyKey).distinct().count() == 2
        && HOOKED.size() >= 5, "both calls' webhooks, the first 3 attempts failing");
    for (Received r : HOOKED) {
      assertEquals(WebhookSignature.Verification.VALID, WebhookSignature.verify(r.signature(), r.body(),
          SECRET.getBytes(StandardCharsets.UTF_8), System.currentTimeMillis() / 1000, 300), r.toString());
    }
    List<Received> ofMissed = HOOKED.stream().filter(r -> r.idempotencyKey().equals(missedTrn + ":call_ended"))
        .toList();
    assertFalse(ofMissed.isEmpty());
    JsonNode payload = json.readTree(ofMissed.get(0).body());
    assertEquals("+81311114444", payload.get("caller_e164").asText(), "the caller in clear, rendered at send time");
    assertEquals("03-1111-4444", payload.get("clr_id_cipher").asText(), "the call-log row's caller column");
    assertEquals("話中", payload.get("dial_stat").asText(), "the call-log row's label: " + payload);
    assertEquals(missedTrn, payload.get("trn_id").asText());
    assertEquals("adv-notify", payload.get("client_id").asText());
    // exactly one email in all: the connected call sent none
    assertEquals(1, mail.getReceivedMessages().length);

    // the delivery log API: both webhooks delivered, their logged attempts are the requests the receiver saw
    waitUntil(Duration.ofSeconds(30), () -> {
      ApiClient.Response list = api("/v1/webhook-deliveries?client_id=adv-notify&status=delivered");
      return list.status() == 200 && list.json().get("deliveries").size() == 2;
    }, "both deliveries listed as delivered");
    JsonNode listed = api("/v1/webhook-deliveries?client_id=adv-notify").json().get("deliveries");
    int logged = 0;
    for (JsonNode d : listed) {
      logged += d.get("attempts").asInt();
      assertEquals(200, e2e.api().get("/v1/webhook-deliveries/" + d.get("id").asText()).status());
    }
    assertEquals(HOOKED.size(), logged, listed.toString());
    ApiClient.Response one = api("/v1/webhook-deliveries/webhook:" + missedTrn + ":call_ended");
    assertEquals(200, one.status(), one.body());
    assertEquals(one.json().get("delivery").get("attempts").asInt(), one.json().get("attempts").size());
    assertEquals(1, api("/v1/webhook-deliveries?channel=email&client_id=adv-notify").json().get("deliveries")
        .size(), "the missed call's email delivery");

    // the webhook secret is in the tracking number's journal (its settings) and in no event of the calls
    try (com.datastax.oss.driver.api.core.CqlSession cql = io.hankyo.node.testing.TestCassandra.newSession()) {
      String messages = e2e.spec().keyspacePrefix() + "_journal.messages";
      String numberEvents = journal(cql, messages, "TrackingNumber|+81120700001");
      assertTrue(numberEvents.contains(SECRET), "the search finds the secret where it is stored");
      for (String trn : List.of(missedTrn, talkedTrn)) {
        String callEvents = journal(cql, messages, "Call|" + trn);
        assertTrue(callEvents.contains("CallArrived") || callEvents.contains("hooks"), "the call's events read");
        assertFalse(callEvents.contains(SECRET), "no webhook secret in the events of call " + trn);
        assertTrue(callEvents.contains("\"secret_set\":true"), "the route says a secret is set");
      }
    }
  }
}
