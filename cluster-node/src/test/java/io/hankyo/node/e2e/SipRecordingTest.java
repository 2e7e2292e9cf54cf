package io.hankyo.node.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.node.HankyoNode;
import io.hankyo.node.call.Call;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.sip.testing.SippProcess;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end, call recording (2者間通話録音, issue 4): a real sipp caller dials a tracking number whose recording
 * setting is {@code both}; it hears the consent notice (answered with media), is forwarded to a sipp destination
 * that talks (RTP both ways for a few seconds) and hangs up. The recording downloaded through the API is a valid
 * stereo 8 kHz WAV whose length is the talk time (answer to end) within 0.5 s.
 */
class SipRecordingTest {
  private static SippE2e e2e;
  private static HankyoNode node;
  private static ApiClient api;

  @BeforeAll
  static void startNode() throws Exception {
    e2e = SippE2e.start("siprec", "adv-rec", "E2E録音", Duration.ofSeconds(60));
    node = e2e.node();
    api = e2e.api();
  }

  @AfterAll
  static void stopNode() {
    if (e2e != null) {
      e2e.close();
    }
  }

  @Test
  void aRecordedCallIsAStereoWavOfTheTalkTimeDownloadableAndDeletable() throws Exception {
    ApiClient.Response p = api.put("/v1/prompts/recording-notice", "{\"text\": \"録音します。\"}");
    assertTrue(p.status() == 201 || p.status() == 200, p.body());
    String din = "0120700001";
    assertEquals(201, api.post("/v1/advertisers/adv-rec/numbers", "{\"dialin_id\":\"rec\",\"number\":\"" + din
        + "\",\"forward_to\":\"03-9999-0000\"}").status());
    ApiClient.Response set = api.put("/v1/advertisers/adv-rec/numbers/rec/recording",
        "{\"mode\": \"both\", \"consent_prompt\": \"recording-notice\"}");
    assertEquals(200, set.status(), set.body());

    try (SippProcess uas = e2e.uas("uas-audio.xml", 1, Duration.ZERO, "rec-uas");
        SippProcess uac = e2e.uac("uac-dtmf-then-audio.xml", din, "0311130001", Duration.ofSeconds(8), "rec-uac")) {
      e2e.assertExit0(uac);
      e2e.assertExit0(uas);
    }
    List<JsonNode> rs = e2e.records(din, 1, Duration.ofSeconds(10));
    assertEquals(1, rs.size(), rs.toString());
    JsonNode r = rs.get(0);
    assertEquals("正常通話", r.get("dial_stat").asText(), r.toString());
    String trnId = r.get("trn_id").asText();

    // the call takes the gateway's report after its end: wait for the recording on the entity
    Call.Ended ended = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < deadline) {
      Call.State s = ClusterSharding.get(node.system()).entityRefFor(Call.ENTITY_KEY, trnId)
          .<Call.State>ask(Call.GetState::new, Duration.ofSeconds(3)).toCompletableFuture().get();
      if (s instanceof Call.Ended e && e.recording() != null) {
        ended = e;
        break;
      }
      Thread.sleep(200);
    }
    assertTrue(ended != null, "the recording of " + trnId + " reached the call");
    CallLogRecord rec = ended.record();
    assertEquals("1", rec.logvars().get("recording"));

    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<byte[]> wav = http.send(HttpRequest.newBuilder(
            URI.create("http://" + node.httpAddress() + "/v1/calls/" + trnId + "/recording"))
        .header("Authorization", "Bearer " + TestNode.API_KEY).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, wav.statusCode(), new String(wav.body()));
    assertEquals("audio/wav", wav.headers().firstValue("Content-Type").orElse(""));
    assertEquals(ended.recording().bytes(), wav.body().length);
    AudioFormat format;
    long frames;
    byte[] pcm;
    try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav.body()))) {
      format = in.getFormat();
      frames = in.getFrameLength();
      pcm = in.readAllBytes();
    }
    assertEquals(2, format.getChannels(), "stereo: caller left, callee right");
    assertEquals(8000f, format.getSampleRate());
    assertEquals(16, format.getSampleSizeInBits());
    double wavSec = frames / 8000.0;
    double talkSec = Duration.between(rec.answeredAt(), rec.endedAt()).toMillis() / 1000.0;
    System.out.printf("recording %.3f s, talk %.3f s (talking_sec %d), %d bytes%n", wavSec, talkSec,
        rec.talkingSec(), wav.body().length);
    assertTrue(talkSec > 4, "a call of a few seconds: " + talkSec);
    assertTrue(Math.abs(wavSec - talkSec) <= 0.5, "recording " + wavSec + " s vs talk time " + talkSec + " s");
    assertTrue(Math.abs(wavSec - r.get("talking_sec").asInt()) <= 1.0, "vs the rounded talking_sec: " + r);
    // both parties talked: each channel has sound somewhere
    long left = 0;
    long right = 0;
    ByteBuffer b = ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN);
    while (b.remaining() >= 4) {
      left += Math.abs(b.getShort());
      right += Math.abs(b.getShort());
    }
    assertTrue(left > 0 && right > 0, "caller (left) and callee (right) audio: " + left + " / " + right);

    assertEquals(204, api.delete("/v1/calls/" + trnId + "/recording").status());
    assertEquals(404, api.get("/v1/calls/" + trnId + "/recording").status());
    assertEquals(404, api.delete("/v1/calls/" + trnId + "/recording").status());
  }
}
