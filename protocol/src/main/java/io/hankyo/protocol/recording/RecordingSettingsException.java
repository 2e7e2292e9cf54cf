package io.hankyo.protocol.recording;

import io.hankyo.protocol.flow.DocumentException;
import io.hankyo.protocol.flow.FlowViolation;
import java.util.List;

/**
 * Thrown by {@link RecordingSettingsParser} when a recording-setting document is refused; holds every problem found,
 * each with its JSON Pointer (the same {@link FlowViolation} shape as call-flow and judgment-rule problems).
 */
public final class RecordingSettingsException extends DocumentException {
  /** @param violations the problems, in the order found; at least one */
  public RecordingSettingsException(List<FlowViolation> violations) {
    super("the recording setting", violations);
  }
}
