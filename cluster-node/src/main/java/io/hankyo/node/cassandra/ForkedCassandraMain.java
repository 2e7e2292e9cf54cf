package io.hankyo.node.cassandra;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;

/**
 * Main class of the forked Cassandra JVM that {@link EmbeddedCassandra} starts: a parent-death watchdog in front of
 * {@code org.apache.cassandra.service.CassandraDaemon}.
 *
 * <p>The parent keeps the child's standard input open as a pipe and never writes to it. When the parent JVM dies
 * without stopping Cassandra (kill -9, IDE "stop", a crashed test JVM), the operating system closes that pipe, this
 * class reads end-of-file and calls {@code System.exit(0)}, which runs Cassandra's own shutdown hook (drain, flush),
 * so no orphaned Cassandra keeps the ports and the data directory (unless {@value #STOP_WITH_PARENT} is false).
 * Closing the pipe is also how the parent stops it on purpose: SIGINT and SIGTERM are ignored (see
 * {@link #ignoreStopSignals()}), so a signal to the whole process group cannot stop Cassandra before the node.
 *
 * <p>This class runs on the forked JVM's class path ({@code <lib>/*} followed by the location of this class) and so
 * must not use anything but the JDK: Cassandra is reached by reflection, and it logs to standard error only (which
 * the parent redirects to {@code <data-dir>/logs/stdout.log}).
 */
public final class ForkedCassandraMain {

    /**
     * System property: {@code false} turns the watchdog off, so that Cassandra outlives a killed parent (e.g. to
     * {@code kill -9} the node that owns Cassandra in a fail-over drill while the other nodes keep using it). Set it
     * with {@code hankyo.cassandra.embedded.jvm-options = ["-Dhankyo.cassandra.stop-with-parent=false"]}.
     */
    public static final String STOP_WITH_PARENT = "hankyo.cassandra.stop-with-parent";

    /** Fully qualified name of the class whose {@code main} is delegated to. */
    static final String CASSANDRA_DAEMON = "org.apache.cassandra.service.CassandraDaemon";

    private ForkedCassandraMain() {
    }

    /**
     * Starts the watchdog thread (unless {@value #STOP_WITH_PARENT} is {@code false}), then runs
     * {@code CassandraDaemon.main(args)} in this thread.
     *
     * @param args passed unchanged to {@code CassandraDaemon.main}
     * @throws Throwable whatever {@code CassandraDaemon.main} throws (it normally returns after start-up and the JVM
     *                   lives on in Cassandra's non-daemon threads)
     */
    public static void main(String[] args) throws Throwable {
        if (Boolean.parseBoolean(System.getProperty(STOP_WITH_PARENT, "true"))) {
            ignoreStopSignals();
            Thread watchdog = new Thread(ForkedCassandraMain::exitWhenParentGone, "hankyo-parent-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }
        try {
            Class.forName(CASSANDRA_DAEMON).getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * Ctrl-C in a terminal sends SIGINT to the whole foreground process group, this fork included, and
     * {@code kill -TERM -- -<pgid>} or a service manager's stop sends SIGTERM to every process of the group or cgroup.
     * The fork must not die before the node has drained its calls and flushed its journal writes (a node whose
     * Cassandra went first loses its last writes, e.g. the release of a {@code seq_num} block): it ignores both
     * signals and stops when the parent closes its standard input ({@code EmbeddedCassandra} stopping it) or goes away
     * (the operating system closes the pipe). SIGKILL still kills it.
     */
    @SuppressWarnings("removal")
    private static void ignoreStopSignals() {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> System.err.println(
                        "[hankyo] SIG" + name + " ignored: Cassandra stops when the node that started it does"));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                System.err.println("[hankyo] cannot ignore SIG" + name + ": " + e);
            }
        }
    }

    private static void exitWhenParentGone() {
        byte[] buffer = new byte[256];
        InputStream in = System.in;
        try {
            while (in.read(buffer) >= 0) {
                // The parent never writes; anything read is ignored.
            }
        } catch (IOException e) {
            // A broken pipe means the same as end-of-file: the parent is gone.
        }
        System.err.println("[hankyo-parent-watchdog] standard input closed (the parent JVM stopped Cassandra or is "
                + "gone): shutting down");
        System.exit(0);
    }
}
