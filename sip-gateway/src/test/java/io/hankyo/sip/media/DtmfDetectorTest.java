package io.hankyo.sip.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DtmfDetectorTest {
  static final int PT = 101;
  static final long SSRC = 0x1234;

  /** The packets an RFC 4733 sender sends for one key: start (M), updates every 160 samples, three end packets. */
  static List<RtpPacket> press(char digit, long ts, int firstSeq, int updates) {
    List<RtpPacket> out = new ArrayList<>();
    int seq = firstSeq;
    int event = TelephoneEvent.eventOf(digit);
    for (int i = 0; i <= updates; i++) {
      out.add(packet(i == 0, seq++, ts, new TelephoneEvent(event, false, 10, 160 * i)));
    }
    for (int i = 0; i < 3; i++) {
      out.add(packet(false, seq++, ts, new TelephoneEvent(event, true, 10, 160 * (updates + 1))));
    }
    return out;
  }

  static RtpPacket packet(boolean marker, int seq, long ts, TelephoneEvent e) {
    return RtpPacket.of(marker, PT, seq & 0xFFFF, ts & 0xFFFFFFFFL, SSRC, e.encode());
  }

  static String digits(DtmfDetector d, List<RtpPacket> packets) {
    StringBuilder b = new StringBuilder();
    for (RtpPacket p : packets) {
      d.accept(p).ifPresent(x -> b.append(x.digit()));
    }
    return b.toString();
  }

  @Test
  void decodesThePayload() throws Exception {
    TelephoneEvent e = TelephoneEvent.decode(new byte[] {11, (byte) 0x8A, 0x03, (byte) 0x20});
    assertEquals(new TelephoneEvent(11, true, 10, 800), e);
    assertEquals('#', e.digit());
    assertEquals(e, TelephoneEvent.decode(e.encode()));
    assertEquals(new TelephoneEvent(5, false, 63, 0), TelephoneEvent.decode(new byte[] {5, (byte) 0x7F, 0, 0}));
    assertEquals('*', new TelephoneEvent(10, false, 0, 0).digit());
    assertEquals('D', new TelephoneEvent(15, false, 0, 0).digit());
    assertFalse(new TelephoneEvent(16, false, 0, 0).isDtmf());
    assertThrows(MalformedPacketException.class, () -> TelephoneEvent.decode(new byte[3]));
    assertEquals(12, TelephoneEvent.eventOf('a'));
  }

  @Test
  void endPacketTripletCountsOnce() {
    DtmfDetector d = new DtmfDetector();
    List<RtpPacket> p = press('5', 1000, 1, 5);
    List<DtmfDigit> got = new ArrayList<>();
    for (RtpPacket x : p) {
      d.accept(x).ifPresent(got::add);
    }
    assertEquals(1, got.size());
    assertEquals(new DtmfDigit('5', DtmfDigit.Source.RTP_EVENT, 1000, 0), got.get(0));
  }

  @Test
  void sameKeyTwiceCountsTwice() {
    DtmfDetector d = new DtmfDetector();
    List<RtpPacket> p = new ArrayList<>(press('1', 8000, 10, 4));
    p.addAll(press('1', 8000 + 1600, 30, 4));
    p.addAll(press('1', 8000 + 3200, 50, 0));
    assertEquals("111", digits(d, p));
  }

  @Test
  void differentKeysAtTheSameTimestampCountEach() {
    DtmfDetector d = new DtmfDetector();
    List<RtpPacket> p = new ArrayList<>(press('1', 8000, 10, 2));
    p.addAll(press('2', 8000, 20, 2));
    assertEquals("12", digits(d, p));
  }

  @Test
  void longPressSpanningUpdatesCountsOnce() {
    DtmfDetector d = new DtmfDetector();
    assertEquals("9", digits(d, press('9', 5000, 100, 200))); // 4 s of updates
  }

  @Test
  void durationRolloverIsTheSamePress() {
    DtmfDetector d = new DtmfDetector();
    long ts = 4294960000L; // the segments also wrap the 32-bit timestamp
    List<RtpPacket> p = new ArrayList<>();
    int seq = 65530;
    int event = TelephoneEvent.eventOf('7');
    for (int dur = 0; dur < 0xFFFF; dur += 160 * 40) {
      p.add(packet(dur == 0, seq++, ts, new TelephoneEvent(event, false, 10, dur)));
    }
    p.add(packet(false, seq++, ts, new TelephoneEvent(event, false, 10, 0xFFFF)));
    long second = ts + 0xFFFF;
    for (int dur = 160; dur < 3200; dur += 160) {
      p.add(packet(false, seq++, second, new TelephoneEvent(event, false, 10, dur)));
    }
    for (int i = 0; i < 3; i++) {
      p.add(packet(false, seq++, second, new TelephoneEvent(event, true, 10, 3200)));
    }
    // a late packet of the first segment after the second began
    p.add(packet(false, seq++, ts, new TelephoneEvent(event, false, 10, 0xFFFF)));
    assertEquals("7", digits(d, p));
    // and then the same key again, for real
    assertEquals("7", digits(d, press('7', second + 4000, seq, 3)));
  }

  @Test
  void lostStartPacketStillGivesTheDigitOnce() {
    DtmfDetector d = new DtmfDetector();
    List<RtpPacket> p = new ArrayList<>(press('3', 100, 1, 3));
    p.remove(0);
    assertEquals("3", digits(d, p));
    List<RtpPacket> onlyEnds = press('4', 2000, 10, 3).subList(4, 7);
    assertEquals("4", digits(d, onlyEnds));
  }

  @Test
  void reorderedPacketsGiveEachDigitOnceInOrderOfFirstSight() {
    DtmfDetector d = new DtmfDetector();
    List<RtpPacket> a = press('1', 1000, 1, 3);
    List<RtpPacket> b = press('2', 3000, 8, 3);
    List<RtpPacket> mixed = new ArrayList<>();
    mixed.add(a.get(1));
    mixed.add(a.get(0)); // start after the first update
    mixed.add(a.get(2));
    mixed.add(b.get(0)); // next event begins before the end packets of the first
    mixed.addAll(a.subList(3, a.size()));
    mixed.addAll(b.subList(1, b.size()));
    mixed.add(a.get(6)); // a very late end packet
    assertEquals("12", digits(d, mixed));
  }

  @Test
  void markerBitIsNotNeeded() {
    DtmfDetector d = new DtmfDetector();
    List<RtpPacket> p = new ArrayList<>();
    for (RtpPacket x : press('8', 1000, 1, 2)) {
      p.add(x.withHeader(false, x.payloadType(), x.sequenceNumber(), x.timestamp(), x.ssrc()));
    }
    for (RtpPacket x : press('8', 2000, 10, 2)) {
      p.add(x.withHeader(true, x.payloadType(), x.sequenceNumber(), x.timestamp(), x.ssrc())); // M on every packet
    }
    assertEquals("88", digits(d, p));
  }

  @Test
  void shuffledStreamsOfManyKeysGiveEachOnce() {
    DtmfDetector d = new DtmfDetector();
    List<RtpPacket> all = new ArrayList<>();
    String keys = "0123456789*#ABCD";
    for (int i = 0; i < keys.length(); i++) {
      List<RtpPacket> one = new ArrayList<>(press(keys.charAt(i), 10_000L * i, 20 * i, 5));
      Collections.shuffle(one, new java.util.Random(i));
      all.addAll(one);
    }
    assertEquals(keys, digits(d, all));
  }

  @Test
  void ignoresFlashAndGarbage() {
    DtmfDetector d = new DtmfDetector();
    assertTrue(d.accept(packet(true, 1, 1, new TelephoneEvent(16, false, 0, 0))).isEmpty());
    assertTrue(d.accept(RtpPacket.of(false, PT, 2, 2, SSRC, new byte[2])).isEmpty());
  }

  @Test
  void reportsTheDurationSoFarInMilliseconds() {
    DtmfDetector d = new DtmfDetector();
    Optional<DtmfDigit> x = d.accept(packet(false, 1, 1, new TelephoneEvent(2, true, 0, 800)));
    assertEquals(100, x.orElseThrow().durationMillis());
  }

  /** sipp's captures (package sip-tester): one digit per file, payload type 101, three end packets. */
  @Test
  void sippCapturesGiveOneDigitEach() throws Exception {
    Path dir = Path.of("/usr/share/sip-tester");
    String names = "0123456789";
    for (int i = 0; i < names.length(); i++) {
      Path file = dir.resolve("dtmf_2833_" + names.charAt(i) + ".pcap");
      if (!Files.isRegularFile(file)) {
        fail(file + " is missing: install the sip-tester package (sipp's pcap files) to run this test");
      }
      DtmfDetector d = new DtmfDetector();
      StringBuilder got = new StringBuilder();
      int events = 0;
      for (Pcap.Datagram g : Pcap.udpPayloads(file)) {
        RtpPacket p = RtpPacket.decode(g.payload(), 0, g.payload().length);
        if (p.payloadType() == PT) {
          events++;
          d.accept(p).ifPresent(x -> got.append(x.digit()));
        }
      }
      assertTrue(events >= 4, file + " has " + events + " telephone-event packets");
      assertEquals(String.valueOf(names.charAt(i)), got.toString(), file.toString());
    }
    for (String special : List.of("pound", "star")) {
      Path file = dir.resolve("dtmf_2833_" + special + ".pcap");
      if (Files.isRegularFile(file)) {
        DtmfDetector d = new DtmfDetector();
        StringBuilder got = new StringBuilder();
        for (Pcap.Datagram g : Pcap.udpPayloads(file)) {
          RtpPacket.tryDecode(g.payload(), 0, g.payload().length)
              .filter(p -> p.payloadType() == PT)
              .flatMap(d::accept)
              .ifPresent(x -> got.append(x.digit()));
        }
        assertEquals(special.equals("pound") ? "#" : "*", got.toString(), file.toString());
      }
    }
  }
}
