package klagg.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The e2e harness's arithmetic: medians over runs, the output-side trade count, the JSON keys. */
class E2eFiguresTest {
  private static JsonObject run(double rate, double decoded, double cpu, long lag, long lost) {
    return new JsonObject().put("trades_per_s", rate).put("decoded_trades_per_s", decoded).put("cpu_us_per_trade", cpu)
        .put("cpu_us_per_trade_with_postgres", cpu + 0.1).put("max_worker_lag_ms", lag).put("lag_bounded", lag <= 1000)
        .put("lost_trades", lost);
  }

  @Test
  void medianOfOddAndEvenCounts() {
    assertThat(RunFigures.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
    assertThat(RunFigures.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
    assertThat(RunFigures.median(List.of())).isNaN();
  }

  @Test
  void maxRunsAreSummarizedByTheirMedians() {
    JsonArray runs = new JsonArray().add(run(900_000, 910_000, 1.5, 40, 0)).add(run(1_100_000, 1_120_000, 1.3, 1200, 0))
        .add(run(1_000_000, 1_005_000, 1.4, 20, 0));
    JsonObject out = new JsonObject();
    RunFigures.summarizeMax(out, runs);
    assertThat(out.getDouble("sustained_trades_per_s")).isEqualTo(1_000_000.0);
    assertThat(out.getJsonArray("sustained_runs").getList()).containsExactly(900_000.0, 1_100_000.0, 1_000_000.0);
    assertThat(out.getDouble("decoded_trades_per_s")).isEqualTo(1_005_000.0);
    assertThat(out.getDouble("cpu_us_per_trade")).isEqualTo(1.4);
    assertThat(out.getLong("max_worker_lag_ms")).isEqualTo(1200L);
    assertThat(out.getBoolean("lag_bounded")).isFalse();
    assertThat(out.containsKey("service_cpu_us_per_trade")).isFalse();
    assertThat(RunFigures.medianRun(runs).getDouble("trades_per_s")).isEqualTo(1_000_000.0);
  }

  @Test
  void publishedTradesCountTheGrowthOfEachSymbolsLastAggregateId() {
    Map<Integer, Long> before = Map.of(1, 100L, 2, 50L, 3, -1L);
    Map<Integer, Long> after = Map.of(1, 160L, 2, 50L, 3, 9_000L, 4, 7L);
    // symbol 1: 60 trades; 2: none; 3 and 4: ids before the window unknown, not counted
    assertThat(E2e.publishedBetween(before, after)).isEqualTo(60L);
  }

  @Test
  void intervalsAllAreBinancesFifteenAndAListIsParsed() {
    assertThat(E2e.intervalsConf("all").getList()).containsExactly("1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h",
        "6h", "8h", "12h", "1d", "3d", "1w", "1M");
    assertThat(E2e.intervalsConf("1m,1h, 5m").getList()).containsExactly("1m", "5m", "1h");
    assertThat(E2e.intervalsConf(null)).isNull();
  }

  @Test
  void classHistogramTextIsParsedAndDiffedPerSymbol() {
    String running = """
         num     #instances         #bytes  class name (module)
        -------------------------------------------------------
           1:         20000        4000000  [J (java.base@17.0.9)
           2:          3000         300000  klagg.service.web.KlineCache$Ring
           3:            10            400  java.lang.String (java.base@17.0.9)
        Total         23010        4300400
        """;
    String stopped = """
           1:           100          20000  [J (java.base@17.0.9)
           2:            20            800  java.lang.String (java.base@17.0.9)
           3:             5            200  java.lang.Gone (java.base@17.0.9)
        Total           125          21000
        """;
    Map<String, long[]> r = JvmProbes.parseClassHistogram(running);
    Map<String, long[]> st = JvmProbes.parseClassHistogram(stopped);
    assertThat(r).hasSize(3);
    assertThat(r.get("[J")).containsExactly(20000L, 4000000L);
    assertThat(r.get("klagg.service.web.KlineCache$Ring")).containsExactly(3000L, 300000L);
    JsonObject h = RunFigures.histogramPerSymbol(r, st, 100, 2);
    // (4,300,400 - 21,000) / 100
    assertThat(h.getLong("bytes_per_symbol")).isEqualTo(42794L);
    JsonArray top = h.getJsonArray("top");
    assertThat(top.size()).isEqualTo(2);
    assertThat(top.getJsonObject(0).getString("class")).isEqualTo("[J");
    assertThat(top.getJsonObject(0).getDouble("bytes_per_symbol")).isEqualTo(39800.0);
    assertThat(top.getJsonObject(0).getDouble("instances_per_symbol")).isEqualTo(199.0);
    assertThat(top.getJsonObject(1).getString("class")).isEqualTo("klagg.service.web.KlineCache$Ring");
  }

  @Test
  void gatewayCycleFiguresAreThoseOfTheWindow() {
    klagg.service.CycleHistogram h = new klagg.service.CycleHistogram();
    for (int i = 0; i < 50; i++) {
      h.record(900_000_000L); // before the window: 900 ms
    }
    JsonObject before = new JsonObject().put("cycleHistogram", h.toJson());
    for (int i = 0; i < 100; i++) {
      h.record(i < 99 ? 2_500_000L : 12_300_000L);
    }
    JsonObject res = new JsonObject();
    RunFigures.cycleFigures(res, before, new JsonObject().put("cycleHistogram", h.toJson()));
    assertThat(res.getLong("gateway_cycles_in_window")).isEqualTo(100L);
    assertThat(res.getDouble("gateway_cycle_p50_ms")).isEqualTo(3.0);
    assertThat(res.getDouble("gateway_cycle_p99_ms")).isEqualTo(3.0);
    assertThat(res.getDouble("gateway_cycle_max_ms")).isEqualTo(13.0);
    assertThat(res.getJsonArray("gateway_cycle_buckets")).isEqualTo(new JsonArray().add(new JsonArray().add(2).add(99L))
        .add(new JsonArray().add(12).add(1L)));
  }
}
