package klagg.sim;

import static klagg.sim.TestSupport.await;
import static klagg.sim.TestSupport.until;
import static klagg.sim.TestSupport.ws;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import klagg.sim.TestSupport.WsCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class WsProtocolTest {
  Simulator sim;

  @BeforeEach
  void start(Vertx vertx) {
    SimConfig c = TestSupport.cfg();
    c.rate = 200;
    c.emitIntervalMs = 50;
    c.maxStreamsPerConnection = 3;
    c.pingIntervalMs = 1000;
    c.miniTickerIntervalMs = 200;
    c.klinePushIntervalMs = 200;
    sim = await(Simulator.start(vertx, c));
  }

  @AfterEach
  void stop() {
    await(sim.close());
  }

  @Test
  void rawStreamDeliversAggTrades(Vertx vertx) {
    WsCollector c = ws(vertx, sim, "/ws/btcusdt@aggTrade");
    until("3 aggTrades", 10_000, () -> c.textCount() >= 3);
    JsonObject t = new JsonObject(c.texts().get(0));
    assertThat(t.fieldNames()).containsExactly("e", "E", "s", "a", "p", "q", "f", "l", "T", "m", "M");
    assertThat(t.getString("e")).isEqualTo("aggTrade");
    assertThat(t.getString("s")).isEqualTo("BTCUSDT");
    assertThat(t.getString("p")).matches("\\d+\\.\\d{8}");
    List<JsonObject> all = c.json();
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i).getLong("a")).as(c.texts().toString()).isEqualTo(all.get(i - 1).getLong("a") + 1);
    }
    // the futures-style path works too
    WsCollector f = ws(vertx, sim, "/market/ws/ethusdt@aggTrade");
    until("eth aggTrade", 10_000, () -> !f.texts().isEmpty());
    assertThat(new JsonObject(f.texts().get(0)).getString("s")).isEqualTo("ETHUSDT");
  }

  @Test
  void combinedStreamWrapsEvents(Vertx vertx) {
    WsCollector c = ws(vertx, sim, "/stream?streams=btcusdt@aggTrade/ethusdt@aggTrade");
    until("both streams", 10_000, () -> c.json().stream().map(o -> o.getString("stream")).distinct().count() == 2);
    JsonObject o = c.json().get(0);
    assertThat(o.fieldNames()).containsExactly("stream", "data");
    assertThat(o.getString("stream")).isIn("btcusdt@aggTrade", "ethusdt@aggTrade");
    assertThat(o.getJsonObject("data").getString("e")).isEqualTo("aggTrade");
    WsCollector m = ws(vertx, sim, "/market/stream?streams=solusdt@aggTrade");
    until("sol", 10_000, () -> !m.texts().isEmpty());
    assertThat(m.json().get(0).getString("stream")).isEqualTo("solusdt@aggTrade");
  }

  @Test
  void commandsAndReplies(Vertx vertx) {
    WsCollector c = ws(vertx, sim, "/ws");
    paced(c, "{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@aggTrade\",\"ethusdt@aggTrade\"],\"id\":1}");
    assertThat(c.awaitReply(1, 5000).encode()).isEqualTo("{\"result\":null,\"id\":1}");
    until("trades after subscribe", 10_000, () -> c.json().stream().anyMatch(o -> "aggTrade".equals(o.getString("e"))));
    paced(c, "{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":3}");
    assertThat(c.awaitReply(3, 5000).getJsonArray("result")).containsExactly("btcusdt@aggTrade", "ethusdt@aggTrade");
    paced(c, "{\"method\":\"UNSUBSCRIBE\",\"params\":[\"ethusdt@aggTrade\"],\"id\":\"abc\"}");
    assertThat(c.awaitReply("abc", 5000).encode()).isEqualTo("{\"result\":null,\"id\":\"abc\"}");
    paced(c, "{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":4}");
    assertThat(c.awaitReply(4, 5000).getJsonArray("result")).containsExactly("btcusdt@aggTrade");
    // errors (spread out: 5 messages per second is the limit)
    paced(c, "{\"method\":\"SUBSCRIBE\",\"params\":[\"a@aggTrade\",\"b@aggTrade\",\"c@aggTrade\"],\"id\":5}");
    JsonObject tooMany = c.awaitReply(5, 5000);
    assertThat(tooMany.getJsonObject("error").getInteger("code")).isEqualTo(2);
    assertThat(tooMany.getJsonObject("error").getString("msg")).startsWith("Invalid request: ");
    paced(c, "{\"method\":\"FROB\",\"id\":6}");
    assertThat(c.awaitReply(6, 5000).getJsonObject("error").getInteger("code")).isEqualTo(2);
    paced(c, "{\"method\":\"SUBSCRIBE\",\"params\":[\"BTC USDT\"],\"id\":7}");
    assertThat(c.awaitReply(7, 5000).getJsonObject("error").getInteger("code")).isEqualTo(2);
    paced(c, "{\"method\":\"SET_PROPERTY\",\"params\":[\"combined\",\"yes\"],\"id\":8}");
    assertThat(c.awaitReply(8, 5000).getJsonObject("error").getInteger("code")).isEqualTo(1);
    paced(c, "{\"method\":\"SET_PROPERTY\",\"params\":[\"nope\",true],\"id\":9}");
    assertThat(c.awaitReply(9, 5000).getJsonObject("error").getInteger("code")).isEqualTo(0);
    int before = c.textCount();
    paced(c, "{not json");
    until("invalid JSON reply", 5000, () -> c.texts().stream().skip(before).anyMatch(t -> t.contains("\"code\":3")));
    JsonObject err = c.texts().stream().skip(before).filter(t -> t.contains("\"code\":3")).map(JsonObject::new).findFirst().orElseThrow();
    assertThat(err.getJsonObject("error").getString("msg")).startsWith("Invalid JSON");
    assertThat(err.containsKey("id")).isTrue();
    paced(c, "{\"method\":\"SET_PROPERTY\",\"params\":[\"combined\",true],\"id\":10}");
    assertThat(c.awaitReply(10, 5000).encode()).isEqualTo("{\"result\":null,\"id\":10}");
    until("wrapped after combined=true", 10_000, () -> {
      List<String> t = c.texts();
      return t.get(t.size() - 1).startsWith("{\"stream\"");
    });
    assertThat(c.closed).isFalse();
  }

  @Test
  void tooManyStreamsInTheUrlIsRejected(Vertx vertx, VertxTestContext ctx) {
    WebSocketClient client = vertx.createWebSocketClient();
    TestSupport.CLIENTS.add(client);
    client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(sim.port())
        .setURI("/stream?streams=a@aggTrade/b@aggTrade/c@aggTrade/d@aggTrade"))
        .onComplete(ctx.failing(e -> ctx.completeNow()));
  }

  @Test
  void messageRateLimitClosesTheConnection(Vertx vertx) {
    WsCollector c = ws(vertx, sim, "/ws");
    for (int i = 0; i < 8; i++) {
      c.send("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":" + i + "}");
    }
    until("closed by the rate limit", 5000, () -> c.closed);
    assertThat(c.closeCode).isEqualTo((short) 1008);
    assertThat(await(sim.status()).getLong("rateLimitCloses")).isEqualTo(1);
  }

  @Test
  void serverPings(Vertx vertx) {
    WsCollector c = ws(vertx, sim, "/ws");
    until("a ping", 5000, () -> c.frames().contains("PING"));
    // Vert.x answers with a pong, so the connection stays up past the pong deadline check
    assertThat(c.closed).isFalse();
  }

  @Test
  void miniTickerAndKlineStreams(Vertx vertx) {
    WsCollector c = ws(vertx, sim, "/stream?streams=!miniTicker@arr/btcusdt@kline_1m");
    until("miniTicker and kline", 10_000, () -> c.json().stream().map(o -> o.getString("stream")).distinct().count() == 2);
    JsonObject mini = c.json().stream().filter(o -> o.getString("stream").equals("!miniTicker@arr")).findFirst().orElseThrow();
    JsonArray arr = mini.getJsonArray("data");
    assertThat(arr).isNotEmpty();
    JsonObject t = arr.getJsonObject(0);
    assertThat(t.fieldNames()).containsExactly("e", "E", "s", "c", "o", "h", "l", "v", "q");
    assertThat(t.getString("e")).isEqualTo("24hrMiniTicker");
    JsonObject k = c.json().stream().filter(o -> o.getString("stream").equals("btcusdt@kline_1m")).findFirst().orElseThrow().getJsonObject("data");
    assertThat(k.getString("e")).isEqualTo("kline");
    JsonObject kk = k.getJsonObject("k");
    assertThat(kk.fieldNames()).contains("t", "T", "s", "i", "f", "L", "o", "c", "h", "l", "v", "n", "x", "q", "V", "Q", "B");
    assertThat(kk.getString("i")).isEqualTo("1m");
    assertThat(kk.getBoolean("x")).isFalse();
  }

  @Test
  void newListingShowsUpInMiniTicker(Vertx vertx) {
    WsCollector c = ws(vertx, sim, "/ws/!miniTicker@arr");
    await(sim.applyFaults(new JsonObject().put("list", new JsonObject().put("symbol", "ZZZUSDT").put("price", 3))));
    until("ZZZUSDT in miniTicker", 20_000, () -> c.texts().stream().anyMatch(t -> t.contains("\"s\":\"ZZZUSDT\"")));
  }

  /** Sends at most ~2.5 messages per second: Binance's limit is 5 incoming (pongs included). */
  static void paced(WsCollector c, String text) {
    waitMs(400);
    c.send(text);
  }

  static void waitMs(long ms) {
    long end = System.currentTimeMillis() + ms;
    until("time to pass", ms + 1000, () -> System.currentTimeMillis() >= end);
  }
}
