package klagg.service;

import java.util.function.LongSupplier;

/**
 * Judges each exchangeInfo answer before the symbol directory acts on it. One odd answer must not
 * delist the universe: an answer that is empty, or that would remove more than {@code maxRemoveShare}
 * of the tracked symbols, is held, and acted on only when a later answer, at least
 * {@code confirmAfterMs} after the first, says the same. An unparseable answer or a failed request is
 * a failure: nothing is acted on. Halted symbols (BREAK, HALT) are not removals. Plain class: the
 * caller's thread, an injected clock.
 */
public final class SymbolRefresh {
  /** What to do with an answer; {@link #tag} is the metric's {@code result} tag. */
  public enum Result {
    /** Act on it. */
    OK("ok"),
    /** Suspicious: not acted on until a later answer confirms it. */
    HELD("held"),
    /** Suspicious, and confirmed by an answer at least confirmAfterMs after the first: act on it. */
    CONFIRMED("confirmed"),
    /** Request failed or answer unparseable: nothing to act on. */
    FAILED("failed");

    public final String tag;

    Result(String tag) {
      this.tag = tag;
    }
  }

  private final LongSupplier clock;
  private final double maxRemoveShare;
  private final long confirmAfterMs;
  private long heldSince = Long.MIN_VALUE;
  private String heldWhy = "";
  private final long[] counts = new long[Result.values().length];

  public SymbolRefresh(LongSupplier clock, double maxRemoveShare, long confirmAfterMs) {
    if (maxRemoveShare < 0 || maxRemoveShare > 1) {
      throw new IllegalArgumentException("maxRemoveShare must be in [0, 1], got " + maxRemoveShare);
    }
    this.clock = clock;
    this.maxRemoveShare = maxRemoveShare;
    this.confirmAfterMs = Math.max(0, confirmAfterMs);
  }

  /**
   * Judges one parsed answer.
   *
   * @param listed how many symbols the answer lists (0: an empty answer)
   * @param tracked how many symbols are tracked now
   * @param removals how many of them the answer would remove (absent or out of TRADING for good;
   *     halted ones do not count)
   */
  public Result judge(int listed, int tracked, int removals) {
    long now = clock.getAsLong();
    String why = listed == 0 ? "the answer lists no symbol"
        : tracked > 0 && removals > maxRemoveShare * tracked
            ? "it would remove " + removals + " of " + tracked + " tracked symbols (more than "
                + Math.round(maxRemoveShare * 100) + " %)"
            : null;
    Result r;
    if (why == null) {
      heldSince = Long.MIN_VALUE;
      heldWhy = "";
      r = Result.OK;
    } else if (heldSince == Long.MIN_VALUE) {
      heldSince = now;
      heldWhy = why;
      r = Result.HELD;
    } else if (now - heldSince >= confirmAfterMs) {
      heldSince = Long.MIN_VALUE;
      heldWhy = "";
      r = Result.CONFIRMED;
    } else {
      heldWhy = why;
      r = Result.HELD;
    }
    counts[r.ordinal()]++;
    return r;
  }

  /** The request failed or its answer could not be parsed: counted, and nothing is acted on. */
  public Result failed() {
    counts[Result.FAILED.ordinal()]++;
    return Result.FAILED;
  }

  /** Whether a suspicious answer waits for confirmation. */
  public boolean holding() {
    return heldSince != Long.MIN_VALUE;
  }

  /** Why the held answer is held ("" when none is). */
  public String heldReason() {
    return heldWhy;
  }

  /** When the held answer came (clock ms), Long.MIN_VALUE when none is held. */
  public long heldSince() {
    return heldSince;
  }

  /** The earliest time a later answer can confirm the held one. */
  public long confirmableAt() {
    return heldSince == Long.MIN_VALUE ? Long.MIN_VALUE : heldSince + confirmAfterMs;
  }

  public long confirmAfterMs() {
    return confirmAfterMs;
  }

  /** Answers judged so far with result {@code r}. */
  public long count(Result r) {
    return counts[r.ordinal()];
  }

  /** Every answer judged or failed. */
  public long total() {
    long n = 0;
    for (long c : counts) {
      n += c;
    }
    return n;
  }
}
