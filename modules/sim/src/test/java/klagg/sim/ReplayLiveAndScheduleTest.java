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
import java.util.List;
import java.util.concurrent.TimeUnit;
import klagg.sim.TestSupport.WsCollector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ReplayLiveAndScheduleTest {
  @Test
  void shiftedReplayAtSpeed10StreamsTheFilesTrades(Vertx vertx) {
    SimConfig c = TestSupport.cfg();
    c.replay = TestSupport.binance("usdm-BTCUSDT-2023-04-04T2359.aggTrades.csv").toString();
    c.speed = 10;
    c.emitIntervalMs = 50;
    Simulator sim = await(Simulator.start(vertx, c));
    WsCollector w = ws(vertx, sim, "/ws/btcusdt@aggTrade");
    until("100 replayed trades", 20_000, () -> w.parsedCount() >= 100);
    List<JsonObject> ts = w.parsed().subList(0, 100);
    JsonArray rest = get(WebClient.create(vertx), sim, "/api/v3/aggTrades?symbol=BTCUSDT&fromId="
        + ts.get(0).getLong("a") + "&limit=100").bodyAsJsonArray();
    for (int i = 0; i < 100; i++) {
      JsonObject t = ts.get(i).copy();
      t.remove("e");
      t.remove("E");
      t.remove("s");
      assertThat(t).isEqualTo(rest.getJsonObject(i));
    }
    // shifted: the file's first trade is "now" at start; prices keep the file's decimals
    assertThat(ts.get(0).getString("p")).matches("\\d+\\.\\d{2}");
    assertThat(Math.abs(ts.get(0).getLong("T") - sim.now())).isLessThan(120_000L);
    await(sim.close());
  }

  @Test
  void seededListingScheduleAndConfigFaults(Vertx vertx) {
    SimConfig c = TestSupport.cfg();
    c.listingEverySec = 1;
    c.weightLimitPerMinute = 1_000_000; // the poll below asks exchangeInfo often
    c.faults = new JsonObject().put("restErrors", new JsonObject().put("status", 500).put("count", 1));
    Simulator sim = await(Simulator.start(vertx, c));
    WebClient client = WebClient.create(vertx);
    assertThat(get(client, sim, "/api/v3/time").statusCode()).isEqualTo(500);
    until("a listing and a delisting", 15_000, () -> {
      JsonArray syms = get(client, sim, "/api/v3/exchangeInfo").bodyAsJsonObject().getJsonArray("symbols");
      boolean listed = syms.stream().map(o -> (JsonObject) o).anyMatch(o -> o.getString("symbol").matches("N\\d{5}USDT"));
      boolean delisted = sim.market().symbols().stream().anyMatch(x -> x.delisted()
          && syms.stream().noneMatch(o -> ((JsonObject) o).getString("symbol").equals(x.name)));
      return listed && delisted;
    });
    assertThat(await(sim.status()).getJsonArray("listingEvents")).isNotEmpty();
    await(sim.close());
  }
}
