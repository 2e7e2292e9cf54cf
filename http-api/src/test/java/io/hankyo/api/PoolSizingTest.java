package io.hankyo.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Billing tiers of displays (spec section 3) and the pool sizing advice (issue 5). */
class PoolSizingTest {
  @Test
  void displaysFallInTheSpecsTiersAtTheirBounds() {
    assertEquals(new DisplayTiers.Tier(0, 10_000L, true), DisplayTiers.of(0));
    assertEquals(new DisplayTiers.Tier(0, 10_000L, true), DisplayTiers.of(10_000));
    assertEquals(10_001, DisplayTiers.of(10_001).from());
    assertEquals(30_000L, DisplayTiers.of(30_000).to());
    assertEquals(30_001, DisplayTiers.of(30_001).from());
    assertEquals(50_001, DisplayTiers.of(100_000).from());
    assertEquals(100_001, DisplayTiers.of(300_000).from());
    assertEquals(300_001, DisplayTiers.of(500_000).from());
    assertEquals(new DisplayTiers.Tier(500_001, null, false), DisplayTiers.of(500_001));
    assertEquals(500_001, DisplayTiers.of(Long.MAX_VALUE).from());
    assertThrows(IllegalArgumentException.class, () -> DisplayTiers.of(-1));
  }

  private static PoolSizing.Day day(String date, int peak, long fallbacks, long displays) {
    return new PoolSizing.Day(date, peak, fallbacks, displays);
  }

  @Test
  void noDisplaysGiveNoAdvice() {
    PoolSizing.Report r = PoolSizing.report("p", 10, List.of(day("2026-11-29", 0, 0, 0), day("2026-11-30", 0, 0,
        0)));
    assertEquals("no_data", r.action());
    assertNull(r.suggestedSize());
    assertEquals(0, r.daysAtCapacity());
  }

  @Test
  void aDayAtCapacityAdvisesToGrowByTheLargerOfHeadroomAndTheFallbackShare() {
    PoolSizing.Report r = PoolSizing.report("p", 10, List.of(day("2026-11-28", 4, 0, 40),
        day("2026-11-29", 10, 0, 90), day("2026-11-30", 10, 50, 100)));
    assertEquals("grow", r.action());
    assertEquals(2, r.daysAtCapacity());
    assertEquals(10, r.peakHolds());
    assertEquals(15, r.suggestedSize(), "half of a day's visitors fell back: 10 + ceil(0.5 × 10)");
    PoolSizing.Report small = PoolSizing.report("p", 10, List.of(day("2026-11-30", 10, 1, 100)));
    assertEquals(12, small.suggestedSize(), "ceil(10 × 1.2) beats 10 + ceil(0.01 × 10) = 11");
    assertTrue(small.advice().contains("on 1 of 1 day (1 visitor got the fallback number)"), small.advice());
    assertTrue(r.advice().contains("on 2 of 3 days (50 visitors got the fallback number)"), r.advice());
  }

  @Test
  void aPeakUnderHalfThePoolOnEveryDayAdvisesToShrink() {
    PoolSizing.Report r = PoolSizing.report("p", 100, List.of(day("2026-11-29", 30, 0, 500),
        day("2026-11-30", 49, 0, 700)));
    assertEquals("shrink", r.action());
    assertEquals(59, r.suggestedSize(), "ceil(49 × 1.2)");
    assertEquals(49, r.peakHolds());
  }

  /** 2026-11-30 12:00 in Japan. */
  private static final java.time.Instant NOON_NOV_30 = java.time.Instant.parse("2026-11-30T03:00:00Z");

  @Test
  void aFewMinutesOfHistoryGiveNoShrinkAdvice() {
    // a new 500-number pool, 3 hours old: 50 held at once so far would have been "shrink to about 60"
    List<PoolSizing.Day> days = new java.util.ArrayList<>();
    for (int i = 29; i >= 0; i--) {
      days.add(i == 0 ? day("2026-11-30", 50, 0, 400) : day(java.time.LocalDate.of(2026, 11, 30).minusDays(i)
          .toString(), 0, 0, 0));
    }
    java.time.Instant since = NOON_NOV_30.minusSeconds(3 * 3600 + 120);
    PoolSizing.Report r = PoolSizing.report("p", 500, days, since, NOON_NOV_30);
    assertEquals("not_enough_history", r.action(), r.advice());
    assertNull(r.suggestedSize());
    assertEquals(since, r.historySince());
    assertEquals(50, r.peakHolds());
    assertTrue(r.advice().startsWith("not enough history yet: 3 hours of data (since the pool's first display), "
        + "less than one full day; no size is suggested; so far at most 50 of 500 numbers were held at once"),
        r.advice());
    assertEquals("shrink", PoolSizing.report("p", 500, days).action(), "the same days with a history covering them");
    // a day on a one-day report is still too little when it started yesterday evening
    PoolSizing.Report evening = PoolSizing.report("p", 500, List.of(day("2026-11-30", 50, 0, 400)),
        java.time.Instant.parse("2026-11-29T12:00:00Z"), NOON_NOV_30);
    assertEquals("not_enough_history", evening.action(), "15 hours: " + evening.advice());
    // minutes, not "0 hours" (a trial found it odd)
    PoolSizing.Report minutes = PoolSizing.report("p", 500, days, NOON_NOV_30.minusSeconds(600), NOON_NOV_30);
    assertTrue(minutes.advice().startsWith("not enough history yet: less than an hour of data"), minutes.advice());
  }

  @Test
  void aHistoryShorterThanTheDaysAskedForSaysWhichDaysCanBeJudged() {
    List<PoolSizing.Day> days = List.of(day("2026-11-28", 10, 0, 100), day("2026-11-29", 12, 0, 100),
        day("2026-11-30", 11, 0, 100));
    // first display 2026-11-29 09:00 Japan time: 27 hours, on 2 days (11-29, 11-30) of the 3 asked for
    java.time.Instant since = java.time.Instant.parse("2026-11-29T00:00:00Z");
    PoolSizing.Report r = PoolSizing.report("p", 100, days, since, NOON_NOV_30);
    assertEquals("not_enough_history", r.action());
    assertTrue(r.advice().contains("27 hours of data") && r.advice().contains("less than the 3 days asked for")
        && r.advice().contains("ask with days=2"), r.advice());
    // the 2 days with data are judged (the first display's day counts though it began at 09:00)
    PoolSizing.Report covered = PoolSizing.report("p", 100, days.subList(1, 3), since, NOON_NOV_30);
    assertEquals("shrink", covered.action(), covered.advice());
  }

  @Test
  void aPoolAtCapacityIsToldToGrowHoweverShortItsHistory() {
    PoolSizing.Report r = PoolSizing.report("p", 10, List.of(day("2026-11-30", 10, 3, 20)),
        NOON_NOV_30.minusSeconds(600), NOON_NOV_30);
    assertEquals("grow", r.action(), "a fallback was handed out: a shortage seen, not a guess");
  }

  @Test
  void otherwiseTheSizeFits() {
    PoolSizing.Report r = PoolSizing.report("p", 100, List.of(day("2026-11-30", 50, 0, 700)));
    assertEquals("keep", r.action());
    assertEquals(100, r.suggestedSize());
    assertEquals(0, r.daysAtCapacity());
  }
}
