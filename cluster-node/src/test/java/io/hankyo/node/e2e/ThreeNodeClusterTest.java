package io.hankyo.node.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.node.HankyoNode;
import io.hankyo.sip.testing.Sipp;
import io.hankyo.sip.testing.SippProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three real nodes in one cluster (seed nodes from configuration, split-brain resolver, one shared Cassandra):
 * calls enter through each node's SIP port and all of them are forwarded and logged, wherever sharding placed the
 * tracking-number and call entities.
 */
class ThreeNodeClusterTest {
  private static final List<HankyoNode> nodes = new ArrayList<>();
  private static final List<TestNode.Spec> specs = new ArrayList<>();
  private static int uasPort;

  @BeforeAll
  static void startCluster() throws Exception {
    String ks = TestNode.keyspaces("cluster3");
    uasPort = FreePorts.udpAndTcp(26000, 26999);
    List<Integer> artery = List.of(FreePorts.tcp(), FreePorts.tcp(), FreePorts.tcp());
    for (int i = 0; i < 3; i++) {
      specs.add(new TestNode.Spec("node-" + (i + 1), FreePorts.tcp(), FreePorts.udpAndTcp(25060, 25999),
          artery.get(i), FreePorts.tcp(), uasPort, ks, artery, "hankyo.cluster.join-self-when-no-seeds = off"));
    }
    // The first seed starts first and forms the cluster; the others join it.
    for (TestNode.Spec s : specs) {
      nodes.add(TestNode.start(s));
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (upMembers() < 3) {
      assertTrue(System.nanoTime() < deadline, "3 members Up within 60 s, have " + upMembers());
      Thread.sleep(200);
    }
  }

  private static long upMembers() {
    return java.util.stream.StreamSupport.stream(
            Cluster.get(nodes.get(0).system()).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up())
        .count();
  }

  @AfterAll
  static void stopCluster() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
  }

  @Test
  void callsEnteringEveryNodeAreForwardedAndLogged() throws Exception {
    ApiClient api1 = new ApiClient(nodes.get(0).httpAddress(), TestNode.API_KEY);
    assertEquals(201, api1.post("/v1/advertisers", "{\"client_id\":\"c3\",\"client_name\":\"cluster\"}").status());
    ApiClient.Response n = api1.post("/v1/advertisers/c3/numbers",
        "{\"number\":\"050-1234-5678\",\"forward_to\":\"090-1234-5678\"}");
    assertEquals(201, n.status(), n.body());

    Path traces = Files.createDirectories(Path.of(System.getProperty("hankyo.test.workdir", "target/test-work"))
        .resolve("sipp-cluster"));
    try (SippProcess uas = Sipp.scenario("uas.xml").localPort(uasPort).calls(3).pause(Duration.ZERO)
        .traceDir(traces).label("cluster-uas").timeout(Duration.ofSeconds(60)).start()) {
      uas.awaitListening(Duration.ofSeconds(10));
      for (int i = 0; i < 3; i++) {
        try (SippProcess uac = Sipp.scenario("uac.xml").localPort(FreePorts.udpAndTcp(27000, 27999))
            .remote("127.0.0.1:" + specs.get(i).sipPort()).service("05012345678")
            .key("caller", "031234000" + i).calls(1).pause(Duration.ofMillis(300)).traceDir(traces)
            .label("cluster-uac-" + i).timeout(Duration.ofSeconds(30)).start()) {
          assertEquals(0, uac.waitFor(Duration.ofSeconds(35)), "call via node " + (i + 1) + ": " + uac.describe());
        }
      }
      assertEquals(0, uas.waitFor(Duration.ofSeconds(30)), uas.describe());
    }

    // Every node's API sees the same three records (one read side for the cluster).
    for (HankyoNode node : nodes) {
      ApiClient api = new ApiClient(node.httpAddress(), TestNode.API_KEY);
      List<JsonNode> calls = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      do {
        calls.clear();
        api.get("/v1/calls?format=json&din_id=050").json().get("calls").forEach(calls::add);
      } while (calls.size() < 3 && System.nanoTime() < deadline && sleep());
      assertEquals(3, calls.size(), calls.toString());
      Set<String> callers = new HashSet<>();
      Set<Long> seqs = new HashSet<>();
      for (JsonNode c : calls) {
        assertEquals("正常通話", c.get("dial_stat").asText());
        assertEquals("携帯・PHS", c.get("fwd_type").asText());
        callers.add(c.get("clr_id_cipher").asText());
        seqs.add(c.get("seq_num").asLong());
      }
      assertEquals(Set.of("03-1234-0000", "03-1234-0001", "03-1234-0002"), callers);
      assertEquals(3, seqs.size(), "seq_num never repeats");
    }
  }

  private static boolean sleep() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return true;
  }
}
