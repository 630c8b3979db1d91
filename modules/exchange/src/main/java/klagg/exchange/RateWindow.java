package klagg.exchange;

/**
 * Sliding-window message limiter: at most {@code max} messages in any {@code windowMs}. Stricter than
 * a token bucket (no burst beyond {@code max} at a window edge). Messages sent without asking
 * (automatic pongs) are {@link #record recorded} and push later messages back.
 */
final class RateWindow {
  private final long[] times;
  private final long windowMs;
  private int head; // index of the oldest
  private int size;

  RateWindow(int max, long windowMs) {
    if (max <= 0) {
      throw new IllegalArgumentException("max must be > 0");
    }
    this.times = new long[max];
    this.windowMs = windowMs;
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
    return size < times.length;
  }

  /** Records a message sent at {@code now}; when full, the oldest is overwritten. */
  void record(long now) {
    expire(now);
    if (size == times.length) {
      times[head] = now; // over budget (forced message): keep the newest
      head = (head + 1) % times.length;
      return;
    }
    times[(head + size) % times.length] = now;
    size++;
  }

  /** Earliest time at which {@link #canSend} turns true. */
  long nextFree(long now) {
    expire(now);
    return size < times.length ? now : times[head] + windowMs;
  }
}
