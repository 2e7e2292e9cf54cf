package io.hankyo.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.calllog.HangupParty;
import org.junit.jupiter.api.Test;

/** The callee-failure table of {@link SipGateway}'s docstring. */
class OutcomesTest {
  private static void expect(int callee, int caller, EndCause cause) {
    Outcomes.Outcome o = Outcomes.forCalleeStatus(callee);
    assertEquals(caller, o.callerStatus(), "caller status for " + callee);
    assertEquals(cause, o.cause(), "cause for " + callee);
    assertEquals(HangupParty.CALLEE, o.by());
  }

  @Test
  void calleeFailures() {
    expect(486, 486, EndCause.BUSY);
    expect(600, 486, EndCause.BUSY);
    expect(603, 603, EndCause.DECLINED);
    expect(403, 603, EndCause.DECLINED);
    expect(404, 480, EndCause.UNREACHABLE);
    expect(480, 480, EndCause.UNREACHABLE);
    expect(408, 480, EndCause.UNREACHABLE);
    expect(410, 480, EndCause.UNREACHABLE);
    expect(302, 480, EndCause.UNREACHABLE);
    expect(488, 488, EndCause.UNREACHABLE);
    expect(500, 502, EndCause.UNREACHABLE);
    expect(503, 502, EndCause.UNREACHABLE);
  }

  @Test
  void causesDecidedByClusterOrGateway() {
    assertEquals(480, Outcomes.callerStatusFor(EndCause.NO_ANSWER));
    assertEquals(480, Outcomes.callerStatusFor(EndCause.UNREACHABLE));
    assertEquals(486, Outcomes.callerStatusFor(EndCause.BUSY));
    assertEquals(603, Outcomes.callerStatusFor(EndCause.DECLINED));
    assertEquals(487, Outcomes.callerStatusFor(EndCause.CALLER_CANCELLED));
    assertEquals(503, Outcomes.callerStatusFor(EndCause.GATEWAY_FAILURE));
    assertEquals(503, Outcomes.callerStatusFor(EndCause.CLUSTER_FAILURE));
  }
}
