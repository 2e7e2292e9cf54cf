package io.hankyo.node.notify;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Random;

/**
 * When a failed webhook is retried (issue 4: "retried with exponential backoff and jitter for at least 24 h"). Pure;
 * deterministic given the {@link Random}.
 *
 * <p><b>Which results are retried</b> ({@link #classify}): 2xx is delivered; network errors, timeouts, 408, 429 and
 * every 5xx are retried; any other status (1xx, 3xx — redirects are not followed for a signed POST — and the other
 * 4xx) is final: the delivery gives up at once and the log says why.
 *
 * <p><b>Backoff</b> ({@link #backoff}): "full jitter": after the n-th failed attempt (n ≥ 1) the delay is uniform in
 * [0, min(cap, base · 2^(n-1))). With the defaults (base 10 s, cap 1 h) the ceilings are 10 s, 20 s, 40 s, … 2560 s,
 * then 1 h for every later attempt. A {@code Retry-After} of a 429/503 (seconds or an HTTP date) is honoured: the
 * delay is at least that long, but at most {@link #maxRetryAfter()}.
 *
 * <p><b>Horizon</b> ({@link #nextAttemptAt}): the delivery gives up once {@link #giveUpAfter()} has passed since its
 * first attempt; a retry that would fall later is moved to the horizon itself, so the last attempt is made exactly at
 * first attempt + {@code giveUpAfter} (retries span at least that long, never less).
 *
 * @param base the backoff's first ceiling (positive)
 * @param cap the largest ceiling (≥ base)
 * @param giveUpAfter the horizon, measured from the first attempt (default 24 h, issue 4's minimum)
 * @param maxRetryAfter the longest {@code Retry-After} honoured
 */
public record RetryPolicy(Duration base, Duration cap, Duration giveUpAfter, Duration maxRetryAfter) {
  /** Checks the durations. */
  public RetryPolicy {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(cap, "cap");
    Objects.requireNonNull(giveUpAfter, "giveUpAfter");
    Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
    if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0 || giveUpAfter.isNegative() || giveUpAfter.isZero() || maxRetryAfter.isNegative()) {
      throw new IllegalArgumentException("need base > 0, cap >= base, giveUpAfter > 0, maxRetryAfter >= 0");
    }
  }

  /** Base 10 s, cap 1 h, give up 24 h after the first attempt, Retry-After honoured up to 1 h. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(Duration.ofSeconds(10), Duration.ofHours(1), Duration.ofHours(24), Duration.ofHours(1));
  }

  /** How an attempt's result is treated. */
  public enum Verdict {
    /** 2xx: delivered. */
    DELIVERED,
    /** Network error, timeout, 408, 429, 5xx: try again later. */
    RETRY,
    /** Any other status: give up now. */
    FINAL
  }

  /** The verdict on one attempt's result (see the class comment). */
  public static Verdict classify(AttemptResult result) {
    if (result instanceof AttemptResult.Response r) {
      int s = r.status();
      if (s >= 200 && s < 300) {
        return Verdict.DELIVERED;
      }
      if (s == 408 || s == 429 || (s >= 500 && s < 600)) {
        return Verdict.RETRY;
      }
      return Verdict.FINAL;
    }
    if (result instanceof AttemptResult.Refused) {
      return Verdict.FINAL;
    }
    return Verdict.RETRY;
  }

  /** The ceiling after the {@code failures}-th failure: min(cap, base · 2^(failures-1)). */
  public Duration ceiling(int failures) {
    if (failures < 1) {
      throw new IllegalArgumentException("failures must be at least 1: " + failures);
    }
    int shift = Math.min(failures - 1, 40);
    long ms = base.toMillis();
    long scaled = ms > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : ms << shift;
    return Duration.ofMillis(Math.min(cap.toMillis(), scaled));
  }

  /** A delay after the {@code failures}-th failure: uniform in [0, {@link #ceiling}) milliseconds. */
  public Duration backoff(int failures, Random random) {
    long ceilingMs = ceiling(failures).toMillis();
    return Duration.ofMillis(ceilingMs <= 0 ? 0 : (long) (random.nextDouble() * ceilingMs));
  }

  /**
   * When to try again, or null to give up (the horizon has passed).
   *
   * @param firstAttemptAt when the delivery's first attempt (or its redelivery's) was made
   * @param now when the failed attempt finished
   * @param failures how many attempts have failed so far (≥ 1)
   * @param retryAfter the receiver's {@code Retry-After} (see {@link #parseRetryAfter}), null when none
   * @param random the jitter's source
   */
  public Instant nextAttemptAt(
      Instant firstAttemptAt, Instant now, int failures, Duration retryAfter, Random random) {
    Instant horizon = firstAttemptAt.plus(giveUpAfter);
    if (!now.isBefore(horizon)) {
      return null;
    }
    Duration delay = backoff(failures, random);
    if (retryAfter != null && !retryAfter.isNegative()) {
      Duration honoured = retryAfter.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : retryAfter;
      if (honoured.compareTo(delay) > 0) {
        delay = honoured;
      }
    }
    Instant at = now.plus(delay);
    return at.isAfter(horizon) ? horizon : at;
  }

  /**
   * A {@code Retry-After} header value as a delay from {@code now}: delta-seconds ({@code 120}) or an HTTP date
   * ({@code Wed, 21 Oct 2026 07:28:00 GMT}, RFC 9110 section 10.2.3); null when absent or unreadable; zero for a date
   * in the past.
   */
  public static Duration parseRetryAfter(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim();
    try {
      long seconds = Long.parseLong(v);
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
      } catch (DateTimeParseException notADate) {
        return null;
      }
    }
  }
}
