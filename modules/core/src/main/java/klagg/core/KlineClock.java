package klagg.core;

import static klagg.core.KlineCells.CELL_LONGS;
import static klagg.core.KlineCells.CELL_SHIFT;
import static klagg.core.KlineCells.CLOSED;
import static klagg.core.KlineCells.EMPTY;
import static klagg.core.KlineCells.F_FOLD_N;
import static klagg.core.KlineCells.F_NEXT_OPEN;
import static klagg.core.KlineCells.F_O;
import static klagg.core.KlineCells.F_OPEN_T;

import java.util.Arrays;
import java.util.List;

/**
 * The {@link KlineBook}'s klines as time passes: the clock closes each interval's open kline at its
 * boundary and opens the next one flat at the close ({@link #onTick}), except for a symbol whose feed
 * is down ({@link #suspend}: a dead feed is not a quiet market) or whose trading the exchange halted
 * ({@link #halt}: its kline closes and no flat one follows).
 *
 * <p>Here too are the cell moves the clock shares with the book's trades and corrections: merging a
 * slot's fold cell into its open cells, rolling an interval, evicting a closed kline into the
 * overflow while its last change is unacknowledged, rescaling to finer decimals, reading a cell out.
 *
 * <p>A base class of the book, as {@link SlotTable} is of this one: the per-trade loop reads the fold
 * and kline cells as its own fields, with no extra load per trade.
 */
abstract class KlineClock extends SlotTable {
  /** the intervals, shortest first */
  final Interval[] ivs;
  final int nIv;
  /** the kline cells, and per interval the earliest next open */
  final KlineCells cells;
  final long[] minNextOpen;

  // per slot: the fold cell (trades not yet merged into the open cells, CELL_LONGS longs from
  // slot << CELL_SHIFT); in its otherwise unused longs, how many trades it holds (F_FOLD_N) and the
  // window [F_OPEN_T, F_NEXT_OPEN) in which a trade lands in every interval's open cell (an end of
  // Long.MIN_VALUE: unknown, take the slow path). One place, so a trade on the fast path touches
  // two cache lines of book state.
  final boolean foldFast;
  long[] fold;
  boolean[] inFoldList;
  int[] foldList = new int[64];
  int foldCount;

  /** changed, in-flight and overflowed klines of the delta protocol */
  final DeltaTracker delta = new DeltaTracker();
  final DeltaOverflow overflow = delta.overflow;
  final Kline row = new Kline();
  /** suspended (dead feed) and halted (exchange BREAK/HALT) symbols */
  final SymbolPauses pauses = new SymbolPauses();

  long now = Long.MIN_VALUE;

  KlineClock(List<Interval> intervals, int expectedSymbols, boolean foldFast) {
    this.foldFast = foldFast;
    this.ivs = intervals.stream().distinct()
        .sorted((a, b) -> Long.compare(a.nominalLength(), b.nominalLength())).toArray(Interval[]::new);
    if (ivs.length == 0) {
      throw new IllegalArgumentException("no intervals");
    }
    this.nIv = ivs.length;
    this.cells = new KlineCells(ivs);
    this.minNextOpen = cells.minNextOpen;
    allocSlots(Math.max(4, expectedSymbols));
  }

  @Override
  final void growSlots(int n) {
    pauses.grow(n);
    fold = grow(fold, n << CELL_SHIFT);
    inFoldList = inFoldList == null ? new boolean[n] : Arrays.copyOf(inFoldList, n);
    delta.grow(cells.grow(n));
  }

  @Override
  final void clearSlot(int s) {
    pauses.reset(s);
    fold[(s << CELL_SHIFT) + F_FOLD_N] = 0;
    fold[(s << CELL_SHIFT) + F_NEXT_OPEN] = Long.MIN_VALUE;
    for (int iv = 0; iv < nIv; iv++) {
      clearCell(cells.cell(s, iv));
      clearCell(cells.cell(s, iv) + 1);
    }
  }

  public final List<Interval> intervals() {
    return List.of(ivs);
  }

  // ---------------------------------------------------------------- the clock

  /**
   * Advances the book's clock to server time {@code nowMs}: every interval whose boundary has passed
   * is closed and the next one opened (flat at the close, filling skipped intervals with flat
   * klines). Only intervals whose earliest boundary passed are visited.
   */
  public final void onTick(long nowMs) {
    advanceNow(nowMs);
    for (int iv = 0; iv < nIv; iv++) {
      if (now < minNextOpen[iv]) {
        continue;
      }
      foldAll();
      long min = Long.MAX_VALUE;
      for (int s = 0; s < slotLimit; s++) {
        if (!used[s]) {
          continue;
        }
        int cell = cells.cell(s, iv);
        if (cells.state[cell] == EMPTY) {
          continue;
        }
        if (cells.nextOpen(cell) <= now && !pauses.suspended(s)) {
          fold[(s << CELL_SHIFT) + F_NEXT_OPEN] = Long.MIN_VALUE;
          if (pauses.halted(s)) {
            closeHalted(cell);
            continue;
          }
          roll(cell, iv, now);
        }
        min = Math.min(min, cells.nextOpen(cell));
      }
      minNextOpen[iv] = min;
    }
  }

  final void advanceNow(long nowMs) {
    if (nowMs > now) {
      now = nowMs;
    }
  }

  /** The book's clock: the latest of tick times and trade times seen. */
  public final long now() {
    return now;
  }

  /** Closes the open kline of {@code cell} (and any skipped after it) up to {@code time}. */
  final void roll(int cell, int iv, long time) {
    int prev = cell + 1;
    while (cells.nextOpen(cell) <= time) {
      evict(prev);
      cells.copy(cell, prev);
      cells.state[prev] = CLOSED;
      delta.mark(prev);
      cells.flat(cell, iv, cells.nextOpen(cell), cells.close(cell));
      delta.mark(cell);
    }
    if (cells.nextOpen(cell) < minNextOpen[iv]) {
      minNextOpen[iv] = cells.nextOpen(cell);
    }
  }

  /** A halted symbol's kline reached its boundary: it closes, and no flat kline follows it. */
  private void closeHalted(int cell) {
    int prev = cell + 1;
    evict(prev);
    cells.copy(cell, prev);
    cells.state[prev] = CLOSED;
    delta.mark(prev);
    long nextOpen = cells.nextOpen(cell);
    clearCell(cell);
    // where the next kline would open: a trade before it is late (for prev), one after opens it
    cells.v[(cell << CELL_SHIFT) + F_OPEN_T] = nextOpen;
    cells.v[(cell << CELL_SHIFT) + F_NEXT_OPEN] = nextOpen;
  }

  // ---------------------------------------------------------------- dead feeds

  /**
   * The symbol's feed is down: clock ticks no longer close its klines (a dead feed is not a quiet
   * market, so no flat klines are invented). Trades, e.g. repaired from REST, still apply.
   */
  public final void suspend(int symbol) {
    int s = slotOf(symbol);
    if (s >= 0) {
      pauses.suspend(s);
    }
  }

  /** The feed is back and every missed trade was applied: ticks close klines again, up to now. */
  public final void resume(int symbol, long nowMs) {
    int s = slotOf(symbol);
    if (s < 0) {
      return;
    }
    pauses.unsuspend(s);
    advanceNow(nowMs);
    foldInto(s);
    for (int iv = 0; iv < nIv; iv++) {
      int cell = cells.cell(s, iv);
      if (cells.state[cell] != EMPTY && cells.nextOpen(cell) <= now) {
        fold[(s << CELL_SHIFT) + F_NEXT_OPEN] = Long.MIN_VALUE;
        if (pauses.halted(s)) {
          closeHalted(cell);
        } else {
          roll(cell, iv, now);
        }
      }
    }
  }

  public final boolean suspended(int symbol) {
    int s = slotOf(symbol);
    return s >= 0 && pauses.suspended(s);
  }

  // ---------------------------------------------------------------- halts (exchange status BREAK)

  /**
   * Trading of the symbol is paused on the exchange (status BREAK/HALT): not a delisting. Its open
   * klines still close at their boundaries, but no flat klines are opened after them (the exchange
   * publishes none for a halt), until {@link #unhalt} or its next trade.
   */
  public final void halt(int symbol, long nowMs) {
    int s = slotOf(symbol);
    if (s < 0 || pauses.halted(s)) {
      return;
    }
    advanceNow(nowMs);
    pauses.halt(s, Math.max(nowMs, now));
  }

  /**
   * Trading resumed: intervals that closed during the halt open again at {@code nowMs}'s boundary,
   * flat at the last close (trades amend them), and the clock closes them again.
   */
  public final void unhalt(int symbol, long nowMs) {
    int s = slotOf(symbol);
    if (s < 0 || !pauses.unhalt(s)) {
      return;
    }
    advanceNow(nowMs);
    foldInto(s);
    for (int iv = 0; iv < nIv; iv++) {
      int cell = cells.cell(s, iv);
      int prev = cell + 1;
      if (cells.state[cell] == EMPTY && cells.state[prev] != EMPTY) {
        cells.flat(cell, iv, Math.max(ivs[iv].openOf(now), cells.nextOpen(prev)), cells.close(prev));
        delta.mark(cell);
      } else if (cells.state[cell] != EMPTY && !pauses.suspended(s) && cells.nextOpen(cell) <= now) {
        roll(cell, iv, now);
      }
    }
  }

  public final boolean halted(int symbol) {
    int s = slotOf(symbol);
    return s >= 0 && pauses.halted(s);
  }

  /** Symbols halted right now. */
  public final int haltedCount() {
    return pauses.haltedCount();
  }

  // ---------------------------------------------------------------- cell moves shared with the book

  /**
   * Merges the slot's fold cell into every interval's open cell (marking them changed) and forgets
   * the fast window; the caller is about to read or change the cells. Exact ({@link KlineCells#add}).
   */
  final void foldInto(int s) {
    fold[(s << CELL_SHIFT) + F_NEXT_OPEN] = Long.MIN_VALUE;
    merge(s);
  }

  /** The merge of {@link #foldInto} alone: the open cells' windows, and so the fast window, stay. */
  final void merge(int s) {
    if (fold[(s << CELL_SHIFT) + F_FOLD_N] == 0) {
      return;
    }
    fold[(s << CELL_SHIFT) + F_FOLD_N] = 0;
    int f = s << CELL_SHIFT;
    long[] a = fold;
    for (int iv = 0, cell = cells.cell(s, 0); iv < nIv; iv++, cell += 2) {
      cells.add(cell, a, f);
      delta.mark(cell);
    }
    Arrays.fill(a, f + F_O, f + CELL_LONGS, 0L); // the sums and F_FOLD_N
  }

  /** Merges every fold cell (before deltas, snapshots and clock rolls). */
  final void foldAll() {
    for (int i = 0; i < foldCount; i++) {
      int s = foldList[i];
      inFoldList[s] = false;
      if (used[s]) {
        merge(s);
      }
    }
    foldCount = 0;
  }

  final void clearCell(int cell) {
    cells.clear(cell);
    delta.forget(cell);
  }

  /** A closed kline leaves {@code prev}: keep it in the overflow if its last change is unconfirmed. */
  final void evict(int prev) {
    if (cells.state[prev] != EMPTY && delta.unconfirmed(prev)) {
      toOverflow(prev);
    }
    delta.forget(prev);
  }

  final void toOverflow(int cell) {
    overflow.add(readCell(cell, row));
  }

  /**
   * The just-closed kline in {@code prev} changed (a late trade, a correction): if the open kline
   * after it has no trade yet, it is flat at that close, so it follows the new close.
   */
  final void reflat(int prev) {
    if (cells.reflat(prev)) {
      delta.mark(prev - 1);
    }
  }

  /** A cell into {@code k}, with its symbol's id, scales and last aggregate id. */
  final Kline readCell(int cell, Kline k) {
    int s = cell / (nIv * 2);
    cells.read(cell, k);
    k.symbol = slotSymbol[s];
    k.priceScale = pScale[s];
    k.qtyScale = qScale[s];
    k.lastAggId = lastAgg[s];
    return k;
  }

  /** A kline's values into a cell, at the symbol's scales (widened first if the kline is finer). */
  final void writeValues(int s, int cell, Kline k, boolean ids) {
    if (k.priceScale > pScale[s] || k.qtyScale > qScale[s]) {
      widen(s, Math.max(k.priceScale, pScale[s]), Math.max(k.qtyScale, qScale[s]));
    }
    cells.write(cell, k, pScale[s] - k.priceScale, qScale[s] - k.qtyScale, ids);
  }

  /** Scales a symbol's state up to finer decimals (rare: the first finer price or quantity). */
  final void widen(int s, int newP, int newQ) {
    foldInto(s);
    int dp = newP - pScale[s];
    int dq = newQ - qScale[s];
    for (int k = cells.cell(s, 0), end = k + 2 * nIv; k < end; k++) {
      if (cells.state[k] != EMPTY) {
        cells.rescale(k, dp, dq);
      }
    }
    pScale[s] = (byte) newP;
    qScale[s] = (byte) newQ;
  }
}
