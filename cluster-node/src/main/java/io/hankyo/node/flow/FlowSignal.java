package io.hankyo.node.flow;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.call.EndCause;
import java.time.Instant;
import java.util.Objects;

/**
 * What happened to a call, as the {@link FlowInterpreter} takes it: from the gateway (prompt finished, digit, forward
 * leg outcome, hangups), the queue entity (line granted, position) and the Call entity itself (arrival, timers). Every
 * signal carries the instant it happened; the interpreter reads no clock. Signals that do not fit the state (a stale
 * timer or prompt token, a report about an earlier attempt, anything after the end) are ignored.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = FlowSignal.CallArrived.class, name = "call-arrived"),
  @JsonSubTypes.Type(value = FlowSignal.PromptFinished.class, name = "prompt-finished"),
  @JsonSubTypes.Type(value = FlowSignal.Digit.class, name = "digit"),
  @JsonSubTypes.Type(value = FlowSignal.TimerFired.class, name = "timer-fired"),
  @JsonSubTypes.Type(value = FlowSignal.ForwardAnswered.class, name = "forward-answered"),
  @JsonSubTypes.Type(value = FlowSignal.ForwardFailed.class, name = "forward-failed"),
  @JsonSubTypes.Type(value = FlowSignal.QueueLineGranted.class, name = "queue-line-granted"),
  @JsonSubTypes.Type(value = FlowSignal.QueuePosition.class, name = "queue-position"),
  @JsonSubTypes.Type(value = FlowSignal.CallerHungUp.class, name = "caller-hung-up"),
  @JsonSubTypes.Type(value = FlowSignal.DestinationHungUp.class, name = "destination-hung-up")
})
public sealed interface FlowSignal extends JsonSerializable {
  /** When it happened. */
  Instant at();

  /**
   * The call arrived: the flow starts at its {@code start} step.
   *
   * @param absent the advertiser's absence switch (不在設定) at arrival, for absence steps
   */
  record CallArrived(@JsonProperty("at") Instant at, @JsonProperty("absent") boolean absent)
      implements FlowSignal {}

  /** The prompt (or position announcement) of {@code token} played to its end, or stopped after a StopPrompt. */
  record PromptFinished(@JsonProperty("at") Instant at, @JsonProperty("token") long token) implements FlowSignal {}

  /**
   * The caller pressed a key (RFC 4733 event or SIP INFO), one signal per press.
   *
   * @param digit one of {@code 0-9 * # A-D}
   */
  record Digit(@JsonProperty("at") Instant at, @JsonProperty("digit") String digit) implements FlowSignal {
    public Digit {
      Objects.requireNonNull(digit, "digit");
      if (!digit.matches("[0-9*#A-D]")) {
        throw new IllegalArgumentException("a DTMF digit is one of 0-9 * # A-D: " + digit);
      }
    }
  }

  /** A timer armed by a {@link FlowAction.StartTimer} fired; stale unless the state still holds its token. */
  record TimerFired(
      @JsonProperty("at") Instant at,
      @JsonProperty("kind") FlowTimer.Kind kind,
      @JsonProperty("token") long token)
      implements FlowSignal {}

  /** The destination of forward {@code attempt} answered (2xx). */
  record ForwardAnswered(@JsonProperty("at") Instant at, @JsonProperty("attempt") int attempt)
      implements FlowSignal {}

  /**
   * Forward {@code attempt} failed before answer.
   *
   * @param cause {@link EndCause#BUSY}, {@link EndCause#NO_ANSWER}, {@link EndCause#UNREACHABLE} or {@link
   *     EndCause#DECLINED} (others are taken as unreachable)
   * @param sipStatus the destination's final response, 0 for none (timeout, transport error); 486, 600 and 603
   *     mark the destination as refusing: it is not rung again in this call
   */
  record ForwardFailed(
      @JsonProperty("at") Instant at,
      @JsonProperty("attempt") int attempt,
      @JsonProperty("cause") EndCause cause,
      @JsonProperty("sip_status") int sipStatus)
      implements FlowSignal {}

  /** The queue gave the call a line (at once, or after waiting). */
  record QueueLineGranted(@JsonProperty("at") Instant at) implements FlowSignal {
    @JsonCreator
    public QueueLineGranted {}
  }

  /**
   * All lines are busy: the call waits at {@code position} (1 = next). Sent on entry and whenever it changes.
   */
  record QueuePosition(@JsonProperty("at") Instant at, @JsonProperty("position") int position)
      implements FlowSignal {}

  /** The caller hung up (CANCEL before answer, BYE after); the gateway releases every leg itself. */
  record CallerHungUp(@JsonProperty("at") Instant at) implements FlowSignal {
    @JsonCreator
    public CallerHungUp {}
  }

  /** The connected destination hung up (BYE after the bridge). */
  record DestinationHungUp(@JsonProperty("at") Instant at) implements FlowSignal {
    @JsonCreator
    public DestinationHungUp {}
  }
}
