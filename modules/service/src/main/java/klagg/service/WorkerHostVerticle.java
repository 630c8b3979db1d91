package klagg.service;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workers role of a node: deploys this node's shards ({@code workers.first} onwards, a fresh
 * {@link AggregatorVerticle} each) and, with {@code workers.adopt}, takes over shards whose node
 * died when the gateway asks.
 */
public final class WorkerHostVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(WorkerHostVerticle.class);

  private final KlaggConfig config;
  private final Set<Integer> running = new HashSet<>();

  public WorkerHostVerticle(KlaggConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    int first = config.getInt("workers.first");
    int n = config.localWorkers();
    AtomicInteger shard = new AtomicInteger(first);
    for (int i = first; i < first + n; i++) {
      running.add(i);
    }
    Future<?> workers = n == 0 ? Future.succeededFuture()
        : vertx.deployVerticle(() -> new AggregatorVerticle(config, shard.getAndIncrement()),
            new DeploymentOptions().setInstances(n));
    Future<?> adopt = config.getBool("workers.adopt")
        ? vertx.eventBus().<JsonObject>consumer(Addresses.WORKERS_ADOPT, this::adopt).completion()
        : Future.succeededFuture();
    return Future.join(workers, adopt);
  }

  private void adopt(Message<JsonObject> m) {
    int shard = m.body().getInteger("shard");
    long lostSince = m.body().getLong("lostSince", -1L);
    if (!running.add(shard)) {
      m.reply(new JsonObject().put("shard", shard).put("already", true));
      return;
    }
    log.warn("taking over worker shard {} (lost since {})", shard, lostSince);
    vertx.deployVerticle(new AggregatorVerticle(config, shard, lostSince))
        .onSuccess(id -> m.reply(new JsonObject().put("shard", shard).put("deployment", id)))
        .onFailure(e -> {
          running.remove(shard);
          m.fail(500, "cannot deploy shard " + shard + ": " + e.getMessage());
        });
  }
}
