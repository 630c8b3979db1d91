package klagg.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
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
import klagg.sim.SymbolInfo;

/**
 * End-to-end load harness: in one JVM, the simulator in firehose mode, the whole service (embedded
 * PostgreSQL persistence) reading it over loopback WebSockets, and a WebSocket subscriber on a few
 * symbols' {@code @kline_1m} streams. See docs/performance.md for what each figure means. Beside it:
 * {@link RunFigures} (latency quantiles, medians, the tables), {@link JvmProbes} (CPU, memory, heap,
 * class histogram) and {@link ExchangeCheck} (published klines against the exchange's and the firehose's).
 *
 * <pre>e2e [--duration S] [--json FILE] [--rate N|max|all|startup|restart] [--symbols N] [--db URL] [--track N]
 *     [--warmup S] [--runs N] [--sim-process] [--max-lag-ms MS] [--no-baseline] [--intervals all|LIST]
 *     [--histogram N]</pre>
 */
public final class E2e {
  /** Clients held for the JVM's life: Vert.x closes an unreferenced client when it is collected. */
  static final List<Object> CLIENTS = java.util.Collections.synchronizedList(new ArrayList<>());

  int duration = 20;
  String json;
  String rate = "all";
  int symbols = 1000;
  String db;
  boolean baseline = true;
  int track = 3;
  /** Seconds of firehose before the max-rate window (JIT, first-trade repairs), as the baseline's 3 s. */
  int warmup = 5;
  /** Max-rate runs (each a fresh service); the reported figure is their median. */
  int runs = 3;
  /** The simulator in its own JVM, so this JVM's CPU is the service's (plus the harness's consumers). */
  boolean simProcess;
  /**
   * The worker lag (age of a worker's oldest unacknowledged trade batch, the ingest's back-pressure
   * measure) a sustained rate may reach in its window: a run above it is flagged {@code lag_bounded} false.
   */
  long maxLagMs = 1000;
  /** The service's intervals: null = its default set, "all" = Binance's 15, else a comma-separated list. */
  String intervals;
  /** Top classes of the per-symbol class histogram to print (0: no class histogram). */
  int histogram;

  /** Binance's 15 kline intervals (what {@code --intervals all} serves). */
  static final List<String> ALL_INTERVALS = List.of("1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h",
      "1d", "3d", "1w", "1M");

  /** The {@code intervals} of the service's configuration for {@code --intervals spec}; null: the default. */
  static JsonArray intervalsConf(String spec) {
    if (spec == null || spec.isBlank()) {
      return null;
    }
    JsonArray a = new JsonArray();
    if (spec.trim().equalsIgnoreCase("all")) {
      ALL_INTERVALS.forEach(a::add);
      return a;
    }
    for (Interval iv : Interval.parseList(spec)) {
      a.add(iv.code());
    }
    if (a.isEmpty()) {
      throw new IllegalArgumentException("--intervals: no interval in '" + spec + "'");
    }
    return a;
  }

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
        .put("symbols", symbols).put("duration_s", duration)
        .put("intervals", intervalsConf(intervals) == null ? "default" : String.join(",", intervalsConf(intervals).getList()));
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
        out.put("start_to_live_s", st.getLong("start_to_live_ms") < 0 ? -1 : st.getLong("start_to_live_ms") / 1000.0);
        out.put("start_to_backfilled_ms", st.getLong("start_to_backfilled_ms"));
        System.out.println("run startup: " + st.encode());
        continue;
      }
      int times = r.equals("max") ? Math.max(1, this.runs) : 1;
      JsonArray all = new JsonArray();
      for (int i = 0; i < times; i++) {
        JsonObject res = runOnce(r);
        all.add(res);
        System.out.println("run " + r + (times > 1 ? " #" + (i + 1) : "") + ": " + res.encode());
      }
      runs.put(r, times == 1 ? all.getJsonObject(0) : RunFigures.medianRun(all));
      if (times > 1) {
        out.put("max_runs", all);
      }
    }
    out.put("runs", runs);
    JsonArray maxRuns = out.getJsonArray("max_runs",
        runs.containsKey("max") ? new JsonArray().add(runs.getJsonObject("max")) : new JsonArray());
    if (!maxRuns.isEmpty()) {
      RunFigures.summarizeMax(out, maxRuns);
    }
    long lost = 0;
    long mismatched = 0;
    for (String r : runs.fieldNames()) {
      if (r.equals("max")) {
        continue;
      }
      lost += runs.getJsonObject(r).getLong("lost_trades", 0L);
      mismatched += runs.getJsonObject(r).getLong("mismatched_klines", 0L);
    }
    for (Object o : maxRuns) {
      lost += ((JsonObject) o).getLong("lost_trades", 0L);
      // a firehose symbol whose klines differ from what was sent is at least one mismatched kline
      mismatched += ((JsonObject) o).getLong("mismatched_klines", 0L) + ((JsonObject) o).getLong("mismatched_symbols", 0L);
    }
    out.put("lost_trades", lost).put("mismatched_klines", mismatched);
    JsonObject r100 = runs.getJsonObject("100000");
    if (r100 != null) {
      out.put("p50_ms_at_100k", r100.getValue("p50_ms")).put("p99_ms_at_100k", r100.getValue("p99_ms"))
          .put("p999_ms_at_100k", r100.getValue("p999_ms"));
    }
    // the scale figures of the last fixed-rate run (or the max run): heap per symbol, gateway cycle
    JsonObject scale = r100 != null ? r100 : runs.fieldNames().isEmpty() ? null
        : runs.getJsonObject(runs.fieldNames().iterator().next());
    if (scale != null) {
      for (String k : SCALE_KEYS) {
        if (scale.containsKey(k)) {
          out.put(k, scale.getValue(k));
        }
      }
    }
    JsonObject r10 = runs.getJsonObject("10000");
    if (r10 != null) {
      out.put("p50_ms_at_10k", r10.getValue("p50_ms")).put("p99_ms_at_10k", r10.getValue("p99_ms"))
          .put("p999_ms_at_10k", r10.getValue("p999_ms"));
    }
    if (baseline) {
      int shards = KlaggConfig.of(new JsonObject(), Map.of()).workers();
      JsonObject b = Baseline.run(symbols, duration, shards, eventLoops(), simProcess);
      out.put("baseline", b);
      out.put("baseline_trades_per_s", b.getDouble("trades_per_s"));
      out.put("baseline_shards", shards);
      if (out.containsKey("sustained_trades_per_s")) {
        out.put("ratio_vs_baseline", out.getDouble("sustained_trades_per_s") / b.getDouble("trades_per_s"));
      }
    }
    env.put("loadavg_end", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    RunFigures.printTable(out);
    if (json != null) {
      Files.writeString(Path.of(json), out.encodePrettily());
    }
  }

  /** Per-run figures also put at the top level (of the 100k run, else the first). */
  static final List<String> SCALE_KEYS = List.of("heap_bytes_per_symbol", "heap_bytes_per_symbol_total",
      "heap_service_mb", "heap_histogram_bytes_per_symbol", "heap_stopped_service_bytes", "gateway_cycle_p50_ms",
      "gateway_cycle_p99_ms", "gateway_cycle_max_ms", "gateway_cycles_in_window", "web_cache_klines");

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  static JsonObject gatewayStatus(Vertx vertx) throws Exception {
    return vertx.eventBus().<JsonObject>request(Addresses.STATUS_GATEWAY, new JsonObject())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).body();
  }

  /** Vert.x as `klagg run` sizes it (eventLoops 0 = auto); -Dklagg.eventLoops=N to compare. */
  static Vertx newVertx() {
    return Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops()));
  }

  static int eventLoops() {
    return Integer.getInteger("klagg.eventLoops", KlaggConfig.autoEventLoops());
  }

  /** --db URL, else an embedded PostgreSQL in a fresh temp dir. */
  JsonObject dbConf() throws java.io.IOException {
    return db != null ? new JsonObject().put("url", db)
        : new JsonObject().put("dataDir", Files.createTempDirectory("klagg-e2e-").resolve("pg").toString());
  }

  /**
   * Start-up with a day to backfill: the simulator holds a day of history for every symbol (at a
   * low rate, so it can summarize it) and Binance's REST weight limit (6,000/min); the service starts
   * with an empty database and {@code backfill.days} 1. Measured from {@code KlaggService.start}: every
   * symbol live (seeded and streaming, {@code notLive} 0 on every worker), and the backfill done.
   */
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
    long cpu0 = JvmProbes.cpuNanos();
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
        .put("cpu_s", (JvmProbes.cpuNanos() - cpu0) / 1e9)
        .put("sim_rest_requests", await(svc.simulator().status()).getLong("restRequests", -1L))
        .put("sim_rest_by_endpoint", await(svc.simulator().status()).getJsonObject("restByEndpoint"))
        .put("seeds", seedKinds(vertx));
    try {
      await(svc.stop());
    } finally {
      await(vertx.close());
    }
    return res;
  }

  /** Seeds by kind (full, from the stream's proof, deferred) from the service's meters. */
  static JsonObject seedKinds(Vertx vertx) {
    JsonObject o = new JsonObject();
    for (var c : klagg.service.KlaggMetrics.of(vertx).find("klagg_exchange_seeds").functionCounters()) {
      o.put(c.getId().getTag("kind"), (long) c.count());
    }
    return o;
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

  JsonObject runService(String r, HeapProbe probe) throws Exception {
    boolean max = r.equals("max");
    double fixed = max ? 0 : Double.parseDouble(r);
    long heap0 = JvmProbes.liveHeapAfterFullGc();
    long rss0 = JvmProbes.rssBytes();
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
    JsonObject sim = new JsonObject().put("enabled", !simProcess).put("port", 0).put("symbols", symbols).put("seed", SEED)
        .put("timeOffsetMs", offset).put("firehose", true).put("firehoseRate", fixed)
        .put("firehoseHold", max) // max: flood only once every symbol is live
        // fixed rate: trades leave the simulator within 2 ms of their time, as Binance streams them (its
        // default 10 ms emission tick alone added up to 10 ms to every latency measured)
        .put("emitIntervalMs", max ? 10 : 2)
        .put("historyStartMs", historyStart).put("pingIntervalMs", 5000).put("pongTimeoutMs", 120_000)
        .put("weightLimitPerMinute", 100_000_000);
    SimHandle child = simProcess ? SimHandle.child(sim, offset) : null;
    JsonObject dbConf = dbConf();
    JsonObject conf = new JsonObject().put("sim", sim)
        .put("symbols", new JsonObject().put("quoteAssets", new JsonArray()).put("max", 0))
        .put("http", new JsonObject().put("port", 0))
        .put("web", new JsonObject().put("maxMessagesPerSecond", 50))
        .put("db", dbConf)
        .put("backfill", new JsonObject().put("days", 0));
    if (intervalsConf(intervals) != null) {
      conf.put("intervals", intervalsConf(intervals));
    }
    if (child != null) {
      conf.put("exchange", new JsonObject().put("venue", "sim").put("restBaseUrl", child.restBaseUrl())
          .put("wsBaseUrl", child.wsBaseUrl()).put("weightLimitPerMinute", 100_000_000));
    }
    Map<String, Kline> oneMinute = new ConcurrentHashMap<>();
    // per symbol, the last aggregate trade id of the klines the gateway published: the output side of
    // the sustained rate (aggregate ids are contiguous per symbol, so its growth counts the trades)
    Map<Integer, Long> publishedAgg = new ConcurrentHashMap<>();
    // each cycle's "E" (the service's server time at publication) -> the simulator's clock when the
    // cycle reached this consumer: the split of the latency does not trust the service's clock offset
    Map<Long, Long> cycleAt = new ConcurrentHashMap<>();
    java.util.concurrent.atomic.AtomicReference<SimHandle> simRef = new java.util.concurrent.atomic.AtomicReference<>(child);
    vertx.eventBus().<CycleUpdate>consumer(Addresses.CYCLE, m -> {
      SimHandle at = simRef.get();
      if (at != null) {
        cycleAt.putIfAbsent(m.body().serverTime(), at.now());
      }
      for (KlineDelta d : m.body().deltas()) {
        for (int i = 0; i < d.size(); i++) {
          if (d.interval(i) == Interval.M1) {
            Kline k = d.get(i, new Kline());
            oneMinute.put(k.symbol + "|" + k.openTime, k);
            if (k.lastAggId >= 0) {
              publishedAgg.merge(k.symbol, k.lastAggId, Math::max);
            }
          }
        }
      }
    });
    KlaggService svc = await(KlaggService.start(vertx, KlaggConfig.of(conf, Map.of())));
    SimHandle s = child != null ? child : SimHandle.inProcess(svc.simulator());
    simRef.set(s);
    SimMarket market = s.market();
    List<SymbolInfo> infos = market.symbols();
    // subscriber on a few symbols' 1m klines
    Map<String, List<RunFigures.Update>> updates = new ConcurrentHashMap<>();
    List<String> tracked = new ArrayList<>();
    StringBuilder streams = new StringBuilder();
    for (int i = 0; i < Math.min(track, infos.size()); i++) {
      SymbolInfo si = infos.get(i * Math.max(1, infos.size() / track));
      tracked.add(si.name);
      updates.put(si.name, java.util.Collections.synchronizedList(new ArrayList<>()));
      streams.append(streams.length() == 0 ? "" : "/").append(si.name.toLowerCase()).append("@kline_1m");
    }
    WebSocketClient wsc = vertx.createWebSocketClient();
    CLIENTS.add(wsc); // held: an unreferenced client is closed when garbage collected, its WebSocket too
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
        List<RunFigures.Update> l = updates.get(d.getString("s"));
        if (l != null) {
          l.add(new RunFigures.Update(recv, cycleAt.getOrDefault(d.getLong("E"), Long.MIN_VALUE), k.getLong("t"), k.getLong("L"),
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
    s.hold(false);
    while (s.now() < historyStart + 3000 || ingestTrades(vertx) == 0) {
      Thread.sleep(200);
    }
    if (max && warmup > 0) {
      System.out.println("warm-up " + warmup + " s");
      Thread.sleep(warmup * 1000L);
    }
    if (!max) {
      // the market has just begun: symbols seeded as never traded hold their first streamed trades
      // until a REST repair of the ids before them; trades decoded before the window would be
      // published inside it. Open the window once the workers' repairs stop (2 s without one, at most 15 s)
      long quietSince = System.currentTimeMillis();
      long repairs = -1;
      long deadline = quietSince + 15_000;
      while (System.currentTimeMillis() < deadline && System.currentTimeMillis() - quietSince < 2_000) {
        long n = 0;
        for (int i = 0; i < svc.config().workers(); i++) {
          n += workerStatus(vertx, i).getLong("repairsTrades", 0L);
        }
        if (n != repairs) {
          repairs = n;
          quietSince = System.currentTimeMillis();
        }
        Thread.sleep(250);
      }
    }
    long dec0 = ingestTrades(vertx);
    Map<Integer, Long> pub0 = new HashMap<>(publishedAgg);
    long cpu0 = JvmProbes.cpuNanos();
    long pg0 = JvmProbes.postgresCpuTicks();
    long simCpu0 = s.cpuTicks();
    JsonObject gw0 = gatewayStatus(vertx);
    long t0 = System.nanoTime();
    long measureFrom = s.now();
    // the window, sampling the workers' lag (age of each one's oldest unacknowledged batch)
    long maxLagMs = 0;
    long maxLagTrades = 0;
    int lagSamples = 0;
    long end = t0 + duration * 1_000_000_000L;
    while (System.nanoTime() < end) {
      Thread.sleep(Math.max(1, Math.min(250, (end - System.nanoTime()) / 1_000_000L)));
      for (Object o : ingestStatus(vertx).getJsonArray("lag", new JsonArray())) {
        JsonObject w = (JsonObject) o;
        maxLagMs = Math.max(maxLagMs, w.getLong("ms", 0L));
        maxLagTrades = Math.max(maxLagTrades, w.getLong("trades", 0L));
      }
      lagSamples++;
    }
    if (maxLagMs > this.maxLagMs) {
      System.out.println("WARNING: worker lag reached " + maxLagMs + " ms in the window (bound " + this.maxLagMs
          + " ms): this run's rate is not a sustained one (lag_bounded false)");
    }
    long dec1 = ingestTrades(vertx);
    JsonObject gw1 = gatewayStatus(vertx);
    Map<Integer, Long> pub1 = new HashMap<>(publishedAgg);
    long cpu1 = JvmProbes.cpuNanos();
    long pg1 = JvmProbes.postgresCpuTicks();
    long simCpu1 = s.cpuTicks();
    long t1 = System.nanoTime();
    long measureTo = s.now();
    long rss1 = JvmProbes.rssBytes();
    double secs = (t1 - t0) / 1e9;
    long published = publishedBetween(pub0, pub1);
    long decodedInWindow = dec1 - dec0;
    // fixed rate: let the window's last minute close and be published, so every kline compared is final
    long lastClosed = Math.floorDiv(measureTo, 60_000L) * 60_000L + 60_000L;
    if (!max) {
      while (s.now() < lastClosed + 2_500) {
        Thread.sleep(200);
      }
    } else {
      lastClosed = Math.floorDiv(measureTo, 60_000L) * 60_000L;
    }
    s.faults(new JsonObject().put("stallMs", 600_000));
    Thread.sleep(1500);
    long sent = s.status().getLong("tradesSent");
    long decoded = ingestTrades(vertx);
    JsonObject res = new JsonObject().put("mode", max ? "max" : "fixed " + r).put("warmup_s", max ? warmup : 0)
        .put("sim_process", simProcess)
        .put("trades_per_s", published / secs)
        .put("decoded_trades_per_s", decodedInWindow / secs)
        .put("published_trades_in_window", published).put("decoded_trades_in_window", decodedInWindow)
        .put("max_worker_lag_ms", maxLagMs).put("max_worker_lag_trades", maxLagTrades).put("lag_samples", lagSamples)
        .put("lag_bound_ms", this.maxLagMs).put("lag_bounded", maxLagMs <= this.maxLagMs)
        .put("cpu_us_per_trade", (cpu1 - cpu0) / 1e3 / Math.max(1, published))
        .put("cpu_cores_busy", (cpu1 - cpu0) / 1e9 / secs)
        .put("postgres_cpu_cores_busy", pg0 < 0 || pg1 < 0 ? -1 : (pg1 - pg0) / 100.0 / secs)
        .put("cpu_us_per_trade_with_postgres", pg0 < 0 || pg1 < 0 ? -1
            : ((cpu1 - cpu0) / 1e3 + (pg1 - pg0) * 10_000.0) / Math.max(1, published));
    if (simProcess) {
      // this JVM holds the service and the harness's consumers only; the simulator's CPU is its own process's
      res.put("service_cpu_us_per_trade", (cpu1 - cpu0) / 1e3 / Math.max(1, published))
          .put("sim_cpu_cores_busy", simCpu0 < 0 || simCpu1 < 0 ? -1 : (simCpu1 - simCpu0) / 100.0 / secs);
    }
    res.put("sim_trades_sent", sent).put("ingest_trades_decoded", decoded)
        .put("sent_minus_decoded", sent - decoded)
        .put("rss_bytes_per_symbol", rss0 > 0 ? (rss1 - rss0) / symbols : -1)
        .put("rss_mb", rss1 >> 20)
        .put("subscriber_frames", wsFrames[0])
        .put("loadavg", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    RunFigures.cycleFigures(res, gw0, gw1);
    Map<Integer, String> names = names(vertx);
    if (!max) {
      // every symbol, every minute from the market's start to the last closed one, every field
      // a kline under repair (REST supplies trades a worker dropped from its buffer) converges within
      // seconds: compare again until equal or 10 s passed, as the max-rate check awaits the firehose
      long deadline = System.currentTimeMillis() + 10_000;
      for (int attempt = 1; ; attempt++) {
        JsonObject v = new JsonObject();
        boolean last = System.currentTimeMillis() > deadline;
        ExchangeCheck.verifyRest(v, s.restBaseUrl(), infos, oneMinute, names, historyStart, lastClosed, Map.of(), last);
        if (v.getLong("mismatched_klines") == 0 || last) {
          res.mergeIn(v).put("kline_compare_attempts", attempt);
          break;
        }
        Thread.sleep(1000);
      }
      RunFigures.latency(res, market, tracked, updates, measureFrom, measureTo);
      // what the market offered in the window (its rate is an hourly average per symbol, spread
      // unevenly over minutes and seconds, so a 15 s window holds more or less than rate x 15)
      long offered = 0;
      for (SymbolInfo si : infos) {
        offered += market.trades(si, measureFrom, measureTo).size();
      }
      res.put("offered_trades_per_s", offered * 1000.0 / Math.max(1, measureTo - measureFrom));
    } else {
      JsonObject tally = s.tally();
      ExchangeCheck.verifyFirehose(res, tally, oneMinute, names, market);
      // the market's own klines (before each symbol's firehose started; all of them for a symbol the
      // firehose never fed) against the simulator's REST klines, every symbol, every field
      Map<String, Long> until = new HashMap<>();
      for (String name : tally.fieldNames()) {
        until.put(name, tally.getJsonObject(name).getLong("startMinute"));
      }
      JsonObject rest = new JsonObject();
      ExchangeCheck.verifyRest(rest, s.restBaseUrl(), infos, oneMinute, names, Math.floorDiv(serverStart, 60_000L) * 60_000L,
          lastClosed, until, true);
      // and the firehose's own klines (its oracle of what it sent), every field
      long[] fh = ExchangeCheck.verifyFirehoseKlines(tally, oneMinute, names);
      res.put("lost_trades", res.getLong("lost_trades") + rest.getLong("lost_trades"))
          .put("mismatched_klines", rest.getLong("mismatched_klines") + fh[1])
          .put("compared_klines", rest.getLong("compared_klines") + fh[0])
          .put("compared_firehose_klines", fh[0]).put("mismatched_firehose_klines", fh[1])
          .put("compared_symbols_rest", rest.getLong("compared_symbols"))
          .put("missing_klines", rest.getLong("missing_klines"));
    }
    // what the workers did: stream gaps, repairs, late trades (a clue to where a difference came from)
    boolean differs = res.getLong("lost_trades", 0L) != 0 || res.getLong("mismatched_symbols", 0L) != 0
        || res.getLong("mismatched_klines", 0L) != 0;
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
    // heap per symbol: the live heap with the service running (streams stalled) and once it stopped,
    // the harness's own kline maps emptied first (they are not the service's)
    oneMinute.clear();
    publishedAgg.clear();
    cycleAt.clear();
    updates.values().forEach(List::clear);
    pub0.clear();
    pub1.clear();
    io.micrometer.core.instrument.Gauge cached = klagg.service.KlaggMetrics.of(vertx).find("klagg_web_cache_klines").gauge();
    res.put("web_cache_klines", cached == null ? -1 : (long) cached.value());
    Map<String, long[]> histRunning = histogram > 0 ? JvmProbes.classHistogram() : null;
    long heapRunning = JvmProbes.liveHeapAfterFullGc();
    wsc.close();
    CLIENTS.remove(wsc);
    try {
      await(svc.stop());
    } catch (Exception e) {
      System.err.println("stop: " + e);
    }
    await(vertx.close());
    if (child != null) {
      child.close();
    }
    probe.heap0 = heap0;
    probe.heapRunning = heapRunning;
    probe.histRunning = histRunning;
    // the harness's own objects, held through the stopped measurement as they were through the running one
    probe.keep = List.of(market, infos, tracked, names, res);
    return res;
  }

  /** What {@link #runService} measured with the service running, for {@link #runOnce} to finish. */
  static final class HeapProbe {
    long heap0;
    long heapRunning;
    Map<String, long[]> histRunning;
    Object keep;
  }

  /**
   * One run of the service at rate {@code r}, then the heap once it stopped: {@link #runService}
   * has returned, so nothing of the service is referenced from its frame any more, while the
   * harness's own objects are still held ({@link HeapProbe#keep}).
   */
  JsonObject runOnce(String r) throws Exception {
    HeapProbe probe = new HeapProbe();
    JsonObject res = runService(r, probe);
    long heap0 = probe.heap0;
    long heapRunning = probe.heapRunning;
    Map<String, long[]> histRunning = probe.histRunning;
    long heapStopped = JvmProbes.liveHeapAfterFullGc();
    Map<String, long[]> histStopped = histogram > 0 ? JvmProbes.classHistogram() : null;
    probe.keep = null;
    res.put("heap_bytes_per_symbol", (heapRunning - heapStopped) / symbols)
        .put("heap_bytes_per_symbol_total", heapRunning / symbols)
        .put("heap_service_mb", (heapRunning - heapStopped) / (double) (1 << 20))
        .put("heap_running_bytes", heapRunning).put("heap_stopped_bytes", heapStopped)
        .put("heap_stopped_service_bytes", heapStopped - heap0);
    if (histRunning != null) {
      JsonObject h = RunFigures.histogramPerSymbol(histRunning, histStopped, symbols, histogram);
      res.put("heap_histogram_bytes_per_symbol", h.getLong("bytes_per_symbol")).put("heap_histogram_top", h.getJsonArray("top"));
      RunFigures.printHistogram(h);
      long left = histStopped.getOrDefault("klagg.service.web.KlineCache$Ring", new long[2])[0];
      if (left > 0) {
        System.out.println("WARNING: " + left + " cache rings still reachable after the service stopped");
      }
    }
    return res;
  }

  /**
   * Trades published between two snapshots of every symbol's last published aggregate trade id:
   * aggregate ids are contiguous per symbol, so the growth of the last one counts the trades whose
   * fills reached a published kline. A symbol first published inside the window is not counted
   * (its ids before are unknown): the figure can only err low.
   */
  static long publishedBetween(Map<Integer, Long> before, Map<Integer, Long> after) {
    long n = 0;
    for (Map.Entry<Integer, Long> e : after.entrySet()) {
      Long a0 = before.get(e.getKey());
      if (a0 != null && a0 >= 0 && e.getValue() > a0) {
        n += e.getValue() - a0;
      }
    }
    return n;
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
    return ingestStatus(vertx).getLong("trades", 0L);
  }

  static JsonObject ingestStatus(Vertx vertx) throws Exception {
    return vertx.eventBus().<JsonObject>request(Addresses.STATUS_INGEST, new JsonObject())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).body();
  }

}
