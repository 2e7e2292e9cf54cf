package io.hankyo.sip.media;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One RTP data packet (RFC 3550 section 5.1), always version 2.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * |                           timestamp                           |
 * |           synchronization source (SSRC) identifier            |
 * |            contributing source (CSRC) identifiers (0-15)      |
 * | [extension: profile(16) length-in-words(16) data]  payload ... [padding, last octet = its length] |
 * </pre>
 *
 * <p>Unsigned 16- and 32-bit fields are held in {@code int} and {@code long}. The arrays are not copied: a packet
 * is a value in flight, not a place to keep data. {@link #equals} compares array contents.
 *
 * @param marker the M bit (RFC 3550 section 5.1; first packet of a talkspurt in RFC 3551 section 4.1)
 * @param payloadType 0-127 (RFC 3551 section 6: 0 = PCMU, 8 = PCMA; 96-127 dynamic)
 * @param sequenceNumber 0-65535, +1 per packet sent
 * @param timestamp 0-2^32-1, in clock units of the payload type (samples at 8 kHz for G.711)
 * @param ssrc 0-2^32-1, the synchronization source
 * @param csrc contributing sources, 0-15 entries each 0-2^32-1 (never null)
 * @param extension the header extension (RFC 3550 section 5.3.1), or null when the X bit is clear
 * @param payload the payload bytes (never null; may be empty)
 * @param paddingLength 0 for no padding (P bit clear), else 1-255 octets of padding including the count octet
 */
public record RtpPacket(
    boolean marker,
    int payloadType,
    int sequenceNumber,
    long timestamp,
    long ssrc,
    long[] csrc,
    Extension extension,
    byte[] payload,
    int paddingLength) {

  /** Bytes of the fixed header (no CSRC, no extension). */
  public static final int HEADER_BYTES = 12;

  /**
   * A header extension (RFC 3550 section 5.3.1).
   *
   * @param profile the 16 profile-defined bits, 0-65535
   * @param data the extension data, a multiple of 4 bytes (the length field counts 32-bit words)
   */
  public record Extension(int profile, byte[] data) {
    /** @throws IllegalArgumentException when the profile is not 16 bits or data is not whole 32-bit words */
    public Extension {
      Objects.requireNonNull(data, "data");
      if (profile < 0 || profile > 0xFFFF) {
        throw new IllegalArgumentException("extension profile must be 0-65535: " + profile);
      }
      if (data.length % 4 != 0 || data.length / 4 > 0xFFFF) {
        throw new IllegalArgumentException("extension data must be whole 32-bit words: " + data.length + " bytes");
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Extension e && e.profile == profile && Arrays.equals(e.data, data);
    }

    @Override
    public int hashCode() {
      return 31 * profile + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
      return "Extension[profile=" + profile + ", " + data.length + " bytes]";
    }
  }

  /**
   * Checks the field ranges.
   *
   * @throws IllegalArgumentException when a field is out of range
   */
  public RtpPacket {
    if (payloadType < 0 || payloadType > 127) {
      throw new IllegalArgumentException("payload type must be 0-127: " + payloadType);
    }
    if (sequenceNumber < 0 || sequenceNumber > 0xFFFF) {
      throw new IllegalArgumentException("sequence number must be 0-65535: " + sequenceNumber);
    }
    checkU32("timestamp", timestamp);
    checkU32("ssrc", ssrc);
    csrc = csrc == null ? new long[0] : csrc;
    if (csrc.length > 15) {
      throw new IllegalArgumentException("at most 15 CSRC: " + csrc.length);
    }
    for (long c : csrc) {
      checkU32("csrc", c);
    }
    Objects.requireNonNull(payload, "payload");
    if (paddingLength < 0 || paddingLength > 255) {
      throw new IllegalArgumentException("padding must be 0-255 octets: " + paddingLength);
    }
  }

  /** A plain packet: no CSRC, no extension, no padding. */
  public static RtpPacket of(boolean marker, int payloadType, int sequenceNumber, long timestamp, long ssrc,
      byte[] payload) {
    return new RtpPacket(marker, payloadType, sequenceNumber, timestamp, ssrc, new long[0], null, payload, 0);
  }

  /** The encoded size in bytes: header + 4 per CSRC + extension + payload + padding. */
  public int encodedLength() {
    return HEADER_BYTES + 4 * csrc.length + (extension == null ? 0 : 4 + extension.data.length) + payload.length
        + paddingLength;
  }

  /** The packet in wire format (a new array of {@link #encodedLength()} bytes). */
  public byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(encodedLength());
    encodeInto(b);
    return b.array();
  }

  /**
   * Writes the packet at the buffer's position (big-endian, network order) and advances it.
   *
   * @throws java.nio.BufferOverflowException when fewer than {@link #encodedLength()} bytes remain
   */
  public void encodeInto(ByteBuffer b) {
    int first = 0x80 | (paddingLength > 0 ? 0x20 : 0) | (extension != null ? 0x10 : 0) | csrc.length;
    b.put((byte) first);
    b.put((byte) ((marker ? 0x80 : 0) | payloadType));
    b.putShort((short) sequenceNumber);
    b.putInt((int) timestamp);
    b.putInt((int) ssrc);
    for (long c : csrc) {
      b.putInt((int) c);
    }
    if (extension != null) {
      b.putShort((short) extension.profile);
      b.putShort((short) (extension.data.length / 4));
      b.put(extension.data);
    }
    b.put(payload);
    if (paddingLength > 0) {
      for (int i = 1; i < paddingLength; i++) {
        b.put((byte) 0);
      }
      b.put((byte) paddingLength);
    }
  }

  /**
   * Reads a packet from {@code length} bytes of {@code data} at {@code offset} (RFC 3550 section 5.1; the checks of
   * appendix A.1 that need no state: version 2, the CSRC list, extension and padding fit in the datagram, the
   * padding count is not zero). The payload is copied out.
   *
   * @throws MalformedPacketException saying what is wrong; never any other exception for any input bytes
   */
  public static RtpPacket decode(byte[] data, int offset, int length) throws MalformedPacketException {
    if (data == null || offset < 0 || length < 0 || offset + length > data.length) {
      throw new MalformedPacketException("no such byte range");
    }
    return decode(ByteBuffer.wrap(data, offset, length));
  }

  /**
   * Reads a packet from the remaining bytes of the buffer (position to limit), which must be one whole datagram.
   * The buffer's position is advanced to its limit when the packet is valid. The payload is copied out.
   *
   * @throws MalformedPacketException saying what is wrong; never any other exception for any input bytes
   */
  public static RtpPacket decode(ByteBuffer b) throws MalformedPacketException {
    int start = b.position();
    int length = b.remaining();
    if (length < HEADER_BYTES) {
      throw new MalformedPacketException("RTP packet of " + length + " bytes, shorter than the 12-byte header");
    }
    int first = b.get(start) & 0xFF;
    int version = first >>> 6;
    if (version != 2) {
      throw new MalformedPacketException("RTP version " + version + ", expected 2");
    }
    boolean padding = (first & 0x20) != 0;
    boolean hasExtension = (first & 0x10) != 0;
    int cc = first & 0x0F;
    int second = b.get(start + 1) & 0xFF;
    boolean marker = (second & 0x80) != 0;
    int pt = second & 0x7F;
    if (pt >= 72 && pt <= 76) {
      // RFC 5761 section 4: these would be RTCP SR/RR/SDES/BYE/APP arriving on the RTP port
      throw new MalformedPacketException("payload type " + pt + " is RTCP (RFC 5761 section 4), not RTP");
    }
    int seq = b.getShort(start + 2) & 0xFFFF;
    long ts = b.getInt(start + 4) & 0xFFFFFFFFL;
    long ssrc = b.getInt(start + 8) & 0xFFFFFFFFL;
    int pos = start + HEADER_BYTES;
    int end = start + length;
    if (pos + 4 * cc > end) {
      throw new MalformedPacketException("CSRC count " + cc + " does not fit in " + length + " bytes");
    }
    long[] csrc = new long[cc];
    for (int i = 0; i < cc; i++) {
      csrc[i] = b.getInt(pos) & 0xFFFFFFFFL;
      pos += 4;
    }
    int paddingLength = 0;
    if (padding) {
      paddingLength = b.get(end - 1) & 0xFF;
      if (paddingLength == 0) {
        throw new MalformedPacketException("padding bit set but the padding count octet is 0");
      }
      end -= paddingLength;
    }
    Extension extension = null;
    if (hasExtension) {
      if (pos + 4 > end) {
        throw new MalformedPacketException("extension header does not fit in " + length + " bytes");
      }
      int profile = b.getShort(pos) & 0xFFFF;
      int words = b.getShort(pos + 2) & 0xFFFF;
      pos += 4;
      if (pos + 4 * words > end) {
        throw new MalformedPacketException("extension of " + words + " words does not fit in " + length + " bytes");
      }
      byte[] ext = new byte[4 * words];
      b.get(pos, ext);
      pos += ext.length;
      extension = new Extension(profile, ext);
    }
    if (pos > end) {
      throw new MalformedPacketException("padding of " + paddingLength + " octets overlaps the header");
    }
    byte[] payload = new byte[end - pos];
    b.get(pos, payload);
    b.position(start + length);
    return new RtpPacket(marker, pt, seq, ts, ssrc, csrc, extension, payload, paddingLength);
  }

  /** {@link #decode(byte[], int, int)} for a receive loop that only counts garbage: empty when malformed. */
  public static Optional<RtpPacket> tryDecode(byte[] data, int offset, int length) {
    try {
      return Optional.of(decode(data, offset, length));
    } catch (MalformedPacketException e) {
      return Optional.empty();
    }
  }

  /** A copy with other header fields (payload, CSRC, extension and padding kept; used when relaying). */
  public RtpPacket withHeader(boolean newMarker, int newPayloadType, int newSequenceNumber, long newTimestamp,
      long newSsrc) {
    return new RtpPacket(newMarker, newPayloadType, newSequenceNumber, newTimestamp, newSsrc, csrc, extension,
        payload, paddingLength);
  }

  /** A copy carrying another payload. */
  public RtpPacket withPayload(byte[] newPayload) {
    return new RtpPacket(marker, payloadType, sequenceNumber, timestamp, ssrc, csrc, extension, newPayload,
        paddingLength);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RtpPacket p && p.marker == marker && p.payloadType == payloadType
        && p.sequenceNumber == sequenceNumber && p.timestamp == timestamp && p.ssrc == ssrc
        && Arrays.equals(p.csrc, csrc) && Objects.equals(p.extension, extension) && Arrays.equals(p.payload, payload)
        && p.paddingLength == paddingLength;
  }

  @Override
  public int hashCode() {
    return Objects.hash(marker, payloadType, sequenceNumber, timestamp, ssrc, Arrays.hashCode(csrc), extension,
        Arrays.hashCode(payload), paddingLength);
  }

  @Override
  public String toString() {
    return "RtpPacket[pt=" + payloadType + (marker ? ", M" : "") + ", seq=" + sequenceNumber + ", ts=" + timestamp
        + ", ssrc=" + Long.toHexString(ssrc) + (csrc.length > 0 ? ", csrc=" + Arrays.toString(csrc) : "")
        + (extension != null ? ", " + extension : "") + ", " + payload.length + " bytes"
        + (paddingLength > 0 ? " + " + paddingLength + " padding" : "") + "]";
  }

  /** 16-bit sequence number arithmetic (RFC 3550 appendix A.1): true when {@code a} comes after {@code b}. */
  public static boolean seqAfter(int a, int b) {
    int d = (a - b) & 0xFFFF;
    return d != 0 && d < 0x8000;
  }

  private static void checkU32(String name, long v) {
    if (v < 0 || v > 0xFFFFFFFFL) {
      throw new IllegalArgumentException(name + " must be 0-2^32-1: " + v);
    }
  }
}
