package klagg.core;

import java.util.Arrays;

/**
 * The newest fencing token seen per shard, where shards' output is applied or stored: output under
 * an older token is refused (its owner was fenced), a newer token becomes the shard's newest. Not
 * thread-safe: one instance per consumer (verticle).
 */
public final class ShardFences {
  private long[] newest;

  public ShardFences(int shards) {
    newest = new long[Math.max(1, shards)];
  }

  /**
   * Admits output of {@code shard} under {@code token}: false when the token is older than the
   * newest seen for that shard; otherwise true, and the token is the shard's newest from now on.
   * A negative shard or {@link Fence#NONE} token (output of no shard) is always admitted.
   */
  public boolean admit(int shard, long token) {
    if (shard < 0 || token == Fence.NONE) {
      return true;
    }
    ensure(shard);
    if (Fence.stale(token, newest[shard])) {
      return false;
    }
    newest[shard] = token;
    return true;
  }

  /** The newest token seen for {@code shard} ({@link Fence#NONE} before any). */
  public long newest(int shard) {
    return shard < 0 || shard >= newest.length ? Fence.NONE : newest[shard];
  }

  private void ensure(int shard) {
    if (shard >= newest.length) {
      newest = Arrays.copyOf(newest, Math.max(shard + 1, newest.length * 2));
    }
  }
}
