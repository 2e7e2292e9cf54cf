package io.hankyo.node.flow;

import io.hankyo.protocol.flow.ScheduleException;
import io.hankyo.protocol.flow.ScheduleStep;
import io.hankyo.protocol.flow.TimeRange;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Answers "is the schedule open at this instant?" for a {@link ScheduleStep} (スケジュール設定, spec section 4).
 *
 * <p>The instant is turned into the wall-clock date and time of the step's zone, so ranges mean what the advertiser's
 * clock shows, also across daylight-saving changes of other zones (a range in a skipped hour is simply never reached;
 * a repeated hour is open twice). The ranges of a date are, in order of precedence: its dated exception (closed, its
 * own hours, or the weekly hours despite a holiday); none on a public holiday when the step says {@code "holidays":
 * "JP"}; else the weekly ranges of its weekday. The instant is open when a range of its date contains the time, or a
 * range of the day before crosses midnight into it (that range belongs to the day it starts, with that day's holiday
 * and exception). Thread-safe when the {@link Holidays} are.
 */
public final class BusinessHours {
  private final Holidays japan;

  /**
   * @param japan the Japanese public holidays ({@link JapaneseHolidays} in production)
   */
  public BusinessHours(Holidays japan) {
    this.japan = Objects.requireNonNull(japan, "japan");
  }

  /** Business hours with {@link JapaneseHolidays}. */
  public static BusinessHours japan() {
    return new BusinessHours(new JapaneseHolidays());
  }

  /** True when the schedule is open at {@code at} ({@code open} branch), false outside hours ({@code closed}). */
  public boolean isOpen(ScheduleStep step, Instant at) {
    LocalDateTime local = LocalDateTime.ofInstant(at, step.zone());
    LocalDate date = local.toLocalDate();
    LocalTime time = local.toLocalTime();
    for (TimeRange r : rangesOf(step, date)) {
      if (r.containsOnItsDay(time)) {
        return true;
      }
    }
    for (TimeRange r : rangesOf(step, date.minusDays(1))) {
      if (r.containsOnNextDay(time)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The ranges that start on a local date of the step's zone, after its exception and holidays; empty when closed.
   */
  public List<TimeRange> rangesOf(ScheduleStep step, LocalDate date) {
    Optional<ScheduleException> exception = step.exceptionOn(date);
    if (exception.isPresent()) {
      ScheduleException x = exception.get();
      if (x.closed()) {
        return List.of();
      }
      return x.hours() != null ? x.hours() : step.weeklyRanges(date.getDayOfWeek());
    }
    if (ScheduleStep.HOLIDAYS_JP.equals(step.holidays()) && japan.isHoliday(date)) {
      return List.of();
    }
    return step.weeklyRanges(date.getDayOfWeek());
  }
}
