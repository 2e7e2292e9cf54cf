package io.hankyo.sip.media;

/**
 * Uploaded audio that cannot be a prompt: not a WAV file, an encoding we do not play, too large or too long, no
 * audio. The message is meant for the uploader (an HTTP 400/413/415 body), e.g.
 * {@code "prompt welcome: unsupported encoding PCM_FLOAT 32-bit; use 16-bit PCM, or 8-bit µ-law/A-law"}.
 */
public final class InvalidPromptException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why the audio was refused. */
  public enum Reason {
    /** Not a WAV (RIFF/WAVE) file, or a damaged one. */
    NOT_WAV,
    /** An encoding or sample size we do not convert. */
    UNSUPPORTED_ENCODING,
    /** More bytes than the configured limit. */
    TOO_LARGE,
    /** Longer than the configured maximum duration. */
    TOO_LONG,
    /** No samples. */
    EMPTY
  }

  private final Reason reason;

  /**
   * @param reason the kind of refusal (an HTTP layer maps TOO_LARGE to 413, UNSUPPORTED_ENCODING to 415, others
   *     to 400)
   * @param message what is wrong, for the uploader
   */
  public InvalidPromptException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** The kind of refusal. */
  public Reason reason() {
    return reason;
  }
}
