package klagg.core;

import java.util.ArrayList;
import java.util.List;

/**
 * What a seed asks the exchange for, so that it costs few requests: the open kline of every interval
 * but the finest (seeded from its window's trades) is built from the closed klines of a finer
 * <em>base</em> interval since its open, plus the base's own open kline. Few bases serve every
 * interval: an interval takes a base already chosen when its closed klines fit one request
 * ({@code maxRows}), else the coarsest finer interval it is aligned to becomes a new base. With
 * Binance's defaults ({@code 1m … 1w}, 1,000 rows) that is two requests whatever the time: 1m klines
 * since the 4h open (5m to 4h) and 4h klines since the earlier of the day's and the week's open (1d,
 * 1w; and 1M); one request per interval before.
 */
public final class SeedPlan {
  private final List<Interval> intervals;
  private final long now;
  private final int[] base;
  private final long[] from;
  private final List<Integer> bases = new ArrayList<>();

  private SeedPlan(List<Interval> intervals, long now, int maxRows) {
    this.intervals = intervals;
    this.now = now;
    int n = intervals.size();
    base = new int[n];
    from = new long[n];
    java.util.Arrays.fill(from, Long.MAX_VALUE);
    base[0] = -1;
    for (int i = 1; i < n; i++) {
      base[i] = choose(i, maxRows);
      if (from[base[i]] == Long.MAX_VALUE) {
        bases.add(base[i]);
      }
      from[base[i]] = Math.min(from[base[i]], intervals.get(i).openOf(now));
    }
    bases.sort(null);
  }

  /**
   * @param intervals ascending by length; the first is seeded from trades
   * @param now the exchange's time
   * @param maxRows klines one request returns at most
   */
  public static SeedPlan of(List<Interval> intervals, long now, int maxRows) {
    return new SeedPlan(intervals, now, maxRows);
  }

  private int choose(int i, int maxRows) {
    Interval iv = intervals.get(i);
    long open = iv.openOf(now);
    int chosenBase = -1;
    int newBase = -1;
    int nearest = -1;
    for (int j = i - 1; j >= 0; j--) {
      Interval p = intervals.get(j);
      if (!iv.alignedTo(p)) {
        continue;
      }
      if (nearest < 0) {
        nearest = j;
      }
      if (p.fixedLength() <= 0 || (p.openOf(now) - open) / p.fixedLength() > maxRows) {
        continue;
      }
      if (chosenBase < 0 && from[j] != Long.MAX_VALUE) {
        chosenBase = j; // the coarsest base already asked for that fits
      }
      if (newBase < 0) {
        newBase = j; // the coarsest that fits
      }
    }
    if (chosenBase >= 0) {
      return chosenBase;
    }
    if (newBase >= 0) {
      return newBase;
    }
    return nearest >= 0 ? nearest : 0; // none fits one request (paged) or none aligned (the finest)
  }

  /** The interval whose closed klines and open kline make interval {@code i}'s open kline (-1 for 0). */
  public int base(int i) {
    return base[i];
  }

  /** The base intervals whose closed klines are asked for, ascending. */
  public List<Integer> bases() {
    return bases;
  }

  /** Earliest open time of base {@code b}'s closed klines needed. */
  public long from(int b) {
    return from[b];
  }

  /** The open time of base {@code b}'s current kline: its closed klines are those before it. */
  public long until(int b) {
    return intervals.get(b).openOf(now);
  }

  /** Requests the plan costs (bases with at least one closed kline to fetch, one page each if they fit). */
  public int requests() {
    int r = 0;
    for (int b : bases) {
      if (from[b] < until(b)) {
        r++;
      }
    }
    return r;
  }
}
