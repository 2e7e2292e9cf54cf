package io.hankyo.node.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.node.HankyoNode;
import io.hankyo.sip.testing.Sipp;
import io.hankyo.sip.testing.SippProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the sipp end-to-end tests share: one real node (real Cassandra) with one advertiser, sipp callers that dial
 * it from a free port, a sipp UAS on the node's forward route, and the call log read back over HTTP.
 *
 * @param spec the node's ports and keyspaces
 * @param node the running node
 * @param api an HTTP client with the bootstrap API key
 * @param traces where sipp writes its traces (target/test-work/{name})
 * @param sippTimeout how long one sipp process may run before it is killed
 */
record SippE2e(TestNode.Spec spec, HankyoNode node, ApiClient api, Path traces, Duration sippTimeout)
    implements AutoCloseable {

  /**
   * Starts a node with fresh keyspaces named after {@code name} and creates advertiser {@code clientId}.
   *
   * @param name a short label: keyspaces and the trace folder are named after it
   */
  static SippE2e start(String name, String clientId, String clientName, Duration sippTimeout) throws Exception {
    return start(name, clientId, clientName, sippTimeout, null);
  }

  /** As {@link #start(String, String, String, Duration)}, with settings ({@code extraHocon}) over the test node's. */
  static SippE2e start(String name, String clientId, String clientName, Duration sippTimeout, String extraHocon)
      throws Exception {
    int uasPort = FreePorts.udpAndTcp(26000, 26999);
    TestNode.Spec spec = TestNode.Spec.single(TestNode.keyspaces(name), uasPort, extraHocon);
    HankyoNode node = TestNode.start(spec);
    ApiClient api = new ApiClient(node.httpAddress(), TestNode.API_KEY);
    assertEquals(201, api.post("/v1/advertisers", "{\"client_id\":\"" + clientId + "\",\"client_name\":\""
        + clientName + "\"}").status());
    Path traces = Files.createDirectories(Path.of(System.getProperty("hankyo.test.workdir", "target/test-work"))
        .resolve("sipp-" + name));
    return new SippE2e(spec, node, api, traces, sippTimeout);
  }

  /**
   * A sipp UAS on the node's forward route, listening when this returns.
   *
   * @param keys {@code -key} pairs: name, value, name, value, ...
   */
  SippProcess uas(String scenario, int calls, Duration pause, String label, String... keys) throws Exception {
    Sipp.Builder b = Sipp.scenario(scenario).localPort(spec.uasPort()).calls(calls).traceDir(traces).label(label)
        .timeout(sippTimeout);
    if (pause != null) {
      b.pause(pause);
    }
    withKeys(b, keys);
    SippProcess p = b.start();
    p.awaitListening(Duration.ofSeconds(10));
    return p;
  }

  /**
   * A sipp caller (one call) dialling {@code dialled} from {@code caller}, started at once.
   *
   * @param keys {@code -key} pairs: name, value, name, value, ...
   */
  SippProcess uac(String scenario, String dialled, String caller, Duration pause, String label, String... keys)
      throws Exception {
    Sipp.Builder b = Sipp.scenario(scenario).localPort(FreePorts.udpAndTcp(27000, 27999))
        .remote("127.0.0.1:" + spec.sipPort()).service(dialled).key("caller", caller).calls(1).traceDir(traces)
        .label(label).timeout(sippTimeout);
    if (pause != null) {
      b.pause(pause);
    }
    withKeys(b, keys);
    return b.start();
  }

  private static void withKeys(Sipp.Builder b, String... keys) {
    for (int i = 0; i + 1 < keys.length; i += 2) {
      b.key(keys[i], keys[i + 1]);
    }
  }

  /** Waits for sipp to end (its timeout and 10 s more at most) and checks that it succeeded. */
  void assertExit0(SippProcess p) throws Exception {
    assertEquals(0, p.waitFor(sippTimeout.plusSeconds(10)), p.describe());
  }

  /**
   * The call-log records of a tracking number, polling until {@code expected} are there or {@code wait} passed.
   *
   * @return the records found (maybe fewer or more than expected: the caller checks)
   */
  List<JsonNode> records(String dialled, int expected, Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    List<JsonNode> out = new ArrayList<>();
    while (true) {
      ApiClient.Response r = api.get("/v1/calls?format=json&din_id=" + dialled);
      assertEquals(200, r.status(), r.body());
      out.clear();
      r.json().get("calls").forEach(out::add);
      if (out.size() >= expected || System.nanoTime() > deadline) {
        return out;
      }
      Thread.sleep(100);
    }
  }

  /** The node's meters in the Prometheus text format ({@code GET /metrics} on the management port). */
  String metrics() throws java.io.IOException {
    try (java.io.InputStream in = java.net.URI.create("http://127.0.0.1:" + spec.managementPort() + "/metrics")
        .toURL().openStream()) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    node.close();
  }
}
