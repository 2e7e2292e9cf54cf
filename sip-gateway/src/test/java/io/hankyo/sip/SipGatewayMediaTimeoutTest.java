package io.hankyo.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.ConfigFactory;
import io.hankyo.protocol.call.CallInstruction;
import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.sip.media.Codec;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.IntSupplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The RTP inactivity timeout ({@code hankyo.sip.media.rtp-timeout}, 1.5 s here) and the ringback tone of calls
 * answered with media, through a real {@link SipGateway} with raw SIP endpoints and real RTP phones (sessions of the
 * test's own {@link MediaEngine}). Ports: SIP 15130 (gateway), 15131 (callee), 15132 (caller); RTP 16500-16599
 * (gateway), 16600-16679 (the test's phones).
 */
class SipGatewayMediaTimeoutTest extends GatewayTestSupport {
  static final int GW = 15130;
  static final int CALLEE = 15131;
  static final int CALLER_PORT = 15132;
  static final Duration TIMEOUT = Duration.ofMillis(1500);
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
  /** Audio the caller's phone received: (arrival nanoTime, decoded samples). */
  final ConcurrentLinkedQueue<Heard> callerHeard = new ConcurrentLinkedQueue<>();

  record Heard(long atNanos, short[] samples) {}

  @BeforeAll
  static void startGateway() throws Exception {
    kit = testKit();
    control = new MediaCallControl();
    MediaSettings media = MediaSettings.fromConfig(ConfigFactory.parseString(
        "hankyo.sip.media { address = \"127.0.0.1\", rtp-port-min = 16500, rtp-port-max = 16599, "
            + "rtp-timeout = " + TIMEOUT.toMillis() + "ms }"));
    assertEquals(TIMEOUT, media.rtpTimeout());
    gateway = SipGateway.start(settings(GW, CALLEE, "instruction-timeout = 5s"), media, control, cipher(),
        kit.system(), PromptSource.NONE);
    phones = new MediaEngine(media.withPorts(16600, 16679));
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
    callerPhone = phones.open(new MediaListener() {
      @Override
      public void onPacket(MediaSession session, RtpPacket packet) {
        Codec.ofPayloadType(packet.payloadType())
            .ifPresent(c -> callerHeard.add(new Heard(System.nanoTime(), c.decode(packet.payload()))));
      }
    });
    calleePhone = phones.open(MediaListener.NONE);
  }

  @AfterEach
  void nothingLeft() throws Exception {
    try {
      awaitNoLiveCalls(gateway, WAIT);
      awaitZero("open media sessions", gateway::openMediaSessions);
      awaitZero("RTP ports in use", gateway::rtpPortsInUse);
    } finally {
      caller.close();
      callee.close();
      callerPhone.close();
      calleePhone.close();
    }
  }

  // ---------------------------------------------------------------- cases

  @Test
  void aCallerWhoseRtpStopsIsByedAndReportedAsMediaTimeout() throws Exception {
    String ok = callAnsweredWithMedia();
    String trnId = control.lastCall(WAIT);
    // RTP keeps the call for longer than the timeout
    callerPhone.play(Prompt.silence("alive", 200), true, false);
    Thread.sleep(TIMEOUT.toMillis() * 2);
    assertTrue(control.progressOf(trnId).stream().noneMatch(p -> p instanceof CallProgress.Ended),
        () -> "a caller that sends RTP is not timed out: " + control.progressOf(trnId));
    // the phone vanishes: no BYE, no RTP
    long stoppedAt = System.nanoTime();
    callerPhone.stopPlaying();
    String bye = caller.expect(WAIT, "BYE from the gateway", m -> "BYE".equals(RawSip.method(m)));
    long afterMillis = (System.nanoTime() - stoppedAt) / 1_000_000;
    assertTrue(afterMillis >= TIMEOUT.toMillis() - 100, "not before the timeout: " + afterMillis + " ms");
    caller.send(RawSip.response(bye, 200, "OK", null, "", ""), "127.0.0.1", GW);
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
    assertEquals(EndCause.MEDIA_TIMEOUT, ended.cause());
    assertEquals(HangupParty.CALLER, ended.by());
    assertEquals(0, ended.sipStatus());
    assertTrue(ok.contains("200"));
  }

  @Test
  void aVanishedCallerWhileTheForwardLegRingsCancelsTheLeg() throws Exception {
    callAnsweredWithMedia();
    String trnId = control.lastCall(WAIT);
    control.tell(new CallInstruction.Forward(trnId, 1, PhoneNumbers.parse("0311110001"), 20_000, false));
    String fwd = callee.expect(WAIT, "forward INVITE", m -> "INVITE".equals(RawSip.method(m))
        && RawSip.status(m) < 0);
    callee.send(RawSip.response(fwd, 180, "Ringing", "r1", CONTACT, ""), "127.0.0.1", GW);
    String cancel = callee.expect(WAIT, "CANCEL of the ringing leg", m -> "CANCEL".equals(RawSip.method(m)));
    callee.send(RawSip.response(cancel, 200, "OK", "r1", "", ""), "127.0.0.1", GW);
    callee.send(RawSip.response(fwd, 487, "Request Terminated", "r1", "", ""), "127.0.0.1", GW);
    callee.expect(WAIT, "ACK of 487", m -> "ACK".equals(RawSip.method(m)));
    String bye = caller.expect(WAIT, "BYE to the caller", m -> "BYE".equals(RawSip.method(m)));
    caller.send(RawSip.response(bye, 200, "OK", null, "", ""), "127.0.0.1", GW);
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
    assertEquals(EndCause.MEDIA_TIMEOUT, ended.cause());
  }

  @Test
  void aBridgedCallEndsOnlyWhenNeitherSideSends() throws Exception {
    String ok = callAnsweredWithMedia();
    callerPhone.play(Prompt.silence("alive", 200), true, false);
    String trnId = control.lastCall(WAIT);
    String fwd = forwardAndAnswer(trnId, "b1");
    calleePhone.play(Prompt.silence("callee-alive", 200), true, false);
    control.await(CallProgress.Answered.class, a -> a.trnId().equals(trnId), WAIT);

    // the caller goes quiet (mute) while the callee talks: normal, no end
    callerPhone.stopPlaying();
    Thread.sleep(TIMEOUT.toMillis() * 2);
    assertTrue(control.progressOf(trnId).stream().noneMatch(p -> p instanceof CallProgress.Ended),
        () -> "one silent side is not a timeout: " + control.progressOf(trnId));

    // now neither side sends: both legs get BYE
    calleePhone.stopPlaying();
    String calleeBye = callee.expect(WAIT, "BYE to the callee", m -> "BYE".equals(RawSip.method(m)));
    callee.send(RawSip.response(calleeBye, 200, "OK", null, "", ""), "127.0.0.1", GW);
    String callerBye = caller.expect(WAIT, "BYE to the caller", m -> "BYE".equals(RawSip.method(m)));
    caller.send(RawSip.response(callerBye, 200, "OK", null, "", ""), "127.0.0.1", GW);
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
    assertEquals(EndCause.MEDIA_TIMEOUT, ended.cause());
    assertEquals(HangupParty.SYSTEM, ended.by());
    assertTrue(fwd.contains("INVITE") && ok.contains("200"));
  }

  @Test
  void aCallerOnHoldIsNotTimedOut() throws Exception {
    String ok = callAnsweredWithMedia();
    String trnId = control.lastCall(WAIT);
    String hold = "v=0\no=caller 1 2 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n"
        + "m=audio " + callerPhone.localPort() + " RTP/AVP 0\na=inactive\n";
    caller.send(callerInDialog(ok, "INVITE", 2, "application/sdp", hold), "127.0.0.1", GW);
    String reOk = caller.expect(WAIT, "200 to the hold re-INVITE", m -> RawSip.status(m) == 200
        && RawSip.header(m, "CSeq").startsWith("2 INVITE"));
    assertTrue(RawSip.body(reOk).contains("a=inactive"), "inactive is answered inactive (RFC 3264 8.4): " + reOk);
    caller.send(callerInDialog(reOk, "ACK", 2, "", ""), "127.0.0.1", GW);
    Thread.sleep(TIMEOUT.toMillis() * 2 + 500);
    assertTrue(control.progressOf(trnId).stream().noneMatch(p -> p instanceof CallProgress.Ended),
        () -> "a caller on hold sends no RTP and stays: " + control.progressOf(trnId));
    assertTrue(caller.received().stream().noneMatch(m -> "BYE".equals(RawSip.method(m)) && RawSip.status(m) < 0));
    control.tell(new CallInstruction.Release(trnId, EndCause.FLOW_ENDED));
    String bye = caller.expect(WAIT, "BYE from the gateway", m -> "BYE".equals(RawSip.method(m)));
    caller.send(RawSip.response(bye, 200, "OK", null, "", ""), "127.0.0.1", GW);
    assertEquals(EndCause.FLOW_ENDED,
        control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT).cause());
  }

  @Test
  void holdAndResumeOffersAreAnsweredWithTheMatchingDirection() throws Exception {
    String ok = callAnsweredWithMedia();
    String trnId = control.lastCall(WAIT);
    callerPhone.play(Prompt.silence("alive", 200), true, false);
    long version = originVersion(RawSip.body(ok));
    assertTrue(RawSip.body(ok).contains("a=sendrecv"), ok);
    // hold: the caller sends (music) and wants nothing back; we answer recvonly, a new version (section 8)
    String hold = "v=0\no=caller 1 2 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n"
        + "m=audio " + callerPhone.localPort() + " RTP/AVP 0\na=sendonly\n";
    caller.send(callerInDialog(ok, "INVITE", 2, "application/sdp", hold), "127.0.0.1", GW);
    String held = caller.expect(WAIT, "200 to the hold", m -> RawSip.status(m) == 200
        && RawSip.header(m, "CSeq").startsWith("2 INVITE"));
    caller.send(callerInDialog(held, "ACK", 2, "", ""), "127.0.0.1", GW);
    String heldSdp = RawSip.body(held);
    assertTrue(heldSdp.contains("a=recvonly") && !heldSdp.contains("a=sendrecv"), heldSdp);
    assertEquals(version + 1, originVersion(heldSdp), heldSdp);
    assertEquals(1, heldSdp.split("a=recvonly").length - 1, heldSdp);
    // the same hold again: nothing changes, the same version
    caller.send(callerInDialog(ok, "INVITE", 3, "application/sdp", hold), "127.0.0.1", GW);
    String again = caller.expect(WAIT, "200 to the repeated hold", m -> RawSip.status(m) == 200
        && RawSip.header(m, "CSeq").startsWith("3 INVITE"));
    caller.send(callerInDialog(again, "ACK", 3, "", ""), "127.0.0.1", GW);
    assertEquals(version + 1, originVersion(RawSip.body(again)));
    // resume: sendrecv again, another version
    String resume = hold.replace("a=sendonly", "a=sendrecv").replace("1 2 IN", "1 3 IN");
    caller.send(callerInDialog(ok, "INVITE", 4, "application/sdp", resume), "127.0.0.1", GW);
    String resumed = caller.expect(WAIT, "200 to the resume", m -> RawSip.status(m) == 200
        && RawSip.header(m, "CSeq").startsWith("4 INVITE"));
    caller.send(callerInDialog(resumed, "ACK", 4, "", ""), "127.0.0.1", GW);
    assertTrue(RawSip.body(resumed).contains("a=sendrecv") && !RawSip.body(resumed).contains("a=recvonly"));
    assertEquals(version + 2, originVersion(RawSip.body(resumed)));
    control.tell(new CallInstruction.Release(trnId, EndCause.FLOW_ENDED));
    String bye = caller.expect(WAIT, "BYE from the gateway", m -> "BYE".equals(RawSip.method(m)));
    caller.send(RawSip.response(bye, 200, "OK", null, "", ""), "127.0.0.1", GW);
    control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
  }

  private static long originVersion(String sdp) {
    for (String line : sdp.split("\r?\n")) {
      if (line.startsWith("o=")) {
        return Long.parseLong(line.split(" ")[2]);
      }
    }
    throw new AssertionError("no o= line: " + sdp);
  }

  @Test
  void theCallerHearsRingbackWhileTheDestinationRingsThenTheCallee() throws Exception {
    callAnsweredWithMedia();
    callerPhone.play(Prompt.silence("alive", 200), true, false);
    String trnId = control.lastCall(WAIT);
    control.tell(new CallInstruction.Forward(trnId, 1, PhoneNumbers.parse("0311110001"), 20_000, false));
    String fwd = callee.expect(WAIT, "forward INVITE", m -> "INVITE".equals(RawSip.method(m))
        && RawSip.status(m) < 0);
    SdpNegotiation.Accepted calleeSide = calleeAnswer(fwd);
    callerHeard.clear();
    long ringFrom = System.nanoTime();
    callee.send(RawSip.response(fwd, 180, "Ringing", "g1", CONTACT, ""), "127.0.0.1", GW);
    Thread.sleep(3000); // the destination rings for 3 s
    long ringTo = System.nanoTime();
    short[] ringing = heardBetween(ringFrom, ringTo);
    assertTrue(ringing.length >= 8000, "the caller got audio while ringing: " + ringing.length + " samples");
    double at400 = goertzel(ringing, 400);
    double at1000 = goertzel(ringing, 1000);
    assertTrue(rms(ringing) > 500, "not silence: rms " + rms(ringing));
    assertTrue(at400 > 20 * at1000, "ringback is 400 Hz: " + at400 + " vs 1 kHz " + at1000);

    // the callee answers and talks (1 kHz): the tone stops, the caller hears the callee
    calleePhone.start(calleeSide.media());
    calleePhone.play(tone("callee-voice", 1000, 400), true, false);
    callee.send(RawSip.response(fwd, 200, "OK", "g1", CONTACT, calleeSide.answerSdp()), "127.0.0.1", GW);
    callee.expect(WAIT, "ACK of the callee's 200", m -> "ACK".equals(RawSip.method(m)));
    control.await(CallProgress.Answered.class, a -> a.trnId().equals(trnId), WAIT);
    long bridgedFrom = System.nanoTime() + 200_000_000L;
    Thread.sleep(900);
    short[] talking = heardBetween(bridgedFrom, System.nanoTime());
    assertTrue(talking.length >= 2000, "the caller hears the callee: " + talking.length + " samples");
    double talk1000 = goertzel(talking, 1000);
    double talk400 = goertzel(talking, 400);
    assertTrue(talk1000 > 20 * talk400, "after the answer the callee, not ringback: " + talk1000 + " vs " + talk400);

    callee.send(calleeBye(fwd, "g1"), "127.0.0.1", GW);
    String bye = caller.expect(WAIT, "BYE to the caller", m -> "BYE".equals(RawSip.method(m)));
    caller.send(RawSip.response(bye, 200, "OK", null, "", ""), "127.0.0.1", GW);
    assertEquals(EndCause.NORMAL_CLEARING,
        control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT).cause());
  }

  @Test
  void earlyMediaOfA183IsRelayedInsteadOfTheTone() throws Exception {
    callAnsweredWithMedia();
    callerPhone.play(Prompt.silence("alive", 200), true, false);
    String trnId = control.lastCall(WAIT);
    control.tell(new CallInstruction.Forward(trnId, 1, PhoneNumbers.parse("0311110001"), 20_000, false));
    String fwd = callee.expect(WAIT, "forward INVITE", m -> "INVITE".equals(RawSip.method(m))
        && RawSip.status(m) < 0);
    SdpNegotiation.Accepted calleeSide = calleeAnswer(fwd);
    calleePhone.start(calleeSide.media());
    calleePhone.play(tone("announcement", 1000, 400), true, false);
    callerHeard.clear();
    long from = System.nanoTime() + 300_000_000L;
    callee.send(RawSip.response(fwd, 183, "Session Progress", "e1", CONTACT, calleeSide.answerSdp()),
        "127.0.0.1", GW);
    Thread.sleep(1300);
    short[] early = heardBetween(from, System.nanoTime());
    assertTrue(early.length >= 2000, "the caller hears early media: " + early.length + " samples");
    assertTrue(goertzel(early, 1000) > 20 * goertzel(early, 400), "the callee's early media, not ringback");
    callee.send(RawSip.response(fwd, 486, "Busy Here", "e1", "", ""), "127.0.0.1", GW);
    callee.expect(WAIT, "ACK of 486", m -> "ACK".equals(RawSip.method(m)));
    String bye = caller.expect(WAIT, "BYE to the caller", m -> "BYE".equals(RawSip.method(m)));
    caller.send(RawSip.response(bye, 200, "OK", null, "", ""), "127.0.0.1", GW);
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
    assertEquals(EndCause.BUSY, ended.cause());
    assertEquals(486, ended.sipStatus(), "the callee's status of a media call's failed leg reaches the call log");
  }

  // ---------------------------------------------------------------- helpers

  private String forwardAndAnswer(String trnId, String tag) throws Exception {
    control.tell(new CallInstruction.Forward(trnId, 1, PhoneNumbers.parse("0311110001"), 20_000, false));
    String fwd = callee.expect(WAIT, "forward INVITE", m -> "INVITE".equals(RawSip.method(m))
        && RawSip.status(m) < 0);
    SdpNegotiation.Accepted calleeSide = calleeAnswer(fwd);
    calleePhone.start(calleeSide.media());
    callee.send(RawSip.response(fwd, 200, "OK", tag, CONTACT, calleeSide.answerSdp()), "127.0.0.1", GW);
    callee.expect(WAIT, "ACK of the callee's 200", m -> "ACK".equals(RawSip.method(m)));
    return fwd;
  }

  private SdpNegotiation.Accepted calleeAnswer(String fwd) {
    SdpNegotiation n = new SdpOfferAnswer("127.0.0.1").answer(RawSip.body(fwd), calleePhone.localPort());
    assertTrue(n instanceof SdpNegotiation.Accepted, n.toString());
    return (SdpNegotiation.Accepted) n;
  }

  private String calleeBye(String fwd, String tag) {
    return RawSip.crlf("BYE " + RawSip.uri(RawSip.header(fwd, "Contact")) + " SIP/2.0\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + CALLEE + ";branch=z9hG4bK-bye-" + System.nanoTime() + "\n"
        + "Max-Forwards: 70\n"
        + "From: " + RawSip.header(fwd, "To") + ";tag=" + tag + "\n"
        + "To: " + RawSip.header(fwd, "From") + "\n"
        + "Call-ID: " + RawSip.header(fwd, "Call-ID") + "\n"
        + "CSeq: 1 BYE\n"
        + "Content-Length: 0\n\n");
  }

  private String callAnsweredWithMedia() throws Exception {
    SdpOfferAnswer callerSdp = new SdpOfferAnswer("127.0.0.1");
    String token = "mto-" + (++calls) + "-" + System.nanoTime();
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
        m -> RawSip.status(m) >= 200 && "INVITE".equals(RawSip.method(m)));
    assertEquals(200, RawSip.status(ok), ok);
    SdpNegotiation n = callerSdp.acceptAnswer(RawSip.body(ok));
    assertTrue(n instanceof SdpNegotiation.Accepted, n.toString());
    callerPhone.start(((SdpNegotiation.Accepted) n).media());
    caller.send(callerInDialog(ok, "ACK", 1, "", ""), "127.0.0.1", GW);
    String trnId = control.lastCall(WAIT);
    control.await(CallProgress.MediaAnswered.class, m -> m.trnId().equals(trnId), WAIT);
    return ok;
  }

  /** A request of the caller inside the dialog of the gateway's 200 ({@link RawSip#callerInDialog}). */
  private String callerInDialog(String ok, String method, int cseq, String contentType, String body) {
    return RawSip.callerInDialog(invite, ok, CALLER_PORT, method, cseq, contentType, body);
  }

  private short[] heardBetween(long fromNanos, long toNanos) {
    List<short[]> parts = new ArrayList<>();
    int n = 0;
    for (Heard h : callerHeard) {
      if (h.atNanos() >= fromNanos && h.atNanos() <= toNanos) {
        parts.add(h.samples());
        n += h.samples().length;
      }
    }
    short[] out = new short[n];
    int off = 0;
    for (short[] p : parts) {
      System.arraycopy(p, 0, out, off, p.length);
      off += p.length;
    }
    return out;
  }

  static Prompt tone(String name, double hz, int millis) {
    short[] samples = new short[8 * millis];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = (short) (8000 * Math.sin(2 * Math.PI * hz * i / 8000.0));
    }
    return Prompt.ofSamples(name, samples);
  }

  /** Power of {@code samples} (8 kHz) at {@code hz}, by the Goertzel algorithm, normalised by length. */
  static double goertzel(short[] samples, double hz) {
    double coeff = 2 * Math.cos(2 * Math.PI * hz / 8000.0);
    double s1 = 0;
    double s2 = 0;
    for (short x : samples) {
      double s0 = x + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    return (s1 * s1 + s2 * s2 - coeff * s1 * s2) / ((double) samples.length * samples.length);
  }

  static double rms(short[] samples) {
    double sum = 0;
    for (short x : samples) {
      sum += (double) x * x;
    }
    return Math.sqrt(sum / Math.max(1, samples.length));
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
}
