package klagg.sim;

/**
 * The simulator's server clock: {@code anchor + (wall - wallAnchor) * scale + offset}. Everything the
 * simulator does with time (trade generation, kline windows, /time) reads this clock.
 */
public final class SimClock {
  private final long wallAnchor;
  private final double scale;
  private volatile long offsetMs;

  public SimClock(double scale, long offsetMs) {
    this.wallAnchor = System.currentTimeMillis();
    this.scale = scale;
    this.offsetMs = offsetMs;
  }

  public long now() {
    long w = System.currentTimeMillis();
    if (scale == 1.0) {
      return w + offsetMs;
    }
    return wallAnchor + (long) ((w - wallAnchor) * scale) + offsetMs;
  }

  public long offsetMs() {
    return offsetMs;
  }

  public void setOffsetMs(long offset) {
    this.offsetMs = offset;
  }

  /** Moves the clock so that {@link #now()} reads {@code t}. */
  public void setNow(long t) {
    offsetMs += t - now();
  }

  public double scale() {
    return scale;
  }

  /** Wall-clock ms for a server-time duration. */
  public long wallMs(long serverMs) {
    return Math.max(1, (long) (serverMs / scale));
  }
}
