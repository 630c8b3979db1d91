package klagg.service;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.Counter;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Fencing tokens of worker shards ({@link klagg.core.Fence}): one counter per shard, cluster-wide
 * when clustered (a Hazelcast PN counter: it needs no CP subsystem members and stays available on
 * both sides of a partition; its replicas converge within about a second once the members see each
 * other again), else local to this Vert.x. Hazelcast's calls block, so they run off the event loop.
 */
final class FenceTokens {
  private FenceTokens() {}

  static String name(int shard) {
    return "klagg.fence." + shard;
  }

  /**
   * A new token for {@code shard}, larger than any taken before and than {@code above} (the newest
   * token the gateway saw for the shard, when it has the shard adopted: this node's replica of the
   * counter may not have heard of the lost owner's token yet): its owner takes it on taking the shard.
   */
  static Future<Long> take(Vertx vertx, int shard, long above) {
    HazelcastInstance hz = hazelcast(vertx);
    if (hz != null) {
      return vertx.executeBlocking(() -> {
        var c = hz.getPNCounter(name(shard));
        long v = c.incrementAndGet();
        return v > above ? v : c.addAndGet(above + 1 - v);
      }, false);
    }
    return vertx.sharedData().getLocalCounter(name(shard))
        .compose(c -> c.incrementAndGet().compose(v -> v > above ? Future.succeededFuture(v) : c.addAndGet(above + 1 - v)));
  }

  /** The newest token taken for {@code shard} (as far as this node's replica knows). */
  static Future<Long> newest(Vertx vertx, int shard) {
    HazelcastInstance hz = hazelcast(vertx);
    if (hz != null) {
      return vertx.executeBlocking(() -> hz.getPNCounter(name(shard)).get(), false);
    }
    return vertx.sharedData().getLocalCounter(name(shard)).compose(Counter::get);
  }

  private static HazelcastInstance hazelcast(Vertx vertx) {
    if (vertx.isClustered() && vertx instanceof VertxInternal
        && ((VertxInternal) vertx).clusterManager() instanceof HazelcastClusterManager) {
      return ((HazelcastClusterManager) ((VertxInternal) vertx).clusterManager()).getHazelcastInstance();
    }
    return null;
  }
}
