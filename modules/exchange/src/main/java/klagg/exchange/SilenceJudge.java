package klagg.exchange;

import java.util.function.LongSupplier;

/**
 * Judges whether one stream connection has gone silent: open, yet nothing arrives (the way exchange
 * WebSockets most often fail). Pure and single-threaded; time comes from an injected clock (ms).
 *
 * <p>Every frame counts as life: data, command replies and the exchange's pings. The connection's
 * usual rhythm is learned as the <em>time-weighted</em> mean gap between frames, Σg²/Σg over gaps
 * decayed with a horizon of a couple of minutes: the length of the gap one typically finds oneself
 * in. Unlike the plain mean gap it is not fooled by bursts (20 trades in 100 ms every 20 s give
 * about 20 s, not 1 s), and a steady 1 msg/s gives 1 s.
 *
 * <p>The connection is silent when the current gap exceeds
 * {@code clamp(factor × typical, minMs, maxMs)}, where {@code maxMs} is the ping schedule's bound
 * (a live connection gets a ping at least that often) capped by the read-idle timeout. Until
 * {@code learnMs} of history has been seen the rate says nothing and only {@code maxMs} applies;
 * a new connection for the same streams may {@link #inherit} the rhythm of the previous one. A gap
 * that ran past the threshold is learned only up to the threshold, so an outage does not teach the
 * judge to expect outages, while a connection that truly got quieter is learned over a few lulls.
 * While reading is paused by the client itself (back-pressure) the connection is never silent.
 */
public final class SilenceJudge {
  /** Default decay horizon of the learned rhythm, ms. */
  public static final long HORIZON_MS = 120_000;
  /** Default history needed before the rhythm is trusted, ms. */
  public static final long LEARN_MS = 15_000;

  private final LongSupplier clock;
  private final long minMs;
  private final double factor;
  private final long maxMs;
  private final long learnMs;
  private final double horizonMs;

  private long last;
  private double s1;
  private double s2;
  private long observed;
  private boolean paused;

  /**
   * @param minMs never silent before this much silence (> 0)
   * @param factor silent after {@code factor ×} the usual gap (>= 1)
   * @param maxMs always silent after this much silence (>= minMs is not required: the smaller wins)
   */
  public SilenceJudge(LongSupplier clock, long minMs, double factor, long maxMs) {
    this(clock, minMs, factor, maxMs, LEARN_MS, HORIZON_MS);
  }

  public SilenceJudge(LongSupplier clock, long minMs, double factor, long maxMs, long learnMs, long horizonMs) {
    if (minMs <= 0 || maxMs <= 0 || factor < 1 || learnMs < 0 || horizonMs <= 0) {
      throw new IllegalArgumentException("silence judge: minMs, maxMs, horizonMs > 0, factor >= 1, learnMs >= 0");
    }
    this.clock = clock;
    this.minMs = minMs;
    this.factor = factor;
    this.maxMs = maxMs;
    this.learnMs = learnMs;
    this.horizonMs = horizonMs;
    this.last = clock.getAsLong();
  }

  /** Takes over the learned rhythm of {@code other} (the previous connection of the same streams). */
  public void inherit(SilenceJudge other) {
    if (other != null && other != this) {
      s1 = other.s1;
      s2 = other.s2;
      observed = other.observed;
    }
  }

  /** A frame arrived (any frame: data, reply, ping). No allocation. */
  public void frame() {
    long now = clock.getAsLong();
    long g = now - last;
    if (g <= 0) {
      return;
    }
    if (!paused) {
      long t = threshold();
      learn(Math.min(g, t));
    }
    last = now;
  }

  private void learn(long g) {
    double d = g < horizonMs / 64 ? 1 - g / horizonMs : Math.exp(-g / horizonMs);
    s1 = s1 * d + g;
    s2 = s2 * d + (double) g * g;
    if (observed < learnMs) {
      observed += g;
    }
  }

  /** The connection (re)opened: silence is measured from now. */
  public void restart() {
    last = clock.getAsLong();
  }

  /** Reading was paused by us: no frame can arrive, so no silence is judged until {@link #resume}. */
  public void pause() {
    paused = true;
  }

  /** Reading resumed: silence is measured from now. */
  public void resume() {
    if (paused) {
      paused = false;
      last = clock.getAsLong();
    }
  }

  public boolean paused() {
    return paused;
  }

  /** The usual gap (time-weighted mean), ms; 0 before anything was learned. */
  public double typicalGapMs() {
    return s1 <= 0 ? 0 : s2 / s1;
  }

  /** Whether enough history was seen to judge by the connection's own rate. */
  public boolean learned() {
    return observed >= learnMs;
  }

  /** Silence longer than this, ms, makes the connection silent. */
  public long threshold() {
    if (!learned()) {
      return maxMs;
    }
    double t = Math.max(minMs, factor * typicalGapMs());
    return (long) Math.min(t, maxMs);
  }

  /** Time since the last frame (or since creation / resume), ms. */
  public long silentForMs() {
    return Math.max(0, clock.getAsLong() - last);
  }

  /** The verdict now. */
  public boolean silent() {
    return !paused && silentForMs() > threshold();
  }
}
