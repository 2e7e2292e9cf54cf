package io.hankyo.node.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.node.HankyoNode;
import io.hankyo.sip.testing.RawSip;
import io.hankyo.sip.testing.Sipp;
import io.hankyo.sip.testing.SippProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end: real sipp callers dial tracking numbers at a real Hankyo node (entities, real Cassandra), a real sipp
 * UAS plays the forward destination, and each call's record is read back from the HTTP call log. Each test dials its
 * own tracking number so that its records are told apart by the {@code din_id} filter.
 */
class SipCallFlowTest {
  private static final Duration CALL_LOG_WAIT = Duration.ofSeconds(5);
  private static final AtomicInteger NEXT_NUMBER = new AtomicInteger(1);
  private static SippE2e e2e;
  private static TestNode.Spec spec;
  private static HankyoNode node;
  private static ApiClient api;
  private static Path traces;

  @BeforeAll
  static void startNode() throws Exception {
    e2e = SippE2e.start("sipflow", "adv-e2e", "E2E広告主", Duration.ofSeconds(40));
    spec = e2e.spec();
    node = e2e.node();
    api = e2e.api();
    traces = e2e.traces();
  }

  @AfterAll
  static void stopNode() {
    if (e2e != null) {
      e2e.close();
    }
  }

  /** Creates a fresh tracking number 0120-5xx-xxx forwarding to 03-9999-0000; returns its national digits. */
  private static String newTrackingNumber(String name) {
    String digits = String.format("01205%05d", NEXT_NUMBER.getAndIncrement());
    ApiClient.Response r = api.post("/v1/advertisers/adv-e2e/numbers",
        "{\"number\":\"" + digits + "\",\"name\":\"" + name + "\",\"forward_to\":\"03-9999-0000\"}");
    assertEquals(201, r.status(), r.body());
    return digits;
  }

  private static SippProcess uas(String scenario, Duration pause, String label) throws Exception {
    return e2e.uas(scenario, 1, pause, label);
  }

  private static SippProcess uac(String scenario, String dialled, String caller, Duration pause, String label)
      throws Exception {
    return e2e.uac(scenario, dialled, caller, pause, label);
  }

  /** The call-log records of a tracking number, waiting up to 5 s for {@code expected} of them. */
  private static List<JsonNode> records(String dialled, int expected) throws InterruptedException {
    return e2e.records(dialled, expected, CALL_LOG_WAIT);
  }

  private static JsonNode onlyRecord(String dialled) throws InterruptedException {
    List<JsonNode> rs = records(dialled, 1);
    assertEquals(1, rs.size(), "one call-log record for " + dialled + " within " + CALL_LOG_WAIT + ": " + rs);
    return rs.get(0);
  }

  private static void assertExit0(SippProcess p) throws Exception {
    e2e.assertExit0(p);
  }

  @Test
  void answeredCallThatTheCallerHangsUp() throws Exception {
    String din = newTrackingNumber("caller-hangs-up");
    try (SippProcess uas = uas("uas.xml", Duration.ZERO, "ok-uas");
        SippProcess uac = uac("uac.xml", din, "0311112222", Duration.ofSeconds(2), "ok-uac")) {
      assertExit0(uac);
      assertExit0(uas);
    }
    JsonNode r = onlyRecord(din);
    assertEquals("正常通話", r.get("dial_stat").asText());
    assertEquals("発信者", r.get("hup_usr").asText());
    int talk = r.get("talking_sec").asInt();
    assertTrue(talk >= 2 && talk <= 3, "talking_sec ≈ the 2 s pause: " + talk);
    assertEquals("03-1111-2222", r.get("clr_id_cipher").asText(), "decrypted for the authorised reader");
    assertEquals("固定電話", r.get("clr_type").asText());
    assertEquals(din.substring(0, 4) + "-" + din.substring(4, 7) + "-" + din.substring(7),
        r.get("din_id").asText());
    assertEquals("03-9999-0000", r.get("fwd_id").asText());
    assertEquals("adv-e2e", r.get("client_id").asText());
    assertEquals("E2E広告主", r.get("client_name").asText());
    assertEquals("caller-hangs-up", r.get("dialin_name").asText());
    assertTrue(r.get("trn_id").asText().matches("[0-9a-f]{24}"), r.toString());
    assertTrue(r.get("seq_num").asLong() > 0);
    assertFalse(r.get("tst_tms").isNull());
    assertTrue(r.get("conn_sec").asInt() >= talk);
    assertTrue(r.get("call_charge").asLong() > 0, "a connected free-call call costs something");
  }

  @Test
  void answeredCallThatTheCalleeHangsUp() throws Exception {
    String din = newTrackingNumber("callee-hangs-up");
    try (SippProcess uas = uas("uas-hangs-up.xml", Duration.ofSeconds(1), "callee-bye-uas");
        SippProcess uac = uac("uac-callee-hangs-up.xml", din, "0311113333", null, "callee-bye-uac")) {
      assertExit0(uac);
      assertExit0(uas);
    }
    JsonNode r = onlyRecord(din);
    assertEquals("正常通話", r.get("dial_stat").asText());
    assertEquals("着信者", r.get("hup_usr").asText());
  }

  @Test
  void busyDestination() throws Exception {
    String din = newTrackingNumber("busy");
    try (SippProcess uas = uas("uas-busy.xml", null, "busy-uas");
        SippProcess uac = uac("uac-expect-486.xml", din, "0311114444", null, "busy-uac")) {
      assertExit0(uac);
      assertExit0(uas);
    }
    JsonNode r = onlyRecord(din);
    assertEquals("話中", r.get("dial_stat").asText());
    assertEquals(0, r.get("talking_sec").asInt());
    assertTrue(r.get("tst_tms").isNull());
  }

  @Test
  void callerCancelsWhileRinging() throws Exception {
    String din = newTrackingNumber("cancel");
    try (SippProcess uas = uas("uas-ring-forever.xml", null, "cancel-uas");
        SippProcess uac = uac("uac-cancel.xml", din, "0311115555", Duration.ofMillis(500), "cancel-uac")) {
      assertExit0(uac); // got 200 to its CANCEL and 487, ACKed
      assertExit0(uas); // the CANCEL reached the destination, its 487 was ACKed
    }
    JsonNode r = onlyRecord(din);
    assertEquals("不完了呼", r.get("dial_stat").asText());
    assertEquals("発信者", r.get("hup_usr").asText());
  }

  @Test
  void noAnswerWithinTheRingTimeout() throws Exception {
    String din = newTrackingNumber("no-answer");
    long start = System.nanoTime();
    try (SippProcess uas = uas("uas-ring-forever.xml", null, "noanswer-uas");
        SippProcess uac = uac("uac-expect-480.xml", din, "0311116666", null, "noanswer-uac")) {
      assertExit0(uac);
      assertExit0(uas);
    }
    long waitedMs = (System.nanoTime() - start) / 1_000_000;
    assertTrue(waitedMs >= 3_500, "the ring timeout (4 s in tests) was waited: " + waitedMs + " ms");
    JsonNode r = onlyRecord(din);
    assertEquals("不完了呼", r.get("dial_stat").asText());
    assertEquals("システム", r.get("hup_usr").asText());
    int calling = r.get("calling_sec").asInt();
    assertTrue(calling >= 3 && calling <= 6, "calling_sec ≈ ring timeout: " + calling);
  }

  @Test
  void callOutsideBusinessHoursIsRefusedByItsFlowAndLogged() throws Exception {
    String din = String.format("01205%05d", NEXT_NUMBER.getAndIncrement());
    ApiClient.Response created = api.post("/v1/advertisers/adv-e2e/numbers", "{\"dialin_id\":\"closed-today\","
        + "\"number\":\"" + din + "\",\"forward_to\":\"03-9999-0000\"}");
    assertEquals(201, created.status(), created.body());
    // closed today and tomorrow in Tokyo (whatever time the test runs), open otherwise
    java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneId.of("Asia/Tokyo"));
    String flow = """
        {"start": "hours",
         "steps": {
           "hours":  {"type": "schedule", "weekly": {"mon": ["00:00-24:00"], "tue": ["00:00-24:00"],
                      "wed": ["00:00-24:00"], "thu": ["00:00-24:00"], "fri": ["00:00-24:00"],
                      "sat": ["00:00-24:00"], "sun": ["00:00-24:00"]},
                      "exceptions": [{"date": "%s", "closed": true}, {"date": "%s", "closed": true}],
                      "open": "sales", "closed": "closed"},
           "sales":  {"type": "forward", "targets": [{"to": "03-9999-0000", "ring_sec": 20}]},
           "closed": {"type": "hangup"}}}
        """.formatted(today, today.plusDays(1));
    ApiClient.Response stored = api.put("/v1/advertisers/adv-e2e/numbers/closed-today/flow", flow);
    assertEquals(200, stored.status(), stored.body());
    try (SippProcess uac = uac("uac-expect-480.xml", din, "0311110001", null, "closed-uac")) {
      assertExit0(uac);
    }
    JsonNode r = onlyRecord(din);
    assertEquals("不完了呼", r.get("dial_stat").asText());
    assertEquals("システム", r.get("hup_usr").asText());
    assertEquals("true", r.get("logvars.outside_hours").asText(), r.toString());
    assertEquals("hours>closed", r.get("logvars.flow_path").asText());
    assertEquals("1", r.get("logvars.flow_version").asText());
    assertEquals(0, r.get("talking_sec").asInt());
  }

  @Test
  void sequentialForwardingRingsTheNextDestinationWhenTheFirstIsBusy() throws Exception {
    String din = String.format("01205%05d", NEXT_NUMBER.getAndIncrement());
    ApiClient.Response created = api.post("/v1/advertisers/adv-e2e/numbers", "{\"dialin_id\":\"sequential\","
        + "\"number\":\"" + din + "\",\"forward_to\":\"03-9999-0000\"}");
    assertEquals(201, created.status(), created.body());
    String flow = """
        {"start": "sales",
         "steps": {"sales": {"type": "forward", "targets": [{"to": "03-9999-0001", "ring_sec": 10},
                                                          {"to": "03-9999-0002", "ring_sec": 10}]}}}
        """;
    ApiClient.Response stored = api.put("/v1/advertisers/adv-e2e/numbers/sequential/flow", flow);
    assertEquals(200, stored.status(), stored.body());
    // one sipp UAS plays both destinations: busy for ...0001, answers ...0002
    SippProcess uas = Sipp.scenario("uas-busy-0001.xml").localPort(spec.uasPort()).calls(2).traceDir(traces)
        .label("seq-uas").timeout(Duration.ofSeconds(40)).start();
    uas.awaitListening(Duration.ofSeconds(10));
    try (uas; SippProcess uac = uac("uac.xml", din, "0311110002", Duration.ofSeconds(2), "seq-uac")) {
      assertExit0(uac);
      assertExit0(uas);
    }
    JsonNode r = onlyRecord(din);
    assertEquals("正常通話", r.get("dial_stat").asText(), r.toString());
    assertEquals("03-9999-0002", r.get("fwd_id").asText(), "the destination that answered");
    assertEquals("2", r.get("logvars.fwd_attempts").asText());
    assertEquals("sales", r.get("logvars.flow_path").asText());
    int total = r.get("logvars.calling_sec_total").asInt();
    assertTrue(total >= r.get("calling_sec").asInt(), "calling_sec_total covers both attempts: " + r);
    assertTrue(total <= 4, "a busy leg and a quick answer ring briefly: " + r);
    assertFalse(r.has("logvars.ivr_digits"), "no menu in this flow: " + r);
    int talking = r.get("talking_sec").asInt();
    assertTrue(talking >= 1 && talking <= 4, "talking_sec ≈ 2: " + talking);
  }

  @Test
  void anIvrMenuAnsweredWithRfc4733DigitsRoutesTheCallerToTheDestination() throws Exception {
    String din = String.format("01205%05d", NEXT_NUMBER.getAndIncrement());
    ApiClient.Response created = api.post("/v1/advertisers/adv-e2e/numbers", "{\"dialin_id\":\"ivr\","
        + "\"number\":\"" + din + "\",\"forward_to\":\"03-9999-0000\"}");
    assertEquals(201, created.status(), created.body());
    ApiClient.Response prompt = api.put("/v1/prompts/ivr-welcome",
        "{\"text\": \"お電話ありがとうございます。営業は1を押してください。\"}");
    assertTrue(prompt.status() == 201 || prompt.status() == 200, prompt.body());
    String flow = """
        {"start": "menu",
         "steps": {
           "menu":   {"type": "menu", "prompt": "ivr-welcome", "digits": {"1": "sales", "2": "closed"},
                      "first_digit_timeout_sec": 10, "timeout": "closed", "invalid": "closed"},
           "sales":  {"type": "forward", "targets": [{"to": "03-9999-0000", "ring_sec": 10}]},
           "closed": {"type": "hangup"}}}
        """;
    ApiClient.Response stored = api.put("/v1/advertisers/adv-e2e/numbers/ivr/flow", flow);
    assertEquals(200, stored.status(), stored.body());
    try (SippProcess uas = uas("uas.xml", null, "ivr-uas");
        SippProcess uac = uac("uac-dtmf-1.xml", din, "0311110003", Duration.ofSeconds(2), "ivr-uac")) {
      assertExit0(uac);
      assertExit0(uas);
    }
    JsonNode r = onlyRecord(din);
    assertEquals("正常通話", r.get("dial_stat").asText(), r.toString());
    assertEquals("menu>sales", r.get("logvars.flow_path").asText());
    assertEquals("1", r.get("logvars.ivr_digits").asText(), "the key sipp pressed (RFC 4733)");
    assertEquals("03-9999-0000", r.get("fwd_id").asText());
    assertTrue(r.get("conn_sec").asInt() > r.get("talking_sec").asInt(), "conn_sec includes the IVR: " + r);
    assertEquals(0, node.sip().openMediaSessions(), "every RTP session closed after the call");
    assertEquals(0, node.sip().rtpPortsInUse());
    ApiClient.Response refused = api.delete("/v1/prompts/ivr-welcome");
    assertEquals(409, refused.status(), "the stored flow plays it: " + refused.body());
    assertTrue(refused.body().contains("adv-e2e/ivr"), refused.body());
    assertEquals(200, api.get("/v1/prompts/ivr-welcome").status(), "still there");
  }

  @Test
  void unknownNumberGets404AndNoRecord() throws Exception {
    long unknownBefore = node.callControl().unknownNumbers();
    long gatewayUnknownBefore = node.sip().unknownNumberCount();
    try (SippProcess uac = uac("uac-unknown.xml", "0120999888", "0311117777", null, "unknown-uac")) {
      assertExit0(uac);
    }
    assertEquals(unknownBefore + 1, node.callControl().unknownNumbers(), "counted in the metric");
    String metrics = new String(java.net.URI.create(
        "http://127.0.0.1:" + spec.managementPort() + "/metrics").toURL().openStream().readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(gatewayUnknownBefore + 1, node.sip().unknownNumberCount());
    assertTrue(metrics.contains("hankyo_sip_unknown_number_calls_total " + (double) (gatewayUnknownBefore + 1)),
        "exposed at /metrics: " + metrics.lines().filter(l -> l.contains("unknown")).toList());
    Thread.sleep(1_000);
    assertEquals(0, records("0120999888", 1).size());
  }

  @Test
  void withheldCallerIsLoggedWithoutNumber() throws Exception {
    String din = newTrackingNumber("withheld");
    try (SippProcess uas = uas("uas.xml", Duration.ZERO, "anon-uas");
        SippProcess uac = Sipp.scenario("uac-anonymous.xml").localPort(FreePorts.udpAndTcp(27000, 27999))
            .remote("127.0.0.1:" + spec.sipPort()).service(din).key("pai", "+819011112222").calls(1)
            .pause(Duration.ofMillis(500)).traceDir(traces).label("anon-uac").timeout(Duration.ofSeconds(40))
            .start()) {
      assertExit0(uac);
      assertExit0(uas);
    }
    JsonNode r = onlyRecord(din);
    assertEquals("非通知番号", r.get("clr_type").asText());
    assertEquals("", r.get("clr_id_cipher").asText());
    assertFalse(r.toString().contains("9011112222"), "the asserted identity is never shown: " + r);
  }

  @Test
  void malformedInviteGets400AndTheNextGoodCallWorks() throws Exception {
    String din = newTrackingNumber("after-malformed");
    // Responses go to the Via's sent-by port (RFC 3261 section 18.2.2), so the Via names our endpoint's port.
    try (RawSip.Endpoint ep = RawSip.Endpoint.udp(FreePorts.udpAndTcp(28000, 28999))) {
      String bad = String.join("\r\n",
          "INVITE sip:" + din + "@127.0.0.1:" + spec.sipPort() + " SIP/2.0",
          "Via: SIP/2.0/UDP 127.0.0.1:" + ep.port() + ";branch=z9hG4bK-neg-cl-e2e",
          "Max-Forwards: 70",
          "From: <sip:0311112222@127.0.0.1>;tag=nc1",
          "To: <sip:" + din + "@127.0.0.1>",
          "Call-ID: neg-cl-e2e@127.0.0.1",
          "CSeq: 1 INVITE",
          "Contact: <sip:0311112222@127.0.0.1:5099>",
          "Content-Length: -329",
          "", "");
      ep.send(bad, "127.0.0.1", spec.sipPort());
      String resp = ep.expect(Duration.ofSeconds(5), "400 to the malformed INVITE", m -> RawSip.status(m) == 400);
      assertTrue(RawSip.tag(RawSip.header(resp, "To")) != null, "the node added a To tag: " + resp);
    }
    try (SippProcess uas = uas("uas.xml", Duration.ZERO, "after-bad-uas");
        SippProcess uac = uac("uac.xml", din, "0311118888", Duration.ofMillis(500), "after-bad-uac")) {
      assertExit0(uac);
      assertExit0(uas);
    }
    assertEquals("正常通話", onlyRecord(din).get("dial_stat").asText());
    assertEquals(0, node.sip().liveCalls(), "nothing left behind");
  }

  @Test
  void percentEscapedRequestUriIsForwarded() throws Exception {
    String din = newTrackingNumber("escaped");
    String escaped = "%3" + din.charAt(0) + din.substring(1);
    try (SippProcess uas = uas("uas.xml", Duration.ZERO, "esc-uas");
        SippProcess uac = uac("uac.xml", escaped, "0311119999", Duration.ofMillis(300), "esc-uac")) {
      assertExit0(uac);
      assertExit0(uas);
    }
    assertEquals("正常通話", onlyRecord(din).get("dial_stat").asText());
  }
}
