package io.hankyo.protocol.flow;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * {@code hangup} (spec section 4): plays an optional prompt (answering the caller first), then ends the call.
 *
 * <pre>{@code {"type": "hangup", "prompt": "closed"}}</pre>
 *
 * @param prompt the prompt to play before hanging up; null to end at once (an unanswered caller then gets a final
 *     response, answered callers a BYE)
 */
public record HangupStep(@JsonProperty("prompt") String prompt) implements FlowStep {
  /** The JSON type name. */
  public static final String TYPE = "hangup";

  @Override
  public List<String> nextSteps() {
    return List.of();
  }

  @Override
  public boolean waits() {
    return false;
  }

  @Override
  public String typeName() {
    return TYPE;
  }
}
