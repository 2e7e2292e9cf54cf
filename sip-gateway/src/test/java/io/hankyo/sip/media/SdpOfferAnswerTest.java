package io.hankyo.sip.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SdpOfferAnswerTest {
  /** What sipp offers with its pcap scenarios (platform facts): PCMA and telephone-event 101. */
  static final String SIPP_OFFER = """
      v=0
      o=user1 53655765 2353687637 IN IP4 127.0.0.1
      s=-
      c=IN IP4 127.0.0.1
      t=0 0
      m=audio 6000 RTP/AVP 8 101
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-11,16
      """;

  final SdpOfferAnswer leg = new SdpOfferAnswer("127.0.0.1");

  static SdpNegotiation.Accepted accepted(SdpNegotiation n) {
    return assertInstanceOf(SdpNegotiation.Accepted.class, n, n.toString());
  }

  static SdpNegotiation.Rejected rejected(SdpNegotiation n) {
    return assertInstanceOf(SdpNegotiation.Rejected.class, n, n.toString());
  }

  static List<String> lines(String sdp) {
    return Arrays.asList(sdp.split("\r\n"));
  }

  @Test
  void holdIsSendonlyRecvonlyInactiveOrTheNullAddress() {
    String base = "v=0\r\no=a 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
        + "m=audio 6000 RTP/AVP 0\r\n";
    assertFalse(SdpOfferAnswer.isHold(base));
    assertFalse(SdpOfferAnswer.isHold(base + "a=sendrecv\r\n"));
    assertTrue(SdpOfferAnswer.isHold(base + "a=sendonly\r\n"));
    assertTrue(SdpOfferAnswer.isHold(base + "a=recvonly\r\n"));
    assertTrue(SdpOfferAnswer.isHold(base + "a=inactive\r\n"));
    assertTrue(SdpOfferAnswer.isHold(base.replace("c=IN IP4 10.0.0.1", "c=IN IP4 0.0.0.0")), "RFC 2543 hold");
    assertTrue(SdpOfferAnswer.isHold(base.replace("t=0 0\r\n", "t=0 0\r\na=inactive\r\n")), "session level");
    assertFalse(SdpOfferAnswer.isHold("not sdp"));
  }

  @Test
  void holdOffersGetTheMatchingDirectionAndANewVersionOnlyWhenChanged() {
    String ours = "v=0\r\no=hankyo 5 3 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n"
        + "m=audio 20000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
        + "a=sendrecv\r\n";
    String offerBase = "v=0\r\no=a 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
        + "m=audio 6000 RTP/AVP 0\r\n";
    assertEquals(MediaDirection.SENDONLY, SdpOfferAnswer.offeredDirection(offerBase + "a=sendonly\r\n"));
    assertEquals(MediaDirection.SENDRECV, SdpOfferAnswer.offeredDirection(offerBase));
    assertEquals(MediaDirection.INACTIVE,
        SdpOfferAnswer.offeredDirection(offerBase.replace("c=IN IP4 10.0.0.1", "c=IN IP4 0.0.0.0")));
    assertEquals(MediaDirection.RECVONLY, SdpOfferAnswer.answerDirection(MediaDirection.SENDONLY));
    assertEquals(MediaDirection.INACTIVE, SdpOfferAnswer.answerDirection(MediaDirection.INACTIVE));
    assertEquals(MediaDirection.SENDONLY, SdpOfferAnswer.answerDirection(MediaDirection.RECVONLY));

    String held = SdpOfferAnswer.withDirection(ours, MediaDirection.RECVONLY);
    assertTrue(held.contains("o=hankyo 5 4 IN IP4 10.0.0.2\r\n"), held);
    assertTrue(held.endsWith("a=recvonly\r\n") && !held.contains("sendrecv"), held);
    assertTrue(held.contains("a=rtpmap:101 telephone-event/8000\r\n"), held);
    assertEquals(held, SdpOfferAnswer.withDirection(held, MediaDirection.RECVONLY), "unchanged: same version");
    String resumed = SdpOfferAnswer.withDirection(held, MediaDirection.SENDRECV);
    assertTrue(resumed.contains("o=hankyo 5 5 ") && resumed.contains("a=sendrecv") && !resumed.contains("recvonly"),
        resumed);
    // a description without direction attribute is sendrecv already
    String plain = ours.replace("a=sendrecv\r\n", "");
    assertEquals(plain, SdpOfferAnswer.withDirection(plain, MediaDirection.SENDRECV));
    // the attribute goes to the first audio section, not after a later one
    String two = ours + "m=video 0 RTP/AVP 96\r\n";
    String twoHeld = SdpOfferAnswer.withDirection(two, MediaDirection.INACTIVE);
    assertTrue(twoHeld.indexOf("a=inactive") < twoHeld.indexOf("m=video"), twoHeld);
  }

  @Test
  void answersSippsOfferWithPcmaAndTelephoneEvent() {
    SdpNegotiation.Accepted a = accepted(leg.answer(SIPP_OFFER, 20002));
    NegotiatedMedia m = a.media();
    assertEquals("127.0.0.1", m.remoteAddress());
    assertEquals(6000, m.remotePort());
    assertEquals(Codec.PCMA, m.codec());
    assertEquals(8, m.codecPayloadType());
    assertEquals(101, m.telephoneEventPayloadType());
    assertEquals(MediaDirection.SENDRECV, m.localDirection());
    assertEquals(-1, m.remotePtimeMillis());
    List<String> l = lines(a.answerSdp());
    assertEquals("v=0", l.get(0));
    assertTrue(l.get(1).startsWith("o=hankyo ") && l.get(1).endsWith(" IN IP4 127.0.0.1"), l.get(1));
    assertTrue(l.contains("c=IN IP4 127.0.0.1"), a.answerSdp());
    assertTrue(l.contains("m=audio 20002 RTP/AVP 8 101"), a.answerSdp());
    assertTrue(l.contains("a=rtpmap:8 PCMA/8000"), a.answerSdp());
    assertTrue(l.contains("a=rtpmap:101 telephone-event/8000"), a.answerSdp());
    assertTrue(l.contains("a=fmtp:101 0-15"), a.answerSdp());
    assertTrue(l.contains("a=ptime:20"), a.answerSdp());
    assertTrue(l.contains("a=sendrecv"), a.answerSdp());
    assertTrue(a.answerSdp().endsWith("\r\n"));
    assertEquals("127.0.0.1:6000", m.remoteSocketAddress().orElseThrow().toString().replaceFirst("^/", ""));
  }

  @Test
  void prefersPcmuWhateverTheOfferersOrder() {
    String offer = SIPP_OFFER.replace("m=audio 6000 RTP/AVP 8 101", "m=audio 6000 RTP/AVP 8 0 18 101")
        .replace("a=ptime", "x") + "a=ptime:30\n";
    NegotiatedMedia m = accepted(leg.answer(offer, 20000)).media();
    assertEquals(Codec.PCMU, m.codec());
    assertEquals(0, m.codecPayloadType());
    assertEquals(30, m.remotePtimeMillis());
  }

  @Test
  void takesG711UnderADynamicNumberAndStaticTypesWithoutRtpmap() {
    String dynamic = """
        v=0
        o=- 1 1 IN IP4 10.0.0.1
        s=-
        t=0 0
        m=audio 7000 RTP/AVP 112 96
        c=IN IP4 10.0.0.9
        a=rtpmap:112 pcmu/8000/1
        a=rtpmap:96 telephone-event/8000
        """;
    SdpNegotiation.Accepted a = accepted(leg.answer(dynamic, 20000));
    assertEquals(Codec.PCMU, a.media().codec());
    assertEquals(112, a.media().codecPayloadType());
    assertEquals(96, a.media().telephoneEventPayloadType());
    assertEquals("10.0.0.9", a.media().remoteAddress(), "media-level c= wins");
    assertTrue(lines(a.answerSdp()).contains("m=audio 20000 RTP/AVP 112 96"), a.answerSdp());
    assertTrue(lines(a.answerSdp()).contains("a=rtpmap:112 PCMU/8000"), a.answerSdp());

    String bare = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 7000 RTP/AVP 0\r\n";
    SdpNegotiation.Accepted b = accepted(leg.answer(bare, 20000));
    assertEquals(Codec.PCMU, b.media().codec());
    assertFalse(b.media().hasTelephoneEvent());
    assertTrue(lines(b.answerSdp()).contains("m=audio 20000 RTP/AVP 0"), b.answerSdp());
  }

  @Test
  void telephoneEventAtAnotherRateIsNotTaken() {
    String offer = SIPP_OFFER.replace("a=rtpmap:101 telephone-event/8000", "a=rtpmap:101 telephone-event/48000");
    assertEquals(-1, accepted(leg.answer(offer, 20000)).media().telephoneEventPayloadType());
  }

  @Test
  void refusesOtherStreamsWithPortZeroKeepingTheirPlace() {
    String offer = """
        v=0
        o=- 1 1 IN IP4 10.0.0.1
        s=-
        c=IN IP4 10.0.0.1
        t=0 0
        m=video 9000 RTP/AVP 31
        m=audio 0 RTP/AVP 0
        m=audio 7000 RTP/AVP 0 8
        m=audio 7002 RTP/AVP 8
        """;
    SdpNegotiation.Accepted a = accepted(leg.answer(offer, 20000));
    assertEquals(7000, a.media().remotePort());
    List<String> m = lines(a.answerSdp()).stream().filter(x -> x.startsWith("m=")).toList();
    assertEquals(List.of("m=video 0 RTP/AVP 31", "m=audio 0 RTP/AVP 0", "m=audio 20000 RTP/AVP 0",
        "m=audio 0 RTP/AVP 8"), m);
  }

  @Test
  void mirrorsTheDirectionAndHold() {
    String sendonly = SIPP_OFFER + "a=sendonly\n";
    SdpNegotiation.Accepted a = accepted(leg.answer(sendonly, 20000));
    assertEquals(MediaDirection.RECVONLY, a.media().localDirection());
    assertTrue(lines(a.answerSdp()).contains("a=recvonly"), a.answerSdp());
    String held = SIPP_OFFER.replace("c=IN IP4 127.0.0.1", "c=IN IP4 0.0.0.0");
    NegotiatedMedia m = accepted(leg.answer(held, 20000)).media();
    assertEquals("", m.remoteAddress());
    assertTrue(m.remoteSocketAddress().isEmpty());
    String sessionInactive = SIPP_OFFER.replace("t=0 0", "t=0 0\na=inactive");
    assertEquals(MediaDirection.INACTIVE, accepted(leg.answer(sessionInactive, 20000)).media().localDirection());
  }

  @Test
  void rejectsWithAReasonForA488() {
    SdpNegotiation.Rejected r = rejected(leg.answer(SIPP_OFFER.replace("RTP/AVP 8 101", "RTP/AVP 18 9 101")
        .replace("a=rtpmap:8 PCMA/8000", "a=rtpmap:18 G729/8000\na=rtpmap:9 G722/8000"), 20000));
    assertEquals(488, r.status());
    assertEquals(305, r.warningCode());
    assertEquals("no common codec: offered 18 (G729/8000), 9 (G722/8000), 101 (telephone-event/8000); "
        + "we take PCMU (0), PCMA (8)", r.reason());

    SdpNegotiation.Rejected video = rejected(leg.answer(SIPP_OFFER.replace("m=audio", "m=video"), 20000));
    assertEquals(304, video.warningCode());
    assertEquals("no audio stream offered", video.reason());

    SdpNegotiation.Rejected srtp = rejected(leg.answer(SIPP_OFFER.replace("RTP/AVP", "RTP/SAVP"), 20000));
    assertEquals(302, srtp.warningCode());

    SdpNegotiation.Rejected noConn = rejected(leg.answer(SIPP_OFFER.replace("c=IN IP4 127.0.0.1\n", ""), 20000));
    assertTrue(noConn.reason().contains("no connection address"), noConn.reason());

    SdpNegotiation.Rejected pcmuAt16k = rejected(leg.answer(SIPP_OFFER.replace("RTP/AVP 8 101", "RTP/AVP 97")
        .replace("a=rtpmap:8 PCMA/8000", "a=rtpmap:97 PCMU/16000"), 20000));
    assertEquals(305, pcmuAt16k.warningCode());

    SdpNegotiation.Rejected garbage = rejected(leg.answer("this is not SDP", 20000));
    assertEquals(400, garbage.status());
    assertEquals(400, rejected(leg.answer("", 20000)).status());
  }

  @Test
  void ourOfferAndTheCalleesAnswer() {
    String offer = leg.offer(20004);
    List<String> l = lines(offer);
    assertTrue(l.contains("m=audio 20004 RTP/AVP 0 8 101"), offer);
    assertTrue(l.contains("a=rtpmap:0 PCMU/8000"), offer);
    assertTrue(l.contains("a=rtpmap:8 PCMA/8000"), offer);
    assertTrue(l.contains("a=rtpmap:101 telephone-event/8000"), offer);
    assertTrue(l.contains("a=sendrecv"), offer);
    // our offer is itself acceptable to another leg
    assertEquals(Codec.PCMU, accepted(new SdpOfferAnswer("127.0.0.2").answer(offer, 30000)).media().codec());

    String answer = """
        v=0
        o=callee 5 5 IN IP4 192.0.2.7
        s=-
        c=IN IP4 192.0.2.7
        t=0 0
        m=audio 40000 RTP/AVP 8 0 101
        a=rtpmap:101 telephone-event/8000
        a=recvonly
        """;
    NegotiatedMedia m = accepted(leg.acceptAnswer(answer)).media();
    assertEquals(Codec.PCMA, m.codec(), "the answerer's first format");
    assertEquals("192.0.2.7", m.remoteAddress());
    assertEquals(40000, m.remotePort());
    assertEquals(101, m.telephoneEventPayloadType());
    assertEquals(MediaDirection.SENDONLY, m.localDirection());

    assertEquals(304, rejected(leg.acceptAnswer(answer.replace("m=audio 40000", "m=audio 0"))).warningCode());
    assertEquals(305, rejected(leg.acceptAnswer(answer.replace("RTP/AVP 8 0 101", "RTP/AVP 18"))).warningCode());
  }

  @Test
  void everySdpWeWriteHasAHigherVersion() {
    long v1 = version(leg.offer(20000));
    long v2 = version(accepted(leg.answer(SIPP_OFFER, 20000)).answerSdp());
    long v3 = version(leg.offer(20000));
    assertTrue(v1 < v2 && v2 < v3);
    assertEquals(sessionId(leg.offer(20000)), sessionId(leg.offer(20000)));
  }

  @Test
  void ipv6LocalAddress() {
    String offer = new SdpOfferAnswer("::1").offer(20000);
    assertTrue(lines(offer).contains("c=IN IP6 ::1"), offer);
  }

  @Test
  void garbageNeverThrows() {
    java.util.Random r = new java.util.Random(7);
    String[] pieces = {"v=0\n", "o=- 1 1 IN IP4 1.2.3.4\n", "s=-\n", "c=IN IP4 10.0.0.1\n", "c=IN IP6 ::1\n",
        "c=IN\n", "t=0 0\n", "m=audio 99999 RTP/AVP 0\n", "m=audio -1 RTP/AVP 0\n", "m=audio x RTP/AVP\n",
        "m=audio 5004 RTP/AVP 0 8 101\n", "m=audio 5004/2 RTP/AVP 300 abc\n", "a=rtpmap:\n", "a=rtpmap:0\n",
        "a=rtpmap:x PCMU/8000\n", "a=rtpmap:101 telephone-event\n", "a=ptime:abc\n", "a=sendonly\n", "=\n",
        "\u0000\n", "b=AS:64\n", "m=\n"};
    for (int i = 0; i < 3000; i++) {
      StringBuilder b = new StringBuilder(r.nextInt(4) == 0 ? "" : "v=0\n");
      for (int k = r.nextInt(8); k > 0; k--) {
        b.append(pieces[r.nextInt(pieces.length)]);
      }
      SdpNegotiation n = leg.answer(b.toString(), 20000);
      if (n instanceof SdpNegotiation.Accepted a) {
        assertTrue(a.media().remotePort() > 0 && a.media().remotePort() <= 65535, b.toString());
      }
      leg.acceptAnswer(b.toString());
    }
  }

  @Test
  void aPortOutOfRangeIsRefused() {
    SdpNegotiation.Rejected r = rejected(leg.answer(SIPP_OFFER.replace("m=audio 6000", "m=audio 70000"), 20000));
    assertTrue(r.reason().contains("port 70000"), r.reason());
  }

  private static long version(String sdp) {
    return Long.parseLong(lines(sdp).get(1).split(" ")[2]);
  }

  private static String sessionId(String sdp) {
    return lines(sdp).get(1).split(" ")[1];
  }
}
