package io.hankyo.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.call.CallArrival;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.sip.testing.FakeCallControl;
import io.hankyo.sip.testing.RawSip;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Well-formed INVITEs the gateway cannot serve, sent raw: a Request-URI scheme it does not serve (416, RFC 3261
 * section 8.2.2.1; sips above all, section 26.2.2: the gateway has no TLS), a body it cannot pass on as the session
 * offer (415, section 8.2.3), and a datagram too large for it (513, sections 18.1.1 and 21.5.7) even when the receive
 * buffer cut its body short of its Content-Length. Each gets one final response and reaches no Call entity
 * ({@link FakeCallControl} sees no arrival); the INVITEs of the positive controls (sips only in From/To/Contact, a tel
 * Request-URI, no body, SDP with odd case) do reach it. The refusals use the routed {@link #TRACKING} number, so that
 * an INVITE let through would become a call; the controls use {@link #UNROUTED}, which the fake answers 404 after an
 * arrival. Ports 15084 (gateway UDP+TCP), 15085 (forward destination, never reached), 15086 (raw endpoint, the Via
 * address), 15087 (a second gateway whose max-message-size equals JAIN-SIP's receive buffer).
 */
class SipGatewayUnsupportedRequestTest extends RawGatewayTestSupport {
  static final int GW = 15084;
  static final int UAS = 15085;
  static final int RAW = 15086;
  static final int GW_WIDE = 15087;
  static final Duration WAIT = Duration.ofSeconds(5);
  /** A valid number without a route: the fake rejects it with 404 after an arrival (the positive control). */
  static final String UNROUTED = "0120999888";
  static final String SDP = "v=0\n"
      + "o=caller 1 1 IN IP4 127.0.0.1\n"
      + "s=-\n"
      + "c=IN IP4 127.0.0.1\n"
      + "t=0 0\n"
      + "m=audio 6000 RTP/AVP 0\n"
      + "a=rtpmap:0 PCMU/8000\n";

  @BeforeAll
  static void startGateway() {
    startGatewayOn(GW, UAS);
  }

  @AfterEach
  void nothingLeft() throws Exception {
    awaitNoLiveCalls(gateway, Duration.ofSeconds(5));
    awaitTransactionsAtMost(gateway, 0, Duration.ofSeconds(2));
  }

  /**
   * An INVITE as a carrier would send it: CRLF line ends, Content-Length counted in bytes.
   *
   * @param requestUri the Request-URI as sent
   * @param id makes Call-ID ({@code id@127.0.0.1}), branch and From tag unique
   * @param transport Via transport, UDP or TCP
   * @param headers more header lines, each ending in a line feed (e.g. Content-Type), or empty
   * @param body the body with LF line ends (sent with CRLF), or empty
   */
  static String invite(String requestUri, String id, String transport, String headers, String body) {
    String crlfBody = RawSip.crlf(body);
    return RawSip.crlf("INVITE " + requestUri + " SIP/2.0\n"
        + "Via: SIP/2.0/" + transport + " 127.0.0.1:" + RAW + ";branch=z9hG4bK-" + id + "\n"
        + "Max-Forwards: 70\n"
        + "From: <sip:" + CALLER + "@127.0.0.1>;tag=f-" + id + "\n"
        + "To: <sip:" + TRACKING + "@127.0.0.1>\n"
        + "Call-ID: " + id + "@127.0.0.1\n"
        + "CSeq: 1 INVITE\n"
        + "Contact: <sip:" + CALLER + "@127.0.0.1:" + RAW + ">\n"
        + headers
        + "Content-Length: " + crlfBody.getBytes(StandardCharsets.UTF_8).length + "\n\n") + crlfBody;
  }

  /** An INVITE over UDP to the tracking number's sip URI with the given headers and body. */
  static String udpInvite(String id, String headers, String body) {
    return invite("sip:" + TRACKING + "@127.0.0.1:" + GW, id, "UDP", headers, body);
  }

  /** Sends an INVITE over UDP to {@code port}, returns its final response and ACKs it (ending the transaction). */
  static String udpFinalAcked(String invite, int port) throws Exception {
    try (RawSip.Endpoint peer = RawSip.Endpoint.udp(RAW)) {
      peer.send(invite, "127.0.0.1", port);
      String answer = peer.expect(WAIT, "final response", m -> RawSip.status(m) >= 200);
      peer.send(RawSip.ackFor(invite, answer), "127.0.0.1", port);
      return answer;
    }
  }

  /** Sends over UDP to {@code port} and returns the single final response; no other answer may follow. */
  static String udpFinal(String message, int port) throws Exception {
    try (RawSip.Endpoint peer = RawSip.Endpoint.udp(RAW)) {
      peer.send(message, "127.0.0.1", port);
      String answer = peer.expect(WAIT, "final response", m -> RawSip.status(m) >= 200);
      assertTrue(peer.receive(Duration.ofMillis(300)).isEmpty(), "one answer, no retransmission: "
          + peer.received());
      return answer;
    }
  }

  /**
   * Sends an INVITE over a TCP connection, returns its final response (the only message back) and ACKs it over a new
   * connection: the ACK matches the INVITE's server transaction by its Via branch (RFC 3261 section 17.2.3).
   */
  static String tcpFinalAcked(String invite) throws Exception {
    List<String> answers = RawSip.tcpExchange("127.0.0.1", GW, invite, WAIT);
    assertEquals(1, answers.size(), "exactly one answer over TCP: " + answers);
    String answer = answers.get(0);
    RawSip.tcpExchange("127.0.0.1", GW, RawSip.ackFor(invite, answer), Duration.ofMillis(300));
    return answer;
  }

  /**
   * A final response on the INVITE's server transaction before anything else: exact status line, Call-ID and CSeq
   * copied, a To tag added; no arrival, no call, not counted as malformed or as an unknown number.
   */
  void assertRefusedBeforeAnyCall(int status, String phrase, String response, String id) {
    String statusLine = response.substring(0, response.indexOf("\r\n"));
    assertEquals("SIP/2.0 " + status + " " + phrase, statusLine, response);
    assertEquals(id + "@127.0.0.1", RawSip.header(response, "Call-ID"), response);
    assertEquals("1 INVITE", RawSip.header(response, "CSeq"), response);
    assertNotNull(RawSip.tag(RawSip.header(response, "To")), "To tag added: " + response);
    assertTrue(control.arrivals().isEmpty(), "no CallArrival: " + control.arrivals());
    assertEquals(0, gateway.liveCalls());
    assertEquals(malformedBefore, gateway.malformedRequestCount(), "well-formed, not counted as malformed");
    assertEquals(unknownBefore, gateway.unknownNumberCount(), "never looked up as a number");
  }

  /** The positive control: the INVITE reached the cluster, which rejected the unrouted number with 404. */
  void assertReachedTheCluster(String response) throws Exception {
    assertEquals(404, RawSip.status(response), response);
    assertEquals(PhoneNumbers.parse(UNROUTED).e164(), control.awaitOnlyArrival(WAIT).dialled().e164());
  }

  // ---------------------------------------------------------------- 416 Unsupported URI Scheme

  /** A sips Request-URI over UDP was forwarded over plain UDP, against the TLS that sips demands. */
  @Test
  void sipsRequestUriOverUdpGets416AndNoCall() throws Exception {
    String invite = invite("sips:" + TRACKING + "@127.0.0.1:" + GW, "sips-1", "UDP", "", "");
    assertRefusedBeforeAnyCall(416, "Unsupported URI Scheme", udpFinalAcked(invite, GW), "sips-1");
  }

  @Test
  void sipsRequestUriOverTcpGets416AndNoCall() throws Exception {
    String invite = invite("sips:" + TRACKING + "@127.0.0.1:" + GW, "sips-2", "TCP",
        "Content-Type: application/sdp\n", SDP);
    assertRefusedBeforeAnyCall(416, "Unsupported URI Scheme", tcpFinalAcked(invite), "sips-2");
  }

  /** The scheme is case-insensitive (RFC 3261 section 19.1.4). */
  @Test
  void upperCaseSipsRequestUriGets416() throws Exception {
    String invite = invite("SIPS:" + TRACKING + "@127.0.0.1:" + GW, "sips-3", "UDP", "", "");
    assertRefusedBeforeAnyCall(416, "Unsupported URI Scheme", udpFinalAcked(invite, GW), "sips-3");
  }

  /** Any scheme other than sip and tel is refused the same way, not looked up as a number (404). */
  @Test
  void otherRequestUriSchemeGets416() throws Exception {
    String invite = invite("im:" + TRACKING + "@127.0.0.1", "im-1", "UDP", "", "");
    assertRefusedBeforeAnyCall(416, "Unsupported URI Scheme", udpFinalAcked(invite, GW), "im-1");
  }

  /** Only the Request-URI's scheme matters: sips URIs in From, To and Contact are the caller's business. */
  @Test
  void sipsInFromToAndContactIsNotRefused() throws Exception {
    String invite = invite("sip:" + UNROUTED + "@127.0.0.1:" + GW, "sips-hdr-1", "UDP",
        "Content-Type: application/sdp\n", SDP)
        .replace("From: <sip:", "From: <sips:")
        .replace("To: <sip:", "To: <sips:")
        .replace("Contact: <sip:", "Contact: <sips:");
    assertTrue(invite.contains("From: <sips:") && invite.contains("To: <sips:") && invite.contains("Contact: <sips:"));
    assertReachedTheCluster(udpFinalAcked(invite, GW));
  }

  @Test
  void telRequestUriStillReachesTheCluster() throws Exception {
    String invite = invite("tel:+81-120-999-888", "tel-1", "UDP", "Content-Type: application/sdp\n", SDP);
    assertReachedTheCluster(udpFinalAcked(invite, GW));
  }

  // ---------------------------------------------------------------- 415 Unsupported Media Type

  @Test
  void nonSdpBodyGets415WithAcceptAndNoCall() throws Exception {
    String invite = udpInvite("json-1", "Content-Type: application/json\n", "{\"offer\": \"v=0\"}");
    String answer = udpFinalAcked(invite, GW);
    assertRefusedBeforeAnyCall(415, "Unsupported Media Type", answer, "json-1");
    assertEquals("application/sdp", RawSip.header(answer, "Accept"), answer);
    assertNull(RawSip.header(answer, "Accept-Encoding"), "the encoding was fine: " + answer);
  }

  /** The gateway reads no multipart bodies: the forward leg would carry SDP plus parts nobody checked. */
  @Test
  void multipartBodyWithSdpGets415() throws Exception {
    String body = "--b1\n"
        + "Content-Type: application/sdp\n\n"
        + SDP
        + "--b1\n"
        + "Content-Type: application/isup;version=itu-t92+\n\n"
        + "0101\n"
        + "--b1--\n";
    String invite = udpInvite("multi-1", "Content-Type: multipart/mixed;boundary=b1\nMIME-Version: 1.0\n", body);
    String answer = udpFinalAcked(invite, GW);
    assertRefusedBeforeAnyCall(415, "Unsupported Media Type", answer, "multi-1");
    assertEquals("application/sdp", RawSip.header(answer, "Accept"), answer);
  }

  /** A body without Content-Type (RFC 3261 section 20.15 requires one) cannot be known to be SDP. */
  @Test
  void bodyWithoutContentTypeGets415() throws Exception {
    String answer = udpFinalAcked(udpInvite("untyped-1", "", SDP), GW);
    assertRefusedBeforeAnyCall(415, "Unsupported Media Type", answer, "untyped-1");
    assertEquals("application/sdp", RawSip.header(answer, "Accept"), answer);
  }

  /** SDP in a coding other than identity: 415 naming the coding it reads (RFC 3261 section 8.2.3). */
  @Test
  void gzipContentEncodingGets415WithAcceptEncoding() throws Exception {
    String invite = udpInvite("gzip-1", "Content-Type: application/sdp\nContent-Encoding: gzip\n", SDP);
    String answer = udpFinalAcked(invite, GW);
    assertRefusedBeforeAnyCall(415, "Unsupported Media Type", answer, "gzip-1");
    assertEquals("identity", RawSip.header(answer, "Accept-Encoding"), answer);
    assertNull(RawSip.header(answer, "Accept"), "the type was fine: " + answer);
  }

  /** The compact form {@code e} counts too, and both headers come when both type and coding are wrong. */
  @Test
  void wrongTypeAndCompactContentEncodingGet415WithBothHeaders() throws Exception {
    String invite = udpInvite("both-1", "c: text/plain\ne: identity, deflate\n", "hello");
    String answer = udpFinalAcked(invite, GW);
    assertRefusedBeforeAnyCall(415, "Unsupported Media Type", answer, "both-1");
    assertEquals("application/sdp", RawSip.header(answer, "Accept"), answer);
    assertEquals("identity", RawSip.header(answer, "Accept-Encoding"), answer);
  }

  /** A late offer (no body) still becomes a call, even when a Content-Type of another type came along. */
  @Test
  void inviteWithoutBodyStillReachesTheCluster() throws Exception {
    String plain = invite("sip:" + UNROUTED + "@127.0.0.1:" + GW, "late-1", "UDP", "", "");
    assertReachedTheCluster(udpFinalAcked(plain, GW));
    control.reset();
    String typed = invite("sip:" + UNROUTED + "@127.0.0.1:" + GW, "late-2", "UDP", "Content-Type: text/plain\n", "");
    assertReachedTheCluster(udpFinalAcked(typed, GW));
  }

  /** Media types and codings are case-insensitive; parameters and Content-Encoding: identity are fine. */
  @Test
  void sdpInAnyCaseWithIdentityEncodingReachesTheCluster() throws Exception {
    String invite = invite("sip:" + UNROUTED + "@127.0.0.1:" + GW, "sdp-case-1", "UDP",
        "Content-Type: Application/SDP;charset=UTF-8\nContent-Encoding: Identity\n", SDP);
    assertReachedTheCluster(udpFinalAcked(invite, GW));
  }

  // ---------------------------------------------------------------- 513 Message Too Large

  /** An SDP body padded with attribute lines to {@code bodyBytes} bytes (CRLF line ends). */
  static String paddedSdp(int bodyBytes) {
    StringBuilder b = new StringBuilder(RawSip.crlf(SDP));
    String line = "a=x-pad:" + "x".repeat(62) + "\r\n";
    while (bodyBytes - b.length() >= line.length() + 6) {
      b.append(line);
    }
    String last = "a=x:" + "y".repeat(bodyBytes - b.length() - 6) + "\r\n";
    b.append(last);
    return b.toString();
  }

  /**
   * A stateless 513: the standard phrase (with the reason), Via/Call-ID/CSeq copied, a To tag added, no body; counted
   * as malformed once, no arrival, no transaction.
   */
  void assertTooLarge(String response, String id, SipGateway gw) {
    String statusLine = response.substring(0, response.indexOf("\r\n"));
    assertTrue(statusLine.matches("SIP/2\\.0 513 Message Too Large \\([\\x20-\\x7e]*\\)"), "status line: "
        + statusLine);
    assertTrue(RawSip.header(response, "Via").contains("branch=z9hG4bK-" + id), response);
    assertEquals(id + "@127.0.0.1", RawSip.header(response, "Call-ID"), response);
    assertEquals("1 INVITE", RawSip.header(response, "CSeq"), response);
    assertNotNull(RawSip.tag(RawSip.header(response, "To")), "To tag added: " + response);
    assertEquals("0", RawSip.header(response, "Content-Length"), response);
    assertTrue(control.arrivals().isEmpty(), "no CallArrival: " + control.arrivals());
    assertEquals(0, gw.liveCalls());
    assertEquals(0, gw.openTransactions(), "answered without a transaction");
  }

  /**
   * The newcomer's case: 20-63 KB bodies with a correct Content-Length. JAIN-SIP used to cut such a datagram to its
   * 16,384-byte buffer, the cut body no longer matched its Content-Length and the stock parser's mismatch became
   * {@code 400 Invalid content length}. A 9 KB body (over max-message-size, not cut) was already a 513.
   */
  @Test
  void udpInviteWithALargeBodyGets513NotInvalidContentLength() throws Exception {
    int[] bodySizes = {9_000, 20_000, 30_000, 48_000, 63_000};
    for (int bodyBytes : bodySizes) {
      String id = "big-body-" + bodyBytes;
      String invite = udpInvite(id, "Content-Type: application/sdp\n", "").replace("Content-Length: 0\r\n",
          "Content-Length: " + bodyBytes + "\r\n") + paddedSdp(bodyBytes);
      assertEquals(bodyBytes, RawSip.body(invite).length(), "the body is as long as its Content-Length");
      int datagram = invite.getBytes(StandardCharsets.UTF_8).length;
      assertTrue(datagram > 8192 && datagram < 65_507, "a UDP datagram over max-message-size: " + datagram);
      long malformed = gateway.malformedRequestCount();
      assertTooLarge(udpFinal(invite, GW), id, gateway);
      assertEquals(malformed + 1, gateway.malformedRequestCount(), id + ": counted once as malformed");
    }
  }

  /**
   * The UDP receiver reuses one 64 KiB buffer ({@link gov.nist.javax.sip.stack.ReusedBufferUdpMessageProcessor}): a
   * short INVITE right after a 30 KB datagram is read with its own length, not with the bytes the
   * long one left behind (which would break its Content-Length and give a 400), and reaches the cluster as itself.
   */
  @Test
  void shortDatagramAfterALongOneIsReadAlone() throws Exception {
    var udp = (gov.nist.javax.sip.ListeningPointImpl) gateway.kit.provider.getListeningPoint("udp");
    assertTrue(udp.getMessageProcessor() instanceof gov.nist.javax.sip.stack.ReusedBufferUdpMessageProcessor,
        "UDP is received by the reused-buffer processor: " + udp.getMessageProcessor());
    String big = udpInvite("reuse-big-1", "Content-Type: application/sdp\n", "").replace("Content-Length: 0\r\n",
        "Content-Length: 30000\r\n") + paddedSdp(30_000);
    assertTooLarge(udpFinal(big, GW), "reuse-big-1", gateway);
    String small = invite("sip:" + UNROUTED + "@127.0.0.1:" + GW, "reuse-small-1", "UDP",
        "Content-Type: application/sdp\n", SDP);
    assertTrue(small.getBytes(StandardCharsets.UTF_8).length < 1024, "a short datagram");
    String answer = udpFinalAcked(small, GW);
    assertEquals(404, RawSip.status(answer), answer);
    CallArrival arrival = control.awaitOnlyArrival(WAIT);
    assertEquals("reuse-small-1@127.0.0.1", arrival.sipCallId());
    assertEquals(PhoneNumbers.parse(UNROUTED).e164(), arrival.dialled().e164());
  }

  /** A negative Content-Length in an oversize datagram: the size wins here too (as for a long header). */
  @Test
  void largeBodyWithABadContentLengthGets513() throws Exception {
    String invite = udpInvite("big-neg-1", "Content-Type: application/sdp\n", "").replace("Content-Length: 0\r\n",
        "Content-Length: -1\r\n") + paddedSdp(30_000);
    assertTooLarge(udpFinal(invite, GW), "big-neg-1", gateway);
    assertEquals(malformedBefore + 1, gateway.malformedRequestCount());
  }

  /** A Content-Length beyond a datagram that is within the limit stays the stock 400 (nothing was cut). */
  @Test
  void contentLengthBeyondASmallDatagramStays400() throws Exception {
    String invite = udpInvite("short-body-1", "Content-Type: application/sdp\n", SDP)
        .replaceFirst("Content-Length: \\d+", "Content-Length: 5000");
    String answer = udpFinal(invite, GW);
    assertEquals(400, RawSip.status(answer), answer);
    assertTrue(control.arrivals().isEmpty(), "no CallArrival: " + control.arrivals());
  }

  /**
   * JAIN-SIP reads datagrams of up to 65,535 bytes whole ({@link SipGateway#STACK_MESSAGE_SIZE}, RFC 3261 section
   * 18.1.1), so with max-message-size raised to 32 KiB a 30 KB INVITE is a call (it used to be cut to 16 KiB and
   * refused) while a 60 KB one, whole as well, is answered 513 with its own Call-ID and CSeq.
   */
  @Test
  void datagramsUpTo64KiBArriveWholeAndMaxMessageSizeDecides() throws Exception {
    int limit = 32_768;
    try (SipGateway wide = SipGateway.start(settings(GW_WIDE, UAS, "max-message-size = " + limit), control,
        cipher(), kit.system())) {
      long malformed = wide.malformedRequestCount();
      String head = invite("sip:" + UNROUTED + "@127.0.0.1:" + GW_WIDE, "whole-1", "UDP",
          "Content-Type: application/sdp\n", "");
      String fits = head.replace("Content-Length: 0\r\n", "Content-Length: 30000\r\n") + paddedSdp(30_000);
      assertTrue(fits.getBytes(StandardCharsets.UTF_8).length > 16_384, "longer than the old 16 KiB buffer");
      assertEquals(30_000, RawSip.body(fits).length(), "the body is as long as its Content-Length");
      assertReachedTheCluster(udpFinalAcked(fits, GW_WIDE));
      assertEquals(malformed, wide.malformedRequestCount(), "not malformed");
      control.reset();

      String big = invite("sip:" + TRACKING + "@127.0.0.1:" + GW_WIDE, "whole-2", "UDP",
          "Content-Type: application/sdp\n", "").replace("Content-Length: 0\r\n", "Content-Length: 60000\r\n")
          + paddedSdp(60_000);
      assertTooLarge(udpFinal(big, GW_WIDE), "whole-2", wide);
      assertEquals(malformed + 1, wide.malformedRequestCount());
      awaitTransactionsAtMost(wide, 0, Duration.ofSeconds(2));
    }
  }

  /**
   * Over TCP a Content-Length above 16 KiB made JAIN-SIP close the connection without an answer; now any request up
   * to 64 KiB over max-message-size gets its 513 on the connection it came on.
   */
  @Test
  void tcpInviteWithA40KbBodyGets513NotAClosedConnection() throws Exception {
    String invite = invite("sip:" + TRACKING + "@127.0.0.1:" + GW, "tcp-big-1", "TCP",
        "Content-Type: application/sdp\n", "").replace("Content-Length: 0\r\n", "Content-Length: 40000\r\n")
        + paddedSdp(40_000);
    long malformed = gateway.malformedRequestCount();
    List<String> answers = RawSip.tcpExchange("127.0.0.1", GW, invite, WAIT);
    assertEquals(1, answers.size(), "one answer over TCP: " + answers);
    assertTooLarge(answers.get(0), "tcp-big-1", gateway);
    assertEquals(malformed + 1, gateway.malformedRequestCount());
  }
}
