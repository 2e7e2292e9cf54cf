package io.hankyo.node.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.flow.CallFlowParser;
import io.hankyo.protocol.flow.ScheduleStep;
import io.hankyo.protocol.flow.TimeRange;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BusinessHoursTest {
  private static final BusinessHours HOURS = new BusinessHours(new JapaneseHolidays());
  private static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");

  /** A schedule step read from its fields (through the parser, as users write them). */
  static ScheduleStep schedule(String fields) {
    String json = "{\"start\": \"s\", \"steps\": {\"s\": {\"type\": \"schedule\", \"open\": \"x\", \"closed\": \"x\", "
        + fields + "}, \"x\": {\"type\": \"hangup\"}}}";
    return (ScheduleStep) CallFlowParser.parse(json).step("s");
  }

  static Instant tokyo(String localDateTime) {
    return LocalDateTime.parse(localDateTime).atZone(TOKYO).toInstant();
  }

  private static final ScheduleStep SHOP = schedule("\"holidays\": \"JP\", \"weekly\": {"
      + "\"mon\": [\"09:00-12:00\", \"13:00-18:00\"], \"tue\": [\"09:00-18:00\"], \"wed\": [\"09:00-18:00\"], "
      + "\"thu\": [\"09:00-18:00\"], \"fri\": [\"09:00-18:00\", \"22:00-02:00\"], \"sat\": [\"10:00-15:00\"]}, "
      + "\"exceptions\": [{\"date\": \"2026-12-31\", \"closed\": true}, "
      + "{\"date\": \"2026-05-05\", \"hours\": [\"10:00-12:00\"]}, "
      + "{\"date\": \"2026-02-23\", \"closed\": false}, "
      + "{\"date\": \"2026-06-06\", \"closed\": true}]");

  @ParameterizedTest(name = "{0} JST open: {1}")
  @CsvSource({
      // Monday 2026-06-01, a plain weekday with a lunch break
      "2026-06-01T08:59:59, false",
      "2026-06-01T09:00, true",
      "2026-06-01T11:59:59, true",
      "2026-06-01T12:00, false",
      "2026-06-01T13:00, true",
      "2026-06-01T18:00, false",
      // Sunday: left out of weekly
      "2026-06-07T12:00, false",
      // a public holiday on a weekday: Wednesday 2026-05-06 (substitute holiday), Monday 2026-01-12
      "2026-05-06T10:00, false",
      "2026-01-12T10:00, false",
      // Wednesday 2026-12-23: no longer a holiday
      "2026-12-23T10:00, true",
      // the range that crosses midnight belongs to Friday 2026-06-05
      "2026-06-05T21:59, false",
      "2026-06-05T22:00, true",
      "2026-06-05T23:59, true",
      "2026-06-06T00:00, true",
      "2026-06-06T01:59:59, true",
      "2026-06-06T02:00, false",
      // exception dates: Thursday 2026-12-31 closed; the holiday 2026-05-05 open 10-12; the holiday 2026-02-23
      // (Monday) keeps the weekly hours
      "2026-12-31T10:00, false",
      "2026-05-05T09:30, false",
      "2026-05-05T11:00, true",
      "2026-05-05T13:00, false",
      "2026-02-23T10:00, true",
      "2026-02-23T12:30, false",
      // Saturday 2026-06-06 is closed by its exception: Friday night still runs into it, its own hours do not
      "2026-06-06T11:00, false",
  })
  void shop(String local, boolean open) {
    assertEquals(open, HOURS.isOpen(SHOP, tokyo(local)));
  }

  @Test
  void aRangeThatCrossesMidnightFollowsTheHolidayOfTheDayItStarts() {
    ScheduleStep s = schedule("\"holidays\": \"JP\", \"weekly\": {\"mon\": [\"22:00-03:00\"]}");
    assertFalse(HOURS.isOpen(s, tokyo("2026-01-13T01:00")), "Monday 2026-01-12 is Coming of Age Day");
    assertTrue(HOURS.isOpen(s, tokyo("2026-01-20T01:00")), "Monday 2026-01-19 is not");
  }

  @Test
  void holidaysCountOnlyWhenAsked() {
    ScheduleStep s = schedule("\"weekly\": {\"wed\": [\"09:00-18:00\"]}");
    assertTrue(HOURS.isOpen(s, tokyo("2026-05-06T10:00")));
  }

  @Test
  void midnightEndsAndWholeDays() {
    ScheduleStep s = schedule("\"weekly\": {\"mon\": [\"18:00-24:00\"], \"tue\": [\"00:00-24:00\"]}");
    assertTrue(HOURS.isOpen(s, tokyo("2026-06-01T23:59:59")));
    assertTrue(HOURS.isOpen(s, tokyo("2026-06-02T00:00")));
    assertTrue(HOURS.isOpen(s, tokyo("2026-06-02T23:59:59")));
    assertFalse(HOURS.isOpen(s, tokyo("2026-06-03T00:00")));
  }

  @Test
  void theInstantIsReadInTheStepsZone() {
    ScheduleStep s = schedule("\"weekly\": {\"mon\": [\"09:00-18:00\"]}");
    // 2026-06-01T00:30Z is Monday 09:30 in Tokyo but Sunday 17:30 in Los Angeles
    assertTrue(HOURS.isOpen(s, Instant.parse("2026-06-01T00:30:00Z")));
    ScheduleStep la = schedule("\"timezone\": \"America/Los_Angeles\", \"weekly\": {\"mon\": [\"09:00-18:00\"]}");
    assertFalse(HOURS.isOpen(la, Instant.parse("2026-06-01T00:30:00Z")));
    assertTrue(HOURS.isOpen(la, Instant.parse("2026-06-01T16:30:00Z")));
  }

  @Test
  void daylightSavingChangesFollowTheWallClock() {
    // New York, Sunday 2026-03-08: 02:00 EST jumps to 03:00 EDT
    ScheduleStep spring = schedule("\"timezone\": \"America/New_York\", \"weekly\": {\"sun\": [\"01:00-04:00\"]}");
    assertTrue(HOURS.isOpen(spring, Instant.parse("2026-03-08T06:30:00Z")), "01:30 EST");
    assertTrue(HOURS.isOpen(spring, Instant.parse("2026-03-08T07:30:00Z")), "03:30 EDT");
    assertFalse(HOURS.isOpen(spring, Instant.parse("2026-03-08T08:30:00Z")), "04:30 EDT");
    // Sunday 2026-11-01: 02:00 EDT falls back to 01:00 EST, so 01:00-02:00 happens twice and is open twice
    ScheduleStep fall = schedule("\"timezone\": \"America/New_York\", \"weekly\": {\"sun\": [\"01:00-02:00\"]}");
    assertTrue(HOURS.isOpen(fall, Instant.parse("2026-11-01T05:30:00Z")), "01:30 EDT");
    assertTrue(HOURS.isOpen(fall, Instant.parse("2026-11-01T06:30:00Z")), "01:30 EST");
    assertFalse(HOURS.isOpen(fall, Instant.parse("2026-11-01T07:30:00Z")), "02:30 EST");
  }

  @Test
  void rangesOfADate() {
    assertEquals(List.of(), HOURS.rangesOf(SHOP, LocalDate.parse("2026-05-06")));
    assertEquals(List.of(TimeRange.parse("10:00-12:00")), HOURS.rangesOf(SHOP, LocalDate.parse("2026-05-05")));
    assertEquals(List.of(TimeRange.parse("09:00-12:00"), TimeRange.parse("13:00-18:00")),
        HOURS.rangesOf(SHOP, LocalDate.parse("2026-02-23")));
  }
}
