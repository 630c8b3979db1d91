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
    assertThat(E2e.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
    assertThat(E2e.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
    assertThat(E2e.median(List.of())).isNaN();
  }

  @Test
  void maxRunsAreSummarizedByTheirMedians() {
    JsonArray runs = new JsonArray().add(run(900_000, 910_000, 1.5, 40, 0)).add(run(1_100_000, 1_120_000, 1.3, 1200, 0))
        .add(run(1_000_000, 1_005_000, 1.4, 20, 0));
    JsonObject out = new JsonObject();
    E2e.summarizeMax(out, runs);
    assertThat(out.getDouble("sustained_trades_per_s")).isEqualTo(1_000_000.0);
    assertThat(out.getJsonArray("sustained_runs").getList()).containsExactly(900_000.0, 1_100_000.0, 1_000_000.0);
    assertThat(out.getDouble("decoded_trades_per_s")).isEqualTo(1_005_000.0);
    assertThat(out.getDouble("cpu_us_per_trade")).isEqualTo(1.4);
    assertThat(out.getLong("max_worker_lag_ms")).isEqualTo(1200L);
    assertThat(out.getBoolean("lag_bounded")).isFalse();
    assertThat(out.containsKey("service_cpu_us_per_trade")).isFalse();
    assertThat(E2e.medianRun(runs).getDouble("trades_per_s")).isEqualTo(1_000_000.0);
  }

  @Test
  void publishedTradesCountTheGrowthOfEachSymbolsLastAggregateId() {
    Map<Integer, Long> before = Map.of(1, 100L, 2, 50L, 3, -1L);
    Map<Integer, Long> after = Map.of(1, 160L, 2, 50L, 3, 9_000L, 4, 7L);
    // symbol 1: 60 trades; 2: none; 3 and 4: ids before the window unknown, not counted
    assertThat(E2e.publishedBetween(before, after)).isEqualTo(60L);
  }
}
