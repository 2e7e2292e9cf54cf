package io.hankyo.sip.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running sipp started by {@link Sipp.Builder#start()}. Close it to make sure the process is gone (it is destroyed
 * if still running; only this child process, by its handle).
 *
 * <p>sipp exit codes: 0 all calls succeeded, 1 at least one call failed, 97 exit on internal command, 99 normal exit
 * without calls processed, 255 fatal error (bad arguments, port taken, scenario error).
 */
public final class SippProcess implements AutoCloseable {
  private final Process process;
  private final List<String> command;
  private final Path dir;
  private final String prefix;
  private final int localPort;
  private final Sipp.Transport transport;

  SippProcess(Process process, List<String> command, Path dir, String prefix, int localPort,
      Sipp.Transport transport) {
    this.process = process;
    this.command = List.copyOf(command);
    this.dir = dir;
    this.prefix = prefix;
    this.localPort = localPort;
    this.transport = transport;
  }

  /** The OS process id. */
  public long pid() {
    return process.pid();
  }

  /** The command line. */
  public List<String> command() {
    return command;
  }

  /** True while sipp runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Waits for sipp to exit.
   *
   * @return the exit code
   * @throws TimeoutException when it is still running after {@code timeout} (it is left running; close() ends it)
   */
  public int waitFor(Duration timeout) throws TimeoutException, InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new TimeoutException("sipp still running after " + timeout + "\n" + describe());
    }
    return process.exitValue();
  }

  /**
   * Waits until sipp's SIP socket is bound (reads /proc/net/udp[6] or tcp[6] for the local port), so a UAC started
   * next does not race a UAS that is not listening yet. Falls back to a short sleep where /proc is missing.
   *
   * @throws TimeoutException when the port does not show up in time, or sipp exited
   */
  public void awaitListening(Duration timeout) throws TimeoutException, InterruptedException {
    if (localPort <= 0) {
      Thread.sleep(300);
      return;
    }
    String kind = transport == Sipp.Transport.TCP ? "tcp" : "udp";
    Path v4 = Path.of("/proc/net/" + kind);
    Path v6 = Path.of("/proc/net/" + kind + "6");
    if (!Files.isReadable(v4)) {
      Thread.sleep(300);
      return;
    }
    String hexPort = String.format(Locale.ROOT, ":%04X ", localPort);
    long until = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < until) {
      if (!process.isAlive()) {
        throw new TimeoutException("sipp exited (" + process.exitValue() + ") before listening\n" + describe());
      }
      if (contains(v4, hexPort) || contains(v6, hexPort)) {
        return;
      }
      Thread.sleep(20);
    }
    throw new TimeoutException("sipp not listening on " + kind + " port " + localPort + "\n" + describe());
  }

  private static boolean contains(Path table, String hexPort) {
    try {
      for (String line : Files.readAllLines(table)) {
        String[] cols = line.trim().split("\\s+");
        if (cols.length > 1 && (cols[1] + " ").endsWith(hexPort)) {
          return true;
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  /** The directory of this run's files. */
  public Path dir() {
    return dir;
  }

  /** sipp's stdout (its screen). */
  public String stdout() {
    return read(dir.resolve(prefix + "-stdout.log"));
  }

  /** sipp's stderr. */
  public String stderr() {
    return read(dir.resolve(prefix + "-stderr.log"));
  }

  /** Unexpected messages and errors ({@code -trace_err}); empty when none. */
  public String errors() {
    return read(dir.resolve(prefix + "-errors.log"));
  }

  /** Every message sent and received ({@code -trace_msg}); empty unless enabled. */
  public String messages() {
    return read(dir.resolve(prefix + "-messages.log"));
  }

  /** The statistics CSV ({@code -trace_stat}). */
  public Path statsFile() {
    return dir.resolve(prefix + "-stat.csv");
  }

  /** A summary for assertion messages: command, exit state, stderr, errors and the end of stdout. */
  public String describe() {
    String out = stdout();
    String state = process.isAlive() ? "running" : "exit " + process.exitValue();
    return "sipp " + String.join(" ", command) + "\n  [" + state + "]"
        + "\n  stderr: " + stderr().strip()
        + "\n  errors: " + tail(errors(), 3000)
        + "\n  stdout (end): " + tail(out, 1500);
  }

  private static String tail(String s, int n) {
    return s.length() <= n ? s : "..." + s.substring(s.length() - n);
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "";
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /** Ends sipp if it still runs (SIGTERM, then SIGKILL after 2 s) and waits for it. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(2, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(2, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
