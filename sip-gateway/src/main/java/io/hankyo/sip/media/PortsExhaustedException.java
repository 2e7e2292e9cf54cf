package io.hankyo.sip.media;

/**
 * No RTP port is free: the call cannot get media now (the caller answers 503 Service Unavailable, RFC 3261 section
 * 21.5.4).
 */
public final class PortsExhaustedException extends Exception {
  private static final long serialVersionUID = 1L;

  /** @param message which range is full, e.g. {@code "all 5000 RTP ports of 20000-29999 are in use"} */
  public PortsExhaustedException(String message) {
    super(message);
  }
}
