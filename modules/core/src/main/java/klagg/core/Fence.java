package klagg.core;

/**
 * Fencing tokens of shard ownership. A worker that takes a shard (at start, or when it adopts one
 * whose node was lost) draws a new token from a cluster-wide per-shard counter, so a later owner
 * always holds a larger token than any earlier one. Output under a token older than the newest one
 * seen for its shard comes from a stale owner (e.g. a node that was paused or cut off and came back
 * after its shard was adopted) and must not count.
 */
public final class Fence {
  private Fence() {}

  /** No token: output that predates fencing or is not a shard's (e.g. backfill), never fenced. */
  public static final long NONE = 0;

  /** Whether output under {@code token} is from an owner older than the one holding {@code newest}. */
  public static boolean stale(long token, long newest) {
    return token != NONE && token < newest;
  }

  /** The newer of two tokens. */
  public static long newer(long a, long b) {
    return Math.max(a, b);
  }
}
