package klagg.core;

import java.util.Arrays;

/**
 * The book's side of the delta/acknowledge protocol, by cell index: which cells changed since the
 * last delta ({@code pending}), which went out in the last delta and wait for its acknowledgement
 * ({@code inflight}), the epoch of the last delta, and the {@link DeltaOverflow} of closed klines
 * that left their cell unacknowledged. A delta carries the pending cells (and, unacknowledged, the
 * in-flight ones again); acknowledging its epoch confirms them.
 */
final class DeltaTracker {
  /** closed klines that left the book unacknowledged */
  final DeltaOverflow overflow = new DeltaOverflow();
  private long[] pending = new long[0];
  private long[] inflight = new long[0];
  private long epoch;

  /** Room for {@code cells} cells. */
  void grow(int cells) {
    int words = (cells + 63) >>> 6;
    pending = Arrays.copyOf(pending, words);
    inflight = Arrays.copyOf(inflight, words);
  }

  /** The cell changed: it goes out in the next delta. */
  void mark(int cell) {
    pending[cell >>> 6] |= 1L << cell;
  }

  /** The cell is empty or reused: nothing of it is to send or to confirm. */
  void forget(int cell) {
    pending[cell >>> 6] &= ~(1L << cell);
    inflight[cell >>> 6] &= ~(1L << cell);
  }

  /** Whether the cell's last change is not yet acknowledged (pending or in flight). */
  boolean unconfirmed(int cell) {
    return ((pending[cell >>> 6] | inflight[cell >>> 6]) & (1L << cell)) != 0;
  }

  /**
   * Starts the next delta: if {@code ackEpoch} acknowledges the last one its cells (and overflow
   * rows) are confirmed, else they are pending again. Returns the new epoch.
   */
  long next(long ackEpoch) {
    if (epoch > 0 && ackEpoch >= epoch) {
      Arrays.fill(inflight, 0L);
      overflow.acknowledged(ackEpoch);
    } else {
      for (int w = 0; w < pending.length; w++) {
        pending[w] |= inflight[w];
        inflight[w] = 0;
      }
    }
    return ++epoch;
  }

  /** The first pending cell at or after {@code from}, or -1 (ascending, as the bits lie). */
  int nextPending(int from) {
    int w = from >>> 6;
    if (w >= pending.length) {
      return -1;
    }
    long bits = pending[w] & (-1L << from);
    while (true) {
      if (bits != 0) {
        return (w << 6) + Long.numberOfTrailingZeros(bits);
      }
      if (++w == pending.length) {
        return -1;
      }
      bits = pending[w];
    }
  }

  /** The pending cells went out in the delta just built: they are in flight now. */
  void sent() {
    long[] t = inflight;
    inflight = pending;
    pending = t;
  }

  /** Epoch of the last delta (0 before the first). */
  long epoch() {
    return epoch;
  }
}
