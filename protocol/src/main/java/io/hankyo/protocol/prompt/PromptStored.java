package io.hankyo.protocol.prompt;

import java.util.Objects;

/**
 * The outcome of storing a prompt.
 *
 * @param prompt the prompt as stored now
 * @param created true when no prompt of that name existed before (HTTP 201), false when one was replaced (200)
 */
public record PromptStored(PromptView prompt, boolean created) {
  /** @throws NullPointerException when prompt is null */
  public PromptStored {
    Objects.requireNonNull(prompt, "prompt");
  }
}
