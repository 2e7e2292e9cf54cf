package io.hankyo.sip.media;

import java.util.Locale;
import java.util.Optional;

/**
 * The audio codecs the media plane speaks: G.711 at 8,000 Hz, one byte per sample, with their static RTP payload
 * types (RFC 3551 section 6).
 */
public enum Codec {
  /** G.711 µ-law, payload type 0. */
  PCMU(0, "PCMU", (byte) 0xFF),
  /** G.711 A-law, payload type 8. */
  PCMA(8, "PCMA", (byte) 0xD5);

  /** RTP clock rate of both codecs, Hz (= samples per second). */
  public static final int CLOCK_RATE = 8000;

  private final int payloadType;
  private final String encodingName;
  private final byte silence;

  Codec(int payloadType, String encodingName, byte silence) {
    this.payloadType = payloadType;
    this.encodingName = encodingName;
    this.silence = silence;
  }

  /** The static RTP payload type (0 or 8). */
  public int payloadType() {
    return payloadType;
  }

  /** The SDP encoding name of {@code a=rtpmap} (RFC 4566 section 6), e.g. {@code PCMU}. */
  public String encodingName() {
    return encodingName;
  }

  /** The code of a zero sample (digital silence). */
  public byte silence() {
    return silence;
  }

  /** Codes of {@code length} 16-bit samples from {@code offset} (a new array, one byte per sample). */
  public byte[] encode(short[] pcm, int offset, int length) {
    return this == PCMU ? G711.encodeUlaw(pcm, offset, length) : G711.encodeAlaw(pcm, offset, length);
  }

  /** 16-bit samples of codes (one per byte). */
  public short[] decode(byte[] codes) {
    return this == PCMU ? G711.decodeUlaw(codes) : G711.decodeAlaw(codes);
  }

  /** The same audio in {@code target}'s codes: the array itself when the codecs are the same, else a new one. */
  public byte[] transcodeTo(Codec target, byte[] codes) {
    if (target == this) {
      return codes;
    }
    return this == PCMU ? G711.ulawToAlaw(codes) : G711.alawToUlaw(codes);
  }

  /** The codec of a static payload type (0 or 8). */
  public static Optional<Codec> ofPayloadType(int payloadType) {
    for (Codec c : values()) {
      if (c.payloadType == payloadType) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /** The codec of an SDP encoding name, case-insensitive ({@code pcmu}, {@code PCMA}). */
  public static Optional<Codec> ofEncodingName(String name) {
    String n = name == null ? "" : name.strip().toUpperCase(Locale.ROOT);
    for (Codec c : values()) {
      if (c.encodingName.equals(n)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }
}
