package io.hankyo.node.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigRenderOptions;
import io.hankyo.node.testing.TestCassandra;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node started as in production ({@code java io.hankyo.node.HankyoNode}, {@code coordinated-shutdown.exit-jvm =
 * on}) that cannot start says why and exits with status 1. It used to print nothing and exit 0: the failure made it
 * terminate the actor system, whose coordinated shutdown ended the JVM (exit code 0) before the reason was logged.
 * The failure here is a plugin setting Pekko Persistence Cassandra refuses once the cluster is up (a long
 * back-track longer than the per-id cleanup period). Runs the node in its own JVM against the shared test Cassandra.
 */
class StartupFailureTest {

  @Test
  void aNodeThatCannotStartSaysWhyAndExitsWithStatus1(@TempDir Path dir) throws Exception {
    TestCassandra.get();
    String ks = TestNode.keyspaces("startfail");
    String hocon = String.join("\n",
        "include classpath(\"application.conf\")",
        "pekko.persistence.cassandra " + TestCassandra.persistenceConfig(ks + "_journal")
            .getConfig("pekko.persistence.cassandra").root().render(ConfigRenderOptions.concise()),
        "datastax-java-driver " + TestCassandra.persistenceConfig(ks + "_journal")
            .getConfig("datastax-java-driver").root().render(ConfigRenderOptions.concise()),
        "hankyo.cassandra.embedded.enabled = false",
        "hankyo.cassandra.read-side-keyspace = \"" + ks + "_read\"",
        "pekko.projection.cassandra.offset-store.keyspace = \"" + ks + "_proj\"",
        "hankyo.http.port = " + FreePorts.tcp(),
        "hankyo.sip.udp-port = " + FreePorts.udpAndTcp(25060, 25999),
        "hankyo.sip.tcp-port = ${hankyo.sip.udp-port}",
        "hankyo.bootstrap.api-key = \"" + TestNode.API_KEY + "\"",
        "pekko.remote.artery.canonical.port = " + FreePorts.tcp(),
        "pekko.management.http.port = " + FreePorts.tcp(),
        "pekko.persistence.cassandra.events-by-tag.back-track.long-period = 30m");
    Path conf = dir.resolve("node.conf");
    Files.writeString(conf, hocon);
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process node = new ProcessBuilder(List.of(java.toString(), "-Xmx256m",
        "-Dconfig.file=" + conf, "-cp", System.getProperty("java.class.path"), "io.hankyo.node.HankyoNode"))
        .redirectErrorStream(true)
        .start();
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    Thread reader = new Thread(() -> {
      try (InputStream in = node.getInputStream()) {
        in.transferTo(output);
      } catch (Exception ignored) {
        // the process ended
      }
    });
    reader.start();
    boolean exited = node.waitFor(120, TimeUnit.SECONDS);
    if (!exited) {
      node.destroyForcibly();
    }
    reader.join(5_000);
    String out = output.toString(StandardCharsets.UTF_8);
    assertTrue(exited, "the node exits by itself: " + out);
    assertTrue(out.contains("Hankyo node failed to start: requirement failed: long-period has to be at least 10%"),
        "the reason is printed: " + out);
    assertEquals(1, node.exitValue(), "exit status: " + out);
  }
}
