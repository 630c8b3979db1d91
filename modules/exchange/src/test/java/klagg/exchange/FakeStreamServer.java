package klagg.exchange;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Binance-like combined-stream endpoint on loopback: {@code /stream?streams=a/b}, SUBSCRIBE /
 * UNSUBSCRIBE with {@code {"result":null,"id":…}} replies, pings, and a record of every message the
 * client sent (commands and pongs) with its receive time.
 */
final class FakeStreamServer {
  static final class Conn {
    final int id;
    final ServerWebSocket ws;
    final Set<String> active = ConcurrentHashMap.newKeySet();
    final List<Long> incoming = new CopyOnWriteArrayList<>();
    final List<String> commands = new CopyOnWriteArrayList<>();
    final List<String> pongs = new CopyOnWriteArrayList<>();
    volatile boolean open = true;
    /** a stalled connection: stays open, gets nothing (no data, no pings) */
    volatile boolean muted;

    Conn(int id, ServerWebSocket ws) {
      this.id = id;
      this.ws = ws;
    }

    /** Largest number of client messages in any window of {@code ms}. */
    int maxInWindow(long ms) {
      List<Long> t = new ArrayList<>(incoming);
      int best = 0;
      for (int i = 0, j = 0; i < t.size(); i++) {
        while (t.get(i) - t.get(j) >= ms) {
          j++;
        }
        best = Math.max(best, i - j + 1);
      }
      return best;
    }
  }

  final Vertx vertx;
  final List<Conn> conns = new CopyOnWriteArrayList<>();
  final AtomicInteger ids = new AtomicInteger();
  /** Protocol violations seen (e.g. a command over the rate limit). */
  final List<String> violations = new CopyOnWriteArrayList<>();
  volatile int rateLimit = 5;
  /** new connections start muted (an exchange-wide stall) */
  volatile boolean muteNew;
  HttpServer server;

  FakeStreamServer(Vertx vertx) {
    this.vertx = vertx;
  }

  Future<Integer> start() {
    server = vertx.createHttpServer();
    server.webSocketHandler(this::accept);
    return server.listen(0, "127.0.0.1").map(HttpServer::actualPort);
  }

  Future<Void> close() {
    return server.close();
  }

  private void accept(ServerWebSocket ws) {
    if (!ws.path().equals("/stream")) {
      ws.close((short) 1008, "bad path");
      return;
    }
    Conn c = new Conn(ids.incrementAndGet(), ws);
    c.muted = muteNew;
    String q = ws.query();
    if (q != null) {
      for (String part : q.split("&")) {
        if (part.startsWith("streams=")) {
          for (String s : part.substring(8).split("/")) {
            if (!s.isEmpty()) {
              c.active.add(s);
            }
          }
        }
      }
    }
    conns.add(c);
    ws.closeHandler(v -> c.open = false);
    ws.pongHandler(b -> {
      c.incoming.add(System.currentTimeMillis());
      c.pongs.add(b.toString());
      checkRate(c);
    });
    ws.textMessageHandler(text -> {
      c.incoming.add(System.currentTimeMillis());
      c.commands.add(text);
      checkRate(c);
      JsonObject cmd = new JsonObject(text);
      JsonArray params = cmd.getJsonArray("params", new JsonArray());
      String method = cmd.getString("method");
      if ("SUBSCRIBE".equals(method)) {
        params.forEach(p -> c.active.add((String) p));
      } else if ("UNSUBSCRIBE".equals(method)) {
        params.forEach(p -> c.active.remove((String) p));
      } else {
        ws.writeTextMessage(new JsonObject().put("error", new JsonObject().put("code", 1)
            .put("msg", "Invalid request")).put("id", cmd.getValue("id")).encode());
        return;
      }
      ws.writeTextMessage(new JsonObject().putNull("result").put("id", cmd.getValue("id")).encode());
    });
  }

  private void checkRate(Conn c) {
    if (c.maxInWindow(1000) > rateLimit) {
      violations.add("connection " + c.id + " sent more than " + rateLimit + " messages in 1 s");
    }
  }

  List<Conn> openConns() {
    List<Conn> out = new ArrayList<>();
    for (Conn c : conns) {
      if (c.open) {
        out.add(c);
      }
    }
    return out;
  }

  /** The one open connection, or null when there are none or several (a consistent snapshot). */
  Conn single() {
    List<Conn> open = openConns();
    return open.size() == 1 ? open.get(0) : null;
  }

  /** Sends {@code {"stream":s,"data":data}} to every open connection subscribed to {@code s}. */
  void publish(String stream, String dataJson) {
    String msg = "{\"stream\":\"" + stream + "\",\"data\":" + dataJson + "}";
    for (Conn c : conns) {
      if (c.open && !c.muted && c.active.contains(stream)) {
        c.ws.writeTextMessage(msg);
      }
    }
  }

  void ping(Conn c, String payload) {
    c.ws.writePing(Buffer.buffer(payload));
  }

  void sendFragmented(Conn c, String first, String... rest) {
    c.ws.writeFrame(WebSocketFrame.textFrame(first, rest.length == 0));
    for (int i = 0; i < rest.length; i++) {
      c.ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(rest[i]), i == rest.length - 1));
    }
  }
}
