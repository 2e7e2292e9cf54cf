package io.hankyo.sip.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RtpPacketTest {

  @Test
  void encodesTheFixedHeaderInNetworkOrder() {
    RtpPacket p = RtpPacket.of(true, 0, 0xABCD, 0xFFFFFFF0L, 0x12345678L, new byte[] {1, 2, 3});
    assertEquals("80" + "80" + "abcd" + "fffffff0" + "12345678" + "010203", HexFormat.of().formatHex(p.encode()));
  }

  @Test
  void roundTripsEveryOptionalPart() throws Exception {
    RtpPacket p = new RtpPacket(false, 101, 65535, 4294967295L, 0xDEADBEEFL, new long[] {1, 0xFFFFFFFFL},
        new RtpPacket.Extension(0xBEDE, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}), new byte[] {9, 8, 7, 6}, 4);
    byte[] wire = p.encode();
    assertEquals(12 + 8 + 4 + 8 + 4 + 4, wire.length);
    assertEquals(0x80 | 0x20 | 0x10 | 2, wire[0] & 0xFF);
    assertEquals(4, wire[wire.length - 1]);
    RtpPacket back = RtpPacket.decode(wire, 0, wire.length);
    assertEquals(p, back);
    assertArrayEquals(new byte[] {9, 8, 7, 6}, back.payload());
  }

  @Test
  void decodesAtAnOffset() throws Exception {
    byte[] wire = RtpPacket.of(false, 8, 7, 160, 99, new byte[160]).encode();
    byte[] padded = new byte[wire.length + 10];
    System.arraycopy(wire, 0, padded, 5, wire.length);
    RtpPacket p = RtpPacket.decode(padded, 5, wire.length);
    assertEquals(8, p.payloadType());
    assertEquals(7, p.sequenceNumber());
    assertEquals(160, p.payload().length);
  }

  @Test
  void rejectsGarbageWithAReason() {
    assertReject("shorter than the 12-byte header", new byte[5]);
    byte[] v1 = RtpPacket.of(false, 0, 1, 1, 1, new byte[4]).encode();
    v1[0] = 0x40;
    assertReject("version 1", v1);
    byte[] cc = RtpPacket.of(false, 0, 1, 1, 1, new byte[4]).encode();
    cc[0] = (byte) 0x8F; // 15 CSRC in a 16-byte datagram
    assertReject("CSRC count 15", cc);
    byte[] pad0 = RtpPacket.of(false, 0, 1, 1, 1, new byte[] {1, 2, 3, 0}).encode();
    pad0[0] |= 0x20;
    assertReject("padding count octet is 0", pad0);
    byte[] padBig = RtpPacket.of(false, 0, 1, 1, 1, new byte[] {1, 2, 3, (byte) 200}).encode();
    padBig[0] |= 0x20;
    assertReject("overlaps", padBig);
    byte[] ext = RtpPacket.of(false, 0, 1, 1, 1, new byte[] {0, 0, 0, 9}).encode();
    ext[0] |= 0x10;
    assertReject("extension of 9 words", ext);
    byte[] rtcp = HexFormat.of().parseHex("80c8000600000001000000000000000000000000");
    assertReject("RTCP", rtcp);
  }

  @Test
  void neverThrowsAnythingElseOnRandomBytes() {
    Random r = new Random(42);
    int valid = 0;
    for (int i = 0; i < 200_000; i++) {
      byte[] b = new byte[r.nextInt(40)];
      r.nextBytes(b);
      if (r.nextBoolean() && b.length > 0) {
        b[0] = (byte) (0x80 | (b[0] & 0x3F));
      }
      try {
        RtpPacket p = RtpPacket.decode(b, 0, b.length);
        valid++;
        assertEquals(b.length, p.encodedLength());
      } catch (MalformedPacketException expected) {
        // fine
      }
    }
    assertTrue(valid > 0);
    assertFalse(RtpPacket.tryDecode(new byte[3], 0, 3).isPresent());
    assertFalse(RtpPacket.tryDecode(new byte[3], 2, 3).isPresent());
  }

  @Test
  void sequenceArithmeticWraps() {
    assertTrue(RtpPacket.seqAfter(0, 65535));
    assertTrue(RtpPacket.seqAfter(5, 3));
    assertFalse(RtpPacket.seqAfter(3, 5));
    assertFalse(RtpPacket.seqAfter(65535, 0));
    assertFalse(RtpPacket.seqAfter(7, 7));
  }

  @Test
  void rejectsOutOfRangeFieldsWhenBuilding() {
    assertThrows(IllegalArgumentException.class, () -> RtpPacket.of(false, 128, 0, 0, 0, new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> RtpPacket.of(false, 0, 65536, 0, 0, new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> RtpPacket.of(false, 0, 0, 1L << 32, 0, new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> new RtpPacket.Extension(1, new byte[3]));
  }

  private static void assertReject(String reason, byte[] wire) {
    MalformedPacketException e = assertThrows(MalformedPacketException.class,
        () -> RtpPacket.decode(wire, 0, wire.length));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }
}
