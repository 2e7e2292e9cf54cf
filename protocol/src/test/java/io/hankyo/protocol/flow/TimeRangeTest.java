package io.hankyo.protocol.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalTime;
import org.junit.jupiter.api.Test;

class TimeRangeTest {
  @Test
  void aRangeOfOneDay() {
    TimeRange r = TimeRange.parse("09:00-18:00");
    assertFalse(r.crossesMidnight());
    assertFalse(r.containsOnItsDay(LocalTime.of(8, 59, 59)));
    assertTrue(r.containsOnItsDay(LocalTime.of(9, 0)));
    assertTrue(r.containsOnItsDay(LocalTime.of(17, 59, 59, 999_000_000)));
    assertFalse(r.containsOnItsDay(LocalTime.of(18, 0)));
    assertFalse(r.containsOnNextDay(LocalTime.of(1, 0)));
  }

  @Test
  void aRangeThatCrossesMidnight() {
    TimeRange r = TimeRange.parse("22:00-02:00");
    assertTrue(r.crossesMidnight());
    assertTrue(r.containsOnItsDay(LocalTime.of(23, 59)));
    assertFalse(r.containsOnItsDay(LocalTime.of(1, 0)), "the early hours belong to the next day");
    assertTrue(r.containsOnNextDay(LocalTime.of(1, 59)));
    assertFalse(r.containsOnNextDay(LocalTime.of(2, 0)));
    assertTrue(TimeRange.parse("22:00-00:00").crossesMidnight());
    assertFalse(TimeRange.parse("22:00-00:00").containsOnNextDay(LocalTime.MIDNIGHT));
  }

  @Test
  void wholeDayAndMidnightEnd() {
    TimeRange day = TimeRange.parse("00:00-24:00");
    assertEquals(0, day.startMinute());
    assertEquals(1440, day.endMinute());
    assertTrue(day.containsOnItsDay(LocalTime.MAX));
    assertEquals("00:00-24:00", day.text());
    assertTrue(TimeRange.parse("18:00-24:00").containsOnItsDay(LocalTime.of(23, 59, 59)));
  }

  @Test
  void badRanges() {
    assertThrows(IllegalArgumentException.class, () -> TimeRange.parse(null));
    assertThrows(IllegalArgumentException.class, () -> TimeRange.parse("09:00 - 18:00"));
    assertThrows(IllegalArgumentException.class, () -> new TimeRange(600, 600));
    assertThrows(IllegalArgumentException.class, () -> new TimeRange(1440, 60));
  }
}
