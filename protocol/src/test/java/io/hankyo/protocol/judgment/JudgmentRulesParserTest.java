package io.hankyo.protocol.judgment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hankyo.protocol.flow.FlowViolation;
import io.hankyo.protocol.judgment.JudgmentRules.Duplicate;
import io.hankyo.protocol.judgment.JudgmentRules.EarlierCalls;
import io.hankyo.protocol.judgment.JudgmentRules.IvrMatch;
import io.hankyo.protocol.judgment.JudgmentRules.IvrRule;
import io.hankyo.protocol.judgment.JudgmentRules.PostCallButton;
import io.hankyo.protocol.judgment.JudgmentRules.Scope;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JudgmentRulesParserTest {
  static final String EXAMPLE = """
      {"min_talk_sec": 30,
       "duplicate": {"scope": "advertiser", "period_sec": 604800, "count_withheld": true, "earlier_calls": "valid"},
       "ivr_match": "any",
       "ivr": [{"digits": "1", "min_talk_sec": 60}, {"digits": "9", "valid": false}, {"digits": "#12", "valid": true}],
       "post_call_button": {"prompt": "rate-call", "timeout_sec": 15, "valid_digits": ["1"],
                            "invalid_digits": ["2", "*"]}}
      """;

  static List<FlowViolation> violations(String json) {
    return assertThrows(JudgmentRulesException.class, () -> JudgmentRulesParser.parse(json)).violations();
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

  /** A document with {@code min_talk_sec} 30 and the given further fields. */
  static String with(String fields) {
    return "{\"min_talk_sec\": 30, " + fields + "}";
  }

  @Nested
  class Valid {
    /** JSON does not tell 100 from 1e2 or 100.0: every document reads them as the whole number 100. */
    @ParameterizedTest
    @ValueSource(strings = {"100", "1e2", "1E+2", "100.0", "1.0e2"})
    void aWholeNumberMayBeWrittenWithAnExponentOrFraction(String written) {
      JudgmentRules r = JudgmentRulesParser.parse("{\"min_talk_sec\": " + written + "}");
      assertEquals(100, r.minTalkSec());
    }

    @ParameterizedTest
    @ValueSource(strings = {"100.5", "1e-2", "1e30"})
    void aNumberThatIsNotWholeOrTooLargeIsStillRefused(String written) {
      assertContains(only("{\"min_talk_sec\": " + written + "}", "/min_talk_sec"), "must be a whole number");
    }

    @Test
    void everyFieldReads() {
      JudgmentRules r = JudgmentRulesParser.parse(EXAMPLE);
      assertEquals(30, r.minTalkSec());
      assertEquals(new Duplicate(Scope.ADVERTISER, 604800, true, EarlierCalls.VALID), r.duplicate());
      assertEquals(IvrMatch.ANY, r.ivrMatch());
      assertEquals(List.of(new IvrRule("1", 60, true), new IvrRule("9", null, false), new IvrRule("#12", null, true)),
          r.ivr());
      assertEquals(new PostCallButton("rate-call", 15, List.of("1"), List.of("2", "*")), r.postCallButton());
      assertEquals(15_000, r.postCallButton().timeoutMillis());
    }

    @Test
    void theSmallestDocumentGetsTheDefaults() {
      JudgmentRules r = JudgmentRulesParser.parse("{\"min_talk_sec\": 0}");
      assertEquals(JudgmentRules.threshold(0), r);
      assertNull(r.duplicate());
      assertNull(r.postCallButton());
      assertEquals(IvrMatch.LAST, r.ivrMatch());
      assertEquals(List.of(), r.ivr());
    }

    @Test
    void optionalPartsTakeTheirDefaults() {
      JudgmentRules r = JudgmentRulesParser.parse(with("\"duplicate\": {\"scope\": \"number\", \"period_sec\": 86400},"
          + " \"ivr\": [{\"digits\": \"1\"}], \"post_call_button\": {\"prompt\": \"p\", \"valid_digits\": [\"1\"]}"));
      assertEquals(new Duplicate(Scope.NUMBER, 86400, false, EarlierCalls.CONNECTED), r.duplicate());
      assertEquals(86400, r.duplicate().period().toSeconds());
      assertEquals(new IvrRule("1", null, true), r.ivr().get(0));
      assertEquals(new PostCallButton("p", PostCallButton.DEFAULT_TIMEOUT_SEC, List.of("1"), List.of()),
          r.postCallButton());
    }

    @Test
    void nullMeansAbsent() {
      assertEquals(JudgmentRules.threshold(30), JudgmentRulesParser.parse(with("\"duplicate\": null, \"ivr\": null, "
          + "\"ivr_match\": null, \"post_call_button\": null")));
    }

    @ParameterizedTest
    @CsvSource({"min_talk_sec, 0", "min_talk_sec, 86400"})
    void limitsAreInclusive(String field, int value) {
      assertEquals(value, JudgmentRulesParser.parse("{\"" + field + "\": " + value + "}").minTalkSec());
    }

    @ParameterizedTest
    @ValueSource(longs = {60, 86400, 31536000})
    void periodLimitsAreInclusive(long period) {
      assertEquals(period, JudgmentRulesParser.parse(with("\"duplicate\": {\"scope\": \"number\", \"period_sec\": "
          + period + "}")).duplicate().periodSec());
    }

    @Test
    void aParsedTreeReadsLikeText() throws Exception {
      assertEquals(JudgmentRulesParser.parse(EXAMPLE), JudgmentRulesParser.parse(new ObjectMapper().readTree(EXAMPLE)));
    }
  }

  @Nested
  class Refused {
    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void anEmptyDocument(String json) {
      assertContains(only(json, ""), "empty");
      assertContains(assertThrows(JudgmentRulesException.class, () -> JudgmentRulesParser.parse((String) null))
          .getMessage(), "empty");
      assertContains(assertThrows(JudgmentRulesException.class,
          () -> JudgmentRulesParser.parse((com.fasterxml.jackson.databind.JsonNode) null)).getMessage(), "empty");
    }

    @Test
    void notJson() {
      assertContains(only("{\"min_talk_sec\": 30", ""), "not valid JSON");
      assertContains(only("{\"min_talk_sec\": 30} {}", ""), "not valid JSON");
      assertContains(only("{\"min_talk_sec\": 30, \"min_talk_sec\": 40}", ""), "Duplicate field");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "30", "\"x\"", "null"})
    void notAnObject(String json) {
      assertContains(only(json, ""), "must be a JSON object");
    }

    @Test
    void tooLarge() {
      String big = with("\"ivr\": [], \"pad\": \"" + "x".repeat(JudgmentRulesParser.MAX_DOCUMENT_BYTES) + "\"");
      assertContains(only(big, ""), "at most 16384 bytes");
    }

    @Test
    void nestedTooDeeplyIsSaidInPlainWords() {
      String deep = "[".repeat(1500) + "]".repeat(1500);
      String message = only(with("\"pad\": " + deep), "");
      assertContains(message, "the JSON is nested deeper than 1000 levels");
      assertFalse(message.contains("StreamReadConstraints"), message);
    }

    @Test
    void tooLargeAsATree() throws Exception {
      String big = with("\"pad\": \"" + "x".repeat(JudgmentRulesParser.MAX_DOCUMENT_BYTES) + "\"");
      JudgmentRulesException e = assertThrows(JudgmentRulesException.class,
          () -> JudgmentRulesParser.parse(new ObjectMapper().readTree(big)));
      assertEquals(1, e.violations().size());
      assertContains(e.getMessage(), "at most 16384 bytes");
    }

    @Test
    void unknownFieldsEverywhere() {
      assertContains(only(with("\"min_talk\": 3"), "/min_talk"), "unknown field for the judgment rules; the fields "
          + "are min_talk_sec, duplicate, ivr_match, ivr, post_call_button");
      assertContains(only(with("\"duplicate\": {\"scope\": \"number\", \"period_sec\": 86400, \"days\": 1}"),
          "/duplicate/days"), "unknown field for duplicate");
      assertContains(only(with("\"ivr\": [{\"digits\": \"1\", \"next\": \"x\"}]"), "/ivr/0/next"),
          "unknown field for an ivr rule");
      assertContains(only(with("\"post_call_button\": {\"prompt\": \"p\", \"valid_digits\": [\"1\"], \"a/b\": 1}"),
          "/post_call_button/a~1b"), "unknown field for post_call_button");
    }

    @Test
    void minTalkSecIsRequired() {
      assertContains(only("{}", "/min_talk_sec"), "is required: a whole number from 0 to 86400 (seconds of talk)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "86401", "1.5", "\"30\"", "true", "9999999999"})
    void minTalkSecOutOfRangeOrNotAWholeNumber(String value) {
      assertContains(only("{\"min_talk_sec\": " + value + "}", "/min_talk_sec"),
          "must be a whole number from 0 to 86400 (seconds of talk); got ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "1", "\"number\""})
    void duplicateMustBeAnObject(String value) {
      assertContains(only(with("\"duplicate\": " + value), "/duplicate"), "must be an object");
    }

    @Test
    void duplicateNeedsScopeAndPeriod() {
      List<FlowViolation> v = violations(with("\"duplicate\": {}"));
      assertEquals(List.of("/duplicate/scope", "/duplicate/period_sec"), v.stream().map(FlowViolation::pointer)
          .toList(), v.toString());
      assertContains(v.get(0).message(), "is required: \"number\" or \"advertiser\"");
      assertContains(v.get(1).message(), "is required: a whole number from 60 to 31536000 (seconds, e.g. 86400 for "
          + "24 h, 604800 for 7 days, 2592000 for 30 days)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"tracking_number\"", "\"NUMBER\"", "1"})
    void anUnknownScope(String value) {
      assertContains(only(with("\"duplicate\": {\"scope\": " + value + ", \"period_sec\": 86400}"),
          "/duplicate/scope"), "must be \"number\" or \"advertiser\"; got ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"59", "0", "-60", "31536001", "86400.5", "\"1d\""})
    void aPeriodOutOfRange(String value) {
      assertContains(only(with("\"duplicate\": {\"scope\": \"number\", \"period_sec\": " + value + "}"),
          "/duplicate/period_sec"), "must be a whole number from 60 to 31536000");
    }

    @Test
    void countWithheldIsABoolean() {
      assertContains(only(with("\"duplicate\": {\"scope\": \"number\", \"period_sec\": 86400, \"count_withheld\": "
          + "\"yes\"}"), "/duplicate/count_withheld"), "must be true or false; got the string \"yes\"");
    }

    @Test
    void earlierCallsIsConnectedOrValid() {
      assertContains(only(with("\"duplicate\": {\"scope\": \"number\", \"period_sec\": 86400, \"earlier_calls\": "
          + "\"all\"}"), "/duplicate/earlier_calls"), "must be \"connected\" or \"valid\"; got the string \"all\"");
    }

    @Test
    void ivrMatchIsLastOrAny() {
      assertContains(only(with("\"ivr_match\": \"first\""), "/ivr_match"), "must be \"last\" or \"any\"");
    }

    @Test
    void ivrMustBeAnArrayOfObjects() {
      assertContains(only(with("\"ivr\": {\"1\": true}"), "/ivr"), "must be an array of rules");
      assertContains(only(with("\"ivr\": [\"1\"]"), "/ivr/0"), "must be an object");
    }

    @Test
    void tooManyIvrRules() {
      StringBuilder rules = new StringBuilder();
      for (int i = 0; i <= JudgmentRulesParser.MAX_IVR_RULES; i++) {
        rules.append(i == 0 ? "" : ", ").append("{\"digits\": \"").append(i).append("\"}");
      }
      assertContains(only(with("\"ivr\": [" + rules + "]"), "/ivr"), "has 31 rules; at most 30 are allowed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"\"", "\"1a\"", "\"12345678901234567\"", "1", "[\"1\"]", "\"1,2\""})
    void ivrDigitsMustBeOneMenuInput(String value) {
      assertContains(only(with("\"ivr\": [{\"digits\": " + value + "}]"), "/ivr/0/digits"),
          "must be 1-16 of 0-9 * #");
    }

    @Test
    void ivrDigitsAreRequiredAndUnique() {
      assertContains(only(with("\"ivr\": [{\"valid\": false}]"), "/ivr/0/digits"), "is required");
      assertContains(only(with("\"ivr\": [{\"digits\": \"1\"}, {\"digits\": \"2\"}, {\"digits\": \"1\", "
          + "\"valid\": false}]"), "/ivr/2/digits"), "digits 1 already have a rule at /ivr/0");
    }

    @Test
    void ivrThresholdAndValidity() {
      assertContains(only(with("\"ivr\": [{\"digits\": \"1\", \"min_talk_sec\": 86401}]"), "/ivr/0/min_talk_sec"),
          "must be a whole number from 0 to 86400");
      assertContains(only(with("\"ivr\": [{\"digits\": \"1\", \"valid\": \"no\"}]"), "/ivr/0/valid"),
          "must be true or false");
      assertContains(only(with("\"ivr\": [{\"digits\": \"9\", \"valid\": false, \"min_talk_sec\": 10}]"),
          "/ivr/0/min_talk_sec"), "must be left out when valid is false");
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "\"rate\"", "[]"})
    void postCallButtonMustBeAnObject(String value) {
      assertContains(only(with("\"post_call_button\": " + value), "/post_call_button"), "must be an object");
    }

    @Test
    void postCallButtonNeedsAPromptAndValidKeys() {
      List<FlowViolation> v = violations(with("\"post_call_button\": {}"));
      assertEquals(List.of("/post_call_button/prompt", "/post_call_button/valid_digits"),
          v.stream().map(FlowViolation::pointer).toList(), v.toString());
      assertContains(v.get(0).message(), "is required: the name of the prompt");
      assertContains(v.get(1).message(), "is required: the keys that mean valid");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"\"", "\"rate call\"", "5", "\"ppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp\""})
    void aBadPromptName(String value) {
      assertContains(only(with("\"post_call_button\": {\"prompt\": " + value + ", \"valid_digits\": [\"1\"]}"),
          "/post_call_button/prompt"), "must be a prompt name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "61", "-1", "2.5"})
    void aButtonTimeoutOutOfRange(String value) {
      assertContains(only(with("\"post_call_button\": {\"prompt\": \"p\", \"timeout_sec\": " + value
          + ", \"valid_digits\": [\"1\"]}"), "/post_call_button/timeout_sec"),
          "must be a whole number from 1 to 60 (seconds to wait for the key)");
    }

    @Test
    void buttonKeys() {
      String base = "\"post_call_button\": {\"prompt\": \"p\", ";
      assertContains(only(with(base + "\"valid_digits\": []}"), "/post_call_button/valid_digits"),
          "must hold at least one key");
      assertContains(only(with(base + "\"valid_digits\": \"1\"}"), "/post_call_button/valid_digits"),
          "must be an array of single keys");
      assertContains(only(with(base + "\"valid_digits\": [\"1\"], \"invalid_digits\": \"2\"}"),
          "/post_call_button/invalid_digits"), "must be an array of single keys");
      assertContains(only(with(base + "\"valid_digits\": [\"12\"]}"), "/post_call_button/valid_digits/0"),
          "must be one key of 0-9 * #");
      assertContains(only(with(base + "\"valid_digits\": [1]}"), "/post_call_button/valid_digits/0"),
          "must be one key of 0-9 * #, e.g. \"1\"; got the number 1");
      assertContains(only(with(base + "\"valid_digits\": [\"1\", \"1\"]}"), "/post_call_button/valid_digits/1"),
          "key 1 is listed twice");
      assertContains(only(with(base + "\"valid_digits\": [\"1\"], \"invalid_digits\": [\"2\", \"1\"]}"),
          "/post_call_button/invalid_digits/1"), "key 1 is also in valid_digits");
      assertEquals(List.of(), JudgmentRulesParser.parse(with(base + "\"valid_digits\": [\"1\"], \"invalid_digits\": "
          + "[]}")).postCallButton().invalidDigits());
    }

    @Test
    void everyProblemIsReportedAtOnceInDocumentOrder() {
      JudgmentRulesException e = assertThrows(JudgmentRulesException.class, () -> JudgmentRulesParser.parse("""
          {"min_talk_sec": -5,
           "duplicate": {"scope": "caller", "period_sec": 10},
           "ivr_match": "all",
           "ivr": [{"digits": "x"}, {"digits": "9", "valid": false, "min_talk_sec": 3}],
           "post_call_button": {"timeout_sec": 0, "valid_digits": ["1"], "invalid_digits": ["1"]},
           "extra": 1}"""));
      assertEquals(List.of("/extra", "/min_talk_sec", "/duplicate/scope", "/duplicate/period_sec", "/ivr_match",
          "/ivr/0/digits", "/ivr/1/min_talk_sec", "/post_call_button/prompt", "/post_call_button/timeout_sec",
          "/post_call_button/invalid_digits/0"),
          e.violations().stream().map(FlowViolation::pointer).toList(), e.violations().toString());
      assertTrue(e.getMessage().startsWith("the judgment rules have 10 problems: /extra: unknown field"),
          e.getMessage());
    }

    @Test
    void oneProblemIsSingular() {
      assertTrue(assertThrows(JudgmentRulesException.class, () -> JudgmentRulesParser.parse("{}")).getMessage()
          .startsWith("the judgment rules have 1 problem: /min_talk_sec: is required"));
    }
  }
}
