package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.sim.SimInterval;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Symbols come and go at runtime; subscriptions respect the exchange's per-connection limits. */
@ExtendWith(VertxExtension.class)
class ListingsPipelineTest {

  @Test
  @Timeout(value = 3, timeUnit = TimeUnit.MINUTES)
  void newListingGetsKlinesFromItsFirstMinuteEvenIfItsFirstTradesMissTheStreamAndADelistedSymbolIsClosedOut(Vertx vertx, VertxTestContext ctx) {
    Harness h = new Harness(vertx);
    long wall = System.currentTimeMillis();
    long boundary = (wall / 60_000L + 2) * 60_000L;
    JsonObject conf = Harness.config(boundary - 50_000, 30, 17);
    conf.getJsonObject("symbols").put("refreshMs", 1_000);
    // a small per-connection limit on both sides: 31 streams need 3 connections
    conf.getJsonObject("sim").put("maxStreamsPerConnection", 12);
    conf.put("exchange", new JsonObject().put("maxStreamsPerConnection", 12));
    AtomicReference<String> delisted = new AtomicReference<>();
    AtomicReference<JsonObject> before = new AtomicReference<>();
    h.start(conf)
        .compose(s -> h.await("symbols seeded", 30_000, () -> h.cycles > 5))
        .compose(v -> FaultsPipelineTest.status(h)).map(st -> {
          before.set(st);
          return st;
        })
        .compose(v -> h.names())
        .compose(names -> {
          delisted.set(names.get(3));
          // it appears now and trades from 4 s later, so it is seeded as never traded; its first
          // three trades never reach the stream (as when they come before the subscription takes
          // effect): nothing shows a jump in ids, yet they must be in its klines
          return h.service.simulator().applyFaults(new JsonObject()
              .put("list", new JsonObject().put("symbol", "NEWCOINUSDT").put("price", 1.2345).put("opensInMs", 4_000))
              .put("skipAggIds", new JsonObject().put("symbol", "NEWCOINUSDT").put("count", 3)));
        })
        .compose(v -> h.await("the new listing tracked", 30_000, () -> tracked(h, "NEWCOINUSDT")))
        .compose(v -> h.service.simulator().applyFaults(new JsonObject().put("delist", delisted.get())))
        .compose(v -> h.await("the delisted symbol dropped", 30_000, () -> !tracked(h, delisted.get())))
        .compose(v -> h.await("the minute boundary plus grace", 80_000, () -> h.serverNow() > boundary + 4_000))
        .compose(v -> h.settled(60_000))
        .compose(v -> FaultsPipelineTest.status(h).compose(after -> h.names().map(names -> Map.of("after", after, "names", names))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          @SuppressWarnings("unchecked")
          Map<Integer, String> names = (Map<Integer, String>) r.get("names");
          JsonObject after = (JsonObject) r.get("after");
          assertThat(names).containsValue("NEWCOINUSDT").doesNotContainValue(delisted.get());
          int newId = names.entrySet().stream().filter(e -> e.getValue().equals("NEWCOINUSDT")).findFirst().get().getKey();
          // every 1m kline the exchange has for the new listing up to the boundary, we have too, equal
          var market = h.service.simulator().market();
          List<klagg.sim.SimKline> theirs = market.klines(market.symbol("NEWCOINUSDT"), SimInterval.M1, 0L, boundary - 1, 1000);
          assertThat(theirs).isNotEmpty();
          for (klagg.sim.SimKline k : theirs) {
            Kline ours = h.closed.get(newId + "|1m|" + k.openTime);
            assertThat(ours).as("our kline of NEWCOINUSDT at %d", k.openTime).isNotNull();
          }
          h.compareWithExchange(names, boundary + 1);
          // the delisted symbol's slot was freed
          assertThat(symbols(after)).isEqualTo(symbols(before.get()));
          JsonObject sim = after.getJsonObject("sim");
          assertThat(sim.getJsonObject("faults").getLong("skippedTotal")).as("first trades withheld from the stream").isEqualTo(3);
          assertThat(sim.getLong("rateLimitCloses")).as("connections closed for exceeding the message rate").isZero();
          assertThat(sim.getInteger("connections")).as("connections for 31 streams at 12 each").isGreaterThanOrEqualTo(3);
          ctx.completeNow();
        })));
  }

  private static long symbols(JsonObject st) {
    long n = 0;
    for (Object o : st.getJsonArray("workers")) {
      n += ((JsonObject) o).getLong("symbols");
    }
    return n;
  }

  private static final Map<String, Boolean> TRACKED = new java.util.concurrent.ConcurrentHashMap<>();

  private static boolean tracked(Harness h, String symbol) {
    h.names().onSuccess(names -> TRACKED.put(symbol, names.containsValue(symbol)));
    return TRACKED.getOrDefault(symbol, false);
  }

}
