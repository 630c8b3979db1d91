package klagg.sim;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;

/**
 * The simulator's own Binance kline intervals, written apart from the service's so the oracle does not
 * share the code it checks. Every bucket start is computed with {@code java.time} on the UTC calendar:
 * sub-day intervals on the day's own grid, {@code 1d} at midnight, {@code 3d} on Binance's 3-day grid
 * (its first 3d kline opens 2017-08-17, so opens are the days whose epoch-day is 1 mod 3), {@code 1w} on
 * the Monday of the week, {@code 1M} on the first of the calendar month. {@code closeTime = next open − 1}.
 */
public enum SimInterval {
  S1("1s", Unit.SUB_DAY, 1_000L),
  M1("1m", Unit.SUB_DAY, 60_000L),
  M3("3m", Unit.SUB_DAY, 180_000L),
  M5("5m", Unit.SUB_DAY, 300_000L),
  M15("15m", Unit.SUB_DAY, 900_000L),
  M30("30m", Unit.SUB_DAY, 1_800_000L),
  H1("1h", Unit.SUB_DAY, 3_600_000L),
  H2("2h", Unit.SUB_DAY, 7_200_000L),
  H4("4h", Unit.SUB_DAY, 14_400_000L),
  H6("6h", Unit.SUB_DAY, 21_600_000L),
  H8("8h", Unit.SUB_DAY, 28_800_000L),
  H12("12h", Unit.SUB_DAY, 43_200_000L),
  D1("1d", Unit.DAYS, 1),
  D3("3d", Unit.DAYS, 3),
  W1("1w", Unit.WEEK, 7),
  MN1("1M", Unit.MONTH, 1);

  private enum Unit { SUB_DAY, DAYS, WEEK, MONTH }

  private final String code;
  private final Unit unit;
  /** Milliseconds for sub-day intervals, days for 1d/3d. */
  private final long size;

  SimInterval(String code, Unit unit, long size) {
    this.code = code;
    this.unit = unit;
    this.size = size;
  }

  /** Binance's name: {@code 1m}, {@code 1w}, {@code 1M}. */
  public String code() {
    return code;
  }

  /** Open time of the kline containing {@code t} (ms since the epoch). */
  public long openOf(long t) {
    LocalDateTime at = LocalDateTime.ofInstant(Instant.ofEpochMilli(t), ZoneOffset.UTC);
    LocalDate day = at.toLocalDate();
    switch (unit) {
      case SUB_DAY: {
        long msOfDay = at.toLocalTime().toNanoOfDay() / 1_000_000L;
        return millis(day) + msOfDay / size * size;
      }
      case DAYS: {
        long epochDay = day.toEpochDay();
        long anchor = size == 3 ? 1 : 0;
        return millis(day.minusDays(Math.floorMod(epochDay - anchor, size)));
      }
      case WEEK:
        return millis(day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)));
      default:
        return millis(day.withDayOfMonth(1));
    }
  }

  /** Open time of the kline after the one opening at {@code open}. */
  public long nextOpen(long open) {
    LocalDateTime at = LocalDateTime.ofInstant(Instant.ofEpochMilli(open), ZoneOffset.UTC);
    switch (unit) {
      case SUB_DAY:
        return at.plusNanos(size * 1_000_000L).toInstant(ZoneOffset.UTC).toEpochMilli();
      case DAYS:
        return at.plusDays(size).toInstant(ZoneOffset.UTC).toEpochMilli();
      case WEEK:
        return at.plusWeeks(1).toInstant(ZoneOffset.UTC).toEpochMilli();
      default:
        return at.plusMonths(1).toInstant(ZoneOffset.UTC).toEpochMilli();
    }
  }

  /** Close time of the kline opening at {@code open}: the next open minus 1 ms. */
  public long closeOf(long open) {
    return nextOpen(open) - 1;
  }

  private static long millis(LocalDate d) {
    return d.atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
  }

  /** The interval named {@code code}, or null. */
  public static SimInterval find(String code) {
    for (SimInterval i : values()) {
      if (i.code.equals(code)) {
        return i;
      }
    }
    return null;
  }

  /** Like {@link #find}, but an unknown name is an {@link IllegalArgumentException}. */
  public static SimInterval parse(String code) {
    SimInterval i = find(code);
    if (i == null) {
      throw new IllegalArgumentException("unknown interval '" + code + "'");
    }
    return i;
  }
}
