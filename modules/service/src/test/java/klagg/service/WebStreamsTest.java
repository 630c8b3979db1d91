package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.eventbus.bridge.tcp.impl.protocol.FrameHelper;
import io.vertx.ext.eventbus.bridge.tcp.impl.protocol.FrameParser;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import klagg.core.Interval;
import klagg.sim.SimInterval;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Binance's kline streams over WebSocket, limits, and the SockJS and TCP event-bus bridges. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class WebStreamsTest {
  static io.vertx.core.net.NetClient netClient;

  static WebFixture fx;
  static WebSocketClient client;
  static String symbol;
  static String symbol2;
  /** The first 1m boundary of server time after start, soon after it. */
  static long boundary;
  /** A raw stream connected right after start, so that it sees the first 1m close. */
  static WebMessages<JsonObject> early;
  static WebSocket earlyWs;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    fx = new WebFixture(vertx);
    long now = System.currentTimeMillis();
    boundary = (now / 60_000 + 2) * 60_000;
    JsonObject conf = Harness.config(boundary - 15_000, 4, 5);
    conf.getJsonObject("workers").put("instances", 2);
    conf.put("bridge", new JsonObject().put("tcpEnabled", true).put("tcpPort", 0));
    conf.put("web", new JsonObject().put("maxStreams", 3).put("maxMessagesPerSecond", 20).put("maxFrameBytes", 1024));
    client = vertx.createWebSocketClient();
    early = new WebMessages<>(vertx);
    fx.start(conf).compose(f -> fx.get("/api/v3/exchangeInfo")).compose(r -> {
      symbol = r.json().getJsonArray("symbols").getJsonObject(0).getString("symbol");
      symbol2 = r.json().getJsonArray("symbols").getJsonObject(1).getString("symbol");
      return connect("/ws/" + symbol.toLowerCase() + "@kline_1m", early);
    }).onComplete(ctx.succeeding(ws -> {
      earlyWs = ws;
      ctx.completeNow();
    }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    fx.stop().onComplete(ctx.succeedingThenComplete());
  }

  static Future<WebSocket> connect(String uri, WebMessages<JsonObject> into) {
    return client.connect(fx.port(), "127.0.0.1", uri).map(ws -> {
      // text or binary (the SockJS raw transport writes binary frames)
      ws.handler(b -> into.add(b.toJsonObject()));
      return ws;
    });
  }

  static void assertKline(JsonObject e, String sym, String iv) {
    assertThat(e.fieldNames()).containsExactly("e", "E", "s", "k");
    assertThat(e.getString("e")).isEqualTo("kline");
    assertThat(e.getValue("E")).isInstanceOf(Number.class);
    assertThat(e.getString("s")).isEqualTo(sym);
    JsonObject k = e.getJsonObject("k");
    assertThat(k.fieldNames()).containsExactly("t", "T", "s", "i", "f", "L", "o", "c", "h", "l", "v", "n", "x", "q",
        "V", "Q", "B");
    assertThat(k.getString("s")).isEqualTo(sym);
    assertThat(k.getString("i")).isEqualTo(iv);
    for (String f : new String[] {"o", "c", "h", "l", "v", "q", "V", "Q"}) {
      assertThat(k.getString(f)).matches("\\d+\\.\\d{8}");
    }
    assertThat(k.getString("B")).isEqualTo("0");
    assertThat(k.getLong("T")).isEqualTo(k.getLong("t") + Interval.parse(iv).fixedLength() - 1);
  }

  @Test
  void rawStreamPushesLiveKlinesAndTheCloseEqualToTheExchanges(Vertx vertx, VertxTestContext ctx) {
    WebMessages<JsonObject> got = early;
    got.next("a live kline", 15_000, m -> !m.getJsonObject("k").getBoolean("x"))
        .compose(live -> {
          ctx.verify(() -> assertKline(live, symbol, "1m"));
          return got.next("the closing kline", 45_000, m -> m.getJsonObject("k").getBoolean("x"));
        })
        .eventually(earlyWs::close)
        .onComplete(ctx.succeeding(closed -> ctx.verify(() -> {
          assertKline(closed, symbol, "1m");
          JsonObject k = closed.getJsonObject("k");
          assertThat(k.getLong("T")).isEqualTo(boundary - 1);
          var info = fx.market().symbol(symbol);
          JsonObject theirs = fx.market().klines(info, SimInterval.M1, k.getLong("t"), k.getLong("t"), 1).get(0).toStreamK(true);
          assertThat(k).isEqualTo(theirs);
          ctx.completeNow();
        })));
  }

  @Test
  void combinedStreamsWrapEachEvent(Vertx vertx, VertxTestContext ctx) {
    WebMessages<JsonObject> got = new WebMessages<>(vertx);
    String a = symbol.toLowerCase() + "@kline_1m";
    String b = symbol.toLowerCase() + "@kline_5m";
    connect("/stream?streams=" + a + "/" + b, got)
        .compose(ws -> Future.all(got.next(a, 20_000, m -> a.equals(m.getString("stream"))),
            got.next(b, 20_000, m -> b.equals(m.getString("stream")))).eventually(ws::close))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          JsonObject ea = all.resultAt(0);
          JsonObject eb = all.resultAt(1);
          assertThat(ea.fieldNames()).containsExactly("stream", "data");
          assertKline(ea.getJsonObject("data"), symbol, "1m");
          assertKline(eb.getJsonObject("data"), symbol, "5m");
          ctx.completeNow();
        })));
  }

  @Test
  void commandsAnswerLikeBinance(Vertx vertx, VertxTestContext ctx) {
    WebMessages<JsonObject> got = new WebMessages<>(vertx);
    String s = symbol.toLowerCase() + "@kline_1m";
    connect("/ws", got).compose(ws -> {
      ws.writeTextMessage("{\"method\":\"SUBSCRIBE\",\"params\":[\"" + s + "\"],\"id\":1}");
      return got.next("reply 1", 5_000, m -> m.containsKey("id") && Integer.valueOf(1).equals(m.getValue("id")))
          .compose(r1 -> {
            ctx.verify(() -> assertThat(r1).isEqualTo(new JsonObject().put("result", null).put("id", 1)));
            return got.next("a kline after SUBSCRIBE", 15_000, m -> "kline".equals(m.getString("e")));
          })
          .compose(k -> {
            ws.writeTextMessage("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":\"abc3\"}");
            return got.next("list", 5_000, m -> "abc3".equals(m.getValue("id")));
          })
          .compose(list -> {
            ctx.verify(() -> assertThat(list).isEqualTo(new JsonObject().put("result", new JsonArray().add(s)).put("id", "abc3")));
            ws.writeTextMessage("{\"method\":\"UNSUBSCRIBE\",\"params\":[\"" + s + "\"],\"id\":4}");
            return got.next("unsubscribed", 5_000, m -> Integer.valueOf(4).equals(m.getValue("id")));
          })
          .compose(u -> {
            ws.writeTextMessage("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":5}");
            return got.next("empty list", 5_000, m -> Integer.valueOf(5).equals(m.getValue("id")));
          })
          .compose(empty -> {
            ctx.verify(() -> assertThat(empty.getJsonArray("result")).isEmpty());
            ws.writeTextMessage("{\"method\":");
            ws.writeTextMessage("{\"method\":\"FLY\",\"id\":6}");
            ws.writeTextMessage("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@depth\"],\"id\":7}");
            ws.writeTextMessage("{\"method\":\"SUBSCRIBE\",\"params\":[],\"id\":8,\"extra\":1}");
            ws.writeTextMessage("{\"method\":\"SUBSCRIBE\",\"params\":[],\"id\":-9}");
            ws.writeTextMessage("{\"method\":\"SUBSCRIBE\",\"params\":[\"a@kline_1m\",\"b@kline_1m\",\"c@kline_1m\",\"d@kline_1m\"],\"id\":10}");
            ws.writeTextMessage("{\"method\":\"SET_PROPERTY\",\"params\":[\"combined\",true],\"id\":11}");
            ws.writeTextMessage("{\"method\":\"GET_PROPERTY\",\"params\":[\"combined\"],\"id\":12}");
            return Future.all(java.util.List.of(
                got.next("invalid JSON", 5_000, m -> m.containsKey("error") && m.getJsonObject("error").getInteger("code") == 3),
                got.next("unknown method", 5_000, m -> Integer.valueOf(6).equals(m.getValue("id"))),
                got.next("bad stream", 5_000, m -> Integer.valueOf(7).equals(m.getValue("id"))),
                got.next("unknown property", 5_000, m -> Integer.valueOf(8).equals(m.getValue("id"))),
                got.next("bad id", 5_000, m -> m.containsKey("error") && m.getJsonObject("error").getString("msg").contains("request ID")),
                got.next("too many streams", 5_000, m -> Integer.valueOf(10).equals(m.getValue("id"))),
                got.next("set property", 5_000, m -> Integer.valueOf(11).equals(m.getValue("id"))),
                got.next("get property", 5_000, m -> Integer.valueOf(12).equals(m.getValue("id")))));
          })
          .eventually(ws::close);
    }).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      JsonObject invalidJson = all.resultAt(0);
      assertThat(invalidJson.getJsonObject("error").getString("msg")).startsWith("Invalid JSON");
      assertThat(all.<JsonObject>resultAt(1).getJsonObject("error").getInteger("code")).isEqualTo(2);
      assertThat(all.<JsonObject>resultAt(1).getJsonObject("error").getString("msg")).startsWith("Invalid request: unknown variant");
      assertThat(all.<JsonObject>resultAt(2).getJsonObject("error").getInteger("code")).isEqualTo(2);
      assertThat(all.<JsonObject>resultAt(3).getJsonObject("error"))
          .isEqualTo(new JsonObject().put("code", 0).put("msg", "Unknown property"));
      assertThat(all.<JsonObject>resultAt(4).getJsonObject("error").getInteger("code")).isEqualTo(2);
      assertThat(all.<JsonObject>resultAt(5).getJsonObject("error").getString("msg")).contains("too many streams");
      assertThat(all.<JsonObject>resultAt(6)).isEqualTo(new JsonObject().put("result", null).put("id", 11));
      assertThat(all.<JsonObject>resultAt(7)).isEqualTo(new JsonObject().put("result", true).put("id", 12));
      ctx.completeNow();
    })));
  }

  /** A client that connects to {@code /ws/<connection index>} and subscribes later, as client libraries do. */
  @Test
  void wsIndexPathThenSubscribe(Vertx vertx, VertxTestContext ctx) {
    WebMessages<JsonObject> got = new WebMessages<>(vertx);
    String s = symbol.toLowerCase() + "@kline_1m";
    connect("/ws/0", got).compose(ws -> {
      ws.writeTextMessage("{\"method\":\"SUBSCRIBE\",\"params\":[\"" + s + "\"],\"id\":1}");
      return got.next("reply 1", 5_000, m -> Integer.valueOf(1).equals(m.getValue("id")))
          .compose(r1 -> {
            ctx.verify(() -> assertThat(r1).isEqualTo(new JsonObject().put("result", null).put("id", 1)));
            return got.next("a kline after SUBSCRIBE", 15_000, m -> "kline".equals(m.getString("e")));
          })
          .compose(k -> {
            ctx.verify(() -> assertKline(k, symbol, "1m"));
            // a stream klagg does not serve: an error frame, the connection stays open
            ws.writeTextMessage("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@depth\"],\"id\":2}");
            return got.next("unserved", 5_000, m -> Integer.valueOf(2).equals(m.getValue("id")));
          })
          .compose(unserved -> {
            ctx.verify(() -> {
              assertThat(unserved.getJsonObject("error").getInteger("code")).isEqualTo(2);
              assertThat(unserved.getJsonObject("error").getString("msg")).startsWith("Invalid request: ")
                  .contains("btcusdt@depth").contains("not served");
            });
            ws.writeTextMessage("{\"method\":\"SUBSCRIBE\",");
            return got.next("malformed", 5_000, m -> m.containsKey("error") && m.getJsonObject("error").getInteger("code") == 3);
          })
          .compose(malformed -> {
            ctx.verify(() -> assertThat(ws.isClosed()).isFalse());
            ws.writeTextMessage("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":3}");
            return got.next("list", 5_000, m -> Integer.valueOf(3).equals(m.getValue("id")));
          })
          .eventually(ws::close);
    }).onComplete(ctx.succeeding(list -> ctx.verify(() -> {
      assertThat(list).isEqualTo(new JsonObject().put("result", new JsonArray().add(s)).put("id", 3));
      ctx.completeNow();
    })));
  }

  /** {@code /stream} without {@code streams}, SUBSCRIBE, then SET_PROPERTY switches to raw payloads. */
  @Test
  void streamWithoutStreamsThenSubscribeAndSetProperty(Vertx vertx, VertxTestContext ctx) {
    WebMessages<JsonObject> got = new WebMessages<>(vertx);
    String s = symbol.toLowerCase() + "@kline_1m";
    connect("/stream", got).compose(ws -> {
      ws.writeTextMessage("{\"method\":\"SUBSCRIBE\",\"params\":[\"" + s + "\"],\"id\":1}");
      return got.next("reply 1", 5_000, m -> Integer.valueOf(1).equals(m.getValue("id")))
          .compose(r1 -> {
            ctx.verify(() -> assertThat(r1).isEqualTo(new JsonObject().put("result", null).put("id", 1)));
            return got.next("a combined kline", 15_000, m -> s.equals(m.getString("stream")));
          })
          .compose(e -> {
            ctx.verify(() -> assertKline(e.getJsonObject("data"), symbol, "1m"));
            ws.writeTextMessage("{\"method\":\"SET_PROPERTY\",\"params\":[\"combined\",false],\"id\":2}");
            return got.next("set", 5_000, m -> Integer.valueOf(2).equals(m.getValue("id")));
          })
          .compose(set -> {
            ctx.verify(() -> assertThat(set).isEqualTo(new JsonObject().put("result", null).put("id", 2)));
            ws.writeTextMessage("{\"method\":\"GET_PROPERTY\",\"params\":[\"combined\"],\"id\":3}");
            return got.next("get", 5_000, m -> Integer.valueOf(3).equals(m.getValue("id")));
          })
          .compose(get -> {
            ctx.verify(() -> assertThat(get).isEqualTo(new JsonObject().put("result", false).put("id", 3)));
            return got.next("a raw kline", 15_000, m -> "kline".equals(m.getString("e")));
          })
          .eventually(ws::close);
    }).onComplete(ctx.succeeding(raw -> ctx.verify(() -> {
      assertKline(raw, symbol, "1m");
      ctx.completeNow();
    })));
  }

  /** As Binance: a ping frame within 20 s (answered by the client's automatic pong). */
  @Test
  void serverPingsLikeBinance(Vertx vertx, VertxTestContext ctx) {
    client.connect(fx.port(), "127.0.0.1", "/ws/0").onComplete(ctx.succeeding(ws -> {
      long deadline = vertx.setTimer(30_000, id -> ctx.failNow("no ping frame within 30 s"));
      ws.frameHandler(f -> {
        if (f.type() == io.vertx.core.http.WebSocketFrameType.PING) {
          vertx.cancelTimer(deadline);
          ws.close().onComplete(v -> ctx.completeNow());
        }
      });
    }));
  }

  /** Several names in the path, as Binance: the served ones subscribe, the others are ignored. */
  @Test
  void pathNamesSubscribeWhatIsServed(Vertx vertx, VertxTestContext ctx) {
    WebMessages<JsonObject> got = new WebMessages<>(vertx);
    String s = symbol.toLowerCase() + "@kline_1m";
    connect("/ws/a/btcusdt@depth/" + s, got).compose(ws -> {
      ws.writeTextMessage("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":1}");
      return got.next("list", 5_000, m -> Integer.valueOf(1).equals(m.getValue("id"))).eventually(ws::close);
    }).onComplete(ctx.succeeding(list -> ctx.verify(() -> {
      assertThat(list).isEqualTo(new JsonObject().put("result", new JsonArray().add(s)).put("id", 1));
      ctx.completeNow();
    })));
  }

  @Test
  void limitsCloseOrRefuse(Vertx vertx, VertxTestContext ctx) {
    String many = "/stream?streams=a@kline_1m/b@kline_1m/c@kline_1m/d@kline_1m";
    Future<Throwable> tooMany = client.connect(fx.port(), "127.0.0.1", many).map(ws -> (Throwable) null)
        .recover(Future::succeededFuture);
    // as Binance: a name klagg does not serve subscribes to nothing, the connection is accepted
    WebMessages<JsonObject> badNameGot = new WebMessages<>(vertx);
    Future<JsonObject> badName = connect("/ws/btcusdt@trade", badNameGot).compose(ws -> {
      ws.writeTextMessage("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":1}");
      return badNameGot.next("list", 5_000, m -> m.containsKey("result")).eventually(ws::close);
    });
    Future<Short> flood = client.connect(fx.port(), "127.0.0.1", "/ws").compose(ws -> {
      io.vertx.core.Promise<Short> closed = io.vertx.core.Promise.promise();
      ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode()));
      for (int i = 0; i < 25; i++) {
        ws.writeTextMessage("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":" + i + "}");
      }
      return closed.future();
    });
    Future<Short> bigFrame = client.connect(fx.port(), "127.0.0.1", "/ws").compose(ws -> {
      io.vertx.core.Promise<Short> closed = io.vertx.core.Promise.promise();
      ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode()));
      ws.writeTextMessage("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":\"" + "x".repeat(2000) + "\"}");
      return closed.future();
    });
    Future.all(tooMany, badName, flood, bigFrame).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      assertThat(tooMany.result()).isInstanceOf(UpgradeRejectedException.class);
      assertThat(((UpgradeRejectedException) tooMany.result()).getStatus()).isEqualTo(400);
      assertThat(badName.result()).isEqualTo(new JsonObject().put("result", new JsonArray()).put("id", 1));
      assertThat(flood.result()).isEqualTo((short) 1008);
      assertThat(bigFrame.result()).isNotNull();
      ctx.completeNow();
    })));
  }

  // ---------------------------------------------------------------- bridges

  @Test
  void sockJsBridgeDeliversPermittedAddressesOnly(Vertx vertx, VertxTestContext ctx) {
    WebMessages<JsonObject> got = new WebMessages<>(vertx);
    String kline = Addresses.klineOut(symbol, "1m");
    connect("/eventbus/websocket", got).compose(ws -> {
      ws.writeTextMessage(new JsonObject().put("type", "register").put("address", kline).encode());
      Future<JsonObject> first = got.next("kline", 20_000, m -> kline.equals(m.getString("address")));
      first.onSuccess(k -> ws.writeTextMessage(new JsonObject().put("type", "send").put("address", Addresses.QUERY_IN)
          .put("replyAddress", "r1")
          .put("body", new JsonObject().put("symbol", symbol).put("interval", "1m").put("limit", 5)).encode()));
      ws.writeTextMessage(new JsonObject().put("type", "send").put("address", Addresses.QUERY_IN).put("replyAddress", "r2")
          .put("body", new JsonObject().put("symbol", "NOSUCH").put("interval", "1m")).encode());
      ws.writeTextMessage(new JsonObject().put("type", "register").put("address", Addresses.CYCLE).encode());
      ws.writeTextMessage(new JsonObject().put("type", "send").put("address", Addresses.SYMBOLS_LIST).put("replyAddress", "r3")
          .put("body", new JsonObject()).encode());
      return Future.all(java.util.List.of(
          first,
          got.next("query reply", 25_000, m -> "r1".equals(m.getString("address"))),
          got.next("query failure", 10_000, m -> "err".equals(m.getString("type")) && "r2".equals(m.getString("address"))),
          got.next("refusals", 10_000, m -> "err".equals(m.getString("type")) && "access_denied".equals(m.getString("body")))))
          .eventually(ws::close);
    }).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      assertKline(all.<JsonObject>resultAt(0).getJsonObject("body"), symbol, "1m");
      JsonArray klines = all.<JsonObject>resultAt(1).getJsonObject("body").getJsonArray("klines");
      assertThat(klines).isNotEmpty();
      assertThat(klines.getJsonArray(0)).hasSize(12);
      assertThat(all.<JsonObject>resultAt(2).getInteger("failureCode")).isEqualTo(-1121);
      ctx.completeNow();
    })));
  }

  /** klagg_web_* meters from /metrics, by name. */
  static Future<java.util.Map<String, Double>> webMeters() {
    return fx.get("/metrics").map(r -> {
      java.util.Map<String, Double> m = new java.util.HashMap<>();
      for (String line : r.body().toString().split("\n")) {
        if (line.startsWith("klagg_web_")) {
          String[] kv = line.split(" ");
          m.put(kv[0].replaceAll("\\{.*}", ""), Double.parseDouble(kv[kv.length - 1]));
        }
      }
      return m;
    });
  }

  /** The meters once {@code p} holds of them (checked every 100 ms), failing after {@code ms}. */
  static Future<java.util.Map<String, Double>> metersWhen(Vertx vertx, String what, long ms,
      java.util.function.Predicate<java.util.Map<String, Double>> p) {
    long end = System.currentTimeMillis() + ms;
    return webMeters().compose(m -> {
      if (p.test(m)) {
        return Future.succeededFuture(m);
      }
      if (System.currentTimeMillis() > end) {
        return Future.failedFuture(new AssertionError(what + " not reached in " + ms + " ms: " + m));
      }
      return Harness.after(vertx, 100).compose(v -> metersWhen(vertx, what, end - System.currentTimeMillis(), p));
    });
  }

  private static double cycles(java.util.Map<String, Double> m) {
    return m.getOrDefault("klagg_web_cycles_total", 0.0);
  }

  private static double events(java.util.Map<String, Double> m) {
    return m.getOrDefault("klagg_web_bus_events_total", 0.0);
  }

  private static double registrations(java.util.Map<String, Double> m) {
    return m.getOrDefault("klagg_web_bridge_registrations", -1.0);
  }

  @Test
  void klineEventsAreBuiltOnlyWhileABridgeClientListens(Vertx vertx, VertxTestContext ctx) {
    WebMessages<JsonObject> got = new WebMessages<>(vertx);
    String kline = Addresses.klineOut(symbol, "1m");
    double[] before = new double[3];
    metersWhen(vertx, "no bridge registrations", 20_000, m -> registrations(m) == 0)
        .compose(m0 -> {
          before[0] = events(m0);
          return metersWhen(vertx, "5 cycles", 20_000, m -> cycles(m) >= cycles(m0) + 5);
        })
        .compose(m1 -> {
          ctx.verify(() -> assertThat(events(m1)).as("events built with nobody listening").isEqualTo(before[0]));
          before[1] = events(m1);
          return connect("/eventbus/websocket", got);
        })
        .compose(ws -> {
          ws.writeTextMessage(new JsonObject().put("type", "register").put("address", kline).encode());
          return got.next("kline", 20_000, m -> kline.equals(m.getString("address")))
              .compose(k -> metersWhen(vertx, "one registration", 10_000, m -> registrations(m) == 1))
              .compose(m2 -> {
                ctx.verify(() -> assertThat(events(m2)).as("events for a listener").isGreaterThan(before[1]));
                return ws.close();
              });
        })
        .compose(v -> metersWhen(vertx, "registration gone with its socket", 20_000, m -> registrations(m) == 0))
        .compose(m3 -> {
          before[2] = events(m3);
          return metersWhen(vertx, "5 more cycles", 20_000, m -> cycles(m) >= cycles(m3) + 5);
        })
        .onComplete(ctx.succeeding(m4 -> ctx.verify(() -> {
          assertThat(events(m4)).as("events after the listener left").isEqualTo(before[2]);
          ctx.completeNow();
        })));
  }

  @Test
  void tcpBridgeDeliversPermittedAddressesOnly(Vertx vertx, VertxTestContext ctx) {
    WebMessages<JsonObject> got = new WebMessages<>(vertx);
    netClient = vertx.createNetClient(); // held: an unreferenced client is closed when collected
    netClient.connect(fx.harness.service.tcpBridgePort(), "127.0.0.1").compose((NetSocket so) -> {
      so.handler(new FrameParser(ar -> {
        if (ar.succeeded()) {
          got.add(ar.result());
        }
      }));
      FrameHelper.sendFrame("register", Addresses.CHANGES_OUT, null, so);
      Future<JsonObject> changes = got.next("a cycle's changes", 20_000, m -> Addresses.CHANGES_OUT.equals(m.getString("address")));
      changes.onSuccess(m -> {
        JsonObject k = m.getJsonObject("body").getJsonArray("klines").getJsonObject(0).getJsonObject("k");
        FrameHelper.sendFrame("send", Addresses.QUERY_IN, "q1",
            new JsonObject().put("symbol", k.getString("s")).put("interval", k.getString("i")).put("limit", 3), so);
      });
      FrameHelper.sendFrame("send", Addresses.REST_TIME, "q2", new JsonObject(), so);
      FrameHelper.sendFrame("register", Addresses.TICK, null, so);
      return Future.all(java.util.List.of(
          changes,
          got.next("query reply", 25_000, m -> "q1".equals(m.getString("address"))),
          got.next("refused send", 10_000, m -> "err".equals(m.getString("type"))),
          got.next("refused register", 10_000, m -> "err".equals(m.getString("type")))))
          .eventually(so::close);
    }).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      JsonObject snap = all.<JsonObject>resultAt(0).getJsonObject("body");
      assertThat(snap.getJsonArray("klines")).isNotEmpty();
      JsonObject first = snap.getJsonArray("klines").getJsonObject(0);
      assertKline(first, first.getString("s"), first.getJsonObject("k").getString("i"));
      JsonArray klines = all.<JsonObject>resultAt(1).getJsonObject("body").getJsonArray("klines");
      assertThat(klines).isNotEmpty();
      assertThat(all.<JsonObject>resultAt(2).getString("message")).isEqualTo("access_denied");
      assertThat(all.<JsonObject>resultAt(3).getString("message")).isEqualTo("access_denied");
      ctx.completeNow();
    })));
  }
}
