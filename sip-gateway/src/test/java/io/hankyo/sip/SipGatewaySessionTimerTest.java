package io.hankyo.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.sip.testing.FakeCallControl;
import io.hankyo.sip.testing.RawSip;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 4028 session timers of relayed calls (the gateway never sees their RTP), through a real {@link SipGateway}
 * with raw UDP endpoints for caller and callee. Intervals are shortened through the test-only lower bound of the
 * settings: {@code session-expires = 4s}, {@code min-se = 2s} (so refreshes are due at 2 s and a missing refresh is
 * noticed at 4 - 4/3 = 2.67 s). Ports: SIP 15140 (gateway), 15141 (callee), 15142 (caller).
 */
class SipGatewaySessionTimerTest extends GatewayTestSupport {
  static final int GW = 15140;
  static final int CALLEE = 15141;
  static final int CALLER_PORT = 15142;
  static final Duration WAIT = Duration.ofSeconds(10);
  static final String CALLEE_CONTACT = "Contact: <sip:callee@127.0.0.1:" + CALLEE + ">\n";
  static final String SDP = "v=0\no=caller 7 7 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n"
      + "m=audio 40000 RTP/AVP 0\na=sendrecv\n";
  static final String CALLEE_SDP = "v=0\no=callee 9 9 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n"
      + "m=audio 40002 RTP/AVP 0\na=sendrecv\n";

  static ActorTestKit kit;
  static FakeCallControl control;
  static SipGateway gateway;
  static int calls;

  RawSip.Endpoint caller;
  RawSip.Endpoint callee;
  String invite;
  String ok;
  String fwd;
  int callerCSeq = 1;

  @BeforeAll
  static void startGateway() {
    kit = testKit();
    control = new FakeCallControl().route(TRACKING, DESTINATION);
    SipGatewaySettings s = settings(GW, CALLEE, "session-timer { session-expires = 4s, min-se = 2s }");
    assertEquals(new SipGatewaySettings.SessionTimer(true, 4, 2), s.sessionTimer());
    gateway = SipGateway.start(s, control, cipher(), kit.system());
  }

  @AfterAll
  static void stopGateway() {
    stopAll(gateway, control, kit);
  }

  @BeforeEach
  void open() throws Exception {
    control.reset();
    caller = RawSip.Endpoint.udp(CALLER_PORT);
    callee = RawSip.Endpoint.udp(CALLEE);
  }

  @AfterEach
  void nothingLeft() throws Exception {
    try {
      awaitNoLiveCalls(gateway, WAIT);
      awaitTransactionsAtMost(gateway, 0, Duration.ofSeconds(40));
    } finally {
      caller.close();
      callee.close();
    }
  }

  // ---------------------------------------------------------------- cases

  @Test
  void aCallerThatRefreshesKeepsTheCall() throws Exception {
    connect("Supported: timer\nSession-Expires: 4;refresher=uac\n",
        "Session-Expires: 4;refresher=uac\nAllow: INVITE, ACK, BYE, CANCEL, UPDATE\n");
    String trnId = control.awaitOnlyArrival(WAIT).trnId();
    assertEquals("4;refresher=uac", RawSip.header(ok, "Session-Expires"), ok);
    assertTrue(RawSip.headers(ok, "Require").stream().anyMatch(v -> v.contains("timer")), ok);
    assertEquals("4", RawSip.header(fwd, "Session-Expires"), fwd);
    assertEquals("2", RawSip.header(fwd, "Min-SE"), fwd);
    assertTrue(RawSip.headers(fwd, "Supported").stream().anyMatch(v -> v.contains("timer")), fwd);

    // three interval lengths (12 s would be too slow; 6.5 s is over two intervals and five refresh periods)
    List<String> seen = pump(6500, 200, 200, 1200, m -> false);
    assertTrue(seen.stream().noneMatch(m -> "BYE".equals(RawSip.method(m)) && RawSip.status(m) < 0),
        () -> "a refreshed call stays: " + seen);
    assertTrue(control.progressOf(trnId).stream().noneMatch(p -> p instanceof CallProgress.Ended));
    List<String> refreshOks = seen.stream()
        .filter(m -> RawSip.status(m) == 200 && "UPDATE".equals(RawSip.method(m))
            && RawSip.header(m, "Call-ID").equals(RawSip.header(invite, "Call-ID")))
        .toList();
    assertTrue(refreshOks.size() >= 4, () -> "our refreshes were answered: " + seen);
    assertTrue(refreshOks.stream().allMatch(m -> "4;refresher=uac".equals(RawSip.header(m, "Session-Expires"))));
    long calleeRefreshes = seen.stream().filter(m -> "UPDATE".equals(RawSip.method(m)) && RawSip.status(m) < 0
        && RawSip.header(m, "Call-ID").equals(RawSip.header(fwd, "Call-ID"))).count();
    assertTrue(calleeRefreshes >= 2, () -> "the gateway refreshes the callee leg (refresher=uac): " + seen);
    // a refresh asking for less than our Min-SE gets 422 with it (RFC 4028 section 9)
    caller.send(callerInDialog("UPDATE", ++callerCSeq, "Supported: timer\nSession-Expires: 1;refresher=uac\n"),
        "127.0.0.1", GW);
    String tooSmall = caller.expect(WAIT, "422 to the short refresh", m -> RawSip.status(m) >= 200
        && RawSip.header(m, "CSeq").equals(callerCSeq + " UPDATE"));
    assertEquals(422, RawSip.status(tooSmall), tooSmall);
    assertEquals("2", RawSip.header(tooSmall, "Min-SE"), tooSmall);

    caller.send(callerInDialog("BYE", ++callerCSeq, ""), "127.0.0.1", GW);
    caller.expect(WAIT, "200 to BYE", m -> RawSip.status(m) == 200 && "BYE".equals(RawSip.method(m)));
    String bye = callee.expect(WAIT, "BYE to the callee", m -> "BYE".equals(RawSip.method(m)));
    callee.send(RawSip.response(bye, 200, "OK", null, "", ""), "127.0.0.1", GW);
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
    assertEquals(EndCause.NORMAL_CLEARING, ended.cause());
  }

  @Test
  void aCallerThatStopsRefreshingIsByedOnBothLegsAtTheDeadline() throws Exception {
    connect("Supported: timer\nSession-Expires: 4;refresher=uac\n",
        "Session-Expires: 4;refresher=uac\nAllow: INVITE, ACK, BYE, CANCEL, UPDATE\n");
    long answeredAt = System.nanoTime();
    String trnId = control.awaitOnlyArrival(WAIT).trnId();
    // the caller vanishes: no refresh, no BYE; the callee's leg is refreshed by us and answered
    List<String> seen = pump(WAIT.toMillis(), 200, 200, 0, m -> "BYE".equals(RawSip.method(m))
        && RawSip.status(m) < 0 && RawSip.header(m, "Call-ID").equals(RawSip.header(invite, "Call-ID")));
    long byeAfter = (System.nanoTime() - answeredAt) / 1_000_000;
    assertTrue(byeAfter >= 2500, "not before interval - interval/3 = 2667 ms: " + byeAfter);
    assertTrue(seen.stream().anyMatch(m -> "BYE".equals(RawSip.method(m)) && RawSip.status(m) < 0
        && RawSip.header(m, "Call-ID").equals(RawSip.header(fwd, "Call-ID"))) || calleeByeWithin(WAIT),
        () -> "the callee leg is released too: " + seen);
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
    assertEquals(EndCause.SESSION_TIMER_EXPIRED, ended.cause());
    assertEquals(HangupParty.CALLER, ended.by());
    assertEquals(0, ended.sipStatus());
  }

  @Test
  void weRefreshACallerWithoutTimerSupportByReInviteAndEndOn481() throws Exception {
    // the caller does not do timers and does not allow UPDATE: we are its refresher with re-INVITEs (same SDP);
    // the callee's 2xx has no Session-Expires either: we refresh that leg too
    connect("Allow: INVITE, ACK, BYE, CANCEL\n", "");
    String trnId = control.awaitOnlyArrival(WAIT).trnId();
    assertEquals("4;refresher=uas", RawSip.header(ok, "Session-Expires"), ok);
    assertTrue(RawSip.headers(ok, "Require").stream().noneMatch(v -> v.contains("timer")), ok);

    List<String> seen = pump(5500, 200, 200, 0, m -> false);
    List<String> reInvites = seen.stream().filter(m -> "INVITE".equals(RawSip.method(m)) && RawSip.status(m) < 0
        && RawSip.header(m, "Call-ID").equals(RawSip.header(invite, "Call-ID"))).toList();
    assertTrue(reInvites.size() >= 2, () -> "re-INVITE refreshes at half the interval: " + seen);
    for (String r : reInvites) {
      assertEquals("4;refresher=uac", RawSip.header(r, "Session-Expires"), r);
      assertEquals(RawSip.body(ok).strip(), RawSip.body(r).strip(), "the unchanged SDP (same o= version)");
    }
    assertTrue(seen.stream().anyMatch(m -> "ACK".equals(RawSip.method(m))
        && RawSip.header(m, "Call-ID").equals(RawSip.header(invite, "Call-ID"))), "the 200 of a refresh is ACKed");
    assertTrue(seen.stream().anyMatch(m -> "INVITE".equals(RawSip.method(m)) && RawSip.status(m) < 0
        && RawSip.header(m, "Call-ID").equals(RawSip.header(fwd, "Call-ID"))), "the callee leg is refreshed too");
    assertTrue(seen.stream().noneMatch(m -> "BYE".equals(RawSip.method(m))), () -> "the call stays: " + seen);
    assertTrue(control.progressOf(trnId).stream().noneMatch(p -> p instanceof CallProgress.Ended));

    // the caller's phone lost the dialog: our next refresh gets 481, the call ends on both legs
    List<String> after = pump(WAIT.toMillis(), 481, 200, 0, m -> "BYE".equals(RawSip.method(m))
        && RawSip.status(m) < 0 && RawSip.header(m, "Call-ID").equals(RawSip.header(fwd, "Call-ID")));
    assertTrue(after.stream().anyMatch(m -> "BYE".equals(RawSip.method(m))), () -> "BYE to the callee: " + after);
    answerCallerByeUnlessSeen(after);
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
    assertEquals(EndCause.SESSION_TIMER_EXPIRED, ended.cause());
    assertEquals(HangupParty.CALLER, ended.by());
  }

  @Test
  void aCallerAskingForTooShortAnIntervalGets422WithMinSe() throws Exception {
    invite = callerInvite("Supported: timer\nSession-Expires: 1\n");
    caller.send(invite, "127.0.0.1", GW);
    String r = caller.expect(WAIT, "final response", m -> RawSip.status(m) >= 200);
    assertEquals(422, RawSip.status(r), r);
    assertEquals("2", RawSip.header(r, "Min-SE"), r);
    caller.send(RawSip.ackFor(invite, r), "127.0.0.1", GW);
    assertTrue(control.arrivals().isEmpty(), "no call is asked for");
    assertFalse(callee.receive(Duration.ofMillis(300)).isPresent());
  }

  @Test
  void a422OfTheCalleeIsRetriedOnceWithItsMinSe() throws Exception {
    invite = callerInvite("");
    caller.send(invite, "127.0.0.1", GW);
    String first = callee.expect(WAIT, "forward INVITE", m -> "INVITE".equals(RawSip.method(m)));
    String tooSmall = RawSip.response(first, 422, "Session Interval Too Small", "x1", "Min-SE: 6\n", "");
    callee.send(tooSmall, "127.0.0.1", GW);
    callee.expect(WAIT, "ACK of the 422", m -> "ACK".equals(RawSip.method(m)));
    fwd = callee.expect(WAIT, "INVITE again", m -> "INVITE".equals(RawSip.method(m)) && RawSip.status(m) < 0);
    assertEquals(RawSip.header(first, "Call-ID"), RawSip.header(fwd, "Call-ID"));
    assertEquals(RawSip.tag(RawSip.header(first, "From")), RawSip.tag(RawSip.header(fwd, "From")));
    assertEquals("2 INVITE", RawSip.header(fwd, "CSeq"));
    assertEquals("6", RawSip.header(fwd, "Session-Expires"), fwd);
    assertEquals("6", RawSip.header(fwd, "Min-SE"), fwd);
    callee.send(RawSip.response(fwd, 200, "OK", "c2", CALLEE_CONTACT + "Session-Expires: 6;refresher=uas\n",
        CALLEE_SDP), "127.0.0.1", GW);
    String ack = callee.expect(WAIT, "ACK of the 200", m -> "ACK".equals(RawSip.method(m)));
    assertEquals("2 ACK", RawSip.header(ack, "CSeq"), "the ACK of a 2xx has the INVITE's CSeq number");
    ok = caller.expect(WAIT, "200 to the caller", m -> RawSip.status(m) == 200);
    caller.send(callerInDialog("ACK", 1, ""), "127.0.0.1", GW);
    String trnId = control.awaitOnlyArrival(WAIT).trnId();
    control.await(CallProgress.Answered.class, a -> a.trnId().equals(trnId), WAIT);

    caller.send(callerInDialog("BYE", ++callerCSeq, ""), "127.0.0.1", GW);
    String bye = callee.expect(WAIT, "BYE to the callee", m -> "BYE".equals(RawSip.method(m)));
    assertEquals("3 BYE", RawSip.header(bye, "CSeq"));
    callee.send(RawSip.response(bye, 200, "OK", null, "", ""), "127.0.0.1", GW);
    assertEquals(EndCause.NORMAL_CLEARING,
        control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT).cause());
  }

  @Test
  void aCalleeThatStopsRefreshingEndsTheCallAsCallee() throws Exception {
    connect("", "Session-Expires: 4;refresher=uas\n");
    String trnId = control.awaitOnlyArrival(WAIT).trnId();
    assertEquals("4;refresher=uas", RawSip.header(ok, "Session-Expires"), "a caller without timer: we refresh");
    // we refresh the caller (re-INVITE, answered) while the callee, refresher of its leg, never refreshes
    List<String> seen = pump(WAIT.toMillis(), 200, 200, 0, m -> "BYE".equals(RawSip.method(m))
        && RawSip.status(m) < 0 && RawSip.header(m, "Call-ID").equals(RawSip.header(fwd, "Call-ID")));
    assertTrue(seen.stream().anyMatch(m -> "BYE".equals(RawSip.method(m))), () -> "BYE to the callee: " + seen);
    CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> e.trnId().equals(trnId), WAIT);
    assertEquals(EndCause.SESSION_TIMER_EXPIRED, ended.cause());
    assertEquals(HangupParty.CALLEE, ended.by());
    answerCallerByeUnlessSeen(seen);
    assertNull(RawSip.header(fwd, "Require"));
  }

  // ---------------------------------------------------------------- helpers

  /** Caller INVITE → forward INVITE → callee 200 ({@code calleeExtra} headers) → ACK → 200 to the caller → ACK. */
  private void connect(String callerHeaders, String calleeExtra) throws Exception {
    invite = callerInvite(callerHeaders);
    caller.send(invite, "127.0.0.1", GW);
    fwd = callee.expect(WAIT, "forward INVITE", m -> "INVITE".equals(RawSip.method(m)) && RawSip.status(m) < 0);
    callee.send(RawSip.response(fwd, 200, "OK", "c1", CALLEE_CONTACT + calleeExtra, CALLEE_SDP), "127.0.0.1", GW);
    callee.expect(WAIT, "ACK of the callee's 200", m -> "ACK".equals(RawSip.method(m)));
    ok = caller.expect(WAIT, "200 to the INVITE", m -> RawSip.status(m) >= 200 && "INVITE".equals(RawSip.method(m)));
    assertEquals(200, RawSip.status(ok), ok);
    caller.send(callerInDialog("ACK", 1, ""), "127.0.0.1", GW);
  }

  /**
   * Runs both phones for up to {@code millis}: requests of the gateway inside the dialogs (UPDATE, re-INVITE) get
   * {@code callerStatus} / {@code calleeStatus} (a 200 echoes Session-Expires and, for a re-INVITE, answers with the
   * offered SDP), BYEs get 200; the caller sends an UPDATE refresh every {@code callerRefreshMillis} (0 = never).
   * Stops early when a received message matches {@code until}.
   *
   * @return everything received, in order
   */
  private List<String> pump(long millis, int callerStatus, int calleeStatus, long callerRefreshMillis,
      Predicate<String> until) throws IOException {
    List<String> seen = new ArrayList<>();
    long end = System.nanoTime() + millis * 1_000_000;
    long nextRefresh = callerRefreshMillis > 0 ? System.nanoTime() + callerRefreshMillis * 1_000_000 : Long.MAX_VALUE;
    while (System.nanoTime() < end) {
      if (System.nanoTime() >= nextRefresh) {
        caller.send(callerInDialog("UPDATE", ++callerCSeq, "Supported: timer\nSession-Expires: 4;refresher=uac\n"),
            "127.0.0.1", GW);
        nextRefresh += callerRefreshMillis * 1_000_000;
      }
      for (RawSip.Endpoint ep : List.of(caller, callee)) {
        Optional<String> m = ep.receive(Duration.ofMillis(20));
        if (m.isEmpty()) {
          continue;
        }
        String msg = m.get();
        seen.add(msg);
        String method = RawSip.method(msg);
        if (RawSip.status(msg) < 0 && ("UPDATE".equals(method) || "INVITE".equals(method))) {
          int status = ep == caller ? callerStatus : calleeStatus;
          String extra = status == 200 && RawSip.header(msg, "Session-Expires") != null
              ? "Session-Expires: " + RawSip.header(msg, "Session-Expires") + "\nRequire: timer\n" : "";
          String contact = ep == caller ? "Contact: <sip:" + CALLER + "@127.0.0.1:" + CALLER_PORT + ">\n"
              : CALLEE_CONTACT;
          String body = status == 200 && "INVITE".equals(method) ? (ep == caller ? SDP : CALLEE_SDP) : "";
          ep.send(RawSip.response(msg, status, status == 200 ? "OK" : "Call/Transaction Does Not Exist", null,
              status == 200 ? contact + extra : "", body), "127.0.0.1", GW);
        } else if (RawSip.status(msg) < 0 && "BYE".equals(method)) {
          ep.send(RawSip.response(msg, 200, "OK", null, "", ""), "127.0.0.1", GW);
        }
        if (until.test(msg)) {
          return seen;
        }
      }
    }
    return seen;
  }

  /** Waits for the gateway's BYE to the caller and answers it, unless {@link #pump} already did. */
  private void answerCallerByeUnlessSeen(List<String> seen) throws IOException {
    if (seen.stream().noneMatch(m -> "BYE".equals(RawSip.method(m)) && RawSip.status(m) < 0
        && RawSip.header(m, "Call-ID").equals(RawSip.header(invite, "Call-ID")))) {
      String bye = caller.expect(WAIT, "BYE to the caller", m -> "BYE".equals(RawSip.method(m))
          && RawSip.status(m) < 0);
      caller.send(RawSip.response(bye, 200, "OK", null, "", ""), "127.0.0.1", GW);
    }
  }

  /** Waits for a BYE at the callee (and answers it). */
  private boolean calleeByeWithin(Duration d) throws IOException {
    String bye = callee.expect(d, "BYE to the callee", m -> "BYE".equals(RawSip.method(m)) && RawSip.status(m) < 0);
    callee.send(RawSip.response(bye, 200, "OK", null, "", ""), "127.0.0.1", GW);
    return true;
  }

  private String callerInvite(String extraHeaders) {
    String token = "st-" + (++calls) + "-" + System.nanoTime();
    String uri = "sip:" + TRACKING + "@127.0.0.1:" + GW;
    String body = RawSip.crlf(SDP);
    callerCSeq = 1;
    return RawSip.crlf("INVITE " + uri + " SIP/2.0\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + CALLER_PORT + ";branch=z9hG4bK-" + token + "\n"
        + "Max-Forwards: 70\n"
        + "From: <sip:" + CALLER + "@127.0.0.1>;tag=t-" + token + "\n"
        + "To: <" + uri + ">\n"
        + "Call-ID: " + token + "@127.0.0.1\n"
        + "CSeq: 1 INVITE\n"
        + "Contact: <sip:" + CALLER + "@127.0.0.1:" + CALLER_PORT + ">\n"
        + extraHeaders
        + "Content-Type: application/sdp\n"
        + "Content-Length: " + body.length() + "\n\n") + body;
  }

  private String callerInDialog(String method, int cseq, String extraHeaders) {
    return RawSip.crlf(method + " " + RawSip.uri(RawSip.header(ok, "Contact")) + " SIP/2.0\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + CALLER_PORT + ";branch=z9hG4bK-" + method + "-" + System.nanoTime() + "\n"
        + "Max-Forwards: 70\n"
        + "From: " + RawSip.header(invite, "From") + "\n"
        + "To: " + RawSip.header(ok, "To") + "\n"
        + "Call-ID: " + RawSip.header(invite, "Call-ID") + "\n"
        + "CSeq: " + cseq + " " + method + "\n"
        + "Contact: <sip:" + CALLER + "@127.0.0.1:" + CALLER_PORT + ">\n"
        + extraHeaders
        + "Content-Length: 0\n\n");
  }
}
