package klagg.core;

import java.util.Arrays;

/**
 * Which of the book's symbols (by slot) are paused, and how. <b>Suspended</b>: the symbol's feed is
 * down, so clock ticks do not close its klines (a dead feed is not a quiet market). <b>Halted</b>:
 * trading is paused on the exchange (status BREAK/HALT, not a delisting), so its klines close at
 * their boundaries but no flat klines follow them; a trade at or after the halt time, or an unhalt,
 * ends it. The book does what each means to its cells; this is the record.
 */
final class SymbolPauses {
  private static final long TRADING = Long.MIN_VALUE;

  private boolean[] suspended = new boolean[0];
  /** Server time a symbol was halted at, {@link #TRADING} when trading. */
  private long[] haltedAt = new long[0];
  private int halted;

  /** Room for {@code slots} slots. */
  void grow(int slots) {
    suspended = Arrays.copyOf(suspended, slots);
    haltedAt = Arrays.copyOf(haltedAt, slots);
  }

  /** A new symbol in slot {@code s}: neither suspended nor halted. */
  void reset(int s) {
    suspended[s] = false;
    haltedAt[s] = TRADING;
  }

  /** The symbol in slot {@code s} leaves the book: its halt no longer counts. */
  void forget(int s) {
    unhalt(s);
  }

  void suspend(int s) {
    suspended[s] = true;
  }

  void unsuspend(int s) {
    suspended[s] = false;
  }

  boolean suspended(int s) {
    return suspended[s];
  }

  /** Halted since server time {@code at} (the caller checks it is not halted already). */
  void halt(int s, long at) {
    haltedAt[s] = at;
    halted++;
  }

  /** Trading again; false if it was not halted. */
  boolean unhalt(int s) {
    if (haltedAt[s] == TRADING) {
      return false;
    }
    haltedAt[s] = TRADING;
    halted--;
    return true;
  }

  boolean halted(int s) {
    return haltedAt[s] != TRADING;
  }

  /**
   * A trade at {@code time} landed in every open kline: if it is at or after the halt, trading
   * resumed before the exchange's status said so, and the halt ends.
   */
  void traded(int s, long time) {
    if (haltedAt[s] != TRADING && time >= haltedAt[s]) {
      haltedAt[s] = TRADING;
      halted--;
    }
  }

  /** Symbols halted right now. */
  int haltedCount() {
    return halted;
  }
}
