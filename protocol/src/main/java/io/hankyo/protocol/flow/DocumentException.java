package io.hankyo.protocol.flow;

import java.util.List;

/**
 * A configuration document (call flow, judgment rules, notification settings, recording setting; issues 3 and 4) was
 * refused. Holds every problem found, not just the first, each with its JSON Pointer (RFC 6901), so the API can answer
 * one 400 listing them all. The message is {@link DocumentFields#summary}: {@code "the call flow has 2 problems:
 * /steps/menu/retries: must be ...; /steps/sales/targets/0/to: ..."}.
 */
public class DocumentException extends IllegalArgumentException {
  private final String subject;
  private final transient List<FlowViolation> violations;

  /**
   * @param subject the document as the message names it, e.g. {@code "the judgment rules"} (a subject ending in
   *     {@code s} takes "have")
   * @param violations the problems, in the order found; at least one
   * @throws IllegalArgumentException when {@code violations} is empty
   */
  protected DocumentException(String subject, List<FlowViolation> violations) {
    super(DocumentFields.summary(subject, violations));
    this.subject = subject;
    this.violations = List.copyOf(violations);
  }

  /** The document as messages name it, e.g. {@code "the call flow"}. */
  public String subject() {
    return subject;
  }

  /** The problems, in the order found. */
  public List<FlowViolation> violations() {
    return violations;
  }
}
