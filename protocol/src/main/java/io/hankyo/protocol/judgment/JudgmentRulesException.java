package io.hankyo.protocol.judgment;

import io.hankyo.protocol.flow.FlowViolation;
import java.util.List;

/**
 * Thrown by {@link JudgmentRulesParser} when a judgment-rules document is refused; holds every problem found, each
 * with its JSON Pointer (the same {@link FlowViolation} shape as call-flow problems, so the API renders both alike).
 * The message lists them: {@code "the judgment rules have 2 problems: /min_talk_sec: ...; /ivr/0/digits: ..."}.
 */
public final class JudgmentRulesException extends IllegalArgumentException {
  private final transient List<FlowViolation> violations;

  /**
   * @param violations the problems, in document order; at least one
   */
  public JudgmentRulesException(List<FlowViolation> violations) {
    super(describe(violations));
    this.violations = List.copyOf(violations);
  }

  /** The problems, in document order. */
  public List<FlowViolation> violations() {
    return violations;
  }

  private static String describe(List<FlowViolation> violations) {
    if (violations.isEmpty()) {
      throw new IllegalArgumentException("a JudgmentRulesException needs at least one violation");
    }
    StringBuilder b = new StringBuilder("the judgment rules have ").append(violations.size())
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
