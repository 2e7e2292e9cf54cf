package io.hankyo.protocol.flow;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.LocalTime;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Business hours of one day of a {@link ScheduleStep}, written {@code "HH:mm-HH:mm"} in the step's time zone (spec
 * section 4, schedule). Minutes of the day: {@code startMinute} 0..1439, {@code endMinute} 0..1440 ({@code "24:00"}
 * ends a range at midnight). A range whose end is before its start crosses midnight and belongs to the day it starts:
 * {@code "22:00-02:00"} on {@code fri} is open Friday 22:00 to Saturday 02:00, and it is governed by Friday's
 * holiday and exceptions. Start and end are never equal (that would be empty or all day; write
 * {@code "00:00-24:00"} for a whole day). Open means {@code start <= time < end}. In JSON a range is its text.
 *
 * @param startMinute minute of the day the range opens, 0..1439
 * @param endMinute minute of the day it closes, 0..1440, not equal to {@code startMinute}; smaller than
 *     {@code startMinute} when the range crosses midnight
 */
public record TimeRange(int startMinute, int endMinute) {
  private static final Pattern TEXT = Pattern.compile("([0-9]{2}):([0-9]{2})-([0-9]{2}):([0-9]{2})");
  private static final int DAY = 24 * 60;

  public TimeRange {
    if (startMinute < 0 || startMinute >= DAY || endMinute < 0 || endMinute > DAY || startMinute == endMinute) {
      throw new IllegalArgumentException("bad time range " + startMinute + "-" + endMinute);
    }
  }

  /**
   * Reads {@code "HH:mm-HH:mm"}: two digits each, hours 00-23 ({@code 24:00} only as an end), minutes 00-59.
   *
   * @throws IllegalArgumentException with a message for API users, e.g. {@code "'9:00-18:00' is not a time range;
   *     write HH:mm-HH:mm, e.g. 09:00-18:00 (22:00-02:00 crosses midnight)"}
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static TimeRange parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("a time range is required; write HH:mm-HH:mm, e.g. 09:00-18:00");
    }
    Matcher m = TEXT.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a time range; write HH:mm-HH:mm, e.g. 09:00-18:00 "
          + "(22:00-02:00 crosses midnight)");
    }
    int sh = Integer.parseInt(m.group(1));
    int sm = Integer.parseInt(m.group(2));
    int eh = Integer.parseInt(m.group(3));
    int em = Integer.parseInt(m.group(4));
    if (sm > 59 || em > 59 || sh > 24 || eh > 24 || (eh == 24 && em != 0) || (sh == 24 && sm != 0)) {
      throw new IllegalArgumentException("'" + text + "' is not a time range: hours go from 00 to 23 (24:00 may "
          + "end a range) and minutes from 00 to 59");
    }
    if (sh == 24) {
      throw new IllegalArgumentException("'" + text + "' starts at 24:00; 24:00 may only end a range (use 00:00)");
    }
    int start = sh * 60 + sm;
    int end = eh * 60 + em;
    if (start == end) {
      throw new IllegalArgumentException("'" + text + "' starts and ends at the same time; write 00:00-24:00 for "
          + "the whole day");
    }
    return new TimeRange(start, end);
  }

  /** The text form, e.g. {@code "09:00-18:00"}, {@code "22:00-02:00"}, {@code "18:00-24:00"}. */
  @JsonValue
  public String text() {
    return hhmm(startMinute) + "-" + hhmm(endMinute);
  }

  /** True when the range ends on the next day ({@code endMinute < startMinute}). */
  public boolean crossesMidnight() {
    return endMinute < startMinute;
  }

  /**
   * True when a time of the range's own day is inside it: {@code start <= time < end}, or {@code time >= start} for
   * a range that crosses midnight.
   */
  public boolean containsOnItsDay(LocalTime time) {
    int second = time.toSecondOfDay();
    if (second < startMinute * 60) {
      return false;
    }
    return crossesMidnight() || second < endMinute * 60;
  }

  /** True when a time of the next day is inside the part of a range that crosses midnight ({@code time < end}). */
  public boolean containsOnNextDay(LocalTime time) {
    return crossesMidnight() && time.toSecondOfDay() < endMinute * 60;
  }

  @Override
  public String toString() {
    return text();
  }

  private static String hhmm(int minute) {
    return String.format("%02d:%02d", minute / 60, minute % 60);
  }
}
