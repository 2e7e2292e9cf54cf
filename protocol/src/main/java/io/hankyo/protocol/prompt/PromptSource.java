package io.hankyo.protocol.prompt;

/** Where a prompt's audio came from (rendered as {@code "upload"} or {@code "text"}). */
public enum PromptSource {
  /** A WAV file uploaded with {@code PUT /v1/prompts/{name}}, {@code Content-Type: audio/wav}. */
  UPLOAD("upload"),
  /** Synthesized once by espeak-ng from the text of a JSON {@code {"text": ...}} upload. */
  TEXT("text");

  private final String code;

  PromptSource(String code) {
    this.code = code;
  }

  /** The API and storage code: {@code upload} or {@code text}. */
  public String code() {
    return code;
  }

  /**
   * The source of a code.
   *
   * @throws IllegalArgumentException for anything but {@code upload} and {@code text}
   */
  public static PromptSource ofCode(String code) {
    for (PromptSource s : values()) {
      if (s.code.equals(code)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown prompt source: " + code);
  }
}
