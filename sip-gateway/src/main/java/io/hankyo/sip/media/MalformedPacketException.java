package io.hankyo.sip.media;

/**
 * A received datagram or payload is not what it claims to be (an RTP packet that breaks RFC 3550 section 5.1, a
 * telephone-event payload shorter than RFC 4733 section 2.3 allows, ...). Checked, so that a receive loop has to
 * decide what to do with garbage; the message says what was wrong, for a log line or a counter.
 */
public final class MalformedPacketException extends Exception {
  private static final long serialVersionUID = 1L;

  /** @param message what was wrong, e.g. {@code "RTP version 1, expected 2"} */
  public MalformedPacketException(String message) {
    super(message, null, false, false); // no stack trace: thrown for every bad datagram in the receive loop
  }
}
