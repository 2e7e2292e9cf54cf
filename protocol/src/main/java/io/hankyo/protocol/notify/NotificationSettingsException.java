package io.hankyo.protocol.notify;

import io.hankyo.protocol.flow.DocumentException;
import io.hankyo.protocol.flow.FlowViolation;
import java.util.List;

/**
 * Thrown by {@link NotificationSettingsParser} when a notification settings document is refused (issue 4); holds every
 * problem, each with its JSON Pointer, in the {@link FlowViolation} shape the API renders for every document.
 */
public final class NotificationSettingsException extends DocumentException {
  /** @param violations the problems, in the order found; at least one */
  public NotificationSettingsException(List<FlowViolation> violations) {
    super("the notification settings", violations);
  }
}
