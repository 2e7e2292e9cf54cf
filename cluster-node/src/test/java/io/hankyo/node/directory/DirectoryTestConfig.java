package io.hankyo.node.directory;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/** Actor-system configurations of the directory and API tests. */
public final class DirectoryTestConfig {
  /** Jackson for everything the project serializes, and every message serialized even when local. */
  public static final Config SERIALIZATION = ConfigFactory.parseString(
      "pekko.actor.serialization-bindings { \"io.hankyo.protocol.JsonSerializable\" = jackson-json }\n"
          + "pekko.actor.serialize-messages = on\n"
          + "pekko.loglevel = WARNING\n");

  private DirectoryTestConfig() {}

  /** For {@link EventSourcedBehaviorTestKit} (in-memory journal, serialization checks of commands/events/state). */
  public static Config eventSourced() {
    return SERIALIZATION.withFallback(EventSourcedBehaviorTestKit.config());
  }

  /** A single-node cluster on 127.0.0.1, random port, with the in-memory journal and snapshot store. */
  public static Config cluster() {
    return ConfigFactory.parseString(
            "pekko.actor.provider = cluster\n"
                + "pekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                + "pekko.remote.artery.canonical.port = 0\n"
                + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
                + "pekko.coordinated-shutdown.exit-jvm = off\n")
        .withFallback(SERIALIZATION)
        .withFallback(PersistenceTestKitPlugin.config())
        .withFallback(PersistenceTestKitSnapshotPlugin.config());
  }

  /**
   * Starts an actor test kit on {@code config} (e.g. {@link #cluster()}, or a Cassandra journal over it), joins it to
   * itself and waits until the member is Up.
   *
   * @throws IllegalStateException when the single-node cluster is not up within 30 s
   */
  public static ActorTestKit singleNodeCluster(String name, Config config) throws InterruptedException {
    ActorTestKit kit = ActorTestKit.create(name, config);
    Cluster cluster = Cluster.get(kit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (cluster.selfMember().status() != MemberStatus.up()) {
      if (System.nanoTime() > deadline) {
        kit.shutdownTestKit();
        throw new IllegalStateException("single-node cluster " + name + " did not come up in 30 s");
      }
      Thread.sleep(50);
    }
    return kit;
  }
}
