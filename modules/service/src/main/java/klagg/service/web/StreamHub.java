package klagg.service.web;

import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import klagg.core.Interval;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binance's market-stream protocol for kline streams over WebSocket: raw ({@code /ws}) and combined
 * ({@code /stream}) connections, SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS / SET_PROPERTY /
 * GET_PROPERTY. Each changed kline's frame is encoded once per cycle and shared by its subscribers.
 * A client whose write queue is full gets conflated updates (per stream the latest version of at most
 * the two newest klines), never an unbounded queue; one that stays behind longer than
 * {@code stuckClientMs} is disconnected. Owned by the web event loop.
 */
final class StreamHub {
  private static final Logger log = LoggerFactory.getLogger(StreamHub.class);

  /** Per-connection limits. */
  static final class Limits {
    final int maxConnections;
    final int maxStreams;
    final int maxMessagesPerSecond;
    final long stuckClientMs;

    Limits(int maxConnections, int maxStreams, int maxMessagesPerSecond, long stuckClientMs) {
      this.maxConnections = maxConnections;
      this.maxStreams = maxStreams;
      this.maxMessagesPerSecond = maxMessagesPerSecond;
      this.stuckClientMs = stuckClientMs;
    }
  }

  final class Conn {
    final ServerWebSocket ws;
    boolean combined;
    final LinkedHashSet<String> streams = new LinkedHashSet<>();
    final Conflation<String> pending = new Conflation<>();
    long stuckSince;
    long windowStart;
    int messagesInWindow;
    long conflated;
    boolean closed;
    final long connectedAt = System.currentTimeMillis();
    long lastPing = connectedAt;
    long lastHeard = connectedAt;

    Conn(ServerWebSocket ws, boolean combined) {
      this.ws = ws;
      this.combined = combined;
    }

    void offer(String stream, long openTime, String frame) {
      if (pending.isEmpty() && !ws.writeQueueFull()) {
        ws.writeTextMessage(frame);
        return;
      }
      pending.put(stream, openTime, frame);
      conflated++;
      if (stuckSince == 0) {
        stuckSince = System.currentTimeMillis();
        backlogged.add(this);
      }
    }

    /** Writes what waits while the queue has room. */
    void flush() {
      pending.drain(ws::writeTextMessage, ws::writeQueueFull);
      if (pending.isEmpty()) {
        stuckSince = 0;
        backlogged.remove(this);
      }
    }
  }


  /** As Binance: a ping frame every 20 s, closed without a pong (or any frame) for a minute, and after 24 h. */
  static final long PING_MS = 20_000;
  static final long PONG_TIMEOUT_MS = 60_000;
  static final long MAX_AGE_MS = 24L * 3600_000;

  private final Limits limits;
  private final Set<Interval> served;
  private final Map<String, Set<Conn>> subscribers = new HashMap<>();
  private final Set<Conn> connections = new LinkedHashSet<>();
  private final Set<Conn> backlogged = new LinkedHashSet<>();
  private long slowDisconnects;
  private long rateDisconnects;

  StreamHub(Limits limits, Set<Interval> served) {

    this.limits = limits;
    this.served = served;
  }

  /**
   * A stream name we serve, normalised ({@code btcusdt@kline_1m}), or null. The symbol part is
   * matched case-insensitively; symbols not (yet) tracked are accepted, as Binance does.
   */
  String normalize(String name) {
    if (name == null) {
      return null;
    }
    int at = name.indexOf("@kline_");
    if (at <= 0 || at > 30) {
      return null;
    }
    String sym = name.substring(0, at).toLowerCase(Locale.ROOT);
    for (int i = 0; i < sym.length(); i++) {
      char c = sym.charAt(i);
      if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9')) {
        return null;
      }
    }
    Interval iv = Interval.find(name.substring(at + 7));
    if (iv == null || !served.contains(iv)) {
      return null;
    }
    return sym + "@kline_" + iv.code();
  }

  static String streamName(String lowerSymbol, Interval iv) {
    return lowerSymbol + "@kline_" + iv.code();
  }

  boolean full() {
    return connections.size() >= limits.maxConnections;
  }

  /** Takes a new connection with its URL streams (already validated). */
  void accept(ServerWebSocket ws, List<String> initial, boolean combined) {
    Conn c = new Conn(ws, combined);
    connections.add(c);
    for (String s : initial) {
      subscribe(c, s);
    }
    ws.pongHandler(b -> c.lastHeard = System.currentTimeMillis());
    ws.textMessageHandler(text -> onMessage(c, text));
    ws.binaryMessageHandler(b -> onMessage(c, null));
    ws.drainHandler(v -> c.flush());
    ws.exceptionHandler(e -> log.debug("websocket error: {}", e.getMessage()));
    ws.closeHandler(v -> drop(c));
  }

  private void drop(Conn c) {
    if (c.closed) {
      return;
    }
    c.closed = true;
    connections.remove(c);
    backlogged.remove(c);
    for (String s : c.streams) {
      Set<Conn> set = subscribers.get(s);
      if (set != null) {
        set.remove(c);
        if (set.isEmpty()) {
          subscribers.remove(s);
        }
      }
    }
    c.streams.clear();
    c.pending.clear();
  }

  private void subscribe(Conn c, String stream) {
    if (c.streams.add(stream)) {
      subscribers.computeIfAbsent(stream, k -> new LinkedHashSet<>()).add(c);
    }
  }

  private void unsubscribe(Conn c, String stream) {
    if (c.streams.remove(stream)) {
      Set<Conn> set = subscribers.get(stream);
      if (set != null) {
        set.remove(c);
        if (set.isEmpty()) {
          subscribers.remove(stream);
        }
      }
      c.pending.remove(stream);
    }
  }

  // ---------------------------------------------------------------- fan-out

  boolean hasSubscribers(String stream) {
    return subscribers.containsKey(stream);
  }

  /** Sends one kline event (encoded once) to every subscriber of {@code stream}. */
  void publish(String stream, long openTime, String raw) {
    Set<Conn> set = subscribers.get(stream);
    if (set == null) {
      return;
    }
    String wrapped = null;
    for (Conn c : set) {
      if (c.combined) {
        if (wrapped == null) {
          wrapped = "{\"stream\":\"" + stream + "\",\"data\":" + raw + "}";
        }
        c.offer(stream, openTime, wrapped);
      } else {
        c.offer(stream, openTime, raw);
      }
    }
  }

  /** Once a second: pings every 20 s, closes silent connections and those older than 24 h, as Binance. */
  void housekeeping() {
    long now = System.currentTimeMillis();
    for (Conn c : new ArrayList<>(connections)) {
      if (now - c.connectedAt >= MAX_AGE_MS) {
        drop(c);
        c.ws.close((short) 1000, "24 hour connection limit").onFailure(e -> { });
      } else if (now - c.lastHeard >= PONG_TIMEOUT_MS && now - c.lastPing < PING_MS) {
        drop(c);
        c.ws.close((short) 1008, "no pong").onFailure(e -> { });
      } else if (now - c.lastPing >= PING_MS) {
        c.lastPing = now;
        c.ws.writePing(io.vertx.core.buffer.Buffer.buffer()).onFailure(e -> { });
      }
    }
    afterCycle();
  }

  /** After a cycle: lets backlogged clients catch up, drops those stuck too long. */
  void afterCycle() {
    if (backlogged.isEmpty()) {
      return;
    }
    long now = System.currentTimeMillis();
    for (Conn c : new ArrayList<>(backlogged)) {
      c.flush();
      if (c.stuckSince > 0 && now - c.stuckSince > limits.stuckClientMs) {
        slowDisconnects++;
        log.info("disconnecting a websocket client stuck for {} ms ({} updates conflated)", now - c.stuckSince,
            c.conflated);
        drop(c);
        // a peer that reads nothing never answers the close frame: the server's closing timeout
        // (a few seconds) then closes the TCP connection
        c.ws.close((short) 1008, "too slow").onFailure(e -> { });
      }
    }
  }

  // ---------------------------------------------------------------- commands

  private void onMessage(Conn c, String text) {
    long now = System.currentTimeMillis();
    c.lastHeard = now;
    if (now - c.windowStart >= 1000) {
      c.windowStart = now;
      c.messagesInWindow = 0;
    }
    if (++c.messagesInWindow > limits.maxMessagesPerSecond) {
      rateDisconnects++;
      drop(c);
      c.ws.close((short) 1008, "too many messages").onFailure(e -> { });
      return;
    }
    if (text == null) {
      return;
    }
    Object parsed;
    try {
      parsed = io.vertx.core.json.Json.decodeValue(text);
    } catch (DecodeException e) {
      error(c, 3, "Invalid JSON: " + firstLine(e.getMessage()), null);
      return;
    }
    if (!(parsed instanceof JsonObject)) {
      error(c, 2, "Invalid request: expected a JSON object", null);
      return;
    }
    JsonObject req = (JsonObject) parsed;
    Object id = req.getValue("id");
    if (!validId(id)) {
      error(c, 2, "Invalid request: request ID must be an unsigned integer or an alphanumeric string of at most 36 characters", null);
      return;
    }
    for (String k : req.fieldNames()) {
      if (!k.equals("method") && !k.equals("params") && !k.equals("id")) {
        error(c, 0, "Unknown property", id);
        return;
      }
    }
    Object m = req.getValue("method");
    if (m == null) {
      error(c, 2, "Invalid request: missing field `method`", id);
      return;
    }
    String method = String.valueOf(m);
    Object params = req.getValue("params");
    switch (method) {
      case "SUBSCRIBE":
      case "UNSUBSCRIBE": {
        List<String> names = streamParams(c, params, id);
        if (names == null) {
          return;
        }
        if (method.equals("SUBSCRIBE")) {
          Set<String> after = new HashSet<>(c.streams);
          after.addAll(names);
          if (after.size() > limits.maxStreams) {
            error(c, 2, "Invalid request: too many streams (at most " + limits.maxStreams + " per connection)", id);
            return;
          }
          names.forEach(s -> subscribe(c, s));
        } else {
          names.forEach(s -> unsubscribe(c, s));
        }
        result(c, null, id);
        return;
      }
      case "LIST_SUBSCRIPTIONS":
        result(c, new JsonArray(new ArrayList<>(c.streams)), id);
        return;
      case "SET_PROPERTY": {
        if (!(params instanceof JsonArray) || ((JsonArray) params).size() != 2
            || !"combined".equals(((JsonArray) params).getValue(0))) {
          error(c, 2, "Invalid request: unknown property", id);
          return;
        }
        Object v = ((JsonArray) params).getValue(1);
        if (!(v instanceof Boolean)) {
          error(c, 1, "Invalid value type: expected Boolean", id);
          return;
        }
        c.combined = (Boolean) v;
        c.pending.clear();
        result(c, null, id);
        return;
      }
      case "GET_PROPERTY":
        if (!(params instanceof JsonArray) || ((JsonArray) params).size() != 1
            || !"combined".equals(((JsonArray) params).getValue(0))) {
          error(c, 2, "Invalid request: unknown property", id);
          return;
        }
        result(c, c.combined, id);
        return;
      default:
        error(c, 2, "Invalid request: unknown variant `" + method
            + "`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`", id);
    }
  }

  private List<String> streamParams(Conn c, Object params, Object id) {
    if (!(params instanceof JsonArray)) {
      error(c, 2, "Invalid request: missing field `params`", id);
      return null;
    }
    List<String> out = new ArrayList<>();
    for (Object o : (JsonArray) params) {
      if (!(o instanceof String)) {
        error(c, 1, "Invalid value type: expected String", id);
        return null;
      }
      String n = normalize((String) o);
      if (n == null) {
        error(c, 2, "Invalid request: stream `" + o + "` is not served (klagg serves only <symbol>@kline_<interval> with "
            + "interval one of " + servedCodes() + ")", id);
        return null;
      }
      out.add(n);
    }
    return out;
  }

  private String servedCodes() {
    StringBuilder b = new StringBuilder();
    for (Interval iv : Interval.values()) {
      if (served.contains(iv)) {
        b.append(b.length() == 0 ? "" : " ").append(iv.code());
      }
    }
    return b.toString();
  }

  private static boolean validId(Object id) {
    if (id == null) {
      return true;
    }
    if (id instanceof Integer || id instanceof Long) {
      return ((Number) id).longValue() >= 0;
    }
    if (id instanceof String) {
      String s = (String) id;
      if (s.length() > 36) {
        return false;
      }
      for (int i = 0; i < s.length(); i++) {
        if (!Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) > 127) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private void result(Conn c, Object result, Object id) {
    c.ws.writeTextMessage(new JsonObject().put("result", result).put("id", id).encode());
  }

  private void error(Conn c, int code, String msg, Object id) {
    c.ws.writeTextMessage(new JsonObject().put("error", new JsonObject().put("code", code).put("msg", msg))
        .put("id", id).encode());
  }

  // ---------------------------------------------------------------- status

  JsonObject status() {
    long conflated = 0;
    for (Conn c : connections) {
      conflated += c.conflated;
    }
    return new JsonObject().put("connections", connections.size()).put("streams", subscribers.size())
        .put("backlogged", backlogged.size()).put("conflated", conflated).put("slowDisconnects", slowDisconnects)
        .put("rateDisconnects", rateDisconnects);
  }

  int connections() {
    return connections.size();
  }

  void closeAll() {
    for (Conn c : new ArrayList<>(connections)) {
      drop(c);
      c.ws.close().onFailure(e -> { });
    }
  }
}
