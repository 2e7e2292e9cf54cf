package io.hankyo.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Requests whose request line the gateway must refuse, sent raw: an oversized or unparsable Request-URI (414, 400),
 * a user part that is no tracking number (404), an unsupported SIP version (505), and a new INVITE whose handling
 * fails unexpectedly (500). Each must get exactly one well-formed final response, reach no Call entity
 * ({@link FakeCallControl} sees no arrival) and leave no call or transaction. Ports 15094 (gateway UDP+TCP), 15095
 * (forward destination, never reached), 15096 (raw endpoint, the Via address), 15097 (a second raw endpoint).
 */
class SipGatewayRequestLineTest extends RawGatewayTestSupport {
  static final int GW = 15094;
  static final int UAS = 15095;
  static final int RAW = 15096;
  static final int OTHER = 15097;
  static final Duration WAIT = Duration.ofSeconds(5);
  /** A valid number without a route: the fake rejects it with 404 after an arrival (the positive control). */
  static final String UNROUTED = "0120999888";

  @BeforeAll
  static void startGateway() {
    startGatewayOn(GW, UAS);
  }

  @AfterEach
  void nothingLeftAndStillServing() throws Exception {
    awaitNoLiveCalls(gateway, Duration.ofSeconds(5));
    awaitTransactionsAtMost(gateway, 0, Duration.ofSeconds(2));
    try (RawSip.Endpoint peer = RawSip.Endpoint.udp(RAW)) {
      peer.send(request("OPTIONS", "sip:" + GW + "@127.0.0.1:" + GW, "SIP/2.0", "alive", "UDP", "0120123456"),
          "127.0.0.1", GW);
      assertEquals(200, RawSip.status(peer.expect(WAIT, "200 to OPTIONS", m -> RawSip.status(m) > 0)));
    }
  }

  /**
   * A request as a carrier would send it (CRLF, Content-Length 0).
   *
   * @param id makes Call-ID ({@code id@127.0.0.1}), branch and From tag unique
   * @param transport Via transport, UDP or TCP
   * @param toUser user part of the To URI
   */
  static String request(String method, String requestUri, String version, String id, String transport,
      String toUser) {
    return RawSip.crlf(method + " " + requestUri + " " + version + "\n"
        + "Via: SIP/2.0/" + transport + " 127.0.0.1:" + RAW + ";branch=z9hG4bK-" + id + "\n"
        + "Max-Forwards: 70\n"
        + "From: <sip:0311112222@127.0.0.1>;tag=f-" + id + "\n"
        + "To: <sip:" + toUser + "@127.0.0.1>\n"
        + "Call-ID: " + id + "@127.0.0.1\n"
        + "CSeq: 1 " + method + "\n"
        + "Contact: <sip:0311112222@127.0.0.1:" + RAW + ">\n"
        + "Content-Length: 0\n\n");
  }

  static String invite(String user, String id) {
    return request("INVITE", "sip:" + user + "@127.0.0.1:" + GW, "SIP/2.0", id, "UDP", "0120123456");
  }

  /** The ACK of a non-2xx final response (RFC 3261 section 17.1.1.3): same branch, To with the response's tag. */

  /** Sends over UDP from the raw endpoint and returns the single final response; nothing else may follow. */
  static String udpFinal(String message) throws Exception {
    try (RawSip.Endpoint peer = RawSip.Endpoint.udp(RAW)) {
      peer.send(message, "127.0.0.1", GW);
      String answer = peer.expect(WAIT, "final response", m -> RawSip.status(m) >= 200);
      assertTrue(peer.receive(Duration.ofMillis(300)).isEmpty(), "one answer, no retransmission: "
          + peer.received());
      return answer;
    }
  }

  /** Sends an INVITE over UDP, returns its final response and ACKs it (which ends the server transaction). */
  static String udpFinalAcked(String invite) throws Exception {
    try (RawSip.Endpoint peer = RawSip.Endpoint.udp(RAW)) {
      peer.send(invite, "127.0.0.1", GW);
      String answer = peer.expect(WAIT, "final response", m -> RawSip.status(m) >= 200);
      peer.send(RawSip.ackFor(invite, answer), "127.0.0.1", GW);
      return answer;
    }
  }

  /** Sends over a fresh TCP connection and returns the one message that came back. */
  static String tcpFinal(String message) throws Exception {
    List<String> answers = RawSip.tcpExchange("127.0.0.1", GW, message, WAIT);
    assertEquals(1, answers.size(), "exactly one answer over TCP: " + answers);
    return answers.get(0);
  }

  /**
   * A stateless refusal: exact status and phrase, one-line status line, the request's Via/Call-ID/CSeq/From copied
   * (RFC 3261 section 8.2.6.2), a To tag added, no body; counted as malformed, no arrival, no call, no transaction.
   */
  void assertRefused(int status, String phrase, String response, String id, String method) {
    String statusLine = response.substring(0, response.indexOf("\r\n"));
    assertTrue(statusLine.matches("SIP/2\\.0 " + status + " " + phrase + "( \\([\\x20-\\x7e]*\\))?"),
        "status line: " + statusLine);
    assertEquals(status, RawSip.status(response), response);
    assertTrue(RawSip.header(response, "Via").contains("branch=z9hG4bK-" + id), response);
    assertEquals(id + "@127.0.0.1", RawSip.header(response, "Call-ID"), response);
    assertEquals("1 " + method, RawSip.header(response, "CSeq"), response);
    assertEquals("f-" + id, RawSip.tag(RawSip.header(response, "From")), response);
    assertNotNull(RawSip.tag(RawSip.header(response, "To")), "To tag added: " + response);
    assertEquals("0", RawSip.header(response, "Content-Length"), response);
    assertEquals(malformedBefore + 1, gateway.malformedRequestCount(), "counted once as malformed");
    assertEquals(unknownBefore, gateway.unknownNumberCount(), "never looked up as a number");
    assertTrue(control.arrivals().isEmpty(), "no CallArrival: " + control.arrivals());
    assertEquals(0, gateway.liveCalls());
    assertEquals(0, gateway.openTransactions(), "answered without a transaction");
  }

  /** A 404 for a user part that is not a tracking number: never asked the cluster, counted as unknown number. */
  void assertNotANumber(String response) {
    assertEquals(404, RawSip.status(response), response);
    assertNotNull(RawSip.tag(RawSip.header(response, "To")), response);
    assertEquals(unknownBefore + 1, gateway.unknownNumberCount());
    assertEquals(malformedBefore, gateway.malformedRequestCount());
    assertTrue(control.arrivals().isEmpty(), "no CallArrival: " + control.arrivals());
  }

  // ---------------------------------------------------------------- 414 Request-URI Too Long

  /** The newcomer's case: a 5000-digit user part, the datagram well below max-message-size. */
  @Test
  void fiveThousandDigitUserPartGets414() throws Exception {
    String invite = invite("0120" + "1".repeat(4996), "long-1");
    assertTrue(invite.getBytes(StandardCharsets.UTF_8).length < 8192, "below max-message-size");
    assertRefused(414, "Request-URI Too Long", udpFinal(invite), "long-1", "INVITE");
  }

  /**
   * As a UAC sends it, To repeats the Request-URI: 10 KB, over max-message-size. JAIN-SIP's 8192-byte receive buffer
   * used to cut it inside To, Call-ID and CSeq were lost and the request was dropped in silence.
   */
  @Test
  void longUserPartRepeatedInToGets414EvenBeyondMaxMessageSize() throws Exception {
    String user = "0120" + "1".repeat(4996);
    String invite = request("INVITE", "sip:" + user + "@127.0.0.1:" + GW, "SIP/2.0", "long-2", "UDP", user);
    assertTrue(invite.getBytes(StandardCharsets.UTF_8).length > 8192, "above max-message-size");
    assertRefused(414, "Request-URI Too Long", udpFinal(invite), "long-2", "INVITE");
  }

  /** Over TCP the same request used to close the connection without an answer (headers over 4096 bytes). */
  @Test
  void longUserPartOverTcpGets414() throws Exception {
    String user = "0120" + "1".repeat(4996);
    String invite = request("INVITE", "sip:" + user + "@127.0.0.1:" + GW, "SIP/2.0", "long-3", "TCP", user);
    assertRefused(414, "Request-URI Too Long", tcpFinal(invite), "long-3", "INVITE");
  }

  /** A Request-URI of exactly the limit is still read (404: not a number); one character more is refused. */
  @Test
  void requestUriLimitIsExact() throws Exception {
    String base = "sip:@127.0.0.1:" + GW;
    int digits = LenientMessageParserFactory.MAX_REQUEST_URI_LENGTH - base.length();
    String atLimit = "0120" + "1".repeat(digits - 4);
    assertEquals(LenientMessageParserFactory.MAX_REQUEST_URI_LENGTH, ("sip:" + atLimit + "@127.0.0.1:" + GW).length());
    assertNotANumber(udpFinalAcked(invite(atLimit, "limit-1")));
    awaitTransactionsAtMost(gateway, 0, Duration.ofSeconds(2));
    unknownBefore = gateway.unknownNumberCount();
    assertRefused(414, "Request-URI Too Long", udpFinal(invite(atLimit + "1", "limit-2")), "limit-2", "INVITE");
  }

  /** Letters instead of digits, long enough: refused by length before anything reads them. */
  @Test
  void longNonDigitUserPartGets414() throws Exception {
    assertRefused(414, "Request-URI Too Long", udpFinal(invite("x".repeat(300), "letters-long")), "letters-long",
        "INVITE");
  }

  /** The limit holds for every method, not only INVITE. */
  @Test
  void longRequestUriOfOptionsGets414() throws Exception {
    String options = request("OPTIONS", "sip:" + "9".repeat(1000) + "@127.0.0.1:" + GW, "SIP/2.0", "long-opt",
        "UDP", "0120123456");
    assertRefused(414, "Request-URI Too Long", udpFinal(options), "long-opt", "OPTIONS");
  }

  // ---------------------------------------------------------------- 404: not a tracking number

  @Test
  void fortyDigitUserPartGets404() throws Exception {
    String forty = "0120" + "1".repeat(36);
    assertEquals(40, forty.length());
    assertNotANumber(udpFinalAcked(invite(forty, "forty-1")));
  }

  @Test
  void nonDigitUserPartGets404() throws Exception {
    assertNotANumber(udpFinalAcked(invite("tracking-number-please", "letters-1")));
  }

  @Test
  void punctuationOnlyUserPartGets404() throws Exception {
    assertNotANumber(udpFinalAcked(invite("(((---...)))", "punct-1")));
  }

  // ---------------------------------------------------------------- 400: unparsable Request-URI

  /** Over UDP JAIN-SIP answered this itself; over TCP it closed the connection without a word. */
  @Test
  void unparsableRequestUriGets400OverUdpAndTcp() throws Exception {
    String udp = request("INVITE", "sip:0120@@bad@127.0.0.1:" + GW, "SIP/2.0", "bad-uri-1", "UDP", "0120123456");
    assertRefused(400, "Bad Request", udpFinal(udp), "bad-uri-1", "INVITE");
    malformedBefore = gateway.malformedRequestCount();
    String tcp = request("INVITE", "sip:0120@@bad@127.0.0.1:" + GW, "SIP/2.0", "bad-uri-2", "TCP", "0120123456");
    assertRefused(400, "Bad Request", tcpFinal(tcp), "bad-uri-2", "INVITE");
  }

  // ---------------------------------------------------------------- 505 Version Not Supported

  /**
   * JAIN-SIP read any version as SIP/2.0, so this INVITE became a call. The same INVITE as SIP/2.0 does reach the
   * cluster (the positive control for "no arrival").
   */
  @Test
  void sip3InviteGets505AndNoCall() throws Exception {
    String v3 = request("INVITE", "sip:" + UNROUTED + "@127.0.0.1:" + GW, "SIP/3.0", "v3-1", "UDP", UNROUTED);
    assertRefused(505, "Version Not Supported", udpFinal(v3), "v3-1", "INVITE");
    String v2 = request("INVITE", "sip:" + UNROUTED + "@127.0.0.1:" + GW, "SIP/2.0", "v2-1", "UDP", UNROUTED);
    assertEquals(404, RawSip.status(udpFinalAcked(v2)));
    assertEquals(PhoneNumbers.parse(UNROUTED).e164(), control.awaitOnlyArrival(WAIT).dialled().e164());
  }

  /** A SIP/3.0 Via (the whole message in the other version) changes nothing. */
  @Test
  void sip3InviteWithSip3ViaGets505() throws Exception {
    String v3 = request("INVITE", "sip:" + TRACKING + "@127.0.0.1:" + GW, "SIP/3.0", "v3-2", "UDP", TRACKING)
        .replace("Via: SIP/2.0/UDP", "Via: SIP/3.0/UDP");
    assertRefused(505, "Version Not Supported", udpFinal(v3), "v3-2", "INVITE");
  }

  @Test
  void sip3OptionsGets505() throws Exception {
    String v3 = request("OPTIONS", "sip:127.0.0.1:" + GW, "SIP/3.0", "v3-3", "UDP", TRACKING);
    assertRefused(505, "Version Not Supported", udpFinal(v3), "v3-3", "OPTIONS");
  }

  @Test
  void sip1InviteGets505() throws Exception {
    String v1 = request("INVITE", "sip:" + TRACKING + "@127.0.0.1:" + GW, "SIP/1.0", "v1-1", "UDP", TRACKING);
    assertRefused(505, "Version Not Supported", udpFinal(v1), "v1-1", "INVITE");
  }

  @Test
  void sip3OverTcpGets505() throws Exception {
    String invite = request("INVITE", "sip:" + TRACKING + "@127.0.0.1:" + GW, "SIP/3.0", "v3-4", "TCP", TRACKING);
    assertRefused(505, "Version Not Supported", tcpFinal(invite), "v3-4", "INVITE");
    malformedBefore = gateway.malformedRequestCount();
    String options = request("OPTIONS", "sip:127.0.0.1:" + GW, "SIP/3.0", "v3-5", "TCP", TRACKING);
    assertRefused(505, "Version Not Supported", tcpFinal(options), "v3-5", "OPTIONS");
  }

  /**
   * The refusal goes where the top Via says (RFC 3261 section 18.2.2: sent-by port, no rport asked), not back to the
   * datagram's source port as JAIN-SIP's own 505 would have.
   */
  @Test
  void refusalGoesToTheViaAddress() throws Exception {
    String v3 = request("OPTIONS", "sip:127.0.0.1:" + GW, "SIP/3.0", "v3-6", "UDP", TRACKING);
    String answer;
    try (RawSip.Endpoint viaAddress = RawSip.Endpoint.udp(RAW); RawSip.Endpoint source = RawSip.Endpoint.udp(OTHER)) {
      source.send(v3, "127.0.0.1", GW);
      answer = viaAddress.expect(WAIT, "505 at the Via address", m -> RawSip.status(m) > 0);
      assertTrue(source.receive(Duration.ofMillis(300)).isEmpty(), "nothing to the source port: "
          + source.received());
    }
    assertRefused(505, "Version Not Supported", answer, "v3-6", "OPTIONS");
  }

  // ---------------------------------------------------------------- 500: unexpected failure

  /** Any exception while admitting a new INVITE ends in 500 (not silence) and leaves no call or transaction. */
  @Test
  void unexpectedFailureOfANewInviteGets500() throws Exception {
    gateway.dialledNumber = uri -> {
      throw new IllegalStateException("injected failure while reading " + uri);
    };
    String answer;
    try {
      answer = udpFinalAcked(invite(TRACKING, "boom-1"));
    } finally {
      gateway.dialledNumber = CallerIdentity::numberOf;
    }
    assertEquals(500, RawSip.status(answer), answer);
    assertNotNull(RawSip.tag(RawSip.header(answer, "To")), answer);
    assertEquals("boom-1@127.0.0.1", RawSip.header(answer, "Call-ID"), answer);
    assertTrue(control.arrivals().isEmpty(), "no CallArrival: " + control.arrivals());
    assertEquals(0, gateway.liveCalls());
    awaitTransactionsAtMost(gateway, 0, Duration.ofSeconds(2)); // the ACK released the INVITE transaction
  }
}
