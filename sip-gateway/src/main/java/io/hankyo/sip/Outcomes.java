package io.hankyo.sip;

import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.calllog.HangupParty;

/** How callee failures and end causes map to what the caller hears (the table is in {@link SipGateway}). */
final class Outcomes {
  private Outcomes() {}

  /**
   * What the caller gets when the forward leg fails.
   *
   * @param callerStatus final response to the caller's INVITE
   * @param cause reported end cause
   * @param by reported hang-up party
   */
  record Outcome(int callerStatus, EndCause cause, HangupParty by) {}

  /** For a final non-2xx response of the callee (RFC 3261 section 21). */
  static Outcome forCalleeStatus(int status) {
    switch (status) {
      case 486:
      case 600:
        return new Outcome(486, EndCause.BUSY, HangupParty.CALLEE);
      case 603:
      case 403:
        return new Outcome(603, EndCause.DECLINED, HangupParty.CALLEE);
      case 488:
      case 606:
        return new Outcome(488, EndCause.UNREACHABLE, HangupParty.CALLEE);
      default:
        if (status >= 500 && status < 600) {
          return new Outcome(502, EndCause.UNREACHABLE, HangupParty.CALLEE);
        }
        // 3xx (redirects are not followed), 404, 408, 410, 480, 484 and other 4xx/6xx
        return new Outcome(480, EndCause.UNREACHABLE, HangupParty.CALLEE);
    }
  }

  /** The final response to the caller when the gateway or the cluster ends an unanswered call for {@code cause}. */
  static int callerStatusFor(EndCause cause) {
    switch (cause) {
      case BUSY:
        return 486;
      case DECLINED:
        return 603;
      case CALLER_CANCELLED:
        return 487;
      case GATEWAY_FAILURE:
      case CLUSTER_FAILURE:
        return 503;
      case NO_ANSWER:
      case UNREACHABLE:
      default:
        return 480;
    }
  }
}
