package klagg.service.web;

import java.util.Arrays;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.core.KlineDelta;

/**
 * The most recent klines per (symbol, interval), kept from the gateway's cycle updates: a ring of at
 * most {@code capacity} klines ascending by open time, the newest being the open one. Older history
 * comes from the database. Owned by the web event loop.
 *
 * <p>This is the service's one copy of the last known klines (there is no second book in the
 * gateway): when a worker misses its pull deadline the gateway publishes nothing for its symbols, so
 * what is here stays served until the worker answers again and its delta (everything since its last
 * acknowledged pull) catches up.
 */
final class KlineCache {
  static final class Ring {
    private final Kline[] slots;
    private int start;
    private int size;

    Ring(int capacity) {
      slots = new Kline[capacity];
    }

    int size() {
      return size;
    }

    /** The {@code i}-th oldest kline. */
    Kline get(int i) {
      return slots[(start + i) % slots.length];
    }

    Kline newest() {
      return size == 0 ? null : get(size - 1);
    }

    Kline oldest() {
      return size == 0 ? null : get(0);
    }

    /** Inserts or replaces row {@code r} of {@code d} by open time; returns false if it was older than the ring. */
    boolean upsert(KlineDelta d, int r) {
      long t = d.openTime(r);
      // newest first: the common case is the open kline changing or the next one opening
      for (int i = size - 1; i >= 0; i--) {
        Kline k = get(i);
        if (k.openTime == t) {
          d.get(r, k);
          return true;
        }
        if (k.openTime < t) {
          if (i == size - 1) {
            append(d, r);
            return true;
          }
          return insertAfter(i, d, r);
        }
      }
      if (size < slots.length) {
        // older than everything held but there is room: shift right by one
        return insertAfter(-1, d, r);
      }
      return false;
    }

    private void append(KlineDelta d, int r) {
      Kline k;
      if (size < slots.length) {
        int idx = (start + size) % slots.length;
        k = slots[idx] == null ? (slots[idx] = new Kline()) : slots[idx];
        size++;
      } else {
        k = slots[start];
        start = (start + 1) % slots.length;
      }
      d.get(r, k);
    }

    private boolean insertAfter(int i, KlineDelta d, int r) {
      // rare (a kline arriving out of order): rebuild in place
      if (size == slots.length) {
        if (i < 0) {
          return false;
        }
        // drop the oldest to make room
        start = (start + 1) % slots.length;
        size--;
        i--;
      }
      int idx = (start + size) % slots.length;
      Kline spare = slots[idx] == null ? new Kline() : slots[idx];
      for (int j = size; j > i + 1; j--) {
        slots[(start + j) % slots.length] = slots[(start + j - 1) % slots.length];
      }
      slots[(start + i + 1) % slots.length] = spare;
      d.get(r, spare);
      size++;
      return true;
    }
  }

  private static final Interval[] INTERVALS = Interval.values();

  private final int capacity;
  /** Dense by symbol id, then interval ordinal (symbol ids are small and dense). */
  private Ring[][] rings = new Ring[64][];
  private int keys;

  KlineCache(int capacity) {
    this.capacity = capacity;
  }

  void apply(KlineDelta d, int r) {
    int symbol = d.symbol(r);
    if (symbol < 0) {
      return;
    }
    if (symbol >= rings.length) {
      rings = Arrays.copyOf(rings, Math.max(symbol + 1, rings.length * 2));
    }
    Ring[] bySymbol = rings[symbol];
    if (bySymbol == null) {
      bySymbol = rings[symbol] = new Ring[INTERVALS.length];
    }
    int iv = d.interval(r).ordinal();
    Ring ring = bySymbol[iv];
    if (ring == null) {
      ring = bySymbol[iv] = new Ring(capacity);
      keys++;
    }
    ring.upsert(d, r);
  }

  Ring ring(int symbol, Interval iv) {
    Ring[] bySymbol = symbol >= 0 && symbol < rings.length ? rings[symbol] : null;
    return bySymbol == null ? null : bySymbol[iv.ordinal()];
  }

  void remove(int symbol) {
    if (symbol >= 0 && symbol < rings.length && rings[symbol] != null) {
      for (Ring r : rings[symbol]) {
        if (r != null) {
          keys--;
        }
      }
      rings[symbol] = null;
    }
  }

  int keys() {
    return keys;
  }

  long klines() {
    long n = 0;
    for (Ring[] bySymbol : rings) {
      if (bySymbol != null) {
        for (Ring r : bySymbol) {
          n += r == null ? 0 : r.size();
        }
      }
    }
    return n;
  }
}
