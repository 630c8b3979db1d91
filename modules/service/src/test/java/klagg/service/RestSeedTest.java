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

  private static Future<JsonObject> seed(Vertx vertx, int port) {
    JsonObject conf = new JsonObject()
        .put("exchange", new JsonObject().put("venue", "sim").put("restBaseUrl", "http://127.0.0.1:" + port))
        .put("intervals", new JsonArray().add("1m").add("5m"));
    return vertx.deployVerticle(new ExchangeRestVerticle(KlaggConfig.of(conf, Map.of())))
        .compose(id -> vertx.eventBus().<JsonObject>request(Addresses.REST_SEED, new JsonObject().put("symbol", "ABCUSDT"),
            new DeliveryOptions().setSendTimeout(10_000)))
        .map(m -> m.body());
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
}
