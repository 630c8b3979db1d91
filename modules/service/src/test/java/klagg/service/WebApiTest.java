package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import klagg.core.Interval;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Binance's REST shapes and errors, against a running klagg and its simulator. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class WebApiTest {
  static WebFixture fx;
  static String symbol;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    fx = new WebFixture(vertx);
    JsonObject conf = WebFixture.config(6);
    conf.put("web", new JsonObject().put("historyTimeoutMs", 1500));
    fx.start(conf).compose(f -> fx.get("/api/v3/exchangeInfo")).onComplete(ctx.succeeding(r -> {
      symbol = r.json().getJsonArray("symbols").getJsonObject(0).getString("symbol");
      ctx.completeNow();
    }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    fx.stop().onComplete(ctx.succeedingThenComplete());
  }

  /** Polls {@code f} every 200 ms until {@code ok} holds; fails after {@code deadlineMs}. */
  static <T> Future<T> until(Vertx vertx, long deadlineMs, Supplier<Future<T>> f, Predicate<T> ok) {
    Promise<T> p = Promise.promise();
    long end = System.currentTimeMillis() + deadlineMs;
    Runnable[] attempt = new Runnable[1];
    attempt[0] = () -> f.get().onComplete(ar -> {
      if (ar.succeeded() && ok.test(ar.result())) {
        p.complete(ar.result());
      } else if (System.currentTimeMillis() > end) {
        p.fail("condition not met in " + deadlineMs + " ms; last: " + (ar.succeeded() ? ar.result() : ar.cause()));
      } else {
        vertx.setTimer(200, id -> attempt[0].run());
      }
    });
    attempt[0].run();
    return p.future();
  }

  private static void assertKlineRows(JsonArray rows) {
    for (int i = 0; i < rows.size(); i++) {
      JsonArray r = rows.getJsonArray(i);
      assertThat(r.size()).isEqualTo(12);
      assertThat(r.getValue(0)).isInstanceOf(Number.class);
      assertThat(r.getValue(6)).isInstanceOf(Number.class);
      assertThat(r.getValue(8)).isInstanceOf(Number.class);
      for (int f : new int[] {1, 2, 3, 4, 5, 7, 9, 10}) {
        assertThat(r.getString(f)).matches("\\d+\\.\\d{8}");
      }
      assertThat(r.getString(11)).isEqualTo("0");
      if (i > 0) {
        assertThat(r.getLong(0)).isGreaterThan(rows.getJsonArray(i - 1).getLong(0));
      }
    }
  }

  @Test
  void errorsAreBinances(VertxTestContext ctx) {
    String base = "/api/v3/klines?";
    List<Object[]> cases = List.of(
        new Object[] {base + "interval=1m", -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."},
        new Object[] {base + "symbol=&interval=1m", -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."},
        new Object[] {base + "symbol=" + symbol, -1102, "Mandatory parameter 'interval' was not sent, was empty/null, or malformed."},
        new Object[] {base + "symbol=NOSUCHCOIN&interval=1m", -1121, "Invalid symbol."},
        new Object[] {base + "symbol=" + symbol + "&interval=7m", -1120, "Invalid interval."},
        new Object[] {base + "symbol=" + symbol + "&interval=3m", -1120, "Invalid interval."},
        new Object[] {base + "symbol=" + symbol + "&interval=1m&limit=0", -1130, "Data sent for paramter 'limit' is not valid."},
        new Object[] {base + "symbol=" + symbol + "&interval=1m&limit=1001", -1130, "Data sent for paramter 'limit' is not valid."},
        new Object[] {base + "symbol=" + symbol + "&interval=1m&limit=ten", -1100,
            "Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'."},
        new Object[] {base + "symbol=" + symbol + "&interval=1m&startTime=-5", -1100,
            "Illegal characters found in parameter 'startTime'; legal range is '^[0-9]{1,20}$'."},
        new Object[] {base + "symbol=" + symbol + "&interval=1m&startTime=2000&endTime=1000", -1023,
            "Start time is greater than end time."},
        new Object[] {"/api/v3/exchangeInfo?symbol=NOSUCHCOIN", -1121, "Invalid symbol."});
    List<Future<WebFixture.Response>> all = new ArrayList<>();
    for (Object[] c : cases) {
      all.add(fx.get((String) c[0]));
    }
    Future.all(all).onComplete(ctx.succeeding(x -> ctx.verify(() -> {
      for (int i = 0; i < cases.size(); i++) {
        WebFixture.Response r = all.get(i).result();
        assertThat(r.status()).as("%s", cases.get(i)[0]).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/json");
        assertThat(r.json()).as("%s", cases.get(i)[0])
            .isEqualTo(new JsonObject().put("code", cases.get(i)[1]).put("msg", cases.get(i)[2]));
      }
      ctx.completeNow();
    })));
  }

  @Test
  void clientsRoutesAndTimeZone(VertxTestContext ctx) {
    String q = "symbol=" + symbol + "&interval=1m&limit=3";
    MessageConsumer<JsonObject> history = fx.installHistory();
    String q1d = "symbol=" + symbol + "&interval=1d&limit=1";
    Future.all(List.of(fx.get("/api/v3/klines?" + q), fx.get("/api/v3/uiKlines?" + q), fx.get("/fapi/v1/klines?" + q),
        fx.get("/api/v3/klines?" + q + "&timeZone=0"), fx.get("/api/v3/klines?" + q + "&timeZone=%2B0"),
        fx.get("/api/v3/klines?" + q + "&timeZone=0:00"), fx.get("/api/v3/klines?" + q + "&timeZone=%2B8"),
        fx.get("/api/v3/klines?" + q1d + "&timeZone=%2B8"), fx.get("/api/v3/klines?" + q1d + "&timeZone=-1:30"),
        fx.get("/api/v3/klines?" + q + "&timeZone=abc"), fx.get("/api/v3/klines?" + q + "&timeZone=%2B15"),
        fx.get("/api/v3/klines?" + q1d + "&timeZone=0"), fx.get("/api/v3/ping"), fx.get("/fapi/v1/ping")))
        .eventually(history::unregister)
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          WebFixture.Response base = all.resultAt(0);
          assertThat(base.status()).isEqualTo(200);
          assertThat(base.array()).hasSize(3);
          assertKlineRows(base.array());
          for (int i = 1; i <= 6; i++) {
            WebFixture.Response r = all.resultAt(i);
            assertThat(r.status()).as("answer %d", i).isEqualTo(200);
            // the open kline may change between the requests: the same shape, the same open times
            // unless a minute closed between them
            assertThat(r.array()).as("answer %d", i).hasSize(3);
            assertKlineRows(r.array());
            assertThat(r.array().getJsonArray(2).getLong(0) - base.array().getJsonArray(2).getLong(0))
                .as("answer %d", i).isBetween(0L, 60_000L);
          }
          for (int i = 7; i <= 8; i++) {
            WebFixture.Response r = all.resultAt(i);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.json().getInteger("code")).isEqualTo(-1130);
            assertThat(r.json().getString("msg")).contains("timeZone").contains("UTC only");
          }
          assertThat(all.<WebFixture.Response>resultAt(9).json().getInteger("code")).isEqualTo(-1100);
          assertThat(all.<WebFixture.Response>resultAt(10).json().getInteger("code")).isEqualTo(-1130);
          assertThat(all.<WebFixture.Response>resultAt(11).status()).isEqualTo(200);
          assertThat(all.<WebFixture.Response>resultAt(12).json()).isEqualTo(new JsonObject());
          assertThat(all.<WebFixture.Response>resultAt(13).json()).isEqualTo(new JsonObject());
          ctx.completeNow();
        })));
  }

  @Test
  void withoutADatabaseTheLiveCacheAnswers(Vertx vertx, VertxTestContext ctx) {
    // no klagg.history.query handler: a window reaching before the cache gives what the cache holds
    String uri = "/api/v3/klines?symbol=" + symbol + "&interval=1m&startTime=0&limit=1000";
    until(vertx, 20_000, () -> fx.get(uri), r -> r.status() == 200 && !r.array().isEmpty())
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonArray rows = r.array();
          assertKlineRows(rows);
          long open = Interval.M1.openOf(fx.harness.serverNow());
          assertThat(rows.getJsonArray(rows.size() - 1).getLong(0)).isBetween(open - 60_000, open);
          assertThat(rows.size()).isLessThanOrEqualTo(3);
          ctx.completeNow();
        })));
  }

  @Test
  void klinesEqualTheExchangesWithHistoryFromTheDatabase(Vertx vertx, VertxTestContext ctx) {
    MessageConsumer<JsonObject> history = fx.installHistory();
    long open = Interval.M1.openOf(fx.harness.serverNow());
    String recent = "/api/v3/klines?symbol=" + symbol + "&interval=1m&limit=30";
    history.completion()
        // the live kline is served from the cache: wait for it
        .compose(v -> until(vertx, 20_000, () -> fx.get(recent), r -> r.status() == 200 && r.array().size() == 30
            && r.array().getJsonArray(29).getLong(0) >= open))
        .compose(r -> {
          long now = fx.harness.serverNow();
          ctx.verify(() -> {
            JsonArray ours = r.array();
            assertKlineRows(ours);
            long last = ours.getJsonArray(29).getLong(0);
            JsonArray theirs = fx.exchangeKlines(symbol, Interval.M1, null, last, 30);
            assertThat(ours.size()).isEqualTo(theirs.size());
            for (int i = 0; i < ours.size(); i++) {
              JsonArray o = ours.getJsonArray(i);
              if (o.getLong(6) < now - 3_000) {
                assertThat(o).as("closed kline %d", i).isEqualTo(theirs.getJsonArray(i));
              } else {
                assertThat(o.getLong(0)).isEqualTo(theirs.getJsonArray(i).getLong(0));
              }
            }
          });
          // a window in the past, by startTime: first `limit` from there, all from the database
          long start = Interval.H1.openOf(now) - 3 * 3_600_000L + 17;
          return fx.get("/api/v3/klines?symbol=" + symbol + "&interval=5m&startTime=" + start + "&limit=7")
              .map(p -> {
                ctx.verify(() -> {
                  assertThat(p.status()).isEqualTo(200);
                  assertThat(p.array()).isEqualTo(fx.exchangeKlines(symbol, Interval.M5, start, null, 7));
                });
                return p;
              });
        })
        .compose(p -> Future.all(fx.get("/api/v3/klines?symbol=" + symbol + "&interval=1m"),
            fx.get("/api/v3/klines?symbol=" + symbol + "&interval=1m&limit=1000"),
            fx.get("/api/v3/klines?symbol=" + symbol.toLowerCase() + "&interval=15m&endTime="
                + (open - 86_400_000L) + "&limit=4")))
        .eventually(() -> history.unregister())
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          JsonArray def = all.<WebFixture.Response>resultAt(0).array();
          JsonArray max = all.<WebFixture.Response>resultAt(1).array();
          assertThat(def.size()).isEqualTo(500);
          assertThat(max.size()).isEqualTo(1000);
          assertKlineRows(max);
          for (int i = 1; i < max.size(); i++) {
            assertThat(max.getJsonArray(i).getLong(0) - max.getJsonArray(i - 1).getLong(0)).isEqualTo(60_000L);
          }
          JsonArray byEnd = all.<WebFixture.Response>resultAt(2).array();
          assertThat(byEnd).isEqualTo(fx.exchangeKlines(symbol, Interval.M15, null, open - 86_400_000L, 4));
          ctx.completeNow();
        })));
  }

  @Test
  void aSilentDatabaseIsATimeoutError(VertxTestContext ctx) {
    MessageConsumer<JsonObject> silent = fx.vertx.eventBus().consumer(Addresses.HISTORY_QUERY, m -> { });
    silent.completion()
        .compose(v -> fx.get("/api/v3/klines?symbol=" + symbol + "&interval=1h&startTime=0"))
        .eventually(() -> silent.unregister())
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.status()).isEqualTo(503);
          assertThat(r.json().getInteger("code")).isEqualTo(-1007);
          ctx.completeNow();
        })));
  }

  @Test
  void exchangeInfoTimeAndStatic(VertxTestContext ctx) {
    Future.all(List.of(fx.get("/api/v3/exchangeInfo"), fx.get("/api/v3/time"), fx.get("/"),
            fx.get("/vendor/lightweight-charts.standalone.production.js"), fx.get("/api/v3/exchangeInfo?symbol=" + symbol),
            fx.get("/api/klagg/status"), fx.get("/metrics")))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          JsonObject info = all.<WebFixture.Response>resultAt(0).json();
          assertThat(info.getString("timezone")).isEqualTo("UTC");
          JsonArray syms = info.getJsonArray("symbols");
          assertThat(syms).hasSize(6);
          for (Object o : syms) {
            JsonObject s = (JsonObject) o;
            var sim = fx.market().symbol(s.getString("symbol"));
            assertThat(s.getString("status")).isEqualTo("TRADING");
            assertThat(s.getString("baseAsset")).isEqualTo(sim.baseAsset);
            assertThat(s.getString("quoteAsset")).isEqualTo(sim.quoteAsset);
            JsonObject price = s.getJsonArray("filters").getJsonObject(0);
            JsonObject lot = s.getJsonArray("filters").getJsonObject(1);
            assertThat(price.getString("filterType")).isEqualTo("PRICE_FILTER");
            assertThat(new java.math.BigDecimal(price.getString("tickSize")))
                .isEqualByComparingTo(new java.math.BigDecimal(sim.tickSize()));
            assertThat(lot.getString("filterType")).isEqualTo("LOT_SIZE");
            assertThat(new java.math.BigDecimal(lot.getString("stepSize")))
                .isEqualByComparingTo(new java.math.BigDecimal(sim.stepSize()));
          }
          long serverTime = all.<WebFixture.Response>resultAt(1).json().getLong("serverTime");
          assertThat(Math.abs(serverTime - fx.harness.serverNow())).isLessThan(2_000);
          WebFixture.Response index = all.resultAt(2);
          assertThat(index.status()).isEqualTo(200);
          assertThat(index.body().toString()).contains("klagg", "lightweight-charts.standalone.production.js");
          assertThat(all.<WebFixture.Response>resultAt(3).status()).isEqualTo(200);
          assertThat(all.<WebFixture.Response>resultAt(4).json().getJsonArray("symbols")).hasSize(1);
          JsonObject status = all.<WebFixture.Response>resultAt(5).json();
          assertThat(status.getJsonObject("ingest").getInteger("connections")).isGreaterThanOrEqualTo(1);
          assertThat(status.getJsonObject("gateway").getJsonArray("workers")).hasSize(2);
          assertThat(status.getJsonObject("counters").containsKey("duplicate")).isTrue();
          WebFixture.Response metrics = all.resultAt(6);
          assertThat(metrics.contentType()).startsWith("text/plain");
          assertThat(metrics.body().toString()).contains("klagg_gateway_cycle", "klagg_web_ws_connections",
              "klagg_ingest_trades");
          ctx.completeNow();
        })));
  }

  @Test
  void healthReportsEveryComponent(VertxTestContext ctx) {
    var bus = fx.vertx.eventBus();
    MessageConsumer<JsonObject> backfill = bus.consumer(Addresses.STATUS_BACKFILL,
        m -> m.reply(new JsonObject().put("running", true).put("done", 5).put("total", 10)));
    fx.get("/health")
        .compose(ok -> {
          ctx.verify(() -> {
            assertThat(ok.status()).isEqualTo(200);
            JsonObject h = ok.json();
            assertThat(h.getBoolean("ready")).isTrue();
            assertThat(h.getBoolean("live")).isTrue();
            assertThat(h.getJsonObject("checks").getJsonObject("exchange").getInteger("connections")).isGreaterThanOrEqualTo(1);
            assertThat(h.getJsonObject("checks").getJsonObject("gateway").getJsonArray("workers")).hasSize(2);
            assertThat(h.getJsonObject("checks").getJsonObject("backfill").getInteger("done")).isEqualTo(5);
            assertThat(h.getJsonObject("checks").containsKey("database")).isFalse();
            // the symbol directory's anomaly state: nothing halted, no answer held, refreshes counted
            JsonObject sym = h.getJsonObject("checks").getJsonObject("symbols");
            assertThat(sym.getInteger("halted")).isZero();
            assertThat(sym.getJsonArray("haltedSymbols")).isEmpty();
            assertThat(sym.getBoolean("holding")).isFalse();
            assertThat(sym.getJsonObject("refreshes").getLong("ok")).isGreaterThanOrEqualTo(1);
            assertThat(sym.getJsonObject("refreshes").fieldNames()).contains("held", "confirmed", "failed");
          });
          MessageConsumer<JsonObject> db = bus.consumer(Addresses.STATUS_PERSISTENCE,
              m -> m.reply(new JsonObject().put("connected", false).put("buffered", 12)));
          return db.completion().compose(v -> fx.get("/health")).eventually(() -> db.unregister());
        })
        .eventually(() -> backfill.unregister())
        .onComplete(ctx.succeeding(down -> ctx.verify(() -> {
          assertThat(down.status()).isEqualTo(503);
          JsonObject h = down.json();
          assertThat(h.getBoolean("ready")).isFalse();
          assertThat(h.getJsonObject("checks").getJsonObject("database").getBoolean("ok")).isFalse();
          assertThat(h.getJsonObject("checks").getJsonObject("database").getInteger("buffered")).isEqualTo(12);
          ctx.completeNow();
        })));
  }
}
