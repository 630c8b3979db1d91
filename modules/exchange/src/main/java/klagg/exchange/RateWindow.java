package klagg.exchange;

/**
 * Sliding-window message limiter: a message may be sent only while fewer than {@code max} were sent
 * in the last {@code windowMs} (stricter than a token bucket: no burst at a window edge). Messages
 * sent without asking (automatic pongs) are {@link #record recorded} too and push later ones back.
 */
final class RateWindow {
  private final long[] times;
  private final int max;
  private final long windowMs;
  private final long minGapMs;
  private int head; // index of the oldest
  private int size;
  private long last = Long.MIN_VALUE / 2;

  RateWindow(int max, long windowMs) {
    this(max, windowMs, 0);
  }

  /** {@code minGapMs}: least time between two messages, spreading a burst over the window. */
  RateWindow(int max, long windowMs, long minGapMs) {
    if (max <= 0) {
      throw new IllegalArgumentException("max must be > 0");
    }
    this.max = max;
    this.times = new long[max + 16];
    this.windowMs = windowMs;
    this.minGapMs = minGapMs;
  }

  private void expire(long now) {
    while (size > 0 && times[head] + windowMs <= now) {
      head = (head + 1) % times.length;
      size--;
    }
  }

  /** Whether a message may go now. */
  boolean canSend(long now) {
    expire(now);
    return size < max && now - last >= minGapMs;
  }

  /** Messages recorded in the current window. */
  int inWindow(long now) {
    expire(now);
    return size;
  }

  /** Records a message sent at {@code now} (also one sent over the budget, e.g. a pong). */
  void record(long now) {
    expire(now);
    if (size == times.length) { // only with a flood of forced messages: forget the oldest
      head = (head + 1) % times.length;
      size--;
    }
    times[(head + size) % times.length] = now;
    size++;
    last = Math.max(last, now);
  }

  /** Earliest time at which {@link #canSend} turns true. */
  long nextFree(long now) {
    expire(now);
    long gapFree = last + minGapMs;
    if (size < max) {
      return Math.max(now, gapFree);
    }
    // the (size - max + 1)-th oldest must expire
    return Math.max(gapFree, times[(head + size - max) % times.length] + windowMs);
  }
}
