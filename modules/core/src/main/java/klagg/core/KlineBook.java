package klagg.core;

import static klagg.core.KlineCells.CELL_SHIFT;
import static klagg.core.KlineCells.CLOSED;
import static klagg.core.KlineCells.EMPTY;
import static klagg.core.KlineCells.F_CNT;
import static klagg.core.KlineCells.F_FOLD_N;
import static klagg.core.KlineCells.F_NEXT_OPEN;
import static klagg.core.KlineCells.F_OPEN_T;
import static klagg.core.KlineCells.OPEN;

import java.util.Arrays;
import java.util.List;

/**
 * The kline state of one worker, and the per-trade loop that changes it: symbols x intervals as one array of 16-long cells, exact integer sums, and a
 * dirty set from which deltas are taken under an epoch.
 *
 * <p>Every (symbol, interval) has two cells: the open kline ({@code cur}) and the one just closed
 * ({@code prev}), which late trades may still amend within the grace window. A closed kline that is
 * pushed out of {@code prev} before its last change was acknowledged moves to an overflow list that
 * is part of every delta until acknowledged, so nothing is lost when the consumer misses replies.
 *
 * <p>Per trade: one id check and, in the common case, one cell updated: a trade inside every
 * interval's open window (no roll, not late) goes into the symbol's fold cell, which is merged into
 * every interval's open kline before anything reads or changes them (deltas, snapshots, rolls,
 * corrections). Merging is exact because a kline is a commutative sum of its trades (open and close
 * follow ids, not order). Other trades take two passes over the intervals (roll/lateness, then
 * update). No allocation and no division: a trade rolls an interval when its time reaches the
 * precomputed next open. {@link #onTick} touches only intervals whose earliest next open has passed.
 *
 * <p>Open and close follow trade ids, not arrival order: the open is the price of the trade with the
 * smallest first id, the close that of the largest last id, so reordered or repaired trades land
 * exactly where the exchange has them.
 *
 * <p>The book holds the per-trade loop ({@link #apply}), symbols added, restored and removed,
 * corrections from the exchange, and the reads (deltas, snapshots, one kline). The other jobs are
 * beneath or beside it: {@link SlotTable} (symbol id to slot, scales, last aggregate id) and
 * {@link KlineClock} (rolls at boundaries, dead feeds and halts, the cell moves all of them share)
 * are its base classes, so the loop reads their arrays as its own fields; {@link KlineCells} (the
 * packed cells and what a cell is), {@link DeltaTracker} (changed and in-flight cells, epochs) with
 * {@link DeltaOverflow} (closed klines that left unacknowledged), {@link IdGaps} (missing aggregate
 * ids) and {@link SymbolPauses} (suspended and halted symbols) are objects it holds.
 *
 * <p>Not thread-safe: one owner (a worker verticle, the replay loop).
 */
public final class KlineBook extends KlineClock {
  /** Outcome of {@link #apply}. */
  public enum Result {
    APPLIED, LATE_APPLIED, GAP_FILLED, LATE_DROPPED, DUPLICATE, UNKNOWN_SYMBOL, BAD_SCALE
  }

  /** Told of every jump in a symbol's aggregate ids: ids {@code from..to} (inclusive) are missing. */
  public interface GapListener {
    void onGap(int symbol, long fromAggId, long toAggId);
  }

  private static final long[] POW10 = Decimals.POW10;

  private GapListener gapListener = (s, f, t) -> { };
  private final int[] targets;
  /** how long after a kline closes late trades may still amend it */
  private final long graceMs;
  private final KlineDelta.Builder out = new KlineDelta.Builder(256);
  /** open ranges of missing aggregate ids */
  private final IdGaps gaps = new IdGaps();

  private long applied;
  private long folded;
  private long duplicates;
  private long lateApplied;
  private long lateDropped;
  private long unknown;

  /**
   * @param intervals the intervals to keep (any order; kept sorted by length)
   * @param graceMs how long after a kline closes late trades may still amend it
   * @param expectedSymbols initial capacity (grows)
   */
  public KlineBook(List<Interval> intervals, long graceMs, int expectedSymbols) {
    this(intervals, graceMs, expectedSymbols, true);
  }

  /** With {@code foldFast} false every trade updates every interval directly (for differential tests). */
  KlineBook(List<Interval> intervals, long graceMs, int expectedSymbols, boolean foldFast) {
    super(intervals, expectedSymbols, foldFast);
    this.graceMs = graceMs;
    this.targets = new int[nIv];
  }

  public void setGapListener(GapListener listener) {
    this.gapListener = listener;
  }

  // ---------------------------------------------------------------- symbols

  /** Adds a symbol with no kline yet: its klines start at its first trade. */
  public void addSymbol(int symbol, int priceScale, int qtyScale) {
    slotFor(symbol, priceScale, qtyScale);
  }

  /**
   * Adds a symbol seeded at its current price: flat klines (O=H=L=C=seed, zero volume) open at
   * {@code nowMs}'s interval boundaries, so a quiet symbol still gets klines from its first minute.
   */
  public void addSymbol(int symbol, long seedPrice, int seedScale, int qtyScale, long nowMs) {
    int s = slotFor(symbol, Math.max(seedScale, 0), qtyScale);
    if (seedScale > pScale[s]) {
      widen(s, seedScale, qScale[s]);
    }
    long p = seedPrice * POW10[pScale[s] - seedScale];
    advanceNow(nowMs);
    foldInto(s);
    for (int iv = 0; iv < nIv; iv++) {
      int cell = cells.cell(s, iv);
      if (cells.state[cell] == EMPTY) {
        cells.flat(cell, iv, ivs[iv].openOf(nowMs), p);
        delta.mark(cell);
      }
    }
  }

  /**
   * Restores a symbol's latest kline per interval (from a REST seed or the database) as its open
   * state; it goes out in the next delta.
   */
  public void restore(Kline k) {
    int s = slotFor(k.symbol, k.priceScale, k.qtyScale);
    int iv = cells.indexOf(k.interval);
    if (iv < 0) {
      return;
    }
    foldInto(s);
    int cell = cells.cell(s, iv);
    cells.v[(cell << CELL_SHIFT) + F_OPEN_T] = k.openTime;
    cells.v[(cell << CELL_SHIFT) + F_NEXT_OPEN] = ivs[iv].nextOpen(k.openTime);
    writeValues(s, cell, k, true);
    cells.state[cell] = OPEN;
    delta.mark(cell); // goes out in the next delta: a quiet symbol's open kline is stored from the start
    minNextOpen[iv] = Math.min(minNextOpen[iv], cells.nextOpen(cell));
  }

  /**
   * Closes a symbol out: its open klines become final (emitted in the next delta) and its slot is
   * freed. Returns false if the symbol was not in the book.
   */
  public boolean removeSymbol(int symbol) {
    int s = slotOf(symbol);
    if (s < 0) {
      return false;
    }
    foldInto(s);
    for (int iv = 0; iv < nIv; iv++) {
      int cur = cells.cell(s, iv);
      evict(cur + 1);
      if (cells.state[cur] != EMPTY) {
        cells.state[cur] = CLOSED;
        toOverflow(cur);
      }
      clearCell(cur);
      clearCell(cur + 1);
    }
    gaps.forget(s);
    pauses.forget(s);
    freeSlot(s);
    return true;
  }

  // ---------------------------------------------------------------- trades

  /**
   * Applies one aggregate trade. A repeated aggregate id is dropped as a duplicate unless it fills a
   * known gap; a jump opens a gap (reported to the {@link GapListener}). A trade for an earlier
   * interval than the open one amends the just-closed kline while the grace window lasts, and is
   * dropped from it after that ({@link Result#LATE_DROPPED}: the closed kline is short of it, the
   * owner repairs it), while still counting in the coarser klines that are open. A trade past a
   * boundary rolls the symbol's intervals at once.
   */
  public Result apply(AggTrade t) {
    return apply(t.symbol, t.aggId, t.price, t.priceScale, t.qty, t.qtyScale, t.firstId, t.lastId, t.time,
        t.buyerMaker);
  }

  /** {@link #apply(AggTrade)} with the trade's fields as arguments (the block replay path). */
  public Result apply(int symbol, long aggId, long price, int priceScale, long qty, int qtyScale,
      long firstId, long lastId, long time, boolean buyerMaker) {
    int s = slotOf(symbol);
    if (s < 0) {
      unknown++;
      return Result.UNKNOWN_SYMBOL;
    }
    long a = aggId;
    long last = lastAgg[s];
    boolean fill = false;
    if (last >= 0 && a <= last) {
      if (!gaps.any() || !gaps.fill(s, a)) {
        duplicates++;
        return Result.DUPLICATE;
      }
      fill = true;
    } else {
      if (last >= 0 && a > last + 1) {
        openGap(s, last + 1, a - 1);
      }
      lastAgg[s] = a;
    }
    if (time > now) {
      now = time;
    }

    long p = price;
    long q = qty;
    if (priceScale != pScale[s] || qtyScale != qScale[s]) {
      if (!fitScales(s, priceScale, qtyScale)) {
        return Result.BAD_SCALE;
      }
      p *= POW10[pScale[s] - priceScale];
      q *= POW10[qScale[s] - qtyScale];
    }

    if (time >= fold[(s << CELL_SHIFT) + F_OPEN_T] && time < fold[(s << CELL_SHIFT) + F_NEXT_OPEN]) {
      // inside every interval's open window: into the fold cell only
      KlineCells.update(fold, s << CELL_SHIFT, p, q, firstId, lastId, buyerMaker);
      folded++;
      if (fold[(s << CELL_SHIFT) + F_FOLD_N]++ == 0 && !inFoldList[s]) {
        inFoldList[s] = true;
        if (foldCount == foldList.length) {
          foldList = Arrays.copyOf(foldList, foldCount * 2);
        }
        foldList[foldCount++] = s;
      }
      applied++;
      return fill ? Result.GAP_FILLED : Result.APPLIED;
    }
    return applyToIntervals(s, p, q, firstId, lastId, time, buyerMaker, fill);
  }

  /**
   * A trade's decimals differ from the symbol's: false if they are out of range, else the symbol is
   * widened to the finer of the two (its state rescaled) so the trade can be scaled up to it.
   */
  private boolean fitScales(int s, int priceScale, int qtyScale) {
    if (priceScale > Decimals.MAX_SCALE || qtyScale > Decimals.MAX_SCALE || priceScale < 0 || qtyScale < 0) {
      return false;
    }
    if (priceScale > pScale[s] || qtyScale > qScale[s]) {
      widen(s, Math.max(pScale[s], priceScale), Math.max(qScale[s], qtyScale));
    }
    return true;
  }

  /**
   * A trade outside the symbol's fold window (a boundary reached, a late trade, a halted or new
   * symbol), at the symbol's scales: the fold cell is merged first, then two passes over the intervals.
   */
  private Result applyToIntervals(int s, long p, long q, long firstId, long lastId, long time, boolean buyerMaker,
      boolean fill) {
    foldInto(s);

    // pass 1: roll intervals the trade has reached; pick each interval's kline: the open one, the
    // just-closed one within the grace window, or none (too late for that interval)
    long[] v = cells.v;
    byte[] state = cells.state;
    int base = cells.cell(s, 0);
    boolean late = false;
    boolean dropped = false;
    int[] target = targets;
    for (int iv = 0, cell = base; iv < nIv; iv++, cell += 2) {
      if (state[cell] == EMPTY) {
        // a halted symbol's closed kline is in prev with no open one after it: a trade before
        // that kline's end is late for it, not the start of a new one
        if (!pauses.halted(s) || state[cell + 1] == EMPTY
            || time >= v[((cell + 1) << CELL_SHIFT) + F_NEXT_OPEN]) {
          cells.flat(cell, iv, ivs[iv].openOf(time), p);
          v[(cell << CELL_SHIFT) + F_CNT] = 0;
        }
      } else if (time >= v[(cell << CELL_SHIFT) + F_NEXT_OPEN]) {
        roll(cell, iv, time);
      }
      if (time >= v[(cell << CELL_SHIFT) + F_OPEN_T]) {
        target[iv] = cell;
      } else {
        int prev = cell + 1;
        if (state[prev] == EMPTY || time < v[(prev << CELL_SHIFT) + F_OPEN_T] || now >= v[(prev << CELL_SHIFT) + F_NEXT_OPEN] + graceMs) {
          target[iv] = -1;
          dropped = true;
        } else {
          target[iv] = prev;
          late = true;
        }
      }
    }
    // pass 2: update
    for (int iv = 0; iv < nIv; iv++) {
      int k = target[iv];
      if (k < 0) {
        continue;
      }
      KlineCells.update(v, k << CELL_SHIFT, p, q, firstId, lastId, buyerMaker);
      delta.mark(k);
      if ((k & 1) == 1) {
        reflat(k);
      }
    }
    if (!dropped && !late) {
      pauses.traded(s, time); // a halt ends if trading resumed before the exchange's status said so
      window(s);
    }
    if (dropped) {
      lateDropped++;
      return Result.LATE_DROPPED;
    }
    if (late) {
      lateApplied++;
      return Result.LATE_APPLIED;
    }
    applied++;
    if (fill) {
      return Result.GAP_FILLED;
    }
    return Result.APPLIED;
  }

  /**
   * After a trade that landed in every open cell: the window in which the next ones do too (every
   * interval open, from the latest open time to the earliest next open).
   */
  private void window(int s) {
    if (!foldFast) {
      return;
    }
    long from = Long.MIN_VALUE;
    long to = Long.MAX_VALUE;
    for (int iv = 0, cell = cells.cell(s, 0); iv < nIv; iv++, cell += 2) {
      if (cells.state[cell] != OPEN) {
        fold[(s << CELL_SHIFT) + F_NEXT_OPEN] = Long.MIN_VALUE;
        return;
      }
      from = Math.max(from, cells.openTime(cell));
      to = Math.min(to, cells.nextOpen(cell));
    }
    fold[(s << CELL_SHIFT) + F_OPEN_T] = from;
    fold[(s << CELL_SHIFT) + F_NEXT_OPEN] = to;
  }

  // ---------------------------------------------------------------- the overflow

  /** Bounds the overflow of unacknowledged closed klines ({@code workers.maxOverflowKlines}). */
  public void maxOverflow(int max) {
    overflow.max(max);
  }

  /** Whether some overflow was dropped and not yet taken by {@link #takeSpilled}. */
  public boolean hasSpilled() {
    return overflow.hasSpilled();
  }

  /**
   * The symbols whose overflow klines were dropped, with the earliest dropped open time each, into
   * {@code sink} (symbol, fromTime); clears the record. Their klines from then on must be rebuilt.
   */
  public void takeSpilled(SpillSink sink) {
    overflow.takeSpilled(sink);
  }

  /** Times the overflow hit its bound, and klines dropped then. */
  public long overflowSpills() {
    return overflow.spills();
  }

  public long overflowSpilledKlines() {
    return overflow.spilledKlines();
  }

  // ---------------------------------------------------------------- gaps

  private void openGap(int s, long from, long to) {
    gaps.open(s, from, to);
    gapListener.onGap(slotSymbol[s], from, to);
  }

  /** Missing aggregate id ranges of a symbol not yet filled, as {@code [from, to]} pairs. */
  public long[][] openGaps(int symbol) {
    return gaps.of(slotOf(symbol));
  }

  /** Forgets a symbol's open gaps (they were repaired another way). */
  public void forgetGaps(int symbol) {
    gaps.forget(slotOf(symbol));
  }

  // ---------------------------------------------------------------- corrections

  /**
   * Replaces a kline with the exchange's own (a repair from REST klines): the open or just-closed
   * cell if its open time matches, else it goes out as a closed correction in the next delta.
   */
  public void correct(Kline k) {
    int s = slotOf(k.symbol);
    int iv = cells.indexOf(k.interval);
    if (s < 0 || iv < 0) {
      return;
    }
    foldInto(s);
    int cur = cells.cell(s, iv);
    int target = cells.state[cur] != EMPTY && cells.openTime(cur) == k.openTime ? cur
        : cells.state[cur + 1] != EMPTY && cells.openTime(cur + 1) == k.openTime ? cur + 1 : -1;
    if (target < 0) {
      overflow.add(k);
      return;
    }
    // REST klines carry no trade ids: keep the ones the book has
    writeValues(s, target, k, k.firstId >= 0 || k.count == 0);
    delta.mark(target);
    if (target == cur + 1) {
      reflat(target);
    }
  }

  // ---------------------------------------------------------------- deltas

  /**
   * Returns every kline changed since the last acknowledged delta, under a new epoch. If
   * {@code ackEpoch} is the epoch of the previous delta, that delta is confirmed and its klines are
   * cleared from the dirty set; otherwise they are included again.
   */
  public KlineDelta takeDelta(long ackEpoch) {
    foldAll();
    long epoch = delta.next(ackEpoch);
    out.clear();
    overflow.sendWith(out, epoch);
    for (int cell = delta.nextPending(0); cell >= 0; cell = delta.nextPending(cell + 1)) {
      if (cells.state[cell] != EMPTY) {
        out.add(readCell(cell, row));
      }
    }
    delta.sent();
    return out.build(epoch);
  }

  /** Epoch of the last delta taken (0 before the first). */
  public long epoch() {
    return delta.epoch();
  }

  /** Klines waiting in the overflow (closed, unacknowledged, pushed out of the grace cell). */
  public int overflowSize() {
    return overflow.size();
  }

  /** Every kline the book holds right now (open and just-closed), e.g. to seed a consumer. */
  public KlineDelta snapshot() {
    foldAll();
    KlineDelta.Builder b = new KlineDelta.Builder(slots * nIv * 2 + 1);
    for (int s = 0; s < slotLimit; s++) {
      if (!used[s]) {
        continue;
      }
      for (int iv = 0; iv < nIv; iv++) {
        int cell = cells.cell(s, iv);
        if (cells.state[cell + 1] != EMPTY) {
          b.add(readCell(cell + 1, row));
        }
        if (cells.state[cell] != EMPTY) {
          b.add(readCell(cell, row));
        }
      }
    }
    return b.build(delta.epoch());
  }

  /** The open kline of a symbol and interval into {@code out}; false if there is none. */
  public boolean current(int symbol, Interval iv, Kline out) {
    return read(symbol, iv, 0, out);
  }

  /** The just-closed kline (still amendable within the grace window); false if none. */
  public boolean previous(int symbol, Interval iv, Kline out) {
    return read(symbol, iv, 1, out);
  }

  private boolean read(int symbol, Interval iv, int which, Kline out) {
    int s = slotOf(symbol);
    int i = cells.indexOf(iv);
    if (s < 0 || i < 0) {
      return false;
    }
    merge(s);
    int cell = cells.cell(s, i) + which;
    if (cells.state[cell] == EMPTY) {
      return false;
    }
    readCell(cell, out);
    return true;
  }

  // ---------------------------------------------------------------- counters

  public long applied() {
    return applied;
  }

  /** Trades that took the fold path (a subset of {@link #applied}). */
  public long foldedTrades() {
    return folded;
  }

  public long duplicates() {
    return duplicates;
  }

  public long lateApplied() {
    return lateApplied;
  }

  public long lateDropped() {
    return lateDropped;
  }

  /** Number of jumps in aggregate ids seen. */
  public long gaps() {
    return gaps.gaps();
  }

  public long gapIdsMissing() {
    return gaps.idsMissing();
  }

  public long gapIdsFilled() {
    return gaps.idsFilled();
  }

  public long unknownSymbol() {
    return unknown;
  }
}
