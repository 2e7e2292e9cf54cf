package io.hankyo.node.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.sip.testing.SippProcess;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end (issue 4, valid-call judgment): real sipp calls to a node with the real Cassandra duplicate index; the
 * second call of the same caller within the duplicate period is 無効(重複), as the HTTP call log (JSON and CSV) shows.
 */
class CallJudgmentE2eTest {
  private static SippE2e e2e;

  @BeforeAll
  static void startNode() throws Exception {
    e2e = SippE2e.start("judge", "adv-judge", "判定広告主", Duration.ofSeconds(40));
  }

  @AfterAll
  static void stopNode() {
    if (e2e != null) {
      e2e.close();
    }
  }

  private static void call(String din, String caller, String label) throws Exception {
    try (SippProcess uas = e2e.uas("uas.xml", 1, Duration.ZERO, label + "-uas");
        SippProcess uac = e2e.uac("uac.xml", din, caller, Duration.ofSeconds(2), label + "-uac")) {
      e2e.assertExit0(uac);
      e2e.assertExit0(uas);
    }
  }

  @Test
  void theSecondCallOfTheSameCallerWithinThePeriodIsADuplicate() throws Exception {
    String din = "0120600001";
    ApiClient api = e2e.api();
    ApiClient.Response created = api.post("/v1/advertisers/adv-judge/numbers",
        "{\"dialin_id\":\"judged\",\"number\":\"" + din + "\",\"forward_to\":\"03-9999-0000\"}");
    assertEquals(201, created.status(), created.body());
    ApiClient.Response rules = api.put("/v1/advertisers/adv-judge/numbers/judged/judgment",
        "{\"min_talk_sec\": 1, \"duplicate\": {\"scope\": \"number\", \"period_sec\": 86400}}");
    assertEquals(200, rules.status(), rules.body());

    call(din, "0311117777", "first");
    assertEquals(1, e2e.records(din, 1, Duration.ofSeconds(5)).size());
    call(din, "0311117777", "second");
    List<JsonNode> rs = e2e.records(din, 2, Duration.ofSeconds(5)).stream()
        .sorted(Comparator.comparing(r -> r.get("din_tms").asText())).toList();
    assertEquals(2, rs.size(), rs.toString());
    assertEquals("有効", rs.get(0).get("logvars.valid_res").asText(), rs.get(0).toString());
    assertEquals("valid", rs.get(0).get("logvars.valid_code").asText());
    assertEquals("1", rs.get(0).get("logvars.judgment_version").asText());
    assertEquals("無効(重複)", rs.get(1).get("logvars.valid_res").asText(), rs.get(1).toString());
    assertEquals("invalid_duplicate", rs.get(1).get("logvars.valid_code").asText());
    assertTrue(rs.get(1).get("logvars.valid_reason").asText().contains(rs.get(0).get("trn_id").asText()),
        "the reason names the earlier call");

    ApiClient.Response csv = api.get("/v1/calls?format=csv&din_id=" + din);
    assertEquals(200, csv.status(), csv.body());
    assertTrue(csv.body().contains("有効") && csv.body().contains("無効(重複)"), csv.body());
  }
}
