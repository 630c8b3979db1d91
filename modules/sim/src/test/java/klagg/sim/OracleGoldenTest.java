package klagg.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The oracle itself (SimInterval, SimDecimal, TradeSums, SimKline) pinned to Binance's own klines on real
 * exchange data (testdata/binance/, see its README.md): nothing of the service is involved.
 */
class OracleGoldenTest {
  static final String BASE = "usdm-BTCUSDT-2023-04-04T2359";

  /** USD-M prints price 2, quantity 3, quote 5 decimals. */
  private static SymbolInfo usdm(long listedAt) {
    return new SymbolInfo(0, "BTCUSDT", "USDT", 2, 3, 2, 3, 5, 0, 1, 0, 1, 0, 0, listedAt);
  }

  private static String csv(SimKline k) {
    return String.join(",", Long.toString(k.openTime), k.open, k.high, k.low, k.close, k.volume,
        Long.toString(k.closeTime), k.quoteVolume, Long.toString(k.count), k.takerBase, k.takerQuote, "0");
  }

  private static List<String> goldenRows(long firstOpen, long lastOpen) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(TestSupport.binance(BASE + ".klines-1m.csv"))) {
      if (!Character.isDigit(line.charAt(0))) {
        continue;
      }
      long open = Long.parseLong(line.substring(0, line.indexOf(',')));
      if (open >= firstOpen && open <= lastOpen) {
        out.add(line);
      }
    }
    return out;
  }

  @Test
  void usdmMinutesFromRealTradesEqualBinancesKlinesOnEveryField() throws IOException {
    TreeMap<Long, TradeSums> minutes = new TreeMap<>();
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (String line : Files.readAllLines(TestSupport.binance(BASE + ".aggTrades.csv"))) {
      if (!Character.isDigit(line.charAt(0))) {
        continue;
      }
      String[] f = line.split(",");
      long t = Long.parseLong(f[5]);
      first = Math.min(first, t);
      last = Math.max(last, t);
      minutes.computeIfAbsent(SimInterval.M1.openOf(t), k -> new TradeSums()).trade(Long.parseLong(f[0]),
          SimDecimal.parse(f[1], 2), SimDecimal.parse(f[2], 3), Long.parseLong(f[3]), Long.parseLong(f[4]), t,
          Boolean.parseBoolean(f[6]));
    }
    SymbolInfo s = usdm(first);
    List<String> golden = goldenRows(SimInterval.M1.openOf(first), SimInterval.M1.openOf(last));
    assertThat(golden).hasSize(7);
    for (String g : golden) {
      long open = Long.parseLong(g.substring(0, g.indexOf(',')));
      TradeSums sums = minutes.get(open);
      assertThat(sums).as("trades in minute %d", open).isNotNull();
      assertThat(csv(new SimKline(s, SimInterval.M1, open, sums, 0))).isEqualTo(g);
    }
  }

  @Test
  void replayMarketServesBinancesKlinesOnEveryField() throws IOException {
    Path file = TestSupport.binance(BASE + ".aggTrades.csv");
    SimClock clock = new SimClock(1, 0);
    ReplayMarket m = new ReplayMarket(clock, file, null, true);
    SymbolInfo s = m.symbols().get(0);
    long start = 1680652740000L; // 2023-04-04T23:59Z, the first complete minute
    clock.setNow(start + 7 * 60_000L); // replay over: every trade visible
    List<SimKline> ks = m.klines(s, SimInterval.M1, start, start + 6 * 60_000L, 1000);
    List<String> golden = goldenRows(start, start + 6 * 60_000L);
    assertThat(golden).hasSize(7);
    assertThat(ks).hasSize(7);
    for (int i = 0; i < 7; i++) {
      assertThat(csv(ks.get(i))).isEqualTo(golden.get(i));
    }
  }

  /**
   * Between two kline_1m updates of a minute whose trade-id range is covered by captured aggTrades, the
   * oracle's sums over those aggTrades are exactly the kline's moves: n, v, V exactly, q and Q within
   * Binance's 8-decimal printing, c the last price, h/l the running extremes.
   */
  @Test
  void spotCaptureKlineUpdatesMoveByTheOraclesSums() throws IOException {
    ObjectMapper om = new ObjectMapper();
    Map<String, List<JsonNode>> trades = new HashMap<>();
    List<JsonNode> frames = new ArrayList<>();
    for (String line : Files.readAllLines(TestSupport.binance("spot-BTC-ETH-DOT-2021-04-04T2003.ws.jsonl"))) {
      JsonNode data = om.readTree(line).get("data");
      frames.add(data);
      if (data.get("e").asText().equals("aggTrade")) {
        trades.computeIfAbsent(data.get("s").asText(), x -> new ArrayList<>()).add(data);
      }
    }
    Map<String, JsonNode> lastKline = new HashMap<>();
    BigDecimal printing = new BigDecimal("0.00000001");
    int steps = 0;
    for (JsonNode data : frames) {
      if (!data.get("e").asText().equals("kline")) {
        continue;
      }
      String sym = data.get("s").asText();
      JsonNode k = data.get("k");
      JsonNode before = lastKline.put(sym, k);
      if (before == null || before.get("t").asLong() != k.get("t").asLong()
          || before.get("L").asLong() >= k.get("L").asLong()) {
        continue;
      }
      long to = k.get("L").asLong();
      long covered = before.get("L").asLong() + 1;
      TradeSums sums = new TradeSums();
      for (JsonNode a : trades.getOrDefault(sym, List.of())) {
        if (a.get("f").asLong() == covered && a.get("l").asLong() <= to) {
          assertThat(SimInterval.M1.openOf(a.get("T").asLong())).isEqualTo(k.get("t").asLong());
          sums.trade(a.get("a").asLong(), SimDecimal.parse(a.get("p").asText(), 8),
              SimDecimal.parse(a.get("q").asText(), 8), a.get("f").asLong(), a.get("l").asLong(),
              a.get("T").asLong(), a.get("m").asBoolean());
          covered = a.get("l").asLong() + 1;
        }
      }
      if (covered != to + 1) {
        continue; // not covered by the capture
      }
      String at = sym + " L=" + to;
      assertThat(sums.lastTradeId).as(at).isEqualTo(to);
      assertThat(sums.count).as(at).isEqualTo(k.get("n").asLong() - before.get("n").asLong());
      assertThat(sums.volume.longValue()).as(at).isEqualTo(diff8(k, before, "v"));
      assertThat(sums.takerBase.longValue()).as(at).isEqualTo(diff8(k, before, "V"));
      BigDecimal q = new BigDecimal(k.get("q").asText()).subtract(new BigDecimal(before.get("q").asText()));
      BigDecimal tq = new BigDecimal(k.get("Q").asText()).subtract(new BigDecimal(before.get("Q").asText()));
      assertThat(new BigDecimal(sums.quote.value(), 16).subtract(q).abs()).as(at).isLessThanOrEqualTo(printing);
      assertThat(new BigDecimal(sums.takerQuote.value(), 16).subtract(tq).abs()).as(at).isLessThanOrEqualTo(printing);
      assertThat(sums.close).as(at).isEqualTo(SimDecimal.parse(k.get("c").asText(), 8));
      assertThat(Math.max(sums.high, SimDecimal.parse(before.get("h").asText(), 8))).as(at)
          .isEqualTo(SimDecimal.parse(k.get("h").asText(), 8));
      assertThat(Math.min(sums.low, SimDecimal.parse(before.get("l").asText(), 8))).as(at)
          .isEqualTo(SimDecimal.parse(k.get("l").asText(), 8));
      steps++;
    }
    assertThat(steps).isEqualTo(96);
  }

  private static long diff8(JsonNode k, JsonNode before, String field) {
    return SimDecimal.parse(k.get(field).asText(), 8) - SimDecimal.parse(before.get(field).asText(), 8);
  }
}
