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
import klagg.sim.SimInterval;
import klagg.sim.SimMarket;

/**
 * Runs the service against its in-process simulator and collects every closed kline the gateway
 * publishes, to compare with the simulator's own REST klines.
 */
final class Harness {
  final Vertx vertx;
  KlaggService service;
  /** closed klines by "SYMBOLID|interval|openTime", last version wins */
  final Map<String, Kline> closed = new java.util.concurrent.ConcurrentSkipListMap<>();
  volatile long cycles;

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
        // a fresh embedded PostgreSQL under target/ per test; no day-long backfill of new symbols
        .put("db", new JsonObject().put("dataDir", "target/pg-" + java.util.UUID.randomUUID()))
        .put("backfill", new JsonObject().put("days", 0));
  }

  /** every symbol ever added, by id (removed ones stay, to name their last klines) */
  final Map<Integer, String> everSeen = new java.util.concurrent.ConcurrentHashMap<>();

  Future<KlaggService> start(JsonObject conf) {
    observe();
    return KlaggService.start(vertx, KlaggConfig.of(conf, Map.of())).onSuccess(s -> service = s);
  }

  /** Collects symbol names and closed klines from the event bus (also of a cluster). */
  void observe() {
    vertx.eventBus().<JsonObject>consumer(Addresses.SYMBOLS_EVENTS, m -> {
      if ("added".equals(m.body().getString("op"))) {
        everSeen.put(m.body().getInteger("id"), m.body().getString("symbol"));
      }
    });
    vertx.eventBus().<CycleUpdate>consumer(Addresses.CYCLE, m -> {
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
  }

  /** The simulator, when the test started it itself (else the service's in-process one). */
  klagg.sim.Simulator simulator;

  klagg.sim.Simulator sim() {
    return simulator != null ? simulator : service.simulator();
  }

  long serverNow() {
    return sim().now();
  }

  /** Completes after {@code ms} (a scripted pause between test steps, never a wait for a condition). */
  static Future<Void> after(Vertx vertx, long ms) {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(ms, id -> p.complete());
    return p.future();
  }

  /** Completes when {@code cond} holds, checked every 100 ms; fails after {@code deadlineMs}. */
  Future<Void> await(String what, long deadlineMs, BooleanSupplier cond) {
    return await(vertx, what, deadlineMs, cond);
  }

  /** {@link #await(String, long, BooleanSupplier)} without a harness: on {@code vertx}'s timers. */
  static Future<Void> await(Vertx vertx, String what, long deadlineMs, BooleanSupplier cond) {
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

  /**
   * Completes once every worker is idle (no repair or REST request in flight, every symbol live) and
   * three more gateway cycles went by, so corrections have been published; fails after the deadline.
   */
  Future<Void> settled(long deadlineMs) {
    long end = System.currentTimeMillis() + deadlineMs;
    return idle().compose(idle -> {
      if (idle) {
        long c0 = cycles;
        return await("three more gateway cycles", 10_000, () -> cycles >= c0 + 3);
      }
      if (System.currentTimeMillis() > end) {
        return Future.failedFuture("workers still busy after " + deadlineMs + " ms");
      }
      Promise<Void> p = Promise.promise();
      vertx.setTimer(200, id -> settled(end - System.currentTimeMillis()).onComplete(p));
      return p.future();
    });
  }

  /** worker shards of the service under test (set when not started through {@link #start}) */
  int workers;

  private Future<Boolean> idle() {
    int n = workers > 0 ? workers : service.config().workers();
    List<Future<Boolean>> fs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      fs.add(vertx.eventBus().<JsonObject>request(Addresses.workerControl(i), new JsonObject().put("op", "status"))
          .map(m -> m.body().getInteger("inFlight") == 0 && m.body().getInteger("notLive") == 0));
    }
    return Future.all(fs).map(cf -> fs.stream().allMatch(Future::result));
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
    SimMarket market = sim().market();
    List<String> mismatches = new ArrayList<>();
    int compared = 0;
    for (Kline k : closed.values()) {
      if (k.closeTime >= until) {
        continue;
      }
      String sym = names.getOrDefault(k.symbol, everSeen.get(k.symbol));
      assertThat(sym).as("name of symbol id %d", k.symbol).isNotNull();
      var info = market.symbol(sym);
      List<klagg.sim.SimKline> theirs = market.klines(info, SimInterval.parse(k.interval.code()), k.openTime, k.openTime, 1);
      String ours = ControlJson.kline(k, info.priceDigits, info.qtyDigits).encode();
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
