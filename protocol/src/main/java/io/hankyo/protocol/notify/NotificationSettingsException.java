package io.hankyo.protocol.notify;

import io.hankyo.protocol.flow.DocumentFields;
import io.hankyo.protocol.flow.FlowViolation;
import java.util.List;

/**
 * Thrown by {@link NotificationSettingsParser} when a notification settings document is refused (issue 4); holds every
 * problem, each with its JSON Pointer, in the {@link FlowViolation} shape the API renders for every document.
 */
public final class NotificationSettingsException extends IllegalArgumentException {
  private final transient List<FlowViolation> violations;

  /** @param violations the problems, in document order; at least one */
  public NotificationSettingsException(List<FlowViolation> violations) {
    super(DocumentFields.summary("the notification settings", violations));
    this.violations = List.copyOf(violations);
  }

  /** The problems, in document order. */
  public List<FlowViolation> violations() {
    return violations;
  }
}
