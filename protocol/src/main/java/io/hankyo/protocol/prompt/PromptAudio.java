package io.hankyo.protocol.prompt;

import java.util.Objects;

/**
 * A prompt with its stored audio.
 *
 * @param prompt the metadata
 * @param wav the stored WAV file (8,000 Hz mono 16-bit PCM, {@code prompt.bytes()} long); callers must not change it
 */
public record PromptAudio(PromptView prompt, byte[] wav) {
  /** @throws NullPointerException when an argument is null */
  public PromptAudio {
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(wav, "wav");
  }
}
