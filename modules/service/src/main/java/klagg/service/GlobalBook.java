package klagg.service;

import java.util.Arrays;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.core.KlineDelta;

/**
 * The gateway's view of every symbol's latest klines, updated in place from worker deltas: per
 * (symbol, interval) the open kline and the last closed one, in a dense table indexed by symbol id
 * and interval (ids are small and dense: no hashing, no boxing). Owned by the gateway's event loop.
 */
public final class GlobalBook {
  private static final int IV = Interval.values().length;

  /** [2 * (symbol * IV + interval)] = open kline, [+1] = last closed; null until seen */
  private Kline[] table = new Kline[2 * IV * 64];
  private int size;

  private int index(int symbol, Interval iv) {
    return 2 * (symbol * IV + iv.ordinal());
  }

  private Kline slot(int i) {
    if (i >= table.length) {
      table = Arrays.copyOf(table, Math.max(i + 2, table.length * 2));
    }
    Kline k = table[i];
    if (k == null) {
      k = new Kline();
      table[i] = k;
      size++;
    }
    return k;
  }

  public void apply(KlineDelta d) {
    for (int r = 0; r < d.size(); r++) {
      int i = index(d.symbol(r), d.interval(r));
      long open = d.openTime(r);
      if (d.closed(r)) {
        Kline last = slot(i + 1);
        if (last.interval == null || open >= last.openTime) {
          d.get(r, last);
        }
        Kline cur = i < table.length ? table[i] : null;
        if (cur != null && cur.interval != null && cur.openTime <= open) {
          cur.interval = null; // the open one closed
        }
      } else {
        Kline cur = slot(i);
        if (cur.interval == null || open >= cur.openTime) {
          d.get(r, cur);
        }
      }
    }
  }

  /** The open kline, or null. */
  public Kline current(int symbol, Interval iv) {
    return get(index(symbol, iv));
  }

  /** The last closed kline, or null. */
  public Kline lastClosed(int symbol, Interval iv) {
    return get(index(symbol, iv) + 1);
  }

  private Kline get(int i) {
    Kline k = i < table.length ? table[i] : null;
    return k == null || k.interval == null ? null : k;
  }

  /** Forgets a removed symbol (its id may be handed out again). */
  public void remove(int symbol) {
    int from = 2 * symbol * IV;
    if (from < table.length) {
      for (int i = from, end = Math.min(table.length, from + 2 * IV); i < end; i++) {
        if (table[i] != null) {
          table[i] = null;
          size--;
        }
      }
    }
  }

  /** Klines held (open and last closed). */
  public int size() {
    return size;
  }
}
