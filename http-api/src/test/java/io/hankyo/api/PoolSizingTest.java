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

  @Test
  void otherwiseTheSizeFits() {
    PoolSizing.Report r = PoolSizing.report("p", 100, List.of(day("2026-11-30", 50, 0, 700)));
    assertEquals("keep", r.action());
    assertEquals(100, r.suggestedSize());
    assertEquals(0, r.daysAtCapacity());
  }
}
