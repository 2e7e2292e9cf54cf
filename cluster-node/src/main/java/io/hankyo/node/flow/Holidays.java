package io.hankyo.node.flow;

import java.time.LocalDate;

/** A calendar of public holidays: the {@code holidays} of a schedule step (spec section 4). Thread-safe. */
@FunctionalInterface
public interface Holidays {
  /** True when {@code date} (a local date of the calendar's country) is a public holiday. */
  boolean isHoliday(LocalDate date);
}
