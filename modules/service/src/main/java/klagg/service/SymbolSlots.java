package klagg.service;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import klagg.core.AggTrade;

/**
 * A worker's per-symbol state beside its book, indexed by symbol id: the name, the phase (live,
 * seeding, waiting for a gap, repairing), the feed flags and the trades held while a symbol is not
 * live, bounded in total by {@code workers.maxBufferedTrades}. Plain arrays, read by the worker's
 * per-trade loop; it grows them only when a symbol is added.
 */
final class SymbolSlots {
  static final byte LIVE = 0;
  static final byte SEEDING = 1;
  static final byte WAITING = 2;
  static final byte REPAIRING = 3;

  byte[] phase = new byte[64];
  String[] names = new String[64];
  boolean[] feedDown = new boolean[64];
  boolean[] needResume = new boolean[64];
  boolean[] resumePending = new boolean[64];
  /** Seeded as never traded: trades before its first streamed one may have been missed (unknown start). */
  boolean[] unknownStart = new boolean[64];
  /** Server time a symbol was added (a seed that ends in a later window repairs the windows between). */
  long[] addedAt = new long[64];
  private List<AggTrade>[] buffered = newBuffers(64);

  private final long maxBuffered;
  /** trades held, over every symbol */
  private long bufferedTotal;
  private long bufferDropped;

  SymbolSlots(long maxBuffered) {
    this.maxBuffered = maxBuffered;
  }

  @SuppressWarnings("unchecked")
  private static List<AggTrade>[] newBuffers(int n) {
    return (List<AggTrade>[]) new List<?>[n];
  }

  /** Whether {@code id} is a symbol of this worker now. */
  boolean known(int id) {
    return id >= 0 && id < names.length && names[id] != null;
  }

  /** Whether {@code id} still names {@code symbol} (an answer for a symbol removed meanwhile is dropped). */
  boolean is(int id, String symbol) {
    return known(id) && symbol.equals(names[id]);
  }

  /** Takes a new symbol in: not live until seeded. False if it was already there. */
  boolean add(int id, String symbol, long now) {
    ensure(id);
    if (names[id] != null) {
      return false;
    }
    names[id] = symbol;
    addedAt[id] = now;
    phase[id] = SEEDING;
    feedDown[id] = false;
    needResume[id] = false;
    resumePending[id] = false;
    unknownStart[id] = false;
    return true;
  }

  /** Forgets a symbol and what it held. False if it was not there. */
  boolean remove(int id) {
    if (!known(id)) {
      return false;
    }
    names[id] = null;
    setBuffer(id, null);
    phase[id] = LIVE;
    return true;
  }

  /**
   * Holds a copy of {@code trade} until the symbol is live again. False, and the trade is dropped,
   * when the bound is reached: the symbol must then check REST for what it missed.
   */
  boolean hold(int sym, AggTrade trade) {
    if (bufferedTotal >= maxBuffered) {
      bufferDropped++;
      needResume[sym] = true;
      return false;
    }
    bufferedTotal++;
    List<AggTrade> b = buffered[sym];
    if (b == null) {
      b = new ArrayList<>();
      buffered[sym] = b;
    }
    AggTrade copy = new AggTrade();
    copy.copyFrom(trade);
    b.add(copy);
    return true;
  }

  /** The trades held for {@code sym} in aggregate id order, or null. */
  List<AggTrade> held(int sym) {
    List<AggTrade> b = buffered[sym];
    if (b != null) {
      b.sort(Comparator.comparingLong(x -> x.aggId));
    }
    return b;
  }

  /** Replaces what {@code sym} holds (null: nothing). */
  void setBuffer(int sym, List<AggTrade> b) {
    List<AggTrade> old = buffered[sym];
    bufferedTotal += (b == null ? 0 : b.size()) - (old == null ? 0 : old.size());
    buffered[sym] = b;
  }

  /** Whether the held trades of {@code sym} include every id {@code from..to}. */
  boolean covered(int sym, long from, long to) {
    List<AggTrade> b = buffered[sym];
    if (b == null || to - from + 1 > b.size()) {
      return false;
    }
    long[] ids = b.stream().mapToLong(x -> x.aggId).filter(a -> a >= from && a <= to).distinct().toArray();
    return ids.length == to - from + 1;
  }

  long bufferedTotal() {
    return bufferedTotal;
  }

  long bufferDropped() {
    return bufferDropped;
  }

  /** Symbols that are not live (seeding, waiting for a gap or repairing). */
  int notLive() {
    int n = 0;
    for (int i = 0; i < names.length; i++) {
      if (names[i] != null && phase[i] != LIVE) {
        n++;
      }
    }
    return n;
  }

  /** Room for symbol id {@code id}. */
  void ensure(int id) {
    if (id >= phase.length) {
      int n = Math.max(id + 1, phase.length * 2);
      phase = Arrays.copyOf(phase, n);
      names = Arrays.copyOf(names, n);
      feedDown = Arrays.copyOf(feedDown, n);
      needResume = Arrays.copyOf(needResume, n);
      resumePending = Arrays.copyOf(resumePending, n);
      unknownStart = Arrays.copyOf(unknownStart, n);
      addedAt = Arrays.copyOf(addedAt, n);
      buffered = Arrays.copyOf(buffered, n);
    }
  }
}
