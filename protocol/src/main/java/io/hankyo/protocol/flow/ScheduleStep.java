package io.hankyo.protocol.flow;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code schedule} (スケジュール設定, spec section 4): goes to {@code open} during business hours, else to {@code
 * closed}. Decided at once when entered.
 *
 * <pre>{@code
 * {"type": "schedule", "timezone": "Asia/Tokyo", "holidays": "JP",
 *  "weekly": {"mon": ["09:00-12:00", "13:00-18:00"], "fri": ["09:00-18:00", "22:00-02:00"]},
 *  "exceptions": [{"date": "2026-12-31", "closed": true}, {"date": "2026-05-04", "hours": ["10:00-15:00"]}],
 *  "open": "menu", "closed": "closed"}
 * }</pre>
 *
 * Rules, in the step's time zone (wall-clock time, so daylight-saving changes of other zones need no care): a date's
 * ranges are its exception's hours when it has an exception, none on a public holiday of {@code holidays}, else the
 * weekly ranges of its weekday; a day left out of {@code weekly} is closed. Open when a range of the date contains the
 * time, or a range of the day before crosses midnight into it ({@link TimeRange}).
 *
 * @param timezone IANA zone id, default {@link #DEFAULT_TIMEZONE}
 * @param holidays {@code "JP"} to close on Japanese public holidays (祝日, with substitute holidays); null to ignore
 *     holidays
 * @param weekly ranges per day, keys {@code mon tue wed thu fri sat sun} ({@link #DAY_KEYS}); days left out are
 *     closed
 * @param exceptions dated exceptions, at most one per date
 * @param open the step during business hours
 * @param closed the step outside them
 */
public record ScheduleStep(
    @JsonProperty("timezone") String timezone,
    @JsonProperty("holidays") String holidays,
    @JsonProperty("weekly") Map<String, List<TimeRange>> weekly,
    @JsonProperty("exceptions") List<ScheduleException> exceptions,
    @JsonProperty("open") String open,
    @JsonProperty("closed") String closed)
    implements FlowStep {
  /** The JSON type name. */
  public static final String TYPE = "schedule";
  /** The time zone of a schedule that names none. */
  public static final String DEFAULT_TIMEZONE = "Asia/Tokyo";
  /** The only holiday calendar: Japanese public holidays. */
  public static final String HOLIDAYS_JP = "JP";
  /** Keys of {@code weekly}, Monday first. */
  public static final List<String> DAY_KEYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");

  public ScheduleStep {
    timezone = timezone == null ? DEFAULT_TIMEZONE : timezone;
    Map<String, List<TimeRange>> days = new LinkedHashMap<>();
    if (weekly != null) {
      for (String day : DAY_KEYS) {
        List<TimeRange> ranges = weekly.get(day);
        if (ranges != null) {
          days.put(day, List.copyOf(ranges));
        }
      }
      for (String key : weekly.keySet()) {
        if (!DAY_KEYS.contains(key)) {
          throw new IllegalArgumentException("not a day: " + key);
        }
      }
    }
    weekly = Collections.unmodifiableMap(days);
    exceptions = exceptions == null ? List.of() : List.copyOf(exceptions);
    Objects.requireNonNull(open, "open");
    Objects.requireNonNull(closed, "closed");
  }

  /** The zone of {@link #timezone}. */
  public ZoneId zone() {
    return ZoneId.of(timezone);
  }

  /** The {@code weekly} key of a day, e.g. {@code "mon"}. */
  public static String dayKey(DayOfWeek day) {
    return DAY_KEYS.get(day.getValue() - 1);
  }

  /** The weekly ranges of a weekday; empty when the day is closed. */
  public List<TimeRange> weeklyRanges(DayOfWeek day) {
    return weekly.getOrDefault(dayKey(day), List.of());
  }

  /** The exception of a date, if any. */
  public Optional<ScheduleException> exceptionOn(LocalDate date) {
    for (ScheduleException e : exceptions) {
      if (e.date().equals(date)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  @Override
  public List<String> nextSteps() {
    return List.of(open, closed);
  }

  @Override
  public boolean waits() {
    return false;
  }

  @Override
  public String typeName() {
    return TYPE;
  }
}
