package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.File;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import klagg.core.Interval;
import klagg.service.persist.TestDb;
import klagg.sim.SimConfig;
import klagg.sim.SimMarket;
import klagg.sim.Simulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill the service (SIGKILL, no clean shutdown) mid-minute, keep it down across a minute boundary,
 * restart it: the stored 1m and 5m series of every symbol have no missing open time and equal the
 * exchange's klines for the whole window. Runs on the tests' PostgreSQL ({@link TestDb}: the embedded
 * server of the test JVM, or KLAGG_TEST_DB_URL's).
 */
class RestartRecoveryTest {
  @TempDir
  Path tmp;

  Process service;
  Vertx vertx;
  Simulator sim;
  TestDb db;

  @AfterEach
  void stop() throws Exception {
    if (service != null) {
      service.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (sim != null) {
      sim.close().await();
    }
    if (vertx != null) {
      vertx.close().await();
    }
    if (db != null) {
      db.close();
    }
  }

  private Process start(Path conf, String log) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-Xmx384m", "-cp",
        System.getProperty("java.class.path"), "klagg.service.Main", "run", "-conf", conf.toString());
    pb.redirectErrorStream(true).redirectOutput(new File("target/restart-" + log + ".log"));
    return pb.start();
  }

  private static void await(String what, long deadlineMs, BooleanSupplier cond) throws InterruptedException {
    long end = System.currentTimeMillis() + deadlineMs;
    while (!cond.getAsBoolean()) {
      if (System.currentTimeMillis() > end) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(200); // polling a condition with a deadline
    }
  }

  private long count(Pool pool, String sql, Object... args) {
    return pool.preparedQuery(sql).execute(Tuple.from(args)).await().iterator().next().getLong(0);
  }

  @Test
  void aKilledServiceResumesWithoutHolesAndWithExactKlines() throws Exception {
    vertx = Vertx.vertx();
    long wall = System.currentTimeMillis();
    long b1 = (wall / 300_000L + 2) * 300_000L; // a 5m boundary, so both 1m and 5m close at it
    SimConfig sc = new SimConfig();
    sc.port = 0;
    sc.symbols = 20;
    sc.rate = 200;
    sc.seed = 29;
    sc.timeOffsetMs = b1 - 30_000 - wall; // the first boundary 30 s after start
    sim = Simulator.start(vertx, sc).await();
    db = TestDb.create();
    Pool pool = db.pool();
    JsonObject conf = new JsonObject()
        .put("exchange", new JsonObject().put("venue", "sim").put("restBaseUrl", sim.restBaseUrl()).put("wsBaseUrl", sim.wsBaseUrl()))
        .put("symbols", new JsonObject().put("quoteAssets", new JsonArray()).put("max", 0))
        .put("intervals", new JsonArray().add("1m").add("5m"))
        .put("clock", new JsonObject().put("refreshMs", 1000))
        .put("db", new JsonObject().put("url", db.url()))
        .put("persistence", new JsonObject().put("flushMs", 500))
        .put("backfill", new JsonObject().put("days", 0))
        .put("roles", new JsonArray().add("ingest").add("workers").add("gateway").add("persistence"));
    Path file = tmp.resolve("klagg.json");
    Files.writeString(file, conf.encodePrettily());

    service = start(file, "first");
    await("the first boundary's klines stored", 120_000, () -> sim.now() > b1 + 3_000
        && count(pool, "SELECT count(*) FROM klines WHERE interval = '1m' AND open_time = $1 AND closed", b1 - 60_000) == 20);
    service.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL mid-minute
    long killedAt = sim.now();
    long b2 = b1 + 60_000;
    await("a boundary passed while down", 90_000, () -> sim.now() > b2 + 5_000);

    service = start(file, "second");
    long b3 = (sim.now() / 60_000L + 1) * 60_000L;
    await("the boundary after the restart stored", 150_000, () -> sim.now() > b3 + 5_000
        && count(pool, "SELECT count(*) FROM klines WHERE interval = '1m' AND open_time = $1 AND closed", b3 - 60_000) == 20
        && count(pool, "SELECT count(*) FROM klines WHERE interval = '1m' AND open_time = $1 AND closed", b2 - 60_000) == 20);

    // every symbol: a contiguous 1m and 5m series over the whole window, each kline the exchange's
    SimMarket market = sim.market();
    List<String> problems = new ArrayList<>();
    int compared = 0;
    for (var s : market.symbols()) {
      for (Interval iv : List.of(Interval.M1, Interval.M5)) {
        List<Row> rows = new ArrayList<>();
        pool.preparedQuery("SELECT * FROM klines WHERE symbol = $1 AND interval = $2 AND closed AND close_time < $3 ORDER BY open_time")
            .execute(Tuple.of(s.name, iv.code(), b3)).await().forEach(rows::add);
        if (rows.isEmpty()) {
          problems.add(s.name + " " + iv.code() + ": nothing stored");
          continue;
        }
        long expect = rows.get(0).getLong("open_time");
        for (Row r : rows) {
          long open = r.getLong("open_time");
          if (open != expect) {
            problems.add(s.name + " " + iv.code() + ": hole at " + expect);
          }
          expect = iv.nextOpen(open);
          var theirs = market.klines(s, iv, open, open, 1);
          if (theirs.isEmpty()) {
            problems.add(s.name + " " + iv.code() + " " + open + ": the exchange has no kline");
            continue;
          }
          var k = theirs.get(0);
          boolean same = r.getBigDecimal("open").compareTo(new BigDecimal(k.open)) == 0
              && r.getBigDecimal("high").compareTo(new BigDecimal(k.high)) == 0
              && r.getBigDecimal("low").compareTo(new BigDecimal(k.low)) == 0
              && r.getBigDecimal("close").compareTo(new BigDecimal(k.close)) == 0
              && r.getBigDecimal("volume").compareTo(new BigDecimal(k.volume)) == 0
              && r.getBigDecimal("quote_volume").setScale(8, java.math.RoundingMode.HALF_UP).compareTo(new BigDecimal(k.quoteVolume)) == 0
              && r.getLong("trades") == k.count
              && r.getBigDecimal("taker_buy_volume").compareTo(new BigDecimal(k.takerBase)) == 0
              && r.getBigDecimal("taker_buy_quote_volume").setScale(8, java.math.RoundingMode.HALF_UP).compareTo(new BigDecimal(k.takerQuote)) == 0
              && r.getLong("close_time") == k.closeTime;
          if (!same) {
            problems.add(s.name + " " + iv.code() + " " + open + ": stored " + r.toJson() + " exchange " + k.toRestRow());
          }
          compared++;
        }
        // the window covers the time the service was down
        assertThat(rows.get(0).getLong("open_time")).isLessThan(killedAt);
      }
    }
    assertThat(problems).isEmpty();
    assertThat(compared).as("klines compared: 20 symbols x (3+ minutes + 1 five-minute)").isGreaterThanOrEqualTo(20 * 4);
  }
}
