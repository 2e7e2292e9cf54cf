package io.hankyo.sip.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the UDP payloads of a classic libpcap file (not pcapng): Ethernet (linktype 1), raw IPv4 (101) or Linux
 * cooked capture (113) frames carrying IPv4/UDP. Enough for sipp's RTP captures.
 */
final class Pcap {
  private Pcap() {}

  /** One UDP datagram of the capture. */
  record Datagram(long micros, int sourcePort, int destinationPort, byte[] payload) {}

  static List<Datagram> udpPayloads(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
    if (b.remaining() < 24) {
      throw new IOException(file + ": not a pcap file (" + b.remaining() + " bytes)");
    }
    int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    boolean nanos;
    if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
      b.order(ByteOrder.LITTLE_ENDIAN);
    } else if (Integer.reverseBytes(magic) == 0xa1b2c3d4 || Integer.reverseBytes(magic) == 0xa1b23c4d) {
      b.order(ByteOrder.BIG_ENDIAN);
    } else {
      throw new IOException(file + ": not a libpcap file (magic " + Integer.toHexString(magic) + ")");
    }
    nanos = b.getInt(0) == 0xa1b23c4d;
    int linkType = b.getInt(20);
    b.position(24);
    List<Datagram> out = new ArrayList<>();
    while (b.remaining() >= 16) {
      long sec = b.getInt() & 0xFFFFFFFFL;
      long frac = b.getInt() & 0xFFFFFFFFL;
      int caplen = b.getInt();
      b.getInt(); // original length
      if (caplen < 0 || caplen > b.remaining()) {
        throw new IOException(file + ": truncated record");
      }
      byte[] frame = new byte[caplen];
      b.get(frame);
      ByteBuffer f = ByteBuffer.wrap(frame); // network order
      int ip;
      if (linkType == 1) {
        int etherType = f.getShort(12) & 0xFFFF;
        ip = 14;
        if (etherType == 0x8100) { // VLAN tag
          etherType = f.getShort(16) & 0xFFFF;
          ip = 18;
        }
        if (etherType != 0x0800) {
          continue;
        }
      } else if (linkType == 101) {
        ip = 0;
      } else if (linkType == 113) {
        if ((f.getShort(14) & 0xFFFF) != 0x0800) {
          continue;
        }
        ip = 16;
      } else {
        throw new IOException(file + ": unsupported link type " + linkType);
      }
      if (((f.get(ip) & 0xF0) >> 4) != 4 || f.get(ip + 9) != 17) {
        continue; // not IPv4 UDP
      }
      int udp = ip + (f.get(ip) & 0x0F) * 4;
      int udpLength = f.getShort(udp + 4) & 0xFFFF;
      int payloadLength = Math.min(udpLength - 8, caplen - udp - 8);
      byte[] payload = new byte[payloadLength];
      f.get(udp + 8, payload);
      long micros = sec * 1_000_000 + (nanos ? frac / 1000 : frac);
      out.add(new Datagram(micros, f.getShort(udp) & 0xFFFF, f.getShort(udp + 2) & 0xFFFF, payload));
    }
    return out;
  }
}
