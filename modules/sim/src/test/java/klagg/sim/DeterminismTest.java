package klagg.sim;

import static klagg.sim.TestSupport.await;
import static klagg.sim.TestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.math.BigDecimal;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class DeterminismTest {
  @Test
  void twoInstancesWithTheSameSeedServeTheSamePast(Vertx vertx) {
    SimConfig c = TestSupport.cfg();
    Simulator a = await(Simulator.start(vertx, c));
    Simulator b = await(Simulator.start(vertx, c));
    WebClient client = WebClient.create(vertx);
    long hour = Math.floorDiv(a.now(), 3_600_000L) * 3_600_000L - 3_600_000L; // the previous hour
    for (String sym : new String[] {"BTCUSDT", "SOLUSDT", "DOGEUSDT"}) {
      String q1 = "/api/v3/aggTrades?symbol=" + sym + "&startTime=" + (hour + 600_000) + "&endTime=" + (hour + 900_000) + "&limit=1000";
      JsonArray ta = get(client, a, q1).bodyAsJsonArray();
      JsonArray tb = get(client, b, q1).bodyAsJsonArray();
      assertThat(ta.size()).isGreaterThan(0);
      assertThat(ta).isEqualTo(tb);
      long from = ta.getJsonObject(ta.size() / 2).getLong("a");
      String q2 = "/api/v3/aggTrades?symbol=" + sym + "&fromId=" + from + "&limit=300";
      assertThat(get(client, a, q2).bodyAsJsonArray()).isEqualTo(get(client, b, q2).bodyAsJsonArray());
      for (String iv : new String[] {"1m", "5m", "1h"}) {
        String q3 = "/api/v3/klines?symbol=" + sym + "&interval=" + iv + "&startTime=" + hour + "&endTime=" + (hour + 3_599_999L);
        JsonArray ka = get(client, a, q3).bodyAsJsonArray();
        assertThat(ka).isNotEmpty();
        assertThat(ka).isEqualTo(get(client, b, q3).bodyAsJsonArray());
      }
    }
    await(a.close());
    await(b.close());
    // a third instance, started later with another seed, differs
    SimConfig other = TestSupport.cfg();
    other.seed = 8;
    Simulator d = await(Simulator.start(vertx, other));
    String q = "/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=" + hour + "&limit=10";
    SimConfig same = TestSupport.cfg();
    Simulator e = await(Simulator.start(vertx, same));
    assertThat(get(client, d, q).bodyAsJsonArray()).isNotEqualTo(get(client, e, q).bodyAsJsonArray());
    await(d.close());
    await(e.close());
  }

  @Test
  void marketIsAPureFunctionWithContiguousIdsOnTheGrid() {
    long now = System.currentTimeMillis();
    long hs = now - 3 * 3_600_000L;
    SyntheticMarket m1 = new SyntheticMarket(new SimClock(1, 0), 5, 40, 300, hs);
    SyntheticMarket m2 = new SyntheticMarket(new SimClock(1, 0), 5, 40, 300, hs);
    for (SymbolInfo s : m1.symbols()) {
      long from = now - 3_600_000L - 90_000L; // crosses an hour boundary... maybe; covers minutes and slots
      long to = from + 300_000L;
      List<SimTrade> t1 = m1.trades(s, from, to);
      List<SimTrade> t2 = m2.trades(m2.symbol(s.name), from, to);
      assertThat(t1).isEqualTo(t2);
      // piecewise: two halves equal the whole (pure function of the window)
      List<SimTrade> h1 = m1.trades(s, from, from + 123_457L);
      h1 = new java.util.ArrayList<>(h1);
      h1.addAll(m1.trades(s, from + 123_457L, to));
      assertThat(h1).isEqualTo(t1);
      for (int i = 1; i < t1.size(); i++) {
        assertThat(t1.get(i).aggId).isEqualTo(t1.get(i - 1).aggId + 1);
        assertThat(t1.get(i).firstId).isEqualTo(t1.get(i - 1).lastId + 1);
        assertThat(t1.get(i).time).isGreaterThanOrEqualTo(t1.get(i - 1).time);
      }
      for (SimTrade t : t1) {
        assertThat(t.price).isPositive();
        assertThat(t.qty).isPositive();
        assertThat(t.lastId).isGreaterThanOrEqualTo(t.firstId);
      }
      // ids across an hour boundary stay contiguous
      long hb = Math.floorDiv(now, 3_600_000L) * 3_600_000L;
      List<SimTrade> around = m1.trades(s, hb - 120_000L, hb + 120_000L);
      for (int i = 1; i < around.size(); i++) {
        assertThat(around.get(i).aggId).isEqualTo(around.get(i - 1).aggId + 1);
      }
      // timeOfAggId finds the slot of an id
      if (!t1.isEmpty()) {
        SimTrade mid = t1.get(t1.size() / 2);
        assertThat(m1.timeOfAggId(s, mid.aggId)).isBetween(mid.time - 1000, mid.time);
      }
    }
    // both taker sides and multi-fill aggTrades occur
    List<SimTrade> btc = m1.trades(m1.symbol("BTCUSDT"), now - 3_600_000L, now - 3_000_000L);
    assertThat(btc.stream().anyMatch(t -> t.buyerMaker)).isTrue();
    assertThat(btc.stream().anyMatch(t -> !t.buyerMaker)).isTrue();
    assertThat(btc.stream().anyMatch(t -> t.lastId > t.firstId)).isTrue();
  }

  @Test
  void quietMinutesGiveFlatKlinesAtThePreviousClose() {
    long now = System.currentTimeMillis();
    SimClock clock = new SimClock(1, 0);
    SyntheticMarket m = new SyntheticMarket(clock, 3, 200, 30, now - 2 * 3_600_000L);
    int flats = 0;
    for (SymbolInfo s : m.symbols().subList(100, 200)) {
      List<SimKline> ks = m.klines(s, SimInterval.M1, now - 3_600_000L, null, 60);
      for (int i = 1; i < ks.size(); i++) {
        SimKline k = ks.get(i);
        if (k.count == 0) {
          flats++;
          assertThat(k.open).isEqualTo(ks.get(i - 1).close);
          assertThat(k.high).isEqualTo(k.open);
          assertThat(k.low).isEqualTo(k.open);
          assertThat(k.close).isEqualTo(k.open);
          assertThat(new BigDecimal(k.volume)).isZero();
          assertThat(k.firstTradeId).isEqualTo(-1);
        }
      }
    }
    assertThat(flats).isGreaterThan(0);
  }
  /**
   * Live emission reads the market window by window (~10 ms, sometimes a stall's seconds, sometimes
   * a window that starts before the last one ended) through a per-symbol slot cache: it must hand
   * out exactly the trades of one scan of the whole range, no more, no fewer, in order.
   */
  @Test
  void liveWindowsThroughTheSlotCacheEqualOneScan() {
    long now = System.currentTimeMillis();
    long hs = now - 3_600_000L;
    SyntheticMarket m = new SyntheticMarket(new SimClock(1, 0), 11, 30, 3_000, hs);
    java.util.Random rnd = new java.util.Random(3);
    int checked = 0;
    for (SymbolInfo s : m.symbols()) {
      long from = now - 600_000L + rnd.nextInt(1000);
      long to = from + 180_000L;
      List<SimTrade> whole = m.trades(s, from, to);
      List<SimTrade> live = new java.util.ArrayList<>();
      SyntheticMarket.LiveSlot slot = new SyntheticMarket.LiveSlot();
      long a = from;
      while (a < to) {
        long b = Math.min(to, a + (rnd.nextInt(20) == 0 ? 1 + rnd.nextInt(4_000) : 1 + rnd.nextInt(15)));
        m.scanLive(s, a, b, (x, p, q, f, l, t, bm) -> live.add(new SimTrade(x, p, q, f, l, t, bm)), slot);
        if (rnd.nextInt(50) == 0 && b - a > 2) { // a repeated part: only what the window holds again
          long r = b - 2;
          List<SimTrade> again = new java.util.ArrayList<>();
          m.scanLive(s, r, b, (x, p, q, f, l, t, bm) -> again.add(new SimTrade(x, p, q, f, l, t, bm)), slot);
          assertThat(again).isEqualTo(m.trades(s, r, b));
        }
        a = b;
      }
      assertThat(live).isEqualTo(whole);
      checked += whole.size();
    }
    assertThat(checked).isGreaterThan(10_000);
    // the per-second counts the e2e harness picks its window by agree with the trades themselves
    for (SymbolInfo s : m.symbols()) {
      long from = (now - 500_000L) / 1000 * 1000; // whole seconds
      assertThat(m.countIn(s, from, from + 95_000L)).as(s.name).isEqualTo(m.trades(s, from, from + 95_000L).size());
    }
  }
  /** REST aggTrades by fromId scans from the time of that id: never after the trade (a gap repair asks by id). */
  @Test
  void timeOfAnAggIdIsNeverAfterItsTrade() {
    long now = System.currentTimeMillis();
    long hs = now - 2 * 3_600_000L;
    SyntheticMarket m = new SyntheticMarket(new SimClock(1, 0), 7, 200, 2_000, hs);
    int checked = 0;
    for (SymbolInfo s : m.symbols().subList(0, 8)) {
      for (SimTrade t : m.trades(s, now - 3_600_000L, now - 1000)) {
        assertThat(m.timeOfAggId(s, t.aggId)).as("%s %d", s.name, t.aggId).isLessThanOrEqualTo(t.time);
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(1000);
  }
}
