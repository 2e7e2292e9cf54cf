package io.hankyo.node.e2e;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.hankyo.node.HankyoNode;
import io.hankyo.node.testing.TestCassandra;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Starts real Hankyo nodes in the test JVM against the shared test Cassandra, each set of nodes with its own
 * keyspaces so test classes do not see each other's data.
 */
final class TestNode {
  /** API key of the bootstrap operator in tests (HANKYO_BOOTSTRAP_API_KEY path). */
  static final String API_KEY = "test-bootstrap-api-key-0123456789";

  /** Ports and keyspaces of one node. */
  record Spec(String name, int httpPort, int sipPort, int clusterPort, int managementPort, int uasPort,
      String keyspacePrefix, List<Integer> seedClusterPorts, String extraHocon) {

    static Spec single(String keyspacePrefix, int uasPort, String extraHocon) {
      return new Spec("node-1", FreePorts.tcp(), FreePorts.udpAndTcp(25060, 25999), FreePorts.tcp(),
          FreePorts.tcp(), uasPort, keyspacePrefix, List.of(), extraHocon);
    }
  }

  private TestNode() {}

  /** A fresh keyspace prefix (journal, snapshot, read side and projection keyspaces derive from it). */
  static String keyspaces(String prefix) {
    return TestCassandra.uniqueKeyspace(prefix);
  }

  static Config config(Spec s) {
    String seeds = s.seedClusterPorts().stream()
        .map(p -> "\"pekko://hankyo@127.0.0.1:" + p + "\"")
        .collect(Collectors.joining(", ", "[", "]"));
    String hocon = String.join("\n",
        "hankyo.node-name = \"" + s.name() + "\"",
        "hankyo.cassandra.embedded.enabled = false",
        "hankyo.cassandra.read-side-keyspace = \"" + s.keyspacePrefix() + "_read\"",
        "hankyo.http.port = " + s.httpPort(),
        "hankyo.sip.udp-port = " + s.sipPort(),
        "hankyo.sip.tcp-port = " + s.sipPort(),
        "hankyo.sip.outbound-route = \"sip:{number}@127.0.0.1:" + s.uasPort() + "\"",
        "hankyo.bootstrap.api-key = \"" + API_KEY + "\"",
        "hankyo.calls.ring-timeout = 4s",
        "hankyo.notify.webhook-allow-private = on", // the tests' webhook receivers listen on 127.0.0.1
        "hankyo.recording.dir = \"" + Path.of(System.getProperty("hankyo.test.workdir", "target/test-work"))
            .resolve("recordings-" + s.keyspacePrefix()).toAbsolutePath().toString().replace("\\", "/") + "\"",
        "pekko.remote.artery.canonical.port = " + s.clusterPort(),
        "pekko.cluster.seed-nodes = " + seeds,
        "pekko.management.http.port = " + s.managementPort(),
        "pekko.coordinated-shutdown.exit-jvm = off",
        "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
        "pekko.cluster.split-brain-resolver.stable-after = 3s",
        "pekko.persistence.cassandra.query.refresh-interval = 500ms",
        "pekko.persistence.cassandra.events-by-tag.eventual-consistency-delay = 1s",
        "pekko.projection.cassandra.offset-store.keyspace = \"" + s.keyspacePrefix() + "_proj\"",
        s.extraHocon() == null ? "" : s.extraHocon());
    return ConfigFactory.parseString(hocon)
        .withFallback(TestCassandra.persistenceConfig(s.keyspacePrefix() + "_journal"))
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  static HankyoNode start(Spec s) {
    return HankyoNode.start(config(s));
  }
}
