package io.hankyo.node.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.node.flow.FlowFact.EndReason;
import io.hankyo.node.flow.FlowFact.MenuOutcome;
import io.hankyo.node.flow.FlowFact.QueueExit;
import io.hankyo.node.flow.FlowState.Phase;
import io.hankyo.node.flow.FlowTimer.Kind;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.calllog.DialStatus;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.flow.CallFlow;
import io.hankyo.protocol.flow.PlayStep;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FlowInterpreterTest {
  static final PhoneNumber A = PhoneNumbers.parse("03-1111-1111");
  static final PhoneNumber B = PhoneNumbers.parse("03-2222-2222");
  static final PhoneNumber C = PhoneNumbers.parse("090-3333-3333");
  static final PhoneNumber D = PhoneNumbers.parse("03-4444-4444");
  static final PhoneNumber E = PhoneNumbers.parse("03-5555-5555");

  /** Business hours → absence → notice → menu → forward or queue, as in issue 3. */
  static final String MAIN = """
      {"start": "hours", "steps": {
        "hours":   {"type": "schedule", "holidays": "JP",
                    "weekly": {"mon": ["09:00-18:00"], "tue": ["09:00-18:00"], "wed": ["09:00-18:00"],
                               "thu": ["09:00-18:00"], "fri": ["09:00-18:00", "22:00-02:00"]},
                    "exceptions": [{"date": "2026-12-31", "closed": true}],
                    "open": "away", "closed": "closed"},
        "away":    {"type": "absence", "present": "notice", "absent": "absent"},
        "notice":  {"type": "play", "prompt": "notice", "next": "menu"},
        "menu":    {"type": "menu", "prompt": "welcome", "digits": {"1": "sales", "2": "support"},
                    "retries": 1, "invalid": "sorry", "timeout": "sales"},
        "sales":   {"type": "forward", "targets": [{"to": "03-1111-1111", "ring_sec": 15},
                    {"to": "03-2222-2222", "ring_sec": 20}, {"to": "090-3333-3333"}], "failed": "sorry"},
        "support": {"type": "queue", "queue": "support", "lines": 2, "hold_prompt": "hold", "max_wait_sec": 120,
                    "targets": [{"to": "03-4444-4444"}], "timeout": "sorry"},
        "closed":  {"type": "hangup", "prompt": "closed"},
        "absent":  {"type": "hangup"},
        "sorry":   {"type": "hangup", "prompt": "sorry"}}}
      """;

  static final String MENU = """
      {"start": "menu", "steps": {
        "menu": {"type": "menu", "prompt": "welcome", "digits": {"1": "one", "2": "two"}, "retries": 1,
                 "invalid": "bad", "timeout": "late"},
        "one":  {"type": "hangup", "prompt": "one"},
        "two":  {"type": "hangup", "prompt": "two"},
        "bad":  {"type": "hangup", "prompt": "bad"},
        "late": {"type": "hangup", "prompt": "late"}}}
      """;

  static final String SALES = """
      {"start": "sales", "steps": {
        "sales": {"type": "forward", "targets": [{"to": "03-1111-1111", "ring_sec": 15},
                  {"to": "03-2222-2222", "ring_sec": 20}, {"to": "090-3333-3333"}], "failed": "sorry"},
        "sorry": {"type": "hangup", "prompt": "sorry"}}}
      """;

  static String queueFlow(boolean announce) {
    return """
        {"start": "support", "steps": {
          "support": {"type": "queue", "queue": "support", "lines": 2, "hold_prompt": "hold", "max_wait_sec": 120,
                      "announce_position": %s, "targets": [{"to": "03-4444-4444", "ring_sec": 20},
                      {"to": "03-5555-5555"}], "timeout": "sorry", "failed": "failed"},
          "sorry":   {"type": "hangup", "prompt": "sorry"},
          "failed":  {"type": "hangup", "prompt": "failed"}}}
        """.formatted(announce);
  }

  static FlowAction.StartTimer timer(FlowDriver d, Kind kind) {
    return new FlowAction.StartTimer(d.state.timer(kind));
  }

  static FlowAction.Hangup hangup(EndCause cause, DialStatus status, HangupParty by, int sipStatus) {
    return new FlowAction.Hangup(cause, status, by, sipStatus);
  }

  @Nested
  class ScheduleAndAbsence {
    @Test
    void inBusinessHoursThePresentAdvertiserIsReached() {
      FlowDriver d = new FlowDriver(MAIN);
      FlowResult r = d.arrive();
      Instant at = d.now;
      assertEquals(List.of(new FlowFact.StepEntered(at, "hours", "schedule"),
          new FlowFact.ScheduleChecked(at, "hours", true),
          new FlowFact.StepEntered(at, "away", "absence"),
          new FlowFact.AbsenceChecked(at, "away", false),
          new FlowFact.StepEntered(at, "notice", "play")), r.facts());
      assertEquals(List.of(new FlowAction.AnswerWithMedia(), new FlowAction.PlayPrompt("notice", false, 1)),
          r.actions());
      assertEquals(Phase.PLAYING, d.phase());
      assertEquals(List.of("hours", "away", "notice"), d.state.path());
      assertEquals(3, d.state.transitions());
    }

    @Test
    void aHolidayOnAWeekdayIsClosed() {
      // Wednesday 2026-05-06, a substitute holiday
      FlowDriver d = new FlowDriver(MAIN, "2026-05-06T10:00");
      FlowResult r = d.arrive();
      assertEquals(new FlowFact.ScheduleChecked(d.now, "hours", false), r.facts().get(1));
      assertEquals(List.of(new FlowAction.AnswerWithMedia(), new FlowAction.PlayPrompt("closed", false, 1)),
          r.actions());
      assertEquals(Phase.HANGUP_PROMPT, d.phase());
      r = d.promptEnds();
      assertEquals(List.of(hangup(EndCause.FLOW_ENDED, DialStatus.INCOMPLETE, HangupParty.SYSTEM, 0)), r.actions());
      assertEquals(List.of(new FlowFact.FlowEnded(d.now, "closed", EndReason.HANGUP_STEP, EndCause.FLOW_ENDED)),
          r.facts());
      assertTrue(d.state.ended());
    }

    @Test
    void aRangeThatCrossesMidnightIsOpenTheNextMorning() {
      // Saturday 01:30, inside Friday's 22:00-02:00
      FlowDriver d = new FlowDriver(MAIN, "2026-06-06T01:30");
      assertEquals(new FlowFact.ScheduleChecked(d.now, "hours", true), d.arrive().facts().get(1));
      FlowDriver late = new FlowDriver(MAIN, "2026-06-06T02:30");
      assertEquals(new FlowFact.ScheduleChecked(late.now, "hours", false), late.arrive().facts().get(1));
    }

    @Test
    void anExceptionDateIsClosed() {
      // Thursday 2026-12-31, closed by its exception
      FlowDriver d = new FlowDriver(MAIN, "2026-12-31T10:00");
      assertEquals(new FlowFact.ScheduleChecked(d.now, "hours", false), d.arrive().facts().get(1));
      assertEquals(List.of("hours", "closed"), d.state.path());
    }

    @Test
    void absenceOnEndsWithoutAnsweringTheCaller() {
      FlowDriver d = new FlowDriver(MAIN);
      FlowResult r = d.arrive(true);
      assertEquals(new FlowFact.AbsenceChecked(d.now, "away", true), r.facts().get(3));
      assertEquals(List.of("hours", "away", "absent"), d.state.path());
      // no prompt, never answered: a final response instead of 200 OK
      assertEquals(List.of(hangup(EndCause.FLOW_ENDED, DialStatus.INCOMPLETE, HangupParty.SYSTEM, 480)),
          r.actions());
      assertTrue(d.state.ended());
      assertFalse(d.state.mediaAnswered());
    }
  }

  @Nested
  class Play {
    @Test
    void playsOnceThenGoesOnAndAnswersOnlyOnce() {
      FlowDriver d = new FlowDriver(MAIN);
      d.arrive();
      FlowResult r = d.promptEnds();
      assertEquals(List.of(new FlowAction.PlayPrompt("welcome", false, 2)), r.actions(), "no second answer");
      assertEquals(List.of(new FlowFact.StepEntered(d.now, "menu", "menu")), r.facts());
      assertEquals(Phase.MENU_PROMPT, d.phase());
    }

    @Test
    void digitsDuringAPlayStepAreIgnored() {
      FlowDriver d = new FlowDriver(MAIN);
      d.arrive();
      FlowState before = d.state;
      assertTrue(d.press("1").ignored());
      assertSame(before, d.state);
    }

    @Test
    void aStalePromptTokenIsIgnored() {
      FlowDriver d = new FlowDriver(MAIN);
      d.arrive();
      assertTrue(d.send(new FlowSignal.PromptFinished(d.now, 99)).ignored());
      assertTrue(d.send(new FlowSignal.PromptFinished(d.now, 0)).ignored());
      assertEquals(Phase.PLAYING, d.phase());
    }
  }

  @Nested
  class Menu {
    @Test
    void theFirstDigitTimerStartsWhenThePromptEnds() {
      FlowDriver d = new FlowDriver(MENU);
      assertEquals(List.of(new FlowAction.AnswerWithMedia(), new FlowAction.PlayPrompt("welcome", false, 1)),
          d.arrive().actions());
      FlowResult r = d.promptEnds(4_000);
      FlowTimer t = new FlowTimer(Kind.FIRST_DIGIT, 2, d.now.plusMillis(5_000), 5_000);
      assertEquals(List.of(new FlowAction.StartTimer(t)), r.actions());
      assertEquals(List.of(t), d.state.timers());
      assertEquals(Phase.MENU_INPUT, d.phase());
    }

    @Test
    void timeoutThenRetryThenInvalid() {
      FlowDriver d = new FlowDriver(MENU);
      d.arrive();
      d.promptEnds();
      FlowResult r = d.expire(Kind.FIRST_DIGIT);
      assertEquals(List.of(new FlowFact.MenuInput(d.now, "menu", "", MenuOutcome.TIMEOUT, true)), r.facts());
      assertEquals(List.of(new FlowAction.PlayPrompt("welcome", false, 3)), r.actions());
      assertEquals(1, d.state.menuRetries());
      assertEquals(List.of(), d.state.timers());
      d.promptEnds();
      FlowTimer firstDigit = d.state.timer(Kind.FIRST_DIGIT);
      r = d.press("9");
      assertEquals(List.of(new FlowFact.MenuInput(d.now, "menu", "9", MenuOutcome.INVALID, false),
          new FlowFact.StepEntered(d.now, "bad", "hangup")), r.facts());
      assertEquals(List.of(new FlowAction.CancelTimer(Kind.FIRST_DIGIT, firstDigit.token()),
          new FlowAction.PlayPrompt("bad", false, 5)), r.actions());
      assertEquals(List.of("menu", "bad"), d.state.path());
    }

    @Test
    void twoTimeoutsGoToTheTimeoutStep() {
      FlowDriver d = new FlowDriver(MENU);
      d.arrive();
      d.promptEnds();
      d.expire(Kind.FIRST_DIGIT);
      d.promptEnds();
      FlowResult r = d.expire(Kind.FIRST_DIGIT);
      assertEquals(new FlowFact.MenuInput(d.now, "menu", "", MenuOutcome.TIMEOUT, false), r.facts().get(0));
      assertEquals(List.of("menu", "late"), d.state.path());
    }

    @Test
    void anInvalidKeyThenARetryThenAMatch() {
      FlowDriver d = new FlowDriver(MENU);
      d.arrive();
      d.promptEnds();
      FlowResult r = d.press("7");
      assertEquals(new FlowFact.MenuInput(d.now, "menu", "7", MenuOutcome.INVALID, true), r.facts().get(0));
      d.promptEnds();
      r = d.press("2");
      assertEquals(new FlowFact.MenuInput(d.now, "menu", "2", MenuOutcome.MATCHED, false), r.facts().get(0));
      assertEquals(List.of("menu", "two"), d.state.path());
    }

    @Test
    void typeAheadDuringThePromptStopsIt() {
      FlowDriver d = new FlowDriver(MENU);
      d.arrive();
      long prompt = d.state.promptToken();
      FlowResult r = d.press("2");
      assertEquals(List.of(new FlowAction.StopPrompt(prompt), new FlowAction.PlayPrompt("two", false, 2)),
          r.actions());
      assertEquals(new FlowFact.MenuInput(d.now, "menu", "2", MenuOutcome.MATCHED, false), r.facts().get(0));
      // the gateway reports the stopped prompt as finished: stale
      assertTrue(d.send(new FlowSignal.PromptFinished(d.now, prompt)).ignored());
      assertEquals(Phase.HANGUP_PROMPT, d.phase());
    }

    @Test
    void aMenuThatGoesBackToItselfStartsAfresh() {
      FlowDriver d = new FlowDriver("""
          {"start": "menu", "steps": {
            "menu": {"type": "menu", "prompt": "p", "digits": {"1": "bye"}, "retries": 0, "invalid": "menu",
                     "timeout": "bye"},
            "bye":  {"type": "hangup"}}}""");
      d.arrive();
      FlowResult r = d.press("5");
      assertEquals(List.of(new FlowFact.MenuInput(d.now, "menu", "5", MenuOutcome.INVALID, false),
          new FlowFact.StepEntered(d.now, "menu", "menu")), r.facts());
      assertEquals(List.of("menu", "menu"), d.state.path());
      assertEquals(0, d.state.menuRetries());
      assertEquals("", d.state.digits());
      assertEquals(Phase.MENU_PROMPT, d.phase());
    }

    @Test
    void keysABCDAreInvalid() {
      FlowDriver d = new FlowDriver(MENU);
      d.arrive();
      assertEquals(MenuOutcome.INVALID, d.press("A").facts(FlowFact.MenuInput.class).get(0).outcome());
    }
  }

  @Nested
  class MultiDigit {
    static final String OPEN_KEYS = """
        {"start": "menu", "steps": {
          "menu":   {"type": "menu", "prompt": "p", "digits": {"1": "one", "12": "twelve", "2": "two", "*": "star"},
                     "retries": 0, "invalid": "bad", "timeout": "bad"},
          "one":    {"type": "hangup"}, "twelve": {"type": "hangup"}, "two": {"type": "hangup"},
          "star":   {"type": "hangup"}, "bad": {"type": "hangup"}}}
        """;

    static final String TERMINATED = """
        {"start": "menu", "steps": {
          "menu":   {"type": "menu", "prompt": "p", "digits": {"1": "one", "12": "twelve", "123": "more"},
                     "terminator": "#", "retries": 0, "invalid": "bad", "timeout": "bad"},
          "one":    {"type": "hangup"}, "twelve": {"type": "hangup"}, "more": {"type": "hangup"},
          "bad":    {"type": "hangup"}}}
        """;

    private FlowDriver listening(String json) {
      FlowDriver d = new FlowDriver(json);
      d.arrive();
      d.promptEnds();
      return d;
    }

    private String endStep(FlowDriver d) {
      return d.state.path().get(d.state.path().size() - 1);
    }

    @Test
    void aKeyNoOtherExtendsMatchesAtOnce() {
      FlowDriver d = listening(OPEN_KEYS);
      d.press("2");
      assertEquals("two", endStep(d));
      FlowDriver star = listening(OPEN_KEYS);
      star.press("*");
      assertEquals("star", endStep(star));
    }

    @Test
    void aKeyThatALongerKeyExtendsWaitsForTheNextDigit() {
      FlowDriver d = listening(OPEN_KEYS);
      FlowResult r = d.press("1");
      assertEquals(Phase.MENU_INPUT, d.phase());
      assertEquals("1", d.state.digits());
      FlowTimer inter = d.state.timer(Kind.INTER_DIGIT);
      assertEquals(3_000, inter.durationMillis());
      assertEquals(new FlowAction.StartTimer(inter), r.actions().get(1));
      r = d.press("2");
      assertEquals(new FlowAction.CancelTimer(Kind.INTER_DIGIT, inter.token()), r.actions().get(0));
      assertEquals(new FlowFact.MenuInput(d.now, "menu", "12", MenuOutcome.MATCHED, false), r.facts().get(0));
      assertEquals("twelve", endStep(d));
    }

    @Test
    void theInterDigitTimeoutJudgesWhatWasPressed() {
      FlowDriver d = listening(OPEN_KEYS);
      d.press("1");
      FlowResult r = d.expire(Kind.INTER_DIGIT);
      assertEquals(new FlowFact.MenuInput(d.now, "menu", "1", MenuOutcome.MATCHED, false), r.facts().get(0));
      assertEquals("one", endStep(d));
    }

    @Test
    void digitsThatStartNoKeyAreInvalidAtOnce() {
      FlowDriver d = listening(OPEN_KEYS);
      assertEquals(new FlowFact.MenuInput(d.now.plusMillis(500), "menu", "3", MenuOutcome.INVALID, false),
          d.press("3").facts().get(0));
      FlowDriver d13 = listening(OPEN_KEYS);
      d13.press("1");
      assertEquals(new FlowFact.MenuInput(d13.now.plusMillis(500), "menu", "13", MenuOutcome.INVALID, false),
          d13.press("3").facts().get(0));
    }

    @Test
    void theTerminatorEndsTheInput() {
      FlowDriver d = listening(TERMINATED);
      d.press("1");
      d.press("2");
      assertEquals(Phase.MENU_INPUT, d.phase(), "12 is a key but 123 may follow: the caller ends with #");
      FlowResult r = d.press("#");
      assertEquals(new FlowFact.MenuInput(d.now, "menu", "12", MenuOutcome.MATCHED, false), r.facts().get(0));
      assertEquals("twelve", endStep(d));
    }

    @Test
    void withATerminatorAKeyNoOtherExtendsStillWaitsForIt() {
      FlowDriver d = listening(TERMINATED);
      d.press("123");
      assertEquals(Phase.MENU_INPUT, d.phase());
      d.press("#");
      assertEquals("more", endStep(d));
    }

    @Test
    void withATerminatorTheInterDigitTimeoutAlsoEndsTheInput() {
      FlowDriver d = listening(TERMINATED);
      d.press("1");
      d.expire(Kind.INTER_DIGIT);
      assertEquals("one", endStep(d));
    }

    @Test
    void theTerminatorAloneIsInvalid() {
      FlowDriver d = listening(TERMINATED);
      assertEquals(new FlowFact.MenuInput(d.now.plusMillis(500), "menu", "", MenuOutcome.INVALID, false),
          d.press("#").facts().get(0));
    }

    @Test
    void moreDigitsThanMaxDigitsAreInvalid() {
      FlowDriver d = listening(TERMINATED);
      FlowResult r = d.press("1234");
      assertEquals(new FlowFact.MenuInput(d.now, "menu", "1234", MenuOutcome.INVALID, false), r.facts().get(0));
    }

    @Test
    void typeAheadOfSeveralDigitsAndTheTerminatorDuringThePrompt() {
      FlowDriver d = new FlowDriver(TERMINATED);
      d.arrive();
      FlowResult first = d.press("1");
      assertEquals(new FlowAction.StopPrompt(1), first.actions().get(0));
      d.press("2#");
      assertEquals("twelve", endStep(d));
    }
  }

  @Nested
  class Forward {
    @Test
    void sequentialForwardThroughBusyThenNoAnswerThenAnswer() {
      FlowDriver d = new FlowDriver(SALES);
      FlowResult r = d.arrive();
      assertEquals(List.of(new FlowAction.Forward(1, A, 15_000), timer(d, Kind.RING)), r.actions(),
          "no media before the first forward: the answer passes through");
      assertEquals(new FlowFact.AttemptStarted(d.now, "sales", 1, A, 15_000), r.facts().get(1));
      FlowTimer ring1 = d.state.timer(Kind.RING);

      r = d.busy();
      assertEquals(List.of(new FlowAction.CancelTimer(Kind.RING, ring1.token()), new FlowAction.Forward(2, B, 20_000),
          timer(d, Kind.RING)), r.actions());
      assertEquals(List.of(new FlowFact.AttemptFailed(d.now, "sales", 1, A, EndCause.BUSY, 486, true, 1_000),
          new FlowFact.AttemptStarted(d.now, "sales", 2, B, 20_000)), r.facts());
      assertEquals(List.of(A.e164()), d.state.refused());

      Instant started2 = d.now;
      r = d.expire(Kind.RING);
      assertEquals(started2.plusSeconds(20), d.now);
      assertEquals(List.of(new FlowAction.CancelForward(2), new FlowAction.Forward(3, C, 20_000),
          timer(d, Kind.RING)), r.actions());
      assertEquals(new FlowFact.AttemptFailed(d.now, "sales", 2, B, EndCause.NO_ANSWER, 0, false, 20_000),
          r.facts().get(0));

      FlowTimer ring3 = d.state.timer(Kind.RING);
      r = d.answered();
      assertEquals(List.of(new FlowAction.CancelTimer(Kind.RING, ring3.token()), new FlowAction.Bridge(3)),
          r.actions());
      assertEquals(List.of(new FlowFact.AttemptAnswered(d.now, "sales", 3, C, 3_000)), r.facts());
      assertEquals(Phase.CONNECTED, d.phase());
      assertEquals(List.of(), d.state.timers());

      r = d.destinationHangsUp();
      assertEquals(List.of(), r.actions());
      assertEquals(List.of(new FlowFact.FlowEnded(d.now, "sales", EndReason.DESTINATION_HUNG_UP, null)), r.facts());
      assertTrue(d.state.ended());
    }

    @Test
    void allTargetsFailedGoesToTheFailedStep() {
      FlowDriver d = new FlowDriver(SALES);
      d.arrive();
      d.busy();
      d.failed(EndCause.UNREACHABLE, 503);
      FlowResult r = d.failed(EndCause.DECLINED, 603);
      assertEquals(new FlowFact.StepEntered(d.now, "sorry", "hangup"), r.facts().get(1));
      assertEquals(List.of(new FlowAction.CancelTimer(Kind.RING, 3), new FlowAction.AnswerWithMedia(),
          new FlowAction.PlayPrompt("sorry", false, 4)), r.actions());
      r = d.promptEnds();
      assertEquals(List.of(hangup(EndCause.DECLINED, DialStatus.LINE_UNAVAILABLE, HangupParty.CALLEE, 0)),
          r.actions());
      assertEquals(List.of(A.e164(), C.e164()), d.state.refused());
    }

    @Test
    void destinationsThatRefusedAreNotRungAgain() {
      FlowDriver d = new FlowDriver("""
          {"start": "menu", "steps": {
            "menu":  {"type": "menu", "prompt": "p", "digits": {"1": "sales"}, "invalid": "menu", "timeout": "menu"},
            "sales": {"type": "forward", "targets": [{"to": "03-1111-1111"}, {"to": "03-2222-2222"},
                      {"to": "090-3333-3333"}, {"to": "03-4444-4444"}], "failed": "menu"}}}""");
      d.arrive();
      d.press("1");
      d.failed(EndCause.BUSY, 486);
      d.failed(EndCause.DECLINED, 603);
      d.failed(EndCause.BUSY, 600);
      FlowResult r = d.failed(EndCause.UNREACHABLE, 480);
      assertEquals(List.of(A.e164(), B.e164(), C.e164()), d.state.refused());
      assertEquals(List.of("menu", "sales", "menu"), d.state.path());
      assertEquals(4, d.state.attempt());
      d.press("1");
      r = d.last;
      assertEquals(List.of(new FlowFact.AttemptSkipped(d.now, "sales", A),
          new FlowFact.AttemptSkipped(d.now, "sales", B), new FlowFact.AttemptSkipped(d.now, "sales", C),
          new FlowFact.AttemptStarted(d.now, "sales", 5, D, 20_000)), r.facts(FlowFact.class).subList(2, 6));
      assertEquals(List.of(new FlowAction.Forward(5, D, 20_000)), r.actions(FlowAction.Forward.class));
    }

    @Test
    void withoutAFailedStepTheCallEndsWithTheLastOutcome() {
      FlowDriver busy = new FlowDriver(CallFlow.defaultFor(A, 20), FlowDriver.MONDAY_MORNING);
      List<FlowAction> first = busy.arrive().actions();
      assertEquals(List.of(new FlowAction.Forward(1, A, 20_000), timer(busy, Kind.RING)), first);
      FlowResult r = busy.busy();
      assertEquals(List.of(new FlowAction.CancelTimer(Kind.RING, 1),
          hangup(EndCause.BUSY, DialStatus.BUSY, HangupParty.CALLEE, 486)), r.actions());
      assertEquals(new FlowFact.FlowEnded(busy.now, "forward", EndReason.TARGETS_FAILED, EndCause.BUSY),
          r.facts().get(1));

      FlowDriver silent = new FlowDriver(CallFlow.defaultFor(A, 20), FlowDriver.MONDAY_MORNING);
      silent.arrive();
      r = silent.expire(Kind.RING);
      assertEquals(List.of(new FlowAction.CancelForward(1),
          hangup(EndCause.NO_ANSWER, DialStatus.INCOMPLETE, HangupParty.SYSTEM, 480)), r.actions());
    }

    @Test
    void reportsAboutAnEarlierAttemptAreIgnored() {
      FlowDriver d = new FlowDriver(SALES);
      d.arrive();
      FlowTimer ring1 = d.state.timer(Kind.RING);
      d.busy();
      FlowState ringing2 = d.state;
      assertTrue(d.send(new FlowSignal.ForwardFailed(d.now, 1, EndCause.BUSY, 486)).ignored());
      assertTrue(d.send(new FlowSignal.ForwardAnswered(d.now, 1)).ignored());
      assertTrue(d.send(new FlowSignal.TimerFired(d.now, Kind.RING, ring1.token())).ignored());
      assertTrue(d.send(new FlowSignal.ForwardAnswered(d.now, 3)).ignored());
      assertSame(ringing2, d.state);
    }

    @Test
    void otherCausesCountAsUnreachable() {
      FlowDriver d = new FlowDriver(SALES);
      d.arrive();
      FlowResult r = d.failed(EndCause.GATEWAY_FAILURE, 0);
      assertEquals(EndCause.UNREACHABLE, r.facts(FlowFact.AttemptFailed.class).get(0).cause());
      assertEquals(EndCause.UNREACHABLE, d.state.lastFailure());
    }

    @Test
    void afterMediaTheFailedCallIsReleasedWithBye() {
      FlowDriver d = new FlowDriver(MAIN);
      d.arrive();
      d.promptEnds();
      d.promptEnds();
      d.press("1");
      d.busy();
      d.busy();
      d.busy();
      FlowResult r = d.promptEnds();
      assertEquals(List.of(hangup(EndCause.BUSY, DialStatus.BUSY, HangupParty.CALLEE, 0)), r.actions());
    }
  }

  @Nested
  class Queue {
    @Test
    void aFreeLineRingsAtOnceWithoutMedia() {
      FlowDriver d = new FlowDriver(queueFlow(false));
      FlowResult r = d.arrive();
      assertEquals(List.of(new FlowAction.EnterQueue("support", 2), timer(d, Kind.QUEUE_MAX_WAIT)), r.actions());
      assertEquals(120_000, d.state.timer(Kind.QUEUE_MAX_WAIT).durationMillis());
      assertEquals(new FlowFact.QueueEntered(d.now, "support", "support", 2), r.facts().get(1));
      assertEquals(Phase.QUEUE_REQUESTED, d.phase());

      FlowTimer maxWait = d.state.timer(Kind.QUEUE_MAX_WAIT);
      r = d.granted();
      assertEquals(List.of(new FlowAction.CancelTimer(Kind.QUEUE_MAX_WAIT, maxWait.token()),
          new FlowAction.Forward(1, D, 20_000), timer(d, Kind.RING)), r.actions());
      assertEquals(new FlowFact.QueueLeft(d.now, "support", "support", QueueExit.GRANTED, 100), r.facts().get(0));
      assertTrue(d.state.lineHeld());

      d.answered();
      assertEquals(Phase.CONNECTED, d.phase());
      r = d.destinationHangsUp();
      assertEquals(List.of(new FlowAction.LeaveQueue("support")), r.actions(), "the line is given back");
      assertNull(d.state.queue());
    }

    @Test
    void allLinesBusyTheCallerHearsTheHoldPromptUntilConnected() {
      FlowDriver d = new FlowDriver(queueFlow(false));
      d.arrive();
      FlowResult r = d.position(1);
      assertEquals(List.of(new FlowAction.AnswerWithMedia(), new FlowAction.PlayPrompt("hold", true, 2)),
          r.actions());
      assertEquals(Phase.QUEUE_WAITING, d.phase());
      assertTrue(d.position(1).ignored());
      assertTrue(d.position(2).ignored(), "without announcements a new position changes nothing");

      r = d.granted();
      assertEquals(List.of(new FlowAction.CancelTimer(Kind.QUEUE_MAX_WAIT, 1), new FlowAction.Forward(1, D, 20_000),
          timer(d, Kind.RING)), r.actions(), "the hold prompt goes on while the target rings");
      r = d.answered();
      assertEquals(List.of(new FlowAction.CancelTimer(Kind.RING, 3), new FlowAction.StopPrompt(2),
          new FlowAction.Bridge(1)), r.actions());
      r = d.callerHangsUp();
      assertEquals(List.of(new FlowAction.LeaveQueue("support")), r.actions());
    }

    @Test
    void thePositionIsAnnouncedWhenItChanges() {
      FlowDriver d = new FlowDriver(queueFlow(true));
      d.arrive();
      FlowResult r = d.position(3);
      assertEquals(List.of(new FlowAction.AnswerWithMedia(), new FlowAction.AnnouncePosition(3, 2)), r.actions());
      assertEquals(Phase.QUEUE_ANNOUNCING, d.phase());
      r = d.promptEnds();
      assertEquals(List.of(new FlowAction.PlayPrompt("hold", true, 3)), r.actions());
      assertEquals(Phase.QUEUE_WAITING, d.phase());
      r = d.position(2);
      assertEquals(List.of(new FlowAction.StopPrompt(3), new FlowAction.AnnouncePosition(2, 4)), r.actions());
      assertTrue(d.position(2).ignored());
      r = d.position(1);
      assertEquals(List.of(new FlowAction.StopPrompt(4), new FlowAction.AnnouncePosition(1, 5)), r.actions());
      r = d.granted();
      assertEquals(List.of(new FlowAction.CancelTimer(Kind.QUEUE_MAX_WAIT, 1), new FlowAction.StopPrompt(5),
          new FlowAction.PlayPrompt("hold", true, 6), new FlowAction.Forward(1, D, 20_000), timer(d, Kind.RING)),
          r.actions());
      assertEquals(Phase.RINGING, d.phase());
    }

    @Test
    void afterTheLongestWaitTheCallerLeavesForTheTimeoutStep() {
      FlowDriver d = new FlowDriver(queueFlow(false));
      d.arrive();
      Instant entered = d.now;
      d.position(2);
      FlowResult r = d.expire(Kind.QUEUE_MAX_WAIT);
      assertEquals(entered.plusSeconds(120), d.now);
      assertEquals(List.of(new FlowAction.StopPrompt(2), new FlowAction.LeaveQueue("support"),
          new FlowAction.PlayPrompt("sorry", false, 3)), r.actions());
      assertEquals(List.of(new FlowFact.QueueLeft(d.now, "support", "support", QueueExit.TIMEOUT, 120_000),
          new FlowFact.StepEntered(d.now, "sorry", "hangup")), r.facts());
      r = d.promptEnds();
      assertEquals(List.of(hangup(EndCause.FLOW_ENDED, DialStatus.INCOMPLETE, HangupParty.SYSTEM, 0)), r.actions());
    }

    @Test
    void aQueueThatNeverAnsweredStillTimesOut() {
      FlowDriver d = new FlowDriver(queueFlow(false));
      d.arrive();
      FlowResult r = d.expire(Kind.QUEUE_MAX_WAIT);
      assertEquals(List.of(new FlowAction.LeaveQueue("support"), new FlowAction.AnswerWithMedia(),
          new FlowAction.PlayPrompt("sorry", false, 2)), r.actions());
    }

    @Test
    void aGrantedLineWhoseTargetsAllFailIsGivenBack() {
      FlowDriver d = new FlowDriver(queueFlow(false));
      d.arrive();
      d.position(1);
      d.granted();
      d.busy();
      FlowResult r = d.failed(EndCause.NO_ANSWER, 0);
      assertEquals(List.of(new FlowAction.CancelTimer(Kind.RING, 4), new FlowAction.StopPrompt(2),
          new FlowAction.LeaveQueue("support"), new FlowAction.PlayPrompt("failed", false, 5)), r.actions());
      assertFalse(d.state.lineHeld());
      assertNull(d.state.queue());
      assertEquals(List.of("support", "failed"), d.state.path());
    }

    @Test
    void aCallerWhoHangsUpWhileWaitingLeavesAtOnce() {
      FlowDriver d = new FlowDriver(queueFlow(false));
      d.arrive();
      d.position(2);
      FlowResult r = d.callerHangsUp();
      assertEquals(List.of(new FlowAction.CancelTimer(Kind.QUEUE_MAX_WAIT, 1), new FlowAction.LeaveQueue("support")),
          r.actions());
      assertEquals(List.of(new FlowFact.QueueLeft(d.now, "support", "support", QueueExit.CALLER_HUNG_UP, 1_100),
          new FlowFact.FlowEnded(d.now, "support", EndReason.CALLER_HUNG_UP, null)), r.facts());
      assertTrue(d.granted().ignored(), "a grant that crossed the hangup");
    }

    @Test
    void twoLinesFourCallers() {
      FakeQueue queue = new FakeQueue(2);
      List<FlowDriver> callers = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        FlowDriver c = new FlowDriver(queueFlow(true));
        callers.add(c);
        queue.run(c, c::arrive);
      }
      FlowDriver c1 = callers.get(0);
      FlowDriver c2 = callers.get(1);
      FlowDriver c3 = callers.get(2);
      FlowDriver c4 = callers.get(3);
      // the first two get the lines and ring at once, without media; the others wait, answered, in order
      assertEquals(Phase.RINGING, c1.phase());
      assertEquals(Phase.RINGING, c2.phase());
      assertFalse(c1.state.mediaAnswered());
      assertEquals(Phase.QUEUE_ANNOUNCING, c3.phase());
      assertEquals(1, c3.state.position());
      assertEquals(2, c4.state.position());
      assertTrue(c4.state.mediaAnswered());
      queue.run(c1, c1::answered);
      queue.run(c2, c2::answered);
      queue.run(c3, c3::promptEnds);
      assertEquals(Phase.QUEUE_WAITING, c3.phase());

      // a connected call ends: its line goes to the first in line, the next moves up
      queue.run(c1, c1::destinationHangsUp);
      assertEquals(Phase.RINGING, c3.phase());
      assertTrue(c3.state.lineHeld());
      assertEquals(1, c4.state.position());
      assertEquals(List.of(new FlowAction.StopPrompt(c4.state.promptToken() - 1),
          new FlowAction.AnnouncePosition(1, c4.state.promptToken())), c4.last.actions());

      // the last caller gives up; the third is connected
      queue.run(c4, c4::callerHangsUp);
      assertEquals(QueueExit.CALLER_HUNG_UP, c4.last.facts(FlowFact.QueueLeft.class).get(0).exit());
      queue.run(c3, c3::answered);
      assertEquals(Phase.CONNECTED, c3.phase());
      assertEquals(List.of(c2, c3), queue.holding);
      assertTrue(queue.waiting.isEmpty());
      assertEquals(2, queue.mostHeld);

      queue.run(c2, c2::callerHangsUp);
      queue.run(c3, c3::destinationHangsUp);
      assertTrue(queue.holding.isEmpty());
      for (FlowDriver c : callers) {
        assertTrue(c.state.ended());
        assertNull(c.state.queue());
      }
    }
  }

  /** A queue entity as the interpreter sees it: FIFO, a line count, positions from 1. */
  static final class FakeQueue {
    final int lines;
    final List<FlowDriver> holding = new ArrayList<>();
    final List<FlowDriver> waiting = new ArrayList<>();
    int mostHeld;

    FakeQueue(int lines) {
      this.lines = lines;
    }

    /** Sends a signal to a caller and carries out its queue actions (and those they cause). */
    void run(FlowDriver caller, Supplier<FlowResult> signal) {
      FlowResult r = signal.get();
      for (FlowAction a : r.actions()) {
        if (a instanceof FlowAction.EnterQueue) {
          if (holding.size() < lines) {
            grant(caller);
          } else {
            waiting.add(caller);
            run(caller, () -> caller.position(waiting.size()));
          }
        } else if (a instanceof FlowAction.LeaveQueue) {
          if (holding.remove(caller) && !waiting.isEmpty()) {
            grant(waiting.remove(0));
          } else {
            waiting.remove(caller);
          }
          for (int i = 0; i < waiting.size(); i++) {
            FlowDriver w = waiting.get(i);
            int position = i + 1;
            if (w.state.position() != position) {
              run(w, () -> w.position(position));
            }
          }
        }
      }
    }

    private void grant(FlowDriver caller) {
      holding.add(caller);
      mostHeld = Math.max(mostHeld, holding.size());
      run(caller, caller::granted);
    }
  }

  /** A call in each phase where it can hang up. */
  static Stream<Arguments> everyPhase() {
    return Stream.of(
        Arguments.of("play", (Supplier<FlowDriver>) () -> {
          FlowDriver d = new FlowDriver(MAIN);
          d.arrive();
          return d;
        }),
        Arguments.of("menu prompt", (Supplier<FlowDriver>) () -> {
          FlowDriver d = new FlowDriver(MAIN);
          d.arrive();
          d.promptEnds();
          return d;
        }),
        Arguments.of("menu input", (Supplier<FlowDriver>) () -> {
          FlowDriver d = new FlowDriver(MAIN);
          d.arrive();
          d.promptEnds();
          d.promptEnds();
          return d;
        }),
        Arguments.of("menu between digits", (Supplier<FlowDriver>) () -> {
          FlowDriver d = new FlowDriver(MultiDigit.OPEN_KEYS);
          d.arrive();
          d.press("1");
          return d;
        }),
        Arguments.of("forward ringing", (Supplier<FlowDriver>) () -> {
          FlowDriver d = new FlowDriver(SALES);
          d.arrive();
          d.busy();
          return d;
        }),
        Arguments.of("connected", (Supplier<FlowDriver>) () -> {
          FlowDriver d = new FlowDriver(SALES);
          d.arrive();
          d.answered();
          return d;
        }),
        Arguments.of("queue requested", (Supplier<FlowDriver>) () -> {
          FlowDriver d = new FlowDriver(queueFlow(false));
          d.arrive();
          return d;
        }),
        Arguments.of("queue waiting", (Supplier<FlowDriver>) () -> {
          FlowDriver d = new FlowDriver(queueFlow(false));
          d.arrive();
          d.position(1);
          return d;
        }),
        Arguments.of("queue announcing", (Supplier<FlowDriver>) () -> {
          FlowDriver d = new FlowDriver(queueFlow(true));
          d.arrive();
          d.position(4);
          return d;
        }),
        Arguments.of("queue line ringing", (Supplier<FlowDriver>) () -> {
          FlowDriver d = new FlowDriver(queueFlow(false));
          d.arrive();
          d.granted();
          return d;
        }),
        Arguments.of("queue connected", (Supplier<FlowDriver>) () -> {
          FlowDriver d = new FlowDriver(queueFlow(false));
          d.arrive();
          d.granted();
          d.answered();
          return d;
        }),
        Arguments.of("hangup prompt", (Supplier<FlowDriver>) () -> {
          FlowDriver d = new FlowDriver(MAIN, "2026-05-06T10:00");
          d.arrive();
          return d;
        }));
  }

  @Nested
  class CallerHangsUp {
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.hankyo.node.flow.FlowInterpreterTest#everyPhase")
    void atEveryStepTheFlowEndsAndReleasesWhatItHolds(String name, Supplier<FlowDriver> setup) {
      FlowDriver d = setup.get();
      FlowState before = d.state;
      assertFalse(before.ended());
      FlowResult r = d.callerHangsUp();
      assertFalse(r.ignored());
      assertTrue(d.state.ended());
      assertEquals(List.of(), d.state.timers());
      assertEquals(0, d.state.promptToken());
      List<FlowAction> expected = new ArrayList<>();
      for (FlowTimer t : before.timers()) {
        expected.add(new FlowAction.CancelTimer(t.kind(), t.token()));
      }
      if (before.queue() != null) {
        expected.add(new FlowAction.LeaveQueue(before.queue()));
      }
      assertEquals(expected, r.actions(), "no hangup, prompt or forward order: the gateway releases the call");
      FlowFact lastFact = r.facts().get(r.facts().size() - 1);
      assertEquals(new FlowFact.FlowEnded(d.now, before.step(), EndReason.CALLER_HUNG_UP, null), lastFact);
      // nothing counts any more
      assertTrue(d.callerHangsUp().ignored());
      assertTrue(d.press("1").ignored());
      assertTrue(d.send(new FlowSignal.ForwardAnswered(d.now, before.attempt())).ignored());
      assertTrue(d.position(1).ignored());
      assertTrue(d.send(new FlowSignal.CallArrived(d.now, false)).ignored());
    }
  }

  @Nested
  class Guards {
    @Test
    void signalsBeforeTheArrivalAreIgnored() {
      FlowDriver d = new FlowDriver(MENU);
      assertTrue(d.press("1").ignored());
      assertTrue(d.callerHangsUp().ignored());
      assertTrue(d.send(new FlowSignal.TimerFired(d.now, Kind.RING, 1)).ignored());
      assertSame(FlowState.initial().phase(), d.phase());
    }

    @Test
    void aSecondArrivalIsIgnored() {
      FlowDriver d = new FlowDriver(MENU);
      d.arrive();
      assertTrue(d.arrive().ignored());
    }

    @Test
    void aStaleTimerIsIgnored() {
      FlowDriver d = new FlowDriver(MENU);
      d.arrive();
      d.promptEnds();
      FlowTimer firstDigit = d.state.timer(Kind.FIRST_DIGIT);
      d.press("9"); // invalid, retry: the first-digit timer is cancelled, the prompt plays again
      FlowState replaying = d.state;
      assertTrue(d.send(new FlowSignal.TimerFired(firstDigit.deadline(), Kind.FIRST_DIGIT, firstDigit.token()))
          .ignored());
      assertSame(replaying, d.state);
      d.promptEnds();
      FlowTimer armed = d.state.timer(Kind.FIRST_DIGIT);
      assertTrue(d.send(new FlowSignal.TimerFired(d.now, Kind.INTER_DIGIT, armed.token())).ignored(),
          "the token of another kind");
      assertFalse(d.send(new FlowSignal.TimerFired(d.now, Kind.FIRST_DIGIT, armed.token())).ignored());
    }

    @Test
    void timersAreDataWithDeadlines() {
      FlowDriver d = new FlowDriver(SALES);
      FlowResult r = d.arrive();
      FlowTimer ring = ((FlowAction.StartTimer) r.actions().get(1)).timer();
      assertEquals(new FlowTimer(Kind.RING, 1, d.now.plusSeconds(15), 15_000), ring);
      assertEquals(List.of(ring), d.state.timers());
      assertEquals(5_000, ring.remainingMillis(d.now.plusSeconds(10)));
      assertEquals(0, ring.remainingMillis(d.now.plusSeconds(20)));
    }

    @Test
    void theTransitionCapStopsAFlowThatSpins() {
      // two forward steps fail over to each other: once the destination refused, neither waits any more
      FlowDriver d = new FlowDriver("""
          {"start": "f1", "steps": {
            "f1": {"type": "forward", "targets": [{"to": "03-1111-1111"}], "failed": "f2"},
            "f2": {"type": "forward", "targets": [{"to": "03-1111-1111"}], "failed": "f1"}}}""");
      d.arrive();
      FlowResult r = d.busy();
      assertEquals(FlowInterpreter.MAX_TRANSITIONS, d.state.transitions());
      assertEquals(FlowInterpreter.MAX_TRANSITIONS, d.state.path().size());
      assertEquals(List.of(new FlowAction.CancelTimer(Kind.RING, 1),
          hangup(EndCause.FLOW_ERROR, DialStatus.STATUS_ERROR, HangupParty.SYSTEM, 500)), r.actions());
      FlowFact.FlowEnded end = r.facts(FlowFact.FlowEnded.class).get(0);
      assertEquals(EndReason.TRANSITION_CAP, end.reason());
      assertTrue(d.state.ended());
    }

    @Test
    void aStepMissingFromAStoredFlowEndsTheCall() {
      CallFlow broken = new CallFlow("p", Map.of("p", new PlayStep("notice", "gone")));
      FlowDriver d = new FlowDriver(broken, FlowDriver.MONDAY_MORNING);
      d.arrive();
      FlowResult r = d.promptEnds();
      assertEquals(List.of(hangup(EndCause.FLOW_ERROR, DialStatus.STATUS_ERROR, HangupParty.SYSTEM, 0)),
          r.actions());
      assertEquals(EndReason.MISSING_STEP, r.facts(FlowFact.FlowEnded.class).get(0).reason());
    }

    @Test
    void theWholeCallOfTheIssueExample() {
      FlowDriver d = new FlowDriver(MAIN);
      d.arrive();
      d.promptEnds();
      d.promptEnds();
      d.press("2");
      assertEquals(Phase.QUEUE_REQUESTED, d.phase());
      d.position(1);
      d.granted();
      d.answered();
      d.destinationHangsUp();
      assertEquals(List.of("hours", "away", "notice", "menu", "support"), d.state.path());
      assertTrue(d.state.ended());
      assertEquals(List.of(new FlowAction.LeaveQueue("support")), d.last.actions());
    }
  }

  /** What the call log reads from the state (issue 3, "Call log": logvars.ivr_digits, logvars.queue_wait_sec). */
  @Nested
  class CallLogTallies {
    static final String TWO_MENUS = """
        {"start": "main", "steps": {
          "main":  {"type": "menu", "prompt": "welcome", "digits": {"1": "sub", "2": "bye"},
                    "retries": 2, "invalid": "bye", "timeout": "bye"},
          "sub":   {"type": "menu", "prompt": "code", "digits": {"23": "sales"}, "terminator": "#",
                    "max_digits": 4, "invalid": "bye", "timeout": "bye"},
          "sales": {"type": "forward", "targets": [{"to": "03-1111-1111"}]},
          "bye":   {"type": "hangup"}}}
        """;

    @Test
    void menuInputsAreListedInOrderOneEntryPerInputWithoutTheTerminator() {
      FlowDriver d = new FlowDriver(TWO_MENUS);
      d.arrive();
      d.promptEnds();
      d.expire(Kind.FIRST_DIGIT); // nothing pressed: an empty entry, the prompt again
      d.press("9"); // barge-in, invalid: the prompt again
      d.press("1");
      assertEquals("sub", d.state.step());
      d.press("23#");
      assertEquals(Phase.RINGING, d.phase());
      assertEquals(List.of("", "9", "1", "23"), d.state.menuInputs());
    }

    @Test
    void keysTypedBeforeTheCallerHangsUpAreTheLastEntry() {
      FlowDriver d = new FlowDriver(TWO_MENUS);
      d.arrive();
      d.press("1");
      d.press("2");
      d.callerHangsUp();
      assertEquals(List.of("1", "2"), d.state.menuInputs());
    }

    @Test
    void digitsOutsideMenusAreNotListed() {
      FlowDriver d = new FlowDriver(MAIN);
      d.arrive();
      assertEquals("notice", d.state.step());
      d.press("5"); // during the play step: ignored
      d.promptEnds();
      d.press("1");
      assertEquals(List.of("1"), d.state.menuInputs());
    }

    @Test
    void queueWaitsEndAtTheLineTheTimeoutOrTheCallersHangup() {
      FlowDriver granted = new FlowDriver(queueFlow(false));
      granted.arrive();
      granted.position(1);
      granted.advance(41_800);
      granted.granted();
      assertEquals(42_000, granted.state.queueWaitMillis());
      granted.answered();
      granted.destinationHangsUp();
      assertEquals(42_000, granted.state.queueWaitMillis(), "talk is no wait");

      FlowDriver timedOut = new FlowDriver(queueFlow(false));
      timedOut.arrive();
      timedOut.position(2);
      timedOut.expire(Kind.QUEUE_MAX_WAIT);
      assertEquals(120_000, timedOut.state.queueWaitMillis());

      FlowDriver hungUp = new FlowDriver(queueFlow(false));
      hungUp.arrive();
      hungUp.position(3);
      hungUp.advance(9_900);
      hungUp.callerHangsUp();
      assertEquals(11_000, hungUp.state.queueWaitMillis());
    }
  }
}
