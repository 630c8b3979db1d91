package klagg.sim;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Binance-style REST: time, exchangeInfo, klines, aggTrades (spot and /fapi/v1), plus /sim admin. */
final class RestApi {
  final Vertx vertx;
  final Simulator sim;
  final SimConfig cfg;
  final SimMarket market;
  final SimClock clock;
  final Faults faults;
  long weightMinute = Long.MIN_VALUE;
  int weightUsed;
  long requests;
  long rejected429;
  /** requests and weight by endpoint ("klines", "aggTrades", ...), answered or not */
  final java.util.Map<String, long[]> byEndpoint = new java.util.TreeMap<>();

  RestApi(Vertx vertx, Simulator sim) {
    this.vertx = vertx;
    this.sim = sim;
    this.cfg = sim.cfg;
    this.market = sim.market;
    this.clock = sim.clock;
    this.faults = sim.faults;
  }

  static final class ApiError extends RuntimeException {
    final int http;
    final int code;

    ApiError(int http, int code, String msg) {
      super(msg, null, false, false);
      this.http = http;
      this.code = code;
    }
  }

  static ApiError bad(int code, String msg) {
    return new ApiError(400, code, msg);
  }

  void handle(HttpServerRequest req) {
    String path = req.path();
    if (path.startsWith("/sim/")) {
      admin(req, path);
      return;
    }
    boolean fapi;
    String ep;
    if (path.startsWith("/api/v3/")) {
      fapi = false;
      ep = path.substring(8);
    } else if (path.startsWith("/fapi/v1/")) {
      fapi = true;
      ep = path.substring(9);
    } else {
      req.response().setStatusCode(404).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("code", -1).put("msg", "Not found.").encode());
      return;
    }
    requests++;
    if (!paramsDecode(req)) {
      send(req, 400, new JsonObject().put("code", -1100)
          .put("msg", "Illegal characters found in a parameter.").encode());
      return;
    }
    int weight;
    switch (ep) {
      case "time", "ping" -> weight = 1;
      case "exchangeInfo" -> weight = fapi ? 1 : 20;
      case "klines" -> weight = fapi ? fapiKlineWeight(req.getParam("limit")) : 2;
      case "aggTrades" -> weight = fapi ? 20 : 4;
      default -> {
        send(req, 404, new JsonObject().put("code", -1).put("msg", "Not found.").encode());
        return;
      }
    }
    long[] counts = byEndpoint.computeIfAbsent(ep, k -> new long[2]);
    counts[0]++;
    counts[1] += weight;
    long minute = Math.floorDiv(clock.now(), 60_000L);
    if (minute != weightMinute) {
      weightMinute = minute;
      weightUsed = 0;
    }
    weightUsed += weight;
    if (weightUsed > cfg.weightLimitPerMinute) {
      rejected429++;
      tooMany(req);
      return;
    }
    if (faults.restRemaining > 0) {
      faults.restRemaining--;
      faults.restFaultsTotal++;
      if (faults.restStatus == 429) {
        tooMany(req);
      } else {
        send(req, faults.restStatus, new JsonObject().put("code", -1001)
            .put("msg", "Internal error; unable to process your request. Please try again.").encode());
      }
      return;
    }
    if (req.method() != HttpMethod.GET) {
      send(req, 405, new JsonObject().put("code", -1).put("msg", "Method not allowed.").encode());
      return;
    }
    try {
      switch (ep) {
        case "ping" -> send(req, 200, "{}");
        case "time" -> send(req, 200, new JsonObject().put("serverTime", clock.now()).encode());
        case "exchangeInfo" -> send(req, 200, faultyExchangeInfo(req));
        case "klines" -> {
          SymbolInfo s = symbolParam(req);
          SimInterval iv = intervalParam(req);
          Long start = longParam(req, "startTime");
          Long end = longParam(req, "endTime");
          int limit = limitParam(req, 500, fapi ? 1500 : 1000);
          checkRange(start, end);
          blocking(req, () -> {
            List<SimKline> ks = market.klines(s, iv, start, end, limit);
            JsonArray a = new JsonArray();
            ks.forEach(k -> a.add(k.toRestRow()));
            return a.encode();
          });
        }
        case "aggTrades" -> {
          SymbolInfo s = symbolParam(req);
          Long fromId = longParam(req, "fromId");
          Long start = longParam(req, "startTime");
          Long end = longParam(req, "endTime");
          int limit = limitParam(req, 500, 1000);
          checkRange(start, end);
          if (start != null && end != null && end - start > 3_600_000L) {
            throw bad(-1127, "More than 1 hours between startTime and endTime.");
          }
          blocking(req, () -> {
            List<SimTrade> ts = market.aggTrades(s, fromId, start, end, limit);
            StringBuilder sb = new StringBuilder(ts.size() * 120 + 2).append('[');
            for (int i = 0; i < ts.size(); i++) {
              if (i > 0) {
                sb.append(',');
              }
              ts.get(i).appendRest(sb, s);
            }
            return sb.append(']').toString();
          });
        }
        default -> throw new IllegalStateException(ep);
      }
    } catch (ApiError e) {
      send(req, e.http, new JsonObject().put("code", e.code).put("msg", e.getMessage()).encode());
    }
  }

  /**
   * Whether the query string decodes: a bad percent escape ({@code %}, {@code %G1}) makes Vert.x throw
   * from every parameter lookup, which would leave the request unanswered. Found by RestParamsFuzzTest.
   */
  static boolean paramsDecode(HttpServerRequest req) {
    try {
      req.params();
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static int fapiKlineWeight(String limit) {
    int l;
    try {
      l = limit == null ? 500 : Integer.parseInt(limit);
    } catch (NumberFormatException e) {
      return 1;
    }
    return l < 100 ? 1 : l < 500 ? 2 : l <= 1000 ? 5 : 10;
  }

  void blocking(HttpServerRequest req, java.util.concurrent.Callable<String> body) {
    vertx.executeBlocking(body, false).onComplete(ar -> {
      if (ar.succeeded()) {
        send(req, 200, ar.result());
      } else {
        send(req, 500, new JsonObject().put("code", -1000).put("msg", "An unknown error occurred: "
            + ar.cause()).encode());
      }
    });
  }

  void tooMany(HttpServerRequest req) {
    long now = clock.now();
    long retry = Math.max(1, (Math.floorDiv(now, 60_000L) * 60_000L + 60_000L - now + 999) / 1000);
    req.response().putHeader("Retry-After", Long.toString(retry));
    send(req, 429, new JsonObject().put("code", -1003).put("msg", "Too much request weight used; current limit is "
        + cfg.weightLimitPerMinute + " request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.").encode());
  }

  void send(HttpServerRequest req, int status, String body) {
    HttpServerResponse r = req.response();
    if (r.ended() || r.closed()) {
      return;
    }
    if (req.path().startsWith("/api/") || req.path().startsWith("/fapi/")) {
      r.putHeader("X-MBX-USED-WEIGHT-1m", Integer.toString(weightUsed));
    }
    r.setStatusCode(status).putHeader("Content-Type", "application/json;charset=UTF-8").end(body);
  }

  static void checkRange(Long start, Long end) {
    if (start != null && end != null && start > end) {
      throw bad(-1023, "Start time is greater than end time.");
    }
  }

  SymbolInfo symbolParam(HttpServerRequest req) {
    String s = req.getParam("symbol");
    if (s == null || s.isEmpty()) {
      throw bad(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
    }
    SymbolInfo info = market.symbol(s);
    if (info == null) {
      throw bad(-1121, "Invalid symbol.");
    }
    return info;
  }

  static SimInterval intervalParam(HttpServerRequest req) {
    String s = req.getParam("interval");
    if (s == null || s.isEmpty()) {
      throw bad(-1102, "Mandatory parameter 'interval' was not sent, was empty/null, or malformed.");
    }
    SimInterval iv = SimInterval.find(s);
    if (iv == null) {
      throw bad(-1120, "Invalid interval.");
    }
    return iv;
  }

  static Long longParam(HttpServerRequest req, String name) {
    String s = req.getParam(name);
    if (s == null || s.isEmpty()) {
      return null;
    }
    if (!s.matches("[0-9]{1,20}")) {
      throw bad(-1100, "Illegal characters found in parameter '" + name + "'; legal range is '^[0-9]{1,20}$'.");
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw bad(-1100, "Illegal characters found in parameter '" + name + "'; legal range is '^[0-9]{1,20}$'.");
    }
  }

  static int limitParam(HttpServerRequest req, int dflt, int max) {
    Long l = longParam(req, "limit");
    if (l == null) {
      return dflt;
    }
    if (l < 1) {
      throw bad(-1100, "Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'.");
    }
    return (int) Math.min(l, max);
  }

  /** exchangeInfo, or the pending exchangeInfo fault's answer (empty, garbage, partial). */
  String faultyExchangeInfo(HttpServerRequest req) {
    JsonObject info = exchangeInfo(req);
    if (faults.exchangeInfoRemaining <= 0 || faults.exchangeInfoFault == null || req.getParam("symbol") != null) {
      return info.encode();
    }
    faults.exchangeInfoRemaining--;
    faults.exchangeInfoFaultsTotal++;
    JsonArray syms = info.getJsonArray("symbols");
    switch (faults.exchangeInfoFault) {
      case "empty" -> info.put("symbols", new JsonArray());
      case "garbage" -> {
        String s = info.encode();
        return "<html><body>502 Bad Gateway</body></html>" + s.substring(0, Math.min(40, s.length()));
      }
      default -> {
        int keep = (int) Math.ceil(syms.size() * faults.exchangeInfoKeep);
        info.put("symbols", new JsonArray(new java.util.ArrayList<>(syms.getList().subList(0, Math.min(keep, syms.size())))));
      }
    }
    return info.encode();
  }

  JsonObject exchangeInfo(HttpServerRequest req) {
    String only = req.getParam("symbol");
    if (only != null && market.symbol(only) == null) {
      throw bad(-1121, "Invalid symbol.");
    }
    JsonArray syms = new JsonArray();
    for (SymbolInfo s : market.symbols()) {
      if (only != null && !only.equals(s.name) || s.delisted()) {
        continue;
      }
      syms.add(new JsonObject()
          .put("symbol", s.name)
          .put("status", s.status())
          .put("baseAsset", s.baseAsset)
          .put("baseAssetPrecision", 8)
          .put("quoteAsset", s.quoteAsset)
          .put("quotePrecision", 8)
          .put("quoteAssetPrecision", 8)
          .put("orderTypes", new JsonArray().add("LIMIT").add("MARKET"))
          .put("isSpotTradingAllowed", true)
          .put("filters", new JsonArray()
              .add(new JsonObject().put("filterType", "PRICE_FILTER").put("minPrice", s.tickSize())
                  .put("maxPrice", "1000000.00000000").put("tickSize", s.tickSize()))
              .add(new JsonObject().put("filterType", "LOT_SIZE").put("minQty", s.stepSize())
                  .put("maxQty", "9000000.00000000").put("stepSize", s.stepSize()))));
    }
    return new JsonObject()
        .put("timezone", "UTC")
        .put("serverTime", clock.now())
        .put("rateLimits", new JsonArray()
            .add(new JsonObject().put("rateLimitType", "REQUEST_WEIGHT").put("interval", "MINUTE")
                .put("intervalNum", 1).put("limit", cfg.weightLimitPerMinute)))
        .put("exchangeFilters", new JsonArray())
        .put("symbols", syms);
  }

  // ------------------------------------------------------------------ admin

  static boolean loopback(String host) {
    return host != null && (host.startsWith("127.") || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1"));
  }

  void admin(HttpServerRequest req, String path) {
    if (path.equals("/sim/status") && req.method() == HttpMethod.GET) {
      sendAdmin(req, 200, sim.statusJson());
      return;
    }
    if (path.equals("/sim/faults") && req.method() == HttpMethod.POST) {
      if (req.remoteAddress() == null || !loopback(req.remoteAddress().host())) {
        sendAdmin(req, 403, new JsonObject().put("error", "admin endpoint only accepted from loopback"));
        return;
      }
      req.body().onComplete(ar -> {
        if (ar.failed()) {
          sendAdmin(req, 400, new JsonObject().put("error", String.valueOf(ar.cause())));
          return;
        }
        JsonObject body;
        try {
          body = ar.result().length() == 0 ? new JsonObject() : ar.result().toJsonObject();
        } catch (RuntimeException e) {
          sendAdmin(req, 400, new JsonObject().put("error", "body must be a JSON object"));
          return;
        }
        try {
          sendAdmin(req, 200, sim.applyFaultsHere(body));
        } catch (IllegalArgumentException e) {
          sendAdmin(req, 400, new JsonObject().put("error", e.getMessage()));
        }
      });
      return;
    }
    sendAdmin(req, 404, new JsonObject().put("error", "not found"));
  }

  static void sendAdmin(HttpServerRequest req, int status, JsonObject body) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  static Future<Void> none() {
    return Future.succeededFuture();
  }
}
