package io.hankyo.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.ConfigFactory;
import io.hankyo.protocol.call.CallInstruction;
import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.calllog.HangupParty;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Calls answered with media (RouteDecision.AnswerWithMedia, issue 3) through a real {@link SipGateway}: a raw SIP
 * caller and callee, each with a real RTP endpoint (a {@link MediaSession} of the test's own {@link MediaEngine}, its
 * SDP written by {@link SdpOfferAnswer}), and {@link MediaCallControl} as the Call entity. Ports: SIP 15110
 * (gateway), 15111 (callee), 15112 (caller); RTP 16200-16399 (gateway), 16400-16479 (the test's endpoints); a second gateway on SIP 15113 with the
 * one RTP port 16480 for the port-exhaustion case.
 */
class SipGatewayMediaTest extends GatewayTestSupport {
  static final int GW = 15110;
  static final int CALLEE = 15111;
  static final int CALLER_PORT = 15112;
  static final Duration WAIT = Duration.ofSeconds(10);
  static final String CONTACT = "Contact: <sip:callee@127.0.0.1:" + CALLEE + ">\n";

  static ActorTestKit kit;
  static MediaCallControl control;
  static SipGateway gateway;
  static MediaEngine phones;
  static int calls;

  RawSip.Endpoint caller;
  RawSip.Endpoint callee;
  String invite;
  MediaSession callerPhone;
  MediaSession calleePhone;
  final AtomicInteger callerHeard = new AtomicInteger();
  final AtomicInteger calleeHeard = new AtomicInteger();

  /** 400 ms of a 1 kHz tone: 20 frames. */
  static final Prompt WELCOME = tone("welcome", 400);

  @BeforeAll
  static void startGateway() throws Exception {
    kit = testKit();
    control = new MediaCallControl();
    MediaSettings media = MediaSettings.fromConfig(ConfigFactory.parseString(
        "hankyo.sip.media { address = \"127.0.0.1\", rtp-port-min = 16200, rtp-port-max = 16399 }"));
    Map<String, Prompt> prompts = Map.of("welcome", WELCOME, "hold", tone("hold", 200));
    PromptSource source = (operator, name) -> CompletableFuture.supplyAsync(() ->
        MediaCallControl.OPERATOR.equals(operator) ? Optional.ofNullable(prompts.get(name)) : Optional.empty());
    gateway = SipGateway.start(settings(GW, CALLEE, "instruction-timeout = 1500ms"), media, control, cipher(),
        kit.system(), source);
    phones = new MediaEngine(media.withPorts(16400, 16479));
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
    caller = RawSip.Endpoint.udp(CALLER_PORT);
    callee = RawSip.Endpoint.udp(CALLEE);
    callerPhone = phones.open(counting(callerHeard));
    calleePhone = phones.open(counting(calleeHeard));
  }

  @AfterEach
  void nothingLeft() throws Exception {
    try {
      awaitNoLiveCalls(gateway, WAIT);
      awaitZero("open media sessions", gateway::openMediaSessions);
      awaitZero("RTP ports in use", gateway::rtpPortsInUse);
      // 10 s: JAIN-SIP's own timers (Timer K 5 s, linger 8 s) would remove a transaction the gateway failed to
      // release only after that; a slower release is printed (SLOW-TX-RELEASE) with the transactions it waited for
      awaitTransactionsAtMost(gateway, 0, Duration.ofSeconds(10));
    } finally {
      caller.close();
      callee.close();
      callerPhone.close();
      calleePhone.close();
    }
  }

  // ---------------------------------------------------------------- helpers

  static Prompt tone(String name, int millis) {
    short[] samples = new short[8 * millis];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = (short) (8000 * Math.sin(2 * Math.PI * 1000 * i / 8000.0));
    }
    return Prompt.ofSamples(name, samples);
  }

  static MediaListener counting(AtomicInteger audio) {
    return new MediaListener() {
      @Override
      public void onPacket(MediaSession session, RtpPacket packet) {
        if (packet.payloadType() == 0 || packet.payloadType() == 8) {
          audio.incrementAndGet();
        }
      }
    };
  }

  static void awaitZero(String what, IntSupplier value) throws InterruptedException {
    long until = System.nanoTime() + WAIT.toNanos();
    while (value.getAsInt() != 0) {
      if (System.nanoTime() > until) {
        fail(what + " still " + value.getAsInt() + " after " + WAIT);
      }
      Thread.sleep(10);
    }
  }

  static void awaitAtLeast(String what, AtomicInteger n, int min) throws InterruptedException {
    long until = System.nanoTime() + WAIT.toNanos();
    while (n.get() < min) {
      if (System.nanoTime() > until) {
        fail(what + ": " + n.get() + " packets, expected at least " + min);
      }
      Thread.sleep(10);
    }
  }

  private void sendInvite(String sdp) throws Exception {
    String token = "media-" + (++calls) + "-" + System.nanoTime();
    String uri = "sip:" + TRACKING + "@127.0.0.1:" + GW;
    String body = RawSip.crlf(sdp);
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
  }

  private String callerFinal() throws Exception {
    String r = caller.expect(WAIT, "final response to the INVITE",
        m -> RawSip.status(m) >= 200 && "INVITE".equals(RawSip.method(m)));
    if (RawSip.status(r) >= 300) {
      caller.send(RawSip.ackFor(invite, r), "127.0.0.1", GW);
    }
    return r;
  }

  /** A request of the caller inside the dialog of the gateway's 200 ({@link RawSip#callerInDialog}). */
  private String callerInDialog(String ok, String method, int cseq, String contentType, String body) {
    return RawSip.callerInDialog(invite, ok, CALLER_PORT, method, cseq, contentType, body);
  }



  /**
   * Calls in with the caller phone's real offer, checks the gateway's 200 and SDP answer, ACKs, starts the phone on
   * the answer and waits for MediaAnswered.
   *
   * @return the 200
   */
  private String callAnsweredWithMedia(SdpOfferAnswer callerSdp) throws Exception {
    sendInvite(callerSdp.offer(callerPhone.localPort()));
    String ok = callerFinal();
    assertEquals(200, RawSip.status(ok), ok);
    String answer = RawSip.body(ok);
    assertTrue(answer.contains("c=IN IP4 127.0.0.1"), answer);
    SdpNegotiation n = callerSdp.acceptAnswer(answer);
    assertTrue(n instanceof SdpNegotiation.Accepted, n.toString());
    SdpNegotiation.Accepted accepted = (SdpNegotiation.Accepted) n;
    assertTrue(accepted.media().remotePort() >= 16200 && accepted.media().remotePort() <= 16399, answer);
    callerPhone.start(accepted.media());
    caller.send(callerInDialog(ok, "ACK", 1, "", ""), "127.0.0.1", GW);
    String trnId = control.lastCall(WAIT);
    control.await(CallProgress.MediaAnswered.class, m -> m.trnId().equals(trnId), WAIT);
    return ok;
  }

  private long digits(String trnId) {
    return control.progressOf(trnId).stream().filter(p -> p instanceof CallProgress.Digit).count();
  }

  // ---------------------------------------------------------------- cases

  @Test
  void promptDigitsThenForwardBridgesBothWays() throws Exception {
    SdpOfferAnswer callerSdp = new SdpOfferAnswer("127.0.0.1");
    String ok = callAnsweredWithMedia(callerSdp);
    String trnId = control.lastCall(WAIT);

    // the prompt reaches the caller as RTP, and finishes
    control.tell(new CallInstruction.PlayPrompt(trnId, MediaCallControl.OPERATOR, "welcome", false, 1));
    awaitAtLeast("caller hears the prompt", callerHeard, WELCOME.frameCount() * 3 / 4);
    CallProgress.PromptFinished finished =
        control.await(CallProgress.PromptFinished.class, p -> p.trnId().equals(trnId), WAIT);
    assertEquals(1, finished.token());
    assertTrue(finished.played());

    // an RFC 4733 digit from the caller's RTP, then one by SIP INFO: one Digit each, in order
    callerPhone.sendDtmf('5', 100).toCompletableFuture().get();
    CallProgress.Digit five = control.await(CallProgress.Digit.class, d -> d.trnId().equals(trnId), WAIT);
    assertEquals("5", five.digit());
    assertEquals(1, five.seq());
    caller.send(callerInDialog(ok, "INFO", 2, "application/dtmf-relay", "Signal=7\nDuration=160\n"),
        "127.0.0.1", GW);
    caller.expect(WAIT, "200 to INFO", m -> RawSip.status(m) == 200 && "INFO".equals(RawSip.method(m)));
    CallProgress.Digit seven = control.await(CallProgress.Digit.class, d -> d.seq() == 2, WAIT);
    assertEquals("7", seven.digit());
    caller.send(callerInDialog(ok, "INFO", 3, "application/json", "{}"), "127.0.0.1", GW);
    caller.expect(WAIT, "415 to an INFO of another type",
        m -> RawSip.status(m) == 415 && "INFO".equals(RawSip.method(m)));
    Thread.sleep(200);
    assertEquals(2, digits(trnId), () -> "one Digit per key: " + control.progressOf(trnId));

    // forward after media: the callee gets our offer, answers, and RTP flows both ways through the gateway
    control.tell(new CallInstruction.PlayPrompt(trnId, MediaCallControl.OPERATOR, "hold", true, 2));
    control.tell(new CallInstruction.Forward(trnId, 1, PhoneNumbers.parse("0311110001"), 20_000, false));
    String fwd = callee.expect(WAIT, "forward INVITE", m -> "INVITE".equals(RawSip.method(m))
        && RawSip.status(m) < 0);
    String offer = RawSip.body(fwd);
    assertTrue(offer.contains("c=IN IP4 127.0.0.1"), offer);
    assertFalse(offer.contains("m=audio " + callerPhone.localPort()), "the gateway's own offer: " + offer);
    SdpNegotiation calleeSide = new SdpOfferAnswer("127.0.0.1", java.util.List.of(io.hankyo.sip.media.Codec.PCMA))
        .answer(offer, calleePhone.localPort());
    assertTrue(calleeSide instanceof SdpNegotiation.Accepted, calleeSide.toString());
    calleePhone.start(((SdpNegotiation.Accepted) calleeSide).media());
    callee.send(RawSip.response(fwd, 180, "Ringing", "cl", CONTACT, ""), "127.0.0.1", GW);
    control.await(CallProgress.Ringing.class, r -> r.trnId().equals(trnId), WAIT);
    callee.send(RawSip.response(fwd, 200, "OK", "cl", CONTACT, ((SdpNegotiation.Accepted) calleeSide).answerSdp()),
        "127.0.0.1", GW);
    callee.expect(WAIT, "ACK of the callee's 200", m -> "ACK".equals(RawSip.method(m)));
    control.await(CallProgress.Answered.class, a -> a.trnId().equals(trnId) && a.attempt() == 1, WAIT);

    int callerBefore = callerHeard.get();
    calleePhone.play(tone("callee-voice", 400));
    awaitAtLeast("caller hears the callee (PCMA transcoded to PCMU)", callerHeard, callerBefore + 15);
    callerPhone.play(tone("caller-voice", 400));
    awaitAtLeast("callee hears the caller", calleeHeard, 15);
    Thread.sleep(300);
    assertEquals(0, control.progressOf(trnId).stream()
        .filter(p -> p instanceof CallProgress.PromptFinished && ((CallProgress.PromptFinished) p).token() == 2)
        .count(), "a prompt stopped by the bridge is not reported");
    assertEquals(0, caller.received().stream().filter(m -> RawSip.status(m) == 200
        && "INVITE".equals(RawSip.method(m)) && !m.equals(ok)).filter(m -> !RawSip.body(m).equals(RawSip.body(ok)))
        .count(), "no second 2xx with other SDP to the caller");

    // the caller hangs up: the callee gets BYE, the call ends, media is released
    caller.send(callerInDialog(ok, "BYE", 4, "", ""), "127.0.0.1", GW);
    String bye = callee.expect(WAIT, "BYE to the callee", m -> "BYE".equals(RawSip.method(m)));
    callee.send(RawSip.response(bye, 200, "OK", null, "", ""), "127.0.0.1", GW);
    caller.expect(WAIT, "200 to BYE", m -> RawSip.status(m) == 200 && "BYE".equals(RawSip.method(m)));
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
    assertEquals(HangupParty.CALLER, ended.by());
    assertEquals(EndCause.NORMAL_CLEARING, ended.cause());
  }

  @Test
  void aPromptOrderedBeforeTheMediaAnswerIsPlayedOnceTheCallerIsAnswered() throws Exception {
    // the Call entity orders the first prompt as soon as it has recorded the arrival, which can be before the gateway
    // has answered the caller (it waits for that record): the prompt must not be lost
    control.firstPrompt("welcome");
    callAnsweredWithMedia(new SdpOfferAnswer("127.0.0.1"));
    String trnId = control.lastCall(WAIT);
    awaitAtLeast("caller hears the first prompt", callerHeard, WELCOME.frameCount() * 3 / 4);
    CallProgress.PromptFinished finished =
        control.await(CallProgress.PromptFinished.class, p -> p.trnId().equals(trnId), WAIT);
    assertEquals(1, finished.token());
    assertTrue(finished.played());
    control.tell(new CallInstruction.Release(trnId, EndCause.FLOW_ENDED));
    String bye = caller.expect(WAIT, "BYE from the gateway", m -> "BYE".equals(RawSip.method(m)));
    caller.send(RawSip.response(bye, 200, "OK", null, "", ""), "127.0.0.1", GW);
    control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
  }

  @Test
  void aMissingLoopedPromptIsNotReportedSoTheFlowDoesNotAskAgainAndAgain() throws Exception {
    callAnsweredWithMedia(new SdpOfferAnswer("127.0.0.1"));
    String trnId = control.lastCall(WAIT);
    control.tell(new CallInstruction.PlayPrompt(trnId, MediaCallControl.OPERATOR, "no-such-hold", true, 3));
    Thread.sleep(500);
    assertTrue(control.progressOf(trnId).stream().noneMatch(p -> p instanceof CallProgress.PromptFinished),
        () -> "a loop never finishes by itself, even when missing: " + control.progressOf(trnId));
    control.tell(new CallInstruction.Release(trnId, EndCause.FLOW_ENDED));
    String bye = caller.expect(WAIT, "BYE from the gateway", m -> "BYE".equals(RawSip.method(m)));
    caller.send(RawSip.response(bye, 200, "OK", null, "", ""), "127.0.0.1", GW);
    control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
  }

  @Test
  void missingPromptIsReportedNotPlayedThenReleaseByesTheCaller() throws Exception {
    String ok = callAnsweredWithMedia(new SdpOfferAnswer("127.0.0.1"));
    String trnId = control.lastCall(WAIT);
    control.tell(new CallInstruction.PlayPrompt(trnId, MediaCallControl.OPERATOR, "no-such-prompt", false, 7));
    CallProgress.PromptFinished f = control.await(CallProgress.PromptFinished.class, p -> p.token() == 7, WAIT);
    assertFalse(f.played());
    control.tell(new CallInstruction.Release(trnId, EndCause.FLOW_ENDED));
    String bye = caller.expect(WAIT, "BYE from the gateway", m -> "BYE".equals(RawSip.method(m)));
    caller.send(RawSip.response(bye, 200, "OK", null, "", ""), "127.0.0.1", GW);
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
    assertEquals(EndCause.FLOW_ENDED, ended.cause());
    assertEquals(0, ended.sipStatus());
    assertNotEquals(null, ok);
  }

  @Test
  void offerWithoutG711Gets488WithWarning() throws Exception {
    sendInvite("v=0\no=caller 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n"
        + "m=audio 6000 RTP/AVP 18\na=rtpmap:18 G729/8000\n");
    String r = callerFinal();
    assertEquals(488, RawSip.status(r), r);
    String warning = RawSip.header(r, "Warning");
    assertTrue(warning != null && warning.startsWith("305 "), r);
    String trnId = control.lastCall(WAIT);
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
    assertEquals(488, ended.sipStatus());
  }

  @Test
  void callerHangsUpMidPrompt() throws Exception {
    String ok = callAnsweredWithMedia(new SdpOfferAnswer("127.0.0.1"));
    String trnId = control.lastCall(WAIT);
    control.tell(new CallInstruction.PlayPrompt(trnId, MediaCallControl.OPERATOR, "hold", true, 1));
    awaitAtLeast("caller hears the looping prompt", callerHeard, 15);
    caller.send(callerInDialog(ok, "BYE", 2, "", ""), "127.0.0.1", GW);
    caller.expect(WAIT, "200 to BYE", m -> RawSip.status(m) == 200 && "BYE".equals(RawSip.method(m)));
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
    assertEquals(HangupParty.CALLER, ended.by());
    awaitZero("open media sessions", gateway::openMediaSessions);
    int heard = callerHeard.get();
    Thread.sleep(200);
    assertTrue(callerHeard.get() - heard <= 1, "the prompt stops with the call");
    assertTrue(control.progressOf(trnId).stream().noneMatch(p -> p instanceof CallProgress.PromptFinished));
  }

  @Test
  void sessionsAndPortsReturnToZeroAfterABatchOfCalls() throws Exception {
    for (int i = 0; i < 6; i++) {
      String ok = callAnsweredWithMedia(new SdpOfferAnswer("127.0.0.1"));
      String trnId = control.lastCall(WAIT);
      assertTrue(gateway.openMediaSessions() >= 1 && gateway.rtpPortsInUse() >= 1);
      control.tell(new CallInstruction.PlayPrompt(trnId, MediaCallControl.OPERATOR, "hold", i % 2 == 0, i));
      caller.send(callerInDialog(ok, "BYE", 2, "", ""), "127.0.0.1", GW);
      caller.expect(WAIT, "200 to BYE", m -> RawSip.status(m) == 200 && "BYE".equals(RawSip.method(m)));
      control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
      callerPhone.close();
      callerPhone = phones.open(counting(callerHeard));
    }
    awaitNoLiveCalls(gateway, WAIT);
    awaitZero("open media sessions", gateway::openMediaSessions);
    awaitZero("RTP ports in use", gateway::rtpPortsInUse);
  }

  @Test
  void failedLegAfterMediaHoldsTheCallerWhoKeepsHearingPrompts() throws Exception {
    String ok = callAnsweredWithMedia(new SdpOfferAnswer("127.0.0.1"));
    String trnId = control.lastCall(WAIT);
    control.tell(new CallInstruction.Forward(trnId, 1, PhoneNumbers.parse("0311110001"), 20_000, true));
    String fwd = callee.expect(WAIT, "forward INVITE", m -> "INVITE".equals(RawSip.method(m))
        && RawSip.status(m) < 0);
    callee.send(RawSip.response(fwd, 180, "Ringing", "b1", CONTACT, ""), "127.0.0.1", GW);
    control.await(CallProgress.Ringing.class, r -> r.trnId().equals(trnId), WAIT);
    callee.send(RawSip.response(fwd, 486, "Busy Here", "b1", "", ""), "127.0.0.1", GW);
    callee.expect(WAIT, "ACK of 486", m -> "ACK".equals(RawSip.method(m)));
    CallProgress.LegFailed failed = control.await(CallProgress.LegFailed.class, f -> f.trnId().equals(trnId), WAIT);
    assertEquals(EndCause.BUSY, failed.cause());

    // the caller is still connected to the gateway's media: a prompt plays, a stopped one is not reported
    control.tell(new CallInstruction.PlayPrompt(trnId, MediaCallControl.OPERATOR, "hold", true, 3));
    int before = callerHeard.get();
    awaitAtLeast("caller hears the prompt after the failed leg", callerHeard, before + 10);
    control.tell(new CallInstruction.StopPrompt(trnId, 3));
    Thread.sleep(2000); // longer than instruction-timeout: a PlayPrompt keeps the call
    assertTrue(control.progressOf(trnId).stream().noneMatch(p -> p instanceof CallProgress.PromptFinished
        || p instanceof CallProgress.Ended), () -> "" + control.progressOf(trnId));
    assertTrue(caller.received().stream().noneMatch(m -> "BYE".equals(RawSip.method(m)) && RawSip.status(m) < 0));

    control.tell(new CallInstruction.Release(trnId, EndCause.BUSY));
    String bye = caller.expect(WAIT, "BYE from the gateway", m -> "BYE".equals(RawSip.method(m)));
    caller.send(RawSip.response(bye, 200, "OK", null, "", ""), "127.0.0.1", GW);
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
    assertEquals(EndCause.BUSY, ended.cause());
    assertNotEquals(null, ok);
  }

  @Test
  void failedLegAfterMediaWithoutHoldByesTheCaller() throws Exception {
    callAnsweredWithMedia(new SdpOfferAnswer("127.0.0.1"));
    String trnId = control.lastCall(WAIT);
    control.tell(new CallInstruction.Forward(trnId, 1, PhoneNumbers.parse("0311110001"), 20_000, false));
    String fwd = callee.expect(WAIT, "forward INVITE", m -> "INVITE".equals(RawSip.method(m))
        && RawSip.status(m) < 0);
    callee.send(RawSip.response(fwd, 603, "Decline", "d1", "", ""), "127.0.0.1", GW);
    callee.expect(WAIT, "ACK of 603", m -> "ACK".equals(RawSip.method(m)));
    String bye = caller.expect(WAIT, "BYE from the gateway", m -> "BYE".equals(RawSip.method(m)));
    caller.send(RawSip.response(bye, 200, "OK", null, "", ""), "127.0.0.1", GW);
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
    assertEquals(EndCause.DECLINED, ended.cause());
    assertEquals(603, ended.sipStatus(), "the callee's status reaches the call log");
  }

  @Test
  void noFreeRtpPortGets503WithRetryAfter() throws Exception {
    MediaCallControl tinyControl = new MediaCallControl();
    MediaSettings one = MediaSettings.fromConfig(ConfigFactory.parseString(
        "hankyo.sip.media { address = \"127.0.0.1\", rtp-port-min = 16480, rtp-port-max = 16481 }"));
    SipGateway tiny = SipGateway.start(settings(15113, CALLEE, ""), one, tinyControl, cipher(), kit.system(),
        PromptSource.NONE);
    try (RawSip.Endpoint second = RawSip.Endpoint.udp(15114)) {
      String sdp = new SdpOfferAnswer("127.0.0.1").offer(callerPhone.localPort());
      String first = rawInvite(15113, CALLER_PORT, sdp);
      caller.send(first, "127.0.0.1", 15113);
      String ok = caller.expect(WAIT, "200 (the one port)", m -> RawSip.status(m) == 200);
      assertEquals(1, tiny.rtpPortsInUse());
      String other = rawInvite(15113, 15114, sdp);
      second.send(other, "127.0.0.1", 15113);
      String busy = second.expect(WAIT, "503", m -> RawSip.status(m) >= 200);
      assertEquals(503, RawSip.status(busy), busy);
      assertTrue(RawSip.header(busy, "Retry-After") != null, busy);
      second.send(RawSip.ackFor(other, busy), "127.0.0.1", 15113);
      tinyControl.await(CallProgress.Ended.class, e -> e.sipStatus() == 503, WAIT);
      // end the first call
      invite = first;
      caller.send(callerInDialog(ok, "ACK", 1, "", ""), "127.0.0.1", 15113);
      caller.send(callerInDialog(ok, "BYE", 2, "", ""), "127.0.0.1", 15113);
      caller.expect(WAIT, "200 to BYE", m -> RawSip.status(m) == 200 && "BYE".equals(RawSip.method(m)));
      tinyControl.await(CallProgress.Ended.class, e -> e.sipStatus() == 0, WAIT);
      awaitNoLiveCalls(tiny, WAIT);
      awaitZero("RTP ports in use", tiny::rtpPortsInUse);
    } finally {
      tiny.close();
    }
  }

  @Test
  void infoBodiesApplicationDtmfMalformedAndEmpty() throws Exception {
    String ok = callAnsweredWithMedia(new SdpOfferAnswer("127.0.0.1"));
    String trnId = control.lastCall(WAIT);
    caller.send(callerInDialog(ok, "INFO", 2, "application/dtmf", "9"), "127.0.0.1", GW);
    caller.expect(WAIT, "200 to INFO", m -> RawSip.status(m) == 200 && "INFO".equals(RawSip.method(m)));
    caller.send(callerInDialog(ok, "INFO", 3, "application/dtmf-relay", "Signal=x\n"), "127.0.0.1", GW);
    caller.expect(WAIT, "400 to a malformed key", m -> RawSip.status(m) == 400 && "INFO".equals(RawSip.method(m)));
    caller.send(callerInDialog(ok, "INFO", 4, "", ""), "127.0.0.1", GW);
    caller.expect(WAIT, "200 to an empty INFO", m -> RawSip.status(m) == 200 && "INFO".equals(RawSip.method(m))
        && RawSip.header(m, "CSeq").startsWith("4 "));
    CallProgress.Digit nine = control.await(CallProgress.Digit.class, d -> d.trnId().equals(trnId), WAIT);
    assertEquals("9", nine.digit());
    assertEquals(1, nine.seq());
    assertEquals(1, digits(trnId));
    caller.send(callerInDialog(ok, "BYE", 5, "", ""), "127.0.0.1", GW);
    caller.expect(WAIT, "200 to BYE", m -> RawSip.status(m) == 200 && "BYE".equals(RawSip.method(m)));
    control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
  }

  private String rawInvite(int gwPort, int fromPort, String sdp) {
    String token = "tiny-" + (++calls) + "-" + System.nanoTime();
    String uri = "sip:" + TRACKING + "@127.0.0.1:" + gwPort;
    String body = RawSip.crlf(sdp);
    return RawSip.crlf("INVITE " + uri + " SIP/2.0\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + fromPort + ";branch=z9hG4bK-" + token + "\n"
        + "Max-Forwards: 70\n"
        + "From: <sip:" + CALLER + "@127.0.0.1>;tag=t-" + token + "\n"
        + "To: <" + uri + ">\n"
        + "Call-ID: " + token + "@127.0.0.1\n"
        + "CSeq: 1 INVITE\n"
        + "Contact: <sip:" + CALLER + "@127.0.0.1:" + fromPort + ">\n"
        + "Content-Type: application/sdp\n"
        + "Content-Length: " + body.length() + "\n\n") + body;
  }
}
