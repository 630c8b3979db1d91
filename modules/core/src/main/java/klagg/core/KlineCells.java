package klagg.core;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * The book's packed kline cells: symbols x intervals x (open, just closed) cells of 16 longs each in
 * one array (array of structs: a trade touches 8 open cells, 16 cache lines, where a column per
 * field touched ~40), a state byte per cell, and per interval the earliest next open of its cells.
 * Cell {@code ((slot * nIv) + iv) * 2 + (0 = open, 1 = just closed)} holds its longs from
 * {@code cell << CELL_SHIFT}, fields at {@code F_*}; values are at the symbol's scales, which the book
 * keeps. What is here is what a cell is: a trade into it, one cell's sums into another, flat,
 * copied, cleared, read into and written from a {@link Kline}, rescaled.
 *
 * <p>The book's per-trade loop reads {@link #v} and {@link #state} directly (no call per field).
 */
final class KlineCells {
  static final byte EMPTY = 0;
  static final byte OPEN = 1;
  static final byte CLOSED = 2;
  static final int CELL_SHIFT = 4;
  static final int CELL_LONGS = 1 << CELL_SHIFT;
  static final int F_OPEN_T = 0;
  static final int F_NEXT_OPEN = 1;
  static final int F_O = 2;
  static final int F_H = 3;
  static final int F_L = 4;
  static final int F_C = 5;
  static final int F_VOL = 6;
  static final int F_TBV = 7;
  static final int F_Q_HI = 8;
  static final int F_Q_LO = 9;
  static final int F_TQ_HI = 10;
  static final int F_TQ_LO = 11;
  static final int F_CNT = 12;
  static final int F_FIRST_ID = 13;
  static final int F_LAST_ID = 14;
  /** unused in a kline cell; in the book's fold cell, how many trades it holds */
  static final int F_FOLD_N = 15;
  private static final long[] POW10 = Decimals.POW10;

  /** the intervals, shortest first */
  final Interval[] ivs;
  final int nIv;
  /** per interval: the earliest next open of its cells (Long.MAX_VALUE: none) */
  final long[] minNextOpen;
  long[] v = new long[0];
  byte[] state = new byte[0];

  KlineCells(Interval[] ivs) {
    this.ivs = ivs;
    this.nIv = ivs.length;
    this.minNextOpen = new long[nIv];
    Arrays.fill(minNextOpen, Long.MAX_VALUE);
  }

  /** Room for {@code slots} symbols; returns the number of cells. */
  int grow(int slots) {
    int cells = slots * nIv * 2;
    v = Arrays.copyOf(v, cells << CELL_SHIFT);
    state = Arrays.copyOf(state, cells);
    return cells;
  }

  /** The open cell of a slot's interval (its just-closed cell is the next one). */
  int cell(int slot, int iv) {
    return (slot * nIv + iv) << 1;
  }

  int indexOf(Interval iv) {
    for (int i = 0; i < nIv; i++) {
      if (ivs[i] == iv) {
        return i;
      }
    }
    return -1;
  }

  long openTime(int cell) {
    return v[(cell << CELL_SHIFT) + F_OPEN_T];
  }

  long nextOpen(int cell) {
    return v[(cell << CELL_SHIFT) + F_NEXT_OPEN];
  }

  long close(int cell) {
    return v[(cell << CELL_SHIFT) + F_C];
  }

  /** One trade into the cell at {@code x} of {@code a}, at the symbol's scales. */
  static void update(long[] a, int x, long p, long q, long firstId, long lastId, boolean buyerMaker) {
    if (a[x + F_CNT] == 0) {
      a[x + F_O] = p;
      a[x + F_H] = p;
      a[x + F_L] = p;
      a[x + F_C] = p;
      a[x + F_FIRST_ID] = firstId;
      a[x + F_LAST_ID] = lastId;
    } else {
      if (p > a[x + F_H]) {
        a[x + F_H] = p;
      }
      if (p < a[x + F_L]) {
        a[x + F_L] = p;
      }
      if (firstId < a[x + F_FIRST_ID]) {
        a[x + F_FIRST_ID] = firstId;
        a[x + F_O] = p;
      }
      if (lastId > a[x + F_LAST_ID]) {
        a[x + F_LAST_ID] = lastId;
        a[x + F_C] = p;
      }
    }
    long pqLo = p * q;
    long pqHi = Math.multiplyHigh(p, q);
    a[x + F_CNT] += lastId - firstId + 1;
    a[x + F_VOL] += q;
    long lo = a[x + F_Q_LO] + pqLo;
    a[x + F_Q_HI] += pqHi + (Long.compareUnsigned(lo, pqLo) < 0 ? 1 : 0);
    a[x + F_Q_LO] = lo;
    if (!buyerMaker) {
      a[x + F_TBV] += q;
      long tlo = a[x + F_TQ_LO] + pqLo;
      a[x + F_TQ_HI] += pqHi + (Long.compareUnsigned(tlo, pqLo) < 0 ? 1 : 0);
      a[x + F_TQ_LO] = tlo;
    }
  }

  /**
   * The sums of the cell at {@code f} of {@code a} (a fold cell) into {@code cell}. Exact: sums add
   * (128-bit with carry), high/low are max/min, open/close go with the smallest first / largest last id.
   */
  void add(int cell, long[] a, int f) {
    int x = cell << CELL_SHIFT;
    if (v[x + F_CNT] == 0) {
      v[x + F_O] = a[f + F_O];
      v[x + F_H] = a[f + F_H];
      v[x + F_L] = a[f + F_L];
      v[x + F_C] = a[f + F_C];
      v[x + F_FIRST_ID] = a[f + F_FIRST_ID];
      v[x + F_LAST_ID] = a[f + F_LAST_ID];
    } else {
      if (a[f + F_H] > v[x + F_H]) {
        v[x + F_H] = a[f + F_H];
      }
      if (a[f + F_L] < v[x + F_L]) {
        v[x + F_L] = a[f + F_L];
      }
      if (a[f + F_FIRST_ID] < v[x + F_FIRST_ID]) {
        v[x + F_FIRST_ID] = a[f + F_FIRST_ID];
        v[x + F_O] = a[f + F_O];
      }
      if (a[f + F_LAST_ID] > v[x + F_LAST_ID]) {
        v[x + F_LAST_ID] = a[f + F_LAST_ID];
        v[x + F_C] = a[f + F_C];
      }
    }
    v[x + F_CNT] += a[f + F_CNT];
    v[x + F_VOL] += a[f + F_VOL];
    v[x + F_TBV] += a[f + F_TBV];
    long lo = v[x + F_Q_LO] + a[f + F_Q_LO];
    v[x + F_Q_HI] += a[f + F_Q_HI] + (Long.compareUnsigned(lo, a[f + F_Q_LO]) < 0 ? 1 : 0);
    v[x + F_Q_LO] = lo;
    long tlo = v[x + F_TQ_LO] + a[f + F_TQ_LO];
    v[x + F_TQ_HI] += a[f + F_TQ_HI] + (Long.compareUnsigned(tlo, a[f + F_TQ_LO]) < 0 ? 1 : 0);
    v[x + F_TQ_LO] = tlo;
  }

  /** Opens {@code cell} at {@code open}: a kline with no trade, O=H=L=C={@code price}. */
  void flat(int cell, int iv, long open, long price) {
    int x = cell << CELL_SHIFT;
    v[x + F_OPEN_T] = open;
    v[x + F_NEXT_OPEN] = ivs[iv].nextOpen(open);
    v[x + F_O] = price;
    v[x + F_H] = price;
    v[x + F_L] = price;
    v[x + F_C] = price;
    v[x + F_VOL] = 0;
    v[x + F_TBV] = 0;
    v[x + F_Q_HI] = 0;
    v[x + F_Q_LO] = 0;
    v[x + F_TQ_HI] = 0;
    v[x + F_TQ_LO] = 0;
    v[x + F_CNT] = 0;
    v[x + F_FIRST_ID] = -1;
    v[x + F_LAST_ID] = -1;
    state[cell] = OPEN;
    if (v[x + F_NEXT_OPEN] < minNextOpen[iv]) {
      minNextOpen[iv] = v[x + F_NEXT_OPEN];
    }
  }

  /** The kline of cell {@code from} (its 15 kline longs and state) into cell {@code to}. */
  void copy(int from, int to) {
    System.arraycopy(v, from << CELL_SHIFT, v, to << CELL_SHIFT, F_LAST_ID + 1);
    state[to] = state[from];
  }

  void clear(int cell) {
    state[cell] = EMPTY;
    v[(cell << CELL_SHIFT) + F_CNT] = 0;
  }

  /** The cell's kline into {@code k}, but for what the book keeps per symbol (symbol, scales, last id). */
  Kline read(int cell, Kline k) {
    int x = cell << CELL_SHIFT;
    k.interval = ivs[(cell >>> 1) % nIv];
    k.openTime = v[x + F_OPEN_T];
    k.closeTime = v[x + F_NEXT_OPEN] - 1;
    k.open = v[x + F_O];
    k.high = v[x + F_H];
    k.low = v[x + F_L];
    k.close = v[x + F_C];
    k.volume = v[x + F_VOL];
    k.takerBuyVolume = v[x + F_TBV];
    k.quoteHi = v[x + F_Q_HI];
    k.quoteLo = v[x + F_Q_LO];
    k.takerBuyQuoteHi = v[x + F_TQ_HI];
    k.takerBuyQuoteLo = v[x + F_TQ_LO];
    k.count = v[x + F_CNT];
    k.firstId = v[x + F_FIRST_ID];
    k.lastId = v[x + F_LAST_ID];
    k.closed = state[cell] == CLOSED;
    return k;
  }

  /**
   * A kline's values into a cell, {@code dp}/{@code dq} decimals finer than the kline's (the symbol's
   * scales); its trade ids too if {@code ids}. Times and state stay.
   */
  void write(int cell, Kline k, int dp, int dq, boolean ids) {
    int x = cell << CELL_SHIFT;
    v[x + F_O] = k.open * POW10[dp];
    v[x + F_H] = k.high * POW10[dp];
    v[x + F_L] = k.low * POW10[dp];
    v[x + F_C] = k.close * POW10[dp];
    v[x + F_VOL] = k.volume * POW10[dq];
    v[x + F_TBV] = k.takerBuyVolume * POW10[dq];
    set128(cell, k.quoteHi, k.quoteLo, dp + dq, false);
    set128(cell, k.takerBuyQuoteHi, k.takerBuyQuoteLo, dp + dq, true);
    v[x + F_CNT] = k.count;
    if (ids) {
      v[x + F_FIRST_ID] = k.firstId;
      v[x + F_LAST_ID] = k.lastId;
    }
  }

  /** Scales a cell's values up by {@code dp} price and {@code dq} quantity decimals (exact or throws). */
  void rescale(int cell, int dp, int dq) {
    int x = cell << CELL_SHIFT;
    long fp = POW10[dp];
    long fq = POW10[dq];
    v[x + F_O] = Math.multiplyExact(v[x + F_O], fp);
    v[x + F_H] = Math.multiplyExact(v[x + F_H], fp);
    v[x + F_L] = Math.multiplyExact(v[x + F_L], fp);
    v[x + F_C] = Math.multiplyExact(v[x + F_C], fp);
    v[x + F_VOL] = Math.multiplyExact(v[x + F_VOL], fq);
    v[x + F_TBV] = Math.multiplyExact(v[x + F_TBV], fq);
    set128(cell, v[x + F_Q_HI], v[x + F_Q_LO], dp + dq, false);
    set128(cell, v[x + F_TQ_HI], v[x + F_TQ_LO], dp + dq, true);
  }

  private void set128(int cell, long hi, long lo, int shiftDecimals, boolean taker) {
    BigInteger big = Decimals.toBigInteger(hi, lo).multiply(BigInteger.TEN.pow(shiftDecimals));
    if (big.bitLength() > 126) {
      throw new ArithmeticException("quote volume overflow");
    }
    int b = cell << CELL_SHIFT;
    v[b + (taker ? F_TQ_HI : F_Q_HI)] = Decimals.hi(big);
    v[b + (taker ? F_TQ_LO : F_Q_LO)] = Decimals.lo(big);
  }

  /**
   * The just-closed kline in {@code prev} changed: if the open kline after it has no trade yet, it
   * is flat at that close, so it follows the new close. Returns whether the open kline changed.
   */
  boolean reflat(int prev) {
    int cur = prev - 1;
    if (state[cur] != OPEN || v[(cur << CELL_SHIFT) + F_CNT] != 0
        || v[(cur << CELL_SHIFT) + F_OPEN_T] != v[(prev << CELL_SHIFT) + F_NEXT_OPEN]) {
      return false;
    }
    long c = v[(prev << CELL_SHIFT) + F_C];
    if (v[(cur << CELL_SHIFT) + F_C] == c) {
      return false;
    }
    v[(cur << CELL_SHIFT) + F_O] = c;
    v[(cur << CELL_SHIFT) + F_H] = c;
    v[(cur << CELL_SHIFT) + F_L] = c;
    v[(cur << CELL_SHIFT) + F_C] = c;
    return true;
  }
}
