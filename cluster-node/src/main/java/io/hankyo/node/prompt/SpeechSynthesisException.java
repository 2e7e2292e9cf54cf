package io.hankyo.node.prompt;

/**
 * Text could not be turned into audio by {@link EspeakSynthesizer}. The message is meant for the API caller.
 */
public final class SpeechSynthesisException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why synthesis failed. */
  public enum Kind {
    /** espeak-ng is not installed (not found or not executable): HTTP 503. */
    UNAVAILABLE,
    /** espeak-ng has no voice of the requested name: HTTP 400. */
    UNKNOWN_VOICE,
    /** espeak-ng did not finish within the timeout: HTTP 503. */
    TIMED_OUT,
    /** espeak-ng failed otherwise (exit status, no output): HTTP 503. */
    FAILED
  }

  private final Kind kind;

  /**
   * @param kind why it failed
   * @param message what happened, for the caller
   */
  public SpeechSynthesisException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  /** Why it failed. */
  public Kind kind() {
    return kind;
  }
}
