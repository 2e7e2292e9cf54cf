package io.hankyo.protocol.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hankyo.protocol.number.ForwardDestinations;
import io.hankyo.protocol.number.PhoneNumbers;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CallFlowParserTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The example with one step replaced (or added) by {@code stepJson}. */
  static String withStep(String id, String stepJson) {
    try {
      ObjectNode root = (ObjectNode) JSON.readTree(FlowDocuments.EXAMPLE);
      ((ObjectNode) root.get("steps")).set(id, JSON.readTree(stepJson));
      return root.toString();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static List<FlowViolation> violations(String json) {
    return assertThrows(CallFlowException.class, () -> CallFlowParser.parse(json)).violations();
  }

  /** Asserts that the document is refused with exactly one violation at {@code pointer}; returns its message. */
  static String only(String json, String pointer) {
    List<FlowViolation> v = violations(json);
    assertEquals(1, v.size(), v.toString());
    assertEquals(pointer, v.get(0).pointer(), v.toString());
    return v.get(0).message();
  }

  static void assertContains(String text, String part) {
    assertTrue(text.contains(part), () -> "expected '" + part + "' in: " + text);
  }

  @Nested
  class Valid {
    @Test
    void theIssueExampleReadsWithItsDefaults() {
      CallFlow flow = CallFlowParser.parse(FlowDocuments.EXAMPLE);
      assertEquals("hours", flow.start());
      assertEquals(List.of("hours", "away", "notice", "menu", "sales", "support", "closed", "sorry"),
          List.copyOf(flow.steps().keySet()));

      ScheduleStep hours = (ScheduleStep) flow.step("hours");
      assertEquals("Asia/Tokyo", hours.timezone());
      assertEquals("JP", hours.holidays());
      assertEquals(List.of(TimeRange.parse("09:00-12:00"), TimeRange.parse("13:00-18:00")),
          hours.weeklyRanges(DayOfWeek.MONDAY));
      assertEquals(List.of(), hours.weeklyRanges(DayOfWeek.SUNDAY));
      assertTrue(hours.weeklyRanges(DayOfWeek.FRIDAY).get(1).crossesMidnight());
      assertTrue(hours.exceptionOn(LocalDate.parse("2026-12-31")).orElseThrow().closed());
      assertEquals(List.of(TimeRange.parse("10:00-15:00")),
          hours.exceptionOn(LocalDate.parse("2026-05-04")).orElseThrow().hours());
      ScheduleException weeklyHours = hours.exceptionOn(LocalDate.parse("2026-05-05")).orElseThrow();
      assertFalse(weeklyHours.closed());
      assertNull(weeklyHours.hours());

      MenuStep menu = (MenuStep) flow.step("menu");
      assertEquals(Map.of("1", "sales", "2", "support", "12", "sales"), menu.digits());
      assertEquals(5, menu.firstDigitTimeoutSec());
      assertEquals(MenuStep.DEFAULT_INTER_DIGIT_TIMEOUT_SEC, menu.interDigitTimeoutSec());
      assertEquals(2, menu.retries());
      assertEquals("#", menu.terminator());
      assertEquals(2, menu.maxDigits(), "derived from the longest key");

      ForwardStep sales = (ForwardStep) flow.step("sales");
      assertEquals("+81311111111", sales.targets().get(0).to().e164());
      assertEquals(15, sales.targets().get(0).ringSec());
      assertEquals(ForwardTarget.DEFAULT_RING_SEC, sales.targets().get(1).ringSec());
      assertEquals("sorry", sales.failed());

      QueueStep support = (QueueStep) flow.step("support");
      assertEquals(2, support.lines());
      assertEquals(120_000, support.maxWaitMillis());
      assertTrue(support.announcePosition());
      assertEquals("sorry", support.failedStep());

      assertNull(((HangupStep) flow.step("sorry")).prompt());
      assertEquals(Set.of("recording-notice", "welcome", "hold", "closed"), flow.prompts());
      assertEquals(3, flow.targets().size());
    }

    @Test
    void defaultsOfAMinimalFlow() {
      CallFlow flow = CallFlowParser.parse("""
          {"start": "m", "steps": {
            "m": {"type": "menu", "prompt": "p", "digits": {"1": "q"}, "invalid": "m", "timeout": "m"},
            "q": {"type": "queue", "queue": "q1", "lines": 1, "hold_prompt": "hold",
                  "targets": [{"to": "090-1234-5678"}], "timeout": "s", "failed": "m"},
            "s": {"type": "schedule", "weekly": {}, "open": "m", "closed": "m"}}}""");
      MenuStep m = (MenuStep) flow.step("m");
      assertEquals(MenuStep.DEFAULT_FIRST_DIGIT_TIMEOUT_SEC, m.firstDigitTimeoutSec());
      assertEquals(MenuStep.DEFAULT_RETRIES, m.retries());
      assertNull(m.terminator());
      assertEquals(1, m.maxDigits());
      QueueStep q = (QueueStep) flow.step("q");
      assertFalse(q.announcePosition());
      assertEquals(QueueStep.Scope.ADVERTISER, q.scope(), "a queue's lines are the advertiser's unless it says");
      assertEquals(QueueStep.DEFAULT_MAX_WAIT_SEC, q.maxWaitSec());
      assertEquals("m", q.failedStep());
      ScheduleStep s = (ScheduleStep) flow.step("s");
      assertEquals(ScheduleStep.DEFAULT_TIMEZONE, s.timezone());
      assertNull(s.holidays());
      assertTrue(s.exceptions().isEmpty());
    }

    @Test
    void aLoopThroughAStepThatWaitsIsFine() {
      // hours -> away -> menu -> (invalid) hours: the menu waits for the caller
      CallFlowParser.parse("""
          {"start": "hours", "steps": {
            "hours": {"type": "schedule", "weekly": {"mon": ["00:00-24:00"]}, "open": "away", "closed": "bye"},
            "away":  {"type": "absence", "present": "menu", "absent": "hours2"},
            "hours2": {"type": "schedule", "weekly": {}, "open": "menu", "closed": "bye"},
            "menu":  {"type": "menu", "prompt": "p", "digits": {"1": "bye"}, "invalid": "hours", "timeout": "menu"},
            "bye":   {"type": "hangup"}}}""");
    }

    @Test
    void explicitMaxDigitsAndAJsonTree() throws Exception {
      CallFlow flow = CallFlowParser.parse(JSON.readTree("""
          {"start": "m", "steps": {"m": {"type": "menu", "prompt": "p", "digits": {"123": "e", "4": "e"},
           "terminator": "*", "max_digits": 6, "invalid": "e", "timeout": "e"}, "e": {"type": "hangup"}}}"""));
      MenuStep m = (MenuStep) flow.step("m");
      assertEquals(6, m.maxDigits());
      assertEquals("*", m.terminator());
    }

    @Test
    void numbersInAnyFormAreNormalized() {
      CallFlow flow = CallFlowParser.parse("""
          {"start": "f", "steps": {"f": {"type": "forward", "targets": [{"to": "+81 3 1234 5678"},
           {"to": "０９０－１２３４－５６７８"}]}}}""");
      ForwardStep f = (ForwardStep) flow.step("f");
      assertEquals("03-1234-5678", f.targets().get(0).to().national());
      assertEquals("+819012345678", f.targets().get(1).to().e164());
      assertNull(f.failed());
    }
  }

  @Nested
  class Document {
    @Test
    void notJson() {
      String m = only("{\"start\": \"a\", ", "");
      assertTrue(m.startsWith("the call flow is not valid JSON: "), m);
      assertContains(m, "line 1");
    }

    @Test
    void emptyOrBlank() {
      assertContains(only("  ", ""), "empty");
      assertContains(only(null, ""), "empty");
      assertContains(assertThrows(CallFlowException.class,
          () -> CallFlowParser.parse(JSON.nullNode())).violations().get(0).message(), "empty");
    }

    @Test
    void trailingContentAfterTheObject() {
      assertContains(only("{\"start\": \"a\", \"steps\": {\"a\": {\"type\": \"hangup\"}}} {}", ""), "not valid JSON");
    }

    @Test
    void duplicateKeys() {
      String m = only("{\"start\": \"a\", \"steps\": {\"a\": {\"type\": \"hangup\"}, \"a\": {\"type\": \"hangup\"}}}",
          "");
      assertContains(m, "Duplicate field 'a'");
    }

    @Test
    void notAnObject() {
      assertContains(only("[1, 2]", ""), "must be a JSON object");
    }

    @Test
    void tooLarge() {
      String big = withStep("closed", "{\"type\": \"hangup\", \"prompt\": \"" + "x".repeat(64) + "\"}")
          + " ".repeat(CallFlowParser.MAX_DOCUMENT_BYTES);
      String m = only(big, "");
      assertContains(m, "at most 65536 bytes");
      // the JSON-tree entry point measures the tree
      ObjectNode root = JSON.createObjectNode();
      root.put("start", "a");
      root.putObject("steps").putObject("a").put("type", "hangup").put("prompt", "p".repeat(70_000));
      assertContains(assertThrows(CallFlowException.class, () -> CallFlowParser.parse(root)).getMessage(),
          "at most 65536 bytes");
    }

    @Test
    void tooManySteps() {
      StringBuilder b = new StringBuilder("{\"start\": \"s0\", \"steps\": {");
      for (int i = 0; i <= CallFlowParser.MAX_STEPS; i++) {
        b.append(i == 0 ? "" : ",").append("\"s").append(i).append("\": {\"type\": \"hangup\"}");
      }
      assertContains(only(b.append("}}").toString(), "/steps"), "101 steps; at most 100");
    }

    @Test
    void startAndStepsAreRequired() {
      List<FlowViolation> v = violations("{}");
      assertEquals(List.of("/steps", "/start"), v.stream().map(FlowViolation::pointer).toList());
      assertContains(v.get(0).message(), "is required");
      assertContains(v.get(1).message(), "is required");
      assertContains(only("{\"start\": \"a\", \"steps\": {}}", "/steps"), "at least one step");
      assertContains(only("{\"start\": \"a\", \"steps\": []}", "/steps"), "must be an object");
      assertContains(only("{\"start\": 1, \"steps\": {\"a\": {\"type\": \"hangup\"}}}", "/start"), "must be a string");
    }

    @Test
    void startMustBeDefined() {
      String m = only("{\"start\": \"b\", \"steps\": {\"a\": {\"type\": \"hangup\"}}}", "/start");
      assertEquals("step 'b' is not defined; defined steps: a", m);
    }

    @Test
    void unknownTopLevelFieldAndBadStepId() {
      List<FlowViolation> v = violations(
          "{\"start\": \"a\", \"version\": 2, \"steps\": {\"a\": {\"type\": \"hangup\"}, \"b c\": {\"type\": \"hangup\"}}}");
      assertEquals(List.of("/version", "/steps/b c"), v.stream().map(FlowViolation::pointer).toList(), v.toString());
      assertContains(v.get(0).message(), "unknown field for the call flow; the fields are start, steps");
      assertContains(v.get(1).message(), "not a valid step id");
    }

    @Test
    void pointersEscapeSlashAndTilde() {
      String json = "{\"start\": \"a\", \"steps\": {\"a\": {\"type\": \"hangup\", \"x/y~z\": 1}}}";
      assertContains(only(json, "/steps/a/x~1y~0z"), "unknown field for a hangup step");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
      String json = """
          {"start": "menu", "steps": {
            "menu":  {"type": "menu", "prompt": "p", "digits": {"1": "sales", "x": "sales"},
                      "first_digit_timeout_sec": 0, "invalid": "nowhere", "timeout": "sales", "colour": "red"},
            "sales": {"type": "forward", "targets": [{"to": "0570-123-456", "ring_sec": 300}]},
            "hours": {"type": "schedule", "weekly": {"mon": ["9:00-18:00"]}, "open": "sales", "closed": "sales"},
            "odd":   {"type": "transfer"}}}""";
      CallFlowException e = assertThrows(CallFlowException.class, () -> CallFlowParser.parse(json));
      List<String> pointers = e.violations().stream().map(FlowViolation::pointer).toList();
      assertEquals(List.of(
          "/steps/menu/colour",
          "/steps/menu/digits/x",
          "/steps/menu/first_digit_timeout_sec",
          "/steps/sales/targets/0/to",
          "/steps/sales/targets/0/ring_sec",
          "/steps/hours/weekly/mon/0",
          "/steps/odd/type",
          "/steps/menu/invalid",
          "/steps/hours",
          "/steps/odd"), pointers, e.getMessage());
      assertTrue(e.getMessage().startsWith("the call flow has 10 problems: /steps/menu/colour: unknown field"),
          e.getMessage());
    }
  }

  @Nested
  class Steps {
    @Test
    void typeIsRequiredAndKnown() {
      assertEquals("is required: one of schedule, absence, play, menu, forward, queue, hangup",
          only(withStep("sorry", "{\"prompt\": \"x\"}"), "/steps/sorry/type"));
      assertEquals("'voicemail' is not a step type; use one of schedule, absence, play, menu, forward, queue, hangup",
          only(withStep("sorry", "{\"type\": \"voicemail\"}"), "/steps/sorry/type"));
      assertContains(only(withStep("sorry", "{\"type\": 7}"), "/steps/sorry/type"), "the number 7 is not a step type");
      assertContains(only(withStep("sorry", "\"hangup\""), "/steps/sorry"), "a step must be an object");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "schedule weekly  | hours  | {\"type\": \"schedule\", \"open\": \"away\", \"closed\": \"closed\"}"
            + "                                   | /steps/hours/weekly",
        "schedule open    | hours  | {\"type\": \"schedule\", \"weekly\": {}, \"closed\": \"closed\"}"
            + "                                   | /steps/hours/open",
        "absence absent   | away   | {\"type\": \"absence\", \"present\": \"notice\"}              | /steps/away/absent",
        "play prompt      | notice | {\"type\": \"play\", \"next\": \"menu\"}                      | /steps/notice/prompt",
        "play next        | notice | {\"type\": \"play\", \"prompt\": \"p\"}                       | /steps/notice/next",
        "menu digits      | menu   | {\"type\": \"menu\", \"prompt\": \"p\", \"invalid\": \"menu\", \"timeout\": \"sales\"}"
            + "                                   | /steps/menu/digits",
        "menu timeout     | menu   | {\"type\": \"menu\", \"prompt\": \"p\", \"digits\": {\"1\": \"sales\", \"2\": "
            + "\"support\"}, \"invalid\": \"menu\"} | /steps/menu/timeout",
        "forward targets  | sales  | {\"type\": \"forward\"}                                      | /steps/sales/targets",
        "target to        | sales  | {\"type\": \"forward\", \"targets\": [{\"ring_sec\": 10}]}     | /steps/sales/targets/0/to",
        "queue lines      | support | {\"type\": \"queue\", \"queue\": \"q\", \"hold_prompt\": \"h\", \"targets\": "
            + "[{\"to\": \"03-3333-3333\"}], \"timeout\": \"sorry\"} | /steps/support/lines",
        "queue hold       | support | {\"type\": \"queue\", \"queue\": \"q\", \"lines\": 1, \"targets\": "
            + "[{\"to\": \"03-3333-3333\"}], \"timeout\": \"sorry\"} | /steps/support/hold_prompt",
        "exception date   | hours  | {\"type\": \"schedule\", \"weekly\": {}, \"exceptions\": [{\"closed\": true}], "
            + "\"open\": \"away\", \"closed\": \"closed\"} | /steps/hours/exceptions/0/date",
    })
    void requiredFields(String name, String id, String step, String pointer) {
      // a missing reference may leave later steps unreached: those are reported too, after it
      List<FlowViolation> v = violations(withStep(id, step));
      assertEquals(pointer, v.get(0).pointer(), v.toString());
      assertTrue(v.get(0).message().startsWith("is required: "), v.toString());
      for (FlowViolation other : v.subList(1, v.size())) {
        assertTrue(other.message().contains("is never reached"), v.toString());
      }
    }

    @Test
    void stepsNamingOneQueueAgreeOnItsScope() {
      List<FlowViolation> v = violations("""
          {"start": "a", "steps": {
            "a": {"type": "queue", "queue": "q1", "lines": 1, "hold_prompt": "h", "targets": [{"to": "03-1111-1111"}],
                  "timeout": "b"},
            "b": {"type": "queue", "queue": "q1", "scope": "number", "lines": 1, "hold_prompt": "h",
                  "targets": [{"to": "03-1111-1111"}], "timeout": "c"},
            "c": {"type": "hangup"}}}""");
      assertEquals(1, v.size(), v.toString());
      assertEquals("/steps/b/scope", v.get(0).pointer());
      assertEquals("queue 'q1' has scope \"advertiser\" in step 'a'; steps naming the same queue must give the same "
          + "scope", v.get(0).message());
    }

    @Test
    void nullCountsAsAbsent() {
      assertTrue(only(withStep("notice", "{\"type\": \"play\", \"prompt\": null, \"next\": \"menu\"}"),
          "/steps/notice/prompt").startsWith("is required"));
      CallFlowParser.parse(withStep("sales", "{\"type\": \"forward\", \"targets\": [{\"to\": \"03-1111-1111\"}], "
          + "\"failed\": null}"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "string for number | menu | {\"type\": \"menu\", \"prompt\": \"p\", \"digits\": {\"1\": \"sales\", \"2\": "
            + "\"support\"}, \"retries\": \"2\", \"invalid\": \"menu\", \"timeout\": \"sales\"} | /steps/menu/retries"
            + " | must be a whole number from 0 to 9 (replays of the prompt); got the string \"2\"",
        "fraction          | menu | {\"type\": \"menu\", \"prompt\": \"p\", \"digits\": {\"1\": \"sales\", \"2\": "
            + "\"support\"}, \"inter_digit_timeout_sec\": 2.5, \"invalid\": \"menu\", \"timeout\": \"sales\"} "
            + "| /steps/menu/inter_digit_timeout_sec | must be a whole number from 1 to 30 (seconds); got 2.5",
        "number for string | notice | {\"type\": \"play\", \"prompt\": 5, \"next\": \"menu\"} | /steps/notice/prompt"
            + " | must be a string: the name of the prompt to play; got the number 5",
        "array for ref     | away | {\"type\": \"absence\", \"present\": \"notice\", \"absent\": [\"closed\"]} "
            + "| /steps/away/absent | must be a string: the step when the absence switch is on (a step id); got an array",
        "string for bool   | support | {\"type\": \"queue\", \"queue\": \"q\", \"lines\": 1, \"hold_prompt\": \"h\", "
            + "\"announce_position\": \"yes\", \"targets\": [{\"to\": \"03-3333-3333\"}], \"timeout\": \"sorry\"} "
            + "| /steps/support/announce_position | must be true or false; got the string \"yes\"",
        "bad queue scope   | support | {\"type\": \"queue\", \"queue\": \"q\", \"scope\": \"operator\", "
            + "\"lines\": 1, \"hold_prompt\": \"h\", \"targets\": [{\"to\": \"03-3333-3333\"}], \"timeout\": "
            + "\"sorry\"} | /steps/support/scope | must be \"advertiser\" (the advertiser's numbers share the queue's "
            + "lines; the default) or \"number\" (this number's own lines); got the string \"operator\"",
        "object for array  | sales | {\"type\": \"forward\", \"targets\": {\"to\": \"03-1111-1111\"}} "
            + "| /steps/sales/targets | must be an array of destinations, e.g. [{\"to\": \"03-1234-5678\"}]; got an object",
        "bad prompt name   | closed | {\"type\": \"hangup\", \"prompt\": \"ご案内\"} | /steps/closed/prompt"
            + " | 'ご案内' is not a valid name; use 1-64 characters of A-Z a-z 0-9 _ . -",
        "bad ref syntax    | away | {\"type\": \"absence\", \"present\": \"notice\", \"absent\": \"no where\"} "
            + "| /steps/away/absent | 'no where' is not a valid step id; use 1-64 characters of A-Z a-z 0-9 _ . -",
    })
    void wrongTypes(String name, String id, String step, String pointer, String message) {
      assertEquals(message, only(withStep(id, step), pointer));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "first digit 0   | menu | \"first_digit_timeout_sec\": 0   | /steps/menu/first_digit_timeout_sec"
            + " | must be a whole number from 1 to 60 (seconds); got 0",
        "first digit 61  | menu | \"first_digit_timeout_sec\": 61  | /steps/menu/first_digit_timeout_sec"
            + " | must be a whole number from 1 to 60 (seconds); got 61",
        "inter digit 31  | menu | \"inter_digit_timeout_sec\": 31  | /steps/menu/inter_digit_timeout_sec"
            + " | must be a whole number from 1 to 30 (seconds); got 31",
        "retries -1      | menu | \"retries\": -1                  | /steps/menu/retries"
            + " | must be a whole number from 0 to 9 (replays of the prompt); got -1",
        "max digits 1    | menu | \"max_digits\": 1                | /steps/menu/max_digits"
            + " | must be a whole number from 2 to 16 (digits; at least the longest key); got 1",
        "huge number     | menu | \"retries\": 99999999999          | /steps/menu/retries"
            + " | must be a whole number from 0 to 9 (replays of the prompt); got 99999999999",
    })
    void menuRanges(String name, String id, String field, String pointer, String message) {
      String step = "{\"type\": \"menu\", \"prompt\": \"p\", \"digits\": {\"1\": \"sales\", \"12\": \"support\"}, "
          + "\"invalid\": \"menu\", \"timeout\": \"sales\", " + field + "}";
      assertEquals(message, only(withStep(id, step), pointer));
    }

    @Test
    void queueAndTargetRanges() {
      String queue = "{\"type\": \"queue\", \"queue\": \"q\", \"lines\": %s, \"hold_prompt\": \"h\", "
          + "\"max_wait_sec\": %s, \"targets\": [{\"to\": \"03-3333-3333\", \"ring_sec\": %s}], \"timeout\": \"sorry\"}";
      assertEquals("must be a whole number from 1 to 1000 (lines (回線数)); got 0",
          only(withStep("support", String.format(queue, 0, 60, 20)), "/steps/support/lines"));
      assertEquals("must be a whole number from 10 to 3600 (seconds); got 5",
          only(withStep("support", String.format(queue, 1, 5, 20)), "/steps/support/max_wait_sec"));
      assertEquals("must be a whole number from 5 to 120 (seconds); got 4",
          only(withStep("support", String.format(queue, 1, 60, 4)), "/steps/support/targets/0/ring_sec"));
      assertEquals("must be a whole number from 5 to 120 (seconds); got 121",
          only(withStep("sales", "{\"type\": \"forward\", \"targets\": [{\"to\": \"03-1111-1111\", \"ring_sec\": 121}]}"),
              "/steps/sales/targets/0/ring_sec"));
    }

    @Test
    void targetLimits() {
      StringBuilder many = new StringBuilder("{\"type\": \"forward\", \"targets\": [");
      for (int i = 0; i <= CallFlowParser.MAX_TARGETS; i++) {
        many.append(i == 0 ? "" : ",").append("{\"to\": \"03-1111-11").append(10 + i).append("\"}");
      }
      assertEquals("has 11 destinations; at most 10 are allowed",
          only(withStep("sales", many.append("]}").toString()), "/steps/sales/targets"));
      assertEquals("must hold at least one destination",
          only(withStep("sales", "{\"type\": \"forward\", \"targets\": []}"), "/steps/sales/targets"));
      assertEquals("03-1111-1111 is already rung at /steps/sales/targets/0; list each number once",
          only(withStep("sales", "{\"type\": \"forward\", \"targets\": [{\"to\": \"03-1111-1111\"}, "
              + "{\"to\": \"0311111111\"}]}"), "/steps/sales/targets/1/to"));
      assertContains(only(withStep("sales", "{\"type\": \"forward\", \"targets\": [{\"to\": \"03-1111-1111\", "
          + "\"priority\": 1}]}"), "/steps/sales/targets/0/priority"), "unknown field for a destination; the fields "
          + "are to, ring_sec");
    }

    @ParameterizedTest(name = "{0} is refused")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "0570-123-456    | 0570-123-456 is a premium-rate or shared-cost number",
        "110             | '110' is an emergency number",
        "+1 212 555 0100 | +1 212-555-0100 is a number outside Japan",
        "0120-12-345     | '0120-12-345' is not a valid number of the numbering plan",
    })
    void forwardTargetsMustBeForwardDestinations(String to, String start) {
      String m = only(withStep("sales", "{\"type\": \"forward\", \"targets\": [{\"to\": \"" + to + "\"}]}"),
          "/steps/sales/targets/0/to");
      assertTrue(m.startsWith(start), m);
      if (!to.startsWith("0120")) {
        assertTrue(m.endsWith(ForwardDestinations.KINDS), m);
      }
    }

    @Test
    void theTrackingNumberIsNoTarget() {
      String json = withStep("sales", "{\"type\": \"forward\", \"targets\": [{\"to\": \"0120-123-456\"}]}");
      CallFlowParser.parse(json);
      CallFlowException e = assertThrows(CallFlowException.class,
          () -> CallFlowParser.parse(json, PhoneNumbers.parse("+81120123456")));
      assertEquals("/steps/sales/targets/0/to", e.violations().get(0).pointer());
      assertTrue(e.violations().get(0).message().startsWith("0120-123-456 is the tracking number itself; calls "
          + "would loop"));
    }

    @Test
    void menuKeysAndTerminator() {
      String base = "{\"type\": \"menu\", \"prompt\": \"p\", \"invalid\": \"menu\", \"timeout\": \"sales\", ";
      assertEquals("'1a' is not a key; use 1-16 of 0-9 * #, e.g. \"1\", \"12\", \"*\"",
          only(withStep("menu", base + "\"digits\": {\"2\": \"support\", \"1a\": \"sales\"}}"),
              "/steps/menu/digits/1a"));
      assertEquals("key '1#' contains the terminator '#', which ends the input and is never part of a key",
          only(withStep("menu", base + "\"terminator\": \"#\", \"digits\": {\"2\": \"support\", \"1#\": \"sales\"}}"),
              "/steps/menu/digits/1#"));
      assertEquals("must be \"#\" or \"*\", the key that ends multi-digit input; got the string \"0\"",
          only(withStep("menu", base + "\"terminator\": \"0\", \"digits\": {\"1\": \"sales\", \"2\": \"support\"}}"),
              "/steps/menu/terminator"));
      List<FlowViolation> v = violations(withStep("menu", base + "\"digits\": {}}"));
      assertEquals(new FlowViolation("/steps/menu/digits", "must hold at least one key, e.g. {\"1\": \"sales\"}"),
          v.get(0));
      // with the keys gone, the queue step is reached from nowhere
      assertEquals("/steps/support", v.get(1).pointer());
    }
  }

  @Nested
  class Schedules {
    private String schedule(String fields) {
      return withStep("hours", "{\"type\": \"schedule\", \"open\": \"away\", \"closed\": \"closed\", " + fields + "}");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "9:00-18:00   | '9:00-18:00' is not a time range; write HH:mm-HH:mm, e.g. 09:00-18:00 (22:00-02:00 crosses "
            + "midnight)",
        "09:00-18:60  | '09:00-18:60' is not a time range: hours go from 00 to 23 (24:00 may end a range) and "
            + "minutes from 00 to 59",
        "25:00-26:00  | '25:00-26:00' is not a time range: hours go from 00 to 23 (24:00 may end a range) and "
            + "minutes from 00 to 59",
        "24:00-02:00  | '24:00-02:00' starts at 24:00; 24:00 may only end a range (use 00:00)",
        "10:00-10:00  | '10:00-10:00' starts and ends at the same time; write 00:00-24:00 for the whole day",
        "24:30-25:00  | '24:30-25:00' is not a time range: hours go from 00 to 23 (24:00 may end a range) and "
            + "minutes from 00 to 59",
    })
    void badTimeRanges(String range, String message) {
      assertEquals(message, only(schedule("\"weekly\": {\"tue\": [\"08:00-09:00\", \"" + range + "\"]}"),
          "/steps/hours/weekly/tue/1"));
    }

    @Test
    void weekdaysAndRangeLists() {
      assertEquals("'monday' is not a weekday; use mon, tue, wed, thu, fri, sat, sun",
          only(schedule("\"weekly\": {\"monday\": [\"09:00-18:00\"]}"), "/steps/hours/weekly/monday"));
      assertContains(only(schedule("\"weekly\": {\"mon\": \"09:00-18:00\"}"), "/steps/hours/weekly/mon"),
          "must be an array of time ranges");
      assertContains(only(schedule("\"weekly\": {\"mon\": [900]}"), "/steps/hours/weekly/mon/0"),
          "must be a string \"HH:mm-HH:mm\"");
      StringBuilder many = new StringBuilder("[");
      for (int i = 0; i <= CallFlowParser.MAX_RANGES_PER_DAY; i++) {
        many.append(i == 0 ? "" : ",").append(String.format("\"%02d:00-%02d:30\"", i, i));
      }
      assertEquals("has 13 time ranges; at most 12 a day are allowed",
          only(schedule("\"weekly\": {\"sun\": " + many + "]}"), "/steps/hours/weekly/sun"));
      assertContains(only(schedule("\"weekly\": [\"09:00-18:00\"]"), "/steps/hours/weekly"), "must be an object");
      // "24:00" ends a range; midnight crossing and whole days are fine
      ScheduleStep s = (ScheduleStep) CallFlowParser.parse(schedule(
          "\"weekly\": {\"mon\": [\"18:00-24:00\", \"00:00-24:00\", \"22:00-00:00\"]}")).step("hours");
      assertEquals("18:00-24:00", s.weeklyRanges(DayOfWeek.MONDAY).get(0).text());
    }

    @Test
    void timeZonesAndHolidays() {
      assertEquals("'Asia/Tokio' is not a time zone; use an IANA name such as Asia/Tokyo",
          only(schedule("\"weekly\": {}, \"timezone\": \"Asia/Tokio\""), "/steps/hours/timezone"));
      assertEquals("'JST' is not a time zone; use an IANA name such as Asia/Tokyo",
          only(schedule("\"weekly\": {}, \"timezone\": \"JST\""), "/steps/hours/timezone"));
      assertEquals("'US' is not a holiday calendar; only \"JP\" (Japanese public holidays) is supported; leave it out "
          + "to ignore holidays", only(schedule("\"weekly\": {}, \"holidays\": \"US\""), "/steps/hours/holidays"));
      ScheduleStep ny = (ScheduleStep) CallFlowParser.parse(
          schedule("\"weekly\": {}, \"timezone\": \"America/New_York\"")).step("hours");
      assertEquals("America/New_York", ny.zone().getId());
    }

    @Test
    void exceptions() {
      assertEquals("'2026-02-30' is not a date; write yyyy-MM-dd, e.g. \"2026-12-31\"",
          only(schedule("\"weekly\": {}, \"exceptions\": [{\"date\": \"2026-02-30\", \"closed\": true}]"),
              "/steps/hours/exceptions/0/date"));
      assertEquals("'2026/12/31' is not a date; write yyyy-MM-dd, e.g. \"2026-12-31\"",
          only(schedule("\"weekly\": {}, \"exceptions\": [{\"date\": \"2026/12/31\", \"closed\": true}]"),
              "/steps/hours/exceptions/0/date"));
      assertEquals("2026-12-31 already has an exception at /steps/hours/exceptions/0; give one per date",
          only(schedule("\"weekly\": {}, \"exceptions\": [{\"date\": \"2026-12-31\", \"closed\": true}, "
              + "{\"date\": \"2026-12-31\", \"hours\": [\"10:00-12:00\"]}]"), "/steps/hours/exceptions/1/date"));
      assertEquals("a closed day has no hours; give either \"closed\": true or \"hours\"",
          only(schedule("\"weekly\": {}, \"exceptions\": [{\"date\": \"2026-12-31\", \"closed\": true, "
              + "\"hours\": [\"10:00-12:00\"]}]"), "/steps/hours/exceptions/0"));
      assertContains(only(schedule("\"weekly\": {}, \"exceptions\": [{\"date\": \"2026-12-31\"}]"),
          "/steps/hours/exceptions/0"), "says nothing about the day");
      assertContains(only(schedule("\"weekly\": {}, \"exceptions\": [{\"date\": \"2026-12-31\", \"hours\": []}]"),
          "/steps/hours/exceptions/0/hours"), "at least one time range");
      assertContains(only(schedule("\"weekly\": {}, \"exceptions\": [{\"date\": \"2026-12-31\", \"open\": true, "
          + "\"closed\": false}]"), "/steps/hours/exceptions/0/open"), "unknown field for a dated exception");
      assertContains(only(schedule("\"weekly\": {}, \"exceptions\": {\"date\": \"2026-12-31\"}"),
          "/steps/hours/exceptions"), "must be an array of dated exceptions");
      assertContains(only(schedule("\"weekly\": {}, \"exceptions\": [{\"date\": \"2026-12-31\", \"closed\": 1}]"),
          "/steps/hours/exceptions/0/closed"), "must be true or false");
    }
  }

  @Nested
  class Graph {
    @Test
    void undefinedSteps() {
      String m = only(withStep("sales", "{\"type\": \"forward\", \"targets\": [{\"to\": \"03-1111-1111\"}], "
          + "\"failed\": \"sory\"}"), "/steps/sales/failed");
      assertEquals("step 'sory' is not defined; defined steps: hours, away, notice, menu, sales, support, closed, "
          + "sorry", m);
      assertEquals("step 'billing' is not defined; defined steps: hours, away, notice, menu, sales, support, closed, "
          + "sorry", only(withStep("menu", "{\"type\": \"menu\", \"prompt\": \"p\", \"digits\": {\"1\": \"sales\", "
          + "\"2\": \"support\", \"3\": \"billing\"}, \"invalid\": \"menu\", \"timeout\": \"sales\"}"),
          "/steps/menu/digits/3"));
    }

    @Test
    void unreachableSteps() {
      String json = withStep("orphan", "{\"type\": \"hangup\", \"prompt\": \"bye\"}");
      assertEquals("step 'orphan' is never reached from the start step 'hours'; link to it from another step or "
          + "remove it", only(json, "/steps/orphan"));
    }

    @Test
    void aLoopThatNeverWaitsIsRefused() {
      String json = """
          {"start": "hours", "steps": {
            "hours": {"type": "schedule", "weekly": {}, "open": "away", "closed": "bye"},
            "away":  {"type": "absence", "present": "hours", "absent": "bye"},
            "bye":   {"type": "hangup"}}}""";
      assertEquals("the steps hours → away → hours form a loop that never waits for the caller; a loop must pass a "
          + "play, menu, forward or queue step", only(json, "/steps/hours"));
    }

    @Test
    void aStepThatGoesToItself() {
      String json = """
          {"start": "away", "steps": {
            "away":  {"type": "absence", "present": "away", "absent": "bye"},
            "bye":   {"type": "hangup"}}}""";
      assertContains(only(json, "/steps/away"), "the steps away → away form a loop");
    }

    @Test
    void twoSeparateLoopsAreBothReported() {
      String json = """
          {"start": "a", "steps": {
            "a": {"type": "absence", "present": "b", "absent": "c"},
            "b": {"type": "absence", "present": "a", "absent": "f"},
            "c": {"type": "schedule", "weekly": {}, "open": "c", "closed": "f"},
            "f": {"type": "forward", "targets": [{"to": "03-1111-1111"}], "failed": "a"}}}""";
      List<FlowViolation> v = violations(json);
      assertEquals(List.of("/steps/a", "/steps/c"), v.stream().map(FlowViolation::pointer).toList(), v.toString());
      assertContains(v.get(0).message(), "a → b → a");
      assertContains(v.get(1).message(), "c → c");
    }
  }

  @Test
  void theDefaultFlowForwardsToFwdId() {
    CallFlow flow = CallFlow.defaultFor(PhoneNumbers.parse("03-1234-5678"), 30);
    assertEquals(CallFlow.DEFAULT_STEP, flow.start());
    ForwardStep f = (ForwardStep) flow.step(flow.start());
    assertEquals(1, f.targets().size());
    assertEquals("+81312345678", f.targets().get(0).to().e164());
    assertEquals(30_000, f.targets().get(0).ringMillis());
    assertNull(f.failed());
    assertEquals(Set.of(), flow.prompts());
    assertThrows(IllegalArgumentException.class, () -> CallFlow.defaultFor(PhoneNumbers.parse("03-1234-5678"), 0));
    assertEquals(Set.of("forward"), flow.steps().keySet().stream().collect(Collectors.toSet()));
  }
}
