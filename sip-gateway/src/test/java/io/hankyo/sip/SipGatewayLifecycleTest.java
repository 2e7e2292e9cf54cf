package io.hankyo.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.call.CallInstruction;
import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.sip.testing.FakeCallControl;
import io.hankyo.sip.testing.RawSip;
import io.hankyo.sip.testing.SippProcess;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Shutdown, drain, release and instruction handling; one gateway per test on 15090 (UAS 15091, UAC 15092, raw
 * endpoint 15093).
 */
class SipGatewayLifecycleTest extends GatewayTestSupport {
  static final int GW = 15090;
  static final int UAS = 15091;
  static final int UAC = 15092;
  static final int RAW = 15093;
  static final Duration WAIT = Duration.ofSeconds(20);

  static ActorTestKit kit;
  FakeCallControl control;
  Path dir;

  @BeforeAll
  static void startKit() {
    kit = testKit();
  }

  @AfterAll
  static void stopKit() {
    kit.shutdownTestKit();
  }

  @BeforeEach
  void setUp(TestInfo info) throws Exception {
    control = new FakeCallControl().route(TRACKING, DESTINATION);
    dir = traceDir("lifecycle-" + info.getTestMethod().orElseThrow().getName());
  }

  private SipGateway start(String extra) {
    return SipGateway.start(settings(GW, UAS, extra), control, cipher(), kit.system());
  }

  private static String invite(String callId, String branch) {
    return RawSip.crlf("INVITE sip:" + TRACKING + "@127.0.0.1:" + GW + " SIP/2.0\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + RAW + ";branch=" + branch + "\n"
        + "Max-Forwards: 70\n"
        + "From: <sip:" + CALLER + "@127.0.0.1>;tag=lc1\n"
        + "To: <sip:" + TRACKING + "@127.0.0.1>\n"
        + "Call-ID: " + callId + "\n"
        + "CSeq: 1 INVITE\n"
        + "Contact: <sip:" + CALLER + "@127.0.0.1:" + RAW + ">\n"
        + "Content-Length: 0\n\n");
  }

  @Test
  void afterStopAcceptingCallsNewInvitesGet503WithRetryAfter() throws Exception {
    try (SipGateway gateway = start("retry-after = 7s")) {
      assertTrue(gateway.acceptingCalls());
      gateway.stopAcceptingCalls();
      assertFalse(gateway.acceptingCalls());
      try (CallRun run = new CallRun()) {
        SippProcess uac = run.start(sipp("uac-expect-503.xml", UAC, dir, b -> b.remote("127.0.0.1:" + GW)
            .service(TRACKING).key("caller", CALLER)), false);
        CallRun.assertExit(0, uac, WAIT);
      }
      try (RawSip.Endpoint caller = RawSip.Endpoint.udp(RAW)) {
        caller.send(invite("lc-503@127.0.0.1", "z9hG4bK-lc-503"), "127.0.0.1", GW);
        String r = caller.expect(WAIT, "final", m -> RawSip.status(m) >= 200);
        assertEquals(503, RawSip.status(r), r);
        assertEquals("7", RawSip.header(r, "Retry-After"), r);
        caller.send(RawSip.crlf("OPTIONS sip:127.0.0.1:" + GW + " SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:" + RAW
            + ";branch=z9hG4bK-lc-opt\nMax-Forwards: 70\nFrom: <sip:lb@127.0.0.1>;tag=o\nTo: <sip:127.0.0.1>\n"
            + "Call-ID: lc-opt@127.0.0.1\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n"), "127.0.0.1", GW);
        String o = caller.expect(WAIT, "OPTIONS answer", m -> "OPTIONS".equals(RawSip.method(m)));
        assertEquals(503, RawSip.status(o), "load balancers see the node going away: " + o);
      }
      assertTrue(control.arrivals().isEmpty(), "no call reached the cluster");
      assertEquals(0, gateway.drain(Duration.ofSeconds(1)).toCompletableFuture().get(2, TimeUnit.SECONDS));
    }
  }

  @Test
  void drainReleasesCallsStillUpWhenTheTimeIsOver() throws Exception {
    try (SipGateway gateway = start("")) {
      try (CallRun run = new CallRun()) {
        // both sides wait for a BYE: they exit 0 only if the gateway releases the call
        SippProcess uas = run.start(sipp("uas.xml", UAS, dir, b -> b), true);
        SippProcess uac = run.start(sipp("uac-callee-hangs-up.xml", UAC, dir, b -> b.remote("127.0.0.1:" + GW)
            .service(TRACKING).key("caller", CALLER)), false);
        control.await(CallProgress.Answered.class, a -> true, WAIT);
        long start = System.nanoTime();
        int released = gateway.drain(Duration.ofMillis(500)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertEquals(1, released);
        assertTrue(took >= 450, "drain waited " + took + " ms");
        assertFalse(gateway.acceptingCalls());
        CallRun.assertExit(0, uac, WAIT);
        CallRun.assertExit(0, uas, WAIT);
      }
      CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> true, WAIT);
      assertEquals(EndCause.GATEWAY_FAILURE, ended.cause());
      assertEquals(HangupParty.SYSTEM, ended.by());
      awaitNoLiveCalls(gateway, Duration.ofSeconds(5));
      awaitTransactionsAtMost(gateway, 0, Duration.ofSeconds(2));
    }
  }

  @Test
  void releaseInstructionEndsAnAnsweredCall() throws Exception {
    try (SipGateway gateway = start("")) {
      try (CallRun run = new CallRun()) {
        SippProcess uas = run.start(sipp("uas.xml", UAS, dir, b -> b), true);
        SippProcess uac = run.start(sipp("uac-callee-hangs-up.xml", UAC, dir, b -> b.remote("127.0.0.1:" + GW)
            .service(TRACKING).key("caller", CALLER)), false);
        CallProgress.Answered answered = control.await(CallProgress.Answered.class, a -> true, WAIT);
        gateway.instructions().tell(new CallInstruction.Release(answered.trnId(), EndCause.CLUSTER_FAILURE));
        CallRun.assertExit(0, uac, WAIT);
        CallRun.assertExit(0, uas, WAIT);
      }
      CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> true, WAIT);
      assertEquals(EndCause.CLUSTER_FAILURE, ended.cause());
      assertEquals(HangupParty.SYSTEM, ended.by());
      assertEquals(0, ended.sipStatus());
      awaitNoLiveCalls(gateway, Duration.ofSeconds(5));
    }
  }

  @Test
  void staleOrUnknownInstructionsAreIgnored() throws Exception {
    try (SipGateway gateway = start("")) {
      try (CallRun run = new CallRun()) {
        SippProcess uas = run.start(sipp("uas-ring-forever.xml", UAS, dir, b -> b), true);
        SippProcess uac = run.start(sipp("uac-cancel.xml", UAC, dir, b -> b.remote("127.0.0.1:" + GW)
            .service(TRACKING).key("caller", CALLER).pause(Duration.ofMillis(1500))), false);
        CallProgress.Ringing ringing = control.await(CallProgress.Ringing.class, r -> true, WAIT);
        gateway.instructions().tell(new CallInstruction.CancelForward(ringing.trnId(), 2, EndCause.NO_ANSWER));
        gateway.instructions().tell(new CallInstruction.CancelForward("0123456789abcdef01234567", 1,
            EndCause.NO_ANSWER));
        gateway.instructions().tell(new CallInstruction.Release("0123456789abcdef01234567", EndCause.NO_ANSWER));
        Thread.sleep(400);
        assertEquals(1, gateway.liveCalls(), "still ringing");
        assertTrue(control.progress().stream().noneMatch(p -> p instanceof CallProgress.Ended));
        CallRun.assertExit(0, uac, WAIT);
        CallRun.assertExit(0, uas, WAIT);
      }
      CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> true, WAIT);
      assertEquals(EndCause.CALLER_CANCELLED, ended.cause());
      awaitNoLiveCalls(gateway, Duration.ofSeconds(5));
    }
  }

  @Test
  void maxCallDurationReleasesAnsweredCalls() throws Exception {
    try (SipGateway gateway = start("max-call-duration = 1s")) {
      try (CallRun run = new CallRun()) {
        SippProcess uas = run.start(sipp("uas.xml", UAS, dir, b -> b), true);
        SippProcess uac = run.start(sipp("uac-callee-hangs-up.xml", UAC, dir, b -> b.remote("127.0.0.1:" + GW)
            .service(TRACKING).key("caller", CALLER)), false);
        CallRun.assertExit(0, uac, WAIT);
        CallRun.assertExit(0, uas, WAIT);
      }
      CallProgress.Answered answered = control.await(CallProgress.Answered.class, a -> true, WAIT);
      CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> true, WAIT);
      assertEquals(HangupParty.SYSTEM, ended.by());
      assertEquals(EndCause.NORMAL_CLEARING, ended.cause());
      long talk = Duration.between(answered.at(), ended.at()).toMillis();
      assertTrue(talk >= 950 && talk < 3000, "released after " + talk + " ms");
    }
  }

  @Test
  void closeFreesThePortsAndIsIdempotent() throws Exception {
    long scannersBefore = eventScannerThreads();
    SipGateway first = start("");
    assertNotNull(first.instructions());
    first.close();
    first.close();
    for (int i = 0; i < 100 && eventScannerThreads() > scannersBefore; i++) {
      Thread.sleep(20);
    }
    assertEquals(scannersBefore, eventScannerThreads(),
        "JAIN-SIP's non-daemon EventScannerThread must end, or it keeps the JVM alive");
    try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), GW))) {
      assertTrue(probe.isBound(), "UDP port free after close");
    }
    try (SipGateway second = start("")) {
      assertTrue(second.acceptingCalls());
      assertEquals(0, second.liveCalls());
    }
  }

  @Test
  void startFailsClearlyWhenThePortIsTaken() throws Exception {
    try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), GW))) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> start(""));
      assertTrue(e.getMessage().contains(Integer.toString(GW)), e.getMessage());
    }
    try (SipGateway again = start("")) {
      assertTrue(again.acceptingCalls(), "nothing of the failed start is left behind");
    }
  }

  @Test
  void freeCallTrackingNumbersPresentTheSystemNumberOthersTheCaller() throws Exception {
    control.route("05011112222", DESTINATION);
    try (SipGateway gateway = start("system-caller-number = \"03-6789-0123\"")) {
      String[][] calls = {{TRACKING, "0367890123"}, {"05011112222", CALLER}};
      for (String[] c : calls) {
        SippProcess uasDone;
        try (CallRun run = new CallRun()) {
          SippProcess uas = run.start(sipp("uas-busy.xml", UAS, dir, b -> b.traceMessages().label("uas-" + c[0])),
              true);
          SippProcess uac = run.start(sipp("uac-expect-486.xml", UAC, dir, b -> b.remote("127.0.0.1:" + GW)
              .service(c[0]).key("caller", CALLER).label("uac-" + c[0])), false);
          CallRun.assertExit(0, uac, WAIT);
          CallRun.assertExit(0, uas, WAIT);
          uasDone = uas;
        }
        String invite = SipGatewayCallFlowTest.firstReceivedInvite(uasDone.messages());
        assertEquals(c[1], SipGatewayCallFlowTest.userOf(RawSip.header(invite, "From")),
            "From shown for tracking number " + c[0] + ": " + invite);
      }
      awaitNoLiveCalls(gateway, Duration.ofSeconds(5));
    }
  }

  @Test
  void forwardLegOverTcp() throws Exception {
    try (SipGateway gateway = start("outbound-transport = tcp")) {
      SippProcess uasDone;
      try (CallRun run = new CallRun()) {
        SippProcess uas = run.start(sipp("uas.xml", UAS, dir, b -> b.transport(
            io.hankyo.sip.testing.Sipp.Transport.TCP).traceMessages()), true);
        SippProcess uac = run.start(sipp("uac.xml", UAC, dir, b -> b.remote("127.0.0.1:" + GW)
            .service(TRACKING).key("caller", CALLER).pause(Duration.ofMillis(200))), false);
        CallRun.assertExit(0, uac, WAIT);
        CallRun.assertExit(0, uas, WAIT);
        uasDone = uas;
      }
      String invite = SipGatewayCallFlowTest.firstReceivedInvite(uasDone.messages());
      assertTrue(RawSip.header(invite, "Via").startsWith("SIP/2.0/TCP"), invite);
      CallProgress.Ended ended = control.await(CallProgress.Ended.class, e -> true, WAIT);
      assertEquals(EndCause.NORMAL_CLEARING, ended.cause());
      awaitNoLiveCalls(gateway, Duration.ofSeconds(5));
      awaitTransactionsAtMost(gateway, 0, Duration.ofSeconds(2));
    }
  }

  private static long eventScannerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && "EventScannerThread".equals(t.getName())).count();
  }
}
