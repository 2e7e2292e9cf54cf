package io.hankyo.node.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.OptionsMap;
import com.datastax.oss.driver.api.core.config.TypedDriverOption;
import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A single-node Apache Cassandra 5.0.x for development and tests, run in a <b>forked JVM</b> (never in this one:
 * Cassandra drags old slf4j/logback versions, installs a SecurityManager and has a shutdown hook that does not work
 * in-process; see {@code platform-facts.md}).
 *
 * <h2>Use</h2>
 * <pre>{@code
 * try (EmbeddedCassandra cassandra = new EmbeddedCassandra(EmbeddedCassandra.Settings.fromConfig(config))) {
 *     cassandra.start();                      // blocks until CQL answers, ~8 s on an empty data dir
 *     InetSocketAddress cp = cassandra.contactPoint();
 *     String dc = cassandra.localDatacenter();  // "datacenter1"
 *     ...
 * }                                           // SIGTERM, clean drain, ~4 s
 * }</pre>
 *
 * <h2>What {@link #start()} does</h2>
 * <ol>
 *   <li>Checks the jar directory ({@link Settings#libDir()}, filled by {@code mvn -pl deploy/cassandra
 *       generate-resources} or {@code mvn package}) and the ports: a Cassandra that already answers CQL on the native
 *       port is refused unless {@link Settings#reuseRunning()} (then it is used and never stopped); any other program
 *       on the native or storage port is refused.</li>
 *   <li>Writes {@code <data-dir>/conf/cassandra.yaml} (single node, one token, SimpleSnitch, small caches and
 *       memtables, {@code auto_snapshot: false}) and {@code <data-dir>/conf/logback.xml} (Cassandra's log goes to
 *       {@code <data-dir>/logs/system.log}, rolled at 20 MB, 5 files; its standard output and error go to
 *       {@code <data-dir>/logs/stdout.log}). Data, commit log, hints, saved caches and cdc_raw live under
 *       {@code <data-dir>}; the directory is kept between starts (delete it for a fresh store).</li>
 *   <li>Forks {@code [nice -n <nice>] java <Java 17 module flags> -Xms/-Xmx<heap-mb>m -XX:MaxDirectMemorySize=256m -Xss256k
 *       -XX:+UseG1GC ... -cp "<lib>/*" ...} running {@link ForkedCassandraMain}, which stops Cassandra cleanly if this
 *       JVM dies without stopping it, then runs {@code org.apache.cassandra.service.CassandraDaemon}. JMX is not
 *       enabled (so {@code nodetool} cannot connect); gossip settling is skipped (single node).</li>
 *   <li>Waits until the native port accepts a connection and a driver {@link CqlSession} can run
 *       {@code SELECT release_version, data_center FROM system.local}.</li>
 * </ol>
 *
 * <h2>Configuration ({@link Settings#fromConfig(Config)})</h2>
 * <pre>
 * hankyo.cassandra.embedded {
 *   enabled = true               # read by the node's main ({@link #isEnabled(Config)}), not by this class
 *   data-dir = "data/cassandra"  # relative = to the working directory
 *   listen-address = "127.0.0.1" # listen_address and rpc_address (CQL) of the node
 *   native-port = 9042           # CQL port
 *   storage-port = 7000          # inter-node port (bound even for one node)
 *   heap-mb = 1024               # -Xms/-Xmx of the forked JVM, 256..1024 (RSS is about heap + 450 MB); 512 ran
 *                                # out of heap under ~6,000 pool assignments/s on 2 cores (docs/performance.md, stop 18)
 *   lib-dir = ""                 # directory of the Cassandra jars; "" = system property hankyo.cassandra.lib,
 *                                # else env HANKYO_CASSANDRA_LIB, else deploy/cassandra/target/lib found from the
 *                                # working directory or one of its parents
 *   startup-timeout = 120s       # how long start() waits for CQL to answer
 *   reuse-running = false        # optional: use a Cassandra already answering on native-port instead of failing
 *   java-executable = ""         # optional: java binary for the fork; "" = the java running this JVM
 *   jvm-options = []             # optional: extra options for the fork, e.g. ["-Dcassandra.jmx.local.port=7199"]
 *   nice = 10                    # CPU priority offset of the fork, 0..19, via nice(1) when installed (0 = none):
 *                                # on a machine it shares with the node, call signalling (post-dial delay) goes
 *                                # first and Cassandra takes the CPU left over (docs/performance.md, stop 10)
 * }
 * </pre>
 * Every key is optional; a missing key takes the default shown.
 *
 * <h2>Errors</h2>
 * {@link #start()} throws {@link StartupException} with a message saying what to do, and, when the fork got that far,
 * the last lines of Cassandra's log: jar directory missing or without {@code cassandra-all-*.jar}; port in use
 * (by a Cassandra or by another program); the forked JVM exited early; no CQL answer within the startup timeout
 * (the fork is then killed).
 *
 * <h2>Threads</h2>
 * All public methods are thread-safe. A JVM shutdown hook stops the fork if the owner does not.
 */
public final class EmbeddedCassandra implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedCassandra.class);

    /** Config path of the settings block read by {@link Settings#fromConfig(Config)}. */
    public static final String CONFIG_PATH = "hankyo.cassandra.embedded";
    /** System property naming the jar directory (highest priority of the default search). */
    public static final String LIB_PROPERTY = "hankyo.cassandra.lib";
    /** Environment variable naming the jar directory (after {@link #LIB_PROPERTY}). */
    public static final String LIB_ENV = "HANKYO_CASSANDRA_LIB";
    /** Jar directory relative to the project root, searched from the working directory upwards. */
    public static final String LIB_RELATIVE = "deploy/cassandra/target/lib";

    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
    private static final int LOG_TAIL_LINES = 40;

    /**
     * {@code --add-exports}/{@code --add-opens} of Cassandra 5.0's {@code conf/jvm17-server.options}, plus the
     * system properties of its {@code jvm-server.options} that matter here.
     */
    private static final List<String> JVM17_FLAGS = List.of(
            "-Djdk.attach.allowAttachSelf=true",
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
            "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
            "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
            "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/java.io=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "--add-opens", "java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens", "java.base/java.util=ALL-UNNAMED",
            "--add-opens", "java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.math=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens", "java.base/java.net=ALL-UNNAMED",
            "-Dio.netty.tryReflectionSetAccessible=true",
            "-Dio.netty.allocator.useCacheForAllThreads=true",
            "-Dio.netty.allocator.maxOrder=11",
            "-Djdk.nio.maxCachedBufferSize=1048576",
            "-XX:+PerfDisableSharedMem",
            "-XX:+ExitOnOutOfMemoryError");

    private final Settings settings;

    // Written under "this"; read without the lock by the shutdown hook, which must not wait for a start() in progress.
    private volatile Process process;
    private Thread shutdownHook;
    private boolean reused;
    private boolean running;
    private String releaseVersion;
    private String localDatacenter;
    private Duration startupTime;

    /**
     * Creates a launcher; nothing happens until {@link #start()}.
     *
     * @param settings what to run and where; not null
     */
    public EmbeddedCassandra(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * Whether the application config asks for an embedded Cassandra.
     *
     * @param config the application config (root)
     * @return {@code hankyo.cassandra.embedded.enabled}, false when absent
     */
    public static boolean isEnabled(Config config) {
        String path = CONFIG_PATH + ".enabled";
        return config.hasPath(path) && config.getBoolean(path);
    }

    /**
     * Starts Cassandra in a forked JVM and blocks until it answers CQL (about 8 s on an empty data directory on a
     * 2-core machine), or, with {@link Settings#reuseRunning()}, attaches to a Cassandra already answering on the
     * native port.
     *
     * @return this, for chaining
     * @throws StartupException     see the class documentation; the fork is gone when this is thrown
     * @throws IllegalStateException when already started
     */
    public synchronized EmbeddedCassandra start() {
        if (running) {
            throw new IllegalStateException("Embedded Cassandra already started on " + endpoint());
        }
        long startNanos = System.nanoTime();
        checkLibDir(settings.libDir());
        checkJava(settings.javaExecutable());
        Optional<CqlProbe> existing = checkPorts();
        if (existing.isPresent()) {
            CqlProbe found = existing.get();
            reused = true;
            running = true;
            releaseVersion = found.releaseVersion();
            localDatacenter = found.dataCenter();
            startupTime = Duration.ofNanos(System.nanoTime() - startNanos);
            log.info("Reusing the Cassandra {} already running on {} (datacenter {}); it will not be stopped",
                    releaseVersion, endpoint(), localDatacenter);
            return this;
        }
        Layout layout = new Layout(settings.dataDir());
        try {
            layout.create();
            Files.writeString(layout.yaml(), cassandraYaml(settings, layout), StandardCharsets.UTF_8);
            Files.writeString(layout.logback(), logbackXml(layout), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StartupException("Cannot prepare the Cassandra data directory " + settings.dataDir()
                    + ": " + e, e);
        }

        long logOffset = sizeOf(layout.systemLog()); // logback appends: report only this start's lines
        List<String> command = command(settings, layout);
        log.info("Starting Cassandra (heap {} MB) on {}:{} (storage port {}), data {}, log {}",
                settings.heapMb(), settings.listenAddress(), settings.nativePort(), settings.storagePort(),
                settings.dataDir(), layout.systemLog());
        log.debug("Cassandra command: {}", command);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(settings.dataDir().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(layout.stdoutLog().toFile()));
        // stdin stays a pipe that is never written: ForkedCassandraMain exits when it closes.
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new StartupException("Cannot run " + settings.javaExecutable() + ": " + e, e);
        }
        shutdownHook = new Thread(this::stopFromHook, "embedded-cassandra-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);

        try {
            CqlProbe ready = awaitReady(layout, logOffset, startNanos);
            releaseVersion = ready.releaseVersion();
            localDatacenter = ready.dataCenter();
            running = true;
            startupTime = Duration.ofNanos(System.nanoTime() - startNanos);
            log.info("Cassandra {} ready on {} (datacenter {}, pid {}) after {} ms", releaseVersion, endpoint(),
                    localDatacenter, process.pid(), startupTime.toMillis());
            return this;
        } catch (RuntimeException | Error e) {
            removeShutdownHook();
            destroyProcess();
            throw e;
        }
    }

    /**
     * Stops the forked Cassandra: SIGTERM (Cassandra drains and flushes), up to 30 s, then SIGKILL. Does nothing when
     * not started, already stopped, or reusing a Cassandra this launcher did not start. Blocks until the process is
     * gone (about 4 s for a clean stop).
     */
    public synchronized void stop() {
        if (process == null) {
            running = false;
            reused = false;
            return;
        }
        removeShutdownHook();
        destroyProcess();
        log.info("Cassandra on {} stopped", endpoint());
    }

    /**
     * Hands the stop over to the owner: removes the JVM shutdown hook that would otherwise stop Cassandra as soon as
     * the JVM starts shutting down, concurrently with everything else. A node calls this and stops Cassandra itself
     * as the last step of its CoordinatedShutdown, after the journal's last writes. (A killed owner still stops the
     * fork: it exits when its standard input closes.)
     */
    public void disableShutdownHook() {
        removeShutdownHook();
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /** @return whether {@link #start()} succeeded and {@link #stop()} has not been called since */
    public synchronized boolean isRunning() {
        return running && (reused || (process != null && process.isAlive()));
    }

    /** @return the settings this launcher was created with */
    public Settings settings() {
        return settings;
    }

    /**
     * The address for {@code datastax-java-driver.basic.contact-points} (as {@code host:port}) or
     * {@code CqlSession.builder().addContactPoint(...)}.
     *
     * @return listen address and native (CQL) port (resolved); valid before start too
     */
    public InetSocketAddress contactPoint() {
        return new InetSocketAddress(settings.listenAddress(), settings.nativePort());
    }

    /** @return {@code host:port} of the native port, for logs and messages */
    private String endpoint() {
        return hostAndPort(settings.listenAddress(), settings.nativePort());
    }

    /**
     * The data center name for {@code datastax-java-driver.basic.load-balancing-policy.local-datacenter}, as
     * reported by the running node ({@code system.local.data_center}); {@code "datacenter1"} with SimpleSnitch.
     *
     * @return the data center name
     * @throws IllegalStateException when not started
     */
    public synchronized String localDatacenter() {
        requireStarted();
        return localDatacenter;
    }

    /**
     * @return the running node's {@code release_version}, e.g. {@code "5.0.6"}
     * @throws IllegalStateException when not started
     */
    public synchronized String releaseVersion() {
        requireStarted();
        return releaseVersion;
    }

    /**
     * @return wall time from {@link #start()} being called to CQL answering
     * @throws IllegalStateException when not started
     */
    public synchronized Duration startupTime() {
        requireStarted();
        return startupTime;
    }

    /** @return the forked JVM's process id, empty when not started or when reusing a running Cassandra */
    public synchronized OptionalLong pid() {
        return process == null ? OptionalLong.empty() : OptionalLong.of(process.pid());
    }

    /** @return {@code <data-dir>/logs/system.log}, Cassandra's log file */
    public Path logFile() {
        return new Layout(settings.dataDir()).systemLog();
    }

    @Override
    public String toString() {
        return "EmbeddedCassandra[" + settings.listenAddress() + ":" + settings.nativePort() + ", data "
                + settings.dataDir() + "]";
    }

    // ---------------------------------------------------------------------------------------------- start helpers

    private static void checkLibDir(Path libDir) {
        String howToFill = "Build it with `mvn -pl deploy/cassandra generate-resources` (or `mvn package`) at the "
                + "project root, or point hankyo.cassandra.embedded.lib-dir / -D" + LIB_PROPERTY + " / "
                + LIB_ENV + " at a directory holding cassandra-all and its dependencies.";
        if (!Files.isDirectory(libDir)) {
            throw new StartupException("The Cassandra jar directory " + libDir + " does not exist. " + howToFill);
        }
        try (Stream<Path> files = Files.list(libDir)) {
            boolean hasCassandra = files.map(p -> p.getFileName().toString())
                    .anyMatch(n -> n.startsWith("cassandra-all-") && n.endsWith(".jar"));
            if (!hasCassandra) {
                throw new StartupException("The Cassandra jar directory " + libDir
                        + " holds no cassandra-all-*.jar. " + howToFill);
            }
        } catch (IOException e) {
            throw new StartupException("Cannot list the Cassandra jar directory " + libDir + ": " + e + ". "
                    + howToFill, e);
        }
    }

    private static void checkJava(Path java) {
        if (!Files.isExecutable(java)) {
            throw new StartupException("The java executable " + java + " does not exist or is not executable; set "
                    + "hankyo.cassandra.embedded.java-executable");
        }
    }

    /**
     * @return the running Cassandra to reuse, if allowed and present
     */
    private Optional<CqlProbe> checkPorts() {
        String host = settings.listenAddress();
        int nativePort = settings.nativePort();
        if (accepts(host, nativePort, Duration.ofMillis(500))) {
            CqlProbe found;
            try {
                found = probeCql(host, nativePort, Duration.ofSeconds(2));
            } catch (RuntimeException e) {
                throw new StartupException("Port " + host + ":" + nativePort + " (hankyo.cassandra.embedded."
                        + "native-port) is in use by another program that does not answer CQL (" + e.getMessage()
                        + "). Stop it or choose another native-port.", e);
            }
            if (settings.reuseRunning()) {
                return Optional.of(found);
            }
            throw new StartupException("A Cassandra " + found.releaseVersion() + " (datacenter "
                    + found.dataCenter() + ") already answers CQL on " + host + ":" + nativePort
                    + ", and this launcher did not start it" + earlierInstanceHint() + ". Stop that Cassandra, "
                    + "choose another hankyo.cassandra.embedded.native-port (and storage-port), or set "
                    + "reuse-running = true to use it.");
        }
        requireFree(host, nativePort, "native-port");
        if (accepts(host, settings.storagePort(), Duration.ofMillis(500))) {
            throw new StartupException("Port " + host + ":" + settings.storagePort() + " (hankyo.cassandra.embedded."
                    + "storage-port) is in use by another program (perhaps another Cassandra's inter-node port). "
                    + "Stop it or choose another storage-port.");
        }
        requireFree(host, settings.storagePort(), "storage-port");
        return Optional.empty();
    }

    /** @return a note naming a still running Cassandra that an earlier start on this data directory left behind */
    private String earlierInstanceHint() {
        Path pidFile = settings.dataDir().resolve("cassandra.pid");
        try {
            if (Files.isRegularFile(pidFile)) {
                long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim());
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    return " (" + pidFile + " names pid " + pid + ", still running: probably an earlier embedded "
                            + "Cassandra on this data directory, started with stop-with-parent=false)";
                }
            }
        } catch (IOException | RuntimeException e) {
            // Only a hint.
        }
        return "";
    }

    private static void requireFree(String host, int port, String key) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
        } catch (BindException e) {
            throw new StartupException("Port " + host + ":" + port + " (hankyo.cassandra.embedded." + key
                    + ") cannot be bound: " + e.getMessage() + ". Another program uses it, or the address is not "
                    + "local; choose another " + key + " or listen-address.", e);
        } catch (IOException e) {
            throw new StartupException("Cannot check port " + host + ":" + port + ": " + e, e);
        }
    }

    private CqlProbe awaitReady(Layout layout, long logOffset, long startNanos) {
        long deadline = startNanos + settings.startupTimeout().toNanos();
        String host = settings.listenAddress();
        int port = settings.nativePort();
        RuntimeException lastProbeFailure = null;
        while (true) {
            if (!process.isAlive()) {
                throw new StartupException("Cassandra exited with code " + process.exitValue() + " before "
                        + "answering CQL on " + host + ":" + port + ". " + logTails(layout, logOffset));
            }
            if (System.nanoTime() - deadline > 0) {
                String probe = lastProbeFailure == null ? "the CQL port never accepted a connection"
                        : "last CQL attempt: " + lastProbeFailure.getMessage();
                throw new StartupException("Cassandra did not answer CQL on " + host + ":" + port + " within "
                        + settings.startupTimeout().toSeconds() + " s (" + probe + "); it was stopped. Raise "
                        + "hankyo.cassandra.embedded.startup-timeout on a slow machine. "
                        + logTails(layout, logOffset));
            }
            if (accepts(host, port, Duration.ofMillis(250))) {
                try {
                    return probeCql(host, port, Duration.ofSeconds(5));
                } catch (RuntimeException e) {
                    lastProbeFailure = e;
                    log.debug("Cassandra on {}:{} not ready yet: {}", host, port, e.toString());
                }
            }
            try {
                process.waitFor(POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StartupException("Interrupted while waiting for Cassandra to start; it was stopped.", e);
            }
        }
    }

    private static boolean accepts(String host, int port, Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** What a running node says about itself. */
    private record CqlProbe(String releaseVersion, String dataCenter) {
    }

    /**
     * Connects with a throw-away session that ignores the application's {@code datastax-java-driver} config (its
     * contact points and local data center are for the application, not for this check) and infers the data
     * center from the contact point.
     */
    private static CqlProbe probeCql(String host, int port, Duration timeout) {
        OptionsMap options = OptionsMap.driverDefaults();
        options.put(TypedDriverOption.CONTACT_POINTS, List.of(hostAndPort(host, port)));
        options.put(TypedDriverOption.LOAD_BALANCING_POLICY_CLASS, "DcInferringLoadBalancingPolicy");
        options.put(TypedDriverOption.SESSION_NAME, "embedded-cassandra-probe");
        options.put(TypedDriverOption.RECONNECT_ON_INIT, false);
        options.put(TypedDriverOption.CONNECTION_CONNECT_TIMEOUT, timeout);
        options.put(TypedDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, timeout);
        options.put(TypedDriverOption.CONTROL_CONNECTION_TIMEOUT, timeout);
        options.put(TypedDriverOption.REQUEST_TIMEOUT, timeout);
        options.put(TypedDriverOption.METADATA_SCHEMA_ENABLED, false);
        options.put(TypedDriverOption.METADATA_TOKEN_MAP_ENABLED, false);
        options.put(TypedDriverOption.MONITOR_REPORTING_ENABLED, false);
        // Netty's default 2 s quiet period would make every probe's close() take 2 s.
        options.put(TypedDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0);
        options.put(TypedDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0);
        options.put(TypedDriverOption.NETTY_IO_SIZE, 1);
        options.put(TypedDriverOption.NETTY_ADMIN_SIZE, 1);
        try (CqlSession session = CqlSession.builder()
                .withConfigLoader(DriverConfigLoader.fromMap(options))
                .build()) {
            Row row = session.execute("SELECT release_version, data_center FROM system.local").one();
            if (row == null) {
                throw new IllegalStateException("system.local returned no row");
            }
            return new CqlProbe(row.getString("release_version"), row.getString("data_center"));
        }
    }

    private static String hostAndPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private static Optional<Path> niceExecutable() {
        return Stream.of("/usr/bin/nice", "/bin/nice").map(Path::of).filter(Files::isExecutable).findFirst();
    }

    private static List<String> command(Settings settings, Layout layout) {
        List<String> command = new ArrayList<>();
        if (settings.nice() > 0) {
            Optional<Path> nice = niceExecutable();
            if (nice.isPresent()) {
                // nice(1) execs java: same PID, so stop() and pid() still see the Cassandra JVM itself.
                command.add(nice.get().toString());
                command.add("-n");
                command.add(Integer.toString(settings.nice()));
            } else {
                log.warn("nice(1) not found: the embedded Cassandra runs at the node's CPU priority");
            }
        }
        command.add(settings.javaExecutable().toString());
        command.addAll(JVM17_FLAGS);
        command.add("-Xms" + settings.heapMb() + "m");
        command.add("-Xmx" + settings.heapMb() + "m");
        command.add("-XX:MaxDirectMemorySize=256m");
        command.add("-Xss256k");
        command.add("-XX:+UseG1GC");
        if (isIpv4(settings.listenAddress())) {
            command.add("-Djava.net.preferIPv4Stack=true");
        }
        command.add("-Dcassandra.config=" + layout.yaml().toUri());
        command.add("-Dcassandra-foreground=yes");
        command.add("-Dcassandra.storagedir=" + layout.root());
        command.add("-Dcassandra.logdir=" + layout.logs());
        command.add("-Dcassandra-pidfile=" + layout.root().resolve("cassandra.pid"));
        command.add("-Dlogback.configurationFile=" + layout.logback().toUri());
        // A single node: nothing to wait for in gossip, no one to announce a shutdown to.
        command.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");
        command.add("-Dcassandra.shutdown_announce_in_ms=0");
        command.add("-Dchronicle.announcer.disable=true");
        command.add("-XX:HeapDumpPath=" + layout.logs());
        command.addAll(settings.jvmOptions());
        command.add("-cp");
        Optional<Path> launcher = codeLocation(ForkedCassandraMain.class);
        String classPath = settings.libDir().resolve("*").toString();
        if (launcher.isPresent()) {
            // After the Cassandra jars so that nothing of ours shadows theirs.
            command.add(classPath + java.io.File.pathSeparator + launcher.get());
            command.add(ForkedCassandraMain.class.getName());
        } else {
            command.add(classPath);
            command.add(ForkedCassandraMain.CASSANDRA_DAEMON);
        }
        return command;
    }

    private static Optional<Path> codeLocation(Class<?> type) {
        try {
            CodeSource source = type.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                return Optional.empty();
            }
            return Optional.of(Path.of(source.getLocation().toURI()));
        } catch (URISyntaxException | RuntimeException e) {
            log.warn("Cannot locate the code of {} ({}); Cassandra will not stop by itself if this JVM is killed",
                    type.getName(), e.toString());
            return Optional.empty();
        }
    }

    private static boolean isIpv4(String host) {
        try {
            return InetAddress.getByName(host) instanceof Inet4Address;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The generated cassandra.yaml; keys are Cassandra 5.0 names (unknown keys make Cassandra refuse to start). */
    static String cassandraYaml(Settings settings, Layout layout) {
        String host = settings.listenAddress();
        return String.join("\n",
                "# Generated by io.hankyo.node.cassandra.EmbeddedCassandra at every start; edits are overwritten.",
                "cluster_name: 'Hankyo Embedded'",
                "num_tokens: 1",
                "initial_token: 0",
                "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
                "endpoint_snitch: SimpleSnitch",
                "seed_provider:",
                "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
                "    parameters:",
                "      - seeds: " + yamlString(hostAndPort(host, settings.storagePort())),
                "listen_address: " + yamlString(host),
                "rpc_address: " + yamlString(host),
                "storage_port: " + settings.storagePort(),
                "native_transport_port: " + settings.nativePort(),
                "start_native_transport: true",
                "data_file_directories:",
                "  - " + yamlString(layout.data().toString()),
                "commitlog_directory: " + yamlString(layout.root().resolve("commitlog").toString()),
                "saved_caches_directory: " + yamlString(layout.root().resolve("saved_caches").toString()),
                "hints_directory: " + yamlString(layout.root().resolve("hints").toString()),
                "cdc_raw_directory: " + yamlString(layout.root().resolve("cdc_raw").toString()),
                "commitlog_sync: periodic",
                "commitlog_sync_period: 10000ms",
                "commitlog_total_space: 256MiB",
                "# Memory (platform-facts.md: about 1 GB RSS under load with a 512 MB heap; the default heap is 1 GB since",
                "# a 512 MB heap ran out under pool assignment load, docs/performance.md stop 18).",
                "key_cache_size: 16MiB",
                "file_cache_size: 64MiB",
                "memtable_heap_space: 128MiB",
                "memtable_offheap_space: 64MiB",
                "concurrent_compactors: 1",
                "# A development node: no snapshot on DROP/TRUNCATE, no hints (there is no other node).",
                "auto_snapshot: false",
                "hinted_handoff_enabled: false",
                "# A new, single-version store: all Cassandra 5.0 features, no 4.x compatibility needed.",
                "storage_compatibility_mode: NONE",
                "");
    }

    private static String yamlString(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static String logbackXml(Layout layout) {
        String log = xml(layout.systemLog().toString());
        String pattern = xml(layout.logs().resolve("system.log.%i").toString());
        return String.join("\n",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                "<!-- Generated by io.hankyo.node.cassandra.EmbeddedCassandra at every start. -->",
                "<configuration>",
                "  <appender name=\"FILE\" class=\"ch.qos.logback.core.rolling.RollingFileAppender\">",
                "    <file>" + log + "</file>",
                "    <rollingPolicy class=\"ch.qos.logback.core.rolling.FixedWindowRollingPolicy\">",
                "      <fileNamePattern>" + pattern + "</fileNamePattern>",
                "      <minIndex>1</minIndex>",
                "      <maxIndex>5</maxIndex>",
                "    </rollingPolicy>",
                "    <triggeringPolicy class=\"ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy\">",
                "      <maxFileSize>20MB</maxFileSize>",
                "    </triggeringPolicy>",
                "    <encoder>",
                "      <pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern>",
                "    </encoder>",
                "  </appender>",
                "  <root level=\"INFO\">",
                "    <appender-ref ref=\"FILE\"/>",
                "  </root>",
                "</configuration>",
                "");
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String logTails(Layout layout, long systemLogOffset) {
        return "Last lines of " + layout.systemLog() + ":\n" + tail(layout.systemLog(), systemLogOffset, LOG_TAIL_LINES)
                + "\nLast lines of " + layout.stdoutLog() + ":\n" + tail(layout.stdoutLog(), 0, 15);
    }

    private static long sizeOf(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * The last {@code lines} lines written to a file after byte {@code from} (reading at most 64 KiB), or a note why
     * there are none. A file shorter than {@code from} (rolled over) is read from its start.
     */
    static String tail(Path file, long from, int lines) {
        if (!Files.isRegularFile(file)) {
            return "  (no file)";
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            long start = Math.max(length < from ? 0 : from, length - 64 * 1024);
            byte[] bytes = new byte[(int) (length - start)];
            raf.seek(start);
            raf.readFully(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8).strip();
            if (text.isEmpty()) {
                return "  (nothing written by this start)";
            }
            List<String> all = Arrays.asList(text.split("\r?\n"));
            return all.subList(Math.max(0, all.size() - lines), all.size()).stream()
                    .map(l -> "  " + l)
                    .collect(Collectors.joining("\n"));
        } catch (IOException e) {
            return "  (unreadable: " + e + ")";
        }
    }

    // ----------------------------------------------------------------------------------------------- stop helpers

    /** Stops and forgets the fork; caller holds the lock. */
    private void destroyProcess() {
        Process p = process;
        process = null;
        running = false;
        if (p != null) {
            destroy(p);
        }
    }

    /**
     * Closes the fork's standard input (its watchdog then exits the JVM through Cassandra's shutdown hook; the fork
     * ignores SIGTERM, see {@link ForkedCassandraMain}) and sends SIGTERM (what stops a fork started with
     * {@code stop-with-parent=false}), waits up to {@link #STOP_GRACE}, then SIGKILL; returns when the process is gone.
     */
    private static void destroy(Process p) {
        try {
            if (p.isAlive()) {
                try {
                    p.getOutputStream().close();
                } catch (java.io.IOException e) {
                    log.debug("closing the standard input of Cassandra (pid {}) failed: {}", p.pid(), e.toString());
                }
                p.destroy();
                if (!p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("Cassandra (pid {}) did not stop within {} s of SIGTERM; killing it", p.pid(),
                            STOP_GRACE.toSeconds());
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs in the JVM's shutdown. Does not take the lock: a {@link #start()} waiting for CQL holds it, and sees the
     * process die.
     */
    private void stopFromHook() {
        Process p = process;
        if (p != null && p.isAlive()) {
            log.info("JVM shutting down: stopping the embedded Cassandra on {} (pid {})", endpoint(), p.pid());
            destroy(p);
        }
    }

    private void removeShutdownHook() {
        Thread hook = shutdownHook;
        shutdownHook = null;
        if (hook != null && hook != Thread.currentThread()) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down; the hook will find nothing left to stop.
            }
        }
    }

    private void requireStarted() {
        if (!running) {
            throw new IllegalStateException("Embedded Cassandra on " + endpoint() + " is not running");
        }
    }

    // ------------------------------------------------------------------------------------------------- data types

    /** Files and directories under the data directory. */
    record Layout(Path root) {
        Path data() {
            return root.resolve("data");
        }

        Path conf() {
            return root.resolve("conf");
        }

        Path logs() {
            return root.resolve("logs");
        }

        Path yaml() {
            return conf().resolve("cassandra.yaml");
        }

        Path logback() {
            return conf().resolve("logback.xml");
        }

        Path systemLog() {
            return logs().resolve("system.log");
        }

        Path stdoutLog() {
            return logs().resolve("stdout.log");
        }

        void create() throws IOException {
            for (Path dir : List.of(root, data(), conf(), logs(), root.resolve("commitlog"),
                    root.resolve("saved_caches"), root.resolve("hints"), root.resolve("cdc_raw"))) {
                Files.createDirectories(dir);
            }
        }
    }

    /**
     * Thrown by {@link #start()} when Cassandra cannot be started; the message says why and what to do, and includes
     * the tail of Cassandra's log when the forked JVM got as far as writing one.
     */
    public static final class StartupException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /**
         * @param message what went wrong and what to do
         */
        public StartupException(String message) {
            super(message);
        }

        /**
         * @param message what went wrong and what to do
         * @param cause   the underlying failure
         */
        public StartupException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * What to run and where. Build with {@link #defaults()} and the {@code with*} methods, or with
     * {@link #fromConfig(Config)}.
     *
     * @param dataDir         directory of data, commit log, generated config and logs; made absolute
     * @param listenAddress   address Cassandra binds for CQL and inter-node traffic, e.g. {@code "127.0.0.1"}
     * @param nativePort      CQL port, 1..65535
     * @param storagePort     inter-node port, 1..65535, different from {@code nativePort}
     * @param heapMb          heap of the forked JVM in MiB ({@code -Xms}={@code -Xmx}), 256..1024
     * @param libDir          directory holding {@code cassandra-all-*.jar} and its dependencies; made absolute
     * @param javaExecutable  the {@code java} binary (Java 17) that runs Cassandra
     * @param startupTimeout  how long {@link EmbeddedCassandra#start()} waits for CQL; positive
     * @param reuseRunning    when a Cassandra already answers CQL on {@code nativePort}: true = use it (and never stop
     *                        it), false = fail
     * @param jvmOptions      extra options for the forked JVM, after the built-in ones (a later {@code -D} or
     *                        {@code -X} wins), e.g. {@code -Dcassandra.jmx.local.port=7199} to let nodetool connect;
     *                        copied, may be empty
     */
    public record Settings(Path dataDir, String listenAddress, int nativePort, int storagePort, int heapMb,
                           Path libDir, Path javaExecutable, Duration startupTimeout, boolean reuseRunning,
                           List<String> jvmOptions, int nice) {

        /** Smallest heap accepted, MiB. */
        public static final int MIN_HEAP_MB = 256;
        /** Largest heap accepted, MiB. */
        public static final int MAX_HEAP_MB = 1024;
        /** Default CPU priority offset of the fork ({@code nice -n 10}): signalling first, persistence after. */
        public static final int DEFAULT_NICE = 10;

        /**
         * Validates and normalizes.
         *
         * @throws IllegalArgumentException when a value is out of range
         * @throws NullPointerException     when a value is null
         */
        public Settings {
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(listenAddress, "listenAddress");
            Objects.requireNonNull(libDir, "libDir");
            Objects.requireNonNull(javaExecutable, "javaExecutable");
            Objects.requireNonNull(startupTimeout, "startupTimeout");
            jvmOptions = List.copyOf(Objects.requireNonNull(jvmOptions, "jvmOptions"));
            if (listenAddress.isBlank()) {
                throw new IllegalArgumentException("listen-address must not be empty");
            }
            requirePort(nativePort, "native-port");
            requirePort(storagePort, "storage-port");
            if (nativePort == storagePort) {
                throw new IllegalArgumentException("native-port and storage-port must differ, both are "
                        + nativePort);
            }
            if (heapMb < MIN_HEAP_MB || heapMb > MAX_HEAP_MB) {
                throw new IllegalArgumentException("heap-mb must be within " + MIN_HEAP_MB + ".." + MAX_HEAP_MB
                        + ", was " + heapMb);
            }
            if (nice < 0 || nice > 19) {
                throw new IllegalArgumentException("nice must be within 0..19, was " + nice);
            }
            if (startupTimeout.isZero() || startupTimeout.isNegative()) {
                throw new IllegalArgumentException("startup-timeout must be positive, was " + startupTimeout);
            }
            listenAddress = listenAddress.trim();
            dataDir = dataDir.toAbsolutePath().normalize();
            libDir = libDir.toAbsolutePath().normalize();
        }

        private static void requirePort(int port, String name) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(name + " must be within 1..65535, was " + port);
            }
        }

        /**
         * The defaults: data in {@code ./data/cassandra}, 127.0.0.1, CQL 9042, storage 7000, 1 GiB heap,
         * {@link #defaultLibDir()}, {@link #defaultJavaExecutable()}, 120 s start-up timeout, no reuse, no
         * extra JVM options.
         *
         * @return the default settings
         */
        public static Settings defaults() {
            return new Settings(Path.of("data", "cassandra"), "127.0.0.1", 9042, 7000, 1024, defaultLibDir(),
                    defaultJavaExecutable(), Duration.ofSeconds(120), false, List.of(), DEFAULT_NICE);
        }

        /**
         * Reads the {@code hankyo.cassandra.embedded} block (see the class documentation); missing keys take the
         * defaults of {@link #defaults()}, an empty {@code lib-dir} / {@code java-executable} means the default
         * search. {@code enabled} is not read here (see {@link EmbeddedCassandra#isEnabled(Config)}).
         *
         * @param config the application config (root), e.g. {@code ConfigFactory.load()}
         * @return the settings
         * @throws com.typesafe.config.ConfigException when a key has the wrong type
         * @throws IllegalArgumentException            when a value is out of range
         */
        public static Settings fromConfig(Config config) {
            Settings d = defaults();
            if (!config.hasPath(CONFIG_PATH)) {
                return d;
            }
            Config c = config.getConfig(CONFIG_PATH);
            String libDir = c.hasPath("lib-dir") ? c.getString("lib-dir").trim() : "";
            String java = c.hasPath("java-executable") ? c.getString("java-executable").trim() : "";
            return new Settings(
                    c.hasPath("data-dir") ? Path.of(c.getString("data-dir")) : d.dataDir(),
                    c.hasPath("listen-address") ? c.getString("listen-address") : d.listenAddress(),
                    c.hasPath("native-port") ? c.getInt("native-port") : d.nativePort(),
                    c.hasPath("storage-port") ? c.getInt("storage-port") : d.storagePort(),
                    c.hasPath("heap-mb") ? c.getInt("heap-mb") : d.heapMb(),
                    libDir.isEmpty() ? d.libDir() : Path.of(libDir),
                    java.isEmpty() ? d.javaExecutable() : Path.of(java),
                    c.hasPath("startup-timeout") ? c.getDuration("startup-timeout") : d.startupTimeout(),
                    c.hasPath("reuse-running") ? c.getBoolean("reuse-running") : d.reuseRunning(),
                    c.hasPath("jvm-options") ? c.getStringList("jvm-options") : d.jvmOptions(),
                    c.hasPath("nice") ? c.getInt("nice") : d.nice());
        }

        /**
         * The jar directory when none is configured: system property {@value #LIB_PROPERTY}, else environment
         * variable {@value #LIB_ENV}, else the first {@value #LIB_RELATIVE} found in the working directory or one
         * of its parents, else {@code <working dir>/deploy/cassandra/target/lib} (which {@link #start()} will
         * then report as missing).
         *
         * @return an absolute path; not checked for existence
         */
        public static Path defaultLibDir() {
            String property = System.getProperty(LIB_PROPERTY, "").trim();
            if (!property.isEmpty()) {
                return Path.of(property).toAbsolutePath().normalize();
            }
            String env = Optional.ofNullable(System.getenv(LIB_ENV)).orElse("").trim();
            if (!env.isEmpty()) {
                return Path.of(env).toAbsolutePath().normalize();
            }
            Path workingDir = Path.of("").toAbsolutePath();
            for (Path dir = workingDir; dir != null; dir = dir.getParent()) {
                Path candidate = dir.resolve(LIB_RELATIVE);
                if (Files.isDirectory(candidate)) {
                    return candidate.normalize();
                }
            }
            return workingDir.resolve(LIB_RELATIVE);
        }

        /**
         * The {@code java} running this JVM ({@code ProcessHandle.current().info().command()}), else
         * {@code ${java.home}/bin/java}.
         *
         * @return path of a java binary
         */
        public static Path defaultJavaExecutable() {
            return ProcessHandle.current().info().command()
                    .map(Path::of)
                    .filter(Files::isExecutable)
                    .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java"));
        }

        /**
         * @param dir data directory
         * @return a copy with this data directory
         */
        public Settings withDataDir(Path dir) {
            return new Settings(dir, listenAddress, nativePort, storagePort, heapMb, libDir, javaExecutable,
                    startupTimeout, reuseRunning, jvmOptions, nice);
        }

        /**
         * @param address listen and rpc address
         * @return a copy with this address
         */
        public Settings withListenAddress(String address) {
            return new Settings(dataDir, address, nativePort, storagePort, heapMb, libDir, javaExecutable,
                    startupTimeout, reuseRunning, jvmOptions, nice);
        }

        /**
         * @param cqlPort     native (CQL) port
         * @param interNodePort storage port
         * @return a copy with these ports
         */
        public Settings withPorts(int cqlPort, int interNodePort) {
            return new Settings(dataDir, listenAddress, cqlPort, interNodePort, heapMb, libDir, javaExecutable,
                    startupTimeout, reuseRunning, jvmOptions, nice);
        }

        /**
         * @param mb heap in MiB, 256..1024
         * @return a copy with this heap
         */
        public Settings withHeapMb(int mb) {
            return new Settings(dataDir, listenAddress, nativePort, storagePort, mb, libDir, javaExecutable,
                    startupTimeout, reuseRunning, jvmOptions, nice);
        }

        /**
         * @param dir directory of the Cassandra jars
         * @return a copy with this jar directory
         */
        public Settings withLibDir(Path dir) {
            return new Settings(dataDir, listenAddress, nativePort, storagePort, heapMb, dir, javaExecutable,
                    startupTimeout, reuseRunning, jvmOptions, nice);
        }

        /**
         * @param java the java binary
         * @return a copy with this java binary
         */
        public Settings withJavaExecutable(Path java) {
            return new Settings(dataDir, listenAddress, nativePort, storagePort, heapMb, libDir, java,
                    startupTimeout, reuseRunning, jvmOptions, nice);
        }

        /**
         * @param timeout start-up timeout, positive
         * @return a copy with this timeout
         */
        public Settings withStartupTimeout(Duration timeout) {
            return new Settings(dataDir, listenAddress, nativePort, storagePort, heapMb, libDir, javaExecutable,
                    timeout, reuseRunning, jvmOptions, nice);
        }

        /**
         * @param reuse whether to use a Cassandra already answering on the native port
         * @return a copy with this choice
         */
        public Settings withReuseRunning(boolean reuse) {
            return new Settings(dataDir, listenAddress, nativePort, storagePort, heapMb, libDir, javaExecutable,
                    startupTimeout, reuse, jvmOptions, nice);
        }

        /**
         * @param options extra options for the forked JVM (replacing any set before)
         * @return a copy with these options
         */
        public Settings withJvmOptions(List<String> options) {
            return new Settings(dataDir, listenAddress, nativePort, storagePort, heapMb, libDir, javaExecutable,
                    startupTimeout, reuseRunning, options, nice);
        }

        /**
         * @param niceness CPU priority offset of the fork, 0..19 (0 = same priority as this JVM)
         * @return a copy with this priority offset
         */
        public Settings withNice(int niceness) {
            return new Settings(dataDir, listenAddress, nativePort, storagePort, heapMb, libDir, javaExecutable,
                    startupTimeout, reuseRunning, jvmOptions, niceness);
        }
    }
}
