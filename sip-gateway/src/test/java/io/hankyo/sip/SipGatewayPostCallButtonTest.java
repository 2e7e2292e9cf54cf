package io.hankyo.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.ConfigFactory;
import io.hankyo.protocol.call.CallInstruction;
import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.judgment.JudgmentRules;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.sip.media.MediaEngine;
import io.hankyo.sip.media.MediaListener;
import io.hankyo.sip.media.MediaSession;
import io.hankyo.sip.media.MediaSettings;
import io.hankyo.sip.media.Prompt;
import io.hankyo.sip.media.RtpPacket;
import io.hankyo.sip.media.SdpNegotiation;
import io.hankyo.sip.media.SdpOfferAnswer;
import io.hankyo.sip.testing.MediaCallControl;
import io.hankyo.sip.testing.RawSip;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The post-call button (issue 4, docs/judgment.md) through a real {@link SipGateway}: a raw SIP caller and callee with
 * real RTP endpoints, a call answered with media and forwarded (both legs anchored), judgment rules with a button
 * (prompt {@code rate-call}, 400 ms; timeout 1 s). Ports: SIP 15150 (gateway), 15151 (callee), 15152 (caller); RTP
 * 16700-16799 (gateway), 16800-16879 (the test's endpoints).
 */
class SipGatewayPostCallButtonTest extends GatewayTestSupport {
  static final int GW = 15150;
  static final int CALLEE = 15151;
  static final int CALLER_PORT = 15152;
  static final Duration WAIT = Duration.ofSeconds(10);
  static final String CONTACT = "Contact: <sip:callee@127.0.0.1:" + CALLEE + ">\n";
  static final JudgmentRules RULES = new JudgmentRules(30, null, null, List.of(),
      new JudgmentRules.PostCallButton("rate-call", 1, List.of("1"), List.of("2")));

  static ActorTestKit kit;
  static MediaCallControl control;
  static SipGateway gateway;
  static MediaEngine phones;
  static int calls;

  RawSip.Endpoint caller;
  RawSip.Endpoint callee;
  String invite;
  String fwd;
  MediaSession callerPhone;
  MediaSession calleePhone;
  final AtomicInteger calleeHeard = new AtomicInteger();

  @BeforeAll
  static void startGateway() throws Exception {
    kit = testKit();
    control = new MediaCallControl();
    MediaSettings media = MediaSettings.fromConfig(ConfigFactory.parseString(
        "hankyo.sip.media { address = \"127.0.0.1\", rtp-port-min = 16700, rtp-port-max = 16799 }"));
    Map<String, Prompt> prompts = Map.of("rate-call", SipGatewayMediaTest.tone("rate-call", 400));
    PromptSource source = (operator, name) -> CompletableFuture.supplyAsync(() ->
        MediaCallControl.OPERATOR.equals(operator) ? Optional.ofNullable(prompts.get(name)) : Optional.empty());
    gateway = SipGateway.start(settings(GW, CALLEE, ""), media, control, cipher(), kit.system(), source);
    phones = new MediaEngine(media.withPorts(16800, 16879));
  }

  @AfterAll
  static void stopGateway() {
    if (phones != null) {
      phones.close();
    }
    if (gateway != null) {
      gateway.close();
    }
    if (kit != null) {
      kit.shutdownTestKit();
    }
  }

  @BeforeEach
  void open() throws Exception {
    control.reset();
    control.judgment(RULES);
    caller = RawSip.Endpoint.udp(CALLER_PORT);
    callee = RawSip.Endpoint.udp(CALLEE);
    callerPhone = phones.open(MediaListener.NONE);
    calleePhone = phones.open(new MediaListener() {
      @Override
      public void onPacket(MediaSession session, RtpPacket packet) {
        if (packet.payloadType() == 0 || packet.payloadType() == 8) {
          calleeHeard.incrementAndGet();
        }
      }
    });
  }

  @AfterEach
  void nothingLeft() throws Exception {
    try {
      awaitNoLiveCalls(gateway, WAIT);
      SipGatewayMediaTest.awaitZero("open media sessions", gateway::openMediaSessions);
      SipGatewayMediaTest.awaitZero("RTP ports in use", gateway::rtpPortsInUse);
    } finally {
      caller.close();
      callee.close();
      callerPhone.close();
      calleePhone.close();
    }
  }

  // ---------------------------------------------------------------- helpers

  /**
   * A call answered with media, forwarded to the raw callee, which answers with its phone's SDP: both legs anchored
   * and bridged. Returns the gateway's 200 to the caller.
   */
  private String bridgedCall() throws Exception {
    SdpOfferAnswer callerSdp = new SdpOfferAnswer("127.0.0.1");
    String token = "postcall-" + (++calls) + "-" + System.nanoTime();
    String uri = "sip:" + TRACKING + "@127.0.0.1:" + GW;
    String body = RawSip.crlf(callerSdp.offer(callerPhone.localPort()));
    invite = RawSip.crlf("INVITE " + uri + " SIP/2.0\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + CALLER_PORT + ";branch=z9hG4bK-" + token + "\n"
        + "Max-Forwards: 70\n"
        + "From: <sip:" + CALLER + "@127.0.0.1>;tag=t-" + token + "\n"
        + "To: <" + uri + ">\n"
        + "Call-ID: " + token + "@127.0.0.1\n"
        + "CSeq: 1 INVITE\n"
        + "Contact: <sip:" + CALLER + "@127.0.0.1:" + CALLER_PORT + ">\n"
        + "Content-Type: application/sdp\n"
        + "Content-Length: " + body.length() + "\n\n") + body;
    caller.send(invite, "127.0.0.1", GW);
    String ok = caller.expect(WAIT, "200 to the INVITE",
        m -> RawSip.status(m) == 200 && "INVITE".equals(RawSip.method(m)));
    SdpNegotiation n = callerSdp.acceptAnswer(RawSip.body(ok));
    callerPhone.start(((SdpNegotiation.Accepted) n).media());
    caller.send(RawSip.callerInDialog(invite, ok, CALLER_PORT, "ACK", 1, "", ""), "127.0.0.1", GW);
    String trnId = control.lastCall(WAIT);
    control.await(CallProgress.MediaAnswered.class, m -> m.trnId().equals(trnId), WAIT);

    control.tell(new CallInstruction.Forward(trnId, 1, PhoneNumbers.parse("0311110001"), 20_000, false));
    fwd = callee.expect(WAIT, "forward INVITE", m -> "INVITE".equals(RawSip.method(m)) && RawSip.status(m) < 0);
    SdpNegotiation calleeSide = new SdpOfferAnswer("127.0.0.1").answer(RawSip.body(fwd), calleePhone.localPort());
    calleePhone.start(((SdpNegotiation.Accepted) calleeSide).media());
    callee.send(RawSip.response(fwd, 200, "OK", "cl", CONTACT, ((SdpNegotiation.Accepted) calleeSide).answerSdp()),
        "127.0.0.1", GW);
    callee.expect(WAIT, "ACK of the callee's 200", m -> "ACK".equals(RawSip.method(m)));
    control.await(CallProgress.Answered.class, a -> a.trnId().equals(trnId), WAIT);
    return ok;
  }

  /** A request of the raw callee inside the forward leg's dialog (it answered with To tag {@code cl}). */
  private String calleeInDialog(String method, int cseq, String contentType, String body) {
    String b = RawSip.crlf(body);
    return RawSip.crlf(method + " " + RawSip.uri(RawSip.header(fwd, "Contact")) + " SIP/2.0\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + CALLEE + ";branch=z9hG4bK-" + method + "-" + System.nanoTime() + "\n"
        + "Max-Forwards: 70\n"
        + "From: " + RawSip.header(fwd, "To") + ";tag=cl\n"
        + "To: " + RawSip.header(fwd, "From") + "\n"
        + "Call-ID: " + RawSip.header(fwd, "Call-ID") + "\n"
        + "CSeq: " + cseq + " " + method + "\n"
        + (contentType.isEmpty() ? "" : "Content-Type: " + contentType + "\n")
        + "Content-Length: " + b.length() + "\n\n") + b;
  }

  /** The caller hangs up: its BYE is answered 200. Returns when it did. */
  private Instant callerHangsUp(String ok) throws Exception {
    Instant before = Instant.now();
    caller.send(RawSip.callerInDialog(invite, ok, CALLER_PORT, "BYE", 2, "", ""), "127.0.0.1", GW);
    caller.expect(WAIT, "200 to the caller's BYE", m -> RawSip.status(m) == 200 && "BYE".equals(RawSip.method(m)));
    return before;
  }

  private String calleeGetsBye() throws Exception {
    String bye = callee.expect(WAIT, "BYE to the callee", m -> "BYE".equals(RawSip.method(m)));
    callee.send(RawSip.response(bye, 200, "OK", null, "", ""), "127.0.0.1", GW);
    return bye;
  }

  private static void awaitHeard(AtomicInteger n, int min) throws InterruptedException {
    long until = System.nanoTime() + WAIT.toNanos();
    while (n.get() < min) {
      if (System.nanoTime() > until) {
        fail("the callee heard " + n.get() + " packets, expected at least " + min);
      }
      Thread.sleep(10);
    }
  }

  // ---------------------------------------------------------------- cases

  @Test
  void callerHangsUpCalleeHearsThePromptAndPressesOne() throws Exception {
    String ok = bridgedCall();
    String trnId = control.lastCall(WAIT);
    Instant hungUp = callerHangsUp(ok);
    Thread.sleep(100);
    assertFalse(callee.received().stream().anyMatch(m -> RawSip.status(m) < 0 && "BYE".equals(RawSip.method(m))),
        "the callee stays on the line");
    assertTrue(control.progressOf(trnId).stream().noneMatch(p -> p instanceof CallProgress.Ended),
        "the call is not over yet");

    // the prompt reaches the callee's RTP socket; its RFC 4733 key ends the phase
    int before = calleeHeard.get();
    awaitHeard(calleeHeard, before + 10);
    Instant keyAt = Instant.now();
    calleePhone.sendDtmf('1', 100).toCompletableFuture().get();
    calleeGetsBye();
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
    assertEquals("1", ended.postCallDigit());
    assertEquals(HangupParty.CALLER, ended.by());
    assertEquals(EndCause.NORMAL_CLEARING, ended.cause());
    assertFalse(ended.at().isBefore(hungUp), "talk time ends when the caller hung up: " + ended.at());
    assertTrue(ended.at().isBefore(keyAt), "not at the end of the button phase: " + ended.at() + " / " + keyAt);
  }

  @Test
  void aKeyBySipInfoCountsToo() throws Exception {
    String ok = bridgedCall();
    String trnId = control.lastCall(WAIT);
    callerHangsUp(ok);
    awaitHeard(calleeHeard, 5);
    callee.send(calleeInDialog("INFO", 2, "application/dtmf-relay", "Signal=2\nDuration=160\n"), "127.0.0.1", GW);
    callee.expect(WAIT, "200 to the INFO", m -> RawSip.status(m) == 200 && "INFO".equals(RawSip.method(m)));
    calleeGetsBye();
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
    assertEquals("2", ended.postCallDigit());
  }

  @Test
  void noKeyTheCalleeGetsByeAfterTheTimeout() throws Exception {
    String ok = bridgedCall();
    String trnId = control.lastCall(WAIT);
    long start = System.nanoTime();
    callerHangsUp(ok);
    calleeGetsBye();
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    // the prompt (400 ms, its last frame sent a frame early) and then the 1 s timeout, which starts after it
    assertTrue(tookMillis >= 1300, "BYE only after the prompt and the timeout: " + tookMillis + " ms");
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
    assertNull(ended.postCallDigit());
    assertEquals(HangupParty.CALLER, ended.by());
  }

  @Test
  void theCalleeHangsUpDuringThePrompt() throws Exception {
    String ok = bridgedCall();
    String trnId = control.lastCall(WAIT);
    callerHangsUp(ok);
    awaitHeard(calleeHeard, 3);
    callee.send(calleeInDialog("BYE", 2, "", ""), "127.0.0.1", GW);
    callee.expect(WAIT, "200 to the callee's BYE", m -> RawSip.status(m) == 200 && "BYE".equals(RawSip.method(m)));
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
    assertNull(ended.postCallDigit());
    assertEquals(HangupParty.CALLER, ended.by());
    Thread.sleep(300);
    assertFalse(callee.received().stream().anyMatch(m -> RawSip.status(m) < 0 && "BYE".equals(RawSip.method(m))),
        "no BYE to a callee that hung up");
  }

  @Test
  void withoutMediaAnchoringTheCalleeIsReinvitedToTheGatewayForTheButton() throws Exception {
    // a plain Forward: the caller's SDP goes to the callee and back, no RTP passes the gateway
    control.plainForward("0311110001");
    SdpOfferAnswer callerSdp = new SdpOfferAnswer("127.0.0.1");
    String token = "plain-" + (++calls) + "-" + System.nanoTime();
    String uri = "sip:" + TRACKING + "@127.0.0.1:" + GW;
    String body = RawSip.crlf(callerSdp.offer(callerPhone.localPort()));
    invite = RawSip.crlf("INVITE " + uri + " SIP/2.0\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + CALLER_PORT + ";branch=z9hG4bK-" + token + "\n"
        + "Max-Forwards: 70\n"
        + "From: <sip:" + CALLER + "@127.0.0.1>;tag=t-" + token + "\n"
        + "To: <" + uri + ">\n"
        + "Call-ID: " + token + "@127.0.0.1\n"
        + "CSeq: 1 INVITE\n"
        + "Contact: <sip:" + CALLER + "@127.0.0.1:" + CALLER_PORT + ">\n"
        + "Content-Type: application/sdp\n"
        + "Content-Length: " + body.length() + "\n\n") + body;
    caller.send(invite, "127.0.0.1", GW);
    fwd = callee.expect(WAIT, "forward INVITE", m -> "INVITE".equals(RawSip.method(m)) && RawSip.status(m) < 0);
    assertTrue(RawSip.body(fwd).contains("m=audio " + callerPhone.localPort()), "the caller's own SDP");
    SdpNegotiation direct = new SdpOfferAnswer("127.0.0.1").answer(RawSip.body(fwd), calleePhone.localPort());
    callee.send(RawSip.response(fwd, 200, "OK", "cl", CONTACT, ((SdpNegotiation.Accepted) direct).answerSdp()),
        "127.0.0.1", GW);
    String ok = caller.expect(WAIT, "200 to the INVITE",
        m -> RawSip.status(m) == 200 && "INVITE".equals(RawSip.method(m)));
    caller.send(RawSip.callerInDialog(invite, ok, CALLER_PORT, "ACK", 1, "", ""), "127.0.0.1", GW);
    String trnId = control.lastCall(WAIT);
    control.await(CallProgress.Answered.class, a -> a.trnId().equals(trnId), WAIT);

    // the caller hangs up: the callee gets a re-INVITE with the gateway's own offer, answers it, hears the prompt
    callerHangsUp(ok);
    String reinvite = callee.expect(WAIT, "re-INVITE to the callee",
        m -> "INVITE".equals(RawSip.method(m)) && RawSip.status(m) < 0 && !m.equals(fwd));
    assertEquals(RawSip.header(fwd, "Call-ID"), RawSip.header(reinvite, "Call-ID"), "in the callee's dialog");
    String offer = RawSip.body(reinvite);
    assertFalse(offer.contains("m=audio " + callerPhone.localPort()), "the gateway's own offer: " + offer);
    SdpNegotiation anchored = new SdpOfferAnswer("127.0.0.1").answer(offer, calleePhone.localPort());
    calleePhone.start(((SdpNegotiation.Accepted) anchored).media());
    callee.send(RawSip.response(reinvite, 200, "OK", "cl", CONTACT, ((SdpNegotiation.Accepted) anchored).answerSdp()),
        "127.0.0.1", GW);
    callee.expect(WAIT, "ACK of the re-INVITE's 200", m -> "ACK".equals(RawSip.method(m))
        && RawSip.header(m, "CSeq").startsWith(RawSip.header(reinvite, "CSeq").split(" ")[0] + " "));
    awaitHeard(calleeHeard, 10);
    calleePhone.sendDtmf('1', 100).toCompletableFuture().get();
    calleeGetsBye();
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
    assertEquals("1", ended.postCallDigit());
    assertEquals(HangupParty.CALLER, ended.by());
  }

  @Test
  void theCalleeHangingUpFirstIsAnOrdinaryEnd() throws Exception {
    String ok = bridgedCall();
    String trnId = control.lastCall(WAIT);
    callee.send(calleeInDialog("BYE", 2, "", ""), "127.0.0.1", GW);
    callee.expect(WAIT, "200 to the callee's BYE", m -> RawSip.status(m) == 200 && "BYE".equals(RawSip.method(m)));
    String bye = caller.expect(WAIT, "BYE to the caller", m -> "BYE".equals(RawSip.method(m)));
    caller.send(RawSip.response(bye, 200, "OK", null, "", ""), "127.0.0.1", GW);
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
    assertNull(ended.postCallDigit());
    assertEquals(HangupParty.CALLEE, ended.by());
  }
}
