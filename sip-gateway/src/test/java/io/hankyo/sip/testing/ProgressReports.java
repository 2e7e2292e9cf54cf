package io.hankyo.sip.testing;

import io.hankyo.protocol.call.CallProgress;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/** Waiting for the gateway's progress reports that a fake call control collects (tests only). */
public final class ProgressReports {
  private ProgressReports() {}

  /**
   * Waits until {@code progress} (a thread-safe collection the fake fills) holds a report of {@code type} matching
   * {@code p}, polling every 10 ms.
   *
   * @throws TimeoutException naming what was expected and what arrived, after {@code timeout}
   */
  public static <T extends CallProgress> T await(
      Collection<CallProgress> progress, Class<T> type, Predicate<T> p, Duration timeout)
      throws InterruptedException, TimeoutException {
    long until = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<T> found = progress.stream().filter(type::isInstance).map(type::cast).filter(p).findFirst();
      if (found.isPresent()) {
        return found.get();
      }
      if (System.nanoTime() > until) {
        throw new TimeoutException("no " + type.getSimpleName() + " within " + timeout + "; got " + progress);
      }
      Thread.sleep(10);
    }
  }
}
