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
 *
 * <p>Storage: each ring packs its klines into one {@code long[]} of {@link #LONGS} longs per kline
 * (no object per kline). A ring starts with room for one kline and doubles up to {@code capacity}.
 * {@code maxKlines} bounds the kline slots allocated across all rings: when a ring would grow past
 * it, it keeps its size and drops its oldest kline instead ({@link #evicted()}); a series' first
 * kline that finds no slot left is not cached ({@link #refused()}: its queries go to the database).
 * A ring always holds every kline from its oldest to its newest, so what it answers stays whole.
 */
final class KlineCache {
  /**
   * Longs per kline: open time, close time, open, high, low, close, volume, taker buy volume, quote
   * volume (hi, lo), taker buy quote volume (hi, lo), count, first id, last id, last aggregate id,
   * and the price scale, quantity scale and closed flag packed in one.
   */
  static final int LONGS = 17;

  private static final int OPEN_TIME = 0;
  private static final int CLOSE_TIME = 1;
  private static final int OPEN = 2;
  private static final int HIGH = 3;
  private static final int LOW = 4;
  private static final int CLOSE = 5;
  private static final int VOLUME = 6;
  private static final int TAKER_VOLUME = 7;
  private static final int QUOTE_HI = 8;
  private static final int QUOTE_LO = 9;
  private static final int TAKER_QUOTE_HI = 10;
  private static final int TAKER_QUOTE_LO = 11;
  private static final int COUNT = 12;
  private static final int FIRST_ID = 13;
  private static final int LAST_ID = 14;
  private static final int LAST_AGG_ID = 15;
  /** bits 0-15 price scale, 16-31 quantity scale (signed 16-bit each), bit 32 closed. */
  private static final int FLAGS = 16;

  private static final long[] EMPTY = new long[0];

  /** One series' klines, oldest first, packed. */
  static final class Ring {
    private final int symbol;
    private final Interval interval;
    private long[] cells = EMPTY;
    private int slots;
    private int start;
    private int size;

    Ring(int symbol, Interval interval) {
      this.symbol = symbol;
      this.interval = interval;
    }

    int size() {
      return size;
    }

    /** Klines it has room for now (grows by doubling up to the cache's capacity). */
    int slots() {
      return slots;
    }

    private int base(int i) {
      int p = start + i;
      return (p >= slots ? p - slots : p) * LONGS;
    }

    /** The open time of the {@code i}-th oldest kline. */
    long openTime(int i) {
      return cells[base(i) + OPEN_TIME];
    }

    /** The {@code i}-th oldest kline, a fresh copy. */
    Kline get(int i) {
      return get(i, new Kline());
    }

    /** Copies the {@code i}-th oldest kline into {@code k}. */
    Kline get(int i, Kline k) {
      int b = base(i);
      long[] c = cells;
      k.symbol = symbol;
      k.interval = interval;
      k.openTime = c[b + OPEN_TIME];
      k.closeTime = c[b + CLOSE_TIME];
      k.open = c[b + OPEN];
      k.high = c[b + HIGH];
      k.low = c[b + LOW];
      k.close = c[b + CLOSE];
      k.volume = c[b + VOLUME];
      k.takerBuyVolume = c[b + TAKER_VOLUME];
      k.quoteHi = c[b + QUOTE_HI];
      k.quoteLo = c[b + QUOTE_LO];
      k.takerBuyQuoteHi = c[b + TAKER_QUOTE_HI];
      k.takerBuyQuoteLo = c[b + TAKER_QUOTE_LO];
      k.count = c[b + COUNT];
      k.firstId = c[b + FIRST_ID];
      k.lastId = c[b + LAST_ID];
      k.lastAggId = c[b + LAST_AGG_ID];
      long f = c[b + FLAGS];
      k.priceScale = (short) f;
      k.qtyScale = (short) (f >>> 16);
      k.closed = ((f >>> 32) & 1) != 0;
      return k;
    }

    private void write(int i, KlineDelta d, int r) {
      int b = base(i);
      long[] c = cells;
      c[b + OPEN_TIME] = d.openTime(r);
      c[b + CLOSE_TIME] = d.closeTime(r);
      c[b + OPEN] = d.open(r);
      c[b + HIGH] = d.high(r);
      c[b + LOW] = d.low(r);
      c[b + CLOSE] = d.close(r);
      c[b + VOLUME] = d.volume(r);
      c[b + TAKER_VOLUME] = d.takerBuyVolume(r);
      c[b + QUOTE_HI] = d.quoteHi(r);
      c[b + QUOTE_LO] = d.quoteLo(r);
      c[b + TAKER_QUOTE_HI] = d.takerBuyQuoteHi(r);
      c[b + TAKER_QUOTE_LO] = d.takerBuyQuoteLo(r);
      c[b + COUNT] = d.count(r);
      c[b + FIRST_ID] = d.firstId(r);
      c[b + LAST_ID] = d.lastId(r);
      c[b + LAST_AGG_ID] = d.lastAggId(r);
      c[b + FLAGS] = (d.priceScale(r) & 0xFFFFL) | (d.qtyScale(r) & 0xFFFFL) << 16 | (d.closed(r) ? 1L << 32 : 0);
    }

    /** Re-homes the klines into {@code newSlots} slots, oldest at 0. */
    private void resize(int newSlots) {
      long[] n = new long[newSlots * LONGS];
      for (int i = 0; i < size; i++) {
        System.arraycopy(cells, base(i), n, i * LONGS, LONGS);
      }
      cells = n;
      slots = newSlots;
      start = 0;
    }

    private void dropOldest() {
      start = start + 1 == slots ? 0 : start + 1;
      size--;
    }

    /** Makes room at position {@code pos} (0..size; size &lt; slots) and writes row {@code r} there. */
    private void insert(int pos, KlineDelta d, int r) {
      size++;
      // rare (a kline arriving out of order): shift the newer ones up by one
      for (int j = size - 1; j > pos; j--) {
        System.arraycopy(cells, base(j - 1), cells, base(j), LONGS);
      }
      write(pos, d, r);
    }
  }

  private static final Interval[] INTERVALS = Interval.values();

  private final int capacity;
  private final long maxKlines;
  /** Dense by symbol id, then interval ordinal (symbol ids are small and dense). */
  private Ring[][] rings = new Ring[64][];
  private int keys;
  private long klines;
  private long slots;
  private long evicted;
  private long refused;

  /** Rings of at most {@code capacity} klines each, at most {@code maxKlines} kline slots in all. */
  KlineCache(int capacity, long maxKlines) {
    if (capacity < 1 || maxKlines < 1) {
      throw new IllegalArgumentException("capacity and maxKlines must be positive");
    }
    this.capacity = capacity;
    this.maxKlines = maxKlines;
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
    Interval interval = d.interval(r);
    int iv = interval.ordinal();
    Ring ring = bySymbol[iv];
    if (ring == null) {
      if (slots >= maxKlines) {
        refused++;
        return;
      }
      ring = bySymbol[iv] = new Ring(symbol, interval);
      keys++;
    }
    upsert(ring, d, r);
  }

  /** Inserts or replaces row {@code r} of {@code d} by open time; returns false if it was older than the ring. */
  boolean upsert(Ring ring, KlineDelta d, int r) {
    long t = d.openTime(r);
    // newest first: the common case is the open kline changing or the next one opening
    int pos = 0;
    for (int i = ring.size - 1; i >= 0; i--) {
      long o = ring.openTime(i);
      if (o == t) {
        ring.write(i, d, r);
        return true;
      }
      if (o < t) {
        pos = i + 1;
        break;
      }
    }
    if (ring.size == ring.slots && !grow(ring)) {
      if (pos == 0) {
        // older than everything held and no room
        if (ring.size == 0) {
          refused++;
        }
        return false;
      }
      if (ring.slots < capacity) {
        evicted++; // the global bound, not the ring's own capacity, keeps it from growing
      }
      ring.dropOldest();
      klines--;
      pos--;
    }
    ring.insert(pos, d, r);
    klines++;
    return true;
  }

  /** Doubles {@code ring}'s slots, up to the capacity and what the global bound leaves; false if it cannot grow. */
  private boolean grow(Ring ring) {
    long want = Math.min(capacity, Math.max(1, 2L * ring.slots));
    long n = Math.min(want, ring.slots + (maxKlines - slots));
    if (n <= ring.slots) {
      return false;
    }
    slots += n - ring.slots;
    ring.resize((int) n);
    return true;
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
          klines -= r.size;
          slots -= r.slots;
        }
      }
      rings[symbol] = null;
    }
  }

  int keys() {
    return keys;
  }

  /** Klines held. */
  long klines() {
    return klines;
  }

  /** Kline slots allocated (at most {@code maxKlines}). */
  long slots() {
    return slots;
  }

  /** Oldest klines dropped because the global bound kept their ring from growing. */
  long evicted() {
    return evicted;
  }

  /** Series' first klines not cached for want of a slot under the global bound. */
  long refused() {
    return refused;
  }
}
