package klagg.service;

/**
 * Ingest's account of trades sent to each worker and not yet acknowledged (request/reply per
 * batch). Over {@code maxTrades} or {@code maxBatches} for any worker that is not shed, ingest
 * stops reading the exchange sockets; it reads again once every such worker is back under
 * {@code resumeTrades} (and half the batch bound). A worker that does not acknowledge in time is
 * shed: it no longer counts for the bound and its trades are dropped (repaired from REST later).
 * Also the worker lag: trades in flight and the age of the oldest unacknowledged batch.
 * Primitive arrays only, no allocation per batch; one thread (the ingest context).
 */
final class Credits {
  private final int workers;
  private final long maxTrades;
  private final int maxBatches;
  private final long resumeTrades;
  private final int mask;
  private final long[] trades;
  private final int[] batches;
  private final boolean[] shed;
  /** per worker: send time of batch seq at [seq & mask], and whether it is done */
  private final long[][] sentAt;
  private final boolean[][] done;
  private final long[] nextSeq;
  private final long[] oldest;
  private long peakTrades;
  private int peakBatches;

  Credits(int workers, long maxTrades, int maxBatches, long resumeTrades) {
    if (maxTrades <= 0 || maxBatches <= 0 || resumeTrades < 0 || resumeTrades > maxTrades) {
      throw new IllegalArgumentException("need 0 <= resumeTrades <= maxTrades, maxTrades > 0, maxBatches > 0");
    }
    this.workers = workers;
    this.maxTrades = maxTrades;
    this.maxBatches = maxBatches;
    this.resumeTrades = resumeTrades;
    int cap = Integer.highestOneBit(Math.max(64, maxBatches) * 4 - 1) << 1;
    this.mask = cap - 1;
    trades = new long[workers];
    batches = new int[workers];
    shed = new boolean[workers];
    sentAt = new long[workers][cap];
    done = new boolean[workers][cap];
    nextSeq = new long[workers];
    oldest = new long[workers];
  }

  /** A batch of {@code n} trades sent to worker {@code w} at {@code now}: its sequence number. */
  long sent(int w, int n, long now) {
    long seq = nextSeq[w]++;
    int i = (int) (seq & mask);
    sentAt[w][i] = now;
    done[w][i] = false;
    trades[w] += n;
    batches[w]++;
    if (trades[w] > peakTrades) {
      peakTrades = trades[w];
    }
    if (batches[w] > peakBatches) {
      peakBatches = batches[w];
    }
    return seq;
  }

  /** Batch {@code seq} of {@code n} trades was acknowledged, or failed (timed out): no longer in flight. */
  void done(int w, long seq, int n) {
    if (seq >= nextSeq[w]) {
      return;
    }
    trades[w] -= n;
    batches[w]--;
    if (seq >= oldest[w]) {
      done[w][(int) (seq & mask)] = true;
    }
    while (oldest[w] < nextSeq[w] && done[w][(int) (oldest[w] & mask)]) {
      done[w][(int) (oldest[w] & mask)] = false;
      oldest[w]++;
    }
  }

  /** Whether any worker that is not shed is at or over a bound: stop reading. */
  boolean over() {
    for (int w = 0; w < workers; w++) {
      if (!shed[w] && (trades[w] >= maxTrades || batches[w] >= maxBatches || nextSeq[w] - oldest[w] > mask / 2)) {
        return true;
      }
    }
    return false;
  }

  /** Whether every worker that is not shed is back under the resume marks: read again. */
  boolean canResume() {
    for (int w = 0; w < workers; w++) {
      if (!shed[w] && (trades[w] > resumeTrades || batches[w] > maxBatches / 2 || nextSeq[w] - oldest[w] > mask / 4)) {
        return false;
      }
    }
    return true;
  }

  void shed(int w) {
    shed[w] = true;
  }

  void unshed(int w) {
    shed[w] = false;
  }

  boolean isShed(int w) {
    return shed[w];
  }

  /** Trades sent to worker {@code w} and not acknowledged yet. */
  long lagTrades(int w) {
    return trades[w];
  }

  int lagBatches(int w) {
    return batches[w];
  }

  /** Age of worker {@code w}'s oldest unacknowledged batch at {@code now}, 0 when none. */
  long lagMs(int w, long now) {
    if (batches[w] <= 0 || oldest[w] >= nextSeq[w]) {
      return 0;
    }
    return Math.max(0, now - sentAt[w][(int) (oldest[w] & mask)]);
  }

  long totalTrades() {
    long t = 0;
    for (int w = 0; w < workers; w++) {
      t += trades[w];
    }
    return t;
  }

  /** The most trades ever in flight to one worker. */
  long peakTrades() {
    return peakTrades;
  }

  int peakBatches() {
    return peakBatches;
  }

  int workers() {
    return workers;
  }
}
