package io.hankyo.node.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import org.junit.jupiter.api.Test;

/** The display counters of a pool (issue 5): Japan-time months and days, late events, bounds. */
class PoolUsageTest {
  /** 2026-11-30 23:59:59 in Japan. */
  private static final Instant LAST_SECOND_OF_NOVEMBER_JST = Instant.parse("2026-11-30T14:59:59Z");

  @Test
  void monthsAndDaysAreJapanTime() {
    assertEquals("2026-11", PoolUsage.monthOf(LAST_SECOND_OF_NOVEMBER_JST));
    assertEquals("2026-12", PoolUsage.monthOf(LAST_SECOND_OF_NOVEMBER_JST.plusSeconds(1)));
    assertEquals("2026-11-30", PoolUsage.dayOf(LAST_SECOND_OF_NOVEMBER_JST));
    assertEquals("2026-12-01", PoolUsage.dayOf(LAST_SECOND_OF_NOVEMBER_JST.plusSeconds(1)));
  }

  @Test
  void theKeysOfTheLastDayAskedForAreReusedOnlyWithinThatDay() {
    // the keys are kept per day (PoolUsage.DayKeys): instants on both sides of Japan-time midnights, asked in an order
    // that switches days back and forth, must each get the keys java.time gives
    java.util.Random random = new java.util.Random(42);
    Instant midnight = LAST_SECOND_OF_NOVEMBER_JST.plusSeconds(1);
    for (int i = 0; i < 20_000; i++) {
      Instant at = i % 2 == 0
          ? midnight.plusSeconds(86_400L * random.nextInt(800) - 86_400L * 400 + random.nextInt(5) - 2)
          : Instant.ofEpochSecond(random.nextLong(0, 4_102_444_800L), random.nextInt(1_000_000_000));
      assertEquals(LocalDate.ofInstant(at, PoolUsage.ZONE).toString(), PoolUsage.dayOf(at), at.toString());
      assertEquals(YearMonth.from(at.atZone(PoolUsage.ZONE)).toString(), PoolUsage.monthOf(at), at.toString());
    }
  }

  @Test
  void aDayKeepsItsDisplaysFallbacksAndPeakOfHolds() {
    PoolUsage u = PoolUsage.EMPTY.record(LAST_SECOND_OF_NOVEMBER_JST, false, 3)
        .record(LAST_SECOND_OF_NOVEMBER_JST, true, 5)
        .record(LAST_SECOND_OF_NOVEMBER_JST, false, 4);
    assertEquals(new PoolUsage.Counts(3, 1, 5), u.day("2026-11-30"));
    assertEquals(new PoolUsage.Counts(3, 1, 0), u.month("2026-11"));
    assertEquals(PoolUsage.Counts.ZERO, u.month("2026-10"));
  }

  @Test
  void theHistoryStartsAtTheEarliestAssignmentOrForOldCountersAtTheEarliestDayKept() {
    assertEquals(null, PoolUsage.EMPTY.historySince());
    Instant dec1 = LAST_SECOND_OF_NOVEMBER_JST.plusSeconds(1);
    PoolUsage u = PoolUsage.EMPTY.record(dec1.plusSeconds(60), false, 1).record(dec1.plusSeconds(7200), false, 1);
    assertEquals(dec1.plusSeconds(60), u.historySince());
    assertEquals(LAST_SECOND_OF_NOVEMBER_JST, u.record(LAST_SECOND_OF_NOVEMBER_JST, false, 1).historySince(),
        "a late assignment is earlier");
    // counters stored before first_at existed: 00:00 Japan time of the earliest day kept
    PoolUsage old = PoolUsage.of(u.month(), u.monthCounts(), "2026-12-01", u.dayCounts(), u.pastMonths(),
        java.util.Map.of("2026-11-29", new PoolUsage.Counts(1, 0, 1)), null);
    assertEquals(Instant.parse("2026-11-28T15:00:00Z"), old.historySince());
  }

  @Test
  void aLateAssignmentOfTheDayAndMonthBeforeCountsThere() {
    Instant dec1 = LAST_SECOND_OF_NOVEMBER_JST.plusSeconds(1);
    PoolUsage u = PoolUsage.EMPTY.record(dec1, false, 1).record(LAST_SECOND_OF_NOVEMBER_JST, true, 2);
    assertEquals(new PoolUsage.Counts(1, 1, 2), u.day("2026-11-30"));
    assertEquals(new PoolUsage.Counts(1, 1, 0), u.month("2026-11"));
    assertEquals(new PoolUsage.Counts(1, 0, 1), u.day("2026-12-01"));
    assertEquals(new PoolUsage.Counts(1, 0, 0), u.month("2026-12"));
    assertEquals("2026-12-01", u.day(), "the latest day stays current");
  }

  @Test
  void onlyTheLast25MonthsAnd400DaysAreKept() {
    LocalDate first = LocalDate.of(2024, 1, 1);
    PoolUsage u = PoolUsage.EMPTY;
    LocalDate d = first;
    for (; !d.isAfter(LocalDate.of(2026, 11, 30)); d = d.plusDays(1)) {
      u = u.record(d.atTime(12, 0).atZone(PoolUsage.ZONE).toInstant(), false, 1);
    }
    assertEquals(PoolUsage.DAYS, u.pastDays().size() + 1);
    assertEquals(PoolUsage.MONTHS, u.pastMonths().size() + 1);
    LocalDate last = d.minusDays(1);
    assertEquals(new PoolUsage.Counts(1, 0, 1), u.day(last.minusDays(PoolUsage.DAYS - 1).toString()));
    assertEquals(PoolUsage.Counts.ZERO, u.day(last.minusDays(PoolUsage.DAYS).toString()));
    YearMonth oldest = YearMonth.of(2026, 11).minusMonths(PoolUsage.MONTHS - 1);
    assertEquals(oldest.lengthOfMonth(), u.month(oldest.toString()).displays());
    assertEquals(PoolUsage.Counts.ZERO, u.month(oldest.minusMonths(1).toString()));
    assertEquals(30, u.month("2026-11").displays());
  }

  @Test
  void theCountersSurviveJsonAsStoredInSnapshots() throws Exception {
    // with the java.time module, as Pekko's Jackson serializer has it (first_at is an Instant, like a slot's times)
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper()
        .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule());
    PoolUsage u = PoolUsage.EMPTY.record(LAST_SECOND_OF_NOVEMBER_JST.minusSeconds(86_400 * 40), true, 2)
        .record(LAST_SECOND_OF_NOVEMBER_JST, false, 1);
    PoolUsage back = json.readValue(json.writeValueAsBytes(u), PoolUsage.class);
    assertEquals(u, back);
    assertEquals(new PoolUsage.Counts(1, 1, 2), back.day("2026-10-21"));
    assertEquals(PoolUsage.EMPTY, json.readValue("{}", PoolUsage.class), "a state stored before the counters");
  }
}
