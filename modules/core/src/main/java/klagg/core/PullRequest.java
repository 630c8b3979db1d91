package klagg.core;

/**
 * The gateway's pull of one worker shard: the epoch of the last delta it took from the shard's
 * current owner ({@code ack}) and the newest fencing token it has seen for the shard. A worker whose
 * own token is older has been fenced: a newer owner serves the shard, and it stands down. Immutable.
 */
public final class PullRequest {
  private final long ack;
  private final long fence;

  public PullRequest(long ack, long fence) {
    this.ack = ack;
    this.fence = fence;
  }

  public long ack() {
    return ack;
  }

  public long fence() {
    return fence;
  }

  public void writeTo(WireOut out) {
    out.writeLong(ack);
    out.writeLong(fence);
  }

  public static PullRequest readFrom(WireIn in) {
    long ack = in.readLong();
    return new PullRequest(ack, in.readLong());
  }

  @Override
  public String toString() {
    return "PullRequest{ack=" + ack + ", fence=" + fence + "}";
  }
}
