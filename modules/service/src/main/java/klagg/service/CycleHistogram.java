package klagg.service;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Gateway cycle times in 1,001 buckets of 1 ms: bucket {@code i < 1000} counts cycles of
 * [i, i + 1) ms, the last one (the overflow) every cycle of 1 s or more. {@link #record} does not
 * allocate. Percentiles are the upper edge of the bucket that holds them (a cycle of 3.2 ms reads
 * as 4 ms), so a reported p99 is never below the real one; the overflow bucket reads as the
 * longest cycle recorded. Owned by one thread (the gateway's event loop).
 *
 * <p>Its JSON form ({@link #toJson}) carries the non-empty buckets, so a reader can take the
 * difference of two snapshots ({@link #minus}) and get the figures of the window between them.
 */
public final class CycleHistogram {
  /** Buckets of 1 ms below this; one overflow bucket above. */
  public static final int MS_BUCKETS = 1000;
  private static final long MS = 1_000_000L;

  private final long[] counts = new long[MS_BUCKETS + 1];
  private long count;
  private long maxNanos;

  /** One cycle of {@code nanos} (negative counts as 0). */
  public void record(long nanos) {
    long ms = Math.max(0, nanos) / MS;
    counts[ms >= MS_BUCKETS ? MS_BUCKETS : (int) ms]++;
    count++;
    if (nanos > maxNanos) {
      maxNanos = nanos;
    }
  }

  public long count() {
    return count;
  }

  /** Cycles in bucket {@code i} ({@link #MS_BUCKETS} is the overflow). */
  public long bucket(int i) {
    return counts[i];
  }

  /**
   * The {@code q} quantile (0 < q ≤ 1) in ms: the upper edge of the bucket holding the
   * ⌈q·count⌉-th shortest cycle; the overflow bucket reads as {@link #maxMs}. 0 when empty.
   */
  public double percentileMs(double q) {
    if (count == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(q * count - 1e-9));
    long seen = 0;
    for (int i = 0; i < MS_BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return i + 1;
      }
    }
    return maxMs();
  }

  /** The longest cycle recorded, in ms. */
  public double maxMs() {
    return maxNanos / 1e6;
  }

  public void reset() {
    java.util.Arrays.fill(counts, 0);
    count = 0;
    maxNanos = 0;
  }

  /**
   * {@code {count, p50Ms, p99Ms, maxMs, buckets: [[ms, n], ...]}} with the non-empty buckets only
   * ({@code ms} 1000 is the overflow).
   */
  public JsonObject toJson() {
    JsonArray b = new JsonArray();
    for (int i = 0; i <= MS_BUCKETS; i++) {
      if (counts[i] != 0) {
        b.add(new JsonArray().add(i).add(counts[i]));
      }
    }
    return new JsonObject().put("count", count).put("p50Ms", percentileMs(0.50)).put("p99Ms", percentileMs(0.99))
        .put("maxMs", maxMs()).put("buckets", b);
  }

  /** A histogram from {@link #toJson}'s form. */
  public static CycleHistogram fromJson(JsonObject o) {
    CycleHistogram h = new CycleHistogram();
    if (o == null) {
      return h;
    }
    for (Object x : o.getJsonArray("buckets", new JsonArray())) {
      JsonArray b = (JsonArray) x;
      h.counts[b.getInteger(0)] += b.getLong(1);
      h.count += b.getLong(1);
    }
    h.maxNanos = (long) (o.getDouble("maxMs", 0.0) * 1e6);
    return h;
  }

  /**
   * The cycles recorded since {@code earlier} (a snapshot of this same histogram): bucket counts
   * subtracted. The window's longest cycle is not known exactly: it reads as the upper edge of its
   * highest non-empty bucket (this histogram's max when that is the overflow bucket).
   */
  public CycleHistogram minus(CycleHistogram earlier) {
    CycleHistogram w = new CycleHistogram();
    int top = -1;
    for (int i = 0; i <= MS_BUCKETS; i++) {
      w.counts[i] = Math.max(0, counts[i] - earlier.counts[i]);
      w.count += w.counts[i];
      if (w.counts[i] > 0) {
        top = i;
      }
    }
    w.maxNanos = top < 0 ? 0 : top == MS_BUCKETS ? maxNanos : (top + 1) * MS;
    return w;
  }
}
