package io.hankyo.sip.media;

/**
 * The result of reading a peer's SDP: either agreed media (with our answer when the peer's SDP was an offer), or a
 * refusal saying why.
 */
public sealed interface SdpNegotiation permits SdpNegotiation.Accepted, SdpNegotiation.Rejected {

  /**
   * Agreed.
   *
   * @param media what to send where
   * @param answerSdp our SDP answer (CRLF line ends) when the peer's SDP was an offer; empty when it was the answer
   *     to our offer
   */
  record Accepted(NegotiatedMedia media, String answerSdp) implements SdpNegotiation {}

  /**
   * Refused.
   *
   * @param status the SIP status to answer an offer with: 488 Not Acceptable Here (RFC 3261 section 21.4.26) when
   *     the SDP is understood but nothing in it is acceptable, 400 when it cannot be parsed
   * @param warningCode the Warning header code (RFC 3261 section 20.43): 304 media type not available, 305
   *     incompatible media format, 302 incompatible transport protocol, 399 miscellaneous
   * @param reason a sentence for the Warning text and the logs, e.g.
   *     {@code "no common codec: offered 18 (G729/8000), 9 (G722/8000); we take PCMU (0), PCMA (8)"}
   */
  record Rejected(int status, int warningCode, String reason) implements SdpNegotiation {}
}
