package io.hankyo.protocol.flow;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/**
 * {@code play} (ガイダンス, spec section 4): answers the caller if not yet done, plays a prompt once, then goes on.
 *
 * <pre>{@code {"type": "play", "prompt": "recording-notice", "next": "sales"}}</pre>
 *
 * @param prompt the prompt name (as uploaded with {@code PUT /v1/prompts/{name}})
 * @param next the step after the prompt
 */
public record PlayStep(@JsonProperty("prompt") String prompt, @JsonProperty("next") String next)
    implements FlowStep {
  /** The JSON type name. */
  public static final String TYPE = "play";

  public PlayStep {
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(next, "next");
  }

  @Override
  public List<String> nextSteps() {
    return List.of(next);
  }

  @Override
  public boolean waits() {
    return true;
  }

  @Override
  public String typeName() {
    return TYPE;
  }
}
