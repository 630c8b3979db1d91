package klagg.core;

import java.util.Arrays;

/**
 * Which slot of a {@link KlineBook} holds which symbol, and what a slot carries besides its klines:
 * the symbol's price and quantity scales and the last aggregate id applied.
 *
 * <p>Slots are dense and reused: a removed symbol's slot goes on a free list and the next symbol
 * added takes it, so the book's per-slot arrays stay as long as the most symbols it held at once.
 * Symbol ids index {@code slotOfSymbol} (-1: not in the book).
 *
 * <p>A base class rather than a field of the book: the per-trade loop reads {@link #slotOf}, the
 * scales and {@link #lastAgg} on every trade, and inherited fields cost no extra load (the shape of
 * the Disruptor's {@code RingBufferFields} under its {@code RingBuffer}). Subclasses keep their own
 * per-slot arrays and are told when the table grows or hands a slot out.
 *
 * <p>Not thread-safe: one owner.
 */
abstract class SlotTable {
  /** Symbols held. */
  int slots;
  /** Slots ever handed out: every slot below it is in use or on the free list. */
  int slotLimit;
  int[] slotSymbol;
  boolean[] used;
  byte[] pScale;
  byte[] qScale;
  /** Last aggregate id applied per slot, -1 before the first. */
  long[] lastAgg;
  private int[] freeSlots = new int[16];
  private int freeCount;
  private int[] slotOfSymbol = new int[0];

  /** The subclass's per-slot arrays grow to {@code n} slots (this table's already have). */
  abstract void growSlots(int n);

  /** Slot {@code s} was just given to a symbol: the subclass clears what it keeps for the slot. */
  abstract void clearSlot(int s);

  public final boolean contains(int symbol) {
    return slotOf(symbol) >= 0;
  }

  public final int symbolCount() {
    return slots;
  }

  /** Sets the last aggregate id seen for a symbol (resume after restart). */
  public final void setLastAggId(int symbol, long aggId) {
    int s = slotOf(symbol);
    if (s >= 0) {
      lastAgg[s] = aggId;
    }
  }

  public final long lastAggId(int symbol) {
    int s = slotOf(symbol);
    return s >= 0 ? lastAgg[s] : -1;
  }

  /** The symbol's slot, or -1 if it is not in the table. */
  final int slotOf(int symbol) {
    return symbol >= 0 && symbol < slotOfSymbol.length ? slotOfSymbol[symbol] : -1;
  }

  /** The symbol's slot, handing it a free (cleared) one at the given scales if it has none. */
  final int slotFor(int symbol, int priceScale, int qtyScale) {
    if (symbol < 0) {
      throw new IllegalArgumentException("negative symbol id " + symbol);
    }
    int s = slotOf(symbol);
    if (s >= 0) {
      return s;
    }
    if (symbol >= slotOfSymbol.length) {
      int old = slotOfSymbol.length;
      slotOfSymbol = Arrays.copyOf(slotOfSymbol, Math.max(symbol + 1, old * 2));
      Arrays.fill(slotOfSymbol, old, slotOfSymbol.length, -1);
    }
    if (freeCount > 0) {
      s = freeSlots[--freeCount];
    } else {
      if (slotLimit == used.length) {
        allocSlots(used.length * 2);
      }
      s = slotLimit++;
    }
    used[s] = true;
    slotSymbol[s] = symbol;
    pScale[s] = (byte) priceScale;
    qScale[s] = (byte) qtyScale;
    lastAgg[s] = -1;
    slotOfSymbol[symbol] = s;
    clearSlot(s);
    slots++;
    return s;
  }

  /** The symbol in slot {@code s} leaves the table; the slot goes on the free list. */
  final void freeSlot(int s) {
    used[s] = false;
    slotOfSymbol[slotSymbol[s]] = -1;
    if (freeCount == freeSlots.length) {
      freeSlots = Arrays.copyOf(freeSlots, freeCount * 2);
    }
    freeSlots[freeCount++] = s;
    slots--;
  }

  /** Room for {@code n} slots, here and in the subclass. */
  final void allocSlots(int n) {
    slotSymbol = grow(slotSymbol, n);
    used = used == null ? new boolean[n] : Arrays.copyOf(used, n);
    pScale = pScale == null ? new byte[n] : Arrays.copyOf(pScale, n);
    qScale = qScale == null ? new byte[n] : Arrays.copyOf(qScale, n);
    lastAgg = grow(lastAgg, n);
    growSlots(n);
  }

  static long[] grow(long[] a, int n) {
    return a == null ? new long[n] : Arrays.copyOf(a, n);
  }

  static int[] grow(int[] a, int n) {
    return a == null ? new int[n] : Arrays.copyOf(a, n);
  }
}
