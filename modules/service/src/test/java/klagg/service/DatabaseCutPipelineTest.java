package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import klagg.core.Kline;
import klagg.service.persist.TcpProxy;
import klagg.service.persist.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The database goes away for 20 s under load (a TCP proxy between the service and PostgreSQL is
 * cut): live klines keep flowing, and after it returns every closed kline is stored, equal to the
 * exchange's, with no drop counted.
 */
@ExtendWith(VertxExtension.class)
class DatabaseCutPipelineTest {
  @RegisterExtension
  static final TestDb db = TestDb.perClass();

  @Test
  @Timeout(value = 3, timeUnit = TimeUnit.MINUTES)
  void liveKlinesFlowThroughADatabaseOutageAndNothingIsLost(Vertx vertx, VertxTestContext ctx) {
    Harness h = new Harness(vertx);
    long wall = System.currentTimeMillis();
    long boundary = (wall / 60_000L + 2) * 60_000L;
    TcpProxy proxy = new TcpProxy(vertx, db.host(), db.port());
    long[] cyclesAtCut = new long[1];
    long[] cyclesDuringCut = new long[1];
    proxy.open()
        .compose(v -> {
          JsonObject conf = Harness.config(boundary - 15_000, 20, 31);
          conf.put("db", new JsonObject().put("url", db.url(proxy.port())));
          conf.put("persistence", new JsonObject().put("flushMs", 500));
          return h.start(conf);
        })
        .compose(s -> h.await("symbols seeded", 30_000, () -> h.cycles > 5))
        .compose(v -> {
          cyclesAtCut[0] = h.cycles;
          return proxy.close(); // the database is gone
        })
        .compose(v -> Harness.after(vertx, 20_000))
        .compose(v -> {
          cyclesDuringCut[0] = h.cycles - cyclesAtCut[0];
          return proxy.open(); // and back
        })
        .compose(v -> h.await("the boundary, passed during the cut", 60_000, () -> h.serverNow() > boundary + 4_000))
        .compose(v -> h.settled(60_000))
        .compose(v -> h.await("every closed kline stored", 60_000, () -> stored(h) >= closedBefore(h, boundary)))
        .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.STATUS_PERSISTENCE, new JsonObject()))
        .compose(st -> h.names().compose(names -> db.pool().query("SELECT * FROM klines").execute().map(rs -> {
          Map<String, Row> rows = new java.util.HashMap<>();
          rs.forEach(row -> rows.put(row.getString("symbol") + "|" + row.getString("interval") + "|" + row.getLong("open_time"), row));
          return Map.of("status", st.body(), "names", names, "rows", rows);
        })))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(cyclesDuringCut[0]).as("gateway cycles published while the database was away").isGreaterThan(50);
          JsonObject st = (JsonObject) r.get("status");
          assertThat(st.getLong("droppedOpen")).isZero();
          assertThat(st.getLong("droppedClosed")).isZero();
          assertThat(st.getLong("retries")).as("writes retried during the cut").isPositive();
          @SuppressWarnings("unchecked")
          Map<Integer, String> names = (Map<Integer, String>) r.get("names");
          @SuppressWarnings("unchecked")
          Map<String, Row> stored = (Map<String, Row>) r.get("rows");
          // every closed kline of the gateway is in the table, equal
          List<String> problems = new ArrayList<>();
          int compared = 0;
          for (Kline k : h.closed.values()) {
            if (k.closeTime >= boundary) {
              continue;
            }
            String sym = names.get(k.symbol);
            Row row = stored.get(sym + "|" + k.interval.code() + "|" + k.openTime);
            if (row == null) {
              problems.add(sym + " " + k.interval.code() + " " + k.openTime + " not stored");
              continue;
            }
            if (!row.getBoolean("closed") || row.getLong("trades") != k.count
                || row.getBigDecimal("volume").compareTo(k.volumeDecimal()) != 0
                || row.getBigDecimal("quote_volume").compareTo(k.quoteVolumeDecimal()) != 0
                || row.getBigDecimal("close").compareTo(k.closeDecimal()) != 0) {
              problems.add(sym + " " + k.interval.code() + " " + k.openTime + " stored " + row.toJson());
            }
            compared++;
          }
          assertThat(problems).isEmpty();
          assertThat(compared).isGreaterThanOrEqualTo(20);
          // and those klines are the exchange's
          h.compareWithExchange(names, boundary + 1);
          ctx.completeNow();
        })));
  }

  private static long closedBefore(Harness h, long boundary) {
    return h.closed.values().stream().filter(k -> k.closeTime < boundary).count();
  }

  private static final java.util.concurrent.atomic.AtomicLong STORED = new java.util.concurrent.atomic.AtomicLong();

  private static long stored(Harness h) {
    db.pool().query("SELECT count(*) FROM klines WHERE closed").execute()
        .onSuccess(rs -> STORED.set(rs.iterator().next().getLong(0)));
    return STORED.get();
  }

}
