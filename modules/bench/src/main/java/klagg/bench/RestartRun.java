package klagg.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import klagg.sim.SimConfig;
import klagg.sim.Simulator;

/**
 * {@code e2e --rate restart}: restart-to-live after a crash, the way a user's install crashes. The
 * simulator runs in this JVM (the exchange outlives the service); the service is the real
 * {@code klagg run} process on its embedded PostgreSQL (the default install) with the exchange's
 * REST weight limit (6,000/min). Once every symbol is live it is killed (SIGKILL) mid-minute, kept
 * down across a minute boundary and started again in the same data directory; measured from the
 * process start to every symbol live on {@code /health} ({@code checks.symbols.live == tracked}),
 * {@code runs} times, with the symbols seeded from the database and from the exchange each time.
 */
final class RestartRun {
  private final int symbols;
  private final int runs;
  private final double rate;

  RestartRun(int symbols, int runs, double rate) {
    this.symbols = symbols;
    this.runs = runs;
    this.rate = rate;
  }

  JsonObject run() throws Exception {
    Vertx vertx = Vertx.vertx();
    Path dir = Files.createTempDirectory("klagg-restart-");
    SimConfig sc = new SimConfig();
    sc.port = 0;
    sc.symbols = symbols;
    sc.rate = rate;
    sc.seed = E2e.SEED;
    sc.weightLimitPerMinute = 6000;
    Simulator sim = Simulator.start(vertx, sc).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    int http = freePort();
    JsonObject conf = new JsonObject()
        .put("exchange", new JsonObject().put("venue", "sim").put("restBaseUrl", sim.restBaseUrl())
            .put("wsBaseUrl", sim.wsBaseUrl()).put("weightLimitPerMinute", 6000))
        .put("symbols", new JsonObject().put("quoteAssets", new JsonArray()).put("max", 0))
        .put("db", new JsonObject().put("dataDir", dir.resolve("pg").toString()))
        .put("backfill", new JsonObject().put("days", 0))
        .put("http", new JsonObject().put("port", http));
    Path file = dir.resolve("klagg.json");
    Files.writeString(file, conf.encodePrettily());
    List<Long> times = new ArrayList<>();
    JsonArray detail = new JsonArray();
    Process p = null;
    try {
      long t0 = System.nanoTime();
      p = start(file, dir, "first");
      long first = awaitLive(http, p, 20 * 60_000L);
      System.out.println("restart: first start (every symbol seeded from the exchange) live after " + first + " ms");
      for (int i = 0; i < runs; i++) {
        // let the stored state follow the live one, then kill mid-minute and stay down across a boundary
        waitUntil(() -> sim.now() % 60_000 >= 25_000 && sim.now() % 60_000 < 35_000, 120_000);
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        long boundary = (sim.now() / 60_000 + 1) * 60_000;
        waitUntil(() -> sim.now() > boundary + 2_000, 120_000);
        long s0 = System.nanoTime();
        p = start(file, dir, "restart-" + (i + 1));
        long ms = awaitLive(http, p, 10 * 60_000L);
        double fromDb = metric(http, "klagg_worker_seeds_total", "source=\"database\"");
        double fromExchange = metric(http, "klagg_worker_seeds_total", "source=\"exchange\"");
        times.add(ms);
        detail.add(new JsonObject().put("restart_to_live_ms", ms).put("seeded_from_database", (long) fromDb)
            .put("seeded_from_exchange", (long) fromExchange));
        System.out.println("restart " + (i + 1) + ": every symbol live after " + ms + " ms (" + (long) fromDb
            + " from the database, " + (long) fromExchange + " from the exchange)");
      }
      List<Long> sorted = new ArrayList<>(times);
      sorted.sort(null);
      return new JsonObject().put("symbols", symbols).put("exchange_weight_limit_per_minute", 6000)
          .put("first_start_to_live_ms", first).put("restart_to_live_ms", sorted.get(sorted.size() / 2))
          .put("restart_runs", detail).put("total_s", (System.nanoTime() - t0) / 1_000_000_000L);
    } finally {
      if (p != null) {
        p.destroy();
        p.waitFor(60, TimeUnit.SECONDS);
        p.destroyForcibly();
      }
      sim.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static Process start(Path conf, Path dir, String name) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-XX:+UseParallelGC", "-Xmx1g",
        "-cp", System.getProperty("java.class.path"), "klagg.service.Main", "run", "-conf", conf.toString());
    File log = dir.resolve("klagg-" + name + ".log").toFile();
    pb.redirectErrorStream(true).redirectOutput(log);
    System.out.println("restart: klagg run (" + name + "), log " + log);
    return pb.start();
  }

  /** Milliseconds from now until every symbol is live on /health. */
  private long awaitLive(int port, Process p, long deadlineMs) throws Exception {
    long t0 = System.nanoTime();
    while (true) {
      JsonObject h = get(port, "/health");
      JsonObject s = h == null ? null : h.getJsonObject("checks", new JsonObject()).getJsonObject("symbols");
      if (s != null && s.getInteger("tracked", -1) == symbols && s.getInteger("live", -1) == symbols) {
        return (System.nanoTime() - t0) / 1_000_000L;
      }
      if (!p.isAlive()) {
        throw new IllegalStateException("klagg exited with " + p.exitValue() + " before every symbol was live");
      }
      if ((System.nanoTime() - t0) / 1_000_000L > deadlineMs) {
        throw new IllegalStateException("not every symbol live after " + deadlineMs + " ms: " + s);
      }
      Thread.sleep(50); // polling /health with a deadline
    }
  }

  private static void waitUntil(java.util.function.BooleanSupplier c, long deadlineMs) throws InterruptedException {
    long end = System.currentTimeMillis() + deadlineMs;
    while (!c.getAsBoolean()) {
      if (System.currentTimeMillis() > end) {
        throw new IllegalStateException("timed out");
      }
      Thread.sleep(100);
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String body(int port, String path) {
    try {
      HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + path).openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(2_000);
      try (var in = c.getInputStream()) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (Exception e) {
      return null;
    }
  }

  private static JsonObject get(int port, String path) {
    String b = body(port, path);
    try {
      return b == null ? null : new JsonObject(b);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static double metric(int port, String name, String label) {
    String b = body(port, "/metrics");
    double sum = 0;
    if (b != null) {
      for (String line : b.split("\n")) {
        if (line.startsWith(name + "{") && line.contains(label)) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
    }
    return sum;
  }
}
