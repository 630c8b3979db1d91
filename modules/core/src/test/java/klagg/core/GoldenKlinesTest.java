package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The book against Binance's own klines, on real exchange data (testdata/binance/, see its README.md). */
class GoldenKlinesTest {
  private final int[] sc = new int[1];

  @Test
  void usdmMinutesMatchBinanceOnEveryField() throws IOException {
    List<String> trades = Files.readAllLines(TestData.binance("usdm-BTCUSDT-2023-04-04T2359.aggTrades.csv"));
    List<String> klines = Files.readAllLines(TestData.binance("usdm-BTCUSDT-2023-04-04T2359.klines-1m.csv"));
    KlineBook book = new KlineBook(List.of(Interval.M1), 2_000, 1);
    book.addSymbol(0, 2, 3);
    AggTrade t = new AggTrade();
    long first = Long.MAX_VALUE;
    long last = 0;
    for (String line : trades.subList(1, trades.size())) {
      String[] f = line.split(",");
      long p = Decimals.parse(f[1], sc);
      int ps = sc[0];
      long q = Decimals.parse(f[2], sc);
      t.set(0, Long.parseLong(f[0]), p, ps, q, sc[0], Long.parseLong(f[3]), Long.parseLong(f[4]),
          Long.parseLong(f[5]), Boolean.parseBoolean(f[6]));
      assertThat(book.apply(t)).isEqualTo(KlineBook.Result.APPLIED);
      first = Math.min(first, t.time);
      last = Math.max(last, t.time);
    }
    book.onTick(Interval.M1.nextOpen(Interval.M1.openOf(last)));
    Map<Long, Kline> ours = new HashMap<>();
    KlineDelta d = book.takeDelta(0);
    for (int i = 0; i < d.size(); i++) {
      Kline k = d.get(i, new Kline());
      ours.put(k.openTime, k);
    }
    int compared = 0;
    for (String line : klines.subList(1, klines.size())) {
      String[] f = line.split(",");
      long open = Long.parseLong(f[0]);
      if (open < Interval.M1.openOf(first) || open > Interval.M1.openOf(last)) {
        continue;
      }
      Kline k = ours.get(open);
      assertThat(k).as("kline at %d", open).isNotNull();
      assertThat(k.closed).isTrue();
      // print as Binance USD-M does: price 2, quantity 3, quote 5 decimals
      String got = String.join(",", Long.toString(k.openTime), Decimals.format(k.open, k.priceScale, 2),
          Decimals.format(k.high, k.priceScale, 2), Decimals.format(k.low, k.priceScale, 2),
          Decimals.format(k.close, k.priceScale, 2), Decimals.format(k.volume, k.qtyScale, 3),
          Long.toString(k.closeTime), Decimals.format128(k.quoteHi, k.quoteLo, k.quoteScale(), 5),
          Long.toString(k.count), Decimals.format(k.takerBuyVolume, k.qtyScale, 3),
          Decimals.format128(k.takerBuyQuoteHi, k.takerBuyQuoteLo, k.quoteScale(), 5), "0");
      assertThat(got).isEqualTo(line);
      compared++;
    }
    assertThat(compared).isEqualTo(7);
  }

  /**
   * Between two kline_1m updates of one minute whose trade-id range is covered by captured
   * aggTrades, the book started from the earlier update and fed those aggTrades must produce the
   * later update: n, v, V, Q exactly, q within Binance's 8-decimal printing, c, h, l.
   */
  @Test
  void websocketCaptureKlineUpdatesAreReproduced() throws IOException {
    ObjectMapper om = new ObjectMapper();
    Map<String, List<JsonNode>> trades = new HashMap<>();
    Map<String, JsonNode> lastKline = new HashMap<>();
    int steps = 0;
    List<JsonNode> frames = new ArrayList<>();
    for (String line : Files.readAllLines(TestData.binance("spot-BTC-ETH-DOT-2021-04-04T2003.ws.jsonl"))) {
      JsonNode data = om.readTree(line).get("data");
      frames.add(data);
      if (data.get("e").asText().equals("aggTrade")) {
        trades.computeIfAbsent(data.get("s").asText(), s -> new ArrayList<>()).add(data);
      }
    }
    for (JsonNode data : frames) {
      String sym = data.get("s").asText();
      if (!data.get("e").asText().equals("kline")) {
        continue;
      }
      JsonNode k = data.get("k");
      JsonNode before = lastKline.put(sym, k);
      if (before == null || before.get("t").asLong() != k.get("t").asLong()
          || before.get("L").asLong() >= k.get("L").asLong()) {
        continue;
      }
      long from = before.get("L").asLong() + 1;
      long to = k.get("L").asLong();
      List<JsonNode> between = new ArrayList<>();
      long covered = from;
      for (JsonNode a : trades.getOrDefault(sym, List.of())) {
        if (a.get("f").asLong() == covered && a.get("l").asLong() <= to) {
          between.add(a);
          covered = a.get("l").asLong() + 1;
        }
      }
      if (covered != to + 1) {
        continue; // not covered by the capture
      }
      KlineBook book = new KlineBook(List.of(Interval.M1), 2_000, 1);
      book.restore(kline(before));
      AggTrade t = new AggTrade();
      for (JsonNode a : between) {
        long p = Decimals.parse(a.get("p").asText(), sc);
        int ps = sc[0];
        long q = Decimals.parse(a.get("q").asText(), sc);
        t.set(0, a.get("a").asLong(), p, ps, q, sc[0], a.get("f").asLong(), a.get("l").asLong(),
            a.get("T").asLong(), a.get("m").asBoolean());
        assertThat(book.apply(t)).isEqualTo(KlineBook.Result.APPLIED);
      }
      Kline got = new Kline();
      book.current(0, Interval.M1, got);
      String at = sym + " L=" + to;
      assertThat(got.count).as(at).isEqualTo(k.get("n").asLong());
      assertThat(got.lastId).as(at).isEqualTo(to);
      assertThat(got.volumeDecimal()).as(at).isEqualByComparingTo(k.get("v").asText());
      assertThat(got.takerBuyVolumeDecimal()).as(at).isEqualByComparingTo(k.get("V").asText());
      assertThat(got.takerBuyQuoteVolumeDecimal().subtract(new BigDecimal(k.get("Q").asText())).abs())
          .as(at).isLessThanOrEqualTo(new BigDecimal("0.00000001"));
      assertThat(got.quoteVolumeDecimal().subtract(new BigDecimal(k.get("q").asText())).abs())
          .as(at).isLessThanOrEqualTo(new BigDecimal("0.00000001"));
      assertThat(got.closeDecimal()).as(at).isEqualByComparingTo(k.get("c").asText());
      assertThat(got.highDecimal()).as(at).isEqualByComparingTo(k.get("h").asText());
      assertThat(got.lowDecimal()).as(at).isEqualByComparingTo(k.get("l").asText());
      assertThat(got.openDecimal()).as(at).isEqualByComparingTo(k.get("o").asText());
      steps++;
    }
    assertThat(steps).isEqualTo(96);
  }

  /** A kline update as the book's restore state: prices and quantities at scale 8, quotes at 16. */
  private static Kline kline(JsonNode k) {
    Kline r = new Kline();
    r.symbol = 0;
    r.interval = Interval.M1;
    r.openTime = k.get("t").asLong();
    r.closeTime = k.get("T").asLong();
    r.priceScale = 8;
    r.qtyScale = 8;
    r.open = new BigDecimal(k.get("o").asText()).movePointRight(8).longValueExact();
    r.high = new BigDecimal(k.get("h").asText()).movePointRight(8).longValueExact();
    r.low = new BigDecimal(k.get("l").asText()).movePointRight(8).longValueExact();
    r.close = new BigDecimal(k.get("c").asText()).movePointRight(8).longValueExact();
    r.volume = new BigDecimal(k.get("v").asText()).movePointRight(8).longValueExact();
    r.takerBuyVolume = new BigDecimal(k.get("V").asText()).movePointRight(8).longValueExact();
    BigInteger q = new BigDecimal(k.get("q").asText()).movePointRight(16).toBigIntegerExact();
    BigInteger tq = new BigDecimal(k.get("Q").asText()).movePointRight(16).toBigIntegerExact();
    r.quoteHi = Decimals.hi(q);
    r.quoteLo = Decimals.lo(q);
    r.takerBuyQuoteHi = Decimals.hi(tq);
    r.takerBuyQuoteLo = Decimals.lo(tq);
    r.count = k.get("n").asLong();
    r.firstId = k.get("f").asLong();
    r.lastId = k.get("L").asLong();
    return r;
  }
}
