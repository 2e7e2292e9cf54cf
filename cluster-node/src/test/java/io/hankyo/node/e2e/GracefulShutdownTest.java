package io.hankyo.node.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.node.HankyoNode;
import io.hankyo.sip.testing.Sipp;
import io.hankyo.sip.testing.SippProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A node shut down while a call is in progress lets the call finish (SIP stops taking new calls, the live call
 * drains for longer than Pekko's default 5 s phase timeout), records it, and only then leaves the cluster: after a
 * restart the call is in the call log.
 */
class GracefulShutdownTest {

  @Test
  void aCallInProgressDuringShutdownFinishesAndIsLogged() throws Exception {
    String ks = TestNode.keyspaces("drain");
    int uasPort = FreePorts.udpAndTcp(26000, 26999);
    Path traces = Files.createDirectories(Path.of(System.getProperty("hankyo.test.workdir", "target/test-work"))
        .resolve("sipp-drain"));
    TestNode.Spec spec = TestNode.Spec.single(ks, uasPort, null);
    HankyoNode node = TestNode.start(spec);
    ApiClient api = new ApiClient(node.httpAddress(), TestNode.API_KEY);
    assertEquals(201, api.post("/v1/advertisers", "{\"client_id\":\"d\",\"client_name\":\"drain\"}").status());
    assertEquals(201, api.post("/v1/advertisers/d/numbers",
        "{\"number\":\"0120-777-001\",\"forward_to\":\"03-9999-0000\"}").status());

    assertEquals(200, readyStatus(spec.managementPort()), "GET /ready once HTTP and SIP serve");

    CompletableFuture<Void> shutdown;
    try (SippProcess uas = Sipp.scenario("uas.xml").localPort(uasPort).calls(1).pause(Duration.ZERO)
            .traceDir(traces).label("drain-uas").timeout(Duration.ofSeconds(40)).start()) {
      uas.awaitListening(Duration.ofSeconds(10));
      try (SippProcess uac = Sipp.scenario("uac.xml").localPort(FreePorts.udpAndTcp(27000, 27999))
          .remote("127.0.0.1:" + spec.sipPort()).service("0120777001").key("caller", "0312340099").calls(1)
          .pause(Duration.ofSeconds(8)).traceDir(traces).label("drain-uac").timeout(Duration.ofSeconds(40))
          .start()) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (node.sip().liveCalls() == 0 && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertEquals(1, node.sip().liveCalls(), "the call is up before the shutdown starts");
        Thread.sleep(1_000);
        shutdown = CompletableFuture.runAsync(node::close);
        // while the call drains, the node no longer says it is ready (503, or the port already closed)
        long readyDeadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        int ready = 200;
        while (ready == 200 && System.nanoTime() < readyDeadline) {
          Thread.sleep(50);
          ready = readyStatus(spec.managementPort());
        }
        assertNotEquals(200, ready, "GET /ready while draining");
        assertEquals(1, node.sip().liveCalls(), "the call was still up when /ready turned");
        assertEquals(0, uac.waitFor(Duration.ofSeconds(30)), "the caller talked to the end: " + uac.describe());
        assertEquals(0, uas.waitFor(Duration.ofSeconds(30)), uas.describe());
      }
    }
    shutdown.get();

    try (HankyoNode again = TestNode.start(TestNode.Spec.single(ks, uasPort, null))) {
      ApiClient api2 = new ApiClient(again.httpAddress(), TestNode.API_KEY);
      JsonNode calls = api2.get("/v1/calls?format=json&din_id=0120777").json().get("calls");
      assertEquals(1, calls.size(), calls.toString());
      JsonNode r = calls.get(0);
      assertEquals("正常通話", r.get("dial_stat").asText());
      assertEquals("発信者", r.get("hup_usr").asText());
      assertFalse(r.get("eoc_tms").isNull());
    }
  }

  /** The status of GET /ready on the management port, or -1 when nothing listens there. */
  static int readyStatus(int managementPort) throws InterruptedException {
    try {
      return java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + managementPort + "/ready"))
              .timeout(Duration.ofSeconds(2)).build(),
          java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (java.io.IOException e) {
      return -1;
    }
  }
}
