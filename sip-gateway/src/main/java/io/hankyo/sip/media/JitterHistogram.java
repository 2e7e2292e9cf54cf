package io.hankyo.sip.media;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * A small, lock-free histogram of send lateness in microseconds: how long after its intended instant a paced
 * packet actually left. Fixed buckets (upper bounds 10 µs ... 100 ms, then one open bucket), so percentiles are the
 * upper bound of the bucket they fall in: an overestimate by at most one bucket step. Thread-safe; recording is two
 * atomic increments.
 */
public final class JitterHistogram {
  private static final long[] BOUNDS = {10, 20, 50, 100, 200, 300, 500, 750, 1_000, 1_500, 2_000, 3_000, 4_000,
      5_000, 7_500, 10_000, 15_000, 20_000, 30_000, 50_000, 100_000};

  private final AtomicLongArray counts = new AtomicLongArray(BOUNDS.length + 1);
  private final LongAccumulator max = new LongAccumulator(Math::max, 0);

  /** Records one sample; negative values (early sends) count as 0. */
  public void record(long micros) {
    long v = Math.max(0, micros);
    int i = 0;
    while (i < BOUNDS.length && v > BOUNDS[i]) {
      i++;
    }
    counts.incrementAndGet(i);
    max.accumulate(v);
  }

  /** Number of samples recorded. */
  public long count() {
    long n = 0;
    for (int i = 0; i < counts.length(); i++) {
      n += counts.get(i);
    }
    return n;
  }

  /**
   * The {@code p}-th percentile in µs: the upper bound of the bucket holding it (the maximum seen, for the open
   * bucket above 100 ms); 0 when nothing was recorded.
   *
   * @param p 0 < p <= 100
   */
  public long percentileMicros(double p) {
    if (!(p > 0 && p <= 100)) {
      throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
    }
    long total = count();
    if (total == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(total * p / 100.0);
    long seen = 0;
    for (int i = 0; i < counts.length(); i++) {
      seen += counts.get(i);
      if (seen >= rank) {
        return i < BOUNDS.length ? Math.min(BOUNDS[i], maxMicros()) : maxMicros();
      }
    }
    return maxMicros();
  }

  /**
   * The upper bounds of the fixed buckets in µs, ascending; bucket {@code i} counts samples in
   * {@code (bounds[i-1], bounds[i]]}, and one more bucket, index {@code bounds.length}, the samples above the last.
   */
  public static long[] bucketBoundsMicros() {
    return BOUNDS.clone();
  }

  /**
   * Samples recorded in bucket {@code i} (see {@link #bucketBoundsMicros()}; {@code i == bounds.length} is the open
   * bucket). For exporting the histogram as counters, so that a reader can take the difference of two scrapes.
   */
  public long bucketCount(int i) {
    return counts.get(i);
  }

  /** The 99th percentile in µs (see {@link #percentileMicros}). */
  public long p99Micros() {
    return percentileMicros(99);
  }

  /** The largest sample in µs. */
  public long maxMicros() {
    return max.get();
  }

  /**
   * Forgets every sample, e.g. to measure a window after warm-up. Not atomic against concurrent
   * {@link #record} calls: a sample recorded during the reset may be lost or kept.
   */
  public void reset() {
    for (int i = 0; i < counts.length(); i++) {
      counts.set(i, 0);
    }
    max.reset();
  }

  @Override
  public String toString() {
    return "JitterHistogram[n=" + count() + ", p50=" + (count() == 0 ? 0 : percentileMicros(50)) + "us, p99="
        + p99Micros() + "us, max=" + maxMicros() + "us]";
  }
}
