package io.hankyo.node.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The lists are the Cabinet Office's (https://www8.cao.go.jp/chosei/shukujitsu/gaiyou.html). */
class JapaneseHolidaysTest {
  private static final JapaneseHolidays HOLIDAYS = new JapaneseHolidays();

  private static Set<LocalDate> dates(String... isoDates) {
    return Stream.of(isoDates).map(LocalDate::parse).collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void year2026() {
    assertEquals(dates("2026-01-01", "2026-01-12", "2026-02-11", "2026-02-23", "2026-03-20", "2026-04-29",
        "2026-05-03", "2026-05-04", "2026-05-05", "2026-05-06", "2026-07-20", "2026-08-11", "2026-09-21",
        "2026-09-22", "2026-09-23", "2026-10-12", "2026-11-03", "2026-11-23"), HOLIDAYS.holidaysOf(2026));
  }

  @Test
  void year2025() {
    assertEquals(dates("2025-01-01", "2025-01-13", "2025-02-11", "2025-02-23", "2025-02-24", "2025-03-20",
        "2025-04-29", "2025-05-03", "2025-05-04", "2025-05-05", "2025-05-06", "2025-07-21", "2025-08-11",
        "2025-09-15", "2025-09-23", "2025-10-13", "2025-11-03", "2025-11-23", "2025-11-24"),
        HOLIDAYS.holidaysOf(2025));
  }

  @Test
  void whatJollydayAloneGetsWrong() {
    assertFalse(HOLIDAYS.isHoliday(LocalDate.parse("2026-12-23")), "the Emperor's Birthday moved in 2019");
    assertTrue(HOLIDAYS.isHoliday(LocalDate.parse("2018-12-23")));
    assertTrue(HOLIDAYS.isHoliday(LocalDate.parse("2018-12-24")), "substitute for a Sunday");
    assertTrue(HOLIDAYS.isHoliday(LocalDate.parse("2024-09-22")), "Autumnal Equinox Day on a Sunday");
    assertTrue(HOLIDAYS.isHoliday(LocalDate.parse("2024-09-23")), "and its substitute");
    assertTrue(HOLIDAYS.isHoliday(LocalDate.parse("2024-11-03")), "Culture Day on a Sunday stays a holiday");
    assertTrue(HOLIDAYS.isHoliday(LocalDate.parse("2024-11-04")));
    assertFalse(HOLIDAYS.isHoliday(LocalDate.parse("2024-11-05")));
    assertTrue(HOLIDAYS.isHoliday(LocalDate.parse("2027-03-21")), "Vernal Equinox Day 2027");
    assertTrue(HOLIDAYS.isHoliday(LocalDate.parse("2027-03-22")), "on a Sunday: substitute Monday");
    assertFalse(HOLIDAYS.isHoliday(LocalDate.parse("2026-06-01")));
  }

  @Test
  void equinoxApproximation() {
    assertEquals(20, JapaneseHolidays.equinoxDay(20.8431, 2026));
    assertEquals(23, JapaneseHolidays.equinoxDay(23.2488, 2026));
    assertEquals(22, JapaneseHolidays.equinoxDay(23.2488, 2024));
    assertEquals(21, JapaneseHolidays.equinoxDay(20.8431, 2027));
  }
}
