package klagg.sim;

import static klagg.sim.TestSupport.await;
import static klagg.sim.TestSupport.get;
import static klagg.sim.TestSupport.until;
import static klagg.sim.TestSupport.ws;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.math.BigDecimal;
import java.util.List;
import java.util.concurrent.TimeUnit;
import klagg.sim.TestSupport.WsCollector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client that collects one full minute of aggTrades over the WebSocket computes the kline REST
 * serves for that minute. The server clock is moved to 2 s before a minute boundary and runs 10x
 * real time, so the minute takes 6 s.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class WsMinuteAgreementTest {
  @Test
  void wsMinuteEqualsRestKline(Vertx vertx) {
    SimConfig c = TestSupport.cfg();
    c.timeScale = 10;
    c.rate = 60;
    c.emitIntervalMs = 50;
    c.pingIntervalMs = 60_000;
    Simulator sim = await(Simulator.start(vertx, c));
    WsCollector w = ws(vertx, sim, "/stream?streams=btcusdt@aggTrade/ethusdt@aggTrade/btcusdt@kline_1m");
    long now = sim.now();
    long m = Math.floorDiv(now + 3_600_000L, 60_000L) * 60_000L; // a minute boundary an hour ahead
    sim.setTimeOffsetMs(sim.clock().offsetMs() + (m - 2_000) - now);
    until("the minute to end", 30_000, () -> sim.now() > m + 61_000);
    until("the closed kline", 10_000, () -> w.json().stream().anyMatch(o -> o.getString("stream").endsWith("kline_1m")
        && o.getJsonObject("data").getJsonObject("k").getLong("t") == m
        && o.getJsonObject("data").getJsonObject("k").getBoolean("x")));
    WebClient client = WebClient.create(vertx);
    for (String sym : new String[] {"BTCUSDT", "ETHUSDT"}) {
      String stream = sym.toLowerCase() + "@aggTrade";
      List<JsonObject> ts = w.json().stream().filter(o -> stream.equals(o.getString("stream")))
          .map(o -> o.getJsonObject("data"))
          .filter(t -> t.getLong("T") >= m && t.getLong("T") < m + 60_000).toList();
      assertThat(ts).isNotEmpty();
      BigDecimal hi = null;
      BigDecimal lo = null;
      BigDecimal v = BigDecimal.ZERO;
      BigDecimal q = BigDecimal.ZERO;
      BigDecimal tv = BigDecimal.ZERO;
      BigDecimal tq = BigDecimal.ZERO;
      long n = 0;
      for (int i = 0; i < ts.size(); i++) {
        JsonObject t = ts.get(i);
        if (i > 0) {
          assertThat(t.getLong("a")).isEqualTo(ts.get(i - 1).getLong("a") + 1);
        }
        BigDecimal p = new BigDecimal(t.getString("p"));
        BigDecimal qq = new BigDecimal(t.getString("q"));
        hi = hi == null ? p : hi.max(p);
        lo = lo == null ? p : lo.min(p);
        v = v.add(qq);
        q = q.add(p.multiply(qq));
        n += t.getLong("l") - t.getLong("f") + 1;
        if (!t.getBoolean("m")) {
          tv = tv.add(qq);
          tq = tq.add(p.multiply(qq));
        }
      }
      JsonArray k = get(client, sim, "/api/v3/klines?symbol=" + sym + "&interval=1m&startTime=" + m + "&limit=1")
          .bodyAsJsonArray().getJsonArray(0);
      assertThat(k.getLong(0)).isEqualTo(m);
      assertThat(new BigDecimal(k.getString(1))).isEqualByComparingTo(ts.get(0).getString("p"));
      assertThat(new BigDecimal(k.getString(2))).isEqualByComparingTo(hi);
      assertThat(new BigDecimal(k.getString(3))).isEqualByComparingTo(lo);
      assertThat(new BigDecimal(k.getString(4))).isEqualByComparingTo(ts.get(ts.size() - 1).getString("p"));
      assertThat(new BigDecimal(k.getString(5))).isEqualByComparingTo(v);
      assertThat(new BigDecimal(k.getString(7))).isEqualByComparingTo(q);
      assertThat(k.getLong(8)).isEqualTo(n);
      assertThat(new BigDecimal(k.getString(9))).isEqualByComparingTo(tv);
      assertThat(new BigDecimal(k.getString(10))).isEqualByComparingTo(tq);
      // the first trade of the minute is the one REST has first for it: nothing missed at the start
      JsonArray first = get(client, sim, "/api/v3/aggTrades?symbol=" + sym + "&startTime=" + m + "&endTime=" + (m + 59_999) + "&limit=1").bodyAsJsonArray();
      assertThat(first.getJsonObject(0).getLong("a")).isEqualTo(ts.get(0).getLong("a"));
      if (sym.equals("BTCUSDT")) {
        JsonObject closed = w.json().stream().filter(o -> o.getString("stream").endsWith("kline_1m"))
            .map(o -> o.getJsonObject("data").getJsonObject("k"))
            .filter(x -> x.getLong("t") == m && x.getBoolean("x")).findFirst().orElseThrow();
        assertThat(closed.getString("o")).isEqualTo(k.getString(1));
        assertThat(closed.getString("c")).isEqualTo(k.getString(4));
        assertThat(closed.getString("v")).isEqualTo(k.getString(5));
        assertThat(closed.getString("q")).isEqualTo(k.getString(7));
        assertThat(closed.getLong("n")).isEqualTo(k.getLong(8));
        assertThat(closed.getLong("f")).isEqualTo(ts.get(0).getLong("f"));
        assertThat(closed.getLong("L")).isEqualTo(ts.get(ts.size() - 1).getLong("l"));
      }
    }
    await(sim.close());
  }
}
