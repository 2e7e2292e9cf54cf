package io.hankyo.node.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.node.HankyoNode;
import org.junit.jupiter.api.Test;

/**
 * Number pools (issue 5) through a real node's HTTP API and the real Cassandra journal: numbers imported into the
 * inventory make a pool, one session gets the same number twice, another session another number, the third session
 * the fallback (without {@code held_until}), and the pool shows its holders and counters; the month's displays
 * count every answer, and a deleted pool's numbers cool down (they were handed out) while its displays stay.
 */
class PoolApiNodeTest {

  @Test
  void aPoolOfImportedNumbersHandsOutNumbersPerSession() {
    TestNode.Spec spec = TestNode.Spec.single(TestNode.keyspaces("pools"), FreePorts.udpAndTcp(26000, 26999), null);
    try (HankyoNode node = TestNode.start(spec)) {
      ApiClient api = new ApiClient(node.httpAddress(), TestNode.API_KEY);
      assertEquals(201, api.post("/v1/advertisers", "{\"client_id\":\"adv-p\",\"client_name\":\"P\"}").status());
      ApiClient.Response tracking = api.post("/v1/advertisers/adv-p/numbers",
          "{\"dialin_id\":\"top\",\"number\":\"0120400101\",\"forward_to\":\"03-9999-0000\"}");
      assertEquals(201, tracking.status(), tracking.body());
      ApiClient.Response imported = api.post("/v1/inventory", "{\"numbers\": [\"0120-400-001\", \"0120-400-002\"]}");
      assertEquals(200, imported.status(), imported.body());
      assertEquals(2, imported.json().get("imported").asInt(), imported.body());
      String request = "{\"method\": \"dynamic\", \"numbers\": [\"0120-400-001\","
          + " \"0120-400-002\"], \"hold_sec\": 1800, \"cool_down_sec\": 60, \"fallback_number\": \"0120-400-999\","
          + " \"tracking_number\": \"0120-400-101\"}";
      ApiClient.Response noTracking = api.post("/v1/pools", request);
      assertEquals(409, noTracking.status(), "the fallback must be a static tracking number: " + noTracking.body());
      assertEquals(201, api.post("/v1/advertisers", "{\"client_id\":\"adv-pool\",\"client_name\":\"x\"}").status());
      assertEquals(201, api.post("/v1/advertisers/adv-pool/numbers",
          "{\"number\":\"0120-400-999\",\"forward_to\":\"03-9999-0000\"}").status());
      ApiClient.Response created = api.post("/v1/pools", request);
      assertEquals(201, created.status(), created.body());
      ApiClient.Response retried = api.post("/v1/pools", request);
      assertEquals(201, retried.status(), "the same request again answers the same pool: " + retried.body());
      assertEquals(created.json().get("pool_id").asText(), retried.json().get("pool_id").asText());
      JsonNode pooledRows = api.get("/v1/inventory?state=pooled").json().get("numbers");
      assertEquals(created.json().get("pool_id").asText(), pooledRows.get(0).get("pool_id").asText());
      String pool = "/v1/pools/" + created.json().get("pool_id").asText();
      assertEquals(2, api.get("/v1/inventory?state=pooled").json().get("numbers").size());

      ApiClient.Response first = api.post(pool + "/assignments",
          "{\"session_id\": \"s-1\", \"params\": {\"gclid\": \"g-1\", \"landing_page\": \"/lp\"}}");
      assertEquals(200, first.status(), first.body());
      ApiClient.Response again = api.post(pool + "/assignments", "{\"session_id\": \"s-1\"}");
      assertEquals(first.json().get("number").asText(), again.json().get("number").asText());
      ApiClient.Response other = api.post(pool + "/assignments", "{\"session_id\": \"s-2\"}");
      assertNotEquals(first.json().get("number").asText(), other.json().get("number").asText());
      ApiClient.Response fallback = api.post(pool + "/assignments", "{\"session_id\": \"s-3\"}");
      assertEquals("0120-400-999", fallback.json().get("number").asText(), fallback.body());
      assertEquals(true, fallback.json().get("fallback").asBoolean());
      assertEquals(true, fallback.json().get("held_until").isNull(), fallback.body());

      JsonNode p = api.get(pool).json();
      assertEquals(4, p.get("assignments").asInt());
      assertEquals(1, p.get("fallbacks").asInt());
      assertEquals(true, p.get("exhausted").asBoolean());
      assertEquals("s-1", p.get("numbers").get(0).get("session_id").asText());
      assertEquals(404, api.post("/v1/pools/pool-none/assignments", "{\"session_id\": \"s-1\"}").status());

      ApiClient.Response usage = api.get("/v1/usage/displays");
      assertEquals(200, usage.status(), usage.body());
      assertEquals(4, usage.json().get("displays").asInt(), usage.body());
      assertEquals(1, usage.json().get("fallbacks").asInt(), usage.body());
      assertEquals(10_000, usage.json().get("tier").get("to").asInt(), usage.body());
      ApiClient.Response sizing = api.get(pool + "/sizing?days=2");
      assertEquals(200, sizing.status(), sizing.body());
      assertEquals("grow", sizing.json().get("action").asText(), sizing.body());
      assertEquals(204, api.delete(pool).status());
      assertEquals(404, api.get(pool).status());
      assertEquals(404, api.post(pool + "/assignments", "{\"session_id\": \"s-4\"}").status());
      assertEquals(0, api.get("/v1/pools").json().get("pools").size());
      assertEquals(2, api.get("/v1/inventory?state=cooling_down").json().get("numbers").size(),
          "both numbers were handed out: they cool down (hankyo.inventory.cool-down)");
      assertEquals(4, api.get("/v1/usage/displays").json().get("displays").asInt());
    }
  }
}
