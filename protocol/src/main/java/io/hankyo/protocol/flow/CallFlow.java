package io.hankyo.protocol.flow;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.number.PhoneNumber;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The call flow of a tracking number (spec section 4, issue 3): steps by id and the step a call starts at. A document
 * is checked by {@link CallFlowParser}; this record holds a checked flow and is stored as Jackson JSON in journal
 * events, in the shape of the document except that forward targets carry the parsed {@link PhoneNumber}.
 *
 * <pre>{@code
 * {"start": "hours",
 *  "steps": {
 *    "hours":  {"type": "schedule", "weekly": {"mon": ["09:00-18:00"]}, "open": "sales", "closed": "closed"},
 *    "sales":  {"type": "forward", "targets": [{"to": "03-1111-1111", "ring_sec": 15}], "failed": "closed"},
 *    "closed": {"type": "hangup", "prompt": "closed"}}}
 * }</pre>
 *
 * @param start the id of the first step
 * @param steps the steps by id, in document order
 */
public record CallFlow(@JsonProperty("start") String start, @JsonProperty("steps") Map<String, FlowStep> steps)
    implements JsonSerializable {
  /** The id of the only step of {@link #defaultFor}. */
  public static final String DEFAULT_STEP = "forward";

  public CallFlow {
    Objects.requireNonNull(start, "start");
    steps = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(steps, "steps")));
  }

  /**
   * The flow of a number without a document ("forward to fwd_id", issue 3): one {@link ForwardStep} {@value
   * #DEFAULT_STEP} with one target and no {@code failed} step, so a busy or unanswered destination ends the call with
   * that outcome, as in the walking skeleton.
   *
   * @param forwardTo the tracking number's forward destination ({@code fwd_id})
   * @param ringSec the ring timeout in seconds, positive (the node's configured default is not bound by the document
   *     limits of {@link ForwardTarget})
   */
  public static CallFlow defaultFor(PhoneNumber forwardTo, int ringSec) {
    ForwardStep forward = new ForwardStep(List.of(new ForwardTarget(forwardTo, ringSec)), null);
    return new CallFlow(DEFAULT_STEP, Map.of(DEFAULT_STEP, forward));
  }

  /**
   * The step of an id.
   *
   * @return the step, or null when the flow has no such step (never for a flow from {@link CallFlowParser})
   */
  public FlowStep step(String id) {
    return id == null ? null : steps.get(id);
  }

  /** Every prompt name the flow plays, in document order, without repeats (to check they exist). */
  public Set<String> prompts() {
    Set<String> prompts = new LinkedHashSet<>();
    for (FlowStep step : steps.values()) {
      if (step instanceof PlayStep p) {
        prompts.add(p.prompt());
      } else if (step instanceof MenuStep m) {
        prompts.add(m.prompt());
      } else if (step instanceof QueueStep q) {
        prompts.add(q.holdPrompt());
      } else if (step instanceof HangupStep h && h.prompt() != null) {
        prompts.add(h.prompt());
      }
    }
    return Collections.unmodifiableSet(prompts);
  }

  /** Every forward and queue target of the flow, in document order (a number may appear in several steps). */
  public List<ForwardTarget> targets() {
    List<ForwardTarget> targets = new ArrayList<>();
    for (FlowStep step : steps.values()) {
      if (step instanceof ForwardStep f) {
        targets.addAll(f.targets());
      } else if (step instanceof QueueStep q) {
        targets.addAll(q.targets());
      }
    }
    return List.copyOf(targets);
  }
}
