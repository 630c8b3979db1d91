package klagg.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.core.KlineDelta;
import klagg.service.Addresses;
import klagg.service.KlaggConfig;
import klagg.service.KlaggService;
import klagg.service.msg.CycleUpdate;
import klagg.sim.SimMarket;
import klagg.sim.SimTrade;
import klagg.sim.Simulator;
import klagg.sim.SymbolInfo;

/**
 * End-to-end load harness: in one JVM, the simulator in firehose mode, the whole service (embedded
 * PostgreSQL persistence) reading it over loopback WebSockets, and a WebSocket subscriber on a few
 * symbols' {@code @kline_1m} streams. See docs/performance.md for what each figure means.
 *
 * <pre>e2e [--duration S] [--json FILE] [--rate N|max|all|startup|restart] [--symbols N] [--db URL] [--track N] [--warmup S] [--no-baseline]</pre>
 */
public final class E2e {
  int duration = 20;
  String json;
  String rate = "all";
  int symbols = 1000;
  String db;
  boolean baseline = true;
  int track = 3;
  /** Seconds of firehose before the max-rate window (JIT, first-trade repairs), as the baseline's 3 s. */
  int warmup = 5;

  public static void main(String[] args) throws Exception {
    System.exit(BenchMain.run(BenchMain.prepend("e2e", args), System.out, System.err));
  }

  void run() throws Exception {
    JsonObject out = new JsonObject();
    JsonObject env = new JsonObject().put("nproc", Runtime.getRuntime().availableProcessors())
        .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"))
        .put("gc", ManagementFactory.getGarbageCollectorMXBeans().stream().map(b -> b.getName()).toList().toString())
        .put("maxHeapMb", Runtime.getRuntime().maxMemory() >> 20)
        .put("loadavg_start", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage())
        .put("symbols", symbols).put("duration_s", duration);
    out.put("env", env);
    // startup (~12 min, bounded by the exchange's REST weight) only when asked: --rate startup
    List<String> rates = rate.equals("all") ? List.of("10000", "100000", "max")
        : rate.equals("none") ? List.of() : List.of(rate);
    JsonObject runs = new JsonObject();
    for (String r : rates) {
      if (r.equals("restart")) {
        JsonObject st = new RestartRun(symbols, 3, 200).run();
        out.put("restart", st);
        out.put("restart_to_live_ms", st.getLong("restart_to_live_ms"));
        System.out.println("run restart: " + st.encode());
        continue;
      }
      if (r.equals("startup")) {
        JsonObject st = runStartup();
        out.put("startup", st);
        out.put("start_to_live_ms", st.getLong("start_to_live_ms"));
        out.put("start_to_backfilled_ms", st.getLong("start_to_backfilled_ms"));
        System.out.println("run startup: " + st.encode());
        continue;
      }
      JsonObject res = runOnce(r);
      runs.put(r, res);
      System.out.println("run " + r + ": " + res.encode());
    }
    out.put("runs", runs);
    JsonObject max = runs.getJsonObject("max");
    if (max != null) {
      out.put("sustained_trades_per_s", max.getDouble("trades_per_s"));
      out.put("cpu_us_per_trade", max.getDouble("cpu_us_per_trade"));
      out.put("cpu_us_per_trade_with_postgres", max.getDouble("cpu_us_per_trade_with_postgres"));
      out.put("lost_trades_max", max.getLong("lost_trades"));
    }
    long lost = 0;
    for (String r : runs.fieldNames()) {
      lost += runs.getJsonObject(r).getLong("lost_trades", 0L);
    }
    out.put("lost_trades", lost);
    JsonObject r100 = runs.getJsonObject("100000");
    if (r100 != null) {
      out.put("p50_ms_at_100k", r100.getValue("p50_ms")).put("p99_ms_at_100k", r100.getValue("p99_ms"))
          .put("p999_ms_at_100k", r100.getValue("p999_ms"));
    }
    JsonObject r10 = runs.getJsonObject("10000");
    if (r10 != null) {
      out.put("p50_ms_at_10k", r10.getValue("p50_ms")).put("p99_ms_at_10k", r10.getValue("p99_ms"))
          .put("p999_ms_at_10k", r10.getValue("p999_ms"));
    }
    if (baseline) {
      JsonObject b = Baseline.run(symbols, duration);
      out.put("baseline", b);
      out.put("baseline_trades_per_s", b.getDouble("trades_per_s"));
      if (max != null) {
        out.put("ratio_vs_baseline", max.getDouble("trades_per_s") / b.getDouble("trades_per_s"));
      }
    }
    env.put("loadavg_end", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    printTable(out);
    if (json != null) {
      Files.writeString(Path.of(json), out.encodePrettily());
    }
  }

  static void printTable(JsonObject o) {
    System.out.println();
    System.out.println("| figure | value |");
    System.out.println("|---|---|");
    for (String k : o.fieldNames()) {
      Object v = o.getValue(k);
      if (!(v instanceof JsonObject)) {
        System.out.printf("| %s | %s |%n", k, v instanceof Double d ? String.format("%.2f", d) : v);
      }
    }
    JsonObject runs = o.getJsonObject("runs");
    System.out.println();
    System.out.println("| rate | offered/s | trades/s | cpu µs/trade | p50 ms | p99 ms | p99.9 ms | to cycle p50/p99 | cycle to subscriber p50/p99 | lost | compared (klines / symbols at max) | mismatched | heap B/symbol | RSS B/symbol | load |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (String r : runs.fieldNames()) {
      JsonObject x = runs.getJsonObject(r);
      System.out.printf("| %s | %s | %.0f | %.2f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %.2f |%n", r,
          x.containsKey("offered_trades_per_s") ? String.format("%.0f", x.getDouble("offered_trades_per_s")) : "–",
          x.getDouble("trades_per_s"), x.getDouble("cpu_us_per_trade"), x.getValue("p50_ms"), x.getValue("p99_ms"),
          x.getValue("p999_ms"), pair(x, "to_cycle"), pair(x, "cycle_to_subscriber"),
          x.getValue("lost_trades"), x.getValue("compared_klines", x.getValue("compared_symbols")),
          x.getValue("mismatched_klines", x.getValue("mismatched_symbols")), x.getValue("heap_bytes_per_symbol"),
          x.getValue("rss_bytes_per_symbol"), x.getDouble("loadavg"));
    }
  }

  private static String pair(JsonObject x, String part) {
    return x.containsKey(part + "_p50_ms") ? x.getValue(part + "_p50_ms") + " / " + x.getValue(part + "_p99_ms") : "–";
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /**
   * CPU time (user + system, in clock ticks of 10 ms) of every {@code postgres} process on the
   * machine: the embedded database the service writes to is outside this JVM's process CPU. -1 where
   * /proc is missing.
   */
  static long postgresCpuTicks() {
    long ticks = 0;
    try (var dirs = Files.list(Path.of("/proc"))) {
      for (Path d : (Iterable<Path>) dirs::iterator) {
        if (!d.getFileName().toString().chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String stat = Files.readString(d.resolve("stat"));
          int close = stat.lastIndexOf(')');
          if (!stat.substring(stat.indexOf('(') + 1, close).equals("postgres")) {
            continue;
          }
          String[] f = stat.substring(close + 2).split(" ");
          ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
        } catch (Exception e) {
          // the process ended meanwhile
        }
      }
    } catch (Exception e) {
      return -1;
    }
    return ticks;
  }

  static long rssBytes() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (Exception e) {
      // not Linux
    }
    return -1;
  }

  static long usedHeapAfterGc() {
    System.gc();
    System.gc();
    var m = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return m.getUsed();
  }

  /**
   * Start-up with a day to backfill: the simulator holds a day of history for every symbol (at a
   * low rate, so it can summarize it) and Binance's REST weight limit (6,000/min); the service starts
   * with an empty database and {@code backfill.days} 1. Measured from {@code KlaggService.start}: every
   * symbol live (seeded and streaming, {@code notLive} 0 on every worker), and the backfill done.
   */
  /** Vert.x as `klagg run` sizes it (eventLoops 0 = auto); -Dklagg.eventLoops=N to compare. */
  static Vertx newVertx() {
    return Vertx.vertx(new VertxOptions().setEventLoopPoolSize(
        Integer.getInteger("klagg.eventLoops", KlaggConfig.autoEventLoops())));
  }

  /** --db URL, else an embedded PostgreSQL in a fresh temp dir. */
  JsonObject dbConf() throws java.io.IOException {
    return db != null ? new JsonObject().put("url", db)
        : new JsonObject().put("dataDir", Files.createTempDirectory("klagg-e2e-").resolve("pg").toString());
  }

  JsonObject runStartup() throws Exception {
    Vertx vertx = newVertx();
    long now = System.currentTimeMillis();
    long serverStart = (now / 60_000L) * 60_000L + 20_000L;
    long offset = serverStart - now;
    JsonObject sim = new JsonObject().put("enabled", true).put("port", 0).put("symbols", symbols).put("seed", SEED)
        .put("timeOffsetMs", offset).put("rate", STARTUP_RATE)
        .put("historyStartMs", serverStart - 86_400_000L - 3_600_000L).put("weightLimitPerMinute", 6000);
    JsonObject dbConf = dbConf();
    JsonObject conf = new JsonObject().put("sim", sim)
        .put("symbols", new JsonObject().put("quoteAssets", new JsonArray()).put("max", 0))
        .put("http", new JsonObject().put("port", 0))
        .put("db", dbConf)
        .put("backfill", new JsonObject().put("days", 1));
    long t0 = System.nanoTime();
    long cpu0 = cpuNanos();
    KlaggService svc = await(KlaggService.start(vertx, KlaggConfig.of(conf, Map.of())));
    int workers = svc.config().workers();
    long liveMs = -1;
    long doneMs = -1;
    JsonObject backfill = new JsonObject();
    long deadline = System.nanoTime() + STARTUP_DEADLINE_MS * 1_000_000L;
    long lastPrint = 0;
    while (System.nanoTime() < deadline && (liveMs < 0 || doneMs < 0)) {
      long ms = (System.nanoTime() - t0) / 1_000_000L;
      if (liveMs < 0 && tracked(vertx, workers) == symbols && idle(vertx, workers)) {
        liveMs = ms;
        System.out.println("startup: all " + symbols + " symbols live after " + liveMs + " ms");
      }
      backfill = vertx.eventBus().<JsonObject>request(Addresses.STATUS_BACKFILL, new JsonObject())
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).body();
      if (doneMs < 0 && liveMs >= 0 && !backfill.getBoolean("running", true) && backfill.getInteger("total", 0) > 0) {
        doneMs = ms;
      }
      if (ms - lastPrint >= 10_000) {
        lastPrint = ms;
        System.out.println("startup: " + ms / 1000 + " s, backfill " + backfill.encode());
      }
      Thread.sleep(250);
    }
    JsonObject res = new JsonObject().put("symbols", symbols).put("intervals", svc.config().intervals().size())
        .put("backfill_days", 1).put("exchange_weight_limit_per_minute", 6000).put("history_rate_per_s", STARTUP_RATE)
        .put("start_to_live_ms", liveMs).put("start_to_backfilled_ms", doneMs)
        .put("backfill_klines", backfill.getLong("klines", 0L)).put("backfill_tasks", backfill.getInteger("total", 0))
        .put("cpu_s", (cpuNanos() - cpu0) / 1e9)
        .put("sim_rest_requests", await(svc.simulator().status()).getLong("restRequests", -1L));
    try {
      await(svc.stop());
    } finally {
      await(vertx.close());
    }
    return res;
  }

  /** Trades per second of the startup run's day of history (all symbols together). */
  static final int STARTUP_RATE = 1_000;
  static final long STARTUP_DEADLINE_MS = 15 * 60_000L;

  static int tracked(Vertx vertx, int workers) throws Exception {
    int n = 0;
    for (int i = 0; i < workers; i++) {
      n += workerStatus(vertx, i).getInteger("symbols", 0);
    }
    return n;
  }

  /** One received kline update of a tracked symbol: server-clock receive time and last trade id. */
  record Update(long recvServerMs, long cycleServerMs, long openTime, long lastId, long count) {}

  JsonObject runOnce(String r) throws Exception {
    boolean max = r.equals("max");
    double fixed = max ? 0 : Double.parseDouble(r);
    long heap0 = usedHeapAfterGc();
    long rss0 = rssBytes();
    Vertx vertx = newVertx();
    long now = System.currentTimeMillis();
    // server clock: starts at a whole minute; no synthetic history before historyStart (so nothing to
    // backfill or repair) and the first measured trades come once the service is up
    long serverStart = (now / 60_000L) * 60_000L + 60_000L;
    if (!max) {
      serverStart = startOffering(serverStart, symbols, fixed, duration);
    }
    long offset = serverStart - now;
    // fixed rate: the market starts on the run's first minute (few trades to seed from REST at any rate);
    // max: the firehose is not the deterministic market, a short history gives every symbol a price
    long historyStart = max ? serverStart - 120_000L : serverStart;
    JsonObject sim = new JsonObject().put("enabled", true).put("port", 0).put("symbols", symbols).put("seed", SEED)
        .put("timeOffsetMs", offset).put("firehose", true).put("firehoseRate", fixed)
        .put("firehoseHold", max) // max: flood only once every symbol is live
        // fixed rate: trades leave the simulator within 2 ms of their time, as Binance streams them (its
        // default 10 ms emission tick alone added up to 10 ms to every latency measured)
        .put("emitIntervalMs", max ? 10 : 2)
        .put("historyStartMs", historyStart).put("pingIntervalMs", 5000).put("pongTimeoutMs", 120_000)
        .put("weightLimitPerMinute", 100_000_000);
    JsonObject dbConf = dbConf();
    JsonObject conf = new JsonObject().put("sim", sim)
        .put("symbols", new JsonObject().put("quoteAssets", new JsonArray()).put("max", 0))
        .put("http", new JsonObject().put("port", 0))
        .put("web", new JsonObject().put("maxMessagesPerSecond", 50))
        .put("db", dbConf)
        .put("backfill", new JsonObject().put("days", 0));
    Map<String, Kline> oneMinute = new ConcurrentHashMap<>();
    // each cycle's "E" (the service's server time at publication) -> the simulator's clock when the
    // cycle reached this consumer: the split of the latency does not trust the service's clock offset
    Map<Long, Long> cycleAt = new ConcurrentHashMap<>();
    java.util.concurrent.atomic.AtomicReference<Simulator> simRef = new java.util.concurrent.atomic.AtomicReference<>();
    vertx.eventBus().<CycleUpdate>consumer(Addresses.CYCLE, m -> {
      Simulator at = simRef.get();
      if (at != null) {
        cycleAt.putIfAbsent(m.body().serverTime(), at.now());
      }
      for (KlineDelta d : m.body().deltas()) {
        for (int i = 0; i < d.size(); i++) {
          if (d.interval(i) == Interval.M1) {
            Kline k = d.get(i, new Kline());
            oneMinute.put(k.symbol + "|" + k.openTime, k);
          }
        }
      }
    });
    KlaggService svc = await(KlaggService.start(vertx, KlaggConfig.of(conf, Map.of())));
    Simulator s = svc.simulator();
    simRef.set(s);
    SimMarket market = s.market();
    List<SymbolInfo> infos = market.symbols();
    // subscriber on a few symbols' 1m klines
    Map<String, List<Update>> updates = new ConcurrentHashMap<>();
    List<String> tracked = new ArrayList<>();
    StringBuilder streams = new StringBuilder();
    for (int i = 0; i < Math.min(track, infos.size()); i++) {
      SymbolInfo si = infos.get(i * Math.max(1, infos.size() / track));
      tracked.add(si.name);
      updates.put(si.name, java.util.Collections.synchronizedList(new ArrayList<>()));
      streams.append(streams.length() == 0 ? "" : "/").append(si.name.toLowerCase()).append("@kline_1m");
    }
    WebSocketClient wsc = vertx.createWebSocketClient();
    long[] wsFrames = new long[1];
    await(wsc.connect(svc.httpPort(), "127.0.0.1", "/stream?streams=" + streams).map(ws -> {
      ws.textMessageHandler(t -> {
        long recv = s.now();
        wsFrames[0]++;
        JsonObject o = new JsonObject(t);
        JsonObject d = o.getJsonObject("data");
        if (d == null || !"kline".equals(d.getString("e"))) {
          return;
        }
        JsonObject k = d.getJsonObject("k");
        List<Update> l = updates.get(d.getString("s"));
        if (l != null) {
          l.add(new Update(recv, cycleAt.getOrDefault(d.getLong("E"), Long.MIN_VALUE), k.getLong("t"), k.getLong("L"),
              k.getLong("n")));
        }
      });
      return ws;
    }));
    // wait for every symbol to be seeded and live, then for the market to begin (fixed rate) or the
    // first trades (max)
    long ready0 = System.currentTimeMillis();
    while (!idle(vertx, svc.config().workers())) {
      Thread.sleep(250);
    }
    System.out.println("all symbols live after " + (System.currentTimeMillis() - ready0) + " ms");
    await(s.holdFirehose(false));
    while (s.now() < historyStart + 3000 || ingestTrades(vertx) == 0) {
      Thread.sleep(200);
    }
    if (max && warmup > 0) {
      System.out.println("warm-up " + warmup + " s");
      Thread.sleep(warmup * 1000L);
    }
    long sent0 = s.status().toCompletionStage().toCompletableFuture().get().getLong("tradesSent");
    long dec0 = ingestTrades(vertx);
    long cpu0 = cpuNanos();
    long pg0 = postgresCpuTicks();
    long t0 = System.nanoTime();
    long measureFrom = s.now();
    Thread.sleep(duration * 1000L);
    long dec1 = ingestTrades(vertx);
    long cpu1 = cpuNanos();
    long pg1 = postgresCpuTicks();
    long t1 = System.nanoTime();
    long measureTo = s.now();
    long rss1 = rssBytes();
    await(s.applyFaults(new JsonObject().put("stallMs", 600_000)));
    Thread.sleep(1500);
    long sent = s.status().toCompletionStage().toCompletableFuture().get().getLong("tradesSent");
    long decoded = ingestTrades(vertx);
    long heap1 = usedHeapAfterGc();
    double secs = (t1 - t0) / 1e9;
    long trades = dec1 - dec0;
    JsonObject res = new JsonObject().put("mode", max ? "max" : "fixed " + r).put("warmup_s", max ? warmup : 0)
        .put("trades_per_s", trades / secs)
        .put("cpu_us_per_trade", (cpu1 - cpu0) / 1e3 / Math.max(1, trades))
        .put("cpu_cores_busy", (cpu1 - cpu0) / 1e9 / secs)
        .put("postgres_cpu_cores_busy", pg0 < 0 || pg1 < 0 ? -1 : (pg1 - pg0) / 100.0 / secs)
        .put("cpu_us_per_trade_with_postgres", pg0 < 0 || pg1 < 0 ? -1
            : ((cpu1 - cpu0) / 1e3 + (pg1 - pg0) * 10_000.0) / Math.max(1, trades))
        .put("sim_trades_sent", sent).put("ingest_trades_decoded", decoded)
        .put("sent_minus_decoded", sent - decoded)
        .put("heap_bytes_per_symbol", (heap1 - heap0) / symbols)
        .put("rss_bytes_per_symbol", rss0 > 0 ? (rss1 - rss0) / symbols : -1)
        .put("rss_mb", rss1 >> 20)
        .put("subscriber_frames", wsFrames[0])
        .put("loadavg", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    if (!max) {
      verify(res, market, infos, oneMinute, names(vertx));
      latency(res, market, tracked, updates, measureFrom, measureTo);
      // what the market offered in the window (its rate is an hourly average per symbol, spread
      // unevenly over minutes and seconds, so a 15 s window holds more or less than rate x 15)
      long offered = 0;
      for (SymbolInfo si : infos) {
        offered += market.trades(si, measureFrom, measureTo).size();
      }
      res.put("offered_trades_per_s", offered * 1000.0 / Math.max(1, measureTo - measureFrom));
    } else {
      verifyFirehose(res, await(s.firehoseTally()), oneMinute, names(vertx), market);
    }
    // what the workers did: stream gaps, repairs, late trades (a clue to where a difference came from)
    boolean differs = res.getLong("lost_trades", 0L) != 0
        || res.getLong("mismatched_symbols", res.getLong("mismatched_klines", 0L)) != 0;
    long gaps = 0;
    long repairs = 0;
    long late = 0;
    for (int i = 0; i < svc.config().workers(); i++) {
      JsonObject st = workerStatus(vertx, i);
      gaps += st.getLong("gapsFromStream", 0L);
      repairs += st.getLong("repairsTrades", 0L) + st.getLong("repairsKlines", 0L);
      late += st.getLong("lateApplied", 0L) + st.getLong("lateDropped", 0L);
      if (differs) {
        System.out.println("worker " + i + " status: " + st.encode());
      }
    }
    res.put("worker_stream_gaps", gaps).put("worker_repairs", repairs).put("worker_late_trades", late);
    wsc.close();
    try {
      await(svc.stop());
    } catch (Exception e) {
      System.err.println("stop: " + e);
    }
    await(vertx.close());
    return res;
  }

  static Map<Integer, String> names(Vertx vertx) throws Exception {
    JsonObject b = vertx.eventBus().<JsonObject>request(Addresses.SYMBOLS_LIST, new JsonObject())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).body();
    Map<Integer, String> r = new HashMap<>();
    for (Object o : b.getJsonArray("symbols")) {
      JsonObject x = (JsonObject) o;
      r.put(x.getInteger("id"), x.getString("symbol"));
    }
    return r;
  }

  /**
   * The synthetic market's rate is an hourly average per symbol with Zipf shares, spread unevenly over
   * minutes and seconds: a window of a few seconds can hold 0.7x or 1.5x of it. For a fixed rate the
   * server clock is started on the one of the next 240 whole minutes whose measured window (about
   * 20 s in, after start-up) holds closest to the requested rate, from the market's per-second counts;
   * the run still reports what its window actually offered ({@code offered_trades_per_s}).
   */
  static long startOffering(long firstCandidate, int symbols, double rate, int duration) {
    long best = firstCandidate;
    double bestErr = Double.MAX_VALUE;
    double bestRate = 0;
    for (int m = 0; m < 240; m++) {
      long c = firstCandidate + m * 60_000L;
      klagg.sim.SyntheticMarket mk = new klagg.sim.SyntheticMarket(new klagg.sim.SimClock(1, 0), SEED, symbols, rate, c);
      long from = c + 20_000L;
      long to = from + (duration + 10) * 1000L;
      long n = 0;
      for (SymbolInfo si : mk.symbols()) {
        n += mk.countIn(si, from, to);
      }
      double offered = n * 1000.0 / (to - from);
      double err = Math.abs(offered - rate);
      if (err < bestErr) {
        bestErr = err;
        bestRate = offered;
        best = c;
      }
    }
    System.out.printf("server clock starts %d min ahead: the market offers %.0f trades/s (asked %.0f) in the window%n",
        (best - firstCandidate) / 60_000L, bestRate, rate);
    return best;
  }

  static final long SEED = 7;

  /** The {@code q} quantile of sorted {@code a}. */
  static long pct(long[] a, double q) {
    return a[Math.min(a.length - 1, (int) (a.length * q))];
  }

  static JsonObject workerStatus(Vertx vertx, int worker) throws Exception {
    return vertx.eventBus().<JsonObject>request(Addresses.workerControl(worker), new JsonObject().put("op", "status"))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).body();
  }

  static boolean idle(Vertx vertx, int workers) throws Exception {
    for (int i = 0; i < workers; i++) {
      JsonObject b = workerStatus(vertx, i);
      // not inFlight: it also counts repairs scheduled for when a still-open kline closes (a week
      // away for 1w), which a seeding gap under load schedules
      if (b.getInteger("notLive") != 0) {
        return false;
      }
    }
    return true;
  }

  static long ingestTrades(Vertx vertx) throws Exception {
    return vertx.eventBus().<JsonObject>request(Addresses.STATUS_INGEST, new JsonObject())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).body().getLong("trades", 0L);
  }

  /**
   * Loss check against the deterministic market: for every symbol, every 1m kline the service
   * published (last version) against the simulator's trades of that window up to the service's last
   * trade id (the firehose was stalled, so the tail the service never got is not counted as lost;
   * sent − decoded covers that). lost = Σ their count − Σ our count; a field mismatch is counted too.
   */
  static void verify(JsonObject res, SimMarket market, List<SymbolInfo> infos, Map<String, Kline> ours, Map<Integer, String> names) {
    Map<Integer, List<Kline>> bySym = new HashMap<>();
    for (Kline k : ours.values()) {
      bySym.computeIfAbsent(k.symbol, x -> new ArrayList<>()).add(k);
    }
    Map<String, SymbolInfo> byName = new HashMap<>();
    for (SymbolInfo si : infos) {
      byName.put(si.name, si);
    }
    long theirs = 0;
    long mine = 0;
    long compared = 0;
    long mismatched = 0;
    for (Map.Entry<Integer, List<Kline>> e : bySym.entrySet()) {
      List<Kline> ks = e.getValue();
      ks.sort((a, b) -> Long.compare(a.openTime, b.openTime));
      SymbolInfo si = byName.get(names.get(e.getKey()));
      if (si == null) {
        mismatched++;
        continue;
      }
      long lastL = ks.get(ks.size() - 1).lastId;
      for (Kline k : ks) {
        if (k.count == 0) {
          continue;
        }
        lastL = Math.max(lastL, k.lastId);
      }
      for (Kline k : ks) {
        long c = 0;
        for (SimTrade t : market.trades(si, k.openTime, k.closeTime + 1)) {
          if (t.lastId <= lastL) {
            c += t.lastId - t.firstId + 1;
          }
        }
        theirs += c;
        mine += k.count;
        compared++;
        if (c != k.count) {
          mismatched++;
        }
      }
    }
    res.put("lost_trades", theirs - mine).put("compared_klines", compared).put("mismatched_klines", mismatched)
        .put("fills_in_klines", mine).put("fills_in_market", theirs);
  }

  /**
   * Loss check at max rate, where the trades are the firehose's (not the deterministic market): for
   * every symbol the firehose fed, await (10 s) the service's published 1m klines to reach the
   * firehose's last trade id, then check their fills from the firehose's start minute on against
   * what was sent (the market's own fills of that minute before it + the firehose's contiguous trade
   * ids). lost = Σ sent − Σ in klines; a symbol whose klines differ either way is mismatched.
   */
  static void verifyFirehose(JsonObject res, JsonObject tally, Map<String, Kline> ours, Map<Integer, String> names,
      SimMarket market) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    Map<String, long[]> got; // name -> {fills from start minute on, max last id}
    while (true) {
      got = new HashMap<>();
      for (Kline k : ours.values()) {
        String name = names.get(k.symbol);
        JsonObject t = name == null ? null : tally.getJsonObject(name);
        if (t == null) {
          continue;
        }
        long[] g = got.computeIfAbsent(name, x -> new long[2]);
        if (k.openTime >= t.getLong("startMinute")) {
          g[0] += k.count;
        }
        g[1] = Math.max(g[1], k.lastId);
      }
      boolean caughtUp = true;
      for (String name : tally.fieldNames()) {
        long[] g = got.get(name);
        caughtUp &= g != null && g[1] >= tally.getJsonObject(name).getLong("lastTradeId");
      }
      if (caughtUp || System.currentTimeMillis() > deadline) {
        System.out.println("klines " + (caughtUp ? "caught up" : "NOT caught up") + " with the firehose after "
            + (System.currentTimeMillis() - deadline + 10_000) + " ms");
        break;
      }
      Thread.sleep(100);
    }
    long sent = 0;
    long mine = 0;
    long mismatched = 0;
    for (String name : tally.fieldNames()) {
      JsonObject t = tally.getJsonObject(name);
      long expect = t.getLong("marketFillsBefore") + t.getLong("lastTradeId") - t.getLong("firstTradeId") + 1;
      long[] g = got.getOrDefault(name, new long[2]);
      sent += expect;
      mine += g[0];
      if (g[0] != expect || g[1] != t.getLong("lastTradeId")) {
        if (mismatched++ < 5) {
          System.out.printf("mismatch %s: fills sent %d, in klines %d; last trade id sent %d, in klines %d; %s%n",
              name, expect, g[0], t.getLong("lastTradeId"), g[1], t.encode());
          long m0 = t.getLong("startMinute");
          ours.values().stream().filter(k -> name.equals(names.get(k.symbol)) && k.openTime >= m0 - 60_000L)
              .sorted(java.util.Comparator.comparingLong(k -> k.openTime)).limit(3)
              .forEach(k -> System.out.printf("  ours 1m %d: n=%d ids %d..%d%n", k.openTime, k.count, k.firstId, k.lastId));
          for (SimTrade x : market.trades(market.symbol(name), m0 - 60_000L, m0 + 60_000L)) {
            if (x.lastId < t.getLong("firstTradeId")) {
              System.out.printf("  market a=%d T=%d ids %d..%d%n", x.aggId, x.time, x.firstId, x.lastId);
            }
          }
        }
      }
    }
    res.put("lost_trades", sent - mine).put("compared_symbols", tally.size()).put("mismatched_symbols", mismatched)
        .put("fills_in_klines", mine).put("fills_sent", sent);
  }

  /**
   * Latency per trade of a tracked symbol: (server-clock time the subscriber received the first
   * kline update whose last trade id L covers the trade) − (the trade's own time T). Trades of the
   * measurement window only.
   */
  static void latency(JsonObject res, SimMarket market, List<String> tracked, Map<String, List<Update>> updates,
      long from, long to) {
    List<Long> lat = new ArrayList<>();
    List<Long> toCycle = new ArrayList<>();
    List<Long> toSubscriber = new ArrayList<>();
    long uncovered = 0;
    for (String name : tracked) {
      SymbolInfo si = market.symbol(name);
      List<Update> us;
      synchronized (updates.get(name)) {
        us = new ArrayList<>(updates.get(name));
      }
      int j = 0;
      for (SimTrade t : market.trades(si, from, to)) {
        while (j < us.size() && us.get(j).lastId < t.lastId) {
          j++;
        }
        if (j == us.size()) {
          uncovered++;
          continue;
        }
        Update u = us.get(j);
        lat.add(u.recvServerMs - t.time);
        if (u.cycleServerMs != Long.MIN_VALUE) {
          toCycle.add(u.cycleServerMs - t.time);
          toSubscriber.add(u.recvServerMs - u.cycleServerMs);
        }
      }
    }
    long[] a = lat.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(a);
    res.put("latency_samples", a.length).put("latency_uncovered", uncovered);
    if (a.length > 0) {
      res.put("p50_ms", pct(a, 0.50)).put("p99_ms", pct(a, 0.99)).put("p999_ms", pct(a, 0.999)).put("max_ms", a[a.length - 1]);
      // where the time goes: trade time -> the gateway cycle that published it ("E" of the event),
      // and that cycle -> the subscriber's receive
      for (var part : List.of(Map.entry("to_cycle", toCycle), Map.entry("cycle_to_subscriber", toSubscriber))) {
        long[] b = part.getValue().stream().mapToLong(Long::longValue).toArray();
        if (b.length == 0) {
          continue;
        }
        Arrays.sort(b);
        res.put(part.getKey() + "_p50_ms", pct(b, 0.50)).put(part.getKey() + "_p99_ms", pct(b, 0.99));
      }
    }
  }
}
