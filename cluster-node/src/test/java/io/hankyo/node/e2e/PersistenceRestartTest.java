package io.hankyo.node.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.node.HankyoNode;
import org.junit.jupiter.api.Test;

/**
 * Integration against the real embedded Cassandra: the directory created over HTTP survives a full node restart
 * (entities recover from the journal).
 */
class PersistenceRestartTest {

  @Test
  void advertisersAndNumbersSurviveANodeRestart() {
    String ks = TestNode.keyspaces("restart");
    TestNode.Spec first = TestNode.Spec.single(ks, 5999, null);
    String dialinId;
    try (HankyoNode node = TestNode.start(first)) {
      ApiClient api = new ApiClient(node.httpAddress(), TestNode.API_KEY);
      ApiClient.Response adv = api.post("/v1/advertisers", "{\"client_id\":\"shop-1\",\"client_name\":\"渋谷店\"}");
      assertEquals(201, adv.status(), adv.body());
      ApiClient.Response num = api.post("/v1/advertisers/shop-1/numbers",
          "{\"number\":\"0120-123-456\",\"name\":\"チラシ\",\"forward_to\":\"03-1111-2222\"}");
      assertEquals(201, num.status(), num.body());
      dialinId = num.json().get("dialin_id").asText();
    }

    TestNode.Spec second = TestNode.Spec.single(ks, 5999, null);
    try (HankyoNode node = TestNode.start(second)) {
      ApiClient api = new ApiClient(node.httpAddress(), TestNode.API_KEY);
      ApiClient.Response adv = api.get("/v1/advertisers/shop-1");
      assertEquals(200, adv.status(), adv.body());
      assertEquals("渋谷店", adv.json().get("client_name").asText());
      ApiClient.Response num = api.get("/v1/advertisers/shop-1/numbers/" + dialinId);
      assertEquals(200, num.status(), num.body());
      JsonNode n = num.json();
      assertEquals("0120-123-456", n.get("din_id").asText());
      assertEquals("03-1111-2222", n.get("fwd_id").asText());
      assertEquals("チラシ", n.get("dialin_name").asText());
      // the number still routes: creating it again for another advertiser is a conflict
      assertEquals(201, api.post("/v1/advertisers", "{\"client_id\":\"shop-2\",\"client_name\":\"x\"}").status());
      assertEquals(409, api.post("/v1/advertisers/shop-2/numbers",
          "{\"number\":\"0120123456\",\"forward_to\":\"03-1111-2222\"}").status());
    }
  }
}
