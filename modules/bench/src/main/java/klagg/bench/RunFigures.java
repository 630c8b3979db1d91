package klagg.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import klagg.sim.SimMarket;
import klagg.sim.SimTrade;
import klagg.sim.SymbolInfo;

/**
 * The e2e harness's figures from its raw samples: latency quantiles per trade, gateway cycle
 * percentiles, medians over runs and the max-rate summary, the per-symbol class histogram, and the
 * tables it prints. See docs/performance.md for what each figure means.
 */
final class RunFigures {
  private RunFigures() {
  }

  static void printTable(JsonObject o) {
    System.out.println();
    System.out.println("| figure | value |");
    System.out.println("|---|---|");
    for (String k : o.fieldNames()) {
      Object v = o.getValue(k);
      if (!(v instanceof JsonObject) && !k.equals("max_runs")) {
        System.out.printf("| %s | %s |%n", k, v instanceof Double d ? String.format("%.2f", d) : v);
      }
    }
    JsonObject runs = o.getJsonObject("runs");
    System.out.println();
    System.out.println("| rate | offered/s | trades/s | cpu µs/trade | p50 ms | p99 ms | p99.9 ms | to cycle p50/p99 | cycle to subscriber p50/p99 | lost | compared klines (+ symbols at max) | mismatched klines (+ symbols at max) | heap B/symbol | RSS B/symbol | load |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (String r : runs.fieldNames()) {
      JsonObject x = runs.getJsonObject(r);
      boolean max = x.containsKey("mismatched_symbols");
      System.out.printf("| %s | %s | %.0f | %.2f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %.2f |%n", r,
          x.containsKey("offered_trades_per_s") ? String.format("%.0f", x.getDouble("offered_trades_per_s")) : "–",
          x.getDouble("trades_per_s"), x.getDouble("cpu_us_per_trade"), x.getValue("p50_ms"), x.getValue("p99_ms"),
          x.getValue("p999_ms"), pair(x, "to_cycle"), pair(x, "cycle_to_subscriber"),
          x.getValue("lost_trades"), x.getValue("compared_klines") + (max ? " + " + x.getValue("compared_symbols") : ""),
          x.getValue("mismatched_klines") + (max ? " + " + x.getValue("mismatched_symbols") : ""),
          x.getValue("heap_bytes_per_symbol"),
          x.getValue("rss_bytes_per_symbol"), x.getDouble("loadavg"));
    }
  }

  /** The median of {@code v} (the mean of the middle two for an even count). */
  static double median(List<Double> v) {
    double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (a.length == 0) {
      return Double.NaN;
    }
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  /** The run whose {@code trades_per_s} is the median (the lower middle one for an even count). */
  static JsonObject medianRun(JsonArray runs) {
    List<JsonObject> l = new ArrayList<>();
    runs.forEach(o -> l.add((JsonObject) o));
    l.sort(java.util.Comparator.comparingDouble(o -> o.getDouble("trades_per_s")));
    return l.get((l.size() - 1) / 2);
  }

  private static List<Double> figures(JsonArray runs, String key) {
    List<Double> v = new ArrayList<>();
    for (Object o : runs) {
      Object x = ((JsonObject) o).getValue(key);
      if (x instanceof Number n && n.doubleValue() >= 0) {
        v.add(n.doubleValue());
      }
    }
    return v;
  }

  /**
   * The max-rate figures of {@code out} from its runs: medians (each figure's own), the list of
   * sustained rates, and the largest worker lag seen in any run's window.
   */
  static void summarizeMax(JsonObject out, JsonArray maxRuns) {
    JsonArray sustained = new JsonArray();
    figures(maxRuns, "trades_per_s").forEach(sustained::add);
    out.put("sustained_trades_per_s", median(figures(maxRuns, "trades_per_s")));
    out.put("sustained_runs", sustained);
    out.put("decoded_trades_per_s", median(figures(maxRuns, "decoded_trades_per_s")));
    out.put("cpu_us_per_trade", median(figures(maxRuns, "cpu_us_per_trade")));
    out.put("cpu_us_per_trade_with_postgres", median(figures(maxRuns, "cpu_us_per_trade_with_postgres")));
    if (!figures(maxRuns, "service_cpu_us_per_trade").isEmpty()) {
      out.put("service_cpu_us_per_trade", median(figures(maxRuns, "service_cpu_us_per_trade")));
    }
    out.put("max_worker_lag_ms", (long) figures(maxRuns, "max_worker_lag_ms").stream().mapToDouble(d -> d).max().orElse(-1));
    boolean bounded = true;
    long lost = 0;
    for (Object o : maxRuns) {
      bounded &= ((JsonObject) o).getBoolean("lag_bounded", true);
      lost += ((JsonObject) o).getLong("lost_trades", 0L);
    }
    out.put("lag_bounded", bounded);
    out.put("lost_trades_max", lost);
  }

  private static String pair(JsonObject x, String part) {
    return x.containsKey(part + "_p50_ms") ? x.getValue(part + "_p50_ms") + " / " + x.getValue(part + "_p99_ms") : "–";
  }

  /**
   * Per symbol, what the running service's live objects hold beyond the stopped one's: the byte
   * total over every class, and the {@code top} classes by bytes ({@code class}, {@code bytes_per_symbol},
   * {@code instances_per_symbol}).
   */
  static JsonObject histogramPerSymbol(Map<String, long[]> running, Map<String, long[]> stopped, int symbols, int top) {
    long total = 0;
    List<Map.Entry<String, long[]>> diff = new ArrayList<>();
    for (Map.Entry<String, long[]> e : running.entrySet()) {
      long[] b = stopped.getOrDefault(e.getKey(), new long[2]);
      long[] d = {e.getValue()[0] - b[0], e.getValue()[1] - b[1]};
      total += d[1];
      diff.add(Map.entry(e.getKey(), d));
    }
    for (Map.Entry<String, long[]> e : stopped.entrySet()) {
      if (!running.containsKey(e.getKey())) {
        total -= e.getValue()[1];
      }
    }
    diff.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
    JsonArray rows = new JsonArray();
    for (Map.Entry<String, long[]> e : diff.subList(0, Math.min(top, diff.size()))) {
      rows.add(new JsonObject().put("class", e.getKey()).put("bytes_per_symbol", (double) e.getValue()[1] / symbols)
          .put("instances_per_symbol", (double) e.getValue()[0] / symbols));
    }
    return new JsonObject().put("bytes_per_symbol", total / symbols).put("top", rows);
  }

  static void printHistogram(JsonObject h) {
    System.out.println();
    System.out.println("| class (running − stopped) | bytes/symbol | instances/symbol |");
    System.out.println("|---|---|---|");
    for (Object o : h.getJsonArray("top")) {
      JsonObject r = (JsonObject) o;
      System.out.printf("| %s | %.1f | %.2f |%n", r.getString("class"), r.getDouble("bytes_per_symbol"),
          r.getDouble("instances_per_symbol"));
    }
    System.out.printf("| total (every class) | %d | |%n", h.getLong("bytes_per_symbol"));
  }

  /** The gateway cycles between two status snapshots: p50, p99, max (ms), count, the non-empty 1 ms buckets. */
  static void cycleFigures(JsonObject res, JsonObject before, JsonObject after) {
    klagg.service.CycleHistogram w = klagg.service.CycleHistogram.fromJson(after.getJsonObject("cycleHistogram"))
        .minus(klagg.service.CycleHistogram.fromJson(before.getJsonObject("cycleHistogram")));
    res.put("gateway_cycle_p50_ms", w.percentileMs(0.50)).put("gateway_cycle_p99_ms", w.percentileMs(0.99))
        .put("gateway_cycle_max_ms", w.maxMs()).put("gateway_cycles_in_window", w.count())
        .put("gateway_cycle_buckets", w.toJson().getJsonArray("buckets"));
  }

  /** The {@code q} quantile of sorted {@code a}. */
  static long pct(long[] a, double q) {
    return a[Math.min(a.length - 1, (int) (a.length * q))];
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

  /** One received kline update of a tracked symbol: server-clock receive time and last trade id. */
  record Update(long recvServerMs, long cycleServerMs, long openTime, long lastId, long count) {}
}
