package io.hankyo.sip.media;

/** How a playback (a prompt or a sent DTMF digit) of a {@link MediaSession} ended. */
public enum PlayOutcome {
  /** Every frame was sent (never for a looping prompt). */
  FINISHED,
  /** {@link MediaSession#stopPlaying()} was called, or another playback replaced this one. */
  STOPPED,
  /** A digit arrived while a prompt played with barge-in. */
  BARGED_IN,
  /** The session was closed. */
  CLOSED
}
