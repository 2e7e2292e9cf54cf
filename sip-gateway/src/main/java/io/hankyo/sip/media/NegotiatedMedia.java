package io.hankyo.sip.media;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * The outcome of an SDP offer/answer for one audio stream: what to send where.
 *
 * @param remoteAddress the peer's c= address as written (IPv4, IPv6 or a host name); empty when the peer gave
 *     {@code 0.0.0.0} (RFC 3264 section 8.4 hold) and its address is to be learnt from its packets
 * @param remotePort the peer's RTP port from its m= line, 1-65535
 * @param codec the codec both sides use
 * @param codecPayloadType the payload type number of the codec in this session (0/8, or a dynamic number when the
 *     peer mapped G.711 with rtpmap)
 * @param telephoneEventPayloadType the payload type of {@code telephone-event/8000} (RFC 4733 section 7), or -1
 *     when the peer did not offer it (then DTMF can only come by SIP INFO)
 * @param remotePtimeMillis the peer's {@code a=ptime} in ms, or -1 when absent (we send 20 ms either way)
 * @param localDirection our direction: what we may do (e.g. {@code RECVONLY} when the peer only sends)
 */
public record NegotiatedMedia(
    String remoteAddress,
    int remotePort,
    Codec codec,
    int codecPayloadType,
    int telephoneEventPayloadType,
    int remotePtimeMillis,
    MediaDirection localDirection) {

  /** True when the telephone-event payload type was negotiated. */
  public boolean hasTelephoneEvent() {
    return telephoneEventPayloadType >= 0;
  }

  /**
   * The peer's RTP address, resolved (a literal IP needs no DNS; a host name is looked up, which may block).
   *
   * @return empty when the peer gave no address (0.0.0.0) or the name does not resolve
   */
  public Optional<InetSocketAddress> remoteSocketAddress() {
    if (remoteAddress.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new InetSocketAddress(InetAddress.getByName(remoteAddress), remotePort));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }
}
