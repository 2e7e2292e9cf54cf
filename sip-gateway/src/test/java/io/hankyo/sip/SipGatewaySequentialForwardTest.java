package io.hankyo.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.call.CallInstruction;
import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.sip.testing.RawSip;
import io.hankyo.sip.testing.SequentialCallControl;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sequential forwarding (順次転送, issue 3) through a real {@link SipGateway}: a raw caller, a raw scripted callee
 * that plays every destination (the Request-URI user tells which), and {@link SequentialCallControl} as the Call
 * entity. Ports 15100 (gateway UDP+TCP), 15101 (callee), 15102 (caller). Instruction timeout 1.5 s.
 */
class SipGatewaySequentialForwardTest extends GatewayTestSupport {
  static final int GW = 15100;
  static final int CALLEE = 15101;
  static final int CALLER_PORT = 15102;
  static final Duration WAIT = Duration.ofSeconds(10);
  static final String D1 = "0311110001";
  static final String D2 = "0311110002";
  static final String D3 = "0311110003";
  static final String CALLER_SDP =
      "v=0\no=caller 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 6000 RTP/AVP 0\n";

  static ActorTestKit kit;
  static SequentialCallControl control;
  static SipGateway gateway;
  static int calls;

  RawSip.Endpoint caller;
  RawSip.Endpoint callee;
  String invite;
  /** Call-IDs of the forward INVITEs the callee has seen (to tell a new leg from a retransmission). */
  final Set<String> legs = new HashSet<>();

  @BeforeAll
  static void startGateway() {
    kit = testKit();
    control = new SequentialCallControl().destinations(D1, D2);
    gateway = SipGateway.start(settings(GW, CALLEE, "instruction-timeout = 1500ms"), control, cipher(),
        kit.system());
  }

  @AfterAll
  static void stopGateway() {
    if (gateway != null) {
      gateway.close();
    }
    if (control != null) {
      control.close();
    }
    if (kit != null) {
      kit.shutdownTestKit();
    }
  }

  @BeforeEach
  void open() throws Exception {
    control.reset();
    control.destinations(D1, D2);
    caller = RawSip.Endpoint.udp(CALLER_PORT);
    callee = RawSip.Endpoint.udp(CALLEE);
  }

  @AfterEach
  void nothingLeft() throws Exception {
    try {
      awaitNoLiveCalls(gateway, Duration.ofSeconds(10));
      awaitTransactionsAtMost(gateway, 0, Duration.ofSeconds(5));
    } finally {
      caller.close();
      callee.close();
    }
  }

  // ---------------------------------------------------------------- raw caller

  private String sendInvite() throws Exception {
    String token = "seq-" + (++calls) + "-" + System.nanoTime();
    String uri = "sip:" + TRACKING + "@127.0.0.1:" + GW;
    invite = RawSip.crlf("INVITE " + uri + " SIP/2.0\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + CALLER_PORT + ";branch=z9hG4bK-" + token + "\n"
        + "Max-Forwards: 70\n"
        + "From: <sip:" + CALLER + "@127.0.0.1>;tag=t-" + token + "\n"
        + "To: <" + uri + ">\n"
        + "Call-ID: " + token + "@127.0.0.1\n"
        + "CSeq: 1 INVITE\n"
        + "Contact: <sip:" + CALLER + "@127.0.0.1:" + CALLER_PORT + ">\n"
        + "Content-Type: application/sdp\n"
        + "Content-Length: " + RawSip.crlf(CALLER_SDP).length() + "\n\n" + RawSip.crlf(CALLER_SDP));
    caller.send(invite, "127.0.0.1", GW);
    return invite;
  }

  private String callerFinal() throws Exception {
    String r = caller.expect(WAIT, "final response to the INVITE",
        m -> RawSip.status(m) >= 200 && "INVITE".equals(RawSip.method(m)));
    if (RawSip.status(r) >= 300) {
      caller.send(RawSip.ackFor(invite, r), "127.0.0.1", GW);
    }
    return r;
  }

  private void callerCancel() throws Exception {
    caller.send(RawSip.crlf("CANCEL " + invite.substring(7, invite.indexOf(" SIP/2.0")) + " SIP/2.0\n"
        + "Via: " + RawSip.header(invite, "Via") + "\nMax-Forwards: 70\n"
        + "From: " + RawSip.header(invite, "From") + "\nTo: " + RawSip.header(invite, "To") + "\n"
        + "Call-ID: " + RawSip.header(invite, "Call-ID") + "\nCSeq: 1 CANCEL\nContent-Length: 0\n\n"),
        "127.0.0.1", GW);
    caller.expect(WAIT, "200 to CANCEL", m -> RawSip.status(m) == 200 && "CANCEL".equals(RawSip.method(m)));
  }

  /** A request of the caller inside the dialog of the gateway's 200 (ACK or BYE). */
  private String callerInDialog(String ok, String method, int cseq) {
    return RawSip.callerInDialog(invite, ok, CALLER_PORT, method, cseq, "", "");
  }

  private long callerProvisionals(int status) {
    return caller.received().stream().filter(m -> RawSip.status(m) == status).count();
  }

  // ---------------------------------------------------------------- raw callee

  /** The next new forward INVITE (not a retransmission); answered 100 Trying at once. */
  private String nextLeg() throws Exception {
    String fwd = callee.expect(WAIT, "a new forward INVITE", m -> RawSip.status(m) < 0
        && "INVITE".equals(RawSip.method(m)) && !legs.contains(RawSip.header(m, "Call-ID")));
    legs.add(RawSip.header(fwd, "Call-ID"));
    toGateway(RawSip.response(fwd, 100, "Trying", null, "", ""));
    return fwd;
  }

  private static String destinationOf(String fwd) {
    String uri = fwd.substring(7, fwd.indexOf(" SIP/2.0"));
    return uri.substring(4, uri.indexOf('@'));
  }

  private void toGateway(String message) throws Exception {
    callee.send(message, "127.0.0.1", GW);
  }



  private static String calleeSdp(String name) {
    return "v=0\no=" + name + " 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 7000 RTP/AVP 0\n";
  }

  private static final String CONTACT = "Contact: <sip:callee@127.0.0.1:" + CALLEE + ">\n";

  private String expectCallee(String what, String callId, String method) throws Exception {
    return callee.expect(WAIT, what, m -> RawSip.status(m) < 0 && method.equals(RawSip.method(m))
        && callId.equals(RawSip.header(m, "Call-ID")));
  }

  /** The callee of {@code fwd} answers busy; the gateway's transaction ACKs it. */
  private void busy(String fwd, String tag) throws Exception {
    toGateway(RawSip.response(fwd, 180, "Ringing", tag, CONTACT, ""));
    // JAIN-SIP's UDP threads may swap a 180 and a 486 sent back-to-back (then the 180 is dropped): let it ring first
    int attempt = legs.size();
    control.await(CallProgress.Ringing.class, r -> r.attempt() == attempt, WAIT);
    toGateway(RawSip.response(fwd, 486, "Busy Here", tag, "", ""));
    expectCallee("ACK of 486", RawSip.header(fwd, "Call-ID"), "ACK");
  }

  /** The callee of a ringing {@code fwd} gets the gateway's CANCEL and answers it 200 + 487 (ACKed). */
  private void cancelled(String fwd, String tag) throws Exception {
    String cancel = expectCallee("CANCEL", RawSip.header(fwd, "Call-ID"), "CANCEL");
    toGateway(RawSip.response(cancel, 200, "OK", tag, "", ""));
    toGateway(RawSip.response(fwd, 487, "Request Terminated", tag, "", ""));
    expectCallee("ACK of 487", RawSip.header(fwd, "Call-ID"), "ACK");
  }

  /** The callee answers {@code fwd}; returns the caller's 200 after checking the ACK toward the callee. */
  private String answer(String fwd, String tag) throws Exception {
    toGateway(RawSip.response(fwd, 200, "OK", tag, CONTACT, calleeSdp("callee-" + tag)));
    expectCallee("ACK of 200", RawSip.header(fwd, "Call-ID"), "ACK");
    return callerFinal();
  }

  /** The caller ACKs the 200 and hangs up; the BYE must reach the callee of {@code fwd} (answered 200). */
  private void callerHangsUp(String ok, String fwd) throws Exception {
    caller.send(callerInDialog(ok, "ACK", 1), "127.0.0.1", GW);
    caller.send(callerInDialog(ok, "BYE", 2), "127.0.0.1", GW);
    String bye = expectCallee("BYE relayed", RawSip.header(fwd, "Call-ID"), "BYE");
    toGateway(RawSip.response(bye, 200, "OK", null, "", ""));
    caller.expect(WAIT, "200 to BYE", m -> RawSip.status(m) == 200 && "BYE".equals(RawSip.method(m)));
  }

  private static int attemptOf(CallProgress p) {
    if (p instanceof CallProgress.Ringing) {
      return ((CallProgress.Ringing) p).attempt();
    } else if (p instanceof CallProgress.Answered) {
      return ((CallProgress.Answered) p).attempt();
    } else if (p instanceof CallProgress.LegFailed) {
      return ((CallProgress.LegFailed) p).attempt();
    }
    return ((CallProgress.Ended) p).attempt();
  }

  private static String attempts(List<CallProgress> ps) {
    return ps.stream().map(p -> p.getClass().getSimpleName() + "(" + attemptOf(p) + ")")
        .collect(Collectors.joining(","));
  }

  // ---------------------------------------------------------------- cases

  @Test
  void busyFirstDestinationThenSecondAnswers() throws Exception {
    sendInvite();
    String leg1 = nextLeg();
    assertEquals(D1, destinationOf(leg1));
    busy(leg1, "d1");
    String ringing = caller.expect(WAIT, "180", m -> RawSip.status(m) == 180);
    String leg2 = nextLeg();
    assertEquals(D2, destinationOf(leg2));
    assertNotEquals(RawSip.header(leg1, "Call-ID"), RawSip.header(leg2, "Call-ID"), "a new Call-ID");
    assertNotEquals(RawSip.tag(RawSip.header(leg1, "From")), RawSip.tag(RawSip.header(leg2, "From")), "new From tag");
    assertEquals("1 INVITE", RawSip.header(leg2, "CSeq"));
    assertTrue(RawSip.body(leg2).contains("o=caller"), "the caller's offer goes to every leg: " + leg2);
    toGateway(RawSip.response(leg2, 180, "Ringing", "d2", CONTACT, ""));
    control.await(CallProgress.Ringing.class, r -> r.attempt() == 2, WAIT);
    String ok = answer(leg2, "d2");
    assertEquals(200, RawSip.status(ok), ok);
    String localTag = RawSip.tag(RawSip.header(ringing, "To"));
    assertEquals(localTag, RawSip.tag(RawSip.header(ok, "To")), "one To tag for the caller");
    assertTrue(RawSip.body(ok).contains("o=callee-d2"), "the answering leg's SDP: " + ok);
    assertEquals(1, callerProvisionals(180), "the caller already rang: no second 180 " + caller.received());
    callerHangsUp(ok, leg2);
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> true, WAIT);
    assertEquals(EndCause.NORMAL_CLEARING, ended.cause());
    assertEquals(HangupParty.CALLER, ended.by());
    assertEquals("Ringing(1),LegFailed(1),Ringing(2),Answered(2),Ended(2)",
        attempts(control.progressOf(ended.trnId())));
    CallProgress.LegFailed failed = control.await(CallProgress.LegFailed.class, f -> true, WAIT);
    assertEquals(EndCause.BUSY, failed.cause());
    assertEquals(486, failed.sipStatus());
  }

  @Test
  void noAnswerMovesToTheNextDestination() throws Exception {
    control.ringTimeout(Duration.ofMillis(700));
    sendInvite();
    String leg1 = nextLeg();
    toGateway(RawSip.response(leg1, 180, "Ringing", "n1", CONTACT, ""));
    cancelled(leg1, "n1");
    String leg2 = nextLeg();
    assertEquals(D2, destinationOf(leg2));
    String ok = answer(leg2, "n2");
    assertEquals(200, RawSip.status(ok), ok);
    callerHangsUp(ok, leg2);
    CallProgress.LegFailed failed = control.await(CallProgress.LegFailed.class, f -> true, WAIT);
    assertEquals(EndCause.NO_ANSWER, failed.cause());
    assertEquals(0, failed.sipStatus());
    assertEquals(1, failed.attempt());
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> true, WAIT);
    assertEquals(2, ended.attempt());
    assertEquals(EndCause.NORMAL_CLEARING, ended.cause());
  }

  @Test
  void allDestinationsFailThenReleaseAnswersTheCaller() throws Exception {
    sendInvite();
    String leg1 = nextLeg();
    busy(leg1, "a1");
    String leg2 = nextLeg();
    busy(leg2, "a2");
    String fin = callerFinal();
    assertEquals(486, RawSip.status(fin), "Release(BUSY) after the last failure: " + fin);
    String ringing = caller.received().stream().filter(m -> RawSip.status(m) == 180).findFirst().orElseThrow();
    assertEquals(RawSip.tag(RawSip.header(ringing, "To")), RawSip.tag(RawSip.header(fin, "To")), "one To tag");
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> true, WAIT);
    assertEquals(EndCause.BUSY, ended.cause());
    assertEquals(486, ended.sipStatus());
    assertEquals(2, ended.attempt());
    assertEquals("Ringing(1),LegFailed(1),Ringing(2),LegFailed(2),Ended(2)",
        attempts(control.progressOf(ended.trnId())));
    assertTrue(control.sentInstructions().get(control.sentInstructions().size() - 1)
        instanceof CallInstruction.Release);
  }

  @Test
  void callerCancelsBetweenLegsAndALateForwardIsIgnored() throws Exception {
    control.silent(true);
    sendInvite();
    String leg1 = nextLeg();
    busy(leg1, "c1");
    CallProgress.LegFailed failed = control.await(CallProgress.LegFailed.class, f -> true, WAIT);
    callerCancel();
    assertEquals(487, RawSip.status(callerFinal()));
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> true, WAIT);
    assertEquals(EndCause.CALLER_CANCELLED, ended.cause());
    assertEquals(HangupParty.CALLER, ended.by());
    assertEquals(487, ended.sipStatus());
    control.tell(new CallInstruction.Forward(failed.trnId(), 2, PhoneNumbers.parse(D2), 20_000, true));
    Optional<String> more = callee.receive(Duration.ofMillis(500));
    assertTrue(more.isEmpty(), "no leg after the end: " + more);
    assertEquals(1, control.progressOf(failed.trnId()).stream().filter(p -> p instanceof CallProgress.Ended).count());
  }

  @Test
  void callerCancelsWhileTheSecondLegRings() throws Exception {
    sendInvite();
    String leg1 = nextLeg();
    busy(leg1, "r1");
    String leg2 = nextLeg();
    toGateway(RawSip.response(leg2, 180, "Ringing", "r2", CONTACT, ""));
    control.await(CallProgress.Ringing.class, r -> r.attempt() == 2, WAIT);
    callerCancel();
    cancelled(leg2, "r2");
    assertEquals(487, RawSip.status(callerFinal()));
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> true, WAIT);
    assertEquals(EndCause.CALLER_CANCELLED, ended.cause());
    assertEquals(2, ended.attempt());
    Thread.sleep(200);
    assertEquals("Ringing(1),LegFailed(1),Ringing(2),Ended(2)", attempts(control.progressOf(ended.trnId())));
  }

  @Test
  void noInstructionInTimeEndsTheCallWithTheLastFailure() throws Exception {
    control.silent(true);
    sendInvite();
    String leg1 = nextLeg();
    busy(leg1, "t1");
    long failedAt = System.nanoTime();
    String fin = callerFinal();
    long waited = Duration.ofNanos(System.nanoTime() - failedAt).toMillis();
    assertEquals(486, RawSip.status(fin), fin);
    assertTrue(waited >= 1300, "the caller was answered after " + waited + " ms, before instruction-timeout");
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> true, WAIT);
    assertEquals(EndCause.BUSY, ended.cause());
    assertEquals(HangupParty.CALLEE, ended.by());
    assertEquals(486, ended.sipStatus());
    assertEquals(1, ended.attempt());
  }

  /**
   * A flow whose forward failed goes on with media (a {@code failed} step that plays "sorry"): the caller, held
   * between legs, is answered with the gateway's own SDP when the entity says AnswerWithMedia, hears the prompt, and
   * is released when the flow ends; the instruction timeout does not end the call meanwhile.
   */
  @Test
  void afterTheLastFailedLegTheFlowAnswersTheCallerWithMedia() throws Exception {
    control.silent(true);
    sendInvite();
    String leg1 = nextLeg();
    busy(leg1, "m1");
    CallProgress.LegFailed failed = control.await(CallProgress.LegFailed.class, f -> true, WAIT);
    String trnId = failed.trnId();
    control.tell(new CallInstruction.AnswerWithMedia(trnId));
    control.tell(new CallInstruction.PlayPrompt(trnId, "op-1", "sorry", false, 1));
    String ok = callerFinal();
    assertEquals(200, RawSip.status(ok), ok);
    assertTrue(RawSip.body(ok).contains("m=audio "), "our SDP answer: " + ok);
    assertTrue(!RawSip.body(ok).contains("m=audio 7000") && !RawSip.body(ok).contains("o=caller"),
        "the gateway's own media, not a callee's or the caller's: " + ok);
    caller.send(callerInDialog(ok, "ACK", 1), "127.0.0.1", GW);
    control.await(CallProgress.MediaAnswered.class, m -> m.trnId().equals(trnId), WAIT);
    // no prompt source in this gateway: the prompt is reported not played, at once
    CallProgress.PromptFinished finished = control.await(CallProgress.PromptFinished.class, f -> f.token() == 1,
        WAIT);
    assertTrue(!finished.played());
    // past the 1.5 s instruction timeout, the answered caller is still connected
    Optional<String> early = caller.receive(Duration.ofMillis(2000));
    assertTrue(early.isEmpty() || !"BYE".equals(RawSip.method(early.get())), "no BYE yet: " + early);
    control.tell(new CallInstruction.Release(trnId, EndCause.FLOW_ENDED));
    String bye = caller.expect(WAIT, "BYE", m -> "BYE".equals(RawSip.method(m)) && RawSip.status(m) < 0);
    caller.send(RawSip.response(bye, 200, "OK", null, "", ""), "127.0.0.1", GW);
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
    assertEquals(EndCause.FLOW_ENDED, ended.cause());
    awaitMediaClosed();
  }

  /** A queue as the first step, a line free: the held caller is forwarded like any call (the callee's answer). */
  @Test
  void aHeldCallerIsForwardedPlainlyWhenTheFlowSaysForward() throws Exception {
    control.holdFirst(true);
    sendInvite();
    Optional<String> early = caller.receive(Duration.ofMillis(300));
    assertTrue(early.isEmpty() || RawSip.status(early.get()) == 100, "no answer while held: " + early);
    String trnId = awaitTrnId();
    control.tell(new CallInstruction.Forward(trnId, 1, PhoneNumbers.parse(D1), 20_000, true));
    String leg1 = nextLeg();
    assertTrue(RawSip.body(leg1).contains("o=caller"), "the caller's own offer, passed through: " + leg1);
    String ok = answer(leg1, "h1");
    assertEquals(200, RawSip.status(ok), ok);
    assertTrue(RawSip.body(ok).contains("o=callee-h1"), "the callee's answer, passed through: " + ok);
    callerHangsUp(ok, leg1);
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> true, WAIT);
    assertEquals(EndCause.NORMAL_CLEARING, ended.cause());
    assertEquals(1, ended.attempt());
  }

  /** A queue as the first step, all lines busy: the held caller is answered with media to hear the hold prompt. */
  @Test
  void aHeldCallerIsAnsweredWithMediaWhenItMustWait() throws Exception {
    control.holdFirst(true);
    sendInvite();
    String trnId = awaitTrnId();
    control.tell(new CallInstruction.AnswerWithMedia(trnId));
    String ok = callerFinal();
    assertEquals(200, RawSip.status(ok), ok);
    assertTrue(!RawSip.body(ok).contains("o=caller") && RawSip.body(ok).contains("m=audio "), "our SDP: " + ok);
    caller.send(callerInDialog(ok, "ACK", 1), "127.0.0.1", GW);
    control.await(CallProgress.MediaAnswered.class, m -> m.trnId().equals(trnId), WAIT);
    caller.send(callerInDialog(ok, "BYE", 2), "127.0.0.1", GW);
    caller.expect(WAIT, "200 to BYE", m -> RawSip.status(m) == 200 && "BYE".equals(RawSip.method(m)));
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
    assertEquals(HangupParty.CALLER, ended.by());
    awaitMediaClosed();
  }

  /** Without an instruction the held caller gets 503 after instruction-timeout, and the end is reported. */
  @Test
  void aHeldCallerWithoutInstructionGets503() throws Exception {
    control.holdFirst(true);
    sendInvite();
    String fin = callerFinal();
    assertEquals(503, RawSip.status(fin), fin);
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> true, WAIT);
    assertEquals(EndCause.CLUSTER_FAILURE, ended.cause());
    assertEquals(0, ended.attempt());
  }

  /** The trn_id the gateway gave the caller's INVITE (the control learns it at arrival). */
  private String awaitTrnId() throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<String> id = control.arrivedTrnIds().stream().findFirst();
      if (id.isPresent()) {
        return id.get();
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the call did not arrive");
  }

  private void awaitMediaClosed() throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline && (gateway.openMediaSessions() > 0 || gateway.rtpPortsInUse() > 0)) {
      Thread.sleep(50);
    }
    assertEquals(0, gateway.openMediaSessions());
    assertEquals(0, gateway.rtpPortsInUse());
  }

  @Test
  void duplicateAndStaleForwardsAreIgnored() throws Exception {
    control.duplicateForwards(true).destinations(D1, D2, D3);
    sendInvite();
    String leg1 = nextLeg();
    busy(leg1, "u1");
    String leg2 = nextLeg();
    assertEquals(D2, destinationOf(leg2));
    toGateway(RawSip.response(leg2, 180, "Ringing", "u2", CONTACT, ""));
    Optional<String> extra = callee.receive(Duration.ofMillis(500));
    assertTrue(extra.isEmpty() || !"INVITE".equals(RawSip.method(extra.get()))
        || legs.contains(RawSip.header(extra.get(), "Call-ID")), "one leg per attempt: " + extra);
    String ok = answer(leg2, "u2");
    assertEquals(200, RawSip.status(ok));
    CallProgress.Answered answered = control.await(CallProgress.Answered.class, a -> true, WAIT);
    // after the answer, even a newer attempt changes nothing
    control.tell(new CallInstruction.Forward(answered.trnId(), 3, PhoneNumbers.parse(D3), 20_000, true));
    control.tell(new CallInstruction.Forward(answered.trnId(), 2, PhoneNumbers.parse(D2), 20_000, true));
    Optional<String> none = callee.receive(Duration.ofMillis(500));
    assertTrue(none.isEmpty() || !"INVITE".equals(RawSip.method(none.get())), "no leg after the answer: " + none);
    callerHangsUp(ok, leg2);
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> true, WAIT);
    assertEquals("Ringing(1),LegFailed(1),Ringing(2),Answered(2),Ended(2)",
        attempts(control.progressOf(ended.trnId())));
  }

  @Test
  void answerCrossingTheCancelOfTheFirstLegIsByedAndTheSecondLegConnects() throws Exception {
    control.ringTimeout(Duration.ofMillis(700));
    sendInvite();
    String leg1 = nextLeg();
    String leg1Id = RawSip.header(leg1, "Call-ID");
    toGateway(RawSip.response(leg1, 180, "Ringing", "x1", CONTACT, ""));
    String cancel = expectCallee("CANCEL", leg1Id, "CANCEL");
    // RFC 5407 section 3.1.2: the callee answered before it saw the CANCEL
    toGateway(RawSip.response(cancel, 200, "OK", "x1", "", ""));
    toGateway(RawSip.response(leg1, 200, "OK", "x1", CONTACT, calleeSdp("callee-x1")));
    boolean ackSeen = false;
    boolean byeSeen = false;
    String leg2 = null;
    long until = System.nanoTime() + WAIT.toNanos();
    while (!(ackSeen && byeSeen && leg2 != null) && System.nanoTime() < until) {
      Optional<String> m = callee.receive(Duration.ofMillis(200));
      if (m.isEmpty() || RawSip.status(m.get()) >= 0) {
        continue;
      }
      String msg = m.get();
      String method = RawSip.method(msg);
      String callId = RawSip.header(msg, "Call-ID");
      if (callId.equals(leg1Id) && "ACK".equals(method)) {
        ackSeen = true;
      } else if (callId.equals(leg1Id) && "BYE".equals(method)) {
        byeSeen = true;
        toGateway(RawSip.response(msg, 200, "OK", null, "", ""));
      } else if ("INVITE".equals(method) && !legs.contains(callId)) {
        leg2 = msg;
        legs.add(callId);
        toGateway(RawSip.response(msg, 100, "Trying", null, "", ""));
      }
    }
    assertTrue(ackSeen && byeSeen, "the crossing 2xx is ACKed and BYEd: " + callee.received());
    assertTrue(leg2 != null, "the next leg goes out: " + callee.received());
    assertTrue(caller.received().stream().noneMatch(m -> RawSip.status(m) >= 200
        && "INVITE".equals(RawSip.method(m))), "the caller is not answered by leg 1: " + caller.received());
    String ok = answer(leg2, "x2");
    assertEquals(200, RawSip.status(ok));
    assertTrue(RawSip.body(ok).contains("o=callee-x2"), "connected to leg 2: " + ok);
    callerHangsUp(ok, leg2);
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> true, WAIT);
    assertEquals(2, ended.attempt());
    assertEquals(EndCause.NORMAL_CLEARING, ended.cause());
    CallProgress.LegFailed failed = control.await(CallProgress.LegFailed.class, f -> true, WAIT);
    assertEquals(EndCause.NO_ANSWER, failed.cause());
  }
}
