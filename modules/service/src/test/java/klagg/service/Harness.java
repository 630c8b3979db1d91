package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.core.KlineDelta;
import klagg.service.msg.CycleUpdate;
import klagg.sim.SimMarket;

/**
 * Runs the service against its in-process simulator and collects every closed kline the gateway
 * publishes, to compare with the simulator's own REST klines.
 */
final class Harness {
  final Vertx vertx;
  KlaggService service;
  /** closed klines by "SYMBOLID|interval|openTime", last version wins */
  final Map<String, Kline> closed = new TreeMap<>();
  long cycles;

  Harness(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Next Monday 00:00 UTC: every default interval (1m .. 1w) closes there. */
  static long nextWeekBoundary(long now) {
    ZonedDateTime t = Instant.ofEpochMilli(now).atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS)
        .with(TemporalAdjusters.next(DayOfWeek.MONDAY));
    return t.toInstant().toEpochMilli();
  }

  /** A config for tests: simulator in-process on an ephemeral port, server time at {@code serverStart}. */
  static JsonObject config(long serverStart, int symbols, long seed) {
    long offset = serverStart - System.currentTimeMillis();
    return new JsonObject()
        .put("sim", new JsonObject().put("enabled", true).put("port", 0).put("symbols", symbols).put("rate", 300)
            .put("seed", seed).put("timeOffsetMs", offset))
        .put("symbols", new JsonObject().put("quoteAssets", new JsonArray()).put("max", 0))
        .put("workers", new JsonObject().put("instances", 4).put("faultHooks", true))
        .put("clock", new JsonObject().put("refreshMs", 1000))
        .put("repair", new JsonObject().put("delayMs", 100))
        .put("http", new JsonObject().put("port", 0))
        // the embedded PostgreSQL, with its data under target/ (kept between runs, removed by mvn clean)
        .put("db", new JsonObject().put("dataDir", "target/pg-live"));
  }

  Future<KlaggService> start(JsonObject conf) {
    vertx.eventBus().<CycleUpdate>localConsumer(Addresses.CYCLE, m -> {
      cycles++;
      for (KlineDelta d : m.body().deltas()) {
        for (int i = 0; i < d.size(); i++) {
          if (d.closed(i)) {
            Kline k = d.get(i, new Kline());
            closed.put(k.symbol + "|" + k.interval.code() + "|" + k.openTime, k);
          }
        }
      }
    });
    return KlaggService.start(vertx, KlaggConfig.of(conf, Map.of())).onSuccess(s -> service = s);
  }

  long serverNow() {
    return service.simulator().now();
  }

  /** Completes when {@code cond} holds, checked every 100 ms; fails after {@code deadlineMs}. */
  Future<Void> await(String what, long deadlineMs, BooleanSupplier cond) {
    Promise<Void> p = Promise.promise();
    long end = System.currentTimeMillis() + deadlineMs;
    vertx.setPeriodic(100, id -> {
      if (cond.getAsBoolean()) {
        vertx.cancelTimer(id);
        p.tryComplete();
      } else if (System.currentTimeMillis() > end) {
        vertx.cancelTimer(id);
        p.tryFail("timed out waiting for " + what);
      }
    });
    return p.future();
  }

  Future<Map<Integer, String>> names() {
    return vertx.eventBus().<JsonObject>request(Addresses.SYMBOLS_LIST, new JsonObject()).map(m -> {
      Map<Integer, String> r = new TreeMap<>();
      for (Object o : m.body().getJsonArray("symbols")) {
        JsonObject s = (JsonObject) o;
        r.put(s.getInteger("id"), s.getString("symbol"));
      }
      return r;
    });
  }

  /**
   * Every collected closed kline that closed before {@code until} against the simulator's REST
   * kline for that window, printed the same way. Returns the number compared; mismatches fail.
   */
  int compareWithExchange(Map<Integer, String> names, long until) {
    SimMarket market = service.simulator().market();
    List<String> mismatches = new ArrayList<>();
    int compared = 0;
    for (Kline k : closed.values()) {
      if (k.closeTime >= until) {
        continue;
      }
      String sym = names.get(k.symbol);
      assertThat(sym).as("name of symbol id %d", k.symbol).isNotNull();
      var info = market.symbol(sym);
      List<klagg.sim.Kline> theirs = market.klines(info, k.interval, k.openTime, k.openTime, 1);
      String ours = Wire.kline(k, info.priceDigits, info.qtyDigits).encode();
      JsonArray row = theirs.isEmpty() ? null : theirs.get(0).toRestRow();
      String exch = row == null ? "none" : new JsonArray(row.getList().subList(0, 11)).encode();
      if (!ours.equals(exch)) {
        mismatches.add(sym + " " + k.interval.code() + " " + Instant.ofEpochMilli(k.openTime) + "\n  ours " + ours
            + "\n  exch " + exch);
      }
      compared++;
    }
    assertThat(mismatches).as("closed klines that differ from the exchange's").isEmpty();
    return compared;
  }

  static long count(Map<String, Kline> m, Interval iv) {
    return m.values().stream().filter(k -> k.interval == iv).count();
  }
}
