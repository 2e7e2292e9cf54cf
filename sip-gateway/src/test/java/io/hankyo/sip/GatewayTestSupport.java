package io.hankyo.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.ConfigFactory;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import io.hankyo.sip.testing.FakeCallControl;
import io.hankyo.sip.testing.Sipp;
import io.hankyo.sip.testing.SippProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;

/** Shared pieces of the gateway tests: a cipher, settings on a port block, sipp runs, idle checks. */
abstract class GatewayTestSupport {
  static final String TRACKING = "0120123456";
  static final String DESTINATION = "0312345678";
  static final String CALLER = "0311112222";

  static CallerNumberCipher cipher() {
    byte[] key = new byte[32];
    byte[] hash = new byte[32];
    for (int i = 0; i < 32; i++) {
      key[i] = (byte) i;
      hash[i] = (byte) (100 + i);
    }
    return new CallerNumberCipher(Map.of("k1", Base64.getEncoder().encodeToString(key)), "k1",
        Base64.getEncoder().encodeToString(hash));
  }

  /** Settings on {@code gatewayPort} forwarding to the UAS on {@code uasPort}; short timers for tests. */
  static SipGatewaySettings settings(int gatewayPort, int uasPort, String extra) {
    return SipGatewaySettings.fromConfig(ConfigFactory.parseString(
        "hankyo.sip {\n"
            + "  udp-port = " + gatewayPort + "\n"
            + "  tcp-port = " + gatewayPort + "\n"
            + "  outbound-route = \"sip:{number}@127.0.0.1:" + uasPort + "\"\n"
            + "  decision-timeout = 1s\n"
            + "  ring-timeout-margin = 1s\n"
            + "  actor-name = \"sip-gateway-" + gatewayPort + "\"\n"
            + extra + "\n"
            + "}"));
  }

  /** Stops what a gateway test class started, in reverse order; nulls (a failed start) are skipped. */
  static void stopAll(SipGateway gateway, FakeCallControl control, ActorTestKit kit) {
    if (gateway != null) {
      gateway.close();
    }
    if (control != null) {
      control.close();
    }
    if (kit != null) {
      kit.shutdownTestKit();
    }
  }

  static ActorTestKit testKit() {
    return ActorTestKit.create(ConfigFactory.parseString("pekko.loglevel = WARNING"));
  }

  static Path traceDir(String testName) throws Exception {
    Path dir = Path.of("target", "sipp", testName).toAbsolutePath();
    Files.createDirectories(dir);
    return dir;
  }

  /** Waits until the gateway holds no call. */
  static void awaitNoLiveCalls(SipGateway gateway, Duration timeout) throws InterruptedException {
    long until = System.nanoTime() + timeout.toNanos();
    while (gateway.liveCalls() > 0) {
      if (System.nanoTime() > until) {
        fail("gateway still has " + gateway.liveCalls() + " live calls after " + timeout);
      }
      Thread.sleep(10);
    }
  }

  /** Waits until JAIN-SIP holds at most {@code max} transactions. */
  static void awaitTransactionsAtMost(SipGateway gateway, int max, Duration timeout) throws InterruptedException {
    long start = System.nanoTime();
    long until = start + timeout.toNanos();
    boolean told = false;
    while (gateway.openTransactions() > max) {
      if (!told && System.nanoTime() - start > 1_000_000_000L) {
        told = true; // the gateway releases its transactions itself: one still held after 1 s is worth a line
        System.err.println("SLOW-TX-RELEASE " + describeTransactions(gateway));
      }
      if (System.nanoTime() > until) {
        fail("gateway still holds " + gateway.openTransactions() + " SIP transactions after " + timeout + ": "
            + describeTransactions(gateway));
      }
      Thread.sleep(20);
    }
  }

  /**
   * The transactions JAIN-SIP still holds, as "client|server METHOD state branch" (read from the stack's protected
   * tables by reflection: test diagnostics only).
   */
  static String describeTransactions(SipGateway gateway) {
    List<String> out = new ArrayList<>();
    for (String table : List.of("clientTransactionTable", "serverTransactionTable")) {
      try {
        java.lang.reflect.Field f =
            gov.nist.javax.sip.stack.SIPTransactionStack.class.getDeclaredField(table);
        f.setAccessible(true);
        Map<?, ?> map = (Map<?, ?>) f.get(gateway.kit.stack);
        for (Object o : map.values()) {
          gov.nist.javax.sip.stack.SIPTransaction tx = (gov.nist.javax.sip.stack.SIPTransaction) o;
          out.add(table.substring(0, 6) + " " + tx.getMethod() + " " + tx.getState() + " " + tx.getBranchId()
              + " " + tx.getOriginalRequest().getFirstLine().trim());
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        out.add(table + ": " + e);
      }
    }
    return out.toString();
  }

  /** Runs a UAS then a UAC to completion; both must exit 0 (messages of both on failure). */
  static final class CallRun implements AutoCloseable {
    final List<SippProcess> processes = new ArrayList<>();

    SippProcess start(Sipp.Builder builder, boolean listening) throws Exception {
      SippProcess p = builder.start();
      processes.add(p);
      if (listening) {
        p.awaitListening(Duration.ofSeconds(5));
      }
      return p;
    }

    static void assertExit(int expected, SippProcess p, Duration timeout) throws Exception {
      assertEquals(expected, p.waitFor(timeout), () -> p.describe());
    }

    @Override
    public void close() {
      processes.forEach(SippProcess::close);
    }
  }

  /** A sipp builder for a scenario with the usual local IP, a trace dir and a timeout. */
  static Sipp.Builder sipp(String scenario, int port, Path dir, UnaryOperator<Sipp.Builder> more) {
    return more.apply(Sipp.scenario(scenario).localPort(port).traceDir(dir).timeout(Duration.ofSeconds(20)));
  }
}
