package io.hankyo.api;

import java.util.List;

/**
 * The pool sizing report (issue 5: "from the assignment history, the peak concurrent holds per pool over the last N
 * days, so an operator sees whether the pool is too small"), a plain function of the per-day counters.
 *
 * <p>A day is <em>at capacity</em> when its peak of numbers held at once reached the pool's size or an assignment fell
 * back that day. Advice rule (action, suggested size):
 *
 * <ul>
 *   <li>{@code no_data}: no display in the period; no suggestion.
 *   <li>{@code grow}: at capacity on any day. Suggested size = the larger of {@code ceil(pool_size × 1.2)} and
 *       {@code pool_size + ceil(f × pool_size)}, where {@code f} is the largest share of a day's displays that were
 *       fallbacks (the visitors who got no number of their own, as extra numbers).
 *   <li>{@code shrink}: the peak stayed under half the pool on every day; suggested size = {@code max(1,
 *       ceil(peak × 1.2))}.
 *   <li>{@code keep}: otherwise; suggested size = the pool's size.
 * </ul>
 */
public final class PoolSizing {
  private PoolSizing() {}

  /** Headroom over the observed peak. */
  public static final double HEADROOM = 1.2;

  /**
   * One Japan-time day.
   *
   * @param date {@code 2026-11-30}
   * @param peakHolds most numbers held at once that day
   * @param fallbacks assignments answered with the fallback number
   * @param displays assignments answered, fallbacks included
   */
  public record Day(String date, int peakHolds, long fallbacks, long displays) {}

  /**
   * The report.
   *
   * @param poolId the pool
   * @param poolSize numbers in the pool
   * @param days the days asked for, oldest first (days without displays are zeros)
   * @param peakHolds most numbers held at once over the days
   * @param daysAtCapacity days whose peak reached the pool size or that had a fallback
   * @param action {@code grow}, {@code shrink}, {@code keep} or {@code no_data}
   * @param suggestedSize suggested pool size, or null for {@code no_data}
   * @param advice the advice in words
   */
  public record Report(String poolId, int poolSize, List<Day> days, int peakHolds, int daysAtCapacity, String action,
      Integer suggestedSize, String advice) {
    public Report {
      days = List.copyOf(days);
    }
  }

  /** The report of pool {@code poolId} of {@code poolSize} numbers over {@code days} (oldest first). */
  public static Report report(String poolId, int poolSize, List<Day> days) {
    int peak = 0;
    int atCapacity = 0;
    long displays = 0;
    long fallbacks = 0;
    double worstFallbackShare = 0;
    for (Day d : days) {
      peak = Math.max(peak, d.peakHolds());
      displays += d.displays();
      fallbacks += d.fallbacks();
      if (d.peakHolds() >= poolSize || d.fallbacks() > 0) {
        atCapacity++;
      }
      if (d.displays() > 0) {
        worstFallbackShare = Math.max(worstFallbackShare, (double) d.fallbacks() / d.displays());
      }
    }
    int n = days.size();
    if (displays == 0) {
      return new Report(poolId, poolSize, days, 0, 0, "no_data", null,
          "no number was displayed in the last " + count(n, "day") + "; nothing to judge the pool size by");
    }
    if (atCapacity > 0) {
      int grow = Math.max((int) Math.ceil(poolSize * HEADROOM),
          poolSize + (int) Math.ceil(worstFallbackShare * poolSize));
      return new Report(poolId, poolSize, days, peak, atCapacity, "grow", grow,
          (poolSize == 1 ? "the pool's 1 number was" : "all " + poolSize + " numbers were") + " held at once on "
              + atCapacity + " of " + count(n, "day") + " (" + count(fallbacks, "visitor")
              + " got" + " the fallback number); add numbers: about " + grow);
    }
    if (peak * 2 < poolSize) {
      int shrink = Math.max(1, (int) Math.ceil(peak * HEADROOM));
      return new Report(poolId, poolSize, days, peak, 0, "shrink", shrink,
          "at most " + peak + " of " + count(poolSize, "number") + (peak == 1 ? " was" : " were")
              + " held at once in the last " + count(n, "day") + "; the pool could shrink to about " + shrink);
    }
    return new Report(poolId, poolSize, days, peak, 0, "keep", poolSize,
        "at most " + peak + " of " + count(poolSize, "number") + (peak == 1 ? " was" : " were")
            + " held at once in the last " + count(n, "day") + "; the size fits");
  }

  /** {@code n} and the noun, plural unless {@code n} is 1 ({@code 1 visitor}, {@code 12 visitors}). */
  static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
