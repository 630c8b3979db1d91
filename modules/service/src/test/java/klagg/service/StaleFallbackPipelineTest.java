package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.Supplier;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.core.KlineDelta;
import klagg.service.msg.CycleUpdate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cached fallback: a worker stalled past the breaker threshold keeps its symbols' last known
 * klines served (REST, event-bus query, WebSocket subscribers), the status API and {@code /health}
 * mark them stale until it answers again, and {@code /health} counts live symbols beside tracked ones.
 */
@ExtendWith(VertxExtension.class)
class StaleFallbackPipelineTest {
  static io.vertx.core.http.WebSocketClient wsClient;

  private static final int SYMBOLS = 12;
  /** well past breakerThreshold (5) x pullIntervalMs (100), long enough for the checks made meanwhile */
  private static final long STALL_MS = 6_000;

  @Test
  @Timeout(value = 2, timeUnit = TimeUnit.MINUTES)
  void aStalledWorkersSymbolsKeepTheirLastKlinesAndAreMarkedStale(Vertx vertx, VertxTestContext ctx) {
    WebFixture fx = new WebFixture(vertx);
    MessageConsumer<JsonObject> history = fx.installHistory();
    String[] sym = new String[1];
    int[] id = {-1};
    // the last version of each 1m kline of the chosen symbol the gateway published, by open time
    NavigableMap<Long, JsonArray> published = new ConcurrentSkipListMap<>();
    NavigableMap<Long, JsonArray> atStale = new ConcurrentSkipListMap<>();
    WebMessages<JsonObject> wsEvents = new WebMessages<>(vertx);
    AtomicBoolean wsClosed = new AtomicBoolean();
    WebSocket[] ws = new WebSocket[1];
    JsonArray[] during = new JsonArray[1];

    history.completion()
        .compose(v -> fx.start(WebFixture.config(SYMBOLS)))
        // /health: live beside tracked, and every symbol live soon after the start
        .compose(f -> poll(vertx, "every symbol live", 60_000, () -> fx.get("/health").map(r -> r.json()),
            h -> symbolsCheck(h).getInteger("tracked", 0) == SYMBOLS
                && symbolsCheck(h).getInteger("live", -1) == SYMBOLS))
        .compose(h -> {
          ctx.verify(() -> {
            assertThat(symbolsCheck(h).fieldNames()).contains("tracked", "live", "stale");
            assertThat(symbolsCheck(h).getInteger("stale")).isZero();
            assertThat(gatewayCheck(h).getJsonArray("staleSymbols")).isEmpty();
          });
          return vertx.eventBus().<JsonObject>request(Addresses.SYMBOLS_LIST, new JsonObject());
        })
        .compose(m -> {
          for (Object o : m.body().getJsonArray("symbols")) {
            JsonObject s = (JsonObject) o;
            if (s.getInteger("worker") == 0) {
              sym[0] = s.getString("symbol");
              id[0] = s.getInteger("id");
              break;
            }
          }
          ctx.verify(() -> assertThat(sym[0]).as("a symbol of worker 0").isNotNull());
          vertx.eventBus().<CycleUpdate>localConsumer(Addresses.CYCLE, c -> {
            for (KlineDelta d : c.body().deltas()) {
              for (int r = 0; r < d.size(); r++) {
                if (d.symbol(r) == id[0] && d.interval(r) == Interval.M1) {
                  Kline k = d.get(r, new Kline());
                  published.put(k.openTime, ControlJson.kline(k, 8, 8).add("0"));
                }
              }
            }
          });
          wsClient = vertx.createWebSocketClient(); // held: an unreferenced client is closed when collected
          return wsClient.connect(fx.port(), "127.0.0.1",
              "/ws/" + sym[0].toLowerCase() + "@kline_1m");
        })
        .compose(w -> {
          ws[0] = w;
          w.handler(b -> wsEvents.add(b.toJsonObject()));
          w.closeHandler(v -> wsClosed.set(true));
          return wsEvents.next("a kline event before the stall", 10_000, e -> true);
        })
        .compose(e -> poll(vertx, "a published 1m kline of the symbol", 10_000,
            () -> Future.succeededFuture(published.size()), n -> n > 0))
        // stall worker 0 past the breaker threshold
        .compose(v -> vertx.eventBus().request(Addresses.workerControl(0),
            new JsonObject().put("op", "stall").put("ms", STALL_MS)))
        .compose(v -> poll(vertx, "worker 0 stale at the gateway", 3_000, () -> gateway(vertx),
            g -> g.getJsonArray("staleWorkers").contains(0)))
        .compose(g -> {
          // from now on nothing new of worker 0 reaches the web: what was published last is the last known
          atStale.putAll(published);
          return poll(vertx, "worker 0's circuit open", 3_000, () -> gateway(vertx),
              gw -> "open".equals(gw.getJsonArray("workers").getJsonObject(0).getString("breaker")));
        })
        .compose(g -> fx.get("/api/v3/klines?symbol=" + sym[0] + "&interval=1m&limit=5"))
        .compose(r -> {
          ctx.verify(() -> {
            assertThat(r.status()).as("klines of a stale symbol are still served").isEqualTo(200);
            JsonArray rows = r.array();
            assertThat(rows).hasSizeGreaterThanOrEqualTo(1);
            JsonArray newest = rows.getJsonArray(rows.size() - 1);
            long last = atStale.lastKey();
            assertThat(newest.getLong(0)).as("the newest kline is the last one published").isEqualTo(last);
            for (Object o : rows) {
              JsonArray row = (JsonArray) o;
              if (atStale.containsKey(row.getLong(0))) {
                assertThat(row).as("kline %d as last published before the stall", row.getLong(0))
                    .isEqualTo(atStale.get(row.getLong(0)));
              }
            }
            during[0] = rows;
          });
          return vertx.eventBus().<JsonObject>request(Addresses.QUERY_IN,
              new JsonObject().put("symbol", sym[0]).put("interval", "1m").put("limit", 5));
        })
        .compose(m -> {
          ctx.verify(() -> assertThat(m.body().getJsonArray("klines")).as("event-bus query during the stall")
              .isEqualTo(during[0]));
          return fx.get("/health");
        })
        .compose(r -> {
          ctx.verify(() -> {
            JsonObject h = r.json();
            JsonObject gw = gatewayCheck(h);
            assertThat(gw.getJsonArray("staleSymbols")).contains(sym[0]);
            assertThat(gw.getJsonArray("staleWorkers")).containsExactly(0);
            assertThat(gw.getInteger("stale")).isEqualTo(gw.getJsonArray("staleSymbols").size()).isPositive();
            assertThat(symbolsCheck(h).getInteger("stale")).isEqualTo(gw.getInteger("stale"));
            assertThat(gw.getJsonArray("workers").getJsonObject(0).getBoolean("stale")).isTrue();
            assertThat(gw.getJsonArray("workers").getJsonObject(1).getBoolean("stale")).isFalse();
          });
          return poll(vertx, "the dashboard status marks the symbol stale", 3_000,
              () -> fx.get("/api/klagg/status").map(s -> s.json().getJsonObject("symbols", new JsonObject())),
              s -> s.getJsonArray("staleSymbols", new JsonArray()).contains(sym[0]));
        })
        .compose(s -> fx.get("/api/v3/exchangeInfo?symbol=" + sym[0]))
        .compose(r -> {
          ctx.verify(() -> assertThat(r.json().getJsonArray("symbols").getJsonObject(0).getBoolean("stale")).isTrue());
          return vertx.eventBus().<JsonObject>request(Addresses.workerControl(0), new JsonObject().put("op", "status"));
        })
        .compose(m -> {
          // every check above ran while the worker was still stalled
          ctx.verify(() -> {
            assertThat(m.body().getBoolean("stalled")).as("worker 0 still stalled after the checks").isTrue();
            assertThat(wsClosed).as("the subscriber stays connected").isFalse();
          });
          return poll(vertx, "the symbol no longer stale", 20_000, () -> fx.get("/health").map(r -> r.json()),
              h -> !gatewayCheck(h).getJsonArray("staleSymbols").contains(sym[0]));
        })
        .compose(h -> {
          ctx.verify(() -> {
            assertThat(gatewayCheck(h).getInteger("stale")).isZero();
            assertThat(symbolsCheck(h).getInteger("stale")).isZero();
          });
          JsonArray newestDuring = during[0].getJsonArray(during[0].size() - 1);
          return poll(vertx, "the symbol's klines advance", 15_000,
              () -> fx.get("/api/v3/klines?symbol=" + sym[0] + "&interval=1m&limit=5").map(r -> r.array()),
              rows -> !rows.getJsonArray(rows.size() - 1).equals(newestDuring));
        })
        .compose(rows -> {
          // the subscriber, connected throughout, gets the klines that changed once the worker answers
          JsonArray newestDuring = during[0].getJsonArray(during[0].size() - 1);
          long t0 = newestDuring.getLong(0);
          long n0 = newestDuring.getLong(8);
          return wsEvents.next("a kline event after the stall", 10_000,
              e -> e.getJsonObject("k").getLong("t") > t0 || e.getJsonObject("k").getLong("n") > n0);
        })
        .compose(e -> poll(vertx, "the dashboard status no longer marks it", 3_000,
            () -> fx.get("/api/klagg/status").map(s -> s.json().getJsonObject("symbols", new JsonObject())),
            s -> s.getInteger("stale", -1) == 0))
        .eventually(() -> {
          if (ws[0] != null) {
            ws[0].close();
          }
          return history.unregister().compose(v -> fx.stop());
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  private static JsonObject symbolsCheck(JsonObject health) {
    return health.getJsonObject("checks").getJsonObject("symbols");
  }

  private static JsonObject gatewayCheck(JsonObject health) {
    return health.getJsonObject("checks").getJsonObject("gateway");
  }

  private static Future<JsonObject> gateway(Vertx vertx) {
    return vertx.eventBus().<JsonObject>request(Addresses.STATUS_GATEWAY, new JsonObject()).map(m -> m.body());
  }

  /** Probes every 50 ms until {@code ok} holds; fails with the last answer after the deadline. */
  static <T> Future<T> poll(Vertx vertx, String what, long deadlineMs, Supplier<Future<T>> probe, Predicate<T> ok) {
    long end = System.currentTimeMillis() + deadlineMs;
    Promise<T> p = Promise.promise();
    Runnable[] step = new Runnable[1];
    step[0] = () -> probe.get().onComplete(ar -> {
      if (ar.succeeded() && ok.test(ar.result())) {
        p.tryComplete(ar.result());
      } else if (System.currentTimeMillis() > end) {
        p.tryFail("timed out waiting for " + what + " (last: " + (ar.succeeded() ? ar.result() : ar.cause()) + ")");
      } else {
        vertx.setTimer(50, id -> step[0].run());
      }
    });
    step[0].run();
    return p.future();
  }
}
