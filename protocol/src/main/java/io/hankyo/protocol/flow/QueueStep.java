package io.hankyo.protocol.flow;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code queue} (コールキューイング, spec section 4): asks the queue named {@code queue} for one of its {@code lines}.
 * When a line is free the targets are rung at once, like a {@link ForwardStep}, and the line stays taken until the
 * call ends. When all lines are busy the caller is answered, hears {@code hold_prompt} in a loop (and their position
 * when {@code announce_position}), and waits for a line in FIFO order; after {@code max_wait_sec} of waiting the caller
 * leaves the queue for {@code timeout}. A caller who hangs up leaves at once. When a line was granted but every target
 * failed, the line is given back and the flow goes to {@code failed} (default: {@code timeout}).
 *
 * <pre>{@code
 * {"type": "queue", "queue": "support", "lines": 2, "hold_prompt": "hold", "announce_position": true,
 *  "max_wait_sec": 120, "targets": [{"to": "03-3333-3333", "ring_sec": 20}], "timeout": "sorry"}
 * }</pre>
 *
 * @param queue the queue name (1-64 characters of A-Z a-z 0-9 _ . -); the calls waiting for the same queue of the
 *     same owner (see {@code scope}) share its lines
 * @param scope who owns the queue's lines: {@link Scope#ADVERTISER} (default: every number of the advertiser whose
 *     flow names this queue shares them) or {@link Scope#NUMBER} (this tracking number alone); never shared across
 *     advertisers
 * @param lines the line count (回線数), at least 1
 * @param holdPrompt the prompt played in a loop while waiting
 * @param announcePosition whether the caller hears their position when it changes (default false)
 * @param maxWaitSec the longest wait for a line, seconds (default {@link #DEFAULT_MAX_WAIT_SEC})
 * @param targets 1..10 destinations rung in order once a line is granted
 * @param timeout the step after the longest wait
 * @param failed the step when a line was granted but every target failed; null for {@code timeout}
 */
public record QueueStep(
    @JsonProperty("queue") String queue,
    @JsonProperty("scope") Scope scope,
    @JsonProperty("lines") int lines,
    @JsonProperty("hold_prompt") String holdPrompt,
    @JsonProperty("announce_position") boolean announcePosition,
    @JsonProperty("max_wait_sec") int maxWaitSec,
    @JsonProperty("targets") List<ForwardTarget> targets,
    @JsonProperty("timeout") String timeout,
    @JsonProperty("failed") String failed)
    implements FlowStep {
  /** The JSON type name. */
  public static final String TYPE = "queue";
  /** Default of {@code max_wait_sec}. */
  public static final int DEFAULT_MAX_WAIT_SEC = 300;

  /** Who owns a queue's lines (issue 3: a queue is per advertiser or per number, as the flow says). */
  public enum Scope {
    /** Shared by the advertiser's numbers that name the queue ({@code "advertiser"}). */
    @JsonProperty("advertiser")
    ADVERTISER,
    /** This tracking number's own ({@code "number"}). */
    @JsonProperty("number")
    NUMBER;

    /** The JSON name: {@code advertiser} or {@code number}. */
    public String jsonName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Checks the parts; a null {@code scope} (documents stored before it existed) is {@link Scope#ADVERTISER}. */
  public QueueStep {
    Objects.requireNonNull(queue, "queue");
    scope = scope == null ? Scope.ADVERTISER : scope;
    Objects.requireNonNull(holdPrompt, "holdPrompt");
    Objects.requireNonNull(timeout, "timeout");
    targets = List.copyOf(targets);
    if (lines < 1) {
      throw new IllegalArgumentException("lines must be at least 1: " + lines);
    }
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("a queue step needs at least one target");
    }
  }

  /** The longest wait in milliseconds. */
  public long maxWaitMillis() {
    return maxWaitSec * 1000L;
  }

  /** The step when every target failed after a line was granted: {@code failed}, else {@code timeout}. */
  public String failedStep() {
    return failed != null ? failed : timeout;
  }

  @Override
  public List<String> nextSteps() {
    List<String> next = new ArrayList<>();
    next.add(timeout);
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
