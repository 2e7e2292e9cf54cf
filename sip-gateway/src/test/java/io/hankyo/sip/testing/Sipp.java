package io.hankyo.sip.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs sipp (Debian package {@code sip-tester}, 3.6.x) as a child process from tests.
 *
 * <pre>{@code
 * try (SippProcess uas = Sipp.scenario("uas.xml").localPort(15071).calls(1).traceDir(dir).start();
 *      SippProcess uac = Sipp.scenario("uac.xml").localPort(15072).remote("127.0.0.1:15070")
 *          .service("0120123456").key("caller", "0311112222").calls(1).pause(Duration.ofSeconds(1))
 *          .traceDir(dir).start()) {
 *   uas.awaitListening(Duration.ofSeconds(5));   // call before starting the UAC in real code
 *   assertEquals(0, uac.waitFor(Duration.ofSeconds(20)), uac.describe());
 * }
 * }</pre>
 *
 * Scenarios are found in {@code deploy/sipp} by walking up from the working directory (override with system property
 * {@code hankyo.sipp.dir}); the binary is {@code sipp} on the PATH (override with {@code hankyo.sipp.bin}).
 */
public final class Sipp {
  private Sipp() {}

  /** The {@code deploy/sipp} directory. @throws IllegalStateException when it cannot be found */
  public static Path scenarioDir() {
    String override = System.getProperty("hankyo.sipp.dir");
    if (override != null && !override.isBlank()) {
      return Paths.get(override).toAbsolutePath();
    }
    Path dir = Paths.get("").toAbsolutePath();
    while (dir != null) {
      Path candidate = dir.resolve("deploy").resolve("sipp");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("deploy/sipp not found above " + Paths.get("").toAbsolutePath()
        + " (set -Dhankyo.sipp.dir)");
  }

  /** A scenario file of {@code deploy/sipp}, e.g. {@code "uac.xml"}. */
  public static Path scenarioFile(String name) {
    Path p = scenarioDir().resolve(name);
    if (!Files.isRegularFile(p)) {
      throw new IllegalArgumentException("no sipp scenario " + p);
    }
    return p;
  }

  /** The sipp executable (property {@code hankyo.sipp.bin}, default {@code sipp}). */
  public static String executable() {
    String bin = System.getProperty("hankyo.sipp.bin");
    return bin == null || bin.isBlank() ? "sipp" : bin;
  }

  /** True when the sipp executable can be run. */
  public static boolean available() {
    try {
      Process p = new ProcessBuilder(executable(), "-v").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() >= 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A builder for a scenario of {@code deploy/sipp}. */
  public static Builder scenario(String name) {
    return new Builder(scenarioFile(name));
  }

  /** A builder for any scenario file. */
  public static Builder scenario(Path file) {
    return new Builder(file);
  }

  /** sipp transport modes ({@code -t}). */
  public enum Transport {
    /** UDP, one socket ({@code u1}). */
    UDP("u1"),
    /** TCP, one socket ({@code t1}). */
    TCP("t1");

    final String flag;

    Transport(String flag) {
      this.flag = flag;
    }
  }

  /** Builds the command line. Every setter returns this builder. */
  public static final class Builder {
    private final Path scenario;
    private String localIp = "127.0.0.1";
    private int localPort;
    private String remote;
    private String service;
    private final Map<String, String> keys = new LinkedHashMap<>();
    private int calls = 1;
    private Duration pause;
    private Transport transport = Transport.UDP;
    private Path traceDir;
    private String label;
    private Duration timeout = Duration.ofSeconds(30);
    private boolean traceMessages;
    private boolean traceStats;
    private Double rate;
    private Path injectionFile;
    private final List<String> extra = new ArrayList<>();

    Builder(Path scenario) {
      this.scenario = Objects.requireNonNull(scenario);
    }

    /** {@code -i}: local IP for Via/Contact (default 127.0.0.1). */
    public Builder localIp(String ip) {
      this.localIp = ip;
      return this;
    }

    /** {@code -p}: local SIP port (0 = sipp picks). */
    public Builder localPort(int port) {
      this.localPort = port;
      return this;
    }

    /** Remote {@code host:port} (the gateway, for a UAC). */
    public Builder remote(String hostPort) {
      this.remote = hostPort;
      return this;
    }

    /** {@code -s}: the dialled number ({@code [service]}). */
    public Builder service(String number) {
      this.service = number;
      return this;
    }

    /** {@code -key name value}: a {@code [name]} keyword of the scenario, e.g. {@code caller}. */
    public Builder key(String name, String value) {
      keys.put(name, value);
      return this;
    }

    /** {@code -m}: stop after this many calls (default 1). */
    public Builder calls(int n) {
      this.calls = n;
      return this;
    }

    /** {@code -r}: calls per second. */
    public Builder rate(double callsPerSecond) {
      this.rate = callsPerSecond;
      return this;
    }

    /** {@code -inf}: a CSV injection file ({@code [field0]}, {@code [field1]}, ...), e.g. {@code callers.csv}. */
    public Builder inf(Path csv) {
      this.injectionFile = csv;
      return this;
    }

    /** {@code -d}: the length of {@code <pause/>} without its own duration (talk or ring time). */
    public Builder pause(Duration d) {
      this.pause = d;
      return this;
    }

    /** {@code -t}: UDP (default) or TCP. */
    public Builder transport(Transport t) {
      this.transport = t;
      return this;
    }

    /**
     * Where stdout/stderr and the trace files go (created if missing). Without it a temporary directory is used.
     */
    public Builder traceDir(Path dir) {
      this.traceDir = dir;
      return this;
    }

    /** File name prefix of this run's files (default: scenario name and local port). */
    public Builder label(String label) {
      this.label = label;
      return this;
    }

    /** {@code -timeout N -timeout_error}: sipp fails if it has not finished by then (default 30 s). */
    public Builder timeout(Duration d) {
      this.timeout = d;
      return this;
    }

    /** {@code -trace_msg}: log every message sent and received (see {@link SippProcess#messages()}). */
    public Builder traceMessages() {
      this.traceMessages = true;
      return this;
    }

    /** {@code -trace_stat}: statistics CSV (see {@link SippProcess#statsFile()}). */
    public Builder traceStats() {
      this.traceStats = true;
      return this;
    }

    /** Extra raw arguments. */
    public Builder arg(String... args) {
      extra.addAll(List.of(args));
      return this;
    }

    /** The command line this builder makes (files under {@code dir}, named with {@code prefix}). */
    List<String> command(Path dir, String prefix) {
      List<String> cmd = new ArrayList<>();
      cmd.add(executable());
      cmd.add("-sf");
      cmd.add(scenario.toString());
      cmd.add("-i");
      cmd.add(localIp);
      if (localPort > 0) {
        cmd.add("-p");
        cmd.add(Integer.toString(localPort));
      }
      cmd.add("-t");
      cmd.add(transport.flag);
      cmd.add("-m");
      cmd.add(Integer.toString(calls));
      if (rate != null) {
        cmd.add("-r");
        cmd.add(Double.toString(rate));
      }
      if (service != null) {
        cmd.add("-s");
        cmd.add(service);
      }
      if (injectionFile != null) {
        cmd.add("-inf");
        cmd.add(injectionFile.toAbsolutePath().toString());
      }
      keys.forEach((k, v) -> {
        cmd.add("-key");
        cmd.add(k);
        cmd.add(v);
      });
      if (pause != null) {
        cmd.add("-d");
        cmd.add(Long.toString(pause.toMillis()));
      }
      cmd.add("-nostdin");
      cmd.add("-trace_err");
      cmd.add("-error_file");
      cmd.add(dir.resolve(prefix + "-errors.log").toString());
      if (traceMessages) {
        cmd.add("-trace_msg");
        cmd.add("-message_file");
        cmd.add(dir.resolve(prefix + "-messages.log").toString());
      }
      if (traceStats) {
        cmd.add("-trace_stat");
        cmd.add("-stf");
        cmd.add(dir.resolve(prefix + "-stat.csv").toString());
      }
      if (timeout != null) {
        cmd.add("-timeout");
        cmd.add(Math.max(1, timeout.toSeconds()) + "s");
        cmd.add("-timeout_error");
      }
      cmd.addAll(extra);
      if (remote != null) {
        cmd.add(remote);
      }
      return cmd;
    }

    /**
     * Starts sipp.
     *
     * @throws IOException when the process cannot start (sipp missing)
     */
    public SippProcess start() throws IOException {
      Path dir = (traceDir != null ? traceDir : Files.createTempDirectory("sipp")).toAbsolutePath();
      Files.createDirectories(dir);
      String scenarioName = scenario.getFileName().toString().replaceFirst("\\.xml$", "");
      String prefix = label != null ? label : scenarioName + "-" + (localPort > 0 ? localPort : System.nanoTime());
      List<String> cmd = command(dir, prefix);
      Path out = dir.resolve(prefix + "-stdout.log");
      Path err = dir.resolve(prefix + "-stderr.log");
      Process p = new ProcessBuilder(cmd)
          .directory(dir.toFile())
          .redirectOutput(out.toFile())
          .redirectError(err.toFile())
          .start();
      return new SippProcess(p, cmd, dir, prefix, localPort, transport);
    }
  }
}
