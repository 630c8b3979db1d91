package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Seeding a symbol's current klines from REST when its window had no trade at the first request:
 * what the exchange answers next decides whether the seed is exact or must be retried. A scripted
 * exchange answers the seed's requests in order.
 */
@ExtendWith(VertxExtension.class)
class RestSeedTest {
  static final long NOW = 1_767_225_630_000L; // 30 s into a minute
  static final long OPEN = 1_767_225_600_000L;
  static final AtomicInteger TIME_CALLS = new AtomicInteger();

  /**
   * Serves time, an empty window of aggTrades at the first request and {@code later} at the next
   * ones, and {@code latest} as the most recent trade.
   */
  private static Future<HttpServer> exchange(Vertx vertx, JsonArray latest, JsonArray later, AtomicInteger aggCalls) {
    AtomicInteger windowCalls = new AtomicInteger();
    return vertx.createHttpServer().requestHandler(req -> answer(req, latest, later, aggCalls, windowCalls))
        .listen(0, "127.0.0.1");
  }

  private static void answer(HttpServerRequest req, JsonArray latest, JsonArray later, AtomicInteger aggCalls,
      AtomicInteger windowCalls) {
    String path = req.path();
    String body;
    if (path.endsWith("/time")) {
      TIME_CALLS.incrementAndGet();
      body = new JsonObject().put("serverTime", NOW).encode();
    } else if (path.endsWith("/aggTrades")) {
      aggCalls.incrementAndGet();
      if (req.getParam("startTime") != null) {
        body = windowCalls.getAndIncrement() == 0 ? "[]" : later.encode();
      } else if (req.getParam("fromId") != null) {
        body = "[]"; // paging past the window's last trade
      } else {
        body = latest.encode();
      }
    } else if (path.endsWith("/klines")) {
      // one flat kline: no trade in the current minute (so far)
      body = new JsonArray().add(new JsonArray().add(OPEN).add("1.50000000").add("1.50000000").add("1.50000000")
          .add("1.50000000").add("0.00000000").add(OPEN + 59_999).add("0.00000000").add(0).add("0.00000000")
          .add("0.00000000").add("0")).encode();
    } else {
      req.response().setStatusCode(404).end();
      return;
    }
    req.response().putHeader("content-type", "application/json").putHeader("X-MBX-USED-WEIGHT-1m", "1").end(body);
  }

  private static JsonObject trade(long a, String price, long time) {
    return new JsonObject().put("a", a).put("p", price).put("q", "2.00000000").put("f", a * 2).put("l", a * 2)
        .put("T", time).put("m", false).put("M", true);
  }

  /** A full seed of ABCUSDT (the default weight budget). */
  private static Future<JsonObject> seed(Vertx vertx, int port) {
    return deployAndSeed(vertx, port, 0, new JsonObject().put("symbol", "ABCUSDT"));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aTradeInTheWindowBetweenTheTwoRequestsSendsTheSeedBackToTheWindow(Vertx vertx, VertxTestContext ctx) {
    // the window was empty at the first request; by the second one it traded twice, and the latest
    // is all that request shows: seeding from it alone would lose the other without a gap
    JsonObject first = trade(41, "1.60000000", NOW - 8);
    JsonObject second = trade(42, "1.70000000", NOW - 5);
    AtomicInteger calls = new AtomicInteger();
    exchange(vertx, new JsonArray().add(second), new JsonArray().add(first).add(second), calls)
        .compose(server -> seed(vertx, server.actualPort()))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.getLong("lastAggId")).isEqualTo(42L);
          klagg.core.Kline m1 = ControlJson.exact(r.getJsonArray("klines").getJsonObject(0), 0);
          assertThat(m1.count).as("both trades of the window").isEqualTo(2);
          assertThat(m1.openDecimal()).isEqualByComparingTo("1.6");
          assertThat(m1.closeDecimal()).isEqualByComparingTo("1.7");
          ctx.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void seedsWithinTenSecondsShareOneServerTimeSample(Vertx vertx, VertxTestContext ctx) {
    TIME_CALLS.set(0);
    AtomicInteger calls = new AtomicInteger();
    exchange(vertx, new JsonArray().add(trade(41, "1.55000000", OPEN - 10_000)), new JsonArray(), calls)
        .compose(server -> seed(vertx, server.actualPort()))
        .compose(first -> vertx.eventBus().<JsonObject>request(Addresses.REST_SEED,
                new JsonObject().put("symbol", "ABCUSDT"), new DeliveryOptions().setSendTimeout(10_000))
            .map(m -> new JsonObject[] {first, m.body()}))
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          assertThat(TIME_CALLS.get()).as("one weight for the clock, not one per seed").isEqualTo(1);
          // the second seed's clock comes from the sample (a little early): the same window, the same seed
          assertThat(both[1]).isEqualTo(both[0]);
          ctx.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aWindowThatClosedBetweenTheTwoRequestsFailsTheSeedSoItIsRetried(Vertx vertx, VertxTestContext ctx) {
    AtomicInteger calls = new AtomicInteger();
    exchange(vertx, new JsonArray().add(trade(42, "1.70000000", OPEN + 60_001)), new JsonArray(), calls)
        .compose(server -> seed(vertx, server.actualPort()))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(e).isInstanceOf(ReplyException.class);
          assertThat(e.getMessage()).contains("window closed between two requests");
          ctx.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aQuietWindowIsSeededFlatAtTheLatestTradeBeforeIt(Vertx vertx, VertxTestContext ctx) {
    AtomicInteger calls = new AtomicInteger();
    exchange(vertx, new JsonArray().add(trade(41, "1.55000000", OPEN - 10_000)), new JsonArray(), calls)
        .compose(server -> seed(vertx, server.actualPort()))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.getLong("lastAggId")).isEqualTo(41L);
          // every interval's current kline: flat at the latest trade's price, no trade in it
          assertThat(r.getJsonArray("klines")).hasSize(2);
          for (int i = 0; i < 2; i++) {
            klagg.core.Kline k = ControlJson.exact(r.getJsonArray("klines").getJsonObject(i), 0);
            assertThat(k.openDecimal()).isEqualByComparingTo("1.55");
            assertThat(k.closeDecimal()).isEqualByComparingTo("1.55");
            assertThat(k.count).isZero();
          }
          ctx.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aSymbolThatNeverTradedIsSeededWithoutALastId(Vertx vertx, VertxTestContext ctx) {
    AtomicInteger calls = new AtomicInteger();
    exchange(vertx, new JsonArray(), new JsonArray(), calls)
        .compose(server -> seed(vertx, server.actualPort()))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.getLong("lastAggId")).isEqualTo(-1L);
          assertThat(r.getJsonArray("klines")).isNotEmpty();
          ctx.completeNow();
        })));
  }

  private static JsonArray row(long open, String o, String h, String l, String c, String v, String q, int n, String tb,
      String tq) {
    return new JsonArray().add(open).add(o).add(h).add(l).add(c).add(v).add(open + 59_999).add(q).add(n).add(tb).add(tq)
        .add("0");
  }

  /** Deploys the REST verticle against the exchange on {@code port} (weight budget 0: the default), sends {@code req}. */
  private static Future<JsonObject> deployAndSeed(Vertx vertx, int port, int weightBudget, JsonObject req) {
    JsonObject conf = new JsonObject()
        .put("exchange", new JsonObject().put("venue", "sim").put("restBaseUrl", "http://127.0.0.1:" + port)
            .put("rest", new JsonObject().put("weightBudget", weightBudget)))
        .put("intervals", new JsonArray().add("1m").add("5m"));
    return vertx.deployVerticle(new ExchangeRestVerticle(KlaggConfig.of(conf, Map.of())))
        .compose(id -> vertx.eventBus().<JsonObject>request(Addresses.REST_SEED, req,
            new DeliveryOptions().setSendTimeout(10_000)))
        .map(m -> m.body());
  }

  /**
   * With the stream's proof (its last trade before a minute open, and every trade after it in the
   * worker's buffer), a seed asks for the closed 1m klines since the 5m open only: no aggregate trades,
   * no server time; the 5m kline is theirs merged, the 1m one flat at the last trade's price.
   */
  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aSeedWithTheStreamsProofCostsOnlyTheClosedKlines(Vertx vertx, VertxTestContext ctx) {
    long asOf = OPEN + 120_000;
    java.util.List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    vertx.createHttpServer().requestHandler(req -> {
      asked.add(req.path().substring(req.path().lastIndexOf('/') + 1) + " " + req.query());
      String body = "[]";
      if (req.path().endsWith("/klines") && "1m".equals(req.getParam("interval"))) {
        body = new JsonArray()
            .add(row(OPEN, "1.50", "1.80", "1.40", "1.60", "10", "15.5", 3, "4", "6.2"))
            .add(row(OPEN + 60_000, "1.60", "1.70", "1.20", "1.30", "5", "7", 2, "1", "1.3")).encode();
      }
      req.response().putHeader("content-type", "application/json").putHeader("X-MBX-USED-WEIGHT-1m", "1").end(body);
    }).listen(0, "127.0.0.1")
        .compose(server -> deployAndSeed(vertx, server.actualPort(), 0, new JsonObject().put("symbol", "ABCUSDT")
            .put("asOf", asOf).put("lastAggId", 77L).put("lastPrice", 130L).put("priceScale", 2).put("qtyScale", 0)))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(asked).as("one klines request, nothing else").hasSize(1);
          assertThat(asked.get(0)).startsWith("klines ").contains("interval=1m").contains("startTime=" + OPEN)
              .contains("endTime=" + (asOf - 1));
          assertThat(r.getLong("lastAggId")).isEqualTo(77L);
          klagg.core.Kline m1 = ControlJson.exact(r.getJsonArray("klines").getJsonObject(0), 0);
          assertThat(m1.openTime).isEqualTo(asOf);
          assertThat(m1.count).isZero();
          assertThat(m1.openDecimal()).isEqualByComparingTo("1.3");
          assertThat(m1.closeDecimal()).isEqualByComparingTo("1.3");
          klagg.core.Kline m5 = ControlJson.exact(r.getJsonArray("klines").getJsonObject(1), 0);
          assertThat(m5.openTime).isEqualTo(OPEN);
          assertThat(m5.count).isEqualTo(5);
          assertThat(m5.openDecimal()).isEqualByComparingTo("1.5");
          assertThat(m5.highDecimal()).isEqualByComparingTo("1.8");
          assertThat(m5.lowDecimal()).isEqualByComparingTo("1.2");
          assertThat(m5.closeDecimal()).isEqualByComparingTo("1.3");
          assertThat(m5.volumeDecimal()).isEqualByComparingTo("15");
          assertThat(m5.quoteVolumeDecimal()).isEqualByComparingTo("22.5");
          ctx.completeNow();
        })));
  }

  /**
   * A seed that may not wait runs in full (9 weight here: time, two aggTrades); then, with 3 of the
   * window's 12 left, one without a proof is told to come back with the stream's proof.
   */
  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aSeedWithoutProofIsDeferredWhenTheBudgetIsShort(Vertx vertx, VertxTestContext ctx) {
    AtomicInteger calls = new AtomicInteger();
    exchange(vertx, new JsonArray().add(trade(41, "1.55000000", OPEN - 10_000)), new JsonArray(), calls)
        .compose(server -> deployAndSeed(vertx, server.actualPort(), 12,
            new JsonObject().put("symbol", "ABCUSDT").put("deferrable", false)))
        .compose(full -> vertx.eventBus().<JsonObject>request(Addresses.REST_SEED,
                new JsonObject().put("symbol", "ABCUSDT").put("deferrable", true),
                new DeliveryOptions().setSendTimeout(10_000))
            .map(m -> (Throwable) null).otherwise(e -> e)
            .map(deferred -> new Object[] {deferred, full}))
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          assertThat(both[0]).isInstanceOf(ReplyException.class);
          assertThat(((ReplyException) both[0]).failureCode()).isEqualTo(ExchangeRestVerticle.SEED_DEFERRED);
          assertThat(((JsonObject) both[1]).getLong("lastAggId")).isEqualTo(41L);
          ctx.completeNow();
        })));
  }
}
