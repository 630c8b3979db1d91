package klagg.sim;

import static klagg.sim.TestSupport.await;
import static klagg.sim.TestSupport.get;
import static klagg.sim.TestSupport.until;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ReplayGoldenTest {
  static final String BASE = "usdm-BTCUSDT-2023-04-04T2359";

  @Test
  void replayAtOriginalTimesServesBinancesKlines(Vertx vertx) throws Exception {
    SimConfig c = TestSupport.cfg();
    c.replay = TestSupport.binance(BASE + ".aggTrades.csv").toString();
    c.replayOriginalTimes = true;
    c.speed = 0; // max
    Simulator sim = await(Simulator.start(vertx, c));
    assertThat(sim.market().symbols()).extracting(s -> s.name).containsExactly("BTCUSDT");
    until("replay done", 20_000, () -> await(sim.status()).getBoolean("replayDone"));
    WebClient client = WebClient.create(vertx);
    long start = 1680652740000L; // 2023-04-04T23:59Z, the first complete minute
    JsonArray rows = get(client, sim, "/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=" + start + "&limit=7").bodyAsJsonArray();
    assertThat(rows).hasSize(7);
    List<String> golden = Files.readAllLines(TestSupport.binance(BASE + ".klines-1m.csv"));
    int matched = 0;
    for (int i = 0; i < 7; i++) {
      JsonArray k = rows.getJsonArray(i);
      String[] g = golden.stream().filter(l -> l.startsWith(k.getLong(0) + ",")).findFirst().orElseThrow().split(",");
      assertThat(k.getLong(0)).isEqualTo(Long.parseLong(g[0]));
      assertThat(k.getString(1)).isEqualTo(g[1]);
      assertThat(k.getString(2)).isEqualTo(g[2]);
      assertThat(k.getString(3)).isEqualTo(g[3]);
      assertThat(k.getString(4)).isEqualTo(g[4]);
      assertThat(k.getString(5)).isEqualTo(g[5]);
      assertThat(k.getLong(6)).isEqualTo(Long.parseLong(g[6]));
      assertThat(k.getString(7)).isEqualTo(g[7]);
      assertThat(k.getLong(8)).isEqualTo(Long.parseLong(g[8]));
      assertThat(k.getString(9)).isEqualTo(g[9]);
      assertThat(k.getString(10)).isEqualTo(g[10]);
      assertThat(new BigDecimal(k.getString(7))).isEqualByComparingTo(g[7]);
      matched++;
    }
    assertThat(matched).isEqualTo(7);
    // aggTrades by id come back exactly as in the file
    JsonArray t = get(client, sim, "/api/v3/aggTrades?symbol=BTCUSDT&fromId=1000000&limit=2").bodyAsJsonArray();
    assertThat(t.getJsonObject(0).encode()).isEqualTo(
        "{\"a\":1000000,\"p\":\"28153.00\",\"q\":\"0.076\",\"f\":3535186986,\"l\":3535186986,\"T\":1680652740070,\"m\":false,\"M\":true}");
    assertThat(t.getJsonObject(1).getLong("a")).isEqualTo(1000001);
    await(sim.close());
  }

  @Test
  void microsecondFileWithoutHeaderIsShiftedToNow() throws Exception {
    Path f = TestSupport.binance("spot-BTCUSDT-aggTrades-2026-01-01-first5000.csv");
    SimClock clock = new SimClock(1, 0);
    long before = clock.now();
    ReplayMarket m = new ReplayMarket(clock, f, null, false);
    assertThat(m.size()).isEqualTo(5000);
    SymbolInfo s = m.symbols().get(0);
    assertThat(s.name).isEqualTo("BTCUSDT");
    assertThat(s.priceDigits).isEqualTo(8);
    assertThat(s.quoteDigits).isEqualTo(8);
    assertThat(m.firstTradeTime(s)).isBetween(before, clock.now());
    List<SimTrade> first = m.trades(s, m.firstTradeTime(s), m.firstTradeTime(s) + 1);
    assertThat(first.get(0).aggId).isEqualTo(3800397495L);
    // spacing preserved from µs: second trade 233 ms after the first
    List<SimTrade> two = m.trades(s, m.firstTradeTime(s), m.firstTradeTime(s) + 300);
    assertThat(two.get(1).time - two.get(0).time).isEqualTo(1767225600272L - 1767225600039L);
  }
}
