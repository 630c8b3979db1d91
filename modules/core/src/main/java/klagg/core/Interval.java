package klagg.core;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Binance kline intervals with UTC boundaries. {@code 1w} opens Monday 00:00 UTC, {@code 1M} on the
 * first of the month, {@code 3d} on the epoch-day grid Binance uses (days since 1970-01-01 = 1 mod 3).
 * {@code closeTime = nextOpen - 1 ms}.
 *
 * <p>Boundary arithmetic is for roll-over time, not per trade: callers keep the next open of the
 * current kline and compare the trade time to it.
 */
public enum Interval {
  S1("1s", 1_000L, 0L),
  M1("1m", 60_000L, 0L),
  M3("3m", 180_000L, 0L),
  M5("5m", 300_000L, 0L),
  M15("15m", 900_000L, 0L),
  M30("30m", 1_800_000L, 0L),
  H1("1h", 3_600_000L, 0L),
  H2("2h", 7_200_000L, 0L),
  H4("4h", 14_400_000L, 0L),
  H6("6h", 21_600_000L, 0L),
  H8("8h", 28_800_000L, 0L),
  H12("12h", 43_200_000L, 0L),
  D1("1d", 86_400_000L, 0L),
  D3("3d", 259_200_000L, 86_400_000L),
  W1("1w", 604_800_000L, 345_600_000L),
  MN1("1M", -1L, 0L);

  /** The service's default set: 1m 5m 15m 30m 1h 4h 1d 1w. */
  public static final List<Interval> DEFAULTS = List.of(M1, M5, M15, M30, H1, H4, D1, W1);

  private static final Interval[] VALUES = values();

  private final String code;
  private final long length;
  private final long offset;

  Interval(String code, long length, long offset) {
    this.code = code;
    this.length = length;
    this.offset = offset;
  }

  /** Binance's name, e.g. {@code 1m}, {@code 1M}. */
  public String code() {
    return code;
  }

  /** Fixed length in ms, or -1 for the calendar month. */
  public long fixedLength() {
    return length;
  }

  /** Nominal length in ms (31 days for 1M), for ordering and sizing only. */
  public long nominalLength() {
    return length > 0 ? length : 31L * 86_400_000L;
  }

  /** Open time of the kline that contains {@code t} (ms since epoch, UTC). */
  public long openOf(long t) {
    if (length > 0) {
      return Math.floorDiv(t - offset, length) * length + offset;
    }
    LocalDate d = Instant.ofEpochMilli(t).atZone(ZoneOffset.UTC).toLocalDate().withDayOfMonth(1);
    return d.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
  }

  /** Open time of the kline after the one opening at {@code open}. */
  public long nextOpen(long open) {
    if (length > 0) {
      return open + length;
    }
    LocalDate d = Instant.ofEpochMilli(open).atZone(ZoneOffset.UTC).toLocalDate().withDayOfMonth(1);
    return d.plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
  }

  /** Close time of the kline opening at {@code open}: next open minus 1 ms. */
  public long closeOf(long open) {
    return nextOpen(open) - 1;
  }

  /** Whether every boundary of {@code this} is also a boundary of {@code finer}. */
  public boolean alignedTo(Interval finer) {
    if (finer == this) {
      return true;
    }
    if (finer.length <= 0) {
      return false;
    }
    if (length < 0) {
      return 86_400_000L % finer.length == 0 && finer.offset == 0;
    }
    return length % finer.length == 0 && Math.floorMod(offset - finer.offset, finer.length) == 0;
  }

  /** Parses a Binance interval name; throws {@link IllegalArgumentException} naming the bad value. */
  public static Interval parse(String code) {
    for (Interval i : VALUES) {
      if (i.code.equals(code)) {
        return i;
      }
    }
    throw new IllegalArgumentException("unknown interval '" + code + "' (expected one of "
        + Arrays.stream(VALUES).map(Interval::code).reduce((a, b) -> a + " " + b).orElse("") + ")");
  }

  /** Like {@link #parse} but returns null for an unknown name. */
  public static Interval find(String code) {
    for (Interval i : VALUES) {
      if (i.code.equals(code)) {
        return i;
      }
    }
    return null;
  }

  /** Parses {@code "1m,5m,1h"}: distinct, sorted by length. */
  public static List<Interval> parseList(String csv) {
    List<Interval> out = new ArrayList<>();
    for (String part : csv.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      Interval i = parse(p);
      if (!out.contains(i)) {
        out.add(i);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no intervals given");
    }
    out.sort((a, b) -> Long.compare(a.nominalLength(), b.nominalLength()));
    return out;
  }
}
