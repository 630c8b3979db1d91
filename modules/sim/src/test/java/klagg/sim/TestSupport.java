package klagg.sim;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

final class TestSupport {
  private TestSupport() {}

  /** Blocks the JUnit thread (never an event loop) on a future, with a deadline. */
  static <T> T await(Future<T> f) {
    return await(f, 20_000);
  }

  static <T> T await(Future<T> f, long ms) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(ms, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError(e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Waits until {@code cond} holds, failing after {@code ms}. */
  static void until(String what, long ms, BooleanSupplier cond) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + ms + " ms waiting for " + what);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
    }
  }

  static SimConfig cfg() {
    SimConfig c = new SimConfig();
    c.port = 0;
    c.symbols = 8;
    c.rate = 40;
    c.seed = 7;
    long now = System.currentTimeMillis();
    c.historyStartMs = Math.floorDiv(now, 3_600_000L) * 3_600_000L - 2 * 3_600_000L;
    return c;
  }

  static HttpResponse<Buffer> get(WebClient client, Simulator sim, String pathAndQuery) {
    try {
      return await(client.getAbs(sim.restBaseUrl() + pathAndQuery).send());
    } finally {
      // Vert.x 5 closes a client that becomes unreachable: keep it alive until the answer is in
      java.lang.ref.Reference.reachabilityFence(client);
    }
  }

  static final class WsCollector {
    final WebSocket ws;
    /** Held so the client is not garbage-collected (and closed) while the socket is in use. */
    WebSocketClient client;
    private final List<String> texts = new java.util.ArrayList<>();
    private final List<String> frames = new java.util.ArrayList<>();
    private final List<JsonObject> parsed = new java.util.ArrayList<>();

    /** Snapshot of the text messages received so far. */
    synchronized List<String> texts() {
      return new java.util.ArrayList<>(texts);
    }

    synchronized int textCount() {
      return texts.size();
    }

    synchronized List<String> frames() {
      return new java.util.ArrayList<>(frames);
    }

    /** Snapshot of the text messages that parsed as JSON objects. */
    synchronized List<JsonObject> parsed() {
      return new java.util.ArrayList<>(parsed);
    }

    synchronized int parsedCount() {
      return parsed.size();
    }
    volatile boolean closed;
    volatile Short closeCode;

    WsCollector(WebSocket ws) {
      this.ws = ws;
      ws.frameHandler(f -> {
        synchronized (this) {
          frames.add(f.type().name());
        }
      });
      ws.textMessageHandler(t -> {
        synchronized (this) {
          texts.add(t);
        }
        JsonObject o = null;
        if (t.startsWith("{")) {
          try {
            o = new JsonObject(t);
          } catch (RuntimeException e) {
            // malformed frame (fault injection)
          }
        }
        if (o != null) {
          synchronized (this) {
            parsed.add(o);
          }
        }
      });
      ws.closeHandler(v -> {
        closeCode = ws.closeStatusCode();
        closed = true;
      });
    }

    List<JsonObject> json() {
      return parsed();
    }

    void send(String text) {
      ws.writeTextMessage(text);
    }

    JsonObject awaitReply(Object id, long ms) {
      JsonObject[] found = new JsonObject[1];
      until("reply id " + id, ms, () -> {
        for (String t : texts()) {
          if (t.startsWith("{") && t.contains("\"id\"") && t.endsWith("}")) {
            JsonObject o = new JsonObject(t);
            if (o.containsKey("id") && java.util.Objects.equals(o.getValue("id"), id)
                && (o.containsKey("result") || o.containsKey("error"))) {
              found[0] = o;
              return true;
            }
          }
        }
        return false;
      });
      return found[0];
    }
  }

  static WsCollector ws(Vertx vertx, Simulator sim, String uri) {
    WebSocketClient client = vertx.createWebSocketClient();
    CLIENTS.add(client);
    WebSocket ws = await(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(sim.port()).setURI(uri)));
    WsCollector c = new WsCollector(ws);
    c.client = client;
    return c;
  }

  /** Every WebSocket client a test made, kept reachable for the life of the test JVM. */
  static final java.util.Set<WebSocketClient> CLIENTS = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * A file of real exchange data: the repository's {@code testdata/binance/} (provenance in its README.md),
   * on the test classpath as {@code binance/<file>} (a test resource of this module's pom).
   */
  static Path binance(String file) {
    java.net.URL url = TestSupport.class.getClassLoader().getResource("binance/" + file);
    if (url == null) {
      throw new IllegalStateException("test data binance/" + file + " is not on the test classpath"
          + " (testdata/binance/ at the repository root, a test resource of the module's pom)");
    }
    try {
      return Path.of(url.toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
