package io.hankyo.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.node.notify.RetryPolicy.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Backoff, jitter, horizon and classification of {@link RetryPolicy} (issue 4). */
class RetryPolicyTest {
  private static final RetryPolicy P = RetryPolicy.defaults();
  private static final Instant T0 = Instant.parse("2026-04-01T00:00:00Z");

  @Test
  void ceilingsDoubleFromTenSecondsUpToOneHour() {
    List<Long> seconds = new ArrayList<>();
    for (int n = 1; n <= 12; n++) {
      seconds.add(P.ceiling(n).toSeconds());
    }
    assertEquals(List.of(10L, 20L, 40L, 80L, 160L, 320L, 640L, 1280L, 2560L, 3600L, 3600L, 3600L), seconds);
    assertEquals(Duration.ofHours(1), P.ceiling(10_000), "no overflow for huge attempt counts");
    assertThrows(IllegalArgumentException.class, () -> P.ceiling(0));
  }

  @Test
  void fullJitterStaysWithinBoundsAndSpreads() {
    Random r = new Random(42);
    for (int n = 1; n <= 15; n++) {
      long min = Long.MAX_VALUE;
      long max = 0;
      for (int i = 0; i < 200; i++) {
        long ms = P.backoff(n, r).toMillis();
        assertTrue(ms >= 0 && ms < P.ceiling(n).toMillis(), "attempt " + n + ": " + ms);
        min = Math.min(min, ms);
        max = Math.max(max, ms);
      }
      // Full jitter: the draws cover most of [0, ceiling).
      assertTrue(min < P.ceiling(n).toMillis() / 4 && max > P.ceiling(n).toMillis() * 3 / 4, "spread at " + n);
    }
  }

  @Test
  void deterministicGivenTheRandom() {
    List<Duration> a = new ArrayList<>();
    List<Duration> b = new ArrayList<>();
    Random ra = new Random(7);
    Random rb = new Random(7);
    for (int n = 1; n <= 10; n++) {
      a.add(P.backoff(n, ra));
      b.add(P.backoff(n, rb));
    }
    assertEquals(a, b);
    assertNotEquals(a.get(9), P.backoff(10, new Random(8)));
  }

  /** Failing forever: attempts go on for 24 h, the last one exactly at the horizon, then it gives up. */
  @Test
  void retriesSpanAtLeastTwentyFourHoursThenGiveUp() {
    Random r = new Random(1);
    Instant now = T0;
    int failures = 0;
    List<Instant> attempts = new ArrayList<>(List.of(T0));
    while (true) {
      failures++;
      Instant next = P.nextAttemptAt(T0, now, failures, null, r);
      if (next == null) {
        break;
      }
      assertTrue(next.isAfter(now) || next.equals(now));
      assertTrue(!next.isAfter(T0.plus(Duration.ofHours(24))), "never beyond the horizon");
      attempts.add(next);
      now = next;
    }
    assertEquals(T0.plus(Duration.ofHours(24)), attempts.get(attempts.size() - 1), "last attempt at the horizon");
    // With a 1 h cap and full jitter (mean 30 min) a day holds a few dozen attempts.
    assertTrue(attempts.size() > 20 && attempts.size() < 200, "attempts: " + attempts.size());
    assertNull(P.nextAttemptAt(T0, T0.plus(Duration.ofHours(24)), 3, null, r));
  }

  @Test
  void configurableHorizon() {
    RetryPolicy twoDays = new RetryPolicy(Duration.ofSeconds(10), Duration.ofHours(1), Duration.ofHours(48),
        Duration.ofHours(1));
    Instant late = T0.plus(Duration.ofHours(30));
    assertNull(P.nextAttemptAt(T0, late, 30, null, new Random(1)));
    Instant next = twoDays.nextAttemptAt(T0, late, 30, null, new Random(1));
    assertTrue(next != null && !next.isBefore(late));
  }

  @Test
  void retryAfterIsHonouredUpToItsMaximum() {
    Random r = new Random(3);
    // After the first failure the backoff is below 10 s; Retry-After 120 s wins.
    assertEquals(T0.plusSeconds(120), P.nextAttemptAt(T0, T0, 1, Duration.ofSeconds(120), r));
    // More than the 1 h maximum: capped at 1 h.
    assertEquals(T0.plus(Duration.ofHours(1)), P.nextAttemptAt(T0, T0, 1, Duration.ofHours(5), r));
    // Near the horizon: moved to the horizon.
    Instant late = T0.plus(Duration.ofHours(23).plusMinutes(50));
    assertEquals(T0.plus(Duration.ofHours(24)), P.nextAttemptAt(T0, late, 5, Duration.ofMinutes(30), r));
  }

  @Test
  void parsesRetryAfter() {
    assertEquals(Duration.ofSeconds(120), RetryPolicy.parseRetryAfter(" 120 ", T0));
    assertEquals(Duration.ofSeconds(90),
        RetryPolicy.parseRetryAfter("Wed, 01 Apr 2026 00:01:30 GMT", T0));
    assertEquals(Duration.ZERO, RetryPolicy.parseRetryAfter("Tue, 31 Mar 2026 00:00:00 GMT", T0));
    assertNull(RetryPolicy.parseRetryAfter(null, T0));
    assertNull(RetryPolicy.parseRetryAfter("soon", T0));
    assertNull(RetryPolicy.parseRetryAfter("-5", T0));
  }

  @Test
  void classifiesResults() {
    for (int s : new int[] {200, 201, 202, 204, 299}) {
      assertEquals(Verdict.DELIVERED, RetryPolicy.classify(new AttemptResult.Response(s, null, 1)), "" + s);
    }
    for (int s : new int[] {408, 429, 500, 502, 503, 504, 599}) {
      assertEquals(Verdict.RETRY, RetryPolicy.classify(new AttemptResult.Response(s, null, 1)), "" + s);
    }
    for (int s : new int[] {100, 301, 302, 400, 401, 403, 404, 405, 410, 413, 422}) {
      assertEquals(Verdict.FINAL, RetryPolicy.classify(new AttemptResult.Response(s, null, 1)), "" + s);
    }
    assertEquals(Verdict.RETRY, RetryPolicy.classify(new AttemptResult.Failure("ConnectException", false, 3)));
    assertEquals(Verdict.RETRY, RetryPolicy.classify(new AttemptResult.Failure("timeout", true, 10_000)));
  }
}
