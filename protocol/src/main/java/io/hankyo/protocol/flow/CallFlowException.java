package io.hankyo.protocol.flow;

import java.util.List;

/**
 * Thrown by {@link CallFlowParser} when a call-flow document is refused; holds every problem found, not just the first,
 * so the user can fix them all at once. The message lists them: {@code "the call flow has 2 problems:
 * /steps/menu/retries: must be ...; /steps/sales/targets/0/to: 0570-123-456 is ..."}.
 */
public final class CallFlowException extends IllegalArgumentException {
  private final transient List<FlowViolation> violations;

  /**
   * @param violations the problems, in the order found; at least one
   */
  public CallFlowException(List<FlowViolation> violations) {
    super(describe(violations));
    this.violations = List.copyOf(violations);
  }

  /** The problems, in the order found (document order first, then references, reachability and loops). */
  public List<FlowViolation> violations() {
    return violations;
  }

  private static String describe(List<FlowViolation> violations) {
    if (violations.isEmpty()) {
      throw new IllegalArgumentException("a CallFlowException needs at least one violation");
    }
    StringBuilder b = new StringBuilder("the call flow has ").append(violations.size())
        .append(violations.size() == 1 ? " problem: " : " problems: ");
    for (int i = 0; i < violations.size(); i++) {
      if (i > 0) {
        b.append("; ");
      }
      b.append(violations.get(i));
    }
    return b.toString();
  }
}
