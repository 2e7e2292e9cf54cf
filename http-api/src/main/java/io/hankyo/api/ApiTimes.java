package io.hankyo.api;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** How the API renders instants: whole seconds, in the configured zone. Thread-safe. */
public final class ApiTimes {
  /** ISO-8601 with offset, e.g. {@code 2026-11-29T17:21:55+09:00} ({@code Z} for UTC). */
  public static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX");
  /** The call-log screen format of the spec (section 6), e.g. {@code 2026/11/29 17:21:55}; no offset. */
  public static final DateTimeFormatter SCREEN = DateTimeFormatter.ofPattern("uuuu/MM/dd HH:mm:ss");

  private ApiTimes() {}

  /** {@code instant} as ISO-8601 with the zone's offset, truncated to seconds; null for null. */
  public static String iso(Instant instant, ZoneId zone) {
    return instant == null ? null : ISO.format(instant.truncatedTo(ChronoUnit.SECONDS).atZone(zone));
  }

  /** {@code instant} as {@code yyyy/MM/dd HH:mm:ss} in the zone, truncated to seconds; empty string for null. */
  public static String screen(Instant instant, ZoneId zone) {
    return instant == null ? "" : SCREEN.format(instant.truncatedTo(ChronoUnit.SECONDS).atZone(zone));
  }
}
