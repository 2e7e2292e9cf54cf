package io.hankyo.node.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.node.HankyoNode;
import io.hankyo.sip.testing.SippProcess;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end through the media plane: real sipp callers dial tracking numbers with call flows (IVR menus, queues,
 * closing prompts) at a real Hankyo node (entities, real Cassandra), a real sipp UAS plays the forward destination,
 * and where the test must see audio, the SDP of a sipp side points its audio at a UDP socket of this test
 * ({@link RtpSink}), which parses the RTP (RFC 3550) fixed header of what the gateway sends. Each call's record is
 * read back from the HTTP call log, and after each call the gateway must have released every media session, RTP
 * port and call.
 */
class SipMediaFlowTest {
  private static final Duration CALL_LOG_WAIT = Duration.ofSeconds(8);
  private static final Duration RELEASE_WAIT = Duration.ofSeconds(10);
  private static final AtomicInteger NEXT_NUMBER = new AtomicInteger(1);
  private static SippE2e e2e;
  private static HankyoNode node;
  private static ApiClient api;

  @BeforeAll
  static void startNode() throws Exception {
    e2e = SippE2e.start("sipmedia", "adv-media", "E2E媒体", Duration.ofSeconds(60));
    node = e2e.node();
    api = e2e.api();
  }

  @AfterAll
  static void stopNode() {
    if (e2e != null) {
      e2e.close();
    }
  }

  /** Creates tracking number 0120-6xx-xxx with dialin id {@code id} and call flow {@code flow}; returns its digits. */
  private static String numberWithFlow(String id, String flow) {
    String din = String.format("01206%05d", NEXT_NUMBER.getAndIncrement());
    ApiClient.Response created = api.post("/v1/advertisers/adv-media/numbers", "{\"dialin_id\":\"" + id + "\","
        + "\"number\":\"" + din + "\",\"forward_to\":\"03-9999-0000\"}");
    assertEquals(201, created.status(), created.body());
    ApiClient.Response stored = api.put("/v1/advertisers/adv-media/numbers/" + id + "/flow", flow);
    assertEquals(200, stored.status(), stored.body());
    return din;
  }

  /** Synthesizes a text prompt; returns its length in milliseconds. */
  private static long prompt(String name, String text) {
    ApiClient.Response r = api.put("/v1/prompts/" + name, "{\"text\": \"" + text + "\"}");
    assertTrue(r.status() == 201 || r.status() == 200, r.body());
    JsonNode j = r.json();
    JsonNode ms = j.has("duration_ms") ? j.get("duration_ms") : j.path("prompt").get("duration_ms");
    assertTrue(ms != null && ms.asLong() > 0, "prompt length in the answer: " + r.body());
    return ms.asLong();
  }

  private static SippProcess uas(String scenario, int calls, Duration pause, String label, String... keys)
      throws Exception {
    return e2e.uas(scenario, calls, pause, label, keys);
  }

  private static SippProcess uac(String scenario, String dialled, String caller, Duration pause, String label,
      String... keys) throws Exception {
    return e2e.uac(scenario, dialled, caller, pause, label, keys);
  }

  private static void assertExit0(SippProcess p) throws Exception {
    e2e.assertExit0(p);
  }

  /** The call-log records of a tracking number, waiting for {@code expected} of them. */
  private static List<JsonNode> records(String dialled, int expected) throws InterruptedException {
    List<JsonNode> out = e2e.records(dialled, expected, CALL_LOG_WAIT);
    assertEquals(expected, out.size(), "call-log records of " + dialled + ": " + out);
    return out;
  }

  private static JsonNode onlyRecord(String dialled) throws InterruptedException {
    return records(dialled, 1).get(0);
  }

  /** The record of the call from {@code caller} (national digits, e.g. 0311112222) among {@code rs}. */
  private static JsonNode byCaller(List<JsonNode> rs, String caller) {
    String shown = caller.substring(0, 2) + "-" + caller.substring(2, 6) + "-" + caller.substring(6);
    return rs.stream().filter(r -> shown.equals(r.get("clr_id_cipher").asText())).findFirst()
        .orElseThrow(() -> new AssertionError("no record of caller " + shown + " in " + rs));
  }

  /** Waits until the gateway holds no media session, RTP port or call. */
  private static void assertReleased() throws InterruptedException {
    long deadline = System.nanoTime() + RELEASE_WAIT.toNanos();
    while (System.nanoTime() < deadline && (node.sip().openMediaSessions() != 0 || node.sip().rtpPortsInUse() != 0
        || node.sip().liveCalls() != 0)) {
      Thread.sleep(100);
    }
    assertEquals(0, node.sip().openMediaSessions(), "media sessions left open");
    assertEquals(0, node.sip().rtpPortsInUse(), "RTP ports left in use");
    assertEquals(0, node.sip().liveCalls(), "calls left live");
  }

  /**
   * One RTP stream (RFC 3550 section 5.1): one SSRC, sequence numbers that go up by 1, and each timestamp step equal
   * to the samples of the previous packet (G.711: one byte per sample at 8 kHz), 20 or 30 ms per packet. Allows 5 %
   * of steps to differ (a datagram lost on a loaded machine).
   */
  private static void assertContinuous(List<RtpSink.Rtp> heard, String what) {
    int steps = 0;
    int good = 0;
    for (int i = 1; i < heard.size(); i++) {
      RtpSink.Rtp prev = heard.get(i - 1);
      RtpSink.Rtp cur = heard.get(i);
      steps++;
      if (cur.ssrc() == prev.ssrc() && ((prev.sequence() + 1) & 0xFFFF) == cur.sequence()
          && ((cur.timestamp() - prev.timestamp()) & 0xFFFFFFFFL) == prev.payloadBytes()
          && (prev.payloadBytes() == 160 || prev.payloadBytes() == 240)) {
        good++;
      }
    }
    assertTrue(steps > 0 && good >= steps * 95 / 100, what + ": one SSRC, consecutive sequence numbers, timestamp "
        + "steps of one 20 or 30 ms G.711 frame: " + good + " of " + steps + " "
        + heard.subList(0, Math.min(10, heard.size())));
  }

  private static void assertCallerGaveUp(JsonNode r) {
    assertEquals("不完了呼", r.get("dial_stat").asText(), r.toString());
    assertEquals("発信者", r.get("hup_usr").asText(), r.toString());
    assertEquals(0, r.get("talking_sec").asInt(), r.toString());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 1. SIP INFO digit

  @Test
  void anIvrMenuAnsweredWithASipInfoDigitRoutesToThatDigitsDestination() throws Exception {
    prompt("media-menu", "営業は1を、サポートは2を押してください。");
    String din = numberWithFlow("info-menu", """
        {"start": "menu",
         "steps": {
           "menu":    {"type": "menu", "prompt": "media-menu", "digits": {"1": "sales", "2": "support"},
                       "first_digit_timeout_sec": 10, "timeout": "bye", "invalid": "bye"},
           "sales":   {"type": "forward", "targets": [{"to": "03-9999-0001", "ring_sec": 10}]},
           "support": {"type": "forward", "targets": [{"to": "03-9999-0002", "ring_sec": 10}]},
           "bye":     {"type": "hangup"}}}
        """);
    try (SippProcess uas = uas("uas.xml", 1, Duration.ZERO, "info-uas");
        SippProcess uac = uac("uac-info-digit.xml", din, "0311120001", Duration.ofSeconds(2), "info-uac",
            "digit", "2")) {
      assertExit0(uac); // includes the 200 to the INFO
      assertExit0(uas);
    }
    JsonNode r = onlyRecord(din);
    assertEquals("正常通話", r.get("dial_stat").asText(), r.toString());
    assertEquals("03-9999-0002", r.get("fwd_id").asText(), "the destination of key 2: " + r);
    assertEquals("menu>support", r.get("logvars.flow_path").asText(), r.toString());
    assertReleased();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 2. Queue, one line, two callers

  @Test
  void aQueueWithOneLineHoldsTheSecondCallerWithAudioUntilTheFirstHangsUp() throws Exception {
    long holdMs = prompt("media-hold", "ただいま混み合っております。このままお待ちください。");
    String din = numberWithFlow("queue-one-line", """
        {"start": "q",
         "steps": {
           "q":   {"type": "queue", "queue": "media-support", "lines": 1, "hold_prompt": "media-hold",
                   "max_wait_sec": 60, "targets": [{"to": "03-9999-0000", "ring_sec": 20}], "timeout": "bye"},
           "bye": {"type": "hangup"}}}
        """);
    long bExited;
    List<RtpSink.Rtp> heardByBInAll;
    try (RtpSink heardByB = RtpSink.open();
        SippProcess uas = uas("uas.xml", 2, Duration.ZERO, "queue-uas");
        SippProcess a = uac("uac.xml", din, "0311120002", Duration.ofSeconds(5), "queue-a")) {
      Thread.sleep(1_500); // A holds the line
      long bStarted = System.nanoTime();
      try (SippProcess b = uac("uac-rtp-port.xml", din, "0311120003", Duration.ofSeconds(15), "queue-b",
          "rtp_port", Integer.toString(heardByB.port()))) {
        assertExit0(a);
        long aEndedMs = (System.nanoTime() - bStarted) / 1_000_000;
        List<RtpSink.Rtp> whileWaiting = heardByB.received();
        assertExit0(b);
        bExited = System.nanoTime();
        assertExit0(uas);
        heardByBInAll = heardByB.received();
        // B was answered with media and heard the hold prompt while A talked (≈ 3.5 s at 50 packets/s)
        assertTrue(whileWaiting.size() >= 50, "B heard the hold prompt (" + holdMs + " ms) while waiting "
            + aEndedMs + " ms: " + whileWaiting.size() + " RTP packets");
        assertTrue(whileWaiting.stream().allMatch(p -> p.version() == 2 && (p.payloadType() == 0
            || p.payloadType() == 8)), "G.711 RTP: " + whileWaiting.subList(0, Math.min(5, whileWaiting.size())));
        assertContinuous(whileWaiting, "the hold prompt (looped)");
      }
    }
    List<JsonNode> rs = records(din, 2);
    JsonNode ra = byCaller(rs, "0311120002");
    JsonNode rb = byCaller(rs, "0311120003");
    assertEquals("正常通話", ra.get("dial_stat").asText(), ra.toString());
    assertEquals("正常通話", rb.get("dial_stat").asText(), rb.toString());
    assertEquals("発信者", rb.get("hup_usr").asText(), rb.toString());
    assertTrue(rb.get("talking_sec").asInt() >= 1, "B talked to the destination after A: " + rb);
    assertTrue(rb.get("conn_sec").asInt() > rb.get("talking_sec").asInt(), "B's conn_sec includes the wait: " + rb);
    // the destination (sipp) sends no audio: once B talks to it, the hold prompt must have stopped
    long silentMs = (bExited - heardByBInAll.get(heardByBInAll.size() - 1).arrivalNanos()) / 1_000_000;
    int talkedSec = rb.get("talking_sec").asInt();
    System.out.printf("queue: B got %d packets, the last %d ms before B's BYE ended, B talked %d s%n",
        heardByBInAll.size(), silentMs, talkedSec);
    assertTrue(silentMs >= (talkedSec - 1) * 1000L, "the hold prompt stopped when B was connected: last packet "
        + silentMs + " ms before B's BYE, talking_sec " + talkedSec);
    assertReleased();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 3. Closed, hangup with a prompt

  @Test
  void outsideBusinessHoursTheCallerHearsTheClosingPromptAndTheGatewayHangsUp() throws Exception {
    long promptMs = prompt("media-closed", "本日の営業は終了しました。またのお電話をお待ちしております。");
    LocalDate today = LocalDate.now(ZoneId.of("Asia/Tokyo"));
    String din = numberWithFlow("closed-prompt", """
        {"start": "hours",
         "steps": {
           "hours":  {"type": "schedule", "weekly": {"mon": ["00:00-24:00"], "tue": ["00:00-24:00"],
                      "wed": ["00:00-24:00"], "thu": ["00:00-24:00"], "fri": ["00:00-24:00"],
                      "sat": ["00:00-24:00"], "sun": ["00:00-24:00"]},
                      "exceptions": [{"date": "%s", "closed": true}, {"date": "%s", "closed": true}],
                      "open": "sales", "closed": "closed"},
           "sales":  {"type": "forward", "targets": [{"to": "03-9999-0000", "ring_sec": 20}]},
           "closed": {"type": "hangup", "prompt": "media-closed"}}}
        """.formatted(today, today.plusDays(1)));
    List<RtpSink.Rtp> heard;
    try (RtpSink sink = RtpSink.open();
        SippProcess uac = uac("uac-rtp-port-callee-hangs-up.xml", din, "0311120004", null, "closed-uac",
            "rtp_port", Integer.toString(sink.port()))) {
      long started = System.nanoTime();
      assertExit0(uac); // answered with SDP, then a BYE from the gateway
      long exited = System.nanoTime();
      Thread.sleep(200);
      heard = sink.received();
      assertTrue(!heard.isEmpty(), "the closing prompt arrived as RTP");
      long firstMs = (heard.get(0).arrivalNanos() - started) / 1_000_000;
      long afterLastMs = (exited - heard.get(heard.size() - 1).arrivalNanos()) / 1_000_000;
      System.out.printf("closing prompt %d ms: first RTP after %d ms, %d packets, BYE done %d ms after the last%n",
          promptMs, firstMs, heard.size(), afterLastMs);
      // sipp exits ≈ 200 ms after the BYE (it absorbs retransmissions); the BYE follows the end of the prompt
      assertTrue(afterLastMs < 3_000, "the gateway hung up when the prompt ended, not later: " + afterLastMs + " ms");
    }
    long expected = promptMs / 20;
    assertTrue(heard.size() >= expected * 8 / 10 && heard.size() <= expected * 12 / 10 + 10,
        "≈ one 20 ms packet per prompt frame: prompt " + promptMs + " ms, " + heard.size() + " packets");
    assertTrue(heard.stream().allMatch(p -> p.version() == 2 && p.payloadType() == 0),
        "PCMU as offered: " + heard.subList(0, Math.min(5, heard.size())));
    assertContinuous(heard, "the closing prompt");
    JsonNode r = onlyRecord(din);
    assertEquals("不完了呼", r.get("dial_stat").asText(), r.toString());
    assertEquals("システム", r.get("hup_usr").asText(), r.toString());
    assertEquals("true", r.get("logvars.outside_hours").asText(), r.toString());
    assertEquals("hours>closed", r.get("logvars.flow_path").asText(), r.toString());
    assertEquals(0, r.get("talking_sec").asInt());
    assertReleased();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 4. Audio flows after the bridge

  @Test
  void afterAnIvrDigitTheCallersAudioReachesTheDestinationAsRtp() throws Exception {
    prompt("media-menu-short", "1を押してください。");
    String din = numberWithFlow("bridge-audio", """
        {"start": "menu",
         "steps": {
           "menu":  {"type": "menu", "prompt": "media-menu-short", "digits": {"1": "sales"},
                     "first_digit_timeout_sec": 10, "timeout": "bye", "invalid": "bye"},
           "sales": {"type": "forward", "targets": [{"to": "03-9999-0000", "ring_sec": 10}]},
           "bye":   {"type": "hangup"}}}
        """);
    List<RtpSink.Rtp> heard;
    try (RtpSink callee = RtpSink.open();
        SippProcess uas = uas("uas-rtp-port.xml", 1, Duration.ZERO, "bridge-uas",
            "rtp_port", Integer.toString(callee.port()));
        SippProcess uac = uac("uac-dtmf-then-audio.xml", din, "0311120005", Duration.ofSeconds(8), "bridge-uac")) {
      assertExit0(uac);
      assertExit0(uas);
      heard = callee.received();
    }
    // g711a.pcap is ≈ 7 s of 30 ms packets (240 samples); the caller sends PCMA (8), the destination answered PCMU
    // (0): the relay transcodes and keeps the packetization, so each timestamp step is the previous packet's samples
    assertTrue(heard.size() >= 150, "the caller's audio reached the destination: " + heard.size() + " packets");
    assertTrue(heard.stream().allMatch(p -> p.version() == 2 && p.payloadType() == 0),
        "PCMU towards the destination: " + heard.subList(0, Math.min(5, heard.size())));
    assertContinuous(heard, "the relayed audio");
    JsonNode r = onlyRecord(din);
    assertEquals("正常通話", r.get("dial_stat").asText(), r.toString());
    assertEquals("menu>sales", r.get("logvars.flow_path").asText(), r.toString());
    assertReleased();
    // the gateway timed what it relayed: at least the packets the destination heard are in the relay-delay buckets
    double timed = e2e.metrics().lines()
        .filter(l -> l.startsWith("hankyo_media_relay_delay_packets_total{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
    assertTrue(timed >= heard.size(), "relay delay of " + timed + " packets at /metrics, " + heard.size() + " heard");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 5. The caller hangs up in each phase

  @Test
  void callerHangsUpDuringAPlayPrompt() throws Exception {
    long ms = prompt("media-long", "お電話ありがとうございます。この通話は品質向上のため録音させていただきます。"
        + "担当者におつなぎしますので、しばらくお待ちください。");
    assertTrue(ms > 3_000, "a prompt longer than the caller's patience: " + ms);
    String din = numberWithFlow("hup-play", """
        {"start": "welcome",
         "steps": {
           "welcome": {"type": "play", "prompt": "media-long", "next": "sales"},
           "sales":   {"type": "forward", "targets": [{"to": "03-9999-0000", "ring_sec": 10}]}}}
        """);
    try (SippProcess uac = uac("uac.xml", din, "0311120006", Duration.ofSeconds(1), "hup-play-uac")) {
      assertExit0(uac);
    }
    JsonNode r = onlyRecord(din);
    assertCallerGaveUp(r);
    assertEquals("welcome", r.get("logvars.flow_path").asText(), r.toString());
    assertReleased();
  }

  @Test
  void callerHangsUpWhileTheMenuWaitsForADigit() throws Exception {
    prompt("media-short", "どうぞ。");
    String din = numberWithFlow("hup-menu", """
        {"start": "menu",
         "steps": {
           "menu":  {"type": "menu", "prompt": "media-short", "digits": {"1": "sales"},
                     "first_digit_timeout_sec": 20, "timeout": "bye", "invalid": "bye"},
           "sales": {"type": "forward", "targets": [{"to": "03-9999-0000", "ring_sec": 10}]},
           "bye":   {"type": "hangup"}}}
        """);
    try (SippProcess uac = uac("uac.xml", din, "0311120007", Duration.ofSeconds(3), "hup-menu-uac")) {
      assertExit0(uac);
    }
    JsonNode r = onlyRecord(din);
    assertCallerGaveUp(r);
    assertEquals("menu", r.get("logvars.flow_path").asText(), r.toString());
    assertReleased();
  }

  @Test
  void callerHangsUpWhileWaitingInAQueueAndTheNextCallerIsNotBlocked() throws Exception {
    prompt("media-hold-2", "このままお待ちください。");
    String din = numberWithFlow("hup-queue", """
        {"start": "q",
         "steps": {
           "q":   {"type": "queue", "queue": "media-hup", "lines": 1, "hold_prompt": "media-hold-2",
                   "max_wait_sec": 60, "targets": [{"to": "03-9999-0000", "ring_sec": 20}], "timeout": "bye"},
           "bye": {"type": "hangup"}}}
        """);
    try (SippProcess uas = uas("uas.xml", 2, Duration.ZERO, "hup-queue-uas");
        SippProcess holder = uac("uac.xml", din, "0311120008", Duration.ofSeconds(7), "hup-queue-holder")) {
      Thread.sleep(1_500); // the holder has the only line
      try (SippProcess leaver = uac("uac.xml", din, "0311120009", Duration.ofSeconds(2), "hup-queue-leaver")) {
        assertExit0(leaver); // waited ≈ 2 s in the queue, hung up
      }
      try (SippProcess next = uac("uac.xml", din, "0311120010", Duration.ofSeconds(12), "hup-queue-next")) {
        assertExit0(holder);
        assertExit0(next);
      }
      assertExit0(uas); // answered the holder and the next caller, never the one who left
    }
    List<JsonNode> rs = records(din, 3);
    assertEquals("正常通話", byCaller(rs, "0311120008").get("dial_stat").asText(), rs.toString());
    assertCallerGaveUp(byCaller(rs, "0311120009"));
    JsonNode next = byCaller(rs, "0311120010");
    assertEquals("正常通話", next.get("dial_stat").asText(), "the line of the departed caller went on: " + next);
    assertTrue(next.get("talking_sec").asInt() >= 1, next.toString());
    assertReleased();
  }

  @Test
  void callerHangsUpWhileTheDestinationRingsAfterTheIvr() throws Exception {
    prompt("media-menu-short-2", "1を押してください。");
    String din = numberWithFlow("hup-ringing", """
        {"start": "menu",
         "steps": {
           "menu":  {"type": "menu", "prompt": "media-menu-short-2", "digits": {"1": "sales"},
                     "first_digit_timeout_sec": 10, "timeout": "bye", "invalid": "bye"},
           "sales": {"type": "forward", "targets": [{"to": "03-9999-0000", "ring_sec": 30}]},
           "bye":   {"type": "hangup"}}}
        """);
    try (SippProcess uas = uas("uas-ring-forever.xml", 1, null, "hup-ring-uas");
        SippProcess uac = uac("uac-dtmf-1.xml", din, "0311120011", Duration.ofSeconds(2), "hup-ring-uac")) {
      assertExit0(uac);
      assertExit0(uas); // the destination was cancelled and its 487 ACKed
    }
    JsonNode r = onlyRecord(din);
    assertCallerGaveUp(r);
    assertEquals("menu>sales", r.get("logvars.flow_path").asText(), r.toString());
    assertReleased();
  }

  /**
   * A UDP socket on 127.0.0.1 that stands in for a sipp side's RTP port and records the fixed RTP header (RFC 3550
   * section 5.1) of every datagram it receives.
   */
  static final class RtpSink implements AutoCloseable {
    /**
     * One received packet: version, payload type, sequence number, timestamp (samples), SSRC, payload length (bytes,
     * = samples for G.711), arrival (ns).
     */
    record Rtp(int version, int payloadType, int sequence, long timestamp, long ssrc, int payloadBytes,
        long arrivalNanos) {}

    private final DatagramSocket socket;
    private final List<Rtp> packets = new ArrayList<>();
    private final Thread reader;

    private RtpSink(DatagramSocket socket) {
      this.socket = socket;
      this.reader = new Thread(this::read, "rtp-sink-" + socket.getLocalPort());
      reader.setDaemon(true);
      reader.start();
    }

    static RtpSink open() throws SocketException, IOException {
      return new RtpSink(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
    }

    int port() {
      return socket.getLocalPort();
    }

    /** A copy of what has arrived so far, in arrival order. */
    List<Rtp> received() {
      synchronized (packets) {
        return List.copyOf(packets);
      }
    }

    private void read() {
      byte[] buf = new byte[2048];
      while (!socket.isClosed()) {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
          socket.receive(p);
        } catch (IOException e) {
          return;
        }
        if (p.getLength() < 12) {
          continue;
        }
        byte[] b = p.getData();
        Rtp rtp = new Rtp((b[0] & 0xC0) >>> 6, b[1] & 0x7F, ((b[2] & 0xFF) << 8) | (b[3] & 0xFF),
            ((b[4] & 0xFFL) << 24) | ((b[5] & 0xFFL) << 16) | ((b[6] & 0xFFL) << 8) | (b[7] & 0xFFL),
            ((b[8] & 0xFFL) << 24) | ((b[9] & 0xFFL) << 16) | ((b[10] & 0xFFL) << 8) | (b[11] & 0xFFL),
            p.getLength() - 12 - 4 * (b[0] & 0x0F), System.nanoTime());
        synchronized (packets) {
          packets.add(rtp);
        }
      }
    }

    @Override
    public void close() {
      socket.close();
    }
  }
}
