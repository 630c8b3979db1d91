package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property-based fuzzing of both event-bus bridges (jqwik): a client that writes random or malformed
 * frames (bad length prefixes, bodies that are not JSON, JSON that is not a bridge frame, wrong types)
 * is refused cleanly, with an error frame or by closing its connection, never leaving it hanging; and
 * after every such client, a well-behaved client of the same bridge, connected all along, still gets
 * its query answered. The TCP bridge's framing refusals are counted ({@code klagg_bridge_malformed_total}).
 * A failure prints jqwik's {@code seed}; replay with {@code @Property(seed = "...")}.
 */
class BridgeFuzzTest {
  static final long WAIT_MS = 5_000;
  static Vertx vertx;
  static WebFixture fx;
  static MessageConsumer<JsonObject> history;
  static String symbol;
  static BridgeSealTest.Client tcpGood;
  static BridgeSealTest.Client sockJsGood;
  /**
   * Clients held for the whole class: Vert.x closes a client that is no longer referenced once it is
   * garbage collected, and a client made per try could be closed during its own handshake.
   */
  static io.vertx.core.http.WebSocketClient wsClient;
  static io.vertx.core.net.NetClient netClient;
  static int queries;

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @BeforeContainer
  static void start() {
    vertx = Vertx.vertx();
    wsClient = vertx.createWebSocketClient();
    netClient = vertx.createNetClient();
    fx = new WebFixture(vertx);
    BridgeSealTest.fx = fx;
    await(fx.start(WebFixture.config(4)));
    history = fx.installHistory();
    await(history.completion());
    symbol = await(fx.get("/api/v3/exchangeInfo")).json().getJsonArray("symbols").getJsonObject(0).getString("symbol");
    tcpGood = await(BridgeSealTest.connect(vertx, "tcp"));
    sockJsGood = await(BridgeSealTest.connect(vertx, "sockjs"));
  }

  @AfterContainer
  static void stop() {
    await(Future.join(tcpGood.close(), sockJsGood.close()));
    await(fx.stop());
    await(vertx.close());
  }

  /** The well-behaved client still gets an answer to a query. */
  static void stillServed(BridgeSealTest.Client good) {
    String reply = good.bridge() + "-fuzz-" + (++queries);
    good.send(Addresses.QUERY_IN, reply, new JsonObject().put("symbol", symbol).put("interval", "1m").put("limit", 1));
    JsonObject m = await(good.got.next("answer " + reply, 20_000, x -> reply.equals(x.getString("address"))));
    assertThat(m.getString("type")).as("answer to the well-behaved %s client", good.bridge()).isNotEqualTo("err");
    assertThat(good.closed).isFalse();
  }

  /** Refusals counted for a bridge: malformed frames plus allow-list refusals, from /metrics. */
  static double refusalsCounted(String bridge) {
    double n = 0;
    for (var e : await(BridgeSealTest.bridgeMeters()).entrySet()) {
      if ((e.getKey().startsWith("klagg_bridge_malformed_total{") || e.getKey().startsWith("klagg_bridge_refused_total{"))
          && e.getKey().contains("bridge=\"" + bridge + "\"")) {
        n += e.getValue();
      }
    }
    return n;
  }

  // ---------------------------------------------------------------- TCP

  /** A raw TCP client: collects every byte the bridge sends and whether it closed the connection. */
  static final class RawTcp {
    final NetSocket so;
    final Buffer got = Buffer.buffer();
    volatile boolean closed;

    RawTcp(NetSocket so) {
      this.so = so;
      so.handler(b -> {
        synchronized (got) {
          got.appendBuffer(b);
        }
      });
      so.closeHandler(v -> closed = true);
    }

    /** The complete frames received so far. */
    List<JsonObject> frames() {
      List<JsonObject> out = new ArrayList<>();
      synchronized (got) {
        int i = 0;
        while (got.length() - i >= 4) {
          int n = got.getInt(i);
          if (n < 0 || got.length() - i - 4 < n) {
            break;
          }
          out.add(new JsonObject(got.getString(i + 4, i + 4 + n)));
          i += 4 + n;
        }
      }
      return out;
    }

    boolean refused() {
      return closed || frames().stream().anyMatch(f -> "err".equals(f.getString("type")));
    }
  }

  static void waitFor(String what, java.util.function.BooleanSupplier cond) {
    long end = System.currentTimeMillis() + WAIT_MS;
    while (!cond.getAsBoolean()) {
      assertThat(System.currentTimeMillis()).as("waiting for " + what).isLessThan(end);
      java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
    }
  }

  /** Bodies a bridge must refuse: not JSON, JSON but not an object, objects that are not valid frames. */
  @Provide
  Arbitrary<String> badBodies() {
    Arbitrary<String> junkText = Arbitraries.strings().withChars("{}[]\":,01-abtypesndrgu \\").ofMaxLength(40)
        .filter(BridgeFuzzTest::notAnObject);
    Arbitrary<String> notObjects = Arbitraries.of("[]", "[1,2]", "\"x\"", "42", "null", "true", "", " ");
    Arbitrary<Object> oddValue = Arbitraries.<Object>of(5, -1, true, "", "nope", new JsonObject(),
        new io.vertx.core.json.JsonArray().add(1));
    Arbitrary<String> badFrames = Combinators.combine(
            Arbitraries.of("send", "publish", "register", "unregister", "ping", "nope", "", "SEND"),
            oddValue, Arbitraries.of("address", "type", "replyAddress", "body", "headers"), oddValue)
        .as((type, v, key, v2) -> {
          JsonObject f = new JsonObject().put("type", type).put(key, v);
          if (!"type".equals(key)) {
            f.put("address", v2);
          }
          return f;
        })
        .filter(BridgeFuzzTest::refusable)
        .map(JsonObject::encode);
    return Arbitraries.oneOf(junkText, notObjects, badFrames);
  }

  static boolean notAnObject(String s) {
    try {
      new JsonObject(s);
      return false;
    } catch (RuntimeException e) {
      return true;
    }
  }

  /**
   * A frame object that the bridge must answer with an error: anything but a ping, a register /
   * unregister on a permitted address, or a send / publish the allow-list lets through (which may
   * legitimately get no answer).
   */
  static boolean refusable(JsonObject f) {
    Object type = f.getValue("type");
    Object address = f.getValue("address");
    if ("ping".equals(type)) {
      return false;
    }
    if ("unregister".equals(type)) {
      return false; // unregistering what one never registered is a no-op, as on the SockJS bridge
    }
    if (address instanceof String && (Addresses.bridgeMayRegister((String) address)
        || Addresses.bridgeMaySend((String) address))) {
      return false;
    }
    return true;
  }

  /** A length prefix and body: lengths that lie, negative or huge, and bodies that are not frames. */
  @Provide
  Arbitrary<byte[]> tcpJunk() {
    Arbitrary<byte[]> honest = badBodies().map(s -> frame(s.getBytes(StandardCharsets.UTF_8), null));
    Arbitrary<byte[]> badLength = Combinators.combine(badBodies(),
            Arbitraries.oneOf(Arbitraries.integers().lessOrEqual(-1),
                Arbitraries.integers().between(70_000, Integer.MAX_VALUE),
                Arbitraries.of(Integer.MIN_VALUE, -1, Integer.MAX_VALUE, 0x7B22747B /* '{"t{' */)))
        .as((s, len) -> frame(s.getBytes(StandardCharsets.UTF_8), len));
    Arbitrary<byte[]> noPrefix = badBodies().map(s -> ("{\"type\":\"ping\"}" + s).getBytes(StandardCharsets.UTF_8))
        .filter(b -> java.nio.ByteBuffer.wrap(b).getInt() > 65536 || java.nio.ByteBuffer.wrap(b).getInt() < 0);
    return Arbitraries.oneOf(honest, badLength, noPrefix);
  }

  static byte[] frame(byte[] body, Integer length) {
    return Buffer.buffer().appendInt(length == null ? body.length : length).appendBytes(body).getBytes();
  }

  @Property(tries = 60)
  void tcpMalformedFramesAreRefusedAndTheBridgeServesOthers(@ForAll("tcpJunk") byte[] junk) {
    double counted = refusalsCounted("tcp");
    RawTcp bad = new RawTcp(await(netClient.connect(fx.harness.service.tcpBridgePort(), "127.0.0.1")));
    try {
      await(bad.so.write(Buffer.buffer(junk)));
      waitFor("a refusal (error frame or close) of " + Buffer.buffer(junk), bad::refused);
      assertThat(refusalsCounted("tcp")).as("refusal counted").isGreaterThan(counted);
      stillServed(tcpGood);
    } finally {
      await(bad.so.close().recover(e -> Future.succeededFuture()));
    }
  }

  @Property(tries = 40)
  void tcpRandomBytesNeverHurtTheBridge(@ForAll @net.jqwik.api.constraints.Size(max = 200) byte[] junk) {
    RawTcp bad = new RawTcp(await(netClient.connect(fx.harness.service.tcpBridgePort(), "127.0.0.1")));
    try {
      await(bad.so.write(Buffer.buffer(junk)));
      stillServed(tcpGood);
      // whatever it made of them, what it sent back is well-framed JSON
      assertThat(bad.frames()).allSatisfy(f -> assertThat(f.getString("type")).isNotNull());
    } finally {
      await(bad.so.close().recover(e -> Future.succeededFuture()));
    }
  }

  // ---------------------------------------------------------------- SockJS

  @Provide
  Arbitrary<String> sockJsBodies() {
    return badBodies().filter(s -> !s.isEmpty()); // the raw WebSocket transport drops empty messages unseen
  }

  @Property(tries = 60)
  void sockJsMalformedFramesAreRefusedAndTheBridgeServesOthers(@ForAll("sockJsBodies") String text) {
    WebSocket ws = await(wsClient.connect(fx.port(), "127.0.0.1", "/eventbus/websocket"));
    List<String> got = java.util.Collections.synchronizedList(new ArrayList<>());
    boolean[] closed = {false};
    ws.handler(b -> got.add(b.toString()));
    ws.closeHandler(v -> closed[0] = true);
    double counted = refusalsCounted("sockjs");
    try {
      await(ws.writeTextMessage(text));
      waitFor("a refusal (error frame or close) of '" + text + "'", () -> closed[0]
          || got.stream().anyMatch(s -> s.contains("\"err\"")));
      assertThat(refusalsCounted("sockjs")).as("refusal counted").isGreaterThan(counted);
      stillServed(sockJsGood);
    } finally {
      await(ws.close().recover(e -> Future.succeededFuture()));
    }
  }
}
