package klagg.service.web;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.core.KlineDelta;
import klagg.service.Addresses;
import klagg.service.KlaggConfig;
import klagg.service.KlaggMetrics;
import klagg.service.RateLimitedLog;
import klagg.service.msg.CycleUpdate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of klagg: Binance's REST endpoints for klines, exchangeInfo and time (served from a
 * live cache of recent klines and the database for older history), health and Prometheus metrics,
 * Binance's kline WebSocket streams ({@link StreamHub}), the SockJS and TCP event-bus bridges
 * ({@link EventBusBridges}: clients register only on outbound {@code klagg.out.changes} /
 * {@code klagg.out.kline.*}, send only to inbound {@code klagg.in.query}; lagging clients are
 * conflated and then closed) and the dashboard.
 *
 * <p>Its cache ({@link KlineCache}) is the one place that holds the last known klines: a worker that
 * misses the gateway's pull deadline (timeout or open circuit) sends nothing new, so queries and
 * subscribers keep its symbols' last known klines, and the status API marks those symbols stale (from
 * the shards the gateway reports stale) until the worker answers again.
 */
public final class WebVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(WebVerticle.class);
  private static final String JSON = "application/json;charset=UTF-8";

  private final KlaggConfig config;
  private final Set<Interval> served = EnumSet.noneOf(Interval.class);
  private final Symbols symbols = new Symbols();
  private KlineCache cache;
  private StreamHub hub;
  private StatusSampler status;
  private HttpServer server;
  private volatile EventBusBridges bridges;
  private volatile int httpPort = -1;
  private long offset;
  private long cycles;
  private long rowsSeen;
  private final Kline scratch = new Kline();
  private final RateLimitedLog rlog = new RateLimitedLog(log, 10_000);

  public WebVerticle(KlaggConfig config) {
    this.config = config;
    served.addAll(config.intervals());
  }

  /** The HTTP port actually bound (after start), e.g. when {@code http.port} is 0. */
  public int httpPort() {
    return httpPort;
  }

  /** The TCP bridge's port, or -1 when it is off. */
  public int tcpBridgePort() {
    return bridges == null ? -1 : bridges.tcpPort();
  }

  @Override
  public Future<?> start() {
    cache = new KlineCache(config.getInt("web.cacheKlines"), config.getLong("web.cacheMaxKlines"));
    bridges = new EventBusBridges(vertx, config, symbols);
    hub = new StreamHub(new StreamHub.Limits(config.getInt("web.maxConnections"), config.getInt("web.maxStreams"),
        config.getInt("web.maxMessagesPerSecond"), config.getLong("web.stuckClientMs")), served);
    status = new StatusSampler(vertx, config.getLong("web.statusTimeoutMs"), config.workers(), symbols, () -> new JsonObject()
        .put("symbols", symbols.size()).put("cacheKeys", cache.keys()).put("cacheKlines", cache.klines())
        .put("cacheEvicted", cache.evicted()).put("cacheRefused", cache.refused()).put("cycles", cycles)
        .put("websocket", hub.status()));
    registerMetrics();
    var bus = vertx.eventBus();
    Future<?> consumers = Future.join(
        // not a local consumer: in a cluster the gateway may run on another node (CycleUpdate has a wire form)
        bus.<CycleUpdate>consumer(Addresses.CYCLE, m -> onCycle(m.body())).completion(),
        bus.<JsonObject>consumer(Addresses.SYMBOLS_EVENTS, m -> onSymbolEvent(m.body())).completion(),
        bus.<JsonObject>consumer(Addresses.TICK, m -> offset = m.body().getLong("offset", offset)).completion(),
        bus.<JsonObject>consumer(Addresses.QUERY_IN, this::onBusQuery).completion());
    return consumers
        .compose(v -> bus.<JsonObject>request(Addresses.SYMBOLS_LIST, new JsonObject(),
                new DeliveryOptions().setSendTimeout(10_000))
            .map(m -> {
              for (Object o : m.body().getJsonArray("symbols", new JsonArray())) {
                symbols.apply((JsonObject) o);
              }
              return (Void) null;
            })
            .recover(e -> {
              log.warn("symbol list unavailable at start ({}); waiting for symbol events", e.getMessage());
              return Future.succeededFuture();
            }))
        .compose(v -> startHttp())
        .compose(v -> bridges.startTcp())
        .onSuccess(v -> {
          status.start();
          vertx.setPeriodic(1000, id -> {
            hub.housekeeping();
            bridges.afterCycle();
          });
        });
  }

  @Override
  public Future<?> stop() {
    if (hub != null) {
      hub.closeAll();
    }
    List<Future<?>> all = new ArrayList<>();
    if (server != null) {
      all.add(server.close());
    }
    if (bridges != null) {
      all.add(bridges.close());
    }
    return Future.join(all);
  }

  private void registerMetrics() {
    MeterRegistry reg = KlaggMetrics.of(vertx);
    Gauge.builder("klagg_web_ws_connections", this, w -> w.hub.connections()).register(reg);
    Gauge.builder("klagg_web_cache_klines", this, w -> w.cache.klines()).register(reg);
    Gauge.builder("klagg_web_cache_slots", this, w -> w.cache.slots())
        .description("kline slots the live cache has allocated (bounded by web.cacheMaxKlines)").register(reg);
    FunctionCounter.builder("klagg_web_cache_evicted", this, w -> w.cache.evicted())
        .description("oldest cached klines dropped because web.cacheMaxKlines kept their series from growing")
        .register(reg);
    FunctionCounter.builder("klagg_web_cache_refused", this, w -> w.cache.refused())
        .description("series not cached (served from the database) because web.cacheMaxKlines was reached")
        .register(reg);
    FunctionCounter.builder("klagg_web_cycles", this, w -> w.cycles).register(reg);
    bridges.registerMetrics(reg);
  }

  // ---------------------------------------------------------------- live updates

  private void onSymbolEvent(JsonObject e) {
    if ("removed".equals(e.getString("op"))) {
      cache.remove(e.getInteger("id"));
    }
    symbols.apply(e);
  }

  /** One gateway cycle: cache, then one encoding per changed kline shared by every subscriber. */
  private void onCycle(CycleUpdate u) {
    cycles++;
    // first the cache and the WebSocket subscribers (few streams, latency-sensitive), then the
    // event-bus fan-out and the dashboard snapshot of every changed kline
    boolean anyWs = hub.connections() > 0;
    for (KlineDelta d : u.deltas()) {
      for (int r = 0; r < d.size(); r++) {
        rowsSeen++;
        cache.apply(d, r);
        Symbols.Info info = anyWs ? symbols.byId(d.symbol(r)) : null;
        if (info != null) {
          String stream = StreamHub.streamName(info.lower, d.interval(r));
          if (hub.hasSubscribers(stream)) {
            hub.publish(stream, d.openTime(r),
                StreamEvents.event(d.get(r, scratch), info.symbol, u.serverTime()).encode());
          }
        }
      }
    }
    bridges.publish(u);
    hub.afterCycle();
  }

  // ---------------------------------------------------------------- HTTP

  private Future<Void> startHttp() {
    Router router = Router.router(vertx);
    // every /api and /fapi answer is Binance's JSON, errors included (a query that does not decode,
    // a handler that failed): never a bare 500 page
    for (String api : List.of("/api/*", "/fapi/*")) {
      router.route(api).handler(this::decodableParams).failureHandler(this::binanceFailure);
    }
    router.get("/api/v3/klines").handler(this::klines);
    // the same data as clients call it: Binance's UI klines and the USD-M futures twin
    router.get("/api/v3/uiKlines").handler(this::klines);
    router.get("/fapi/v1/klines").handler(this::klines);
    router.get("/fapi/v1/ping").handler(ctx -> json(ctx, 200, "{}"));
    router.get("/fapi/v1/time").handler(ctx -> json(ctx, 200, new JsonObject().put("serverTime", serverNow()).encode()));
    router.get("/api/v3/exchangeInfo").handler(this::exchangeInfo);
    router.get("/api/v3/time").handler(ctx -> json(ctx, 200, new JsonObject().put("serverTime", serverNow()).encode()));
    router.get("/api/v3/ping").handler(ctx -> json(ctx, 200, "{}"));
    router.get("/api/klagg/status").handler(ctx -> json(ctx, 200, status.latest().encode()));
    router.get("/health").handler(this::health);
    router.get("/metrics").handler(ctx -> KlaggMetrics.scrape(vertx, ctx.response()));
    router.routeWithRegex("^/(ws|stream)(/.*)?$").handler(this::webSocket);
    bridges.mountSockJs(router);
    for (String api : List.of("/api/*", "/fapi/*")) {
      router.route(api).handler(ctx -> json(ctx, 404, new JsonObject().put("code", -1000)
          .put("msg", "Unknown endpoint " + ctx.request().path()).encode()));
    }
    router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false).setIndexPage("index.html"));
    int maxFrame = config.getInt("web.maxFrameBytes");
    HttpServerOptions opts = new HttpServerOptions().setHost(config.getString("http.host"))
        .setPort(config.getInt("http.port")).setMaxWebSocketFrameSize(maxFrame).setMaxWebSocketMessageSize(maxFrame)
        .setWebSocketClosingTimeout(3).setCompressionSupported(true);
    return vertx.createHttpServer(opts).requestHandler(router).listen().map(s -> {
      server = s;
      httpPort = s.actualPort();
      log.info("web: http://{}:{}/ (REST /api/v3, WebSocket /ws and /stream, SockJS bridge /eventbus)",
          config.getString("http.host"), httpPort);
      return null;
    });
  }

  /**
   * A query string with a bad percent escape ({@code %}, {@code %G1}) makes every parameter lookup
   * throw; answered here as Binance does, before any handler looks. Found by WebRestFuzzTest.
   */
  private void decodableParams(RoutingContext ctx) {
    try {
      ctx.request().params();
    } catch (IllegalArgumentException e) {
      error(ctx, new BinanceError(400, -1100, "Illegal characters found in a parameter."));
      return;
    }
    ctx.next();
  }

  /** A failed /api or /fapi request: Binance's error JSON with the failure's status (500 if none). */
  private void binanceFailure(RoutingContext ctx) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    Throwable t = ctx.failure();
    int status = ctx.statusCode();
    BinanceError e;
    if (t instanceof BinanceError) {
      e = (BinanceError) t;
    } else if (t instanceof IllegalArgumentException) {
      e = new BinanceError(400, -1100, "Illegal characters found in a parameter.");
    } else if (status >= 400 && status < 500) {
      e = new BinanceError(status, -1000, "An unknown error occurred while processing the request.");
    } else {
      rlog.warn("rest-failure", "REST " + ctx.request().path() + " failed: " + t);
      e = BinanceError.internal();
    }
    error(ctx, e);
  }

  private static void json(RoutingContext ctx, int status, String body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", JSON).end(body);
  }

  private static void error(RoutingContext ctx, BinanceError e) {
    json(ctx, e.status, e.json().encode());
  }

  private long serverNow() {
    return System.currentTimeMillis() + offset;
  }

  private void klines(RoutingContext ctx) {
    KlineQuery q;
    try {
      q = KlineQuery.parse(ctx.request()::getParam, symbols, served);
    } catch (BinanceError e) {
      error(ctx, e);
      return;
    }
    answer(q).onComplete(ar -> {
      if (ar.succeeded()) {
        json(ctx, 200, ar.result().encode());
      } else {
        error(ctx, ar.cause() instanceof BinanceError ? (BinanceError) ar.cause() : BinanceError.internal());
      }
    });
  }

  /** The live cache, with the database for what the cache does not hold. */
  private Future<JsonArray> answer(KlineQuery q) {
    KlineCache.Ring ring = cache.ring(q.symbol.id, q.interval);
    List<Kline> cached = q.fromCache(ring);
    if (q.cacheSuffices(ring, cached)) {
      return Future.succeededFuture(q.answer(cached, null));
    }
    // the cache's klines are copies already: the cycle may change the cache before the database answers
    List<Kline> copy = cached;
    return vertx.eventBus().<JsonObject>request(Addresses.HISTORY_QUERY, q.toHistoryRequest(),
            new DeliveryOptions().setSendTimeout(config.getLong("web.historyTimeoutMs")))
        .map(m -> q.answer(copy, m.body() == null ? null : m.body().getJsonArray("klines")))
        .recover(e -> {
          if (e instanceof ReplyException && ((ReplyException) e).failureType() == ReplyFailure.NO_HANDLERS) {
            return Future.succeededFuture(q.answer(copy, null));
          }
          if (e instanceof ReplyException && ((ReplyException) e).failureType() == ReplyFailure.TIMEOUT) {
            log.warn("history query timed out: {}", q.toHistoryRequest().encode());
            return Future.failedFuture(BinanceError.timeout());
          }
          log.warn("history query failed: {}", e.getMessage());
          return Future.failedFuture(BinanceError.internal());
        });
  }

  /** {@code klagg.in.query} from event-bus clients: like the REST endpoint; errors fail with Binance's code. */
  private void onBusQuery(Message<JsonObject> m) {
    KlineQuery q;
    try {
      q = KlineQuery.parse(m.body(), symbols, served);
    } catch (BinanceError e) {
      m.fail(e.code, e.getMessage());
      return;
    } catch (ClassCastException e) {
      m.fail(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
      return;
    }
    answer(q).onComplete(ar -> {
      if (ar.succeeded()) {
        m.reply(new JsonObject().put("symbol", q.symbol.symbol).put("interval", q.interval.code())
            .put("klines", ar.result()));
      } else {
        BinanceError e = ar.cause() instanceof BinanceError ? (BinanceError) ar.cause() : BinanceError.internal();
        m.fail(e.code, e.getMessage());
      }
    });
  }

  private void exchangeInfo(RoutingContext ctx) {
    List<Symbols.Info> list = new ArrayList<>();
    String one = ctx.request().getParam("symbol");
    String many = ctx.request().getParam("symbols");
    if (one != null) {
      Symbols.Info i = symbols.byName(one.toUpperCase(java.util.Locale.ROOT));
      if (i == null) {
        error(ctx, BinanceError.invalidSymbol());
        return;
      }
      list.add(i);
    } else if (many != null) {
      JsonArray names;
      try {
        names = new JsonArray(many);
      } catch (RuntimeException e) {
        error(ctx, new BinanceError(400, -1100, "Illegal characters found in parameter 'symbols'; legal range is '^\\[(\"[A-Z0-9-_.]{1,20}\"(,\"[A-Z0-9-_.]{1,20}\"){0,}){0,1}\\]$'."));
        return;
      }
      for (Object n : names) {
        Symbols.Info i = symbols.byName(String.valueOf(n));
        if (i == null) {
          error(ctx, BinanceError.invalidSymbol());
          return;
        }
        list.add(i);
      }
    } else {
      list.addAll(symbols.all());
    }
    JsonArray out = new JsonArray();
    for (Symbols.Info i : list) {
      out.add(new JsonObject().put("symbol", i.symbol).put("status", "TRADING").put("baseAsset", i.baseAsset)
          .put("baseAssetPrecision", 8).put("quoteAsset", i.quoteAsset).put("quotePrecision", 8)
          .put("quoteAssetPrecision", 8).put("baseCommissionPrecision", 8).put("quoteCommissionPrecision", 8)
          .put("orderTypes", new JsonArray().add("LIMIT").add("MARKET")).put("icebergAllowed", false)
          .put("ocoAllowed", false).put("quoteOrderQtyMarketAllowed", false).put("isSpotTradingAllowed", true)
          .put("isMarginTradingAllowed", false).put("permissions", new JsonArray().add("SPOT"))
          .put("permissionSets", new JsonArray().add(new JsonArray().add("SPOT")))
          .put("stale", status.stale(i))
          .put("filters", new JsonArray()
              .add(new JsonObject().put("filterType", "PRICE_FILTER").put("minPrice", fmt8(i.tickSize))
                  .put("maxPrice", "1000000.00000000").put("tickSize", fmt8(i.tickSize)))
              .add(new JsonObject().put("filterType", "LOT_SIZE").put("minQty", fmt8(i.stepSize))
                  .put("maxQty", "9000000.00000000").put("stepSize", fmt8(i.stepSize)))));
    }
    JsonArray intervals = new JsonArray();
    served.forEach(iv -> intervals.add(iv.code()));
    json(ctx, 200, new JsonObject().put("timezone", "UTC").put("serverTime", serverNow())
        .put("rateLimits", new JsonArray()).put("exchangeFilters", new JsonArray())
        .put("klaggIntervals", intervals).put("symbols", out).encode());
  }

  private static String fmt8(String s) {
    if (s == null || s.isEmpty()) {
      return "0.00000000";
    }
    try {
      return new java.math.BigDecimal(s).setScale(8, java.math.RoundingMode.HALF_UP).toPlainString();
    } catch (NumberFormatException e) {
      return s;
    }
  }

  private void health(RoutingContext ctx) {
    status.health().onComplete(ar -> {
      JsonObject h = ar.succeeded() ? ar.result() : new JsonObject().put("status", "DOWN").put("live", true)
          .put("ready", false).put("error", String.valueOf(ar.cause()));
      h.put("web", new JsonObject().put("symbols", symbols.size()).put("cacheKeys", cache.keys())
          .put("websocket", hub.status()));
      json(ctx, h.getBoolean("ready", false) ? 200 : 503, h.encodePrettily());
    });
  }

  // ---------------------------------------------------------------- WebSocket streams

  private void webSocket(RoutingContext ctx) {
    var req = ctx.request();
    if (!req.canUpgradeToWebSocket()) {
      json(ctx, 400, new JsonObject().put("code", -1100).put("msg", "WebSocket upgrade expected").encode());
      return;
    }
    if (hub.full()) {
      json(ctx, 503, new JsonObject().put("code", -1003).put("msg", "Too many connections.").encode());
      return;
    }
    // as Binance: any path under /ws (a client may use a connection index, /ws/0, and SUBSCRIBE
    // later) and /stream with or without streams; a segment that is not a served stream name
    // subscribes to nothing
    String path = req.path();
    boolean combined = path.startsWith("/stream");
    List<String> names = new ArrayList<>();
    String rest = combined ? req.getParam("streams", "") : path.length() > 4 ? path.substring(4) : "";
    for (String s : rest.split("/")) {
      if (s.isEmpty()) {
        continue;
      }
      String n = hub.normalize(s);
      if (n != null && !names.contains(n)) {
        names.add(n);
      }
    }
    if (names.size() > config.getInt("web.maxStreams")) {
      json(ctx, 400, new JsonObject().put("code", -1100).put("msg", "Too many streams.").encode());
      return;
    }
    req.toWebSocket().onSuccess(ws -> hub.accept(ws, names, combined))
        .onFailure(e -> log.debug("websocket upgrade failed: {}", e.getMessage()));
  }
}
