package io.hankyo.node.flow;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.flow.CallFlow;
import io.hankyo.protocol.flow.CallFlowParser;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;

/** One call driven through the interpreter, with its own clock (the interpreter reads none). */
final class FlowDriver {
  static final JapaneseHolidays HOLIDAYS = new JapaneseHolidays();
  static final FlowInterpreter INTERPRETER = new FlowInterpreter(new BusinessHours(HOLIDAYS));
  /** Monday 2026-06-01 10:00 in Tokyo: business hours of the test flows. */
  static final String MONDAY_MORNING = "2026-06-01T10:00";

  final CallFlow flow;
  FlowState state = FlowState.initial();
  Instant now;
  FlowResult last;

  FlowDriver(CallFlow flow, String tokyoLocal) {
    this.flow = flow;
    this.now = LocalDateTime.parse(tokyoLocal).atZone(ZoneId.of("Asia/Tokyo")).toInstant();
  }

  FlowDriver(String json, String tokyoLocal) {
    this(CallFlowParser.parse(json), tokyoLocal);
  }

  FlowDriver(String json) {
    this(json, MONDAY_MORNING);
  }

  FlowResult send(FlowSignal signal) {
    last = INTERPRETER.apply(flow, state, signal);
    state = last.state();
    return last;
  }

  FlowDriver advance(long millis) {
    now = now.plusMillis(millis);
    return this;
  }

  FlowResult arrive() {
    return arrive(false);
  }

  FlowResult arrive(boolean absent) {
    return send(new FlowSignal.CallArrived(now, absent));
  }

  /** The prompt playing now ends (after {@code millis}). */
  FlowResult promptEnds(long millis) {
    assertNotEquals(0, state.promptToken(), "no prompt plays");
    advance(millis);
    return send(new FlowSignal.PromptFinished(now, state.promptToken()));
  }

  FlowResult promptEnds() {
    return promptEnds(2_000);
  }

  /** Presses keys, 500 ms apart; returns the result of the last. */
  FlowResult press(String keys) {
    FlowResult r = null;
    for (char c : keys.toCharArray()) {
      advance(500);
      r = send(new FlowSignal.Digit(now, String.valueOf(c)));
    }
    return r;
  }

  /** The armed timer of {@code kind} fires at its deadline. */
  FlowResult expire(FlowTimer.Kind kind) {
    FlowTimer t = state.timer(kind);
    assertNotNull(t, "no " + kind + " timer armed in " + state);
    now = t.deadline();
    return send(new FlowSignal.TimerFired(now, kind, t.token()));
  }

  FlowResult failed(EndCause cause, int sipStatus) {
    advance(1_000);
    return send(new FlowSignal.ForwardFailed(now, state.attempt(), cause, sipStatus));
  }

  FlowResult busy() {
    return failed(EndCause.BUSY, 486);
  }

  FlowResult answered() {
    advance(3_000);
    return send(new FlowSignal.ForwardAnswered(now, state.attempt()));
  }

  FlowResult granted() {
    advance(100);
    return send(new FlowSignal.QueueLineGranted(now));
  }

  FlowResult position(int position) {
    advance(100);
    return send(new FlowSignal.QueuePosition(now, position));
  }

  FlowResult callerHangsUp() {
    advance(1_000);
    return send(new FlowSignal.CallerHungUp(now));
  }

  FlowResult destinationHangsUp() {
    advance(30_000);
    return send(new FlowSignal.DestinationHungUp(now));
  }

  FlowState.Phase phase() {
    return state.phase();
  }
}
