package io.hankyo.node.flow;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A timer the call flow armed, as data: the Call entity persists the armed timers of its {@link FlowState} and re-arms
 * them after recovery on any node (at {@code deadline}, at once when it has passed), then reports
 * {@link FlowSignal.TimerFired} with the same kind and token. A firing whose token is no longer armed is stale and
 * ignored, so cancelling a timer in the scheduler is an optimisation, not a duty.
 *
 * @param kind what the timer is for
 * @param token unique within the call (from {@link FlowState#nextToken()})
 * @param deadline when it fires
 * @param durationMillis its length in milliseconds, from the signal that armed it
 */
public record FlowTimer(
    @JsonProperty("kind") Kind kind,
    @JsonProperty("token") long token,
    @JsonProperty("deadline") Instant deadline,
    @JsonProperty("duration_ms") long durationMillis)
    implements JsonSerializable {
  /** What a timer is for. */
  public enum Kind {
    /** A menu waits for the first digit after its prompt ({@code first_digit_timeout_sec}). */
    FIRST_DIGIT,
    /** A menu waits for the next digit ({@code inter_digit_timeout_sec}). */
    INTER_DIGIT,
    /** A forward target rings ({@code ring_sec}); on expiry the attempt is cancelled and the next target rung. */
    RING,
    /** A caller waits for a queue line ({@code max_wait_sec}). */
    QUEUE_MAX_WAIT
  }

  public FlowTimer {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(deadline, "deadline");
  }

  /** Milliseconds from {@code now} until the deadline; 0 when it has passed. */
  public long remainingMillis(Instant now) {
    return Math.max(0, Duration.between(now, deadline).toMillis());
  }
}
