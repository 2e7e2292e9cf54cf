package io.hankyo.protocol.flow;

import java.util.List;

/**
 * Thrown by {@link CallFlowParser} when a call-flow document is refused; holds every problem found, not just the first,
 * so the user can fix them all at once. The message lists them: {@code "the call flow has 2 problems:
 * /steps/menu/retries: must be ...; /steps/sales/targets/0/to: 0570-123-456 is ..."}.
 */
public final class CallFlowException extends DocumentException {
  /** @param violations the problems, in the order found; at least one */
  public CallFlowException(List<FlowViolation> violations) {
    super("the call flow", violations);
  }
}
