package io.hankyo.node.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.node.PrivacyConfig;
import io.hankyo.node.callback.CallbackNumbers;
import io.hankyo.node.callback.LeaseResult;
import io.hankyo.node.callback.ShardedCallbackNumbers;
import io.hankyo.node.directory.DirectoryBootstrap;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import io.hankyo.sip.testing.SippProcess;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end (issue 4, callback tracking): a pool configured over HTTP, a number leased for a missed call through the
 * node's {@link CallbackNumbers} (what the notification does), then a real sipp call to the callback number is
 * forwarded to the missed call's caller (the sipp UAS on the node's outbound route stands in for the caller's phone)
 * and logged with {@code logvars.callback_of}; a pool number without a lease is answered 404 like an unknown number.
 */
class CallbackTrackingE2eTest {
  private static SippE2e e2e;

  @BeforeAll
  static void startNode() throws Exception {
    e2e = SippE2e.start("callback", "adv-cb", "折返し広告主", Duration.ofSeconds(40));
  }

  @AfterAll
  static void stopNode() {
    if (e2e != null) {
      e2e.close();
    }
  }

  @Test
  void aCallToALeasedCallbackNumberReachesTheMissedCallsCaller() throws Exception {
    String leasedNumber = "05011112222";
    String freeNumber = "05011113333";
    ApiClient api = e2e.api();
    ApiClient.Response tracking = api.post("/v1/advertisers/adv-cb/numbers",
        "{\"dialin_id\":\"top\",\"number\":\"0120600101\",\"forward_to\":\"03-9999-0000\"}");
    assertEquals(201, tracking.status(), tracking.body());
    assertEquals(409, api.put("/v1/callback-pool", "{\"numbers\": [\"0120600101\"]}").status(),
        "a tracking number cannot be a callback number");
    ApiClient.Response pool = api.put("/v1/callback-pool",
        "{\"numbers\": [\"" + leasedNumber + "\", \"" + freeNumber + "\"], \"hold_sec\": 3600}");
    assertEquals(200, pool.status(), pool.body());

    // the missed call's notification leases a number (caller number encrypted as in the call log)
    CallerNumberCipher cipher = PrivacyConfig.cipher(
        e2e.node().system().settings().config().getConfig("hankyo.privacy"));
    CallbackNumbers callbacks = new ShardedCallbackNumbers(ClusterSharding.get(e2e.node().system()),
        Duration.ofSeconds(5), Clock.systemUTC());
    String missedTrnId = "0123456789abcdef0123cafe";
    LeaseResult result = callbacks.lease(DirectoryBootstrap.BOOTSTRAP_OPERATOR_ID, missedTrnId, "adv-cb", "top",
        cipher.encrypt("+81312345678")).toCompletableFuture().get(10, TimeUnit.SECONDS);
    LeaseResult.Leased leased = assertInstanceOf(LeaseResult.Leased.class, result);
    assertEquals("+815011112222", leased.number().e164());
    assertEquals(1, api.get("/v1/callback-pool").json().get("leased").asInt());

    // the advertiser calls the number back: the caller's phone (the UAS) rings and answers
    try (SippProcess uas = e2e.uas("uas.xml", 1, Duration.ZERO, "callback-uas");
        SippProcess uac = e2e.uac("uac.xml", leasedNumber, "0399990000", Duration.ofSeconds(2), "callback-uac")) {
      e2e.assertExit0(uac);
      e2e.assertExit0(uas);
    }
    List<JsonNode> rows = e2e.records(leasedNumber, 1, Duration.ofSeconds(10));
    assertEquals(1, rows.size(), rows.toString());
    JsonNode row = rows.get(0);
    assertEquals(missedTrnId, row.get("logvars.callback_of").asText(), row.toString());
    assertEquals("adv-cb", row.get("client_id").asText());
    assertEquals("top", row.get("dialin_id").asText());
    assertTrue(row.get("fwd_id").asText().replace("-", "").contains("0312345678"), row.toString());
    assertEquals("正常通話", row.get("dial_stat").asText(), row.toString());

    // a pool number without a lease is no route: 404, nothing forwarded, nothing logged
    long unknownBefore = e2e.node().callControl().unknownNumbers();
    try (SippProcess uac = e2e.uac("uac-unknown.xml", freeNumber, "0399990000", null, "free-uac")) {
      e2e.assertExit0(uac);
    }
    assertEquals(unknownBefore + 1, e2e.node().callControl().unknownNumbers());

    ApiClient.Response rate = api.get("/v1/advertisers/adv-cb/callbacks");
    assertEquals(200, rate.status(), rate.body());
    assertEquals(1, rate.json().get("callbacks").asInt(), rate.body());
  }
}
