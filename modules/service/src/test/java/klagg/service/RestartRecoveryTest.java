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
import klagg.sim.SimConfig;
import klagg.sim.SimInterval;
import klagg.sim.SimMarket;
import klagg.sim.Simulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default install's crash path: the real {@code klagg run} process on its embedded PostgreSQL
 * (no {@code db.url}), killed (SIGKILL, no clean shutdown) mid-minute, down across a minute boundary,
 * restarted in the same data directory: it starts (the orphaned server is stopped and recovered),
 * every symbol starts from its stored state (no REST seed), all are live again, and the stored 1m
 * and 5m series of every symbol have no missing open time and equal the exchange's klines.
 */
class RestartRecoveryTest {
  @TempDir
  Path tmp;

  Process service;
  Vertx vertx;
  Simulator sim;
  Pool pool;

  @AfterEach
  void stop() throws Exception {
    if (service != null) {
      service.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (pool != null) {
      pool.close().await();
    }
    if (sim != null) {
      sim.close().await();
    }
    if (vertx != null) {
      vertx.close().await();
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

  /** A count, or -1 while the database is not reachable (it restarts with the service). */
  private long count(Pool pool, String sql, Object... args) {
    try {
      return pool.preparedQuery(sql).execute(Tuple.from(args)).await().iterator().next().getLong(0);
    } catch (Exception e) {
      return -1;
    }
  }

  private static int freePort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private JsonObject get(int port, String path) {
    try {
      var c = (java.net.HttpURLConnection) new java.net.URL("http://127.0.0.1:" + port + path).openConnection();
      c.setConnectTimeout(1_000);
      c.setReadTimeout(2_000);
      try (var in = c.getInputStream()) {
        return new JsonObject(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
      }
    } catch (Exception e) {
      return null;
    }
  }

  private double metric(int port, String name, String label) {
    try {
      var c = (java.net.HttpURLConnection) new java.net.URL("http://127.0.0.1:" + port + "/metrics").openConnection();
      c.setReadTimeout(2_000);
      double sum = 0;
      for (String line : new String(c.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
        if (line.startsWith(name + "{") && line.contains(label)) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return sum;
    } catch (Exception e) {
      return -1;
    }
  }

  private boolean allLive(int port, int n) {
    JsonObject h = get(port, "/health");
    JsonObject s = h == null ? null : h.getJsonObject("checks", new JsonObject()).getJsonObject("symbols");
    return s != null && s.getInteger("tracked", -1) == n && s.getInteger("live", -1) == n;
  }

  @Test
  void aKilledServiceOnTheEmbeddedDatabaseRestartsFromItsStoredStateWithoutHoles() throws Exception {
    vertx = Vertx.vertx();
    long wall = System.currentTimeMillis();
    long b1 = (wall / 300_000L + 2) * 300_000L; // a 5m boundary, so both 1m and 5m close at it
    SimConfig sc = new SimConfig();
    sc.port = 0;
    sc.symbols = 20;
    sc.rate = 200;
    sc.seed = 29;
    sc.timeOffsetMs = b1 - 40_000 - wall; // the first boundary 40 s after start
    sim = Simulator.start(vertx, sc).await();
    int dbPort = freePort();
    int http = freePort();
    JsonObject conf = new JsonObject()
        .put("exchange", new JsonObject().put("venue", "sim").put("restBaseUrl", sim.restBaseUrl()).put("wsBaseUrl", sim.wsBaseUrl()))
        .put("symbols", new JsonObject().put("quoteAssets", new JsonArray()).put("max", 0))
        .put("intervals", new JsonArray().add("1m").add("5m"))
        .put("clock", new JsonObject().put("refreshMs", 1000))
        // the default install: an embedded PostgreSQL in a data directory
        .put("db", new JsonObject().put("dataDir", tmp.resolve("pg").toString()).put("embeddedPort", dbPort))
        .put("persistence", new JsonObject().put("flushMs", 500))
        .put("backfill", new JsonObject().put("days", 0))
        .put("http", new JsonObject().put("port", http));
    Path file = tmp.resolve("klagg.json");
    Files.writeString(file, conf.encodePrettily());

    service = start(file, "first");
    await("the first run live", 120_000, () -> allLive(http, 20));
    pool = io.vertx.pgclient.PgBuilder.pool()
        .connectingTo(new io.vertx.pgclient.PgConnectOptions().setHost("127.0.0.1").setPort(dbPort).setUser("postgres")
            // as a user would: the generated password kept in the data directory
            .setPassword(Files.readString(tmp.resolve("pg").resolve("klagg-db.password")).trim())
            .setDatabase("postgres"))
        .using(vertx).build();
    await("the first boundary's klines stored", 120_000, () -> sim.now() > b1 + 3_000
        && count(pool, "SELECT count(*) FROM klines WHERE interval = '1m' AND open_time = $1 AND closed", b1 - 60_000) == 20);
    await("mid-minute", 60_000, () -> sim.now() % 60_000 > 20_000 && sim.now() % 60_000 < 40_000);
    service.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL mid-minute: its PostgreSQL is orphaned
    long killedAt = sim.now();
    long b2 = (killedAt / 60_000L + 1) * 60_000L;
    await("a boundary passed while down", 90_000, () -> sim.now() > b2 + 5_000);

    long restartedAt = System.currentTimeMillis();
    service = start(file, "second");
    await("every symbol live after the restart", 120_000, () -> allLive(http, 20));
    long toLive = System.currentTimeMillis() - restartedAt;
    System.out.println("restart to live (20 symbols, process start included): " + toLive + " ms");
    assertThat(metric(http, "klagg_worker_seeds_total", "source=\"exchange\""))
        .as("REST seeds after the restart (every symbol has stored state)").isZero();
    assertThat(metric(http, "klagg_worker_seeds_total", "source=\"database\"")).isEqualTo(20);
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
          var theirs = market.klines(s, SimInterval.parse(iv.code()), open, open, 1);
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
