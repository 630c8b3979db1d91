package klagg.sim;

import static klagg.sim.TestSupport.await;
import static klagg.sim.TestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.math.BigDecimal;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class RestConformanceTest {
  Simulator sim;
  WebClient client;

  @BeforeEach
  void start(Vertx vertx) {
    sim = await(Simulator.start(vertx, TestSupport.cfg()));
    client = WebClient.create(vertx);
  }

  @AfterEach
  void stop() {
    await(sim.close());
  }

  static void assertError(HttpResponse<Buffer> r, int code) {
    assertThat(r.statusCode()).isEqualTo(400);
    JsonObject o = r.bodyAsJsonObject();
    assertThat(o.getInteger("code")).isEqualTo(code);
    assertThat(o.getString("msg")).isNotBlank();
    assertThat(r.getHeader("X-MBX-USED-WEIGHT-1m")).isNotNull();
  }

  @Test
  void timeAndWeightHeader() {
    long before = sim.now();
    HttpResponse<Buffer> r = get(client, sim, "/api/v3/time");
    assertThat(r.statusCode()).isEqualTo(200);
    long t = r.bodyAsJsonObject().getLong("serverTime");
    assertThat(t).isBetween(before, sim.now());
    int w1 = Integer.parseInt(r.getHeader("X-MBX-USED-WEIGHT-1m"));
    HttpResponse<Buffer> r2 = get(client, sim, "/api/v3/exchangeInfo");
    int w2 = Integer.parseInt(r2.getHeader("X-MBX-USED-WEIGHT-1m"));
    // weights: time 1, exchangeInfo 20 (unless a minute boundary passed in between)
    assertThat(w2 == w1 + 20 || w2 == 20).isTrue();
    HttpResponse<Buffer> r3 = get(client, sim, "/fapi/v1/time");
    assertThat(r3.statusCode()).isEqualTo(200);
    // time offset moves the server clock
    sim.setTimeOffsetMs(3_600_000L);
    long t2 = get(client, sim, "/api/v3/time").bodyAsJsonObject().getLong("serverTime");
    assertThat(t2 - System.currentTimeMillis()).isBetween(3_590_000L, 3_610_000L);
  }

  @Test
  void exchangeInfoSymbolsAndFilters() {
    JsonObject info = get(client, sim, "/api/v3/exchangeInfo").bodyAsJsonObject();
    JsonArray syms = info.getJsonArray("symbols");
    assertThat(syms).hasSize(8);
    JsonObject btc = syms.getJsonObject(0);
    assertThat(btc.getString("symbol")).isEqualTo("BTCUSDT");
    assertThat(btc.getString("status")).isEqualTo("TRADING");
    assertThat(btc.getString("baseAsset")).isEqualTo("BTC");
    assertThat(btc.getString("quoteAsset")).isEqualTo("USDT");
    JsonObject pf = btc.getJsonArray("filters").getJsonObject(0);
    JsonObject lot = btc.getJsonArray("filters").getJsonObject(1);
    assertThat(pf.getString("filterType")).isEqualTo("PRICE_FILTER");
    assertThat(pf.getString("tickSize")).isEqualTo("0.01000000");
    assertThat(lot.getString("filterType")).isEqualTo("LOT_SIZE");
    assertThat(lot.getString("stepSize")).isEqualTo("0.00001000");
    JsonObject doge = syms.stream().map(o -> (JsonObject) o).filter(o -> o.getString("symbol").equals("DOGEUSDT")).findFirst().orElseThrow();
    BigDecimal dogeTick = new BigDecimal(doge.getJsonArray("filters").getJsonObject(0).getString("tickSize"));
    BigDecimal dogeStep = new BigDecimal(doge.getJsonArray("filters").getJsonObject(1).getString("stepSize"));
    assertThat(dogeTick).isLessThan(new BigDecimal("0.01"));
    assertThat(dogeStep).isGreaterThan(new BigDecimal("0.00001"));
    assertThat(get(client, sim, "/api/v3/exchangeInfo?symbol=ETHUSDT").bodyAsJsonObject().getJsonArray("symbols")).hasSize(1);
    assertError(get(client, sim, "/api/v3/exchangeInfo?symbol=NOPE"), -1121);
  }

  @Test
  void klinesLayoutSelectionAndCurrentKline() {
    JsonArray rows = get(client, sim, "/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=5").bodyAsJsonArray();
    assertThat(rows).hasSize(5);
    long now = sim.now();
    JsonArray last = rows.getJsonArray(4);
    assertThat(last).hasSize(12);
    assertThat(last.getLong(0)).isEqualTo(Math.floorDiv(now, 60_000L) * 60_000L); // current open kline
    assertThat(last.getLong(6)).isEqualTo(last.getLong(0) + 59_999L);
    assertThat(last.getString(11)).isEqualTo("0");
    for (int i = 0; i < 5; i++) {
      JsonArray k = rows.getJsonArray(i);
      for (int f : new int[] {1, 2, 3, 4, 5, 7, 9, 10}) {
        assertThat(k.getString(f)).matches("\\d+\\.\\d{8}");
      }
      assertThat(k.getValue(8)).isInstanceOf(Number.class);
      BigDecimal o = new BigDecimal(k.getString(1));
      BigDecimal h = new BigDecimal(k.getString(2));
      BigDecimal l = new BigDecimal(k.getString(3));
      BigDecimal c = new BigDecimal(k.getString(4));
      assertThat(h).isGreaterThanOrEqualTo(o.max(c));
      assertThat(l).isLessThanOrEqualTo(o.min(c));
      // on the tick grid
      assertThat(o.remainder(new BigDecimal("0.01")).signum()).isZero();
    }
    // startTime selects klines opening at or after it
    long open0 = rows.getJsonArray(0).getLong(0);
    JsonArray from = get(client, sim, "/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=" + (open0 + 1) + "&limit=2").bodyAsJsonArray();
    assertThat(from.getJsonArray(0).getLong(0)).isEqualTo(open0 + 60_000L);
    JsonArray range = get(client, sim, "/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=" + open0 + "&endTime=" + (open0 + 120_000L)).bodyAsJsonArray();
    assertThat(range).hasSize(3);
    assertThat(range.getJsonArray(0)).isEqualTo(rows.getJsonArray(0));
    JsonArray hours = get(client, sim, "/api/v3/klines?symbol=ETHUSDT&interval=1h").bodyAsJsonArray();
    assertThat(hours).hasSize(3); // history starts 2 h before the current hour
    assertThat(get(client, sim, "/fapi/v1/klines?symbol=ETHUSDT&interval=15m&limit=2").bodyAsJsonArray()).hasSize(2);
  }

  @Test
  void klineEqualsItsAggTrades() {
    long minute = Math.floorDiv(sim.now(), 60_000L) * 60_000L - 5 * 60_000L;
    JsonArray k = get(client, sim, "/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=" + minute + "&limit=1").bodyAsJsonArray().getJsonArray(0);
    JsonArray trades = new JsonArray();
    Long fromId = null;
    while (true) {
      String q = fromId == null ? "&startTime=" + minute + "&endTime=" + (minute + 59_999) : "&fromId=" + fromId;
      JsonArray page = get(client, sim, "/api/v3/aggTrades?symbol=BTCUSDT&limit=1000" + q).bodyAsJsonArray();
      boolean done = false;
      for (Object o : page) {
        JsonObject t = (JsonObject) o;
        if (t.getLong("T") >= minute + 60_000L) {
          done = true;
          break;
        }
        trades.add(t);
      }
      if (done || page.size() < 1000) {
        break;
      }
      fromId = page.getJsonObject(page.size() - 1).getLong("a") + 1;
    }
    assertThat(trades.size()).isGreaterThan(0);
    BigDecimal v = BigDecimal.ZERO;
    BigDecimal q = BigDecimal.ZERO;
    BigDecimal tb = BigDecimal.ZERO;
    long n = 0;
    long prevA = -1;
    long prevL = -1;
    for (Object o : trades) {
      JsonObject t = (JsonObject) o;
      assertThat(t.fieldNames()).containsExactlyInAnyOrder("a", "p", "q", "f", "l", "T", "m", "M");
      if (prevA >= 0) {
        assertThat(t.getLong("a")).isEqualTo(prevA + 1);
        assertThat(t.getLong("f")).isEqualTo(prevL + 1);
      }
      prevA = t.getLong("a");
      prevL = t.getLong("l");
      BigDecimal p = new BigDecimal(t.getString("p"));
      BigDecimal qq = new BigDecimal(t.getString("q"));
      v = v.add(qq);
      q = q.add(p.multiply(qq));
      if (!t.getBoolean("m")) {
        tb = tb.add(qq);
      }
      n += t.getLong("l") - t.getLong("f") + 1;
    }
    assertThat(new BigDecimal(k.getString(1))).isEqualByComparingTo(trades.getJsonObject(0).getString("p"));
    assertThat(new BigDecimal(k.getString(4))).isEqualByComparingTo(trades.getJsonObject(trades.size() - 1).getString("p"));
    assertThat(new BigDecimal(k.getString(5))).isEqualByComparingTo(v);
    assertThat(new BigDecimal(k.getString(7))).isEqualByComparingTo(q);
    assertThat(k.getLong(8)).isEqualTo(n);
    assertThat(new BigDecimal(k.getString(9))).isEqualByComparingTo(tb);
  }

  @Test
  void aggTradesRecentAndFromId() {
    JsonArray recent = get(client, sim, "/api/v3/aggTrades?symbol=BTCUSDT&limit=20").bodyAsJsonArray();
    assertThat(recent).hasSize(20);
    long a0 = recent.getJsonObject(0).getLong("a");
    JsonArray byId = get(client, sim, "/api/v3/aggTrades?symbol=BTCUSDT&fromId=" + a0 + "&limit=5").bodyAsJsonArray();
    assertThat(byId).hasSize(5);
    for (int i = 0; i < 5; i++) {
      assertThat(byId.getJsonObject(i)).isEqualTo(recent.getJsonObject(i));
    }
    assertThat(recent.getJsonObject(19).getLong("T")).isLessThanOrEqualTo(sim.now());
  }

  @Test
  void errors() {
    assertError(get(client, sim, "/api/v3/klines?symbol=NOPEUSDT&interval=1m"), -1121);
    assertError(get(client, sim, "/api/v3/klines?interval=1m"), -1102);
    assertError(get(client, sim, "/api/v3/klines?symbol=BTCUSDT"), -1102);
    assertError(get(client, sim, "/api/v3/klines?symbol=BTCUSDT&interval=7m"), -1120);
    assertError(get(client, sim, "/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=abc"), -1100);
    assertError(get(client, sim, "/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=-5"), -1100);
    assertError(get(client, sim, "/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=2000&endTime=1000"), -1023);
    assertError(get(client, sim, "/api/v3/aggTrades"), -1102);
    assertError(get(client, sim, "/api/v3/aggTrades?symbol=XX"), -1121);
    assertError(get(client, sim, "/api/v3/aggTrades?symbol=BTCUSDT&fromId=x1"), -1100);
    assertError(get(client, sim, "/fapi/v1/klines?symbol=BTCUSDT&interval=2x"), -1120);
    assertThat(get(client, sim, "/api/v3/nothing").statusCode()).isEqualTo(404);
  }

  @Test
  void restFaultsAndAdmin() {
    HttpResponse<Buffer> r = await(client.postAbs(sim.restBaseUrl() + "/sim/faults")
        .sendJsonObject(new JsonObject().put("restErrors", new JsonObject().put("status", 503).put("count", 2))));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getJsonArray("applied")).containsExactly("restErrors");
    assertThat(get(client, sim, "/api/v3/time").statusCode()).isEqualTo(503);
    assertThat(get(client, sim, "/api/v3/time").statusCode()).isEqualTo(503);
    assertThat(get(client, sim, "/api/v3/time").statusCode()).isEqualTo(200);
    await(sim.applyFaults(new JsonObject().put("restErrors", new JsonObject().put("status", 429).put("count", 1))));
    HttpResponse<Buffer> tooMany = get(client, sim, "/api/v3/time");
    assertThat(tooMany.statusCode()).isEqualTo(429);
    assertThat(tooMany.getHeader("Retry-After")).isNotNull();
    HttpResponse<Buffer> bad = await(client.postAbs(sim.restBaseUrl() + "/sim/faults")
        .sendJsonObject(new JsonObject().put("noSuchFault", 1)));
    assertThat(bad.statusCode()).isEqualTo(400);
    JsonObject status = get(client, sim, "/sim/status").bodyAsJsonObject();
    assertThat(status.getLong("restRequests")).isGreaterThanOrEqualTo(4);
    assertThat(status.getJsonObject("faults").getLong("restFaultsTotal")).isEqualTo(3);
    // time skew through the admin endpoint
    await(client.postAbs(sim.restBaseUrl() + "/sim/faults").sendJsonObject(new JsonObject().put("timeOffsetMs", -86_400_000L)));
    long t = get(client, sim, "/api/v3/time").bodyAsJsonObject().getLong("serverTime");
    assertThat(System.currentTimeMillis() - t).isBetween(86_390_000L, 86_410_000L);
  }

  @Test
  void listingChanges() {
    await(sim.applyFaults(new JsonObject().put("list", new JsonObject().put("symbol", "NEWUSDT").put("price", 2.5))));
    JsonObject info = get(client, sim, "/api/v3/exchangeInfo?symbol=NEWUSDT").bodyAsJsonObject();
    assertThat(info.getJsonArray("symbols").getJsonObject(0).getString("status")).isEqualTo("TRADING");
    await(sim.applyFaults(new JsonObject().put("break", "ETHUSDT")));
    JsonObject eth = get(client, sim, "/api/v3/exchangeInfo?symbol=ETHUSDT").bodyAsJsonObject().getJsonArray("symbols").getJsonObject(0);
    assertThat(eth.getString("status")).isEqualTo("BREAK");
    long breakAt = sim.now();
    SymbolInfo e = sim.market().symbol("ETHUSDT");
    assertThat(sim.market().trades(e, breakAt, breakAt + 60_000)).isEmpty();
  }

  @Test
  void exchangeInfoFaultsDelistingAndNoKlinesInsideABreak() {
    int n = get(client, sim, "/api/v3/exchangeInfo").bodyAsJsonObject().getJsonArray("symbols").size();
    // empty: one answer lists nothing, the next is whole again
    await(sim.applyFaults(new JsonObject().put("exchangeInfo", "empty")));
    assertThat(get(client, sim, "/api/v3/exchangeInfo").bodyAsJsonObject().getJsonArray("symbols")).isEmpty();
    assertThat(get(client, sim, "/api/v3/exchangeInfo").bodyAsJsonObject().getJsonArray("symbols")).hasSize(n);
    // garbage: not JSON, status 200 (a proxy's error page)
    await(sim.applyFaults(new JsonObject().put("exchangeInfo", new JsonObject().put("answer", "garbage").put("count", 2))));
    for (int i = 0; i < 2; i++) {
      HttpResponse<Buffer> g = get(client, sim, "/api/v3/exchangeInfo");
      assertThat(g.statusCode()).isEqualTo(200);
      assertThat(g.bodyAsString()).startsWith("<html>");
    }
    // partial: the first quarter of the symbols
    await(sim.applyFaults(new JsonObject().put("exchangeInfo", new JsonObject().put("answer", "partial").put("keep", 0.25))));
    assertThat(get(client, sim, "/api/v3/exchangeInfo").bodyAsJsonObject().getJsonArray("symbols"))
        .hasSize((int) Math.ceil(n * 0.25));
    assertThat(await(sim.status()).getJsonObject("faults").getLong("exchangeInfoFaultsTotal")).isEqualTo(4);
    HttpResponse<Buffer> bad = await(client.postAbs(sim.restBaseUrl() + "/sim/faults")
        .sendJsonObject(new JsonObject().put("exchangeInfo", "sometimes")));
    assertThat(bad.statusCode()).isEqualTo(400);

    // delist: gone from exchangeInfo for good, no more trades; "resume" does not bring it back
    await(sim.applyFaults(new JsonObject().put("delist", "ETHUSDT")));
    JsonArray after = get(client, sim, "/api/v3/exchangeInfo").bodyAsJsonObject().getJsonArray("symbols");
    assertThat(after).hasSize(n - 1);
    assertThat(after.stream().map(o -> ((JsonObject) o).getString("symbol"))).doesNotContain("ETHUSDT");
    SymbolInfo eth = sim.market().symbol("ETHUSDT");
    long at = sim.now();
    assertThat(sim.market().trades(eth, at, at + 60_000)).isEmpty();
    await(sim.applyFaults(new JsonObject().put("resume", "ETHUSDT")));
    assertThat(eth.delisted()).isTrue();
    assertThat(eth.trading()).isFalse();

    // BREAK for five whole minutes: REST has no klines wholly inside it, the resume minute has one
    SymbolInfo s = sim.market().symbols().stream().filter(x -> !x.name.equals("ETHUSDT")).findFirst().get();
    long breakAt = sim.now();
    await(sim.applyFaults(new JsonObject().put("break", s.name)));
    sim.setTimeOffsetMs(sim.now() - System.currentTimeMillis() + 5 * 60_000L);
    long resumeAt = sim.now();
    await(sim.applyFaults(new JsonObject().put("resume", s.name)));
    JsonArray rows = get(client, sim, "/api/v3/klines?symbol=" + s.name + "&interval=1m&startTime="
        + (breakAt / 60_000L * 60_000L)).bodyAsJsonArray();
    java.util.List<Long> opens = rows.stream().map(r -> ((JsonArray) r).getLong(0)).toList();
    assertThat(opens).containsExactly(breakAt / 60_000L * 60_000L, resumeAt / 60_000L * 60_000L);
    assertThat(sim.market().trades(s, breakAt + 1, resumeAt)).isEmpty();
  }
}
