package io.hankyo.node.flow;

import io.hankyo.node.call.CallOutcomes;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.flow.AbsenceStep;
import io.hankyo.protocol.flow.CallFlow;
import io.hankyo.protocol.flow.FlowStep;
import io.hankyo.protocol.flow.ForwardStep;
import io.hankyo.protocol.flow.ForwardTarget;
import io.hankyo.protocol.flow.HangupStep;
import io.hankyo.protocol.flow.MenuStep;
import io.hankyo.protocol.flow.PlayStep;
import io.hankyo.protocol.flow.QueueStep;
import io.hankyo.protocol.flow.ScheduleStep;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Runs a {@link CallFlow} (spec section 4, issue 3): plain Java, no actors, no clock, no I/O. Given the flow, the
 * call's {@link FlowState} and a {@link FlowSignal}, it returns the new state, the {@link FlowAction}s for the gateway,
 * the queue and the entity's timers, and the {@link FlowFact}s to record ({@link FlowResult}). The Call entity owns
 * the state, persists it, carries out the actions and feeds back what happens.
 *
 * <p>Behaviour by step (the documents are described in the step records of {@code io.hankyo.protocol.flow}):
 *
 * <ul>
 *   <li>schedule, absence: decided at once by {@link BusinessHours} at the signal's instant, or by the absence
 *       switch given with {@link FlowSignal.CallArrived}; the flow goes on in the same signal.
 *   <li>play: {@link FlowAction.AnswerWithMedia} (once per call), {@link FlowAction.PlayPrompt}; on its {@link
 *       FlowSignal.PromptFinished} the next step. Digits are ignored.
 *   <li>menu: answer, prompt; digits during the prompt are kept and stop it (type-ahead, barge-in); the first-digit
 *       timer starts when the prompt ends, the inter-digit timer after each digit; input rules in {@link MenuStep};
 *       an invalid input or a timeout replays the prompt while retries remain, then goes to {@code invalid} or
 *       {@code timeout}.
 *   <li>forward: rings the targets in order ({@link FlowAction.Forward} and a ring timer); busy, unreachable,
 *       declined, or the ring timer ({@link FlowAction.CancelForward}) move to the next target; destinations that
 *       answered 486, 600 or 603 are never rung again in the call; the first answer gives {@link
 *       FlowAction.Bridge}; when all failed, {@code failed} or a {@link FlowAction.Hangup} with the last cause.
 *   <li>queue: {@link FlowAction.EnterQueue} and the max-wait timer; a granted line rings the targets at once (no
 *       media); a position answers the caller and loops the hold prompt (announcing the position first when asked
 *       and whenever it changes); max wait → {@link FlowAction.LeaveQueue} and {@code timeout}; when a line was
 *       granted but all targets failed → give the line back and {@code failed}; the line is given back when the
 *       connected call ends.
 *   <li>hangup: the prompt if any (answering first), then {@link FlowAction.Hangup}.
 * </ul>
 *
 * The caller hanging up ends the flow in any phase (timers cancelled, queue left). Stale signals are ignored
 * ({@link FlowResult#ignored()}): timers and prompts by token, forward reports by attempt number. Step entries are
 * capped at {@link #MAX_TRANSITIONS} per call, so a flow cannot spin (e.g. two forward steps failing over to each
 * other when every target refused): the call then ends with {@link EndCause#FLOW_ERROR}. Thread-safe, no state.
 */
public final class FlowInterpreter {
  /** Most steps one call may enter. */
  public static final int MAX_TRANSITIONS = 100;
  /** SIP statuses after which a destination is not rung again in the same call: Busy Here, Busy Everywhere, Decline. */
  public static final Set<Integer> REFUSING_STATUSES = Set.of(486, 600, 603);

  private final BusinessHours hours;

  /**
   * @param hours answers schedule steps
   */
  public FlowInterpreter(BusinessHours hours) {
    this.hours = Objects.requireNonNull(hours, "hours");
  }

  /**
   * Applies one signal.
   *
   * @param flow the flow the call started with
   * @param state the call's state ({@link FlowState#initial()} before {@link FlowSignal.CallArrived})
   * @param signal what happened
   * @return the new state, actions and facts; {@link FlowResult#ignored()} when the signal does not fit the state
   */
  public FlowResult apply(CallFlow flow, FlowState state, FlowSignal signal) {
    Objects.requireNonNull(flow, "flow");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(signal, "signal");
    if (state.ended()) {
      return FlowResult.ignored(state);
    }
    Run run = new Run(flow, state, signal.at());
    return run.handle(signal) ? run.result() : FlowResult.ignored(state);
  }

  /** The final response for a caller who was never answered, by cause (like the gateway's table). */
  static int callerStatus(EndCause cause) {
    switch (cause) {
      case BUSY:
        return 486;
      case DECLINED:
        return 603;
      case FLOW_ERROR:
        return 500;
      default:
        return 480;
    }
  }

  /** One signal's work on a mutable copy of the state. */
  private final class Run {
    private final CallFlow flow;
    private final Instant at;
    private final List<FlowAction> actions = new ArrayList<>();
    private final List<FlowFact> facts = new ArrayList<>();

    private FlowState.Phase phase;
    private String step;
    private final List<String> path;
    private boolean absent;
    private boolean mediaAnswered;
    private int menuRetries;
    private String digits;
    private int targetIndex;
    private int attempt;
    private Instant attemptStartedAt;
    private final List<String> refused;
    private EndCause lastFailure;
    private String queue;
    private Instant queueEnteredAt;
    private boolean lineHeld;
    private int position;
    private long promptToken;
    private final List<FlowTimer> timers;
    private long nextToken;
    private int transitions;
    private final List<String> menuInputs;
    private long queueWaitMillis;

    Run(CallFlow flow, FlowState s, Instant at) {
      this.flow = flow;
      this.at = Objects.requireNonNull(at, "at");
      phase = s.phase();
      step = s.step();
      path = new ArrayList<>(s.path());
      absent = s.absent();
      mediaAnswered = s.mediaAnswered();
      menuRetries = s.menuRetries();
      digits = s.digits();
      targetIndex = s.targetIndex();
      attempt = s.attempt();
      attemptStartedAt = s.attemptStartedAt();
      refused = new ArrayList<>(s.refused());
      lastFailure = s.lastFailure();
      queue = s.queue();
      queueEnteredAt = s.queueEnteredAt();
      lineHeld = s.lineHeld();
      position = s.position();
      promptToken = s.promptToken();
      timers = new ArrayList<>(s.timers());
      nextToken = s.nextToken();
      transitions = s.transitions();
      menuInputs = new ArrayList<>(s.menuInputs());
      queueWaitMillis = s.queueWaitMillis();
    }

    FlowResult result() {
      FlowState state = new FlowState(phase, step, path, absent, mediaAnswered, menuRetries, digits, targetIndex,
          attempt, attemptStartedAt, refused, lastFailure, queue, queueEnteredAt, lineHeld, position, promptToken,
          timers, nextToken, transitions, menuInputs, queueWaitMillis);
      return new FlowResult(state, actions, facts, false);
    }

    /** True when the signal fit the state (even when it did nothing visible). */
    boolean handle(FlowSignal signal) {
      if (signal instanceof FlowSignal.CallArrived arrived) {
        if (phase != FlowState.Phase.IDLE) {
          return false;
        }
        absent = arrived.absent();
        enter(flow.start());
        return true;
      }
      if (phase == FlowState.Phase.IDLE) {
        return false;
      }
      if (signal instanceof FlowSignal.CallerHungUp) {
        callerHungUp();
        return true;
      }
      if (signal instanceof FlowSignal.DestinationHungUp) {
        if (phase != FlowState.Phase.CONNECTED) {
          return false;
        }
        leaveQueue();
        finish(FlowFact.EndReason.DESTINATION_HUNG_UP, null);
        return true;
      }
      if (signal instanceof FlowSignal.PromptFinished finished) {
        return promptFinished(finished.token());
      }
      if (signal instanceof FlowSignal.Digit digit) {
        return digit(digit.digit());
      }
      if (signal instanceof FlowSignal.TimerFired fired) {
        return timerFired(fired.kind(), fired.token());
      }
      if (signal instanceof FlowSignal.ForwardAnswered answered) {
        return answered(answered.attempt());
      }
      if (signal instanceof FlowSignal.ForwardFailed failed) {
        if (phase != FlowState.Phase.RINGING || failed.attempt() != attempt) {
          return false;
        }
        attemptFailed(failed.cause(), failed.sipStatus());
        return true;
      }
      if (signal instanceof FlowSignal.QueueLineGranted) {
        return granted();
      }
      if (signal instanceof FlowSignal.QueuePosition p) {
        return position(p.position());
      }
      return false;
    }

    // ------------------------------------------------------------------ steps

    /** Enters a step and runs on through steps that decide at once, until one waits or the flow ends. */
    private void enter(String id) {
      String next = id;
      while (next != null && phase != FlowState.Phase.ENDED) {
        if (transitions >= MAX_TRANSITIONS) {
          hangup(EndCause.FLOW_ERROR, FlowFact.EndReason.TRANSITION_CAP);
          return;
        }
        FlowStep s = flow.step(next);
        if (s == null) {
          hangup(EndCause.FLOW_ERROR, FlowFact.EndReason.MISSING_STEP);
          return;
        }
        transitions++;
        step = next;
        path.add(next);
        menuRetries = 0;
        digits = "";
        targetIndex = -1;
        facts.add(new FlowFact.StepEntered(at, next, s.typeName()));
        next = run(s);
      }
    }

    /** Starts a step; returns the step to enter at once, or null when the step waits or the flow ended. */
    private String run(FlowStep s) {
      if (s instanceof ScheduleStep schedule) {
        boolean open = hours.isOpen(schedule, at);
        facts.add(new FlowFact.ScheduleChecked(at, step, open));
        return open ? schedule.open() : schedule.closed();
      }
      if (s instanceof AbsenceStep absence) {
        facts.add(new FlowFact.AbsenceChecked(at, step, absent));
        return absent ? absence.absent() : absence.present();
      }
      if (s instanceof PlayStep play) {
        answer();
        play(play.prompt(), false);
        phase = FlowState.Phase.PLAYING;
        return null;
      }
      if (s instanceof MenuStep menu) {
        answer();
        play(menu.prompt(), false);
        phase = FlowState.Phase.MENU_PROMPT;
        return null;
      }
      if (s instanceof ForwardStep forward) {
        return ringFrom(forward.targets(), 0);
      }
      if (s instanceof QueueStep q) {
        queue = q.queue();
        queueEnteredAt = at;
        lineHeld = false;
        position = 0;
        actions.add(new FlowAction.EnterQueue(q.queue(), q.lines()));
        facts.add(new FlowFact.QueueEntered(at, step, q.queue(), q.lines()));
        startTimer(FlowTimer.Kind.QUEUE_MAX_WAIT, q.maxWaitMillis());
        phase = FlowState.Phase.QUEUE_REQUESTED;
        return null;
      }
      if (s instanceof HangupStep hangup) {
        if (hangup.prompt() != null) {
          answer();
          play(hangup.prompt(), false);
          phase = FlowState.Phase.HANGUP_PROMPT;
        } else {
          hangup(endCause(), FlowFact.EndReason.HANGUP_STEP);
        }
        return null;
      }
      throw new IllegalStateException("unknown step type " + s.getClass().getName());
    }

    private FlowStep current() {
      return flow.step(step);
    }

    private List<ForwardTarget> currentTargets() {
      FlowStep s = current();
      if (s instanceof QueueStep q) {
        return q.targets();
      }
      return ((ForwardStep) s).targets();
    }

    /** The cause of a hangup the flow decides: the last failed attempt's, else the flow's own. */
    private EndCause endCause() {
      return lastFailure != null ? lastFailure : EndCause.FLOW_ENDED;
    }

    // ------------------------------------------------------------------ prompts and menus

    private boolean promptFinished(long token) {
      if (token == 0 || token != promptToken) {
        return false;
      }
      promptToken = 0;
      FlowStep s = current();
      switch (phase) {
        case PLAYING:
          enter(((PlayStep) s).next());
          return true;
        case MENU_PROMPT:
          phase = FlowState.Phase.MENU_INPUT;
          startTimer(FlowTimer.Kind.FIRST_DIGIT, ((MenuStep) s).firstDigitTimeoutMillis());
          return true;
        case HANGUP_PROMPT:
          hangup(endCause(), FlowFact.EndReason.HANGUP_STEP);
          return true;
        case QUEUE_ANNOUNCING:
        case QUEUE_WAITING:
        case RINGING:
          if (s instanceof QueueStep q) {
            // after the announcement, or a hold loop that ended on its own: the hold loop (again)
            play(q.holdPrompt(), true);
            if (phase == FlowState.Phase.QUEUE_ANNOUNCING) {
              phase = FlowState.Phase.QUEUE_WAITING;
            }
            return true;
          }
          return false;
        default:
          return false;
      }
    }

    private boolean digit(String d) {
      if (phase != FlowState.Phase.MENU_PROMPT && phase != FlowState.Phase.MENU_INPUT) {
        return false;
      }
      MenuStep menu = (MenuStep) current();
      if (phase == FlowState.Phase.MENU_PROMPT) {
        stopPrompt(); // barge-in
        phase = FlowState.Phase.MENU_INPUT;
      }
      cancelTimer(FlowTimer.Kind.FIRST_DIGIT);
      cancelTimer(FlowTimer.Kind.INTER_DIGIT);
      String next;
      if (d.equals(menu.terminator())) {
        next = judge(menu);
      } else {
        digits = digits + d;
        boolean decided;
        if (menu.terminator() == null) {
          decided = (menu.digits().containsKey(digits) && !menu.extendedByLongerKey(digits))
              || !menu.startsSomeKey(digits)
              || digits.length() >= menu.maxDigits();
        } else {
          decided = digits.length() > menu.maxDigits();
        }
        if (!decided) {
          startTimer(FlowTimer.Kind.INTER_DIGIT, menu.interDigitTimeoutMillis());
          return true;
        }
        next = judge(menu);
      }
      enter(next);
      return true;
    }

    /** Matches the digits: the step of the key, or what an invalid input leads to (null while retrying). */
    private String judge(MenuStep menu) {
      String target = menu.digits().get(digits);
      if (target != null) {
        facts.add(new FlowFact.MenuInput(at, step, digits, FlowFact.MenuOutcome.MATCHED, false));
        menuInputs.add(digits);
        return target;
      }
      return menuFailed(menu, FlowFact.MenuOutcome.INVALID);
    }

    /** An invalid input or a timeout: replay the prompt while retries remain (null), else the step to go to. */
    private String menuFailed(MenuStep menu, FlowFact.MenuOutcome outcome) {
      boolean retry = menuRetries < menu.retries();
      facts.add(new FlowFact.MenuInput(at, step, digits, outcome, retry));
      menuInputs.add(digits);
      if (retry) {
        menuRetries++;
        digits = "";
        play(menu.prompt(), false);
        phase = FlowState.Phase.MENU_PROMPT;
        return null;
      }
      return outcome == FlowFact.MenuOutcome.TIMEOUT ? menu.timeout() : menu.invalid();
    }

    // ------------------------------------------------------------------ timers

    private boolean timerFired(FlowTimer.Kind kind, long token) {
      FlowTimer timer = null;
      for (FlowTimer t : timers) {
        if (t.kind() == kind && t.token() == token) {
          timer = t;
        }
      }
      if (timer == null) {
        return false; // stale: cancelled, or from an earlier phase
      }
      timers.remove(timer);
      switch (kind) {
        case FIRST_DIGIT:
          enter(menuFailed((MenuStep) current(), FlowFact.MenuOutcome.TIMEOUT));
          return true;
        case INTER_DIGIT:
          enter(judge((MenuStep) current()));
          return true;
        case RING:
          actions.add(new FlowAction.CancelForward(attempt));
          attemptFailed(EndCause.NO_ANSWER, 0);
          return true;
        case QUEUE_MAX_WAIT: {
          QueueStep q = (QueueStep) current();
          stopPrompt();
          facts.add(new FlowFact.QueueLeft(at, step, queue, FlowFact.QueueExit.TIMEOUT, millisSince(queueEnteredAt)));
          queueWaitMillis += millisSince(queueEnteredAt);
          leaveQueue();
          queueEnteredAt = null;
          enter(q.timeout());
          return true;
        }
        default:
          return false;
      }
    }

    private void startTimer(FlowTimer.Kind kind, long millis) {
      FlowTimer timer = new FlowTimer(kind, ++nextToken, at.plusMillis(millis), millis);
      timers.add(timer);
      actions.add(new FlowAction.StartTimer(timer));
    }

    private void cancelTimer(FlowTimer.Kind kind) {
      Iterator<FlowTimer> it = timers.iterator();
      while (it.hasNext()) {
        FlowTimer t = it.next();
        if (t.kind() == kind) {
          it.remove();
          actions.add(new FlowAction.CancelTimer(t.kind(), t.token()));
        }
      }
    }

    private void cancelAllTimers() {
      for (FlowTimer t : timers) {
        actions.add(new FlowAction.CancelTimer(t.kind(), t.token()));
      }
      timers.clear();
    }

    // ------------------------------------------------------------------ forwarding

    /** Rings the first target from {@code from} that did not refuse; returns the step to go to when none is left. */
    private String ringFrom(List<ForwardTarget> targets, int from) {
      for (int i = from; i < targets.size(); i++) {
        ForwardTarget t = targets.get(i);
        if (refused.contains(t.to().e164())) {
          facts.add(new FlowFact.AttemptSkipped(at, step, t.to()));
          continue;
        }
        targetIndex = i;
        attempt++;
        attemptStartedAt = at;
        actions.add(new FlowAction.Forward(attempt, t.to(), t.ringMillis()));
        facts.add(new FlowFact.AttemptStarted(at, step, attempt, t.to(), t.ringMillis()));
        startTimer(FlowTimer.Kind.RING, t.ringMillis());
        phase = FlowState.Phase.RINGING;
        return null;
      }
      return targetsFailed();
    }

    private String targetsFailed() {
      FlowStep s = current();
      if (s instanceof QueueStep q) {
        stopPrompt();
        leaveQueue(); // give the line back
        queueEnteredAt = null;
        return q.failedStep();
      }
      ForwardStep forward = (ForwardStep) s;
      if (forward.failed() != null) {
        return forward.failed();
      }
      hangup(endCause(), FlowFact.EndReason.TARGETS_FAILED);
      return null;
    }

    private void attemptFailed(EndCause reported, int sipStatus) {
      cancelTimer(FlowTimer.Kind.RING);
      EndCause cause = reported;
      if (cause != EndCause.BUSY && cause != EndCause.NO_ANSWER && cause != EndCause.DECLINED) {
        cause = EndCause.UNREACHABLE;
      }
      ForwardTarget target = currentTargets().get(targetIndex);
      boolean refuses = REFUSING_STATUSES.contains(sipStatus);
      if (refuses && !refused.contains(target.to().e164())) {
        refused.add(target.to().e164());
      }
      lastFailure = cause;
      facts.add(new FlowFact.AttemptFailed(at, step, attempt, target.to(), cause, sipStatus, refuses,
          millisSince(attemptStartedAt)));
      enter(ringFrom(currentTargets(), targetIndex + 1));
    }

    private boolean answered(int answeredAttempt) {
      if (phase != FlowState.Phase.RINGING || answeredAttempt != attempt) {
        return false;
      }
      cancelTimer(FlowTimer.Kind.RING);
      stopPrompt();
      actions.add(new FlowAction.Bridge(attempt));
      facts.add(new FlowFact.AttemptAnswered(at, step, attempt, currentTargets().get(targetIndex).to(),
          millisSince(attemptStartedAt)));
      phase = FlowState.Phase.CONNECTED;
      return true;
    }

    // ------------------------------------------------------------------ queue

    private boolean waitingForLine() {
      return phase == FlowState.Phase.QUEUE_REQUESTED || phase == FlowState.Phase.QUEUE_WAITING
          || phase == FlowState.Phase.QUEUE_ANNOUNCING;
    }

    private boolean granted() {
      if (!waitingForLine()) {
        return false;
      }
      QueueStep q = (QueueStep) current();
      cancelTimer(FlowTimer.Kind.QUEUE_MAX_WAIT);
      facts.add(new FlowFact.QueueLeft(at, step, queue, FlowFact.QueueExit.GRANTED, millisSince(queueEnteredAt)));
      queueWaitMillis += millisSince(queueEnteredAt);
      lineHeld = true;
      if (phase == FlowState.Phase.QUEUE_ANNOUNCING) {
        play(q.holdPrompt(), true); // the caller keeps hearing the hold prompt while the targets ring
      }
      enter(ringFrom(q.targets(), 0));
      return true;
    }

    private boolean position(int newPosition) {
      if (!waitingForLine()) {
        return false;
      }
      QueueStep q = (QueueStep) current();
      if (phase == FlowState.Phase.QUEUE_REQUESTED) {
        answer();
        position = newPosition;
        if (q.announcePosition()) {
          announce(newPosition);
          phase = FlowState.Phase.QUEUE_ANNOUNCING;
        } else {
          play(q.holdPrompt(), true);
          phase = FlowState.Phase.QUEUE_WAITING;
        }
        return true;
      }
      if (!q.announcePosition() || newPosition == position) {
        return false;
      }
      position = newPosition;
      announce(newPosition);
      phase = FlowState.Phase.QUEUE_ANNOUNCING;
      return true;
    }

    private void leaveQueue() {
      if (queue != null) {
        actions.add(new FlowAction.LeaveQueue(queue));
        queue = null;
        lineHeld = false;
      }
    }

    // ------------------------------------------------------------------ media and the end

    private void answer() {
      if (!mediaAnswered) {
        actions.add(new FlowAction.AnswerWithMedia());
        mediaAnswered = true;
      }
    }

    private void play(String prompt, boolean loop) {
      stopPrompt();
      promptToken = ++nextToken;
      actions.add(new FlowAction.PlayPrompt(prompt, loop, promptToken));
    }

    private void announce(int newPosition) {
      stopPrompt();
      promptToken = ++nextToken;
      actions.add(new FlowAction.AnnouncePosition(newPosition, promptToken));
    }

    private void stopPrompt() {
      if (promptToken != 0) {
        actions.add(new FlowAction.StopPrompt(promptToken));
        promptToken = 0;
      }
    }

    private void callerHungUp() {
      if (queue != null && !lineHeld) {
        facts.add(new FlowFact.QueueLeft(at, step, queue, FlowFact.QueueExit.CALLER_HUNG_UP,
            millisSince(queueEnteredAt)));
        queueWaitMillis += millisSince(queueEnteredAt);
      }
      if ((phase == FlowState.Phase.MENU_PROMPT || phase == FlowState.Phase.MENU_INPUT) && !digits.isEmpty()) {
        menuInputs.add(digits); // typed, never judged: the caller left first
      }
      cancelAllTimers();
      promptToken = 0; // the gateway releases the media with the call
      leaveQueue();
      finish(FlowFact.EndReason.CALLER_HUNG_UP, null);
    }

    /** The flow ends the call: {@link FlowAction.Hangup} with what it means for the call log. */
    private void hangup(EndCause cause, FlowFact.EndReason reason) {
      cancelAllTimers();
      promptToken = 0;
      leaveQueue();
      actions.add(new FlowAction.Hangup(cause, CallOutcomes.status(false, cause),
          CallOutcomes.hangupParty(false, null, cause), mediaAnswered ? 0 : callerStatus(cause)));
      finish(reason, cause);
    }

    private void finish(FlowFact.EndReason reason, EndCause cause) {
      facts.add(new FlowFact.FlowEnded(at, step, reason, cause));
      phase = FlowState.Phase.ENDED;
    }

    private long millisSince(Instant from) {
      return from == null ? 0 : Math.max(0, Duration.between(from, at).toMillis());
    }
  }
}
