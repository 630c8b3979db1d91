package klagg.core;

import java.util.Arrays;

/**
 * The book's aggregate-id gap tracker: ranges {@code [from, to]} of ids missing per book slot, opened
 * when a symbol's ids jump and filled id by id as the missing trades arrive (late on the stream, or
 * from REST). At most {@link #MAX_GAPS} ranges are kept; past that the oldest is forgotten (its
 * klines get repaired from REST klines by the owner). Counts what it saw.
 */
final class IdGaps {
  static final int MAX_GAPS = 100_000;

  private int[] slot = new int[8];
  private long[] from = new long[8];
  private long[] to = new long[8];
  private int count;

  private long gaps;
  private long idsMissing;
  private long idsFilled;

  /** Ids {@code lo..hi} of slot {@code s} are missing. */
  void open(int s, long lo, long hi) {
    gaps++;
    idsMissing += hi - lo + 1;
    if (count == MAX_GAPS) {
      remove(0); // the oldest; its klines get repaired from REST by the owner
    }
    push(s, lo, hi);
  }

  /** Whether any gap is open (the common case on the hot path: none). */
  boolean any() {
    return count > 0;
  }

  /** If id {@code a} of slot {@code s} is missing, marks it arrived and returns true. */
  boolean fill(int s, long a) {
    for (int g = 0; g < count; g++) {
      if (slot[g] != s || a < from[g] || a > to[g]) {
        continue;
      }
      idsFilled++;
      if (from[g] == to[g]) {
        remove(g);
      } else if (a == from[g]) {
        from[g]++;
      } else if (a == to[g]) {
        to[g]--;
      } else {
        long hi = to[g];
        to[g] = a - 1;
        push(s, a + 1, hi);
      }
      return true;
    }
    return false;
  }

  /** The open ranges of slot {@code s}, as {@code [from, to]} pairs. */
  long[][] of(int s) {
    int n = 0;
    for (int g = 0; g < count; g++) {
      if (slot[g] == s) {
        n++;
      }
    }
    long[][] r = new long[n][];
    for (int g = 0, i = 0; g < count; g++) {
      if (slot[g] == s) {
        r[i++] = new long[] {from[g], to[g]};
      }
    }
    return r;
  }

  /** Forgets every open range of slot {@code s}. */
  void forget(int s) {
    for (int g = count - 1; g >= 0; g--) {
      if (slot[g] == s) {
        remove(g);
      }
    }
  }

  /** Jumps in ids seen. */
  long gaps() {
    return gaps;
  }

  long idsMissing() {
    return idsMissing;
  }

  long idsFilled() {
    return idsFilled;
  }

  private void push(int s, long lo, long hi) {
    if (count == slot.length) {
      slot = Arrays.copyOf(slot, count * 2);
      from = Arrays.copyOf(from, count * 2);
      to = Arrays.copyOf(to, count * 2);
    }
    slot[count] = s;
    from[count] = lo;
    to[count] = hi;
    count++;
  }

  private void remove(int g) {
    int n = count - g - 1;
    System.arraycopy(slot, g + 1, slot, g, n);
    System.arraycopy(from, g + 1, from, g, n);
    System.arraycopy(to, g + 1, to, g, n);
    count--;
  }
}
