package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.eventbus.bridge.tcp.impl.protocol.FrameHelper;
import io.vertx.ext.eventbus.bridge.tcp.impl.protocol.FrameParser;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import klagg.core.Interval;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The event-bus bridges are sealed: a client registers only where klagg publishes and sends only
 * where klagg answers, so it can neither take nor answer another client's queries; a client that
 * stops reading is conflated and then closed while the others keep receiving. Two real clients per
 * test: SockJS's raw WebSocket transport and a TCP socket speaking the TCP bridge's framing.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class BridgeSealTest {
  static final long STUCK_MS = 3_000;
  static WebFixture fx;
  static MessageConsumer<JsonObject> history;
  static List<String> symbols = new ArrayList<>();

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    fx = new WebFixture(vertx);
    JsonObject conf = WebFixture.config(6);
    conf.getJsonObject("bridge").put("stuckClientMs", STUCK_MS);
    fx.start(conf).compose(f -> {
      history = fx.installHistory();
      return history.completion();
    }).compose(v -> fx.get("/api/v3/exchangeInfo")).onComplete(ctx.succeeding(r -> {
      for (Object o : r.json().getJsonArray("symbols")) {
        symbols.add(((JsonObject) o).getString("symbol"));
      }
      ctx.completeNow();
    }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    fx.stop().onComplete(ctx.succeedingThenComplete());
  }

  // ---------------------------------------------------------------- two kinds of real clients

  /** A bridge client as a user writes one: frames in, frames out. */
  abstract static class Client {
    final WebMessages<JsonObject> got;
    final List<JsonObject> all = new ArrayList<>();
    volatile boolean closed;

    Client(Vertx vertx) {
      got = new WebMessages<>(vertx);
    }

    void received(JsonObject m) {
      synchronized (all) {
        all.add(m);
      }
      got.add(m);
    }

    List<JsonObject> all() {
      synchronized (all) {
        return new ArrayList<>(all);
      }
    }

    abstract String bridge();

    abstract void write(JsonObject frame);

    abstract void pauseReading();

    abstract Future<Void> close();

    void register(String address) {
      write(new JsonObject().put("type", "register").put("address", address));
    }

    void send(String address, String replyAddress, JsonObject body) {
      write(new JsonObject().put("type", "send").put("address", address).put("replyAddress", replyAddress).put("body", body));
    }

    void publish(String address, JsonObject body) {
      write(new JsonObject().put("type", "publish").put("address", address).put("body", body));
    }

    /** The bridge's refusal frame (SockJS puts the reason in body, TCP in message). */
    static boolean denied(JsonObject m) {
      return "err".equals(m.getString("type")) && m.getString("address") == null
          && ("access_denied".equals(m.getValue("body")) || "access_denied".equals(m.getValue("message")));
    }

    /** A delivered message (not an error) for {@code address}. */
    static boolean delivered(JsonObject m, String address) {
      return !"err".equals(m.getString("type")) && address.equals(m.getString("address"));
    }
  }

  static final class SockJsClient extends Client {
    final WebSocket ws;
    final long pinger;
    final Vertx vertx;

    SockJsClient(Vertx vertx, WebSocket ws) {
      super(vertx);
      this.vertx = vertx;
      this.ws = ws;
      ws.handler(b -> received(b.toJsonObject()));
      ws.closeHandler(v -> closed = true);
      // the SockJS bridge closes a socket that does not ping within 10 s; a paused reader still writes
      pinger = vertx.setPeriodic(2_000, id -> write(new JsonObject().put("type", "ping")));
    }

    static Future<Client> connect(Vertx vertx, boolean smallBuffer) {
      // a small receive buffer, so that a client that stops reading fills the server's queue soon
      WebSocketClientOptions o = new WebSocketClientOptions();
      if (smallBuffer) {
        o.setReceiveBufferSize(4096);
      }
      return vertx.createWebSocketClient(o)
          .connect(fx.port(), "127.0.0.1", "/eventbus/websocket").map(ws -> new SockJsClient(vertx, ws));
    }

    @Override
    String bridge() {
      return "sockjs";
    }

    @Override
    void write(JsonObject frame) {
      if (!closed) {
        ws.writeTextMessage(frame.encode()).onFailure(e -> { });
      }
    }

    @Override
    void pauseReading() {
      ws.pause();
    }

    @Override
    Future<Void> close() {
      vertx.cancelTimer(pinger);
      return closed ? Future.succeededFuture() : ws.close().recover(e -> Future.succeededFuture());
    }
  }

  static final class TcpClient extends Client {
    final NetSocket so;

    TcpClient(Vertx vertx, NetSocket so) {
      super(vertx);
      this.so = so;
      so.handler(new FrameParser(ar -> {
        if (ar.succeeded()) {
          received(ar.result());
        }
      }));
      so.closeHandler(v -> closed = true);
    }

    static Future<Client> connect(Vertx vertx, boolean smallBuffer) {
      NetClientOptions o = new NetClientOptions();
      if (smallBuffer) {
        o.setReceiveBufferSize(4096);
      }
      return vertx.createNetClient(o)
          .connect(fx.harness.service.tcpBridgePort(), "127.0.0.1").map(so -> new TcpClient(vertx, so));
    }

    @Override
    String bridge() {
      return "tcp";
    }

    @Override
    void write(JsonObject frame) {
      if (!closed) {
        FrameHelper.writeFrame(frame, so);
      }
    }

    @Override
    void pauseReading() {
      so.pause();
    }

    @Override
    Future<Void> close() {
      return closed ? Future.succeededFuture() : so.close().recover(e -> Future.succeededFuture());
    }
  }

  static Future<Client> connect(Vertx vertx, String bridge) {
    return connect(vertx, bridge, false);
  }

  static Future<Client> connect(Vertx vertx, String bridge, boolean smallBuffer) {
    return "tcp".equals(bridge) ? TcpClient.connect(vertx, smallBuffer) : SockJsClient.connect(vertx, smallBuffer);
  }

  /** klagg_bridge_* meters from /metrics, by name with labels. */
  static Future<Map<String, Double>> bridgeMeters() {
    return fx.get("/metrics").map(r -> {
      Map<String, Double> m = new HashMap<>();
      for (String line : r.body().toString().split("\n")) {
        if (line.startsWith("klagg_bridge_")) {
          int sp = line.lastIndexOf(' ');
          m.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
        }
      }
      return m;
    });
  }

  static double meter(Map<String, Double> m, String name, String bridge, String key, String value) {
    return m.getOrDefault(name + "{bridge=\"" + bridge + "\"," + key + "=\"" + value + "\"}", 0.0);
  }

  static double slowDisconnects(Map<String, Double> m, String bridge) {
    return m.getOrDefault("klagg_bridge_slow_disconnects_total{bridge=\"" + bridge + "\"}", 0.0);
  }

  static Future<Map<String, Double>> metersWhen(Vertx vertx, String what, long ms, Predicate<Map<String, Double>> p) {
    long end = System.currentTimeMillis() + ms;
    return bridgeMeters().compose(m -> {
      if (p.test(m)) {
        return Future.succeededFuture(m);
      }
      if (System.currentTimeMillis() > end) {
        return Future.failedFuture(new AssertionError(what + " not reached in " + ms + " ms: " + m));
      }
      return Harness.after(vertx, 200).compose(v -> metersWhen(vertx, what, end - System.currentTimeMillis(), p));
    });
  }

  // ---------------------------------------------------------------- (a) and (c): refusals

  @Test
  void requestAddressesCannotBeRegisteredNorOutboundOnesSentTo(Vertx vertx, VertxTestContext ctx) {
    Future<Map<String, Double>> before = bridgeMeters();
    before.compose(m0 -> Future.all(connect(vertx, "sockjs"), connect(vertx, "tcp")).compose(cs -> {
      List<Future<JsonObject>> refusals = new ArrayList<>();
      List<Client> clients = List.of(cs.resultAt(0), cs.resultAt(1));
      for (Client c : clients) {
        // (a) the request address, old and new name; (c) a send and publishes to addresses klagg publishes on
        c.register(Addresses.QUERY_IN);
        c.register("klagg.out.query");
        c.send(Addresses.CHANGES_OUT, "x1", new JsonObject());
        c.publish(Addresses.klineOut(symbols.get(0), "1m"), new JsonObject().put("forged", true));
        c.publish(Addresses.QUERY_IN, new JsonObject().put("symbol", symbols.get(0)).put("interval", "1m"));
        for (int i = 0; i < 5; i++) {
          refusals.add(c.got.next(c.bridge() + " refusal " + i, 20_000, Client::denied));
        }
      }
      return Future.all(refusals).compose(v -> metersWhen(vertx, "refusals counted", 10_000,
          m -> meter(m, "klagg_bridge_refused_total", "sockjs", "type", "register")
                  >= meter(m0, "klagg_bridge_refused_total", "sockjs", "type", "register") + 2
              && meter(m, "klagg_bridge_refused_total", "tcp", "type", "register")
                  >= meter(m0, "klagg_bridge_refused_total", "tcp", "type", "register") + 2
              && meter(m, "klagg_bridge_refused_total", "sockjs", "type", "send")
                  >= meter(m0, "klagg_bridge_refused_total", "sockjs", "type", "send") + 1
              && meter(m, "klagg_bridge_refused_total", "tcp", "type", "send")
                  >= meter(m0, "klagg_bridge_refused_total", "tcp", "type", "send") + 1
              && meter(m, "klagg_bridge_refused_total", "sockjs", "type", "publish")
                  >= meter(m0, "klagg_bridge_refused_total", "sockjs", "type", "publish") + 2
              && meter(m, "klagg_bridge_refused_total", "tcp", "type", "publish")
                  >= meter(m0, "klagg_bridge_refused_total", "tcp", "type", "publish") + 2))
          // a query now: nobody took the request address
          .compose(m -> {
            for (Client c : clients) {
              c.send(Addresses.QUERY_IN, c.bridge() + "-q", new JsonObject().put("symbol", symbols.get(0))
                  .put("interval", "1m").put("limit", 2));
            }
            return Future.all(clients.get(0).got.next("sockjs answer", 20_000, m1 -> Client.delivered(m1, "sockjs-q")),
                clients.get(1).got.next("tcp answer", 20_000, m1 -> Client.delivered(m1, "tcp-q")));
          })
          .eventually(() -> Future.join(clients.get(0).close(), clients.get(1).close()));
    })).onComplete(ctx.succeeding(answers -> ctx.verify(() -> {
      assertThat(answers.<JsonObject>resultAt(0).getJsonObject("body").getJsonArray("klines")).hasSize(2);
      assertThat(answers.<JsonObject>resultAt(1).getJsonObject("body").getJsonArray("klines")).hasSize(2);
      ctx.completeNow();
    })));
  }

  // ---------------------------------------------------------------- (b): queries never cross

  /** Query {@code i} of client {@code who}: a past window of its own (symbol, interval, start, limit). */
  static JsonObject query(int who, int i, long now) {
    String sym = symbols.get((who * 3 + i) % symbols.size());
    Interval iv = i % 2 == 0 ? Interval.M5 : Interval.M15;
    long start = iv.openOf(now) - (40L + who * 7 + i) * iv.fixedLength();
    return new JsonObject().put("symbol", sym).put("interval", iv.code()).put("startTime", start).put("limit", 2 + i % 5);
  }

  static JsonArray expected(JsonObject q) {
    return fx.exchangeKlines(q.getString("symbol"), Interval.parse(q.getString("interval")), q.getLong("startTime"),
        null, q.getInteger("limit"));
  }

  @Test
  void queriesOfTwoClientsNeverCrossSockJsTakerTcpVictim(Vertx vertx, VertxTestContext ctx) {
    queriesNeverCross(vertx, ctx, "sockjs", "tcp");
  }

  @Test
  void queriesOfTwoClientsNeverCrossTcpTakerSockJsVictim(Vertx vertx, VertxTestContext ctx) {
    queriesNeverCross(vertx, ctx, "tcp", "sockjs");
  }

  /**
   * Client A registers on everything it can think of, including the request address; A and B each
   * send 20 queries, interleaved. Each gets exactly its own 20 answers, equal to the exchange's klines,
   * and A never sees one of B's queries.
   */
  void queriesNeverCross(Vertx vertx, VertxTestContext ctx, String bridgeA, String bridgeB) {
    int n = 20;
    long now = fx.harness.serverNow();
    Future.all(connect(vertx, bridgeA), connect(vertx, bridgeB)).compose(cs -> {
      Client a = cs.resultAt(0);
      Client b = cs.resultAt(1);
      for (String addr : List.of(Addresses.QUERY_IN, "klagg.out.query", "klagg.in.query", Addresses.CHANGES_OUT)) {
        a.register(addr);
      }
      // registrations are handled in order before A's and B's queries: wait for A's refusals first
      return Future.all(a.got.next("refusal 1", 20_000, Client::denied), a.got.next("refusal 2", 20_000, Client::denied),
              a.got.next("refusal 3", 20_000, Client::denied))
          .compose(v -> {
            List<Future<JsonObject>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
              for (int who = 0; who < 2; who++) {
                Client c = who == 0 ? a : b;
                String reply = (who == 0 ? "a" : "b") + i;
                c.send(Addresses.QUERY_IN, reply, query(who, i, now));
                answers.add(c.got.next("answer " + reply, 30_000, m -> reply.equals(m.getString("address"))));
              }
            }
            return Future.all(answers);
          })
          .map(all -> {
            ctx.verify(() -> {
              for (int i = 0; i < n; i++) {
                for (int who = 0; who < 2; who++) {
                  JsonObject m = all.resultAt(i * 2 + who);
                  JsonObject q = query(who, i, now);
                  assertThat(m.getString("type")).as("answer to %s of query %d", who == 0 ? "A" : "B", i)
                      .isNotEqualTo("err");
                  JsonObject body = m.getJsonObject("body");
                  assertThat(body.getString("symbol")).isEqualTo(q.getString("symbol"));
                  assertThat(body.getString("interval")).isEqualTo(q.getString("interval"));
                  assertThat(body.getJsonArray("klines")).isEqualTo(expected(q));
                }
              }
              for (JsonObject m : a.all()) {
                String addr = m.getString("address");
                assertThat(addr).as("A received %s", m).isNotIn(Addresses.QUERY_IN, "klagg.out.query");
                assertThat(addr == null || addr.startsWith("a") || addr.equals(Addresses.CHANGES_OUT))
                    .as("A received only its own answers and cycle changes: %s", m).isTrue();
              }
              for (JsonObject m : b.all()) {
                String addr = m.getString("address");
                assertThat(addr == null || addr.startsWith("b")).as("B received only its own answers: %s", m).isTrue();
              }
            });
            return all;
          })
          .eventually(() -> Future.join(a.close(), b.close()));
    }).onComplete(ctx.succeedingThenComplete());
  }

  // ---------------------------------------------------------------- (d): a client that stops reading

  @Test
  void aSockJsClientThatStopsReadingIsClosedWhileTheOtherKeepsReceiving(Vertx vertx, VertxTestContext ctx) {
    slowClient(vertx, ctx, "sockjs");
  }

  @Test
  void aTcpClientThatStopsReadingIsClosedWhileTheOtherKeepsReceiving(Vertx vertx, VertxTestContext ctx) {
    slowClient(vertx, ctx, "tcp");
  }

  static final String LOAD = Addresses.klineOut("LOADTEST", "1m");
  static final String PAD = "x".repeat(16_000);

  void slowClient(Vertx vertx, VertxTestContext ctx, String bridge) {
    List<String> addresses = new ArrayList<>();
    addresses.add(Addresses.CHANGES_OUT);
    for (String s : symbols) {
      for (String iv : List.of("1m", "5m", "15m", "1h")) {
        addresses.add(Addresses.klineOut(s, iv));
      }
    }
    addresses.add(LOAD);
    double[] before = new double[2];
    long[] loadTimer = {-1};
    long[] loadSeq = {0};
    bridgeMeters().compose(m0 -> {
      before[0] = meter(m0, "klagg_bridge_dropped_total", bridge, "reason", "conflated");
      before[1] = slowDisconnects(m0, bridge);
      return Future.all(connect(vertx, bridge, true), connect(vertx, bridge));
    }).compose(cs -> {
      Client slow = cs.resultAt(0);
      Client fast = cs.resultAt(1);
      addresses.forEach(slow::register);
      addresses.forEach(fast::register);
      return Future.all(slow.got.next("slow: a cycle's changes", 20_000, m -> Client.delivered(m, Addresses.CHANGES_OUT)),
              fast.got.next("fast: a cycle's changes", 20_000, m -> Client.delivered(m, Addresses.CHANGES_OUT)))
          .compose(v -> {
            slow.pauseReading();
            // heavy traffic on an outbound address both listen on (the market alone takes minutes to
            // fill a socket's buffers on a loaded machine): 16 KB kline events, ten a second
            loadTimer[0] = vertx.setPeriodic(100, id -> {
              long t = ++loadSeq[0];
              vertx.eventBus().publish(LOAD, new JsonObject().put("e", "kline").put("k", new JsonObject().put("t", t))
                  .put("pad", PAD));
            });
            // the server conflates what the slow client does not read, then closes it
            return metersWhen(vertx, "the slow client conflated and closed", 60_000,
                m -> meter(m, "klagg_bridge_dropped_total", bridge, "reason", "conflated") > before[0]
                    && slowDisconnects(m, bridge) >= before[1] + 1);
          })
          // and the other client still gets every cycle's changes and the latest load event after that
          .compose(m -> {
            long last = loadSeq[0];
            return fast.got.next("fast: the latest load event", 20_000, e -> Client.delivered(e, LOAD)
                && e.getJsonObject("body").getJsonObject("k").getLong("t") >= last);
          })
          .compose(m -> {
            long cycleNow = fx.harness.serverNow();
            return fast.got.next("fast: a cycle's changes after the slow client was closed", 20_000,
                s -> Client.delivered(s, Addresses.CHANGES_OUT) && s.getJsonObject("body").getLong("E") > cycleNow);
          })
          .compose(s -> {
            // the slow client's connection is gone: it resumes reading and finds the socket closed
            if (slow instanceof SockJsClient) {
              ((SockJsClient) slow).ws.resume();
            } else {
              ((TcpClient) slow).so.resume();
            }
            return awaitClosed(vertx, slow, 30_000).map(s);
          })
          .eventually(() -> {
            vertx.cancelTimer(loadTimer[0]);
            return Future.join(slow.close(), fast.close());
          });
    }).onComplete(ctx.succeeding(s -> ctx.verify(() -> {
      assertThat(s.getJsonObject("body").getJsonArray("klines")).isNotNull();
      ctx.completeNow();
    })));
  }

  static Future<Void> awaitClosed(Vertx vertx, Client c, long ms) {
    if (c.closed) {
      return Future.succeededFuture();
    }
    if (ms <= 0) {
      return Future.failedFuture(new AssertionError(c.bridge() + " slow client not closed by the server"));
    }
    return Harness.after(vertx, 200).compose(v -> awaitClosed(vertx, c, ms - 200));
  }
}
