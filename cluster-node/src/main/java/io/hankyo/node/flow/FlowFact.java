package io.hankyo.node.flow;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.number.PhoneNumber;
import java.time.Instant;

/**
 * What the call flow did, to record with the call (events, the call log of spec section 6 and issue 3: step path,
 * IVR digits in {@code logvars.ivr_digits}, outside business hours, which destination answered, ringing time of each
 * attempt for {@code calling_sec}, queue wait seconds).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = FlowFact.StepEntered.class, name = "step-entered"),
  @JsonSubTypes.Type(value = FlowFact.ScheduleChecked.class, name = "schedule-checked"),
  @JsonSubTypes.Type(value = FlowFact.AbsenceChecked.class, name = "absence-checked"),
  @JsonSubTypes.Type(value = FlowFact.MenuInput.class, name = "menu-input"),
  @JsonSubTypes.Type(value = FlowFact.AttemptStarted.class, name = "attempt-started"),
  @JsonSubTypes.Type(value = FlowFact.AttemptSkipped.class, name = "attempt-skipped"),
  @JsonSubTypes.Type(value = FlowFact.AttemptFailed.class, name = "attempt-failed"),
  @JsonSubTypes.Type(value = FlowFact.AttemptAnswered.class, name = "attempt-answered"),
  @JsonSubTypes.Type(value = FlowFact.QueueEntered.class, name = "queue-entered"),
  @JsonSubTypes.Type(value = FlowFact.QueueLeft.class, name = "queue-left"),
  @JsonSubTypes.Type(value = FlowFact.FlowEnded.class, name = "flow-ended")
})
public sealed interface FlowFact extends JsonSerializable {
  /** When it happened. */
  Instant at();

  /** The flow entered a step ({@code stepType} e.g. {@code "menu"}). */
  record StepEntered(
      @JsonProperty("at") Instant at,
      @JsonProperty("step") String step,
      @JsonProperty("step_type") String stepType)
      implements FlowFact {}

  /** A schedule step decided; {@code open} false means the call came outside business hours. */
  record ScheduleChecked(
      @JsonProperty("at") Instant at, @JsonProperty("step") String step, @JsonProperty("open") boolean open)
      implements FlowFact {}

  /** An absence step decided with the switch as it was at arrival. */
  record AbsenceChecked(
      @JsonProperty("at") Instant at, @JsonProperty("step") String step, @JsonProperty("absent") boolean absent)
      implements FlowFact {}

  /** How one input of a menu ended. */
  enum MenuOutcome {
    /** The digits are a key: the flow goes to its step. */
    MATCHED,
    /** The digits are no key. */
    INVALID,
    /** No digit before the first-digit timeout. */
    TIMEOUT
  }

  /**
   * One input of a menu (IVR).
   *
   * @param digits the keys pressed, without the terminator; empty on timeout
   * @param retry true when the prompt is played again (retries remained), false when the flow moves on
   */
  record MenuInput(
      @JsonProperty("at") Instant at,
      @JsonProperty("step") String step,
      @JsonProperty("digits") String digits,
      @JsonProperty("outcome") MenuOutcome outcome,
      @JsonProperty("retry") boolean retry)
      implements FlowFact {}

  /** A forward attempt started ({@code ring_timeout_ms} in milliseconds). */
  record AttemptStarted(
      @JsonProperty("at") Instant at,
      @JsonProperty("step") String step,
      @JsonProperty("attempt") int attempt,
      @JsonProperty("to") PhoneNumber to,
      @JsonProperty("ring_timeout_ms") long ringTimeoutMillis)
      implements FlowFact {}

  /** A target was not rung: it refused (486/600/603) earlier in the call. */
  record AttemptSkipped(
      @JsonProperty("at") Instant at, @JsonProperty("step") String step, @JsonProperty("to") PhoneNumber to)
      implements FlowFact {}

  /**
   * A forward attempt failed.
   *
   * @param sipStatus the destination's final response; 0 when none (our ring timeout, transport error)
   * @param refused true when the destination is not rung again in this call
   * @param ringingMillis milliseconds from the start of the attempt to the failure
   */
  record AttemptFailed(
      @JsonProperty("at") Instant at,
      @JsonProperty("step") String step,
      @JsonProperty("attempt") int attempt,
      @JsonProperty("to") PhoneNumber to,
      @JsonProperty("cause") EndCause cause,
      @JsonProperty("sip_status") int sipStatus,
      @JsonProperty("refused") boolean refused,
      @JsonProperty("ringing_ms") long ringingMillis)
      implements FlowFact {}

  /**
   * A destination answered ({@code fwd_id}); {@code ringingMillis} from the start of its attempt ({@code
   * calling_sec}).
   */
  record AttemptAnswered(
      @JsonProperty("at") Instant at,
      @JsonProperty("step") String step,
      @JsonProperty("attempt") int attempt,
      @JsonProperty("to") PhoneNumber to,
      @JsonProperty("ringing_ms") long ringingMillis)
      implements FlowFact {}

  /** The call asked a queue for a line. */
  record QueueEntered(
      @JsonProperty("at") Instant at,
      @JsonProperty("step") String step,
      @JsonProperty("queue") String queue,
      @JsonProperty("lines") int lines)
      implements FlowFact {}

  /** Why a call stopped waiting in a queue. */
  enum QueueExit {
    /** A line was granted. */
    GRANTED,
    /** The longest wait passed. */
    TIMEOUT,
    /** The caller hung up while waiting. */
    CALLER_HUNG_UP
  }

  /** The call stopped waiting for a line; {@code waitedMillis} from entering the queue (queue wait seconds). */
  record QueueLeft(
      @JsonProperty("at") Instant at,
      @JsonProperty("step") String step,
      @JsonProperty("queue") String queue,
      @JsonProperty("exit") QueueExit exit,
      @JsonProperty("waited_ms") long waitedMillis)
      implements FlowFact {}

  /** Why the flow ended. */
  enum EndReason {
    /** A hangup step ended the call. */
    HANGUP_STEP,
    /** Every target of a forward step without {@code failed} failed. */
    TARGETS_FAILED,
    /** The caller hung up. */
    CALLER_HUNG_UP,
    /** The connected destination hung up. */
    DESTINATION_HUNG_UP,
    /** More step transitions than {@link FlowInterpreter#MAX_TRANSITIONS}. */
    TRANSITION_CAP,
    /** The flow names a step it does not have (a stored flow that does not fit). */
    MISSING_STEP
  }

  /**
   * The flow is over.
   *
   * @param cause the cause of the {@link FlowAction.Hangup} the flow sent; null when a party hung up
   */
  record FlowEnded(
      @JsonProperty("at") Instant at,
      @JsonProperty("step") String step,
      @JsonProperty("reason") EndReason reason,
      @JsonProperty("cause") EndCause cause)
      implements FlowFact {}
}
