package klagg.exchange;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Reconnect delays of a {@link StreamClient}: jittered exponential backoff, uniform in
 * {@code [d/2, d]} with {@code d = min(maxMs, baseMs * 2^attempt)}, never below 1 ms.
 */
final class Backoff {
  private final long baseMs;
  private final long maxMs;

  Backoff(long baseMs, long maxMs) {
    this.baseMs = baseMs;
    this.maxMs = maxMs;
  }

  /** The delay before attempt {@code attempt} (0 = the first retry). */
  long delayMs(int attempt) {
    long d = baseMs << Math.min(attempt, 30);
    if (d <= 0 || d > maxMs) {
      d = maxMs;
    }
    return Math.max(1, d / 2 + ThreadLocalRandom.current().nextLong(d / 2 + 1));
  }
}
