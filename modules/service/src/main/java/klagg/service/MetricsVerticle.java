package klagg.service;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics server of a node without the web role ({@code metrics.host}, {@code metrics.port}):
 * {@code GET /metrics} (Prometheus, the same registry and scrape as the web role's) and
 * {@code GET /health} (this node's worker shards, each asked for its status; UP when every one
 * answers, 503 otherwise).
 */
public final class MetricsVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(MetricsVerticle.class);

  private final KlaggConfig config;
  private final Supplier<List<Integer>> shards;
  private HttpServer server;

  /** {@code shards}: the worker shards this node runs now (adopted ones included). */
  public MetricsVerticle(KlaggConfig config, Supplier<List<Integer>> shards) {
    this.config = config;
    this.shards = shards;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.getString("metrics.host"))
        .setPort(config.metricsPort()));
    return server.requestHandler(this::handle).listen().onSuccess(s -> log.info("metrics and health at http://{}:{}/",
        config.getString("metrics.host"), s.actualPort()));
  }

  /** The bound port. */
  public int port() {
    return server == null ? -1 : server.actualPort();
  }

  private void handle(HttpServerRequest req) {
    switch (req.path()) {
      case "/metrics" -> KlaggMetrics.scrape(vertx, req.response());
      case "/health" -> health().onComplete(ar -> {
        JsonObject h = ar.succeeded() ? ar.result()
            : new JsonObject().put("status", "DOWN").put("error", String.valueOf(ar.cause()));
        req.response().setStatusCode("UP".equals(h.getString("status")) ? 200 : 503)
            .putHeader("Content-Type", "application/json").end(h.encodePrettily());
      });
      default -> req.response().setStatusCode(404).putHeader("Content-Type", "text/plain")
          .end("not found; /metrics and /health are served here\n");
    }
  }

  /** Asks every local worker for its status ({@code symbols}, {@code live}, {@code notLive}, {@code stalled}). */
  Future<JsonObject> health() {
    List<Integer> mine = shards.get();
    long timeout = config.getLong("web.statusTimeoutMs");
    List<Future<JsonObject>> replies = new ArrayList<>();
    for (int shard : mine) {
      replies.add(vertx.eventBus().<JsonObject>request(Addresses.workerControl(shard), new JsonObject().put("op", "status"),
              new DeliveryOptions().setSendTimeout(timeout))
          .map(Message::body)
          .otherwise(e -> new JsonObject().put("worker", shard).put("error", String.valueOf(e.getMessage()))));
    }
    return Future.all(replies).map(all -> {
      JsonArray workers = new JsonArray();
      int symbols = 0;
      int live = 0;
      int notLive = 0;
      boolean up = true;
      for (Future<JsonObject> f : replies) {
        JsonObject w = f.result();
        up &= !w.containsKey("error");
        symbols += w.getInteger("symbols", 0);
        live += w.getInteger("live", 0);
        notLive += w.getInteger("notLive", 0);
        workers.add(new JsonObject().put("worker", w.getValue("worker")).put("symbols", w.getValue("symbols"))
            .put("live", w.getValue("live")).put("notLive", w.getValue("notLive")).put("stalled", w.getValue("stalled"))
            .put("error", w.getValue("error")));
      }
      return new JsonObject().put("status", up ? "UP" : "DOWN").put("roles", new JsonArray(config.list("roles")))
          .put("symbols", symbols).put("live", live).put("notLive", notLive).put("workers", workers);
    });
  }
}
