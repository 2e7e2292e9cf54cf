package io.hankyo.protocol.flow;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code forward} (順次転送, sequential forwarding, spec section 4): rings the targets one after the other, each for its
 * {@code ring_sec}; moves to the next on no answer, busy, unreachable or rejection, and connects the caller to the
 * first that answers. A target that refused with 486 or 603 earlier in the same call is skipped. When all fail the
 * flow goes to {@code failed}; without it the call ends with the outcome of the last attempt (e.g. 話中 when busy).
 * Before any media step the caller is not answered while the targets ring (the SIP answer passes through).
 *
 * <pre>{@code
 * {"type": "forward", "targets": [{"to": "03-1111-1111", "ring_sec": 15}, {"to": "090-2222-2222"}],
 *  "failed": "sorry"}
 * }</pre>
 *
 * @param targets 1..10 destinations in the order they are rung
 * @param failed the step when every target failed; null to end the call
 */
public record ForwardStep(
    @JsonProperty("targets") List<ForwardTarget> targets, @JsonProperty("failed") String failed)
    implements FlowStep {
  /** The JSON type name. */
  public static final String TYPE = "forward";

  public ForwardStep {
    targets = List.copyOf(targets);
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("a forward step needs at least one target");
    }
  }

  @Override
  public List<String> nextSteps() {
    List<String> next = new ArrayList<>();
    if (failed != null) {
      next.add(failed);
    }
    return List.copyOf(next);
  }

  @Override
  public boolean waits() {
    return true;
  }

  @Override
  public String typeName() {
    return TYPE;
  }
}
