package klagg.service;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import klagg.service.msg.Codecs;
import klagg.service.web.WebVerticle;
import klagg.sim.SimConfig;
import klagg.sim.Simulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys the verticles of DESIGN.md in start-up order: (the in-process simulator, when configured)
 * → exchange REST → clock → persistence (migrated) and backfill → workers → gateway → ingest → symbol
 * directory, which then
 * seeds and subscribes every symbol → web (REST, WebSocket streams, bridges, dashboard).
 */
public final class KlaggService {
  private static final Logger log = LoggerFactory.getLogger(KlaggService.class);

  private final Vertx vertx;
  private final List<String> deployments = new ArrayList<>();
  private KlaggConfig config;
  private Simulator simulator;
  private WebVerticle web;
  private WorkerHostVerticle workerHost;
  private MetricsVerticle metrics;

  private KlaggService(Vertx vertx, KlaggConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  public static Future<KlaggService> start(Vertx vertx, KlaggConfig config) {
    KlaggService s = new KlaggService(vertx, config);
    return s.deploy().map(s);
  }

  private Future<Void> deploy() {
    try {
      config.checkRoles(vertx.isClustered());
    } catch (KlaggConfig.ConfigException e) {
      return Future.failedFuture(e);
    }
    Codecs.register(vertx);
    Future<Void> sim = Future.succeededFuture();
    if (config.getBool("sim.enabled")) {
      sim = Simulator.start(vertx, SimConfig.fromJson(config.section("sim"))).map(s -> {
        simulator = s;
        JsonObject exchange = config.section("exchange").copy().put("venue", "sim")
            .put("restBaseUrl", s.restBaseUrl()).put("wsBaseUrl", s.wsBaseUrl());
        // the in-process simulator's own limits, not Binance's (unless set explicitly)
        if (!exchange.containsKey("weightLimitPerMinute")) {
          exchange.put("weightLimitPerMinute", s.config().weightLimitPerMinute);
        }
        config = config.withSection("exchange", exchange);
        log.info("in-process simulator at {}", s.restBaseUrl());
        return null;
      });
    }
    return sim
        .compose(v -> when("ingest", () -> new ExchangeRestVerticle(config)))
        .compose(v -> when("ingest", () -> new ClockVerticle(config)))
        // persistence before the workers and the gateway: it is migrated first and, as undeploy runs
        // in reverse, stopped after the gateway's last cycle reached it
        .compose(v -> when("persistence", () -> new PersistenceVerticle(config)))
        .compose(v -> config.hasRole("persistence") && config.getBool("backfill.enabled")
            ? deploy(new BackfillVerticle(config)) : Future.<Void>succeededFuture())
        .compose(v -> config.hasRole("workers") || config.getBool("workers.adopt")
            ? deploy(workerHost = new WorkerHostVerticle(config)) : Future.<Void>succeededFuture())
        .compose(v -> when("gateway", () -> new GatewayVerticle(config)))
        .compose(v -> when("ingest", () -> new IngestVerticle(config)))
        .compose(v -> when("ingest", () -> new SymbolDirectoryVerticle(config)))
        .compose(v -> when("web", () -> web = new WebVerticle(config)))
        // a node without the web role serves /metrics and /health on its own port (metrics.port)
        .compose(v -> config.metricsPort() >= 0
            ? deploy(metrics = new MetricsVerticle(config, () -> workerHost == null ? List.of() : workerHost.shards()))
            : Future.<Void>succeededFuture())
        .onSuccess(v -> log.info("klagg started: roles {}, {} of {} worker shards here, intervals {}{}",
            config.list("roles"), config.localWorkers(), config.workers(), config.list("intervals"),
            config.hasRole("ingest") ? ", exchange " + klagg.exchange.ExchangeEndpoints.fromJson(config.section("exchange")).restBaseUrl() : ""));
  }

  /** Deploys the verticle if this node has the role. */
  private Future<Void> when(String role, java.util.function.Supplier<io.vertx.core.Deployable> verticle) {
    return config.hasRole(role) ? deploy(verticle.get()) : Future.succeededFuture();
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

  /** The HTTP port the web verticle bound (REST, WebSocket, dashboard), or -1 before it started. */
  public int httpPort() {
    return web == null ? -1 : web.httpPort();
  }

  /** The port of this node's own metrics server ({@code /metrics}, {@code /health}), or -1 when it runs none. */
  public int metricsPort() {
    return metrics == null ? -1 : metrics.port();
  }

  /** The TCP event-bus bridge's port, or -1 when it is off. */
  public int tcpBridgePort() {
    return web == null ? -1 : web.tcpBridgePort();
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
