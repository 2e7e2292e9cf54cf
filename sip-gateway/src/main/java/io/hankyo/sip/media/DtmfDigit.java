package io.hankyo.sip.media;

/**
 * One key press, as reported by {@link DtmfDetector} or read from a SIP INFO body ({@link SipInfoDtmf}).
 *
 * @param digit '0'-'9', '*', '#', 'A'-'D'
 * @param source where it came from
 * @param eventTimestamp for {@link Source#RTP_EVENT}: the RTP timestamp of the event's start (samples), which
 *     identifies the event; -1 for SIP INFO
 * @param durationMillis the duration known when the digit was reported, ms (RFC 4733: the duration so far, which
 *     is 0 for the start packet; INFO: the Duration field, or -1 when absent)
 */
public record DtmfDigit(char digit, Source source, long eventTimestamp, int durationMillis) {

  /** How a digit reached the gateway. */
  public enum Source {
    /** An RFC 4733 telephone-event in the RTP stream. */
    RTP_EVENT,
    /** A SIP INFO request ({@code application/dtmf-relay} or {@code application/dtmf}). */
    SIP_INFO
  }
}
