package io.hankyo.node.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.hankyo.node.testing.TestCassandra;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link EmbeddedCassandra} against a real Cassandra 5.0 (the shared {@link TestCassandra}): CQL round trip, Pekko
 * persistence through pekko-persistence-cassandra with {@link TestCassandra#persistenceConfig(String)}, and the
 * start-up errors.
 */
class EmbeddedCassandraTest {

    @Test
    void answersCqlAndStoresRows() {
        EmbeddedCassandra cassandra = TestCassandra.get();
        assertTrue(cassandra.isRunning());
        assertEquals("datacenter1", cassandra.localDatacenter());
        assertTrue(cassandra.releaseVersion().startsWith("5.0."), cassandra.releaseVersion());
        assertEquals(TestCassandra.CQL_PORT, cassandra.contactPoint().getPort());
        assertTrue(cassandra.pid().isPresent());
        assertTrue(Files.isRegularFile(cassandra.logFile()), "log file " + cassandra.logFile());
        // The fork runs behind the node for the CPU (nice 10 by default), and pid() is the JVM, not nice(1).
        assertEquals(Math.min(19, niceOf("self") + EmbeddedCassandra.Settings.DEFAULT_NICE),
                niceOf(Long.toString(cassandra.pid().getAsLong())));
        assertTrue(ProcessHandle.of(cassandra.pid().getAsLong()).flatMap(h -> h.info().command())
                .orElse("").endsWith("java"));

        String keyspace = TestCassandra.uniqueKeyspace("rows");
        try (CqlSession session = TestCassandra.newSession()) {
            session.execute("CREATE KEYSPACE " + keyspace
                    + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
            session.execute("CREATE TABLE " + keyspace + ".numbers (id text PRIMARY KEY, digits text, seen int)");
            session.execute("INSERT INTO " + keyspace + ".numbers (id, digits, seen) VALUES (?, ?, ?)",
                    "n1", "0312345678", 3);
            Row row = session.execute("SELECT digits, seen FROM " + keyspace + ".numbers WHERE id = ?", "n1").one();
            assertNotNull(row);
            assertEquals("0312345678", row.getString("digits"));
            assertEquals(3, row.getInt("seen"));
        }
    }

    /**
     * {@code kill -TERM -- -<pgid>} (or a service manager's stop) signals the fork together with the node; the fork
     * must stay up until the node stops it (by closing its standard input), or the node's last journal writes fail.
     */
    @Test
    void ignoresSigtermSoASignalToTheWholeGroupCannotStopItBeforeTheNode() throws Exception {
        EmbeddedCassandra cassandra = TestCassandra.get();
        long pid = cassandra.pid().orElseThrow();
        Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(pid)).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -TERM " + pid);
        Thread.sleep(2_000); // Cassandra's shutdown hook would close CQL within this time
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "fork alive after SIGTERM");
        try (CqlSession session = TestCassandra.newSession()) {
            assertEquals("5", session.execute("SELECT release_version FROM system.local").one()
                    .getString(0).substring(0, 1));
        }
    }

    @Test
    void eventSourcedBehaviorRecoversItsStateFromCassandra() {
        String keyspace = TestCassandra.uniqueKeyspace("journal");
        Config config = TestCassandra.persistenceConfig(keyspace)
                .withFallback(ConfigFactory.parseString("pekko.loglevel = INFO"));
        ActorTestKit testKit = ActorTestKit.create("EmbeddedCassandraTest", config);
        try {
            PersistenceId id = PersistenceId.of("Tally", "t1");
            TestProbe<String> probe = testKit.createTestProbe();
            Duration wait = Duration.ofSeconds(30); // first use creates keyspace and tables

            ActorRef<Tally.Command> first = testKit.spawn(Tally.create(id));
            for (String word : new String[] {"a", "b", "c"}) {
                first.tell(new Tally.Append(word, probe.getRef()));
                probe.expectMessageClass(String.class, wait);
            }
            testKit.stop(first, wait);

            // Recovery: snapshot at sequence number 2 ("a,b") plus event 3 replayed from the journal.
            ActorRef<Tally.Command> second = testKit.spawn(Tally.create(id));
            second.tell(new Tally.Get(probe.getRef()));
            assertEquals("a,b,c", probe.expectMessageClass(String.class, wait));
        } finally {
            testKit.shutdownTestKit();
        }

        try (CqlSession session = TestCassandra.newSession()) {
            long events = session.execute("SELECT count(*) FROM " + keyspace + ".messages "
                    + "WHERE persistence_id = 'Tally|t1' AND partition_nr = 0").one().getLong(0);
            assertEquals(3, events);
            long snapshots = session.execute("SELECT count(*) FROM " + keyspace + ".snapshots "
                    + "WHERE persistence_id = 'Tally|t1'").one().getLong(0);
            assertEquals(1, snapshots);
        }
    }

    @Test
    void refusesToStartWhereACassandraAlreadyAnswers(@TempDir Path dir) throws IOException {
        TestCassandra.get();
        EmbeddedCassandra second = new EmbeddedCassandra(EmbeddedCassandra.Settings.defaults()
                .withDataDir(dir.resolve("second"))
                .withPorts(TestCassandra.CQL_PORT, freePort()));

        EmbeddedCassandra.StartupException e = assertThrows(EmbeddedCassandra.StartupException.class, second::start);
        assertTrue(e.getMessage().contains("already answers CQL on 127.0.0.1:" + TestCassandra.CQL_PORT),
                e.getMessage());
        assertTrue(second.pid().isEmpty(), "no process forked");
        assertTrue(TestCassandra.get().isRunning(), "the first one is untouched");
    }

    @Test
    void refusesAPortUsedByAnotherProgram(@TempDir Path dir) throws IOException {
        try (ServerSocket other = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            EmbeddedCassandra cassandra = new EmbeddedCassandra(EmbeddedCassandra.Settings.defaults()
                    .withDataDir(dir)
                    .withPorts(other.getLocalPort(), freePort()));

            EmbeddedCassandra.StartupException e =
                    assertThrows(EmbeddedCassandra.StartupException.class, cassandra::start);
            assertTrue(e.getMessage().contains("in use by another program"), e.getMessage());
            assertTrue(cassandra.pid().isEmpty(), "no process forked");
        }
    }

    @Test
    void explainsAMissingOrEmptyJarDirectory(@TempDir Path dir) throws IOException {
        EmbeddedCassandra.Settings settings = EmbeddedCassandra.Settings.defaults()
                .withDataDir(dir.resolve("data"))
                .withPorts(freePort(), freePort());

        EmbeddedCassandra missing = new EmbeddedCassandra(settings.withLibDir(dir.resolve("no-such-lib")));
        EmbeddedCassandra.StartupException e = assertThrows(EmbeddedCassandra.StartupException.class, missing::start);
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("mvn -pl deploy/cassandra generate-resources"), e.getMessage());

        Path empty = Files.createDirectories(dir.resolve("empty-lib"));
        EmbeddedCassandra none = new EmbeddedCassandra(settings.withLibDir(empty));
        e = assertThrows(EmbeddedCassandra.StartupException.class, none::start);
        assertTrue(e.getMessage().contains("no cassandra-all-*.jar"), e.getMessage());
    }

    @Test
    void reportsAnEarlyExitWithTheTailOfCassandrasLog(@TempDir Path dir) throws IOException {
        // A later -D wins: Cassandra looks for its yaml where there is none, logs why and exits.
        Path missingYaml = dir.resolve("missing.yaml");
        EmbeddedCassandra broken = new EmbeddedCassandra(EmbeddedCassandra.Settings.defaults()
                .withDataDir(dir.resolve("data"))
                .withPorts(freePort(), freePort())
                .withJvmOptions(List.of("-Dcassandra.config=" + missingYaml.toUri())));

        EmbeddedCassandra.StartupException e = assertThrows(EmbeddedCassandra.StartupException.class, broken::start);
        assertTrue(e.getMessage().contains("Cassandra exited with code"), e.getMessage());
        assertTrue(e.getMessage().contains("missing.yaml"), "log tail names the cause: " + e.getMessage());
        assertTrue(broken.pid().isEmpty());
        assertFalse(broken.isRunning());
    }

    @Test
    void readsItsSettingsFromConfig() {
        Config config = ConfigFactory.parseString(String.join("\n",
                "hankyo.cassandra.embedded {",
                "  enabled = true, data-dir = \"x/cass\", listen-address = \"127.0.0.2\",",
                "  native-port = 9142, storage-port = 7100, heap-mb = 768, lib-dir = \"\", startup-timeout = 90s, nice = 5",
                "}"));
        EmbeddedCassandra.Settings s = EmbeddedCassandra.Settings.fromConfig(config);
        assertTrue(EmbeddedCassandra.isEnabled(config));
        assertEquals(Path.of("x/cass").toAbsolutePath().normalize(), s.dataDir());
        assertEquals("127.0.0.2", s.listenAddress());
        assertEquals(9142, s.nativePort());
        assertEquals(7100, s.storagePort());
        assertEquals(768, s.heapMb());
        assertEquals(EmbeddedCassandra.Settings.defaultLibDir(), s.libDir());
        assertEquals(Duration.ofSeconds(90), s.startupTimeout());
        assertEquals(false, s.reuseRunning());
        assertEquals(5, s.nice());
        assertEquals(EmbeddedCassandra.Settings.DEFAULT_NICE, EmbeddedCassandra.Settings.fromConfig(
                ConfigFactory.parseString("hankyo.cassandra.embedded.heap-mb = 512")).nice());
        assertThrows(IllegalArgumentException.class, () -> EmbeddedCassandra.Settings.fromConfig(
                ConfigFactory.parseString("hankyo.cassandra.embedded.nice = 20")));

        assertThrows(IllegalArgumentException.class, () -> EmbeddedCassandra.Settings.fromConfig(
                ConfigFactory.parseString("hankyo.cassandra.embedded.heap-mb = 2048")));
        assertEquals(false, EmbeddedCassandra.isEnabled(ConfigFactory.empty()));
    }

    @Test
    void uniqueKeyspacesAreDistinctValidCqlNames() {
        String a = TestCassandra.uniqueKeyspace("Call-Log Test");
        String b = TestCassandra.uniqueKeyspace("Call-Log Test");
        assertNotEquals(a, b);
        assertTrue(a.matches("call_log_test_\\d+_[0-9a-f]{6}"), a);
        assertTrue(TestCassandra.uniqueKeyspace("x".repeat(100)).length() <= TestCassandra.MAX_UNIQUE_KEYSPACE_LENGTH);
        assertTrue(TestCassandra.uniqueKeyspace("1st").startsWith("k1st_"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    /** A tiny event-sourced tally: events are the appended words, the state their comma-joined list. */
    static final class Tally extends EventSourcedBehavior<Tally.Command, String, String> {

        interface Command {
        }

        record Append(String word, ActorRef<String> replyTo) implements Command {
        }

        record Get(ActorRef<String> replyTo) implements Command {
        }

        static Behavior<Command> create(PersistenceId id) {
            return new Tally(id);
        }

        private Tally(PersistenceId id) {
            super(id);
        }

        @Override
        public String emptyState() {
            return "";
        }

        @Override
        public CommandHandler<Command, String, String> commandHandler() {
            return newCommandHandlerBuilder().forAnyState()
                    .onCommand(Append.class, (state, cmd) ->
                            Effect().persist(cmd.word()).thenReply(cmd.replyTo(), newState -> newState))
                    .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state))
                    .build();
        }

        @Override
        public EventHandler<String, String> eventHandler() {
            return newEventHandlerBuilder().forAnyState()
                    .onEvent(String.class, (state, word) -> state.isEmpty() ? word : state + "," + word)
                    .build();
        }

        @Override
        public boolean shouldSnapshot(String state, String event, long sequenceNr) {
            return sequenceNr == 2;
        }
    }

    /** The nice value of a process: field 19 of /proc/<pid>/stat (fields counted after the parenthesised name). */
    private static int niceOf(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(fields[16]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
