package io.hankyo.protocol.recording;

import io.hankyo.protocol.flow.DocumentFields;
import io.hankyo.protocol.flow.FlowViolation;
import java.util.List;

/**
 * Thrown by {@link RecordingSettingsParser} when a recording-setting document is refused; holds every problem found,
 * each with its JSON Pointer (the same {@link FlowViolation} shape as call-flow and judgment-rule problems).
 */
public final class RecordingSettingsException extends IllegalArgumentException {
  private final transient List<FlowViolation> violations;

  /** @param violations the problems, in document order; at least one */
  public RecordingSettingsException(List<FlowViolation> violations) {
    super(DocumentFields.summary("the recording setting", violations));
    this.violations = List.copyOf(violations);
  }

  /** The problems, in document order. */
  public List<FlowViolation> violations() {
    return violations;
  }
}
