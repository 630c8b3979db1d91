package klagg.service;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import klagg.service.msg.Codecs;
import klagg.sim.SimConfig;
import klagg.sim.Simulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys the verticles of DESIGN.md in start-up order: (the in-process simulator, when configured)
 * → exchange REST → clock → workers → gateway → persistence → ingest → symbol directory, which then
 * seeds and subscribes every symbol.
 */
public final class KlaggService {
  private static final Logger log = LoggerFactory.getLogger(KlaggService.class);

  private final Vertx vertx;
  private final List<String> deployments = new ArrayList<>();
  private KlaggConfig config;
  private Simulator simulator;

  private KlaggService(Vertx vertx, KlaggConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  public static Future<KlaggService> start(Vertx vertx, KlaggConfig config) {
    KlaggService s = new KlaggService(vertx, config);
    return s.deploy().map(s);
  }

  private Future<Void> deploy() {
    Codecs.register(vertx);
    Future<Void> sim = Future.succeededFuture();
    if (config.getBool("sim.enabled")) {
      sim = Simulator.start(vertx, SimConfig.fromJson(config.section("sim"))).map(s -> {
        simulator = s;
        JsonObject exchange = config.section("exchange").copy().put("venue", "sim")
            .put("restBaseUrl", s.restBaseUrl()).put("wsBaseUrl", s.wsBaseUrl());
        config = config.withSection("exchange", exchange);
        log.info("in-process simulator at {}", s.restBaseUrl());
        return null;
      });
    }
    int workers = config.workers();
    AtomicInteger shard = new AtomicInteger();
    return sim
        .compose(v -> deploy(new RestVerticle(config)))
        .compose(v -> deploy(new ClockVerticle(config)))
        .compose(v -> vertx.deployVerticle(() -> new AggregatorVerticle(config, shard.getAndIncrement()),
            new DeploymentOptions().setInstances(workers)).map(id -> {
              deployments.add(id);
              return (Void) null;
            }))
        .compose(v -> deploy(new GatewayVerticle(config)))
        .compose(v -> deploy(new PersistenceVerticle(config)))
        .compose(v -> deploy(new IngestVerticle(config)))
        .compose(v -> deploy(new SymbolDirectoryVerticle(config)))
        .onSuccess(v -> log.info("klagg started: {} workers, intervals {}, exchange {}", workers,
            config.list("intervals"), config.section("exchange").getString("restBaseUrl")));
  }

  private Future<Void> deploy(io.vertx.core.Deployable verticle) {
    return vertx.deployVerticle(verticle).map(id -> {
      deployments.add(id);
      return null;
    });
  }

  public KlaggConfig config() {
    return config;
  }

  /** The in-process simulator, or null. */
  public Simulator simulator() {
    return simulator;
  }

  /** Undeploys in reverse order: the directory and ingest stop first. */
  public Future<Void> stop() {
    Future<Void> f = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      f = f.compose(v -> vertx.undeploy(id).recover(e -> Future.succeededFuture()));
    }
    if (simulator != null) {
      f = f.compose(v -> simulator.close());
    }
    return f;
  }
}
