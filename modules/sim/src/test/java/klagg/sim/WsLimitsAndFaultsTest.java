package klagg.sim;

import static klagg.sim.TestSupport.await;
import static klagg.sim.TestSupport.get;
import static klagg.sim.TestSupport.until;
import static klagg.sim.TestSupport.ws;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import klagg.sim.TestSupport.WsCollector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class WsLimitsAndFaultsTest {
  static SimConfig cfg() {
    SimConfig c = TestSupport.cfg();
    c.rate = 300;
    c.emitIntervalMs = 50;
    return c;
  }

  @Test
  void lifetimeDisconnect(Vertx vertx) {
    SimConfig c = cfg();
    c.connectionLifetimeMs = 1200;
    Simulator sim = await(Simulator.start(vertx, c));
    long t0 = System.currentTimeMillis();
    WsCollector w = ws(vertx, sim, "/ws/btcusdt@aggTrade");
    until("lifetime close", 5000, () -> w.closed);
    assertThat(System.currentTimeMillis() - t0).isGreaterThanOrEqualTo(1100);
    assertThat(await(sim.status()).getLong("lifetimeCloses")).isEqualTo(1);
    await(sim.close());
  }

  @Test
  void unansweredPingsCloseTheConnection(Vertx vertx) {
    SimConfig c = cfg();
    c.pingIntervalMs = 200;
    c.pongTimeoutMs = 600;
    Simulator sim = await(Simulator.start(vertx, c));
    // a raw client that completes the handshake and then never answers pings
    io.vertx.core.net.NetClient netClient = vertx.createNetClient();
    NetSocket so = await(netClient.connect(sim.port(), "127.0.0.1"));
    AtomicBoolean closed = new AtomicBoolean();
    Buffer got = Buffer.buffer();
    so.handler(got::appendBuffer);
    so.closeHandler(v -> closed.set(true));
    so.write("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    until("pong timeout close", 5000, closed::get);
    assertThat(got.toString()).startsWith("HTTP/1.1 101");
    byte[] b = got.getBytes();
    int body = got.toString().indexOf("\r\n\r\n") + 4;
    boolean pinged = false;
    boolean closeFrame = false;
    for (int i = body; i < b.length - 1; i += 2 + (b[i + 1] & 0x7f)) {
      pinged |= (b[i] & 0x0f) == 0x9;
      closeFrame |= (b[i] & 0x0f) == 0x8;
    }
    assertThat(pinged).isTrue();
    assertThat(closeFrame).isTrue();
    assertThat(await(sim.status()).getLong("pongTimeoutCloses")).isEqualTo(1);
    java.lang.ref.Reference.reachabilityFence(netClient);
    await(sim.close());
  }

  static List<JsonObject> trades(WsCollector w) {
    return w.json().stream().filter(o -> "aggTrade".equals(o.getString("e"))).toList();
  }

  @Test
  void skippedIdsAreAGapThatRestFills(Vertx vertx) {
    Simulator sim = await(Simulator.start(vertx, cfg()));
    WsCollector w = ws(vertx, sim, "/ws/btcusdt@aggTrade");
    until("first trades", 10_000, () -> trades(w).size() >= 2);
    await(sim.applyFaults(new JsonObject().put("skipAggIds", 5)));
    until("skips applied", 10_000, () -> sim.faults().skippedTotal == 5);
    int n = trades(w).size();
    until("trades after the skip", 10_000, () -> trades(w).size() >= n + 3);
    List<JsonObject> ts = trades(w);
    long gapFrom = -1;
    long gapTo = -1;
    List<String> gaps = new ArrayList<>();
    for (int i = 1; i < ts.size(); i++) {
      long a = ts.get(i).getLong("a");
      long prev = ts.get(i - 1).getLong("a");
      if (a != prev + 1) {
        gapFrom = prev + 1;
        gapTo = a - 1;
        gaps.add(gapFrom + ".." + gapTo + " T=" + ts.get(i).getLong("T"));
      }
    }
    assertThat(gaps).hasSize(1);
    assertThat(gapTo - gapFrom + 1).isEqualTo(5);
    JsonArray rest = get(WebClient.create(vertx), sim, "/api/v3/aggTrades?symbol=BTCUSDT&fromId=" + gapFrom + "&limit=5").bodyAsJsonArray();
    assertThat(rest).hasSize(5);
    assertThat(rest.getJsonObject(0).getLong("a")).isEqualTo(gapFrom);
    assertThat(rest.getJsonObject(4).getLong("a")).isEqualTo(gapTo);
    await(sim.close());
  }

  @Test
  void duplicatesReorderingAndMalformedFrames(Vertx vertx) {
    Simulator sim = await(Simulator.start(vertx, cfg()));
    WsCollector w = ws(vertx, sim, "/ws/btcusdt@aggTrade");
    until("first trades", 10_000, () -> trades(w).size() >= 2);
    await(sim.applyFaults(new JsonObject().put("duplicateTrades", 3).put("reorderTrades", 2).put("malformedFrames", 2)));
    int[] counts = new int[3];
    until("faults seen by the client", 15_000, () -> {
      List<JsonObject> ts = trades(w);
      Set<Long> seen = new HashSet<>();
      int dups = 0;
      int backwards = 0;
      for (int i = 0; i < ts.size(); i++) {
        long a = ts.get(i).getLong("a");
        if (!seen.add(a)) {
          dups++;
        } else if (i > 0 && a < ts.get(i - 1).getLong("a")) {
          backwards++;
        }
      }
      int bad = 0;
      for (String t : w.texts()) {
        try {
          new JsonObject(t);
        } catch (RuntimeException e) {
          bad++;
        }
      }
      counts[0] = dups;
      counts[1] = backwards;
      counts[2] = bad;
      return dups >= 3 && backwards >= 2 && bad >= 2 && sim.faults().reorderTrades == 0;
    });
    int dups = counts[0];
    int backwards = counts[1];
    long bad = counts[2];
    assertThat(dups).isEqualTo(3);
    assertThat(backwards).isEqualTo(2);
    assertThat(bad).isEqualTo(2);
    await(sim.close());
  }

  @Test
  void dropAndStall(Vertx vertx) {
    Simulator sim = await(Simulator.start(vertx, cfg()));
    WsCollector a = ws(vertx, sim, "/ws/btcusdt@aggTrade");
    WsCollector b = ws(vertx, sim, "/stream?streams=ethusdt@aggTrade");
    until("connected", 5000, () -> !a.texts().isEmpty());
    HttpPost.post(vertx, sim, new JsonObject().put("dropConnections", true));
    until("both dropped", 5000, () -> a.closed && b.closed);
    WsCollector c = ws(vertx, sim, "/ws/btcusdt@aggTrade");
    until("traffic", 5000, () -> !c.texts().isEmpty());
    await(sim.applyFaults(new JsonObject().put("stallMs", 1500)));
    long stallStart = System.currentTimeMillis();
    int n0 = c.textCount();
    List<Integer> during = new ArrayList<>();
    until("stall over", 5000, () -> {
      if (System.currentTimeMillis() - stallStart < 1300) {
        during.add(c.textCount());
        return false;
      }
      return !sim.faults().stalled();
    });
    // at most frames already in flight when the stall began
    assertThat(during.get(during.size() - 1) - n0).isLessThanOrEqualTo(5);
    int after = c.textCount();
    until("traffic resumes", 5000, () -> c.textCount() > after + 3);
    JsonObject st = await(sim.status());
    assertThat(st.getJsonObject("faults").getLong("connectionDrops")).isEqualTo(2);
    assertThat(st.getLong("tradesSent")).isPositive();
    assertThat(st.getLong("connections")).isEqualTo(1);
    await(sim.close());
  }

  static final class HttpPost {
    static void post(Vertx vertx, Simulator sim, JsonObject body) {
      WebClient client = WebClient.create(vertx);
      int code = await(client.postAbs(sim.restBaseUrl() + "/sim/faults").sendJsonObject(body)).statusCode();
      java.lang.ref.Reference.reachabilityFence(client);
      assertThat(code).isEqualTo(200);
    }
  }
}
