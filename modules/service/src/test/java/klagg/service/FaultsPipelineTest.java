package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import klagg.core.Interval;
import klagg.core.KlineDelta;
import klagg.service.msg.CycleUpdate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Exactly once and no holes while the exchange misbehaves, and a stalled worker does not stop the rest. */
@ExtendWith(VertxExtension.class)
class FaultsPipelineTest {


  /**
   * Dropped connections, duplicated, reordered and skipped aggregate ids, malformed frames and a
   * stalled connection, all before a minute boundary: every closed kline still equals the exchange's.
   */
  @Test
  @Timeout(value = 3, timeUnit = TimeUnit.MINUTES)
  void closedKlinesStayExactThroughExchangeFaults(Vertx vertx, VertxTestContext ctx) {
    Harness h = new Harness(vertx);
    long wall = System.currentTimeMillis();
    long boundary = (wall / 300_000L + 2) * 300_000L; // a 5m boundary
    h.start(Harness.config(boundary - 32_000, 50, 11))
        .compose(s -> h.await("symbols seeded", 30_000, () -> h.cycles > 5))
        .compose(v -> fault(h, new JsonObject().put("duplicateTrades", 40).put("reorderTrades", 40)))
        .compose(v -> Harness.after(vertx, 2_000))
        .compose(v -> fault(h, new JsonObject().put("skipAggIds", 15).put("malformedFrames", 5)))
        .compose(v -> Harness.after(vertx, 2_000))
        .compose(v -> fault(h, new JsonObject().put("dropConnections", true)))
        .compose(v -> Harness.after(vertx, 4_000))
        .compose(v -> fault(h, new JsonObject().put("stallMs", 3_000)))
        .compose(v -> Harness.after(vertx, 5_000))
        .compose(v -> fault(h, new JsonObject().put("dropConnections", true).put("skipAggIds", 10)))
        .compose(v -> h.await("the 5m boundary plus grace and repairs", 90_000, () -> h.serverNow() > boundary + 6_000))
        .compose(v -> h.settled(60_000))
        .compose(v -> status(h))
        .compose(st -> h.names().map(names -> {
          ctx.verify(() -> {
            int compared = h.compareWithExchange(names, boundary + 1);
            assertThat(Harness.count(h.closed, Interval.M5)).isGreaterThanOrEqualTo(50);
            assertThat(compared).isGreaterThanOrEqualTo(100);
            JsonObject sim = st.getJsonObject("sim");
            JsonObject faults = sim.getJsonObject("faults");
            assertThat(faults.getLong("duplicatedTotal")).as("duplicates sent").isPositive();
            assertThat(faults.getLong("skippedTotal")).as("ids skipped").isPositive();
            assertThat(faults.getLong("connectionDrops")).as("connections dropped").isGreaterThanOrEqualTo(2);
            long duplicates = 0;
            long gaps = 0;
            for (Object o : st.getJsonArray("workers")) {
              duplicates += ((JsonObject) o).getLong("duplicates");
              gaps += ((JsonObject) o).getLong("gapsFromStream");
            }
            assertThat(duplicates).as("duplicates dropped by workers").isPositive();
            assertThat(gaps).as("gaps detected").isPositive();
          });
          return st;
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  private static Future<Void> fault(Harness h, JsonObject cmd) {
    return h.service.simulator().applyFaults(cmd).mapEmpty();
  }

  static Future<JsonObject> status(Harness h) {
    int n = h.service.config().workers();
    JsonArray ws = new JsonArray();
    Future<Void> f = Future.succeededFuture();
    for (int i = 0; i < n; i++) {
      int w = i;
      f = f.compose(v -> h.vertx.eventBus().<JsonObject>request(Addresses.workerControl(w), new JsonObject().put("op", "status"))
          .map(m -> {
            ws.add(m.body());
            return null;
          }));
    }
    return f.compose(v -> h.service.simulator().status())
        .map(sim -> new JsonObject().put("workers", ws).put("sim", sim));
  }

  /**
   * A stalled worker trips the gateway's timeout and breaker while the other workers' klines keep
   * flowing; after the stall its klines catch up and every closed kline equals the exchange's.
   */
  @Test
  @Timeout(value = 3, timeUnit = TimeUnit.MINUTES)
  void aStalledWorkerTripsTheBreakerAndCatchesUp(Vertx vertx, VertxTestContext ctx) {
    Harness h = new Harness(vertx);
    long wall = System.currentTimeMillis();
    long boundary = (wall / 60_000L + 2) * 60_000L;
    AtomicBoolean stalling = new AtomicBoolean();
    java.util.concurrent.atomic.AtomicLong timeoutsOfWorker0 = new java.util.concurrent.atomic.AtomicLong();
    Set<Integer> workersSeenDuringStall = new HashSet<>();
    int[] workerOf = new int[4096];
    h.start(Harness.config(boundary - 32_000, 50, 13))
        .compose(s -> h.await("symbols seeded", 30_000, () -> h.cycles > 5))
        .compose(v -> h.names().map(names -> {
          names.forEach((id, sym) -> workerOf[id] = klagg.core.SymbolIndex.workerOf(sym, 4));
          vertx.eventBus().<CycleUpdate>localConsumer(Addresses.CYCLE, m -> {
            if (stalling.get()) {
              for (KlineDelta d : m.body().deltas()) {
                for (int i = 0; i < d.size(); i++) {
                  workersSeenDuringStall.add(workerOf[d.symbol(i)]);
                }
              }
            }
          });
          return names;
        }))
        .compose(v -> vertx.eventBus().request(Addresses.workerControl(0), new JsonObject().put("op", "stall").put("ms", 4_000)))
        .compose(v -> {
          stalling.set(true);
          return h.await("breaker of worker 0 open", 3_000, () -> breakerOpen(h, 0));
        })
        .compose(v -> Harness.after(vertx, 1_500))
        .compose(v -> {
          stalling.set(false);
          return h.await("breaker of worker 0 closed again", 10_000, () -> !breakerOpen(h, 0));
        })
        .compose(v -> h.await("the minute boundary plus grace", 60_000, () -> h.serverNow() > boundary + 4_000))
        .compose(v -> h.settled(60_000))
        .compose(v -> h.vertx.eventBus().<JsonObject>request(Addresses.STATUS_GATEWAY, new JsonObject()))
        .compose(m -> {
          timeoutsOfWorker0.set(m.body().getJsonArray("workers").getJsonObject(0).getLong("timeouts"));
          return h.names();
        })
        .onComplete(ctx.succeeding(names -> ctx.verify(() -> {
          assertThat(workersSeenDuringStall).as("workers whose klines flowed during the stall")
              .isNotEmpty().doesNotContain(0);
          assertThat(h.compareWithExchange(names, boundary + 1)).isGreaterThanOrEqualTo(50);
          assertThat(timeoutsOfWorker0.get()).as("pull timeouts counted for the stalled worker").isPositive();
          ctx.completeNow();
        })));
  }

  private static final java.util.Map<Integer, Boolean> BREAKER = new java.util.concurrent.ConcurrentHashMap<>();

  /** Polled from the await loop: asks the gateway, remembers the last answer. */
  private static boolean breakerOpen(Harness h, int worker) {
    h.vertx.eventBus().<JsonObject>request(Addresses.STATUS_GATEWAY, new JsonObject()).onSuccess(m -> {
      JsonObject w = m.body().getJsonArray("workers").getJsonObject(worker);
      BREAKER.put(worker, "open".equals(w.getString("breaker")));
    });
    return BREAKER.getOrDefault(worker, false);
  }
}
