package io.hankyo.protocol.call;

/**
 * Why a call (or a forward attempt) ended, as the gateway observed it in SIP (RFC 3261) terms. The Call entity maps
 * it to {@code dial_stat} and {@code hup_usr} (spec section 6).
 */
public enum EndCause {
  /** BYE after answer. */
  NORMAL_CLEARING,
  /** The caller sent CANCEL (or BYE) before the destination answered. */
  CALLER_CANCELLED,
  /** The destination answered 486 Busy Here or 600 Busy Everywhere. */
  BUSY,
  /** Nobody answered within the ring timeout; the gateway sent CANCEL to the destination and 480 to the caller. */
  NO_ANSWER,
  /** The destination declined (603 Decline, 403). */
  DECLINED,
  /** The destination was unreachable (404, 480, 408, 5xx, transport error, transaction timeout). */
  UNREACHABLE,
  /** A 200 OK crossed our CANCEL (RFC 5407 section 3.1.2): ACKed then BYEd, never connected. */
  ANSWER_CANCEL_RACE,
  /** The gateway could not continue the call (internal error, shutdown). */
  GATEWAY_FAILURE,
  /** The cluster did not decide in time (ask timeout, entity unavailable). */
  CLUSTER_FAILURE,
  /**
   * The call flow ended the call before any destination answered and after no failed forward attempt: a hangup step
   * (e.g. outside business hours, or after the longest wait of a queue). 不完了呼, システム.
   */
  FLOW_ENDED,
  /** The call flow could not go on (a step missing from a stored flow, or too many transitions). ステータス異. */
  FLOW_ERROR,
  /**
   * The gateway received no RTP (RFC 3550) for {@code hankyo.sip.media.rtp-timeout} on a call whose media it anchors:
   * from the caller while it was answered with media (guidance, IVR, queue, a ringing forward leg), or from either
   * side of a bridged call. The caller's phone or network is presumed gone (no BYE came); the gateway BYEd the legs.
   * Added after the other causes: readers that do not know it see an unknown enum constant.
   */
  MEDIA_TIMEOUT,
  /**
   * An RFC 4028 session timer of one leg expired: the refresh the gateway waited for did not come before {@code
   * interval - min(32 s, interval/3)}, or a refresh the gateway sent failed with 408/481 or timed out (section 10).
   * The party of that leg is presumed gone (no BYE came); the gateway BYEd both legs. Reported by 発信者 for the
   * caller's leg, 着信者 for the callee's. Added after the other causes: readers that do not know it see an unknown
   * enum constant.
   */
  SESSION_TIMER_EXPIRED
}
