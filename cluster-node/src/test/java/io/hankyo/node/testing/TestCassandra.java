package io.hankyo.node.testing;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.hankyo.node.cassandra.EmbeddedCassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one real Cassandra of a test JVM, shared by every test class that needs it.
 *
 * <ul>
 *   <li>{@link #get()} starts it on first use (thread-safe; about 8 s) on CQL port {@value #CQL_PORT} and storage
 *       port {@value #STORAGE_PORT} (so a developer's node on 9042/7000 does not clash), with a fresh data directory
 *       {@code ${hankyo.test.workdir}/cassandra} (default {@code target/test-work/cassandra}), wiped before start.
 *       Cassandra's log is {@code ${hankyo.test.workdir}/cassandra/logs/system.log}.</li>
 *   <li>It is stopped when the JUnit Platform launcher session closes ({@link CassandraLauncherSessionListener}),
 *       with a JVM shutdown hook as fallback.</li>
 *   <li>Each test class uses its own keyspace ({@link #uniqueKeyspace(String)}), so no test cleans up after
 *       itself and classes do not see each other's data.</li>
 * </ul>
 *
 * <p>Typical use with Pekko persistence:
 * <pre>{@code
 * String keyspace = TestCassandra.uniqueKeyspace("calls");
 * ActorTestKit testKit = ActorTestKit.create("CallTest",
 *         TestCassandra.persistenceConfig(keyspace).withFallback(myTestConfig));
 * }</pre>
 */
public final class TestCassandra {

    /** CQL port of the test Cassandra. */
    public static final int CQL_PORT = 19042;
    /** Inter-node port of the test Cassandra. */
    public static final int STORAGE_PORT = 17000;

    /** Longest name {@link #uniqueKeyspace(String)} returns; Cassandra's limit is 48. */
    public static final int MAX_UNIQUE_KEYSPACE_LENGTH = 32;

    private static final AtomicInteger keyspaceCounter = new AtomicInteger();
    private static final DateTimeFormatter TIME_BUCKET = DateTimeFormatter.ofPattern("yyyyMMdd'T'HH:mm", Locale.ROOT);

    private static EmbeddedCassandra instance;
    private static RuntimeException startFailure;

    private TestCassandra() {
    }

    /**
     * The running test Cassandra, started on first call. A failed start is remembered and rethrown at once to
     * later callers (the next test class does not wait for the timeout again).
     *
     * @return the running instance (contact point {@code 127.0.0.1:19042}, data center {@code datacenter1})
     * @throws EmbeddedCassandra.StartupException when it cannot be started (message says why)
     * @throws IllegalStateException              when it failed to start earlier in this run, or has died since
     */
    public static synchronized EmbeddedCassandra get() {
        if (startFailure != null) {
            throw new IllegalStateException("The test Cassandra failed to start earlier in this run: "
                    + startFailure.getMessage(), startFailure);
        }
        if (instance == null) {
            Path dataDir = workDir().resolve("cassandra");
            deleteRecursively(dataDir);
            EmbeddedCassandra cassandra = new EmbeddedCassandra(EmbeddedCassandra.Settings.defaults()
                    .withDataDir(dataDir)
                    .withPorts(CQL_PORT, STORAGE_PORT)
                    // Schema changes stay in memtables + commit log instead of flushing system_schema at every
                    // CREATE: faster auto-create of journal tables; safe here since the data dir is thrown away.
                    .withJvmOptions(List.of("-Dcassandra.test.flush_local_schema_changes=false")));
            try {
                cassandra.start();
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
            instance = cassandra;
        } else if (!instance.isRunning()) {
            throw new IllegalStateException("The test Cassandra (" + instance + ") is no longer running; see "
                    + instance.logFile());
        }
        return instance;
    }

    /**
     * Stops the test Cassandra if it was started; called by {@link CassandraLauncherSessionListener} at the end of
     * the run. Idempotent. A later {@link #get()} starts a new one (with a wiped data directory).
     */
    public static synchronized void stop() {
        if (instance != null) {
            try {
                instance.stop();
            } finally {
                instance = null;
            }
        }
    }

    /** @return whether {@link #get()} started a Cassandra that has not been stopped */
    public static synchronized boolean isStarted() {
        return instance != null;
    }

    /**
     * A keyspace name not used before in this run: {@code <prefix>_<n>_<6 hex digits>}, lower case, at most 32
     * characters (the prefix is cut to fit), valid as an unquoted CQL identifier. Cassandra allows 48, so up to 16
     * characters may be appended for derived keyspaces ({@code + "_journal"}, {@code + "_snapshot"}). The keyspace
     * is not created.
     *
     * @param prefix e.g. the test class's subject; characters outside {@code [a-z0-9_]} become {@code _}, a leading
     *               digit or underscore gets a {@code k} before it
     * @return the keyspace name
     */
    public static String uniqueKeyspace(String prefix) {
        String clean = prefix == null ? "" : prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (clean.isEmpty() || !Character.isLetter(clean.charAt(0))) {
            clean = "k" + clean;
        }
        String suffix = "_" + keyspaceCounter.incrementAndGet() + "_"
                + String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
        int maxPrefix = MAX_UNIQUE_KEYSPACE_LENGTH - suffix.length();
        if (clean.length() > maxPrefix) {
            clean = clean.substring(0, maxPrefix);
        }
        return clean + suffix;
    }

    /**
     * Configuration for pekko-persistence-cassandra (journal, snapshot store, query) and its
     * {@code datastax-java-driver} session, pointing at the test Cassandra (started by this call if needed), with
     * journal and snapshot tables in {@code keyspace} (created on first use: keyspace and tables auto-create on,
     * SimpleStrategy, replication factor 1). Only those paths are set; combine with
     * {@code .withFallback(yourConfig)}. The paths set are:
     * <pre>
     * pekko.persistence.journal.plugin = "pekko.persistence.cassandra.journal"
     * pekko.persistence.snapshot-store.plugin = "pekko.persistence.cassandra.snapshot"
     * pekko.persistence.cassandra.journal  { keyspace, keyspace-autocreate, tables-autocreate, replication-factor }
     * pekko.persistence.cassandra.snapshot { keyspace, keyspace-autocreate, tables-autocreate, replication-factor }
     * pekko.persistence.cassandra.events-by-tag.first-time-bucket = today 00:00 UTC ("yyyyMMdd'T'HH:mm")
     * datastax-java-driver.basic.contact-points, .basic.load-balancing-policy.local-datacenter,
     *   .basic.request.timeout = 10 s, .advanced.connection { max-requests-per-connection = 32768,
     *   pool.local.size = 2, init-query-timeout = 5 s }, .advanced.control-connection.timeout = 5 s,
     *   .advanced.reconnect-on-init = true, .advanced.netty.{io,admin}-group.shutdown.quiet-period = 0 (tests only:
     *   a session closes at once instead of after Netty's 2 s quiet period)
     * </pre>
     * The read journal ({@code pekko.persistence.cassandra.query}) reads the journal's keyspace.
     *
     * @param keyspace keyspace of the journal and snapshot tables, e.g. from {@link #uniqueKeyspace(String)}
     * @return the config (resolved, no fallback)
     */
    public static Config persistenceConfig(String keyspace) {
        EmbeddedCassandra cassandra = get();
        String contactPoint = cassandra.contactPoint().getHostString() + ":" + cassandra.contactPoint().getPort();
        String firstBucket = LocalDate.now(ZoneOffset.UTC).atStartOfDay().format(TIME_BUCKET);
        String hocon = String.join("\n",
                "pekko.persistence.journal.plugin = \"pekko.persistence.cassandra.journal\"",
                "pekko.persistence.snapshot-store.plugin = \"pekko.persistence.cassandra.snapshot\"",
                "pekko.persistence.cassandra {",
                "  journal {",
                "    keyspace = \"" + keyspace + "\"",
                "    keyspace-autocreate = true",
                "    tables-autocreate = true",
                "    replication-factor = 1",
                "  }",
                "  snapshot {",
                "    keyspace = \"" + keyspace + "\"",
                "    keyspace-autocreate = true",
                "    tables-autocreate = true",
                "    replication-factor = 1",
                "  }",
                "  events-by-tag.first-time-bucket = \"" + firstBucket + "\"",
                "}",
                "datastax-java-driver {",
                "  basic {",
                "    contact-points = [\"" + contactPoint + "\"]",
                "    load-balancing-policy.local-datacenter = \"" + cassandra.localDatacenter() + "\"",
                "    request.timeout = 10s",
                "  }",
                "  advanced {",
                "    reconnect-on-init = true",
                "    connection {",
                "      max-requests-per-connection = 32768",
                "      pool.local.size = 2",
                "      init-query-timeout = 5s",
                "    }",
                "    control-connection.timeout = 5s",
                "    # Each DDL statement completes only after the driver's debounced schema refresh (1 s window).",
                "    metadata.schema.debouncer.window = 50ms",
                "    # Tests open and close many sessions: skip Netty's 2 s quiet period on close.",
                "    netty.io-group.shutdown.quiet-period = 0",
                "    netty.admin-group.shutdown.quiet-period = 0",
                "  }",
                "}");
        return ConfigFactory.parseString(hocon).resolve();
    }

    /**
     * A new driver session on the test Cassandra (started if needed), configured like
     * {@link #persistenceConfig(String)}'s {@code datastax-java-driver} section and nothing else: the application's
     * {@code application.conf} (contact point 9042) is not read. No keyspace is set. The caller closes it.
     *
     * @return an open session
     */
    public static CqlSession newSession() {
        Config driver = persistenceConfig("unused").withOnlyPath("datastax-java-driver");
        return CqlSession.builder()
                .withConfigLoader(DriverConfigLoader.fromString(driver.root().render()))
                .build();
    }

    /** @return {@code hankyo.test.workdir} (set by the surefire configuration), else {@code target/test-work} */
    static Path workDir() {
        String configured = System.getProperty("hankyo.test.workdir", "").trim();
        Path dir = configured.isEmpty() ? Path.of("target", "test-work") : Path.of(configured);
        return dir.toAbsolutePath().normalize();
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot wipe the test Cassandra data directory " + dir, e);
        }
    }
}
