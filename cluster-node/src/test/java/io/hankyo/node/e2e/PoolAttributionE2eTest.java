package io.hankyo.node.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.sip.testing.SippProcess;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end (issue 5, attribution and intermediate bindings) with real sipp calls into a real node: numbers imported
 * into the inventory make a pool whose {@code tracking_number} is a static tracking number; a visitor session is
 * assigned a pool number with gclid / utm_source / landing_page; a sipp call to that pool number is forwarded like a
 * call to the tracking number and logged with the dialled pool number as {@code din_id} and the session's parameters
 * in {@code logvars.*}. A pool with {@code hold_sec} 1 after the hold is over gives {@code unattributed} with the
 * last holder; the pools' fallback number cannot be bound (409), a binding of another tracking number gives {@code
 * attribution = binding}, and not once that number was deleted and created again. The tracking number of live
 * pools cannot be deleted (409); after the pool is deleted, a call to its cooling-down number still reaches the
 * tracking number, unattributed with the last holder noted.
 */
class PoolAttributionE2eTest {
  private static SippE2e e2e;

  @BeforeAll
  static void startNode() throws Exception {
    e2e = SippE2e.start("attribution", "adv-at", "流入元広告主", Duration.ofSeconds(40));
  }

  @AfterAll
  static void stopNode() {
    if (e2e != null) {
      e2e.close();
    }
  }

  private static JsonNode oneRow(String dialled) throws Exception {
    List<JsonNode> rows = e2e.records(dialled, 1, Duration.ofSeconds(15));
    assertEquals(1, rows.size(), rows.toString());
    return rows.get(0);
  }

  private static void call(String dialled, String label) throws Exception {
    try (SippProcess uas = e2e.uas("uas.xml", 1, Duration.ZERO, label + "-uas");
        SippProcess uac = e2e.uac("uac.xml", dialled, "09011112222", Duration.ofSeconds(1), label + "-uac")) {
      e2e.assertExit0(uac);
      e2e.assertExit0(uas);
    }
  }

  @Test
  void callsToPoolNumbersAndBoundNumbersAreAttributed() throws Exception {
    ApiClient api = e2e.api();
    ApiClient.Response tracking = api.post("/v1/advertisers/adv-at/numbers",
        "{\"dialin_id\":\"top\",\"number\":\"0120610101\",\"forward_to\":\"03-9999-0000\"}");
    assertEquals(201, tracking.status(), tracking.body());
    ApiClient.Response imported = api.post("/v1/inventory",
        "{\"numbers\": [\"0120-610-001\", \"0120-610-002\", \"0120-610-003\"]}");
    assertEquals(3, imported.json().get("imported").asInt(), imported.body());

    ApiClient.Response notTracking = api.post("/v1/pools", "{\"method\": \"dynamic\", \"numbers\": [\"0120-610-001\"],"
        + " \"hold_sec\": 1800, \"fallback_number\": \"0120-610-101\", \"tracking_number\": \"0120-610-999\"}");
    assertEquals(404, notTracking.status(), notTracking.body());
    ApiClient.Response created = api.post("/v1/pools", "{\"method\": \"dynamic\", \"numbers\": [\"0120-610-001\","
        + " \"0120-610-002\"], \"hold_sec\": 1800, \"fallback_number\": \"0120-610-101\","
        + " \"tracking_number\": \"0120-610-101\"}");
    assertEquals(201, created.status(), created.body());
    String poolId = created.json().get("pool_id").asText();
    assertEquals("+81120610101", created.json().get("tracking_number_e164").asText(), created.body());
    ApiClient.Response assigned = api.post("/v1/pools/" + poolId + "/assignments", "{\"session_id\": \"s-1\","
        + " \"params\": {\"gclid\": \"g-1\", \"utm_source\": \"google\", \"landing_page\": \"https://shop.example/lp\"}}");
    assertEquals(200, assigned.status(), assigned.body());
    String number = assigned.json().get("number_e164").asText().replace("+81", "0");

    // a call to the held pool number: the tracking number's route, the pool number as din, the session's params
    call(number, "held");
    JsonNode held = oneRow(number);
    assertEquals("adv-at", held.get("client_id").asText(), held.toString());
    assertEquals("top", held.get("dialin_id").asText());
    assertEquals("正常通話", held.get("dial_stat").asText(), held.toString());
    assertEquals("pool", held.get("logvars.attribution").asText(), held.toString());
    assertEquals(poolId, held.get("logvars.pool_id").asText());
    assertEquals("s-1", held.get("logvars.session_id").asText());
    assertEquals("g-1", held.get("logvars.gclid").asText());
    assertEquals("google", held.get("logvars.utm_source").asText());
    assertEquals("https://shop.example/lp", held.get("logvars.landing_page").asText());

    // a pool whose one-second hold is over: unattributed, the last holder noted, never its params
    ApiClient.Response shortPool = api.post("/v1/pools", "{\"method\": \"one_time\", \"numbers\": [\"0120-610-003\"],"
        + " \"hold_sec\": 1, \"fallback_number\": \"0120-610-101\", \"tracking_number\": \"0120-610-101\"}");
    assertEquals(201, shortPool.status(), shortPool.body());
    ApiClient.Response brief = api.post("/v1/pools/" + shortPool.json().get("pool_id").asText() + "/assignments",
        "{\"session_id\": \"s-2\", \"params\": {\"gclid\": \"g-2\"}}");
    assertEquals("0120-610-003", brief.json().get("number").asText(), brief.body());
    // the API shows held_until truncated to the second: the hold really ends within the second after it
    Instant heldUntil = OffsetDateTime.parse(brief.json().get("held_until").asText()).toInstant().plusSeconds(1);
    while (!Instant.now().isAfter(heldUntil)) {
      Thread.sleep(50);
    }
    call("0120610003", "expired");
    JsonNode expired = oneRow("0120610003");
    assertEquals("unattributed", expired.get("logvars.attribution").asText(), expired.toString());
    assertEquals("s-2", expired.get("logvars.last_session_id").asText());
    assertEquals(brief.json().get("held_until").asText(), expired.get("logvars.last_held_until").asText());
    assertFalse(expired.toString().contains("g-2"), expired.toString());

    // the fallback number of live pools is not bound (409 naming them): every visitor who finds a pool exhausted is
    // shown it, so its calls would all be credited to one visit
    ApiClient.Response onFallback = api.post("/v1/bindings", "{\"number\": \"0120-610-101\", \"session_id\":"
        + " \"s-3\", \"params\": {\"gclid\": \"g-3\"}, \"hold_sec\": 3600}");
    assertEquals(409, onFallback.status(), onFallback.body());
    assertTrue(onFallback.body().contains("fallback_number") && onFallback.body().contains(poolId)
        && onFallback.body().contains(shortPool.json().get("pool_id").asText()), onFallback.body());
    assertEquals(0, api.get("/v1/bindings?number=0120-610-101").json().get("bindings").size());

    // an intermediate binding of another tracking number of the advertiser
    ApiClient.Response side = api.post("/v1/advertisers/adv-at/numbers",
        "{\"dialin_id\":\"side\",\"number\":\"0120610102\",\"forward_to\":\"03-9999-0000\"}");
    assertEquals(201, side.status(), side.body());
    ApiClient.Response bound = api.post("/v1/bindings", "{\"number\": \"0120-610-102\", \"session_id\": \"s-3\","
        + " \"params\": {\"gclid\": \"g-3\", \"member_id\": \"m-3\"}, \"hold_sec\": 3600}");
    assertEquals(201, bound.status(), bound.body());
    assertEquals(1, api.get("/v1/bindings?number=0120-610-102").json().get("bindings").size());
    call("0120610102", "bound");
    JsonNode viaBinding = oneRow("0120610102");
    assertEquals("binding", viaBinding.get("logvars.attribution").asText(), viaBinding.toString());
    assertEquals(bound.json().get("binding_id").asText(), viaBinding.get("logvars.binding_id").asText());
    assertEquals("s-3", viaBinding.get("logvars.session_id").asText());
    assertEquals("g-3", viaBinding.get("logvars.gclid").asText());
    assertEquals("m-3", viaBinding.get("logvars.member_id").asText());
    assertTrue(viaBinding.get("din_id").asText().replace("-", "").contains("0120610102"), viaBinding.toString());

    // the number deleted and created again (a new record): the earlier record's binding is neither listed nor
    // credited with its calls
    assertEquals(204, api.delete("/v1/advertisers/adv-at/numbers/side").status());
    ApiClient.Response again = api.post("/v1/advertisers/adv-at/numbers",
        "{\"dialin_id\":\"side-2\",\"number\":\"0120610102\",\"forward_to\":\"03-9999-0000\"}");
    assertEquals(201, again.status(), again.body());
    assertEquals(0, api.get("/v1/bindings?number=0120-610-102").json().get("bindings").size());
    call("0120610102", "recreated");
    List<JsonNode> sideRows = e2e.records("0120610102", 2, Duration.ofSeconds(15));
    assertEquals(2, sideRows.size(), sideRows.toString());
    JsonNode recreated = sideRows.stream().filter(r -> "side-2".equals(r.path("dialin_id").asText())).findFirst()
        .orElseThrow(() -> new AssertionError(sideRows.toString()));
    assertFalse(recreated.has("logvars.attribution"), recreated.toString());
    assertFalse(recreated.toString().contains("g-3"), recreated.toString());

    // the tracking (and fallback) number of live pools is not deleted, nor its advertiser
    ApiClient.Response refused = api.delete("/v1/advertisers/adv-at/numbers/top");
    assertEquals(409, refused.status(), refused.body());
    assertTrue(refused.body().contains(poolId), refused.body());
    assertEquals(409, api.delete("/v1/advertisers/adv-at").status());

    // the pool is deleted: its handed-out number cools down, and a call to it still reaches the tracking number,
    // unattributed with the last holder noted (not lost)
    assertEquals(204, api.delete("/v1/pools/" + poolId).status());
    call(number, "deleted");
    List<JsonNode> rows = e2e.records(number, 2, Duration.ofSeconds(15));
    assertEquals(2, rows.size(), rows.toString());
    JsonNode afterDelete = rows.stream().filter(r -> "unattributed".equals(r.path("logvars.attribution").asText()))
        .findFirst().orElseThrow(() -> new AssertionError(rows.toString()));
    assertEquals("adv-at", afterDelete.get("client_id").asText(), afterDelete.toString());
    assertEquals("top", afterDelete.get("dialin_id").asText());
    assertEquals("正常通話", afterDelete.get("dial_stat").asText(), afterDelete.toString());
    assertEquals(poolId, afterDelete.get("logvars.pool_id").asText());
    assertEquals("s-1", afterDelete.get("logvars.last_session_id").asText());
    assertFalse(afterDelete.toString().contains("g-1"), afterDelete.toString());
  }
}
