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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import klagg.sim.TestSupport.WsCollector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class FirehoseTest {
  @Test
  void maxRateBurstsWithContiguousIds(Vertx vertx) {
    SimConfig c = TestSupport.cfg();
    c.firehose = true;
    c.pingIntervalMs = 500; // pongs count against the 5 messages/s limit
    c.pongTimeoutMs = 20_000; // the flooded client answers late
    Simulator sim = await(Simulator.start(vertx, c));
    WsCollector raw = ws(vertx, sim, "/ws/btcusdt@aggTrade");
    WsCollector comb = ws(vertx, sim, "/stream?streams=ethusdt@aggTrade");
    comb.send("{\"method\":\"SUBSCRIBE\",\"params\":[\"solusdt@aggTrade\"],\"id\":1}");
    until("20k frames each", 30_000, () -> raw.parsedCount() >= 20_000 && comb.parsedCount() >= 20_000);
    assertThat(comb.parsed().stream().anyMatch(o -> o.encode().equals("{\"result\":null,\"id\":1}"))).isTrue();
    List<JsonObject> r = raw.parsed().subList(0, 20_000);
    for (int i = 1; i < r.size(); i++) {
      assertThat(r.get(i).getLong("a")).isEqualTo(r.get(i - 1).getLong("a") + 1);
      assertThat(r.get(i).getLong("f")).isEqualTo(r.get(i - 1).getLong("l") + 1);
    }
    Map<String, Long> last = new HashMap<>();
    int sol = 0;
    for (JsonObject o : comb.parsed().subList(0, 20_000)) {
      if (!o.containsKey("stream")) {
        continue;
      }
      JsonObject d = o.getJsonObject("data");
      Long prev = last.put(d.getString("s"), d.getLong("a"));
      if (prev != null) {
        assertThat(d.getLong("a")).isEqualTo(prev + 1);
      }
      if (d.getString("s").equals("SOLUSDT")) {
        sol++;
      }
    }
    assertThat(sol).isPositive();
    // prices and quantities printed with the symbol's exact decimals, as Binance does
    SymbolInfo btc = sim.market().symbols().stream().filter(x -> x.name.equals("BTCUSDT")).findFirst().orElseThrow();
    for (JsonObject o : r.subList(0, 100)) {
      assertThat(o.getString("p")).matches("[1-9][0-9]*\\.[0-9]{" + btc.priceDigits + "}");
      assertThat(o.getString("q")).matches("[0-9]+\\.[0-9]{" + btc.qtyDigits + "}");
      assertThat(o.getString("s")).isEqualTo("BTCUSDT");
      assertThat(o.getLong("T")).isEqualTo(o.getLong("E"));
    }
    until("a ping", 5000, () -> raw.frames().contains("PING"));
    JsonObject st = await(sim.status());
    assertThat(st.getString("firehoseMode")).isEqualTo("max");
    assertThat(st.getLong("tradesSent")).isGreaterThanOrEqualTo(40_000);
    assertThat(st.getLong("rawBytesSent")).isPositive();
    assertThat(raw.closed).isFalse();
    await(sim.close());
  }

  @Test
  void heldFirehoseStreamsTheMarketThenContinuesItsIds(Vertx vertx) {
    SimConfig c = TestSupport.cfg();
    c.firehose = true;
    c.firehoseHold = true;
    c.rate = 400;
    c.pingIntervalMs = 300;
    c.pongTimeoutMs = 20_000;
    Simulator sim = await(Simulator.start(vertx, c));
    SymbolInfo btc = sim.market().symbol("BTCUSDT");
    WsCollector raw = ws(vertx, sim, "/ws/btcusdt@aggTrade");
    until("two pings and a trade", 10_000,
        () -> raw.frames().stream().filter("PING"::equals).count() >= 2 && raw.parsedCount() > 0);
    // while held, only the ordinary (deterministic) market streams
    for (JsonObject o : raw.parsed()) {
      long t = o.getLong("T");
      assertThat(sim.market().trades(btc, t, t + 1)).as("market trade %s", o)
          .anyMatch(m -> m.aggId == o.getLong("a") && m.firstId == o.getLong("f") && m.lastId == o.getLong("l"));
    }
    await(sim.holdFirehose(false));
    until("firehose trades after release", 10_000, () -> raw.parsedCount() >= 2_000);
    await(sim.applyFaults(new JsonObject().put("stallMs", 60_000)));
    JsonObject tally = await(sim.firehoseTally()).getJsonObject("BTCUSDT");
    long lastSent = tally.getLong("lastTradeId");
    until("every sent trade received", 10_000, () -> {
      List<JsonObject> p = raw.parsed();
      return p.get(p.size() - 1).getLong("l") == lastSent;
    });
    JsonObject first = raw.parsed().stream().filter(o -> o.getLong("f").equals(tally.getLong("firstTradeId")))
        .findFirst().orElseThrow();
    // the firehose continues the deterministic market's ids: nothing before it is left out
    long startMinute = tally.getLong("startMinute");
    assertThat(startMinute).isEqualTo(first.getLong("T") / 60_000 * 60_000);
    List<SimTrade> before = sim.market().trades(btc, startMinute, first.getLong("T") + 1);
    assertThat(before.stream().mapToLong(t -> t.lastId - t.firstId + 1).sum())
        .isEqualTo(tally.getLong("marketFillsBefore"));
    if (!before.isEmpty()) {
      assertThat(before.get(before.size() - 1).aggId + 1).isEqualTo(first.getLong("a"));
      assertThat(before.get(before.size() - 1).lastId + 1).isEqualTo(first.getLong("f"));
    }
    // from the first firehose trade on: contiguous ids, every fill accounted for in the tally, and
    // each frame exactly the text the ordinary stream writes for the same trade
    List<String> texts = raw.texts();
    int from = firstIndexOf(texts, "\"f\":" + tally.getLong("firstTradeId") + ",");
    long fills = 0;
    JsonObject prev = null;
    for (String text : texts.subList(from, texts.size())) {
      JsonObject o = new JsonObject(text);
      if (prev != null) {
        assertThat(o.getLong("a")).isEqualTo(prev.getLong("a") + 1);
        assertThat(o.getLong("f")).isEqualTo(prev.getLong("l") + 1);
      }
      fills += o.getLong("l") - o.getLong("f") + 1;
      long p = SimDecimal.parse(o.getString("p"), btc.priceScale);
      long q = SimDecimal.parse(o.getString("q"), btc.qtyScale);
      assertThat(text).isEqualTo(sim.hub.encodeAgg(btc, o.getLong("E"), o.getLong("a"), p, q, o.getLong("f"),
          o.getLong("l"), o.getLong("T"), o.getBoolean("m")));
      prev = o;
    }
    assertThat(fills).isEqualTo(lastSent - tally.getLong("firstTradeId") + 1);
    // the firehose's own 1m klines of what it sent: from the start minute on, every fill, the last price
    io.vertx.core.json.JsonArray klines = tally.getJsonArray("klines");
    assertThat(klines.getJsonArray(0).getLong(0)).isEqualTo(startMinute);
    long inKlines = 0;
    for (Object k : klines) {
      inKlines += ((io.vertx.core.json.JsonArray) k).getLong(8);
    }
    assertThat(inKlines).isEqualTo(tally.getLong("marketFillsBefore") + fills);
    assertThat(new java.math.BigDecimal(klines.getJsonArray(klines.size() - 1).getString(4)))
        .isEqualByComparingTo(new java.math.BigDecimal(prev.getString("p")));
    await(sim.close());
  }

  private static int firstIndexOf(List<String> texts, String part) {
    for (int i = 0; i < texts.size(); i++) {
      if (texts.get(i).contains(part)) {
        return i;
      }
    }
    throw new AssertionError("no frame with " + part);
  }

  @Test
  void fixedRateFirehoseIsTheDeterministicMarket(Vertx vertx) {
    SimConfig c = TestSupport.cfg();
    c.firehose = true;
    c.firehoseRate = 5000;
    Simulator sim = await(Simulator.start(vertx, c));
    WsCollector w = ws(vertx, sim, "/ws/btcusdt@aggTrade");
    WsCollector combined = ws(vertx, sim, "/stream?streams=btcusdt@aggTrade");
    until("500 trades", 20_000, () -> w.parsedCount() >= 500 && combined.texts().size() >= 500);
    List<JsonObject> ts = w.parsed().subList(0, 500);
    // frames are encoded straight into bytes: exactly the text the ordinary stream writes, raw and combined
    SymbolInfo btc = sim.market().symbol("BTCUSDT");
    List<String> raw = w.texts();
    for (int i = 0; i < 500; i++) {
      JsonObject o = new JsonObject(raw.get(i));
      long p = SimDecimal.parse(o.getString("p"), btc.priceScale);
      long q = SimDecimal.parse(o.getString("q"), btc.qtyScale);
      assertThat(raw.get(i)).isEqualTo(sim.hub.encodeAgg(btc, o.getLong("E"), o.getLong("a"), p, q, o.getLong("f"),
          o.getLong("l"), o.getLong("T"), o.getBoolean("m")));
    }
    long firstCombined = new JsonObject(combined.texts().get(0)).getJsonObject("data").getLong("a");
    int at = 0;
    while (new JsonObject(raw.get(at)).getLong("a") != firstCombined) {
      at++;
    }
    for (int i = 0; i < 100; i++) {
      assertThat(combined.texts().get(i)).isEqualTo("{\"stream\":\"btcusdt@aggTrade\",\"data\":" + raw.get(at + i) + "}");
    }
    for (int i = 1; i < ts.size(); i++) {
      assertThat(ts.get(i).getLong("a")).isEqualTo(ts.get(i - 1).getLong("a") + 1);
    }
    JsonArray rest = get(WebClient.create(vertx), sim, "/api/v3/aggTrades?symbol=BTCUSDT&fromId="
        + ts.get(0).getLong("a") + "&limit=100").bodyAsJsonArray();
    for (int i = 0; i < 100; i++) {
      JsonObject a = ts.get(i).copy();
      a.remove("e");
      a.remove("E");
      a.remove("s");
      assertThat(rest.getJsonObject(i)).isEqualTo(a);
    }
    // commands work over the hand-made WebSocket too
    w.send("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":7}");
    assertThat(w.awaitReply(7, 5000).getJsonArray("result")).containsExactly("btcusdt@aggTrade");
    w.send("{bad");
    until("invalid JSON reply", 5000, () -> w.texts().stream().anyMatch(t -> t.contains("\"code\":3")));
    await(sim.close());
  }
}
