package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.core.KlineDelta;
import klagg.service.msg.CycleUpdate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Odd exchange answers against the real simulator over loopback: an empty exchangeInfo answer
 * delists nothing; an unparseable one delists nothing and is counted failed; a symbol in BREAK across
 * a minute boundary is kept, gets no invented klines while halted, and resumes; the series equals
 * the exchange's; a partial answer removing more than symbols.maxRemoveShare is held, then acted on
 * once a later answer confirms it. Refresh intervals are short so the whole class takes well under
 * a minute and a half.
 */
@ExtendWith(VertxExtension.class)
class ExchangeAnomaliesPipelineTest {
  static final int SYMBOLS = 20;

  @Test
  @Timeout(value = 150, timeUnit = TimeUnit.SECONDS)
  void oddAnswersDelistNothingAHaltedSymbolGetsNoInventedKlinesAndALargeRemovalWaitsForConfirmation(Vertx vertx,
      VertxTestContext ctx) {
    Harness h = new Harness(vertx);
    long wall = System.currentTimeMillis();
    long boundary = (wall / 60_000L + 2) * 60_000L;
    JsonObject conf = Harness.config(boundary - 30_000, SYMBOLS, 23);
    conf.getJsonObject("symbols").put("refreshMs", 1_000).put("confirmAfterMs", 2_000).put("maxRemoveShare", 0.1);
    // every kline of the halted symbol the gateway publishes (open or closed), with when it went out
    Map<String, Long> haltedSymbolKlines = new ConcurrentHashMap<>();
    AtomicInteger haltedId = new AtomicInteger(-1);
    Set<String> removedEvents = ConcurrentHashMap.newKeySet();
    vertx.eventBus().<JsonObject>consumer(Addresses.SYMBOLS_EVENTS, m -> {
      if ("removed".equals(m.body().getString("op"))) {
        removedEvents.add(m.body().getString("symbol"));
      }
    });
    vertx.eventBus().<CycleUpdate>consumer(Addresses.CYCLE, m -> {
      for (KlineDelta d : m.body().deltas()) {
        for (int i = 0; i < d.size(); i++) {
          Kline k = d.get(i, new Kline());
          if (k.symbol == haltedId.get() && k.interval == Interval.M1) {
            haltedSymbolKlines.putIfAbsent(k.openTime + (k.closed ? "c" : "o"), h.serverNow());
          }
        }
      }
    });
    AtomicReference<String> halted = new AtomicReference<>();
    AtomicReference<Map<Integer, String>> all = new AtomicReference<>();
    AtomicReference<JsonObject> st = new AtomicReference<>();
    long[] resumedAt = {0};
    h.start(conf)
        .compose(s -> h.await("symbols seeded", 30_000, () -> h.cycles > 5))
        .compose(v -> h.names()).compose(names -> {
          all.set(names);
          assertThat(names).hasSize(SYMBOLS);
          assertThat(h.serverNow()).as("started early enough to halt before the boundary").isLessThan(boundary - 6_000);
          // the first symbol the exchange lists: a partial answer keeps it
          String s = h.service.simulator().market().symbols().get(0).name;
          halted.set(s);
          haltedId.set(names.entrySet().stream().filter(e -> e.getValue().equals(s)).findFirst().get().getKey());
          return h.service.simulator().applyFaults(new JsonObject().put("break", s));
        })
        .compose(v -> awaitStatus(h, st, "the symbol halted", x -> x.getInteger("halted") == 1))
        // an empty answer: held, nothing delisted; the next ordinary answer ends the hold
        .compose(v -> h.service.simulator().applyFaults(new JsonObject().put("exchangeInfo", "empty")))
        .compose(v -> awaitStatus(h, st, "the empty answer held", x -> refreshes(x, "held") >= 1))
        .compose(v -> awaitStatus(h, st, "an ordinary answer after it", x -> !x.getBoolean("holding")
            && refreshes(x, "ok") >= 3))
        .map(v -> {
          assertThat(st.get().getInteger("tracked")).isEqualTo(SYMBOLS);
          assertThat(removedEvents).isEmpty();
          return v;
        })
        // garbage: counted failed, nothing delisted
        .compose(v -> h.service.simulator().applyFaults(new JsonObject().put("exchangeInfo",
            new JsonObject().put("answer", "garbage").put("count", 2))))
        .compose(v -> awaitStatus(h, st, "garbage counted failed", x -> refreshes(x, "failed") >= 2))
        .map(v -> {
          assertThat(st.get().getInteger("tracked")).isEqualTo(SYMBOLS);
          assertThat(st.get().getInteger("halted")).isEqualTo(1);
          assertThat(removedEvents).isEmpty();
          return v;
        })
        // the halted symbol across the minute boundary: its minute closes, nothing opens after it
        .compose(v -> h.await("the halted minute closed at the boundary", 60_000, () -> h.serverNow() > boundary + 2_000
            && haltedSymbolKlines.containsKey((boundary - 60_000) + "c")))
        .compose(v -> h.await("a few gateway cycles after it", 20_000, () -> h.serverNow() > boundary + 3_000))
        .map(v -> {
          assertThat(haltedSymbolKlines.keySet()).as("no kline invented after it while halted")
              .noneMatch(k -> Long.parseLong(k.substring(0, k.length() - 1)) >= boundary);
          resumedAt[0] = h.serverNow();
          return v;
        })
        .compose(v -> h.service.simulator().applyFaults(new JsonObject().put("resume", halted.get())))
        .compose(v -> awaitStatus(h, st, "the symbol resumed", x -> x.getInteger("halted") == 0))
        .compose(v -> h.await("its minute open again", 10_000, () -> haltedSymbolKlines.containsKey(boundary + "o")))
        .compose(v -> h.settled(30_000))
        .map(v -> {
          assertThat(haltedSymbolKlines.get(boundary + "o")).as("opened only after it resumed")
              .isGreaterThanOrEqualTo(resumedAt[0]);
          // every closed kline equals the exchange's (the halted symbol's last minute included)
          int compared = h.compareWithExchange(all.get(), boundary);
          assertThat(compared).isGreaterThanOrEqualTo(SYMBOLS);
          assertThat(h.closed).containsKey(haltedId.get() + "|1m|" + (boundary - 60_000));
          return v;
        })
        // the simulator's ids of the trades a BREAK removed never exist: the worker gave up on them
        .compose(v -> FaultsPipelineTest.status(h))
        .map(x -> {
          long absent = 0;
          for (Object o : x.getJsonArray("workers")) {
            absent += ((JsonObject) o).getLong("gapsNotOnExchange", 0L);
          }
          assertThat(absent).as("ids REST never had, given up on").isPositive();
          return (Void) null;
        })
        // a partial answer (half the symbols): held, not acted on until confirmed 2 s later
        .compose(v -> h.service.simulator().applyFaults(new JsonObject().put("exchangeInfo",
            new JsonObject().put("answer", "partial").put("keep", 0.5).put("count", 1_000))))
        .compose(v -> awaitStatus(h, st, "the partial answer held", x -> x.getBoolean("holding")))
        .map(v -> {
          assertThat(st.get().getInteger("tracked")).as("nothing removed while held").isEqualTo(SYMBOLS);
          assertThat(removedEvents).isEmpty();
          return v;
        })
        .compose(v -> awaitStatus(h, st, "the partial answer confirmed", x -> refreshes(x, "confirmed") == 1))
        .compose(v -> h.service.simulator().applyFaults(new JsonObject().put("clear", true)))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          JsonObject x = st.get();
          assertThat(x.getInteger("tracked")).isEqualTo(SYMBOLS / 2);
          assertThat(removedEvents).hasSize(SYMBOLS / 2).doesNotContain(halted.get());
          assertThat(refreshes(x, "held")).isGreaterThanOrEqualTo(2);
          ctx.completeNow();
        })));
  }

  static long refreshes(JsonObject st, String result) {
    return st.getJsonObject("refreshes").getLong(result);
  }

  /** Polls the directory's status until {@code cond} holds; the last answer is left in {@code out}. */
  static Future<Void> awaitStatus(Harness h, AtomicReference<JsonObject> out, String what,
      java.util.function.Predicate<JsonObject> cond) {
    out.set(null);
    return h.await(what, 20_000, () -> {
      h.vertx.eventBus().<JsonObject>request(Addresses.STATUS_SYMBOLS, new JsonObject())
          .onSuccess(m -> out.set(m.body()));
      JsonObject s = out.get();
      return s != null && cond.test(s);
    });
  }
}
