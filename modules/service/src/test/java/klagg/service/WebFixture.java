package klagg.service;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import klagg.core.Interval;
import klagg.sim.SimKline;
import klagg.sim.SimInterval;
import klagg.sim.SimMarket;
import klagg.sim.SymbolInfo;

/** The running service for the web tests: simulator in-process, ephemeral HTTP and TCP bridge ports. */
final class WebFixture {
  final Vertx vertx;
  final Harness harness;
  HttpClient http;

  /** A reply of the HTTP server. */
  record Response(int status, String contentType, Buffer body) {
    JsonObject json() {
      return body.toJsonObject();
    }

    JsonArray array() {
      return body.toJsonArray();
    }
  }

  WebFixture(Vertx vertx) {
    this.vertx = vertx;
    this.harness = new Harness(vertx);
  }

  static JsonObject config(int symbols) {
    JsonObject c = Harness.config(System.currentTimeMillis(), symbols, 11);
    c.getJsonObject("workers").put("instances", 2);
    c.put("bridge", new JsonObject().put("tcpEnabled", true).put("tcpPort", 0));
    // the history stand-in computes the exchange's klines from the simulator's trades, on a loaded CI
    // machine slower than a database's answer
    c.put("web", new JsonObject().put("historyTimeoutMs", 20_000));
    // the web tests stand in for the database (history, status) with their own handlers
    c.put("roles", new io.vertx.core.json.JsonArray().add("ingest").add("workers").add("gateway").add("web"));
    return c;
  }

  Future<WebFixture> start(JsonObject conf) {
    return harness.start(conf).map(s -> {
      http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port()));
      return this;
    });
  }

  int port() {
    return harness.service.httpPort();
  }

  SimMarket market() {
    return harness.service.simulator().market();
  }

  Future<Response> get(String uri) {
    return http.request(HttpMethod.GET, uri)
        .compose(req -> req.send().compose(resp -> resp.body()
            .map(b -> new Response(resp.statusCode(), resp.getHeader("Content-Type"), b))));
  }

  /** The simulator's own REST klines (Binance's 12-field rows). */
  JsonArray exchangeKlines(String symbol, Interval iv, Long start, Long end, int limit) {
    SymbolInfo info = market().symbol(symbol);
    JsonArray a = new JsonArray();
    for (SimKline k : market().klines(info, SimInterval.parse(iv.code()), start, end, limit)) {
      a.add(k.toRestRow());
    }
    return a;
  }

  /**
   * Stands in for the database: answers {@code klagg.history.query} with the exchange's klines that
   * closed before now (11 fields, as the persistence verticle replies).
   */
  MessageConsumer<JsonObject> installHistory() {
    return vertx.eventBus().<JsonObject>consumer(Addresses.HISTORY_QUERY, m -> {
      JsonObject q = m.body();
      SymbolInfo info = market().symbol(q.getString("symbol"));
      SimInterval iv = SimInterval.parse(q.getString("interval"));
      long now = harness.serverNow();
      List<SimKline> ks = market().klines(info, iv, q.getLong("startTime"), q.getLong("endTime"), q.getInteger("limit"));
      JsonArray rows = new JsonArray();
      for (SimKline k : ks) {
        if (k.closeTime < now - 5_000) {
          JsonArray r = k.toRestRow();
          rows.add(new JsonArray(r.getList().subList(0, 11)));
        }
      }
      m.reply(new JsonObject().put("klines", rows));
    });
  }

  Future<Void> stop() {
    return harness.service == null ? Future.succeededFuture() : harness.service.stop();
  }
}
