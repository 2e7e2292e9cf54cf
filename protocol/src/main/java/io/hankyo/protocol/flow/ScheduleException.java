package io.hankyo.protocol.flow;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.hankyo.protocol.JsonSerializable;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

/**
 * A dated exception of a {@link ScheduleStep} (spec section 4: "dated exceptions"); it overrides the weekly hours and
 * the public holiday of its date. Three forms:
 *
 * <table>
 *   <caption>exception forms</caption>
 *   <tr><th>JSON</th><th>meaning</th></tr>
 *   <tr><td>{@code {"date": "2026-12-31", "closed": true}}</td><td>closed all day</td></tr>
 *   <tr><td>{@code {"date": "2026-05-04", "hours": ["10:00-15:00"]}}</td><td>open in these hours only (also on a
 *       public holiday)</td></tr>
 *   <tr><td>{@code {"date": "2026-05-04", "closed": false}}</td><td>the weekly hours of its weekday, even though it
 *       is a public holiday</td></tr>
 * </table>
 *
 * Like the weekly hours, an exception governs the ranges that start on its date: a range of the day before that
 * crosses midnight still runs into it.
 *
 * @param date the local date in the step's time zone
 * @param closed true for a closed day ({@code hours} is then null)
 * @param hours the opening hours of the date; null when closed or when the weekly hours apply
 */
public record ScheduleException(
    @JsonProperty("date")
        @JsonSerialize(using = ToStringSerializer.class)
        @JsonDeserialize(using = IsoDateDeserializer.class)
        LocalDate date,
    @JsonProperty("closed") boolean closed,
    @JsonProperty("hours") List<TimeRange> hours)
    implements JsonSerializable {
  public ScheduleException {
    Objects.requireNonNull(date, "date");
    hours = hours == null ? null : List.copyOf(hours);
    if (closed && hours != null) {
      throw new IllegalArgumentException("a closed day has no hours");
    }
  }

  /** A closed day. */
  public static ScheduleException closedOn(LocalDate date) {
    return new ScheduleException(date, true, null);
  }

  /** A day open in {@code hours} only. */
  public static ScheduleException openOn(LocalDate date, List<TimeRange> hours) {
    return new ScheduleException(date, false, hours);
  }

  /** A day that keeps the weekly hours of its weekday although it is a public holiday. */
  public static ScheduleException weeklyHoursOn(LocalDate date) {
    return new ScheduleException(date, false, null);
  }
}
