package klagg.service;

import io.vertx.core.eventbus.DeliveryOptions;
import java.util.ArrayList;
import java.util.List;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workers role of a node: deploys this node's shards ({@code workers.first} onwards, a fresh
 * {@link AggregatorVerticle} each, unless another node already serves one) and, with
 * {@code workers.adopt}, takes over shards whose node died when the gateway asks.
 */
public final class WorkerHostVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(WorkerHostVerticle.class);

  private final KlaggConfig config;
  private final Set<Integer> running = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public WorkerHostVerticle(KlaggConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    int first = config.getInt("workers.first");
    int n = config.localWorkers();
    List<Future<Void>> shards = new ArrayList<>();
    for (int i = first; i < first + n; i++) {
      shards.add(startShard(i));
    }
    Future<?> adopt = config.getBool("workers.adopt")
        ? vertx.eventBus().<JsonObject>consumer(Addresses.WORKERS_ADOPT, this::adopt).completion()
        : Future.succeededFuture();
    return Future.join(Future.join(shards), adopt);
  }

  /**
   * Starts a shard unless another node serves it already (it took the shard over while this node was
   * away): two workers on one shard would split its trades.
   */
  private Future<Void> startShard(int shard) {
    running.add(shard);
    return vertx.eventBus().request(Addresses.workerControl(shard), new JsonObject().put("op", "status"),
            new DeliveryOptions().setSendTimeout(2_000))
        .<Void>map(m -> {
          log.warn("worker shard {} is already served by another node; not starting it here", shard);
          running.remove(shard);
          return null;
        })
        .recover(e -> vertx.deployVerticle(worker(new AggregatorVerticle(config, shard))).mapEmpty());
  }

  /** A worker that, fenced by a newer owner of its shard, stands down: this node no longer runs the shard. */
  private AggregatorVerticle worker(AggregatorVerticle w) {
    int shard = w.shard();
    return w.onStandDown(() -> running.remove(shard));
  }

  /** The shards this node runs (deployed, starting or adopted), in order. */
  public List<Integer> shards() {
    return running.stream().sorted().toList();
  }

  private void adopt(Message<JsonObject> m) {
    int shard = m.body().getInteger("shard");
    long lostSince = m.body().getLong("lostSince", -1L);
    long fence = m.body().getLong("fence", 0L);
    if (!running.add(shard)) {
      m.reply(new JsonObject().put("shard", shard).put("already", true));
      return;
    }
    log.warn("taking over worker shard {} (lost since {})", shard, lostSince);
    vertx.deployVerticle(worker(new AggregatorVerticle(config, shard, lostSince, fence)))
        .onSuccess(id -> m.reply(new JsonObject().put("shard", shard).put("deployment", id)))
        .onFailure(e -> {
          running.remove(shard);
          m.fail(500, "cannot deploy shard " + shard + ": " + e.getMessage());
        });
  }
}
