package io.hankyo.protocol.prompt;

import java.time.Instant;
import java.util.Objects;

/**
 * A guidance prompt's metadata (ガイダンス, spec section 4; issue 3), as stored and as the API renders it. The audio
 * itself is stored normalized: a WAV file of 8,000 Hz mono 16-bit linear PCM.
 *
 * @param name the prompt's name within its operator, {@code [A-Za-z0-9_.-]{1,64}} (the names call flows use)
 * @param source how the audio came: uploaded WAV or synthesized from text
 * @param text the text it was synthesized from; null for uploads
 * @param voice the espeak-ng voice used for text prompts (e.g. {@code ja}); null for uploads
 * @param durationMs length of the audio, in milliseconds
 * @param bytes size of the stored (normalized) WAV file, in bytes
 * @param sha256 SHA-256 of the stored WAV file, 64 lower-case hex digits
 * @param updatedAt when this version was stored
 */
public record PromptView(
    String name,
    PromptSource source,
    String text,
    String voice,
    long durationMs,
    long bytes,
    String sha256,
    Instant updatedAt) {

  /** @throws NullPointerException when name, source, sha256 or updatedAt is null */
  public PromptView {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }
}
