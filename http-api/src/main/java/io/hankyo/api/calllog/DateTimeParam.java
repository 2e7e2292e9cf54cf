package io.hankyo.api.calllog;

import io.hankyo.api.ApiProblem;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads the {@code from} / {@code to} query parameters of the call-log API.
 *
 * <p>Accepted forms (the zone is the configured one, Asia/Tokyo by default):
 *
 * <ul>
 *   <li>ISO-8601 with an offset or zone: {@code 2026-11-29T09:00:00+09:00}, {@code 2026-11-29T00:00:00Z},
 *       {@code 2026-11-29T09:00+09:00}; a {@code +} that URL decoding turned into a space
 *       ({@code 2026-11-29T09:00:00 09:00}) is read as {@code +}
 *   <li>ISO-8601 date-time without an offset, in the zone: {@code 2026-11-29T09:00:00}, {@code 2026-11-29T09:00},
 *       also with a space instead of {@code T}
 *   <li>ISO-8601 date = the start of that day in the zone: {@code 2026-11-29}
 *   <li>the spec's screen forms, in the zone: {@code 2026/11/29 09:00:00}, {@code 2026/11/29 09:00},
 *       {@code 2026/11/29}
 * </ul>
 *
 * Dates are checked strictly (no 2026-02-30). Thread-safe.
 */
public final class DateTimeParam {
  private static final Pattern SPACE_FOR_PLUS =
      Pattern.compile("(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?) (\\d{2}(?::?\\d{2})?)");
  private static final DateTimeFormatter ISO_SPACED =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm[:ss]").withResolverStyle(ResolverStyle.STRICT);
  private static final List<DateTimeFormatter> SLASHED_DATE_TIMES = List.of(
      DateTimeFormatter.ofPattern("uuuu/M/d H:mm:ss").withResolverStyle(ResolverStyle.STRICT),
      DateTimeFormatter.ofPattern("uuuu/M/d H:mm").withResolverStyle(ResolverStyle.STRICT));
  private static final DateTimeFormatter SLASHED_DATE =
      DateTimeFormatter.ofPattern("uuuu/M/d").withResolverStyle(ResolverStyle.STRICT);

  private DateTimeParam() {}

  /**
   * Parses one parameter value.
   *
   * @param name the parameter name, used in the error detail ({@code from}, {@code to})
   * @param text the value as given
   * @param zone the zone of values without an offset
   * @return the instant
   * @throws ApiProblem 400 naming the parameter and listing the accepted forms
   */
  public static Instant parse(String name, String text, ZoneId zone) {
    if (text == null || text.isBlank()) {
      throw ApiProblem.invalid(name + ": is empty; " + forms(zone));
    }
    String s = text.strip();
    s = SPACE_FOR_PLUS.matcher(s).matches() ? SPACE_FOR_PLUS.matcher(s).replaceFirst("$1+$2") : s;
    try {
      TemporalAccessor t = DateTimeFormatter.ISO_DATE_TIME.parse(s);
      if (t.isSupported(ChronoField.OFFSET_SECONDS)) {
        return Instant.from(t);
      }
      return LocalDateTime.from(t).atZone(zone).toInstant();
    } catch (DateTimeParseException e) {
      // try the next form
    }
    try {
      return LocalDateTime.parse(s, ISO_SPACED).atZone(zone).toInstant();
    } catch (DateTimeParseException e) {
      // next
    }
    try {
      return LocalDate.parse(s, DateTimeFormatter.ISO_LOCAL_DATE).atStartOfDay(zone).toInstant();
    } catch (DateTimeParseException e) {
      // next
    }
    for (DateTimeFormatter f : SLASHED_DATE_TIMES) {
      try {
        return LocalDateTime.parse(s, f).atZone(zone).toInstant();
      } catch (DateTimeParseException e) {
        // next
      }
    }
    try {
      return LocalDate.parse(s, SLASHED_DATE).atStartOfDay(zone).toInstant();
    } catch (DateTimeParseException e) {
      throw ApiProblem.invalid(name + ": '" + text + "' is not a valid date or date-time; " + forms(zone));
    }
  }

  /** The accepted forms, for error details. */
  public static String forms(ZoneId zone) {
    return "use ISO-8601 (2026-11-29T09:00:00+09:00; without an offset, e.g. 2026-11-29T09:00:00, the time is in "
        + zone + "; a date 2026-11-29 is the start of that day in " + zone + ") or yyyy/MM/dd HH:mm:ss, "
        + "yyyy/MM/dd HH:mm, yyyy/MM/dd (" + zone + ")";
  }
}
