package klagg.service;

import java.util.HashMap;
import java.util.Map;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.core.KlineDelta;

/**
 * The gateway's view of every symbol's latest klines, updated in place from worker deltas: per
 * (symbol, interval) the open kline and the last closed one. Owned by the gateway's event loop.
 */
public final class GlobalBook {
  private final Map<Long, Kline[]> byKey = new HashMap<>();

  static long key(int symbol, Interval iv) {
    return ((long) symbol << 8) | iv.ordinal();
  }

  public void apply(KlineDelta d) {
    for (int i = 0; i < d.size(); i++) {
      long k = key(d.symbol(i), d.interval(i));
      Kline[] pair = byKey.computeIfAbsent(k, x -> new Kline[] {new Kline(), new Kline()});
      // [0] = open (latest open time), [1] = last closed
      if (d.closed(i)) {
        if (pair[1].interval == null || d.openTime(i) >= pair[1].openTime) {
          d.get(i, pair[1]);
        }
        if (pair[0].interval != null && pair[0].openTime <= d.openTime(i)) {
          pair[0].interval = null; // the open one closed
        }
      } else if (pair[0].interval == null || d.openTime(i) >= pair[0].openTime) {
        d.get(i, pair[0]);
      }
    }
  }

  /** The open kline, or null. */
  public Kline current(int symbol, Interval iv) {
    Kline[] p = byKey.get(key(symbol, iv));
    return p == null || p[0].interval == null ? null : p[0];
  }

  /** The last closed kline, or null. */
  public Kline lastClosed(int symbol, Interval iv) {
    Kline[] p = byKey.get(key(symbol, iv));
    return p == null || p[1].interval == null ? null : p[1];
  }

  public void remove(int symbol) {
    byKey.keySet().removeIf(k -> (k >>> 8) == symbol);
  }

  public int size() {
    return byKey.size();
  }
}
