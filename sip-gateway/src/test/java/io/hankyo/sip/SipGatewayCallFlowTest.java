package io.hankyo.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.call.CallArrival;
import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.calllog.DeviceType;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import io.hankyo.sip.testing.FakeCallControl;
import io.hankyo.sip.testing.RawSip;
import io.hankyo.sip.testing.Sipp;
import io.hankyo.sip.testing.SippProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Real calls through a real {@link SipGateway}: sipp UAC (caller) → gateway → sipp UAS (destination), with a fake
 * cluster. Ports 15070 (gateway UDP+TCP), 15071 (UAS), 15072 (UAC), 15073 (raw endpoint).
 */
class SipGatewayCallFlowTest extends GatewayTestSupport {
  /** The raw caller's session offer (PCMU at 127.0.0.1:6000). */
  private static final String CALLER_SDP =
      "v=0\no=caller 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 6000 RTP/AVP 0\n";

  static final int GW = 15070;
  static final int UAS = 15071;
  static final int UAC = 15072;
  static final int RAW = 15073;
  static final Duration WAIT = Duration.ofSeconds(20);

  static ActorTestKit kit;
  static FakeCallControl control;
  static CallerNumberCipher cipher;
  static SipGateway gateway;
  Path dir;

  @BeforeAll
  static void startGateway() {
    kit = testKit();
    control = new FakeCallControl().route(TRACKING, DESTINATION).route("0120777888", DESTINATION);
    cipher = cipher();
    gateway = SipGateway.start(settings(GW, UAS, ""), control, cipher, kit.system());
  }

  @AfterAll
  static void stopGateway() {
    stopAll(gateway, control, kit);
  }

  @BeforeEach
  void reset(TestInfo info) throws Exception {
    control.reset();
    dir = traceDir("callflow-" + info.getTestMethod().orElseThrow().getName());
  }

  /**
   * Runs the destination (UAS) and the caller (UAC) through the gateway, asserts that both sipp scenarios passed, and
   * returns the Ended report the fake cluster received.
   */
  private CallProgress.Ended callAndAwaitEnd(Sipp.Builder uas, Sipp.Builder uac) throws Exception {
    try (CallRun run = new CallRun()) {
      SippProcess uasProcess = run.start(uas, true);
      SippProcess uacProcess = run.start(uac, false);
      CallRun.assertExit(0, uacProcess, WAIT);
      CallRun.assertExit(0, uasProcess, WAIT);
    }
    return control.await(CallProgress.Ended.class, e -> true, WAIT);
  }

  @AfterEach
  void nothingLeft() throws Exception {
    // no call and no SIP transaction of a finished call may linger (design-notes section 5)
    awaitNoLiveCalls(gateway, Duration.ofSeconds(10));
    awaitTransactionsAtMost(gateway, 0, Duration.ofSeconds(2));
  }

  private Sipp.Builder uac(String scenario) {
    return sipp(scenario, UAC, dir, b -> b.remote("127.0.0.1:" + GW).service(TRACKING).key("caller", CALLER));
  }

  private Sipp.Builder uas(String scenario) {
    return sipp(scenario, UAS, dir, b -> b);
  }

  private static String types(List<CallProgress> ps) {
    return ps.stream().map(p -> p.getClass().getSimpleName()).collect(Collectors.joining(","));
  }

  @Test
  void answeredCallCallerHangsUp() throws Exception {
    try (CallRun run = new CallRun()) {
      // a short ring time: JAIN-SIP's UDP threads do not keep per-call order, a 180 right before the 200 may be
      // handled after it (and is then dropped)
      SippProcess uas = run.start(uas("uas.xml").pause(Duration.ofMillis(100)), true);
      SippProcess uac = run.start(uac("uac.xml").pause(Duration.ofMillis(1000)), false);
      CallRun.assertExit(0, uac, WAIT);
      CallRun.assertExit(0, uas, WAIT);
    }
    CallArrival arrival = control.awaitOnlyArrival(WAIT);
    assertTrue(CallArrival.TRN_ID.matcher(arrival.trnId()).matches(), arrival.trnId());
    assertEquals("+81120123456", arrival.dialled().e164());
    assertEquals(DeviceType.FIXED, arrival.caller().type());
    assertEquals("+81311112222", cipher.decrypt(arrival.caller().number()));
    assertEquals(cipher.keyedHash("+81311112222"), arrival.caller().numberHash());
    assertNull(arrival.caller().assertedIdentity());
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> true, WAIT);
    assertEquals(HangupParty.CALLER, ended.by());
    assertEquals(EndCause.NORMAL_CLEARING, ended.cause());
    assertEquals(0, ended.sipStatus());
    assertEquals(1, ended.attempt());
    List<CallProgress> all = control.progressOf(arrival.trnId());
    assertEquals("Ringing,Answered,Ended", types(all));
    CallProgress.Answered answered = (CallProgress.Answered) all.get(1);
    long talkMillis = Duration.between(answered.at(), ended.at()).toMillis();
    assertTrue(talkMillis >= 900 && talkMillis < 2500, "talk time " + talkMillis + " ms for a 1000 ms pause");
  }

  @Test
  void answeredCallCalleeHangsUp() throws Exception {
    CallProgress.Ended ended = callAndAwaitEnd(uas("uas-hangs-up.xml").pause(Duration.ofMillis(500)), uac("uac-callee-hangs-up.xml"));
    assertEquals(HangupParty.CALLEE, ended.by());
    assertEquals(EndCause.NORMAL_CLEARING, ended.cause());
    // this UAS answers right after its 180; the 180 may be handled after the 200 and then is not reported
    String seen = types(control.progressOf(ended.trnId()));
    assertTrue(seen.equals("Ringing,Answered,Ended") || seen.equals("Answered,Ended"), seen);
  }

  @Test
  void busyDestination() throws Exception {
    CallProgress.Ended ended = callAndAwaitEnd(uas("uas-busy.xml"), uac("uac-expect-486.xml"));
    assertEquals(EndCause.BUSY, ended.cause());
    assertEquals(HangupParty.CALLEE, ended.by());
    assertEquals(486, ended.sipStatus());
    assertEquals("Ended", types(control.progressOf(ended.trnId())));
  }

  @Test
  void callerCancelsWhileRinging() throws Exception {
    // the UAS exits 0 only if the CANCEL reached it and its 487 was ACKed
    CallProgress.Ended ended = callAndAwaitEnd(uas("uas-ring-forever.xml"), uac("uac-cancel.xml").pause(Duration.ofMillis(300)));
    assertEquals(HangupParty.CALLER, ended.by());
    assertEquals(EndCause.CALLER_CANCELLED, ended.cause());
    assertEquals(487, ended.sipStatus());
    assertEquals("Ringing,Ended", types(control.progressOf(ended.trnId())));
  }

  @Test
  void noAnswerWithinRingTimeout() throws Exception {
    control.ringTimeout(Duration.ofMillis(1500));
    long start = System.nanoTime();
    CallProgress.Ended ended = callAndAwaitEnd(uas("uas-ring-forever.xml"), uac("uac-expect-480.xml"));
    assertEquals(HangupParty.SYSTEM, ended.by());
    assertEquals(EndCause.NO_ANSWER, ended.cause());
    assertEquals(480, ended.sipStatus());
    assertEquals(1, control.sentInstructions().size(), "the ring timeout came from the cluster");
    long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
    assertTrue(took >= 1400, "ended after " + took + " ms, before the 1500 ms ring timeout");
  }

  @Test
  void gatewayFailsafeEndsRingingCallWhenClusterStaysSilent() throws Exception {
    control.ringTimeout(Duration.ofMillis(500)).sendCancelForward(false);
    CallProgress.Ended ended = callAndAwaitEnd(uas("uas-ring-forever.xml"), uac("uac-expect-480.xml"));
    assertEquals(EndCause.NO_ANSWER, ended.cause());
    assertEquals(HangupParty.SYSTEM, ended.by());
    assertTrue(control.sentInstructions().isEmpty());
  }

  @Test
  void unknownNumberGets404AndNoProgress() throws Exception {
    long before = gateway.unknownNumberCount();
    try (CallRun run = new CallRun()) {
      SippProcess uac = run.start(uac("uac-unknown.xml").service("0120999888"), false);
      CallRun.assertExit(0, uac, WAIT);
    }
    assertEquals(1, control.arrivals().size(), "the cluster was asked");
    assertTrue(control.progress().isEmpty(), "no CallProgress for a rejected call: " + control.progress());
    assertEquals(before + 1, gateway.unknownNumberCount());
  }

  @Test
  void requestUriThatIsNotANumberGets404WithoutAskingTheCluster() throws Exception {
    long before = gateway.unknownNumberCount();
    try (CallRun run = new CallRun()) {
      SippProcess uac = run.start(uac("uac-unknown.xml").service("alice"), false);
      CallRun.assertExit(0, uac, WAIT);
    }
    assertTrue(control.arrivals().isEmpty());
    assertEquals(before + 1, gateway.unknownNumberCount());
  }

  @Test
  void withheldCallerViaSipp() throws Exception {
    SippProcess uasDone;
    try (CallRun run = new CallRun()) {
      SippProcess uas = run.start(uas("uas.xml").traceMessages(), true);
      SippProcess uac = run.start(uac("uac-anonymous.xml").key("pai", "+819011112222")
          .pause(Duration.ofMillis(200)), false);
      CallRun.assertExit(0, uac, WAIT);
      CallRun.assertExit(0, uas, WAIT);
      uasDone = uas;
    }
    CallArrival arrival = control.awaitOnlyArrival(WAIT);
    assertEquals(DeviceType.WITHHELD, arrival.caller().type());
    assertNull(arrival.caller().number());
    assertNull(arrival.caller().numberHash());
    assertNotNull(arrival.caller().assertedIdentity());
    assertEquals("+819011112222", cipher.decrypt(arrival.caller().assertedIdentity()));
    assertEquals(cipher.keyedHash("+819011112222"), arrival.caller().assertedHash());
    ForwardLegChecks.assertWithheldForwardInvite(firstReceivedInvite(uasDone.messages()));
    control.await(CallProgress.Ended.class, e -> e.cause() == EndCause.NORMAL_CLEARING, WAIT);
  }

  @Test
  void callerIdThatIsNotANumberIsKeptEncryptedAsReceived() throws Exception {
    // a carrier or PBX that puts a name in From: clr_type 不明, and the call log still shows what was sent
    CallProgress.Ended ended = callAndAwaitEnd(uas("uas.xml").pause(Duration.ofMillis(50)),
        uac("uac.xml").key("caller", "front-desk").pause(Duration.ofMillis(200)));
    assertEquals(EndCause.NORMAL_CLEARING, ended.cause());
    CallArrival arrival = control.awaitOnlyArrival(WAIT);
    assertEquals(DeviceType.UNKNOWN, arrival.caller().type());
    assertNull(arrival.caller().number());
    assertNull(arrival.caller().numberHash());
    assertEquals("front-desk", cipher.decrypt(arrival.caller().unreadableNumber()));
    assertEquals("front-desk", cipher.decrypt(arrival.caller().shownCaller()));
  }

  @Test
  void forwardLegPresentsCallerNumberAndPassesSdpThrough() throws Exception {
    SippProcess uasDone;
    try (CallRun run = new CallRun()) {
      SippProcess uas = run.start(uas("uas.xml").traceMessages(), true);
      SippProcess uac = run.start(uac("uac.xml").pause(Duration.ofMillis(100)), false);
      CallRun.assertExit(0, uac, WAIT);
      CallRun.assertExit(0, uas, WAIT);
      uasDone = uas;
    }
    String invite = firstReceivedInvite(uasDone.messages());
    assertTrue(invite.startsWith("INVITE sip:" + DESTINATION + "@127.0.0.1:" + UAS), invite);
    assertEquals(CALLER, userOf(RawSip.header(invite, "From")));
    assertEquals(DESTINATION, userOf(RawSip.header(invite, "To")));
    assertEquals("69", RawSip.header(invite, "Max-Forwards"));
    assertEquals("application/sdp", RawSip.header(invite, "Content-Type"));
    assertTrue(RawSip.body(invite).contains("m=audio") && RawSip.body(invite).contains("o=caller"), invite);
    assertNull(RawSip.header(invite, "Privacy"));
    assertTrue(RawSip.header(invite, "Call-ID").startsWith("hk-"), "a new Call-ID on the forward leg");
    control.await(CallProgress.Ended.class, e -> true, WAIT);
  }

  @Test
  void answeredCallOverTcpFromTheCaller() throws Exception {
    CallProgress.Ended ended = callAndAwaitEnd(uas("uas.xml"), uac("uac.xml").transport(Sipp.Transport.TCP).pause(Duration.ofMillis(200)));
    assertEquals(EndCause.NORMAL_CLEARING, ended.cause());
    assertEquals(HangupParty.CALLER, ended.by());
  }

  @Test
  void answerCrossingCancelIsAckedAndByed() throws Exception {
    // UAS answers 200 right after the CANCEL (RFC 5407 section 3.1.2); it exits 0 only after our ACK and BYE
    CallProgress.Ended ended = callAndAwaitEnd(uas("uas-answer-after-cancel.xml"), uac("uac-cancel.xml").pause(Duration.ofMillis(200)));
    assertEquals(EndCause.CALLER_CANCELLED, ended.cause());
    assertEquals(487, ended.sipStatus());
    Thread.sleep(200);
    assertEquals("Ringing,Ended", types(control.progressOf(ended.trnId())), "never connected");
  }

  @Test
  void callerCancelCrossingOurOkLeavesAnAnsweredCall() throws Exception {
    try (CallRun run = new CallRun(); RawSip.Endpoint caller = RawSip.Endpoint.udp(RAW)) {
      SippProcess uas = run.start(uas("uas.xml").pause(Duration.ofMillis(100)), true);
      String branch = "z9hG4bK-mirror-1";
      String invite = RawSip.crlf("INVITE sip:" + TRACKING + "@127.0.0.1:" + GW + " SIP/2.0\n"
          + "Via: SIP/2.0/UDP 127.0.0.1:" + RAW + ";branch=" + branch + "\n"
          + "Max-Forwards: 70\n"
          + "From: <sip:" + CALLER + "@127.0.0.1>;tag=mirror1\n"
          + "To: <sip:" + TRACKING + "@127.0.0.1>\n"
          + "Call-ID: mirror-1@127.0.0.1\n"
          + "CSeq: 1 INVITE\n"
          + "Contact: <sip:" + CALLER + "@127.0.0.1:" + RAW + ">\n"
          + "Content-Length: 0\n\n");
      caller.send(invite, "127.0.0.1", GW);
      String ok = caller.expect(WAIT, "200 to the INVITE", m -> RawSip.status(m) == 200);
      // the caller's CANCEL crosses our 200 (RFC 5407 section 3.1.1): it gets 200, the call stays answered
      String cancel = RawSip.crlf("CANCEL sip:" + TRACKING + "@127.0.0.1:" + GW + " SIP/2.0\n"
          + "Via: SIP/2.0/UDP 127.0.0.1:" + RAW + ";branch=" + branch + "\n"
          + "Max-Forwards: 70\n"
          + "From: <sip:" + CALLER + "@127.0.0.1>;tag=mirror1\n"
          + "To: <sip:" + TRACKING + "@127.0.0.1>\n"
          + "Call-ID: mirror-1@127.0.0.1\n"
          + "CSeq: 1 CANCEL\n"
          + "Content-Length: 0\n\n");
      caller.send(cancel, "127.0.0.1", GW);
      caller.expect(WAIT, "200 to the CANCEL", m -> RawSip.status(m) == 200 && "CANCEL".equals(RawSip.method(m)));
      String to = RawSip.header(ok, "To");
      String target = RawSip.uri(RawSip.header(ok, "Contact"));
      String mirrorFrom = "<sip:" + CALLER + "@127.0.0.1>;tag=mirror1";
      caller.send(inDialog("ACK", target, "mirror-ack", mirrorFrom, to, "mirror-1@127.0.0.1", 1, ""),
          "127.0.0.1", GW);
      caller.send(inDialog("BYE", target, "mirror-bye", mirrorFrom, to, "mirror-1@127.0.0.1", 2, ""),
          "127.0.0.1", GW);
      caller.expect(WAIT, "200 to the BYE", m -> RawSip.status(m) == 200 && "BYE".equals(RawSip.method(m)));
      CallRun.assertExit(0, uas, WAIT);
    }
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> true, WAIT);
    assertEquals(EndCause.NORMAL_CLEARING, ended.cause());
    assertEquals(HangupParty.CALLER, ended.by());
    assertEquals("Ringing,Answered,Ended", types(control.progressOf(ended.trnId())));
  }

  @Test
  void optionsKeepAliveIsAnswered() throws Exception {
    try (RawSip.Endpoint peer = RawSip.Endpoint.udp(RAW)) {
      peer.send(RawSip.crlf("OPTIONS sip:127.0.0.1:" + GW + " SIP/2.0\n"
          + "Via: SIP/2.0/UDP 127.0.0.1:" + RAW + ";branch=z9hG4bK-opt-1\n"
          + "Max-Forwards: 70\n"
          + "From: <sip:carrier@127.0.0.1>;tag=o1\n"
          + "To: <sip:127.0.0.1:" + GW + ">\n"
          + "Call-ID: opt-1@127.0.0.1\n"
          + "CSeq: 1 OPTIONS\n"
          + "Content-Length: 0\n\n"), "127.0.0.1", GW);
      String r = peer.expect(Duration.ofSeconds(5), "200 to OPTIONS", m -> RawSip.status(m) > 0);
      assertEquals(200, RawSip.status(r), r);
      assertTrue(RawSip.header(r, "Allow").contains("INVITE"), r);
      assertNotNull(RawSip.tag(RawSip.header(r, "To")), r);
    }
    assertTrue(control.arrivals().isEmpty());
  }

  @Test
  void decisionTimeoutGives503AndALateDecisionIsAnsweredWithEnded() throws Exception {
    control.decisionDelay(Duration.ofMillis(1800)); // decision-timeout is 1 s in these tests
    try (CallRun run = new CallRun()) {
      SippProcess uac = run.start(uac("uac-expect-503.xml"), false);
      CallRun.assertExit(0, uac, WAIT);
    }
    assertEquals(1, control.arrivals().size());
    // the Call entity was created after all: it learns that the call is gone instead of waiting forever
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> true, WAIT);
    assertEquals(EndCause.CLUSTER_FAILURE, ended.cause());
    assertEquals(503, ended.sipStatus());
    assertEquals(1, ended.attempt());
    assertEquals("Ended", types(control.progress()));
  }

  @Test
  void answerIsHeldUntilTheClusterHasRecordedTheCall() throws Exception {
    // the forward INVITE and the ringing go out at once; the 200 waits for the Call entity's first write
    control.recordDelay(Duration.ofMillis(1500));
    CallProgress.Ended ended = callAndAwaitEnd(
        uas("uas.xml").pause(Duration.ofMillis(50)), uac("uac.xml").pause(Duration.ofMillis(300)));
    assertEquals(EndCause.NORMAL_CLEARING, ended.cause());
    CallArrival arrival = control.awaitOnlyArrival(WAIT);
    CallProgress.Ringing ringing = control.await(CallProgress.Ringing.class, r -> true, WAIT);
    CallProgress.Answered answered = control.await(CallProgress.Answered.class, a -> true, WAIT);
    long ringAfter = Duration.between(arrival.arrivedAt(), ringing.at()).toMillis();
    long answerAfter = Duration.between(arrival.arrivedAt(), answered.at()).toMillis();
    assertTrue(ringAfter < 1000, "ringing is relayed before the record completes: " + ringAfter + " ms");
    assertTrue(answerAfter >= 1400, "the answer waits for the record: " + answerAfter + " ms");
    assertEquals("Ringing,Answered,Ended", types(control.progress()));
  }

  @Test
  void callThatCannotBeRecordedWhileRingingIsCancelledWith503() throws Exception {
    control.failRecord(true).recordDelay(Duration.ofMillis(500));
    CallProgress.Ended ended = callAndAwaitEnd(uas("uas-ring-forever.xml"), uac("uac-expect-503.xml"));
    assertEquals(EndCause.CLUSTER_FAILURE, ended.cause());
    assertEquals(HangupParty.SYSTEM, ended.by());
    assertEquals(503, ended.sipStatus());
    assertTrue(control.progressOf(ended.trnId()).stream().noneMatch(p -> p instanceof CallProgress.Answered));
  }

  @Test
  void answerOfACallThatCannotBeRecordedIsByedAndTheCallerGets503() throws Exception {
    // the destination answers at once; the record fails later: the caller is never connected
    control.failRecord(true).recordDelay(Duration.ofMillis(800));
    CallProgress.Ended ended = callAndAwaitEnd(
        uas("uas.xml").pause(Duration.ofMillis(50)), uac("uac-expect-503.xml"));
    assertEquals(EndCause.CLUSTER_FAILURE, ended.cause());
    assertEquals(503, ended.sipStatus());
    assertTrue(control.progressOf(ended.trnId()).stream().noneMatch(p -> p instanceof CallProgress.Answered));
  }

  @Test
  void clusterThatNeverAnswersGives503() throws Exception {
    control.neverDecide(true);
    try (CallRun run = new CallRun()) {
      SippProcess uac = run.start(uac("uac-expect-503.xml"), false);
      CallRun.assertExit(0, uac, WAIT);
    }
    assertTrue(control.progress().isEmpty());
  }

  private static String rawInvite(String requestUri, String callId, int fromPort, String extraHeaders, String sdp) {
    String token = callId.replaceAll("[^A-Za-z0-9-]", "");
    return RawSip.crlf("INVITE " + requestUri + " SIP/2.0\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + fromPort + ";branch=z9hG4bK-" + token + "\n"
        + "Max-Forwards: 70\n"
        + "From: <sip:" + CALLER + "@127.0.0.1>;tag=t-" + token + "\n"
        + "To: <" + requestUri + ">\n"
        + "Call-ID: " + callId + "\n"
        + "CSeq: 1 INVITE\n"
        + "Contact: <sip:" + CALLER + "@127.0.0.1:" + fromPort + ">\n"
        + extraHeaders
        + (sdp.isEmpty() ? "" : "Content-Type: application/sdp\n")
        + "Content-Length: " + sdp.replace("\n", "\r\n").length() + "\n\n" + sdp);
  }



  @Test
  void maxForwardsZeroGets483() throws Exception {
    try (RawSip.Endpoint caller = RawSip.Endpoint.udp(RAW)) {
      String invite = rawInvite("sip:" + TRACKING + "@127.0.0.1:" + GW, "mf0-1", RAW, "", "")
          .replace("Max-Forwards: 70", "Max-Forwards: 0");
      caller.send(invite, "127.0.0.1", GW);
      String r = caller.expect(WAIT, "final", m -> RawSip.status(m) >= 200);
      assertEquals(483, RawSip.status(r), r);
      caller.send(RawSip.ackFor(invite, r), "127.0.0.1", GW);
    }
    assertTrue(control.arrivals().isEmpty());
  }

  @Test
  void requestUriFormsAreUnderstood() throws Exception {
    String[] uris = {
      "tel:+81-120-123-456",
      "sip:+81120123456;phone-context=+81@127.0.0.1:" + GW + ";user=phone",
      "sip:0120-123-456@127.0.0.1:" + GW + ";user=phone",
      "sip:%2B81120123456@127.0.0.1:" + GW,
    };
    try (RawSip.Endpoint caller = RawSip.Endpoint.udp(RAW)) {
      int i = 0;
      for (String uri : uris) {
        control.reset();
        try (CallRun run = new CallRun()) {
          SippProcess uas = run.start(uas("uas-busy.xml").label("busy-" + i), true);
          String invite = rawInvite(uri, "ruri-" + i + "@127.0.0.1", RAW, "", "");
          caller.send(invite, "127.0.0.1", GW);
          String r = caller.expect(WAIT, "final for " + uri, m -> RawSip.status(m) >= 200);
          assertEquals(486, RawSip.status(r), uri + " was not forwarded: " + r);
          caller.send(RawSip.ackFor(invite, r), "127.0.0.1", GW);
          CallRun.assertExit(0, uas, WAIT);
        }
        assertEquals("+81120123456", control.awaitOnlyArrival(WAIT).dialled().e164(), uri);
        awaitNoLiveCalls(gateway, Duration.ofSeconds(5));
        i++;
      }
    }
  }

  @Test
  void outOfDialogRequestsGetTheRightRefusal() throws Exception {
    try (RawSip.Endpoint peer = RawSip.Endpoint.udp(RAW)) {
      String[][] cases = {{"REGISTER", "405"}, {"MESSAGE", "405"}, {"FOO", "501"}, {"BYE", "481"},
          {"CANCEL", "481"}};
      for (String[] c : cases) {
        String method = c[0];
        boolean inDialog = method.equals("BYE");
        peer.send(RawSip.crlf(method + " sip:" + TRACKING + "@127.0.0.1:" + GW + " SIP/2.0\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:" + RAW + ";branch=z9hG4bK-ood-" + method + "\n"
            + "Max-Forwards: 70\n"
            + "From: <sip:" + CALLER + "@127.0.0.1>;tag=ood\n"
            + "To: <sip:" + TRACKING + "@127.0.0.1>" + (inDialog ? ";tag=nosuchdialog" : "") + "\n"
            + "Call-ID: ood-" + method + "@127.0.0.1\n"
            + "CSeq: 1 " + method + "\n"
            + "Content-Length: 0\n\n"), "127.0.0.1", GW);
        String r = peer.expect(Duration.ofSeconds(5), "answer to " + method, m -> method.equals(RawSip.method(m)));
        assertEquals(Integer.parseInt(c[1]), RawSip.status(r), r);
        if (c[1].equals("405")) {
          assertTrue(RawSip.header(r, "Allow").contains("INVITE"), r);
        }
      }
    }
    assertTrue(control.arrivals().isEmpty());
  }

  @Test
  void callerCancelsBeforeTheClusterDecides() throws Exception {
    control.decisionDelay(Duration.ofMillis(400));
    try (RawSip.Endpoint caller = RawSip.Endpoint.udp(RAW); RawSip.Endpoint callee = RawSip.Endpoint.udp(UAS)) {
      String invite = rawInvite("sip:" + TRACKING + "@127.0.0.1:" + GW, "early-cancel@127.0.0.1", RAW, "", "");
      caller.send(invite, "127.0.0.1", GW);
      caller.expect(WAIT, "100", m -> RawSip.status(m) == 100);
      caller.send(RawSip.crlf("CANCEL sip:" + TRACKING + "@127.0.0.1:" + GW + " SIP/2.0\n"
          + "Via: " + RawSip.header(invite, "Via") + "\nMax-Forwards: 70\n"
          + "From: " + RawSip.header(invite, "From") + "\nTo: " + RawSip.header(invite, "To") + "\n"
          + "Call-ID: early-cancel@127.0.0.1\nCSeq: 1 CANCEL\nContent-Length: 0\n\n"), "127.0.0.1", GW);
      caller.expect(WAIT, "200 to CANCEL", m -> RawSip.status(m) == 200 && "CANCEL".equals(RawSip.method(m)));
      String r = caller.expect(WAIT, "487", m -> RawSip.status(m) == 487);
      caller.send(RawSip.ackFor(invite, r), "127.0.0.1", GW);
      // the decision (Forward) comes later: no forward leg is started, the entity learns the outcome
      CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> true, WAIT);
      assertEquals(EndCause.CALLER_CANCELLED, ended.cause());
      assertEquals(HangupParty.CALLER, ended.by());
      assertEquals(487, ended.sipStatus());
      assertEquals(1, ended.attempt());
      assertTrue(callee.receive(Duration.ofMillis(300)).isEmpty(), "no forward INVITE after the caller left");
    }
  }

  @Test
  void cancelWaitsForAProvisionalResponseOfTheCallee() throws Exception {
    try (RawSip.Endpoint caller = RawSip.Endpoint.udp(RAW); RawSip.Endpoint callee = RawSip.Endpoint.udp(UAS)) {
      String invite = rawInvite("sip:" + TRACKING + "@127.0.0.1:" + GW, "pending-cancel@127.0.0.1", RAW, "", "");
      caller.send(invite, "127.0.0.1", GW);
      String fwd = callee.expect(WAIT, "forward INVITE", m -> "INVITE".equals(RawSip.method(m))
          && RawSip.status(m) < 0);
      // the caller gives up before the callee said anything: no CANCEL may go out yet (RFC 3261 section 9.1)
      caller.send(RawSip.crlf("CANCEL sip:" + TRACKING + "@127.0.0.1:" + GW + " SIP/2.0\n"
          + "Via: " + RawSip.header(invite, "Via") + "\nMax-Forwards: 70\n"
          + "From: " + RawSip.header(invite, "From") + "\nTo: " + RawSip.header(invite, "To") + "\n"
          + "Call-ID: pending-cancel@127.0.0.1\nCSeq: 1 CANCEL\nContent-Length: 0\n\n"), "127.0.0.1", GW);
      String r = caller.expect(WAIT, "487", m -> RawSip.status(m) == 487);
      caller.send(RawSip.ackFor(invite, r), "127.0.0.1", GW);
      java.util.Optional<String> early = callee.receive(Duration.ofMillis(300));
      assertTrue(early.isEmpty() || !"CANCEL".equals(RawSip.method(early.get())), "CANCEL before provisional");
      CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> true, WAIT);
      assertEquals(EndCause.CALLER_CANCELLED, ended.cause());
      // now the callee says 100 Trying: the pending CANCEL goes out
      callee.send(RawSip.response(fwd, 100, "Trying", null, "", ""), "127.0.0.1", GW);
      String cancel = callee.expect(WAIT, "CANCEL", m -> "CANCEL".equals(RawSip.method(m)) && RawSip.status(m) < 0);
      assertEquals(RawSip.header(fwd, "Via"), RawSip.header(cancel, "Via"), "CANCEL has the INVITE's branch");
      callee.send(RawSip.response(cancel, 200, "OK", "callee1", "", ""), "127.0.0.1", GW);
      callee.send(RawSip.response(fwd, 487, "Request Terminated", "callee1", "", ""), "127.0.0.1", GW);
      callee.expect(WAIT, "ACK of the 487", m -> "ACK".equals(RawSip.method(m)) && RawSip.status(m) < 0);
    }
  }

  @Test
  void earlyMediaIsRelayedWithItsSdp() throws Exception {
    String sdp = "v=0\no=callee 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n"
        + "m=audio 7000 RTP/AVP 0\na=rtpmap:0 PCMU/8000\n";
    try (RawSip.Endpoint caller = RawSip.Endpoint.udp(RAW); RawSip.Endpoint callee = RawSip.Endpoint.udp(UAS)) {
      String invite = rawInvite("sip:" + TRACKING + "@127.0.0.1:" + GW, "early-media@127.0.0.1", RAW, "",
          CALLER_SDP);
      caller.send(invite, "127.0.0.1", GW);
      String fwd = callee.expect(WAIT, "forward INVITE", m -> "INVITE".equals(RawSip.method(m))
          && RawSip.status(m) < 0);
      assertTrue(RawSip.body(fwd).contains("o=caller"), fwd);
      callee.send(RawSip.response(fwd, 183, "Session Progress", "em1",
          "Contact: <sip:callee@127.0.0.1:" + UAS + ">\n", sdp), "127.0.0.1", GW);
      String p = caller.expect(WAIT, "183", m -> RawSip.status(m) == 183);
      assertTrue(RawSip.body(p).contains("m=audio 7000"), "early media SDP relayed: " + p);
      assertEquals("application/sdp", RawSip.header(p, "Content-Type"));
      callee.send(RawSip.response(fwd, 603, "Decline", "em1", "", ""), "127.0.0.1", GW);
      callee.expect(WAIT, "ACK of the 603", m -> "ACK".equals(RawSip.method(m)));
      String fin = caller.expect(WAIT, "final", m -> RawSip.status(m) >= 200);
      assertEquals(603, RawSip.status(fin));
      assertEquals(RawSip.tag(RawSip.header(p, "To")), RawSip.tag(RawSip.header(fin, "To")), "one To tag");
      caller.send(RawSip.ackFor(invite, fin), "127.0.0.1", GW);
    }
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> true, WAIT);
    assertEquals(EndCause.DECLINED, ended.cause());
    assertEquals("Ringing,Ended", types(control.progressOf(ended.trnId())));
  }

  @Test
  void severalCallersFromTheCsvInjectionFile() throws Exception {
    try (CallRun run = new CallRun()) {
      SippProcess uas = run.start(uas("uas.xml").calls(3), true);
      SippProcess uac = run.start(sipp("uac-csv.xml", UAC, dir, b -> b.remote("127.0.0.1:" + GW)
          .inf(Sipp.scenarioFile("callers.csv")).calls(3).rate(20).pause(Duration.ofMillis(100))), false);
      CallRun.assertExit(0, uac, WAIT);
      CallRun.assertExit(0, uas, WAIT);
    }
    for (int i = 0; i < 50 && control.progress().stream().filter(p -> p instanceof CallProgress.Ended).count() < 3;
        i++) {
      Thread.sleep(20);
    }
    assertEquals(3, control.progress().stream().filter(p -> p instanceof CallProgress.Ended).count());
    List<String> callers = control.arrivals().stream().map(a -> cipher.decrypt(a.caller().number())).sorted()
        .collect(Collectors.toList());
    assertEquals(List.of("+81311112222", "+815012345678", "+819011112222"), callers);
    assertEquals(List.of(DeviceType.FIXED, DeviceType.MOBILE, DeviceType.IP_PHONE), control.arrivals().stream()
        .map(a -> a.caller().type()).sorted().collect(Collectors.toList()));
  }

  @Test
  void okIsRetransmittedUntilTheCallerAcksAndSessionRefreshesAreAnswered() throws Exception {
    try (CallRun run = new CallRun(); RawSip.Endpoint caller = RawSip.Endpoint.udp(RAW)) {
      SippProcess uas = run.start(uas("uas.xml"), true);
      String invite = rawInvite("sip:" + TRACKING + "@127.0.0.1:" + GW, "retrans-1@127.0.0.1", RAW, "",
          CALLER_SDP);
      caller.send(invite, "127.0.0.1", GW);
      String ok = caller.expect(WAIT, "200", m -> RawSip.status(m) == 200);
      long first = System.nanoTime();
      // no ACK yet: the 200 must come again (T1 = 500 ms, then 1 s, ... RFC 3261 section 13.3.1.4)
      String again = caller.expect(Duration.ofSeconds(2), "retransmitted 200", m -> RawSip.status(m) == 200);
      long gap = Duration.ofNanos(System.nanoTime() - first).toMillis();
      assertTrue(gap >= 400 && gap < 1500, "retransmitted after " + gap + " ms");
      assertEquals(RawSip.header(ok, "To"), RawSip.header(again, "To"));
      String to = RawSip.header(ok, "To");
      String target = RawSip.uri(RawSip.header(ok, "Contact"));
      String from = RawSip.header(invite, "From");
      caller.send(inDialog("ACK", target, "retrans-ack", from, to, "retrans-1@127.0.0.1", 1, ""), "127.0.0.1", GW);
      assertTrue(caller.receive(Duration.ofMillis(1500)).isEmpty(), "retransmissions stop after the ACK");
      // a session refresh (re-INVITE without change) is answered with the session the caller already has
      caller.send(inDialog("INVITE", target, "retrans-reinvite", from, to, "retrans-1@127.0.0.1", 2,
          "Contact: <sip:" + CALLER + "@127.0.0.1:" + RAW + ">\n"), "127.0.0.1", GW);
      String refreshed = caller.expect(WAIT, "200 to re-INVITE", m -> RawSip.status(m) == 200
          && RawSip.header(m, "CSeq").startsWith("2 "));
      assertEquals(RawSip.body(ok), RawSip.body(refreshed), "same SDP as the answer");
      caller.send(inDialog("ACK", target, "retrans-ack2", from, to, "retrans-1@127.0.0.1", 2, ""), "127.0.0.1", GW);
      String bye = inDialog("BYE", target, "retrans-bye", from, to, "retrans-1@127.0.0.1", 3, "");
      caller.send(bye, "127.0.0.1", GW);
      String byeOk = caller.expect(WAIT, "200 to BYE",
          m -> RawSip.status(m) == 200 && "BYE".equals(RawSip.method(m)));
      CallRun.assertExit(0, uas, WAIT);
      // the 200 may have been lost: the retransmitted BYE (same branch) gets it again, as the BYE's server
      // transaction in the Completed state would give it (RFC 3261 section 17.2.2), not 481 for a call that is gone
      caller.send(bye, "127.0.0.1", GW);
      String byeOkAgain = caller.expect(WAIT, "200 to the retransmitted BYE", m -> RawSip.status(m) > 100);
      assertEquals(200, RawSip.status(byeOkAgain), byeOkAgain);
      assertEquals(RawSip.header(byeOk, "To"), RawSip.header(byeOkAgain, "To"), byeOkAgain);
      // a new BYE (another branch) for the ended call is a new transaction: 481 (section 15.1.2)
      caller.send(bye.replace("z9hG4bK-retrans-bye", "z9hG4bK-late-bye").replace("CSeq: 3 BYE", "CSeq: 4 BYE"),
          "127.0.0.1", GW);
      String late = caller.expect(WAIT, "answer to a new BYE", m -> RawSip.status(m) > 100);
      assertEquals(481, RawSip.status(late), late);
    }
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> true, WAIT);
    assertEquals(EndCause.NORMAL_CLEARING, ended.cause());
    assertEquals(HangupParty.CALLER, ended.by());
  }

  /**
   * The caller did not get the 200 and sends its INVITE again, before and after its ACK (same branch, RFC 3261
   * section 17.1.1.2): the retransmissions are absorbed (RFC 6026 section 7.1, the server transaction's Accepted
   * state; the 200 is retransmitted by the UAS core), never a second call or a forward leg of their own, and never an
   * error response. Holds whatever JAIN-SIP's linger time of terminated transactions is.
   */
  @Test
  void inviteRetransmittedAfterTheOkIsAbsorbed() throws Exception {
    try (CallRun run = new CallRun(); RawSip.Endpoint caller = RawSip.Endpoint.udp(RAW)) {
      SippProcess uas = run.start(uas("uas.xml"), true);
      String invite = rawInvite("sip:" + TRACKING + "@127.0.0.1:" + GW, "reinv-1@127.0.0.1", RAW, "",
          CALLER_SDP);
      caller.send(invite, "127.0.0.1", GW);
      String ok = caller.expect(WAIT, "200", m -> RawSip.status(m) == 200);
      caller.send(invite, "127.0.0.1", GW); // before the ACK
      Thread.sleep(300);
      String to = RawSip.header(ok, "To");
      String target = RawSip.uri(RawSip.header(ok, "Contact"));
      String from = RawSip.header(invite, "From");
      caller.send(inDialog("ACK", target, "reinv-ack", from, to, "reinv-1@127.0.0.1", 1, ""), "127.0.0.1", GW);
      Thread.sleep(200);
      caller.send(invite, "127.0.0.1", GW); // after the ACK, a late copy from the network
      Thread.sleep(1000);
      caller.send(inDialog("BYE", target, "reinv-bye", from, to, "reinv-1@127.0.0.1", 2, ""), "127.0.0.1", GW);
      caller.expect(WAIT, "200 to BYE", m -> RawSip.status(m) == 200 && "BYE".equals(RawSip.method(m)));
      CallRun.assertExit(0, uas, WAIT);
      caller.receive(Duration.ofMillis(300));
      List<String> answers = caller.received().stream().filter(m -> RawSip.status(m) >= 200).collect(
          Collectors.toList());
      assertTrue(answers.stream().allMatch(m -> RawSip.status(m) == 200), "only 200s: " + answers);
      assertTrue(answers.stream().filter(m -> RawSip.header(m, "CSeq").equals("1 INVITE"))
          .allMatch(m -> to.equals(RawSip.header(m, "To"))), "every 200 of the INVITE is the same answer: " + answers);
    }
    assertEquals(1, control.arrivals().size(), "one call: " + control.arrivals());
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> true, WAIT);
    assertEquals(HangupParty.CALLER, ended.by());
    assertEquals(1, control.progress().stream().filter(p -> p instanceof CallProgress.Ended).count());
  }

  /**
   * A request of the raw caller within the dialog its INVITE set up (RFC 3261 section 12.2.1.1): Request-URI = the
   * remote target (the 200's Contact), the dialog's From (with the caller's tag), To (with the gateway's tag) and
   * Call-ID, Via with branch {@code z9hG4bK-<branch>} at the caller's port, no body.
   *
   * @param method the method (ACK, BYE, INVITE for a re-INVITE)
   * @param extraHeaders more header lines, each ending in a line feed, or empty
   * @return the message with CRLF line ends
   */
  private static String inDialog(String method, String target, String branch, String from, String to,
      String callId, int cseq, String extraHeaders) {
    return RawSip.crlf(method + " " + target + " SIP/2.0\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + RAW + ";branch=z9hG4bK-" + branch + "\n"
        + "Max-Forwards: 70\n"
        + "From: " + from + "\n"
        + "To: " + to + "\n"
        + "Call-ID: " + callId + "\n"
        + "CSeq: " + cseq + " " + method + "\n"
        + extraHeaders
        + "Content-Length: 0\n\n");
  }

  static String firstReceivedInvite(String sippMessages) {
    // sipp -trace_msg blocks: "----------------------------------------------- <time>\nUDP message received [n] bytes :\n\n<msg>"
    for (String block : sippMessages.split("-{20,}")) {
      int at = block.indexOf("INVITE sip:");
      if (block.contains("message received") && at >= 0) {
        return block.substring(at).strip().replace("\r\n", "\n").replace("\n", "\r\n");
      }
    }
    throw new AssertionError("no INVITE received by the UAS:\n" + sippMessages);
  }

  static String userOf(String addressValue) {
    String uri = RawSip.uri(addressValue);
    int colon = uri.indexOf(':');
    int at = uri.indexOf('@');
    return uri.substring(colon + 1, at);
  }
}
