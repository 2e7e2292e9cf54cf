package io.hankyo.protocol.judgment;

import io.hankyo.protocol.flow.DocumentException;
import io.hankyo.protocol.flow.FlowViolation;
import java.util.List;

/**
 * Thrown by {@link JudgmentRulesParser} when a judgment-rules document is refused; holds every problem found, each
 * with its JSON Pointer (the same {@link FlowViolation} shape as call-flow problems, so the API renders both alike).
 * The message lists them: {@code "the judgment rules have 2 problems: /min_talk_sec: ...; /ivr/0/digits: ..."}.
 */
public final class JudgmentRulesException extends DocumentException {
  /** @param violations the problems, in the order found; at least one */
  public JudgmentRulesException(List<FlowViolation> violations) {
    super("the judgment rules", violations);
  }
}
