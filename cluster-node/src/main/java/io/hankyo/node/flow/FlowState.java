package io.hankyo.node.flow;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.call.EndCause;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Where one call is in its call flow; immutable, made by {@link FlowInterpreter} only. The Call entity persists it (or
 * the facts that rebuild it) and gives it back with the next signal; {@link #timers()} are the timers to re-arm after
 * recovery.
 *
 * @param phase what the call waits for
 * @param step the id of the current step; null before the arrival
 * @param path the ids of the steps entered, in order (a step entered twice appears twice)
 * @param absent the absence switch at arrival
 * @param mediaAnswered true once {@link FlowAction.AnswerWithMedia} was sent
 * @param menuRetries replays of the current menu's prompt so far
 * @param digits the digits of the current menu input so far
 * @param targetIndex index in the current step's targets of the target being rung (or last rung); -1 before any
 * @param attempt the number of the current (or last) forward attempt, counted over the call; 0 before any
 * @param attemptStartedAt when the current attempt started; null before any
 * @param refused E.164 numbers that refused with 486, 600 or 603: never rung again in this call
 * @param lastFailure the cause of the last failed attempt; null when none failed
 * @param queue the queue the call waits in or holds a line of; null otherwise
 * @param queueEnteredAt when the call entered the current queue step; null outside one
 * @param lineHeld true when the call holds a line of {@code queue} (give it back at the end)
 * @param position the last queue position the caller was told of (or, without announcements, reported); 0 none
 * @param promptToken the token of the prompt (or announcement) playing; 0 when none
 * @param timers the armed timers
 * @param nextToken the last token handed out (prompts and timers share the sequence)
 * @param transitions steps entered so far, capped by {@link FlowInterpreter#MAX_TRANSITIONS}
 * @param menuInputs the keys of every finished menu input, in order (one entry per input: matched, invalid or
 *     timed out, without the terminator; empty for a timeout without digits), plus the unfinished input of a caller
 *     who hung up while typing; for {@code logvars.ivr_digits} (issue 3, call log). Absent in states written before
 *     it existed: empty
 * @param queueWaitMillis milliseconds the caller waited in queues for a line, summed over the finished waits (from
 *     entering a queue step to the line, the max-wait timeout or the caller's hangup); for {@code
 *     logvars.queue_wait_sec} (issue 3, call log). Absent in older states: 0
 */
public record FlowState(
    @JsonProperty("phase") Phase phase,
    @JsonProperty("step") String step,
    @JsonProperty("path") List<String> path,
    @JsonProperty("absent") boolean absent,
    @JsonProperty("media_answered") boolean mediaAnswered,
    @JsonProperty("menu_retries") int menuRetries,
    @JsonProperty("digits") String digits,
    @JsonProperty("target_index") int targetIndex,
    @JsonProperty("attempt") int attempt,
    @JsonProperty("attempt_started_at") Instant attemptStartedAt,
    @JsonProperty("refused") List<String> refused,
    @JsonProperty("last_failure") EndCause lastFailure,
    @JsonProperty("queue") String queue,
    @JsonProperty("queue_entered_at") Instant queueEnteredAt,
    @JsonProperty("line_held") boolean lineHeld,
    @JsonProperty("position") int position,
    @JsonProperty("prompt_token") long promptToken,
    @JsonProperty("timers") List<FlowTimer> timers,
    @JsonProperty("next_token") long nextToken,
    @JsonProperty("transitions") int transitions,
    @JsonProperty("menu_inputs") List<String> menuInputs,
    @JsonProperty("queue_wait_millis") long queueWaitMillis)
    implements JsonSerializable {

  /** What the call waits for. */
  public enum Phase {
    /** Not started: waits for {@link FlowSignal.CallArrived}. */
    IDLE,
    /** A play step's prompt plays. */
    PLAYING,
    /** A menu's prompt plays (digits are kept and stop it). */
    MENU_PROMPT,
    /** A menu waits for digits (first-digit or inter-digit timer armed). */
    MENU_INPUT,
    /** A forward or queue target rings (ring timer armed). */
    RINGING,
    /** The call asked the queue for a line and has no answer yet (max-wait timer armed). */
    QUEUE_REQUESTED,
    /** The call waits for a line and hears the hold prompt. */
    QUEUE_WAITING,
    /** The call waits for a line and hears its position. */
    QUEUE_ANNOUNCING,
    /** A hangup step's prompt plays. */
    HANGUP_PROMPT,
    /** The caller talks with a destination; the flow is done until someone hangs up. */
    CONNECTED,
    /** The flow is over; every signal is ignored. */
    ENDED
  }

  public FlowState {
    Objects.requireNonNull(phase, "phase");
    path = path == null ? List.of() : List.copyOf(path);
    digits = digits == null ? "" : digits;
    refused = refused == null ? List.of() : List.copyOf(refused);
    timers = timers == null ? List.of() : List.copyOf(timers);
    menuInputs = menuInputs == null ? List.of() : List.copyOf(menuInputs);
  }

  /** The state of a call whose flow has not started. */
  public static FlowState initial() {
    return new FlowState(Phase.IDLE, null, List.of(), false, false, 0, "", -1, 0, null, List.of(), null, null, null,
        false, 0, 0, List.of(), 0, 0, List.of(), 0);
  }

  /** True when the flow is over. */
  public boolean ended() {
    return phase == Phase.ENDED;
  }

  /** The armed timer of a kind, or null. */
  public FlowTimer timer(FlowTimer.Kind kind) {
    for (FlowTimer t : timers) {
      if (t.kind() == kind) {
        return t;
      }
    }
    return null;
  }
}
