package klagg.core;

import java.util.Arrays;

/**
 * The book's side of the delta protocol for klines that already left it: a closed kline pushed out
 * of the grace cell before its last change was acknowledged waits here and goes out again with every
 * delta until a delta holding it is acknowledged. Bounded ({@code workers.maxOverflowKlines}): when
 * full (nobody acknowledges), it is emptied and each symbol remembers the earliest open time dropped,
 * for its owner to rebuild from the exchange ({@link #takeSpilled}).
 */
final class DeltaOverflow {
  private final KlineDelta.Builder rows = new KlineDelta.Builder(64);
  /** by row: the epoch of the delta that last carried it (0: not sent yet) */
  private long[] sent = new long[64];
  private int max = Integer.MAX_VALUE;
  /** by symbol id: earliest open time of a dropped kline (Long.MAX_VALUE: none) */
  private long[] spilledFrom = new long[0];
  private boolean spilled;
  private long spills;
  private long spilledKlines;

  void add(Kline k) {
    if (rows.size() >= max) {
      spill();
    }
    int r = rows.size();
    rows.add(k);
    if (r >= sent.length) {
      sent = Arrays.copyOf(sent, sent.length * 2);
    }
    sent[r] = 0;
  }

  int size() {
    return rows.size();
  }

  /** Copies every row into {@code out}, as sent with the delta of {@code epoch}. */
  void sendWith(KlineDelta.Builder out, long epoch) {
    for (int r = 0; r < rows.size(); r++) {
      out.copyRowFrom(rows, r);
      sent[r] = epoch;
    }
  }

  /** The delta of epoch {@code ack} (and every earlier one) arrived: what they carried is done. */
  void acknowledged(long ack) {
    int w = 0;
    for (int r = 0; r < rows.size(); r++) {
      if (sent[r] > 0 && sent[r] <= ack) {
        continue;
      }
      if (w != r) {
        rows.copyRow(r, w);
        sent[w] = sent[r];
      }
      w++;
    }
    rows.truncate(w);
  }

  void max(int n) {
    if (n <= 0) {
      throw new IllegalArgumentException("maxOverflow must be positive");
    }
    this.max = n;
  }

  boolean hasSpilled() {
    return spilled;
  }

  void takeSpilled(SpillSink sink) {
    spilled = false;
    for (int sym = 0; sym < spilledFrom.length; sym++) {
      if (spilledFrom[sym] != Long.MAX_VALUE) {
        long from = spilledFrom[sym];
        spilledFrom[sym] = Long.MAX_VALUE;
        sink.accept(sym, from);
      }
    }
  }

  long spills() {
    return spills;
  }

  long spilledKlines() {
    return spilledKlines;
  }

  private void spill() {
    int n = rows.size();
    for (int r = 0; r < n; r++) {
      int sym = rows.symbol[r];
      if (sym >= spilledFrom.length) {
        int old = spilledFrom.length;
        spilledFrom = Arrays.copyOf(spilledFrom, Math.max(sym + 1, old * 2 + 16));
        Arrays.fill(spilledFrom, old, spilledFrom.length, Long.MAX_VALUE);
      }
      spilledFrom[sym] = Math.min(spilledFrom[sym], rows.openTime[r]);
    }
    rows.truncate(0);
    spilled = true;
    spills++;
    spilledKlines += n;
  }
}
