package klagg.sim;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Binance-compatible exchange simulator: REST + WebSocket market data over a deterministic
 * synthetic market or a replayed aggTrades CSV, with Binance's limits and fault injection.
 */
public final class Simulator {
  final SimConfig cfg;
  final SimClock clock;
  final SimMarket market;
  final Faults faults = new Faults();
  final Vertx vertx;
  WsHub hub;
  RestApi rest;
  HttpServer server;
  Context context;
  String deploymentId;
  long listingEvent = Long.MIN_VALUE;
  final List<String> listingLog = new ArrayList<>();

  private Simulator(Vertx vertx, SimConfig cfg, SimClock clock, SimMarket market) {
    this.vertx = vertx;
    this.cfg = cfg;
    this.clock = clock;
    this.market = market;
  }

  /** Builds the market (blocking work: CSV parsing) and starts the server. */
  public static Future<Simulator> start(Vertx vertx, SimConfig cfg) {
    return vertx.executeBlocking(() -> {
      double scale = cfg.timeScale * (cfg.replay != null && cfg.speed > 0 ? cfg.speed : 1);
      SimClock clock = new SimClock(scale, cfg.timeOffsetMs);
      SimMarket market;
      if (cfg.replay != null) {
        market = new ReplayMarket(clock, Path.of(cfg.replay), cfg.symbol, cfg.replayOriginalTimes);
      } else {
        double rate = cfg.firehose && cfg.firehoseRate > 0 ? cfg.firehoseRate : cfg.rate;
        market = new SyntheticMarket(clock, cfg.seed, cfg.symbols, rate,
            cfg.effectiveHistoryStart(clock.now()));
      }
      return new Simulator(vertx, cfg, clock, market);
    }).compose(sim -> vertx.deployVerticle(sim.new SimVerticle()).map(id -> {
      sim.deploymentId = id;
      return sim;
    }));
  }

  final class SimVerticle extends VerticleBase {
    @Override
    public Future<?> start() {
      Simulator.this.context = context;
      hub = new WsHub(vertx, cfg, market, clock, faults);
      rest = new RestApi(vertx, Simulator.this);
      server = vertx.createHttpServer(new HttpServerOptions().setHost(cfg.host).setPort(cfg.port)
          .setMaxWebSocketFrameSize(1 << 20).setWebSocketClosingTimeout(1));
      if (cfg.firehose) {
        // WebSockets answered by hand so frames can be written in bursts
        server.requestHandler(req -> {
          if ("websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
            hub.upgradeRaw(req);
          } else {
            rest.handle(req);
          }
        });
        if (cfg.firehoseRate <= 0 && market instanceof SyntheticMarket sm) {
          hub.firehose = new Firehose(hub, sm, context);
          hub.firehose.held = cfg.firehoseHold;
        }
      } else {
        server.requestHandler(rest::handle);
        server.webSocketHandshakeHandler(hub::handshake);
        server.webSocketHandler(ws -> {
          boolean[] combined = new boolean[1];
          List<String> streams = hub.streamsOf(ws.path(), ws.query(), combined);
          hub.open(ws, combined[0], streams == null ? List.of() : streams);
        });
      }
      long emit = cfg.firehose ? Math.min(cfg.emitIntervalMs, 10) : cfg.emitIntervalMs;
      vertx.setPeriodic(emit, id -> hub.emitTick());
      long hk = Math.max(20, Math.min(250, Math.min(cfg.pingIntervalMs, Math.min(cfg.pongTimeoutMs,
          cfg.connectionLifetimeMs)) / 4));
      vertx.setPeriodic(hk, id -> hub.housekeeping());
      vertx.setPeriodic(Math.max(20, cfg.miniTickerIntervalMs), id -> hub.tickers.miniTickerTick());
      vertx.setPeriodic(Math.max(20, Math.min(250, cfg.klinePushIntervalMs)), id -> hub.tickers.klineTick());
      if (cfg.listingEverySec > 0) {
        vertx.setPeriodic(1000, id -> listingTick());
      }
      if (cfg.faults != null) {
        applyFaultsHere(cfg.faults);
      }
      return server.listen();
    }

    @Override
    public Future<?> stop() {
      return server == null ? Future.succeededFuture() : server.close();
    }
  }

  // ------------------------------------------------------------------ public API

  public int port() {
    return server.actualPort();
  }

  private String hostForUrl() {
    return cfg.host.equals("0.0.0.0") ? "127.0.0.1" : cfg.host;
  }

  /** e.g. {@code http://127.0.0.1:9090} (append /api/v3/... or /fapi/v1/...). */
  public String restBaseUrl() {
    return "http://" + hostForUrl() + ":" + port();
  }

  /** e.g. {@code ws://127.0.0.1:9090} (append /ws/..., /stream?streams=..., /market/ws/...). */
  public String wsBaseUrl() {
    return "ws://" + hostForUrl() + ":" + port();
  }

  public SimConfig config() {
    return cfg;
  }

  public SimMarket market() {
    return market;
  }

  public SimClock clock() {
    return clock;
  }

  /** Server time now. */
  public long now() {
    return clock.now();
  }

  public void setTimeOffsetMs(long offset) {
    clock.setOffsetMs(offset);
  }

  /** The fault state (read-only use; change it with {@link #applyFaults}). */
  public Faults faults() {
    return faults;
  }

  /** Applies a fault/admin command (same JSON as {@code POST /sim/faults}) on the simulator's context. */
  public Future<JsonObject> applyFaults(JsonObject cmd) {
    Promise<JsonObject> p = Promise.promise();
    context.runOnContext(v -> {
      try {
        p.complete(applyFaultsHere(cmd));
      } catch (RuntimeException e) {
        p.fail(e);
      }
    });
    return p.future();
  }

  /**
   * Holds or releases the max-rate firehose (a load harness holds it until the service under test
   * is live, so start-up is not measured under flood). No effect in other modes.
   */
  public Future<Void> holdFirehose(boolean hold) {
    Promise<Void> p = Promise.promise();
    context.runOnContext(v -> {
      if (hub.firehose != null) {
        hub.firehose.hold(hold);
      }
      p.complete();
    });
    return p.future();
  }

  /** The max-rate firehose's per-symbol tally (see {@code Firehose.tally}); empty in other modes. */
  public Future<JsonObject> firehoseTally() {
    Promise<JsonObject> p = Promise.promise();
    context.runOnContext(v -> p.complete(hub.firehose != null ? hub.firehose.tally() : new JsonObject()));
    return p.future();
  }

  /** Status counters (same JSON as {@code GET /sim/status}), read on the simulator's context. */
  public Future<JsonObject> status() {
    Promise<JsonObject> p = Promise.promise();
    context.runOnContext(v -> p.complete(statusJson()));
    return p.future();
  }

  public Future<Void> close() {
    if (deploymentId == null) {
      return Future.succeededFuture();
    }
    String id = deploymentId;
    deploymentId = null;
    return vertx.undeploy(id);
  }

  // ------------------------------------------------------------------ internals (on context)

  JsonObject applyFaultsHere(JsonObject cmd) {
    List<String> applied = new ArrayList<>();
    long now = clock.now();
    for (String k : cmd.fieldNames()) {
      switch (k) {
        case "clear" -> faults.clear();
        case "dropConnections" -> {
          if (Boolean.TRUE.equals(cmd.getValue(k))) {
            hub.dropAll();
          }
        }
        case "stallMs" -> hub.stallAll(num(cmd, k));
        case "malformedFrames" -> faults.malformedFrames += (int) num(cmd, k);
        case "duplicateTrades" -> faults.duplicateTrades += (int) num(cmd, k);
        case "reorderTrades" -> faults.reorderTrades += (int) num(cmd, k);
        case "skipAggIds" -> {
          if (cmd.getValue(k) instanceof JsonObject o) {
            String sym = o.getString("symbol", "").toUpperCase();
            if (market.symbol(sym) == null) {
              throw new IllegalArgumentException("skipAggIds: unknown symbol '" + o.getString("symbol") + "'");
            }
            faults.skipBySymbol.merge(sym, Math.max(0, o.getInteger("count", 1)), Integer::sum);
          } else {
            faults.skipAggIds += (int) num(cmd, k);
          }
        }
        case "restErrors" -> {
          JsonObject r = cmd.getJsonObject(k);
          int status = r.getInteger("status", 503);
          if (status != 429 && (status < 500 || status > 599)) {
            throw new IllegalArgumentException("restErrors.status must be 429 or 5xx");
          }
          faults.restStatus = status;
          faults.restRemaining = r.getInteger("count", 1);
        }
        case "timeOffsetMs" -> clock.setOffsetMs(num(cmd, k));
        case "serverTime" -> clock.setNow(num(cmd, k));
        case "list" -> {
          Object v = cmd.getValue(k);
          String name = v instanceof JsonObject o ? o.getString("symbol") : String.valueOf(v);
          Double price = v instanceof JsonObject o && o.getValue("price") != null
              ? Double.valueOf(String.valueOf(o.getValue("price"))) : null;
          // listed now, trading from opensInMs later (a new listing's first trades come after it appears)
          long opensIn = v instanceof JsonObject o ? Math.max(0, o.getLong("opensInMs", 0L)) : 0;
          if (market.list(name.toUpperCase(), price, now + opensIn) == null) {
            throw new IllegalArgumentException("listing not supported in " + market.mode() + " mode");
          }
        }
        case "delist" -> {
          SymbolInfo s = market.symbol(String.valueOf(cmd.getValue(k)).toUpperCase());
          if (s == null) {
            throw new IllegalArgumentException("unknown symbol " + cmd.getValue(k));
          }
          market.delist(s, now);
        }
        case "exchangeInfo" -> {
          Object v = cmd.getValue(k);
          JsonObject o = v instanceof JsonObject j ? j : new JsonObject().put("answer", String.valueOf(v));
          String answer = o.getString("answer", "");
          if (!answer.equals("empty") && !answer.equals("garbage") && !answer.equals("partial")) {
            throw new IllegalArgumentException("exchangeInfo.answer must be empty, garbage or partial");
          }
          double keep = o.getDouble("keep", 0.5);
          if (!(keep >= 0 && keep <= 1)) {
            throw new IllegalArgumentException("exchangeInfo.keep must be in [0, 1]");
          }
          faults.exchangeInfoFault = answer;
          faults.exchangeInfoRemaining = Math.max(0, o.getInteger("count", 1));
          faults.exchangeInfoKeep = keep;
        }
        case "break", "resume" -> {
          SymbolInfo s = market.symbol(String.valueOf(cmd.getValue(k)).toUpperCase());
          if (s == null) {
            throw new IllegalArgumentException("unknown symbol " + cmd.getValue(k));
          }
          if (k.equals("break")) {
            market.setBreak(s, now);
          } else {
            market.setTrading(s, now);
          }
        }
        default -> throw new IllegalArgumentException("unknown fault '" + k + "'");
      }
      applied.add(k);
    }
    return new JsonObject().put("applied", new io.vertx.core.json.JsonArray(applied)).put("status", statusJson());
  }

  private static long num(JsonObject o, String k) {
    Object v = o.getValue(k);
    if (!(v instanceof Number n)) {
      throw new IllegalArgumentException(k + " must be a number");
    }
    return n.longValue();
  }

  JsonObject statusJson() {
    JsonObject o = new JsonObject()
        .put("mode", market.mode())
        .put("serverTime", clock.now())
        .put("timeOffsetMs", clock.offsetMs())
        .put("timeScale", clock.scale())
        .put("symbols", market.symbols().size())
        .put("firehose", cfg.firehose);
    if (hub != null) {
      o.put("connections", hub.conns.size())
          .put("connectionsTotal", hub.connectionsTotal.get())
          .put("tradesGenerated", hub.tradesGenerated.get())
          .put("tradesSent", hub.tradesSent.get())
          .put("framesSent", hub.framesSent.get())
          .put("rateLimitCloses", hub.rateLimitCloses.get())
          .put("slowConsumerCloses", hub.slowConsumerCloses.get()).put("framesSkippedFull", hub.framesSkipped.get())
          .put("pongTimeoutCloses", hub.pongTimeoutCloses.get())
          .put("lifetimeCloses", hub.lifetimeCloses.get())
          .put("streams", hub.subs.size());
      o.put("rawBytesSent", hub.rawBytesSent.get()).put("firehoseMode", !cfg.firehose ? "off"
          : hub.firehose != null ? "max" : "rate " + cfg.firehoseRate);
    }
    if (rest != null) {
      o.put("restRequests", rest.requests).put("restRejected429", rest.rejected429)
          .put("weightUsed1m", rest.weightUsed);
      JsonObject eps = new JsonObject();
      rest.byEndpoint.forEach((k, v) -> eps.put(k, new JsonObject().put("requests", v[0]).put("weight", v[1])));
      o.put("restByEndpoint", eps);
    }
    if (market instanceof ReplayMarket r) {
      o.put("replayTrades", r.size()).put("replayDone", cfg.speed == 0 ? hub.replayDone
          : clock.now() > r.lastTime());
    }
    o.put("faults", faults.toJson());
    o.put("listingEvents", new io.vertx.core.json.JsonArray(new ArrayList<>(listingLog)));
    return o;
  }

  /** Seeded listing schedule: at each multiple of the period, one new symbol and one delisting. */
  void listingTick() {
    long period = cfg.listingEverySec * 1000;
    long now = clock.now();
    long ev = Math.floorDiv(now, period);
    if (listingEvent == Long.MIN_VALUE) {
      listingEvent = ev;
      return;
    }
    for (long e = listingEvent + 1; e <= ev; e++) {
      String name = String.format("N%05dUSDT", Math.floorMod(e, 100_000L));
      if (market.list(name, null, now) != null) {
        listingLog.add("+" + name);
      }
      List<SymbolInfo> trading = market.symbols().stream().filter(SymbolInfo::trading).toList();
      if (trading.size() > 6) {
        int i = 5 + (int) Long.remainderUnsigned(SyntheticMarket.h(cfg.seed, 77, e), trading.size() - 5);
        SymbolInfo s = trading.get(i);
        market.delist(s, now);
        listingLog.add("-" + s.name);
      }
      while (listingLog.size() > 100) {
        listingLog.remove(0);
      }
    }
    listingEvent = ev;
  }
}
