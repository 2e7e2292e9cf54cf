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
 *   <li>{@code not_enough_history}: not at capacity, and the pool's history (since its first display) does not reach
 *       back to the first day asked for (Japan time) or is shorter than one full day ({@value #MIN_HISTORY_HOURS}
 *       hours); no suggestion: a pool a few minutes old would otherwise be told to shrink to its first minutes' peak.
 *       The advice says how many hours of data there are, and with at least a day of them, how many days a report can
 *       judge (the Japan-time days since the first display's, today included).
 *   <li>{@code grow}: at capacity on any day. Suggested size = the larger of {@code ceil(pool_size × 1.2)} and
 *       {@code pool_size + ceil(f × pool_size)}, where {@code f} is the largest share of a day's displays that were
 *       fallbacks (the visitors who got no number of their own, as extra numbers).
 *   <li>{@code shrink}: the peak stayed under half the pool on every day; suggested size = {@code max(1,
 *       ceil(peak × 1.2))}.
 *   <li>{@code keep}: otherwise; suggested size = the pool's size.
 * </ul>
 *
 * A pool at capacity is told to grow however short its history: a fallback was handed out, which is a shortage seen,
 * not a guess.
 */
public final class PoolSizing {
  private PoolSizing() {}

  /** The zone of the report's days: Japan time (spec section 3). */
  public static final java.time.ZoneId ZONE = java.time.ZoneId.of("Asia/Tokyo");
  /** The shortest history judged: one full day. */
  public static final int MIN_HISTORY_HOURS = 24;

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
   * @param action {@code grow}, {@code shrink}, {@code keep}, {@code not_enough_history} or {@code no_data}
   * @param suggestedSize suggested pool size, or null for {@code no_data} and {@code not_enough_history}
   * @param advice the advice in words
   * @param historySince the time of the pool's first display (the start of its history), or null when there was none
   *     or it is not known
   */
  public record Report(String poolId, int poolSize, List<Day> days, int peakHolds, int daysAtCapacity, String action,
      Integer suggestedSize, String advice, java.time.Instant historySince) {
    public Report {
      days = List.copyOf(days);
    }
  }

  /**
   * The report of pool {@code poolId} of {@code poolSize} numbers over {@code days} (oldest first), its history taken
   * to cover them (no {@code not_enough_history}; {@code history_since} null).
   */
  public static Report report(String poolId, int poolSize, List<Day> days) {
    return report(poolId, poolSize, days, null, null);
  }

  /**
   * The report of pool {@code poolId} of {@code poolSize} numbers over {@code days} (oldest first, Japan-time dates, the
   * last one today) at {@code now}, the pool's history starting at {@code historySince} (its first display; null: none
   * or unknown, then judged as covering the days).
   */
  public static Report report(String poolId, int poolSize, List<Day> days, java.time.Instant historySince,
      java.time.Instant now) {
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
          "no number was displayed in the last " + count(n, "day") + "; nothing to judge the pool size by",
          historySince);
    }
    if (atCapacity > 0) {
      int grow = Math.max((int) Math.ceil(poolSize * HEADROOM),
          poolSize + (int) Math.ceil(worstFallbackShare * poolSize));
      return new Report(poolId, poolSize, days, peak, atCapacity, "grow", grow,
          (poolSize == 1 ? "the pool's 1 number was" : "all " + poolSize + " numbers were") + " held at once on "
              + atCapacity + " of " + count(n, "day") + " (" + count(fallbacks, "visitor")
              + " got" + " the fallback number); add numbers: about " + grow, historySince);
    }
    String tooShort = tooShort(days, historySince, now);
    if (tooShort != null) {
      return new Report(poolId, poolSize, days, peak, 0, "not_enough_history", null, tooShort + "; so far at most "
          + peak + " of " + count(poolSize, "number") + (peak == 1 ? " was" : " were") + " held at once",
          historySince);
    }
    if (peak * 2 < poolSize) {
      int shrink = Math.max(1, (int) Math.ceil(peak * HEADROOM));
      return new Report(poolId, poolSize, days, peak, 0, "shrink", shrink,
          "at most " + peak + " of " + count(poolSize, "number") + (peak == 1 ? " was" : " were")
              + " held at once in the last " + count(n, "day") + "; the pool could shrink to about " + shrink,
          historySince);
    }
    return new Report(poolId, poolSize, days, peak, 0, "keep", poolSize,
        "at most " + peak + " of " + count(poolSize, "number") + (peak == 1 ? " was" : " were")
            + " held at once in the last " + count(n, "day") + "; the size fits", historySince);
  }

  /**
   * Why the history since {@code since} is too short to judge {@code days} at {@code now} ("not enough history yet: 3
   * hours of data, …"), or null when it covers them: it must start on or before the first day (Japan time; the day of
   * the first display counts though it began later) and be at least {@value #MIN_HISTORY_HOURS} hours long.
   */
  static String tooShort(List<Day> days, java.time.Instant since, java.time.Instant now) {
    if (since == null || now == null || days.isEmpty()) {
      return null;
    }
    java.time.LocalDate firstDay = java.time.LocalDate.parse(days.get(0).date());
    java.time.LocalDate sinceDay = since.atZone(ZONE).toLocalDate();
    long hours = Math.max(0, java.time.Duration.between(since, now).toHours());
    if (!sinceDay.isAfter(firstDay) && hours >= MIN_HISTORY_HOURS) {
      return null;
    }
    // the Japan-time days with data, today included: what a report can judge
    long dataDays = java.time.temporal.ChronoUnit.DAYS.between(sinceDay, now.atZone(ZONE).toLocalDate()) + 1;
    String text = "not enough history yet: " + (hours == 0 ? "less than an hour" : count(hours, "hour"))
        + " of data (since the pool's first display), "
        + (hours < MIN_HISTORY_HOURS ? "less than one full day" : "less than the " + count(days.size(), "day")
            + " asked for") + "; no size is suggested";
    return hours >= MIN_HISTORY_HOURS && dataDays < days.size()
        ? text + " (ask with days=" + dataDays + " for the days with data)" : text;
  }

  /** {@code n} and the noun, plural unless {@code n} is 1 ({@code 1 visitor}, {@code 12 visitors}). */
  static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
