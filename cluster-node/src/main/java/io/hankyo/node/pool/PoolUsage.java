package io.hankyo.node.pool;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The display counters of one {@link NumberPool} (issue 5, display counting and pool sizing), kept in the pool's state
 * and derived from its {@link NumberPool.Assigned} events only: no journal write of its own.
 *
 * <p>Every answered assignment is one <em>display</em> (spec section 3: dynamic / one-time numbers are billed by
 * number displays per month); a fallback is a display and is also counted as a fallback. Counters are kept per
 * Japan-time ({@link #ZONE}) calendar month, for the last {@value #MONTHS} months, and per Japan-time day, for the
 * last {@value #DAYS} days, with the day's peak of numbers held at once ({@code peak_holds}: at each assignment, the
 * pool's numbers whose hold ends after the assignment time; a fallback counts as all numbers held).
 *
 * <p>The current month and day are plain fields so that an assignment of the current day updates the counters without
 * copying the history maps; the maps change only when the day changes (or for a late event of an earlier day). Keys:
 * month {@code "2026-11"}, day {@code "2026-11-30"} (ISO; they sort by time). Immutable.
 *
 * @param month the current (latest) month, or null before the first assignment
 * @param monthCounts counters of {@code month}
 * @param day the current (latest) day, or null before the first assignment
 * @param dayCounts counters of {@code day}
 * @param pastMonths earlier months (at most {@value #MONTHS} − 1), by key
 * @param pastDays earlier days (at most {@value #DAYS} − 1), by key
 * @param first the time of the earliest assignment counted (the start of the pool's history, for the sizing report's
 *     "not enough history yet"); null before the first assignment and in counters stored before the field existed
 *     ({@link #historySince} then falls back to the earliest day kept)
 */
public record PoolUsage(@JsonProperty("month") String month, @JsonProperty("month_counts") Counts monthCounts,
    @JsonProperty("day") String day, @JsonProperty("day_counts") Counts dayCounts,
    @JsonProperty("past_months") Map<String, Counts> pastMonths,
    @JsonProperty("past_days") Map<String, Counts> pastDays,
    @JsonProperty("first_at") @JsonInclude(JsonInclude.Include.NON_NULL) Instant first)
    implements JsonSerializable {

  /** The zone of billing months and sizing days: Japan time (spec section 3; no daylight saving time). */
  public static final ZoneId ZONE = ZoneId.of("Asia/Tokyo");
  /** Months kept (the current one included). */
  public static final int MONTHS = 25;
  /** Days kept (the current one included). */
  public static final int DAYS = 400;
  /** No assignment yet. */
  public static final PoolUsage EMPTY = new PoolUsage(null, Counts.ZERO, null, Counts.ZERO, Map.of(), Map.of(),
      null);

  /**
   * Counters of one month or day.
   *
   * @param displays assignments answered, fallbacks included
   * @param fallbacks assignments answered with the fallback number
   * @param peakHolds most numbers held at once (days only; 0 in months)
   */
  public record Counts(@JsonProperty("displays") long displays, @JsonProperty("fallbacks") long fallbacks,
      @JsonProperty("peak_holds") int peakHolds) implements JsonSerializable {
    /** Nothing counted. */
    public static final Counts ZERO = new Counts(0, 0, 0);

    @JsonCreator
    public Counts {}

    Counts plus(boolean fallback, int holds) {
      return new Counts(displays + 1, fallbacks + (fallback ? 1 : 0), Math.max(peakHolds, holds));
    }
  }

  /** Reads stored counters (maps sorted by key; nulls as empty). */
  @JsonCreator
  public static PoolUsage of(@JsonProperty("month") String month, @JsonProperty("month_counts") Counts monthCounts,
      @JsonProperty("day") String day, @JsonProperty("day_counts") Counts dayCounts,
      @JsonProperty("past_months") Map<String, Counts> pastMonths,
      @JsonProperty("past_days") Map<String, Counts> pastDays, @JsonProperty("first_at") Instant first) {
    return new PoolUsage(month, monthCounts == null ? Counts.ZERO : monthCounts, day,
        dayCounts == null ? Counts.ZERO : dayCounts, sorted(pastMonths), sorted(pastDays), first);
  }

  private static Map<String, Counts> sorted(Map<String, Counts> m) {
    return m == null || m.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(m));
  }

  /** The month key of {@code at} in Japan time, e.g. {@code "2026-11"}. */
  public static String monthOf(Instant at) {
    return DayKeys.of(at).month();
  }

  /** The day key of {@code at} in Japan time, e.g. {@code "2026-11-30"}. */
  public static String dayOf(Instant at) {
    return DayKeys.of(at).day();
  }

  /**
   * The day and month keys of one Japan-time day, valid for the instants {@code from} (inclusive) to {@code until}
   * (exclusive), epoch seconds. Every answered assignment needs both keys ({@link #record}); formatting them each
   * time was a measurable share of a node's allocations under load (docs/performance.md, stop 19), so the keys of the
   * last day asked for are kept and reused while instants fall in that day.
   */
  private record DayKeys(long from, long until, String day, String month) {
    /** The keys of the last day asked for (any thread; a record is safely published through the volatile field). */
    private static volatile DayKeys last = compute(Instant.EPOCH);

    static DayKeys of(Instant at) {
      DayKeys k = last;
      long s = at.getEpochSecond();
      if (s >= k.from && s < k.until) {
        return k;
      }
      k = compute(at);
      last = k;
      return k;
    }

    private static DayKeys compute(Instant at) {
      LocalDate d = LocalDate.ofInstant(at, ZONE);
      return new DayKeys(d.atStartOfDay(ZONE).toEpochSecond(), d.plusDays(1).atStartOfDay(ZONE).toEpochSecond(),
          d.toString(), YearMonth.from(d).toString());
    }
  }

  /**
   * The counters after one answered assignment at {@code at}.
   *
   * @param fallback whether it was answered with the fallback number
   * @param holds numbers held at {@code at} after the assignment (the pool's size for a fallback)
   */
  public PoolUsage record(Instant at, boolean fallback, int holds) {
    Instant f = first == null || at.isBefore(first) ? at : first;
    DayKeys keys = DayKeys.of(at);
    String m = keys.month();
    String d = keys.day();
    if (d.equals(day)) {
      return new PoolUsage(month, monthCounts.plus(fallback, 0), day, dayCounts.plus(fallback, holds), pastMonths,
          pastDays, f);
    }
    if (day == null || d.compareTo(day) > 0) {
      // a new day (and maybe a new month): the current ones move to the history
      Map<String, Counts> days = day == null ? pastDays : bounded(pastDays, day, dayCounts, DAYS - 1);
      if (m.equals(month)) {
        return new PoolUsage(month, monthCounts.plus(fallback, 0), d, Counts.ZERO.plus(fallback, holds),
            pastMonths, days, f);
      }
      Map<String, Counts> months = month == null ? pastMonths : bounded(pastMonths, month, monthCounts, MONTHS - 1);
      return new PoolUsage(m, Counts.ZERO.plus(fallback, 0), d, Counts.ZERO.plus(fallback, holds), months, days, f);
    }
    // a late assignment of an earlier day (assignments are stamped before they reach the pool)
    Map<String, Counts> days = bounded(pastDays, d, pastDays.getOrDefault(d, Counts.ZERO).plus(fallback, holds),
        DAYS - 1);
    if (m.equals(month)) {
      return new PoolUsage(month, monthCounts.plus(fallback, 0), day, dayCounts, pastMonths, days, f);
    }
    Map<String, Counts> months = bounded(pastMonths, m, pastMonths.getOrDefault(m, Counts.ZERO).plus(fallback, 0),
        MONTHS - 1);
    return new PoolUsage(month, monthCounts, day, dayCounts, months, days, f);
  }

  /** {@code m} with {@code key → value}, keeping the {@code max} latest keys. */
  private static Map<String, Counts> bounded(Map<String, Counts> m, String key, Counts value, int max) {
    TreeMap<String, Counts> out = new TreeMap<>(m);
    out.put(key, value);
    while (out.size() > max) {
      out.pollFirstEntry();
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * Since when the counters hold the pool's history: {@link #first} (the earliest assignment counted), or for counters
   * stored before that field, the start (Japan time) of the earliest day kept; null before any assignment.
   */
  public Instant historySince() {
    if (first != null) {
      return first;
    }
    String earliest = !pastDays.isEmpty() ? pastDays.keySet().iterator().next() : day;
    return earliest == null ? null : LocalDate.parse(earliest).atStartOfDay(ZONE).toInstant();
  }

  /** Counters of month {@code key} ({@code "2026-11"}); zero when none were counted or they are no longer kept. */
  public Counts month(String key) {
    return key.equals(month) ? monthCounts : pastMonths.getOrDefault(key, Counts.ZERO);
  }

  /** Counters of day {@code key} ({@code "2026-11-30"}); zero when none were counted or they are no longer kept. */
  public Counts day(String key) {
    return key.equals(day) ? dayCounts : pastDays.getOrDefault(key, Counts.ZERO);
  }
}
