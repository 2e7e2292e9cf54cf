package io.hankyo.protocol.flow;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * One problem of a call-flow document, found by {@link CallFlowParser}.
 *
 * @param pointer the JSON Pointer (RFC 6901) of the bad value, e.g. {@code /steps/menu/first_digit_timeout_sec};
 *     {@code ""} for the whole document
 * @param message what is wrong, for the user who wrote the document, e.g. {@code "must be a whole number from 1 to 60
 *     (seconds); got 0"}
 */
public record FlowViolation(@JsonProperty("pointer") String pointer, @JsonProperty("message") String message) {
  public FlowViolation {
    Objects.requireNonNull(pointer, "pointer");
    Objects.requireNonNull(message, "message");
  }

  /** {@code "<pointer>: <message>"}, or the message alone for the whole document. */
  @Override
  public String toString() {
    return pointer.isEmpty() ? message : pointer + ": " + message;
  }
}
