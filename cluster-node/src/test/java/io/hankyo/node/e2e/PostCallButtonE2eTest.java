package io.hankyo.node.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.sip.testing.SippProcess;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end (issue 4, post-call button): a real sipp caller calls a tracking number whose judgment rules have a
 * post-call button and hangs up after 2 s; the sipp destination ({@code uas-post-call-button.xml}) answers the
 * gateway's re-INVITE with SDP pointing at this test's UDP socket ({@link Keypad}), which hears the button prompt
 * (RTP from the gateway) and answers with an RFC 4733 key, or stays silent. The HTTP call log shows the key and the
 * judgment it made: with 60 s needed, 2 s of talk are 無効(未満) unless key 1 made the call 有効.
 */
class PostCallButtonE2eTest {
  private static SippE2e e2e;

  @BeforeAll
  static void startNode() throws Exception {
    e2e = SippE2e.start("postcall", "adv-button", "ボタン広告主", Duration.ofSeconds(40));
    ApiClient.Response prompt = e2e.api().put("/v1/prompts/rate-call",
        "{\"text\": \"成約なら1を押してください。\"}");
    assertTrue(prompt.status() == 200 || prompt.status() == 201, prompt.body());
  }

  @AfterAll
  static void stopNode() {
    if (e2e != null) {
      e2e.close();
    }
  }

  private static String numberWithButton(String id, String din) {
    ApiClient api = e2e.api();
    ApiClient.Response created = api.post("/v1/advertisers/adv-button/numbers",
        "{\"dialin_id\":\"" + id + "\",\"number\":\"" + din + "\",\"forward_to\":\"03-9999-0000\"}");
    assertEquals(201, created.status(), created.body());
    ApiClient.Response rules = api.put("/v1/advertisers/adv-button/numbers/" + id + "/judgment",
        "{\"min_talk_sec\": 60, \"post_call_button\": {\"prompt\": \"rate-call\", \"timeout_sec\": 2,"
            + " \"valid_digits\": [\"1\"], \"invalid_digits\": [\"2\"]}}");
    assertEquals(200, rules.status(), rules.body());
    return din;
  }

  private static void call(String din, String caller, Keypad keypad, String label) throws Exception {
    try (SippProcess uas = e2e.uas("uas-post-call-button.xml", 1, Duration.ZERO, label + "-uas",
            "rtp_port", Integer.toString(keypad.port()));
        SippProcess uac = e2e.uac("uac.xml", din, caller, Duration.ofSeconds(2), label + "-uac")) {
      e2e.assertExit0(uac);
      e2e.assertExit0(uas);
    }
  }

  @Test
  void theCalleePressesOneAfterTheCallerHungUpAndTheCallIsValid() throws Exception {
    String din = numberWithButton("button-1", "0120700001");
    try (Keypad keypad = Keypad.open('1')) {
      call(din, "0311118881", keypad, "key1");
      assertTrue(keypad.heard() >= 10, "the callee heard the prompt: " + keypad.heard() + " packets");
      assertTrue(keypad.sent(), "the key was sent");
    }
    List<JsonNode> rs = e2e.records(din, 1, Duration.ofSeconds(8));
    assertEquals(1, rs.size(), rs.toString());
    JsonNode r = rs.get(0);
    assertEquals("1", r.get("logvars.post_call_digit").asText(), r.toString());
    assertEquals("有効", r.get("logvars.valid_res").asText(), r.toString());
    assertEquals("valid", r.get("logvars.valid_code").asText(), r.toString());
    assertEquals("発信者", r.get("hup_usr").asText(), r.toString());
    assertTrue(r.get("talking_sec").asInt() <= 4, "talk time ends when the caller hung up: " + r);
  }

  @Test
  void noKeyWithinTheTimeoutLeavesTheSecondsToDecide() throws Exception {
    String din = numberWithButton("button-none", "0120700002");
    try (Keypad keypad = Keypad.open((char) 0)) {
      call(din, "0311118882", keypad, "nokey");
      assertTrue(keypad.heard() >= 10, "the callee heard the prompt: " + keypad.heard() + " packets");
    }
    List<JsonNode> rs = e2e.records(din, 1, Duration.ofSeconds(8));
    assertEquals(1, rs.size(), rs.toString());
    JsonNode r = rs.get(0);
    assertFalse(r.has("logvars.post_call_digit"), r.toString());
    assertEquals("無効(未満)", r.get("logvars.valid_res").asText(), r.toString());
    assertEquals("発信者", r.get("hup_usr").asText(), r.toString());
  }

  /**
   * The callee's RTP endpoint: counts the audio (PCMU) the gateway sends and, after 10 packets of it, answers the
   * sender with one RFC 4733 telephone-event (payload type 101) for {@code key}: a start packet and three end
   * packets, all with the event's start timestamp (RFC 4733 section 2.5.1). Key 0 (char): never answers.
   */
  static final class Keypad implements AutoCloseable {
    private final DatagramSocket socket;
    private final char key;
    private final AtomicInteger heard = new AtomicInteger();
    private volatile boolean sent;

    private Keypad(DatagramSocket socket, char key) {
      this.socket = socket;
      this.key = key;
      Thread reader = new Thread(this::read, "keypad-" + socket.getLocalPort());
      reader.setDaemon(true);
      reader.start();
    }

    static Keypad open(char key) throws IOException {
      return new Keypad(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)), key);
    }

    int port() {
      return socket.getLocalPort();
    }

    int heard() {
      return heard.get();
    }

    boolean sent() {
      return sent;
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
        if (p.getLength() < 12 || (buf[1] & 0x7F) != 0) {
          continue;
        }
        if (heard.incrementAndGet() == 10 && key != 0) {
          try {
            sendKey(p.getSocketAddress());
            sent = true;
          } catch (IOException e) {
            return;
          }
        }
      }
    }

    private void sendKey(SocketAddress to) throws IOException {
      int event = key == '*' ? 10 : key == '#' ? 11 : key - '0';
      long ts = 16000;
      for (int i = 0; i < 4; i++) {
        boolean end = i > 0;
        int duration = end ? 800 : 160;
        byte[] b = new byte[16];
        b[0] = (byte) 0x80;
        b[1] = (byte) ((i == 0 ? 0x80 : 0) | 101);
        b[2] = 0;
        b[3] = (byte) (i + 1);
        b[4] = (byte) (ts >>> 24);
        b[5] = (byte) (ts >>> 16);
        b[6] = (byte) (ts >>> 8);
        b[7] = (byte) ts;
        b[8] = 0x12;
        b[9] = 0x34;
        b[10] = 0x56;
        b[11] = 0x78;
        b[12] = (byte) event;
        b[13] = (byte) ((end ? 0x80 : 0) | 10);
        b[14] = (byte) (duration >>> 8);
        b[15] = (byte) duration;
        socket.send(new DatagramPacket(b, b.length, to));
      }
    }

    @Override
    public void close() {
      socket.close();
    }
  }
}
