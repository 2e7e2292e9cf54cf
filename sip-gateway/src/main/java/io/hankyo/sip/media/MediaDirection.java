package io.hankyo.sip.media;

import java.util.Locale;

/** The direction attribute of an SDP media stream (RFC 4566 section 6; RFC 3264 section 6.1 for the answer). */
public enum MediaDirection {
  /** Both ways (the default when no attribute is present). */
  SENDRECV,
  /** The describing side only sends. */
  SENDONLY,
  /** The describing side only receives. */
  RECVONLY,
  /** Neither (hold). */
  INACTIVE;

  /** The attribute name, e.g. {@code sendrecv}. */
  public String attribute() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The direction an answer gives to an offer of this direction (RFC 3264 section 6.1): sendonly ↔ recvonly. */
  public MediaDirection answer() {
    if (this == SENDONLY) {
      return RECVONLY;
    }
    if (this == RECVONLY) {
      return SENDONLY;
    }
    return this;
  }

  /** True when the describing side's peer may send to it (sendrecv or recvonly). */
  public boolean receives() {
    return this == SENDRECV || this == RECVONLY;
  }

  /** True when the describing side sends (sendrecv or sendonly). */
  public boolean sends() {
    return this == SENDRECV || this == SENDONLY;
  }
}
