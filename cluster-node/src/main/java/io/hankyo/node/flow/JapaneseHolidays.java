package io.hankyo.node.flow;

import de.focus_shift.jollyday.core.Holiday;
import de.focus_shift.jollyday.core.HolidayCalendar;
import de.focus_shift.jollyday.core.HolidayManager;
import de.focus_shift.jollyday.core.ManagerParameters;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Japanese public holidays (祝日 and 休日), the {@code "holidays": "JP"} of a schedule step (spec section 4).
 *
 * <p>The fixed and "Happy Monday" holidays come from Jollyday (calendar JAPAN). Jollyday 1.5.0 gets recent years
 * wrong, so this class corrects its list by the Act on National Holidays (国民の祝日に関する法律, as summarized by the
 * Cabinet Office, https://www8.cao.go.jp/chosei/shukujitsu/gaiyou.html):
 *
 * <ul>
 *   <li>Emperor's Birthday (天皇誕生日): December 23 only until 2018, none in 2019, February 23 from 2020 (Jollyday
 *       keeps December 23 and lacks February 23);
 *   <li>Vernal and Autumnal Equinox Days (春分の日, 秋分の日), which Jollyday lacks: by the usual approximation of the
 *       equinox for 1980-2099 (the dates the National Astronomical Observatory announces each February have matched
 *       it), {@code floor(20.8431 + 0.242194 (y - 1980) - floor((y - 1980) / 4))} of March and {@code 23.2488 ...}
 *       of September;
 *   <li>substitute holidays (振替休日), which Jollyday lacks: a national holiday on a Sunday makes the nearest
 *       following day that is no national holiday a holiday;
 *   <li>citizens' holidays (国民の休日): a day that is no national holiday between two national holidays (e.g.
 *       2026-09-22), recomputed once the equinoxes are in.
 * </ul>
 *
 * One-off changes of past years (2019 enthronement days, the 2020/2021 Olympic moves) are not corrected. Computed once
 * per year and cached; thread-safe.
 */
public final class JapaneseHolidays implements Holidays {
  private final HolidayManager manager;
  private final ConcurrentHashMap<Integer, Set<LocalDate>> byYear = new ConcurrentHashMap<>();

  /** Loads Jollyday's calendar for Japan (reads its XML once; a few tens of milliseconds). */
  public JapaneseHolidays() {
    this.manager = HolidayManager.getInstance(ManagerParameters.create(HolidayCalendar.JAPAN));
  }

  @Override
  public boolean isHoliday(LocalDate date) {
    return holidaysOf(date.getYear()).contains(date);
  }

  /** All holidays of a year, sorted. */
  public Set<LocalDate> holidaysOf(int year) {
    return byYear.computeIfAbsent(year, this::compute);
  }

  private Set<LocalDate> compute(int year) {
    TreeSet<LocalDate> national = new TreeSet<>();
    Set<Holiday> fromJollyday;
    synchronized (manager) {
      fromJollyday = manager.getHolidays(Year.of(year));
    }
    for (Holiday h : fromJollyday) {
      if ("BRIDGING_HOLIDAY".equals(h.getPropertiesKey())) {
        continue; // a citizens' holiday: recomputed below with the equinoxes
      }
      if ("EMPERORS_BIRTHDAY".equals(h.getPropertiesKey())) {
        continue; // set below by era
      }
      // the holiday itself: Jollyday moves Culture Day from a Sunday to the Monday (getDate), the substitute rule
      // below makes that Monday a holiday again, and for all the other holidays too
      national.add(h.getActualDate());
    }
    if (year >= 1989 && year <= 2018) {
      national.add(LocalDate.of(year, Month.DECEMBER, 23));
    } else if (year >= 2020) {
      national.add(LocalDate.of(year, Month.FEBRUARY, 23));
    }
    if (year >= 1980 && year <= 2099) {
      national.add(LocalDate.of(year, Month.MARCH, equinoxDay(20.8431, year)));
      national.add(LocalDate.of(year, Month.SEPTEMBER, equinoxDay(23.2488, year)));
    }
    TreeSet<LocalDate> all = new TreeSet<>(national);
    for (LocalDate d : national) {
      LocalDate next = d.plusDays(1);
      if (!national.contains(next) && national.contains(next.plusDays(1)) && next.getYear() == year) {
        all.add(next); // 国民の休日
      }
      if (d.getDayOfWeek() == DayOfWeek.SUNDAY) {
        LocalDate substitute = next;
        while (national.contains(substitute)) {
          substitute = substitute.plusDays(1);
        }
        all.add(substitute); // 振替休日
      }
    }
    return Collections.unmodifiableSet(all);
  }

  /** Day of the month of an equinox day by the approximation valid for 1980-2099. */
  static int equinoxDay(double base, int year) {
    int n = year - 1980;
    return (int) Math.floor(base + 0.242194 * n - Math.floor(n / 4.0));
  }
}
