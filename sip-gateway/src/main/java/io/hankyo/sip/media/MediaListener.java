package io.hankyo.sip.media;

/**
 * What a {@link MediaSession} reports. Called on the engine's receive thread: return quickly and never block (hand
 * work to the call's own executor).
 */
public interface MediaListener {
  /** A key press from the RTP stream (RFC 4733), once per event. */
  default void onDigit(MediaSession session, DtmfDigit digit) {}

  /**
   * Every valid RTP packet received from the peer (audio and events), before relaying; for recording and tests.
   */
  default void onPacket(MediaSession session, RtpPacket packet) {}

  /** A listener that ignores everything. */
  MediaListener NONE = new MediaListener() {};
}
