package io.hankyo.node.testing;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Stops the shared {@link TestCassandra} when the JUnit Platform launcher session closes, i.e. after the last test
 * of the run (Surefire and IDEs open one session per test JVM). Registered in
 * {@code META-INF/services/org.junit.platform.launcher.LauncherSessionListener}. Does nothing when no test started
 * Cassandra.
 */
public final class CassandraLauncherSessionListener implements LauncherSessionListener {

    /** Instantiated by the JUnit Platform through {@link java.util.ServiceLoader}. */
    public CassandraLauncherSessionListener() {
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        TestCassandra.stop();
    }
}
