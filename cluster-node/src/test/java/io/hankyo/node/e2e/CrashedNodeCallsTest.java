package io.hankyo.node.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import io.hankyo.node.HankyoNode;
import io.hankyo.node.testing.TestCassandra;
import io.hankyo.sip.testing.Sipp;
import io.hankyo.sip.testing.SippProcess;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call that is live when its node is killed with SIGKILL still gets its call-log record, once a node runs again on
 * the same keyspaces (spec: one record per call; before the open-call sweeper it never appeared).
 *
 * <p>Honest crash: the first node runs in its own JVM ({@code java io.hankyo.node.HankyoNode}, as in production) and
 * is killed with {@code Process.destroyForcibly()}, which is SIGKILL on Linux: no coordinated shutdown, no drain, no
 * sharding hand-off, the SIP stack gone without a BYE. Its only call is a relayed one: a sipp caller to a sipp
 * destination that answered and would talk for minutes. Then a node starts in this JVM on the same keyspaces and the
 * same cluster address (127.0.0.1, same port): the call's {@code CallArrived} holds the dead gateway's ref, which now
 * resolves to a local path with an old UID, i.e. to no actor. Nothing but the sweeper sends anything to that call's
 * entity; the tests check the record appears within a bounded time (sweeper min-age 5 s, interval 2 s here), ended
 * by the system ({@code hup_usr} システム): ステータス異 for a call whose destination was still ringing; an answered
 * call keeps 正常通話 ({@code CallOutcomes.status}: the forward succeeded).
 */
class CrashedNodeCallsTest {
  private static final ConfigRenderOptions CONCISE = ConfigRenderOptions.concise();
  private static final String SWEEP = "hankyo.calls.sweeper.min-age = 5s\nhankyo.calls.sweeper.interval = 2s\n";

  @Test
  void anAnsweredCallLiveWhenItsNodeWasKilledIsLoggedAfterARestart(@TempDir Path dir) throws Exception {
    JsonNode r = crashDuringACall(dir, "talk", "uas.xml", "0120555001", "");
    assertEquals("システム", r.get("hup_usr").asText(), r.toString());
    assertEquals("正常通話", r.get("dial_stat").asText(), "an answered call keeps 正常通話: " + r);
    assertTrue(r.get("talking_sec").asInt() > 0, r.toString());
  }

  @Test
  void aRingingCallLiveWhenItsNodeWasKilledIsLoggedAsStatusErrorAfterARestart(@TempDir Path dir) throws Exception {
    // the destination rings for ever and the ring timeout (2 min) is far away: only the sweeper can end the call
    JsonNode r = crashDuringACall(dir, "ring", "uas-ring-forever.xml", "0120555002",
        "hankyo.calls.ring-timeout = 2m\n");
    assertEquals("ステータス異", r.get("dial_stat").asText(), r.toString());
    assertEquals("システム", r.get("hup_usr").asText(), r.toString());
    assertEquals(0, r.get("talking_sec").asInt(), r.toString());
  }

  /**
   * Forks a node, places one call through it (sipp caller pausing 2 min once answered, sipp destination {@code
   * uasScenario}), kills the node with SIGKILL while the call is live, starts a node in this JVM on the same keyspaces
   * and cluster address, and returns the call's record once it is in the call log (at most 30 s after the restart).
   */
  private static JsonNode crashDuringACall(Path dir, String label, String uasScenario, String din, String extraHocon)
      throws Exception {
    TestCassandra.get();
    String ks = TestNode.keyspaces("crash" + label);
    int uasPort = FreePorts.udpAndTcp(26000, 26999);
    int clusterPort = FreePorts.tcp();
    TestNode.Spec first = new TestNode.Spec("node-1", FreePorts.tcp(), FreePorts.udpAndTcp(25060, 25999),
        clusterPort, FreePorts.tcp(), uasPort, ks, List.of(), SWEEP + extraHocon);
    Path traces = Files.createDirectories(Path.of(System.getProperty("hankyo.test.workdir", "target/test-work"))
        .resolve("sipp-crash-" + label));

    Process forked = fork(first, dir);
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    Thread reader = new Thread(() -> {
      try (InputStream in = forked.getInputStream()) {
        in.transferTo(output);
      } catch (Exception ignored) {
        // the process ended
      }
    });
    reader.start();
    try (SippProcess uas = Sipp.scenario(uasScenario).localPort(uasPort).calls(1).traceDir(traces)
            .label(label + "-uas").timeout(Duration.ofMinutes(3)).start()) {
      ApiClient api = new ApiClient("127.0.0.1:" + first.httpPort(), TestNode.API_KEY);
      awaitUp(forked, api, output);
      assertEquals(201, api.post("/v1/advertisers", "{\"client_id\":\"adv-crash\",\"client_name\":\"x\"}").status());
      assertEquals(201, api.post("/v1/advertisers/adv-crash/numbers",
          "{\"number\":\"" + din + "\",\"forward_to\":\"03-9999-0000\"}").status());
      uas.awaitListening(Duration.ofSeconds(10));
      try (SippProcess uac = Sipp.scenario("uac.xml").localPort(FreePorts.udpAndTcp(27000, 27999))
          .remote("127.0.0.1:" + first.sipPort()).service(din).key("caller", "0311112222").calls(1)
          .pause(Duration.ofMinutes(2)).traceDir(traces).label(label + "-uac").timeout(Duration.ofMinutes(3))
          .start()) {
        awaitLiveCall(first.managementPort());
        Thread.sleep(2_000); // answered or ringing by now, and the arrival persisted
        forked.destroyForcibly(); // SIGKILL
        assertTrue(forked.waitFor(30, TimeUnit.SECONDS), "the node is dead");
        assertEquals(137, forked.exitValue(), "killed by SIGKILL");
        reader.join(5_000);

        TestNode.Spec second = new TestNode.Spec("node-1", FreePorts.tcp(), FreePorts.udpAndTcp(25060, 25999),
            clusterPort, FreePorts.tcp(), uasPort, ks, List.of(), SWEEP + extraHocon);
        try (HankyoNode node = TestNode.start(second)) {
          long up = System.nanoTime();
          ApiClient api2 = new ApiClient(node.httpAddress(), TestNode.API_KEY);
          List<JsonNode> records = records(api2, din, Duration.ofSeconds(60));
          long tookSec = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - up);
          assertEquals(1, records.size(), "one record for the call live at the crash: " + records);
          assertTrue(tookSec <= 30, "logged " + tookSec + " s after the restart");
          return records.get(0);
        }
      }
    } finally {
      forked.destroyForcibly();
    }
  }

  /** The node of {@code spec} in its own JVM, configured exactly as {@link TestNode#config} would. */
  private static Process fork(TestNode.Spec spec, Path dir) throws Exception {
    Config c = TestNode.config(spec);
    String hocon = String.join("\n",
        "hankyo " + c.getConfig("hankyo").root().render(CONCISE),
        "pekko " + c.getConfig("pekko").root().render(CONCISE),
        "datastax-java-driver " + c.getConfig("datastax-java-driver").root().render(CONCISE));
    Path conf = dir.resolve("node.conf");
    Files.writeString(conf, hocon);
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return new ProcessBuilder(List.of(java.toString(), "-Xmx384m", "-Dconfig.file=" + conf, "-cp",
        System.getProperty("java.class.path"), "io.hankyo.node.HankyoNode"))
        .redirectErrorStream(true)
        .start();
  }

  private static void awaitUp(Process node, ApiClient api, ByteArrayOutputStream output) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      assertTrue(node.isAlive(), "the forked node died: " + output.toString(StandardCharsets.UTF_8));
      if (output.toString(StandardCharsets.UTF_8).contains("Hankyo node is up")) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the forked node did not start: " + output.toString(StandardCharsets.UTF_8));
  }

  /** Waits until the node's gateway holds a call ({@code hankyo_sip_live_calls} on /metrics). */
  private static void awaitLiveCall(int managementPort) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    String body = "";
    while (System.nanoTime() < deadline) {
      body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      if (body.lines().anyMatch(l -> l.startsWith("hankyo_sip_live_calls") && l.trim().endsWith(" 1.0"))) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no live call: " + body);
  }

  private static List<JsonNode> records(ApiClient api, String din, Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    List<JsonNode> out = new ArrayList<>();
    while (true) {
      ApiClient.Response r = api.get("/v1/calls?format=json&din_id=" + din);
      assertEquals(200, r.status(), r.body());
      out.clear();
      r.json().get("calls").forEach(out::add);
      if (!out.isEmpty() || System.nanoTime() > deadline) {
        return out;
      }
      Thread.sleep(200);
    }
  }
}
