package io.hankyo.protocol.judgment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hankyo.protocol.JsonSerializable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Rules and judgments are stored as Jackson JSON in journal events and must read back equal. */
class JudgmentJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theRulesRoundTripAndTheirJsonIsTheDocumentShape() throws Exception {
    JudgmentRules rules = JudgmentRulesParser.parse(JudgmentRulesParserTest.EXAMPLE);
    String json = JSON.writeValueAsString(rules);
    assertEquals(rules, JSON.readValue(json, JudgmentRules.class));
    assertEquals(rules, JudgmentRulesParser.parse(json), json);
    assertEquals("{\"min_talk_sec\":30,\"duplicate\":{\"scope\":\"advertiser\",\"period_sec\":604800,"
        + "\"count_withheld\":true,\"earlier_calls\":\"valid\"},\"ivr_match\":\"any\",\"ivr\":[{\"digits\":\"1\","
        + "\"min_talk_sec\":60,\"valid\":true},{\"digits\":\"9\",\"valid\":false},{\"digits\":\"#12\",\"valid\":true}],"
        + "\"post_call_button\":{\"prompt\":\"rate-call\",\"timeout_sec\":15,\"valid_digits\":[\"1\"],"
        + "\"invalid_digits\":[\"2\",\"*\"]}}", json);
    assertTrue(rules instanceof JsonSerializable);
  }

  @Test
  void theSmallestRulesWriteWithoutAbsentParts() throws Exception {
    JudgmentRules rules = JudgmentRules.threshold(30);
    String json = JSON.writeValueAsString(rules);
    assertEquals("{\"min_talk_sec\":30,\"ivr_match\":\"last\",\"ivr\":[]}", json);
    assertEquals(rules, JSON.readValue(json, JudgmentRules.class));
    assertEquals(rules, JudgmentRulesParser.parse(json));
  }

  @Test
  void rulesStoredBeforeOptionalFieldsExistedReadWithTheDefaults() throws Exception {
    JudgmentRules old = JSON.readValue("{\"min_talk_sec\":30,\"duplicate\":{\"scope\":\"number\","
        + "\"period_sec\":86400}}", JudgmentRules.class);
    assertEquals(JudgmentRules.EarlierCalls.CONNECTED, old.duplicate().earlierCalls());
    assertFalse(old.duplicate().countWithheld());
    assertEquals(JudgmentRules.IvrMatch.LAST, old.ivrMatch());
    assertEquals(0, old.ivr().size());
    JudgmentRules.IvrRule rule = JSON.readValue("{\"digits\":\"1\"}", JudgmentRules.IvrRule.class);
    assertEquals(new JudgmentRules.IvrRule("1", null, true), rule);
    assertTrue(rule.valid());
  }

  @Test
  void aJudgmentRoundTrips() throws Exception {
    Judgment j = new Judgment(Verdict.INVALID_DUPLICATE, "the same caller called this number 60 s earlier",
        "/duplicate", "0123456789abcdef01234567");
    String json = JSON.writeValueAsString(j);
    assertEquals("{\"verdict\":\"invalid_duplicate\",\"reason\":\"the same caller called this number 60 s earlier\","
        + "\"rule\":\"/duplicate\",\"earlier_trn_id\":\"0123456789abcdef01234567\"}", json);
    assertEquals(j, JSON.readValue(json, Judgment.class));
  }

  @ParameterizedTest
  @EnumSource(Verdict.class)
  void everyVerdictWritesItsCodeAndReadsBack(Verdict v) throws Exception {
    assertEquals("\"" + v.code() + "\"", JSON.writeValueAsString(v));
    assertEquals(v, JSON.readValue("\"" + v.code() + "\"", Verdict.class));
    assertEquals(v, Verdict.ofCode(v.code()));
  }

  @Test
  void theLabelsAreTheSpecs() {
    assertEquals("有効", Verdict.VALID.validRes());
    assertEquals("無効(重複)", Verdict.INVALID_DUPLICATE.validRes());
    assertEquals("無効(未満)", Verdict.INVALID_SHORT.validRes());
    assertEquals("無効(IVR)", Verdict.INVALID_IVR.validRes());
    assertEquals("無効(ボタン)", Verdict.INVALID_BUTTON.validRes());
    assertNull(Verdict.NONE.validRes());
    assertTrue(Verdict.VALID.isValid());
    assertFalse(Verdict.INVALID_SHORT.isValid());
    assertThrows(IllegalArgumentException.class, () -> Verdict.ofCode("ok"));
  }
}
