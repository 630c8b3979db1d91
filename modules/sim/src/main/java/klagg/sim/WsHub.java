package klagg.sim;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * WebSocket side: connections, Binance's commands and limits, and the live streams (aggTrade,
 * !miniTicker@arr, kline). Runs on the simulator's context only.
 */
final class WsHub {
  static final Pattern AGG = Pattern.compile("[a-z0-9]+@aggTrade");
  static final Pattern KLINE = Pattern.compile("([a-z0-9]+)@kline_([0-9]+[smhdwM])");
  static final String MINI = "!miniTicker@arr";

  final Vertx vertx;
  final SimConfig cfg;
  final SimMarket market;
  final SimClock clock;
  final Faults faults;
  final Set<Conn> conns = new LinkedHashSet<>();
  final Map<String, Set<Conn>> subs = new HashMap<>();
  final Map<String, KlineState> klineStreams = new HashMap<>();
  final Map<SymbolInfo, Mini> minis = new HashMap<>();
  final Map<SymbolInfo, String[]> held = new HashMap<>();
  final AtomicLong tradesSent = new AtomicLong();
  final AtomicLong framesSent = new AtomicLong();
  final AtomicLong tradesGenerated = new AtomicLong();
  final AtomicLong connectionsTotal = new AtomicLong();
  final AtomicLong rawBytesSent = new AtomicLong();
  final AtomicLong rateLimitCloses = new AtomicLong();
  final AtomicLong slowConsumerCloses = new AtomicLong();
  final AtomicLong framesSkipped = new AtomicLong();
  final AtomicLong pongTimeoutCloses = new AtomicLong();
  final AtomicLong lifetimeCloses = new AtomicLong();
  long lastEmit = Long.MIN_VALUE;
  long lastMini;
  long lastKlinePush;
  /** Replay at max speed: index of the next trade to send. */
  int replayNext;
  boolean replayDone;

  /** One client connection: Vert.x's WebSocket, or a raw socket with batched frames (firehose). */
  abstract class Conn {
    boolean combined;
    final Set<String> streams = new LinkedHashSet<>();
    final long[] recent;
    int recentPos;
    final long opened = System.currentTimeMillis();
    long lastPing = System.currentTimeMillis();
    long awaitingPongSince;
    boolean closed;
    boolean paused;
    /** since when its write queue is full (0: it is not) */
    long fullSince;

    Conn(boolean combined) {
      this.combined = combined;
      this.recent = new long[Math.max(1, cfg.maxIncomingPerSecond)];
      java.util.Arrays.fill(recent, Long.MIN_VALUE / 2);
    }

    abstract void write(String text);

    abstract void ping(String payload);

    abstract void closeTransport(short code, String reason);

    abstract void pauseReading();

    abstract void resumeReading();

    /** Writes what was batched (raw connections). */
    void flush() {
    }

    boolean writeQueueFull() {
      return false;
    }

    /** Whether stream data may be sent yet. */
    boolean ready() {
      return true;
    }

    /** Whether a full write queue drops the connection (else the writer paces itself, as the firehose). */
    boolean dropsWhenFull() {
      return false;
    }

    void send(String text) {
      if (closed || faults.stalled()) {
        return;
      }
      if (dropsWhenFull() && writeQueueFull()) {
        // bounded: what does not fit is not queued (the reader sees an id gap, as after a lost
        // frame); a reader that stays behind for slowConsumerMs is dropped
        long now = System.currentTimeMillis();
        if (fullSince == 0) {
          fullSince = now;
        } else if (now - fullSince >= cfg.slowConsumerMs) {
          slowConsumerCloses.incrementAndGet();
          close((short) 1008, "Slow consumer: write queue full for " + (now - fullSince) + " ms");
          return;
        }
        framesSkipped.incrementAndGet();
        return;
      }
      fullSince = 0;
      write(text);
      framesSent.incrementAndGet();
    }

    void close(short code, String reason) {
      if (!closed) {
        closed = true;
        flush();
        closeTransport(code, reason);
        drop(this);
      }
    }

    /** Counts an incoming message; false if the rate limit is exceeded. */
    boolean countIncoming() {
      long now = System.currentTimeMillis();
      long oldest = recent[recentPos];
      if (now - oldest < 1000) {
        return false;
      }
      recent[recentPos] = now;
      recentPos = (recentPos + 1) % recent.length;
      return true;
    }

    /** Handles one incoming message; returns false if the connection was closed for it. */
    boolean incoming(boolean pong, String text) {
      if (closed) {
        return false;
      }
      if (!countIncoming()) {
        rateLimitCloses.incrementAndGet();
        close((short) 1008, "Too many requests");
        return false;
      }
      if (pong) {
        awaitingPongSince = 0;
      } else if (text != null) {
        command(this, text);
        flush();
      }
      return true;
    }
  }

  final class VertxConn extends Conn {
    final ServerWebSocket ws;

    VertxConn(ServerWebSocket ws, boolean combined) {
      super(combined);
      this.ws = ws;
      ws.setWriteQueueMaxSize(Math.max(64 * 1024, cfg.maxWriteQueueBytes));
    }

    @Override
    boolean dropsWhenFull() {
      return true;
    }

    @Override
    void write(String text) {
      if (!ws.isClosed()) {
        ws.writeTextMessage(text);
      }
    }

    @Override
    void ping(String payload) {
      if (!ws.isClosed()) {
        ws.writePing(Buffer.buffer(payload));
      }
    }

    @Override
    void closeTransport(short code, String reason) {
      ws.close(code, reason);
    }

    @Override
    void pauseReading() {
      ws.pause();
    }

    @Override
    void resumeReading() {
      ws.resume();
    }

    @Override
    boolean writeQueueFull() {
      try {
        return ws.writeQueueFull();
      } catch (IllegalStateException peerClosed) {
        // the peer closed before our close handler ran: nothing to queue for, and no reason to throw
        // out of the emission loop that serves every other connection
        return false;
      }
    }
  }

  /**
   * A WebSocket served by hand over the raw socket (firehose mode): frames are appended to a
   * pending buffer and written in one write per burst, instead of one flush per frame.
   */
  static final int RAW_WRITE_QUEUE_BYTES = 8 << 20;

  final class RawConn extends Conn {
    final io.vertx.core.net.NetSocket so;
    Buffer pending = Buffer.buffer(64 * 1024);
    Buffer in = Buffer.buffer();

    RawConn(io.vertx.core.net.NetSocket so, boolean combined) {
      super(combined);
      this.so = so;
      // room for a few bursts: the next one is encoded while the reader still works through the
      // last (with the default 64 KB the firehose waited for an empty queue, so simulator and
      // reader took turns instead of running at once)
      so.setWriteQueueMaxSize(RAW_WRITE_QUEUE_BYTES);
    }

    void frame(int opcode, byte[] payload) {
      frame(opcode, payload, 0, payload.length);
    }

    /**
     * One trade from {@link AggFrames#encode} ({@code b[0, end)}, combined form after a head of
     * {@code headLen} bytes): as it is on a combined stream, its payload alone on a raw one.
     */
    void frameTrade(byte[] b, int headLen, int end) {
      if (combined) {
        frame(1, b, 0, end);
      } else {
        frame(1, b, headLen, end - 1 - headLen);
      }
    }

    /** Appends an unmasked frame of {@code b[off, off+n)} to the pending burst. */
    void frame(int opcode, byte[] b, int off, int n) {
      pending.appendByte((byte) (0x80 | opcode));
      if (n < 126) {
        pending.appendByte((byte) n);
      } else if (n < 65536) {
        pending.appendByte((byte) 126).appendShort((short) n);
      } else {
        pending.appendByte((byte) 127).appendLong(n);
      }
      pending.appendBytes(b, off, n);
    }

    @Override
    void write(String text) {
      frame(1, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      if (pending.length() >= 256 * 1024) {
        flush();
      }
    }

    @Override
    void flush() {
      if (!closed) {
        writePending();
      }
    }

    private void writePending() {
      if (pending.length() > 0) {
        rawBytesSent.addAndGet(pending.length());
        so.write(pending);
        pending = Buffer.buffer(64 * 1024);
      }
    }

    @Override
    boolean writeQueueFull() {
      return so.writeQueueFull();
    }

    /**
     * Stream data waits 100 ms after the upgrade: a client that reads frames in the same packet as
     * the 101 response may fail its handshake (seen with Vert.x's client at full rate).
     */
    @Override
    boolean ready() {
      return System.currentTimeMillis() - opened >= 100;
    }

    @Override
    void ping(String payload) {
      frame(9, payload.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Override
    void closeTransport(short code, String reason) {
      byte[] r = reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      byte[] p = new byte[2 + r.length];
      p[0] = (byte) (code >> 8);
      p[1] = (byte) code;
      System.arraycopy(r, 0, p, 2, r.length);
      frame(8, p);
      writePending();
      so.close();
    }

    @Override
    void pauseReading() {
      so.pause();
    }

    @Override
    void resumeReading() {
      so.resume();
    }

    /** Parses client frames (masked, unfragmented control and text frames). */
    void onData(Buffer b) {
      in.appendBuffer(b);
      int pos = 0;
      int len = in.length();
      while (!closed && len - pos >= 2) {
        int b0 = in.getByte(pos) & 0xff;
        int b1 = in.getByte(pos + 1) & 0xff;
        int op = b0 & 0x0f;
        boolean masked = (b1 & 0x80) != 0;
        long n = b1 & 0x7f;
        int hdr = 2;
        if (n == 126) {
          if (len - pos < 4) {
            break;
          }
          n = in.getUnsignedShort(pos + 2);
          hdr = 4;
        } else if (n == 127) {
          if (len - pos < 10) {
            break;
          }
          n = in.getLong(pos + 2);
          hdr = 10;
        }
        if (n > (1 << 20)) {
          close((short) 1009, "Frame too big");
          return;
        }
        int maskLen = masked ? 4 : 0;
        if (len - pos < hdr + maskLen + n) {
          break;
        }
        byte[] payload = in.getBytes(pos + hdr + maskLen, pos + hdr + maskLen + (int) n);
        if (masked) {
          for (int i = 0; i < payload.length; i++) {
            payload[i] ^= in.getByte(pos + hdr + (i & 3));
          }
        }
        pos += hdr + maskLen + (int) n;
        switch (op) {
          case 8 -> {
            close((short) 1000, "");
            return;
          }
          case 9 -> {
            if (incoming(false, null)) {
              frame(10, payload);
              flush();
            }
          }
          case 10 -> incoming(true, null);
          case 1 -> incoming(false, new String(payload, java.nio.charset.StandardCharsets.UTF_8));
          default -> incoming(false, null);
        }
      }
      in = pos >= len ? Buffer.buffer() : in.getBuffer(pos, len);
    }
  }

  static String acceptKey(String key) {
    try {
      java.security.MessageDigest sha1 = java.security.MessageDigest.getInstance("SHA-1");
      byte[] d = sha1.digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return java.util.Base64.getEncoder().encodeToString(d);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Firehose mode: answers the upgrade by hand and serves the WebSocket over the raw socket. */
  void upgradeRaw(io.vertx.core.http.HttpServerRequest req) {
    boolean[] combined = new boolean[1];
    List<String> streams = streamsOf(req.path(), req.query(), combined);
    String key = req.getHeader("Sec-WebSocket-Key");
    if (streams == null || key == null) {
      req.response().setStatusCode(streams == null ? 404 : 400).end();
      return;
    }
    if (streams.size() > cfg.maxStreamsPerConnection || !streams.stream().allMatch(this::validStream)) {
      req.response().setStatusCode(400).end();
      return;
    }
    req.response().headers().set("Upgrade", "websocket").set("Connection", "Upgrade")
        .set("Sec-WebSocket-Accept", acceptKey(key));
    req.toNetSocket().onSuccess(so -> {
      RawConn c = new RawConn(so, combined[0]);
      so.handler(c::onData);
      so.closeHandler(v -> drop(c));
      so.exceptionHandler(t -> drop(c));
      register(c, streams);
      if (firehose != null) {
        firehose.kick();
      }
    });
  }

  Firehose firehose;

  void flushAll() {
    for (Conn c : conns) {
      c.flush();
    }
  }

  static final class KlineState {
    final SymbolInfo sym;
    final SimInterval iv;
    final String stream;
    long lastOpen = Long.MIN_VALUE;

    KlineState(SymbolInfo sym, SimInterval iv, String stream) {
      this.sym = sym;
      this.iv = iv;
      this.stream = stream;
    }
  }

  /** Rolling ~24 h mini-ticker state (hour buckets over what this process emitted). */
  static final class Mini {
    final TradeSums[] buckets = new TradeSums[25];
    final long[] bucketHour = new long[25];
    boolean changed;
    long lastPrice;
  }

  WsHub(Vertx vertx, SimConfig cfg, SimMarket market, SimClock clock, Faults faults) {
    this.vertx = vertx;
    this.cfg = cfg;
    this.market = market;
    this.clock = clock;
    this.faults = faults;
    this.rawOnly = cfg.firehose;
  }

  /** Firehose mode: every WebSocket is served by hand ({@link RawConn}); never otherwise. */
  private final boolean rawOnly;

  // ------------------------------------------------------------------ connections

  static String stripPrefix(String path) {
    for (String p : new String[] {"/market", "/public"}) {
      if (path.startsWith(p + "/")) {
        return path.substring(p.length());
      }
    }
    return path;
  }

  /** Streams from the URL, or null if the path is not a stream endpoint. */
  List<String> streamsOf(String path, String query, boolean[] combined) {
    path = stripPrefix(path);
    List<String> out = new ArrayList<>();
    if (path.equals("/ws") || path.equals("/ws/")) {
      combined[0] = false;
      return out;
    }
    if (path.startsWith("/ws/")) {
      combined[0] = false;
      for (String s : path.substring(4).split("/")) {
        if (!s.isEmpty()) {
          out.add(s);
        }
      }
      return out;
    }
    if (path.equals("/stream") || path.equals("/stream/")) {
      combined[0] = true;
      if (query != null) {
        for (String kv : query.split("&")) {
          if (kv.startsWith("streams=")) {
            for (String s : java.net.URLDecoder.decode(kv.substring(8), java.nio.charset.StandardCharsets.UTF_8).split("/")) {
              if (!s.isEmpty()) {
                out.add(s);
              }
            }
          }
        }
      }
      return out;
    }
    return null;
  }

  boolean validStream(String s) {
    if (s.equals(MINI) || AGG.matcher(s).matches()) {
      return true;
    }
    var m = KLINE.matcher(s);
    return m.matches() && SimInterval.find(m.group(2)) != null;
  }

  void handshake(ServerWebSocketHandshake hs) {
    boolean[] combined = new boolean[1];
    List<String> streams = streamsOf(hs.path(), hs.query(), combined);
    if (streams == null) {
      hs.reject(404);
      return;
    }
    if (streams.size() > cfg.maxStreamsPerConnection) {
      hs.reject(400);
      return;
    }
    for (String s : streams) {
      if (!validStream(s)) {
        hs.reject(400);
        return;
      }
    }
    hs.accept(); // the server's webSocketHandler opens it
  }

  void open(ServerWebSocket ws, boolean combined, List<String> streams) {
    VertxConn c = new VertxConn(ws, combined);
    ws.frameHandler(f -> onFrame(c, f));
    ws.closeHandler(v -> drop(c));
    ws.exceptionHandler(t -> drop(c));
    register(c, streams);
  }

  void register(Conn c, List<String> streams) {
    conns.add(c);
    connectionsTotal.incrementAndGet();
    for (String s : streams) {
      subscribe(c, s);
    }
    if (faults.stalled()) {
      c.paused = true;
      c.pauseReading();
    }
  }

  void drop(Conn c) {
    c.closed = true;
    if (conns.remove(c)) {
      for (String s : c.streams) {
        unsubscribeIndex(c, s);
      }
    }
  }

  void onFrame(Conn c, WebSocketFrame f) {
    if (c.closed || f.isClose()) {
      return;
    }
    switch (f.type()) {
      case PONG -> c.incoming(true, null);
      case TEXT -> c.incoming(false, f.isFinal() ? f.textData() : null);
      default -> c.incoming(false, null);
    }
  }

  // ------------------------------------------------------------------ commands

  static JsonObject error(int code, String msg, Object id) {
    return new JsonObject().put("error", new JsonObject().put("code", code).put("msg", msg)).put("id", id);
  }

  void command(Conn c, String text) {
    JsonObject req;
    try {
      Object v = io.vertx.core.json.Json.decodeValue(text);
      if (!(v instanceof JsonObject o)) {
        c.send(error(2, "Invalid request: expected an object", null).encode());
        return;
      }
      req = o;
    } catch (DecodeException e) {
      String m = e.getMessage() == null ? "" : e.getMessage().split("\n")[0];
      c.send(error(3, "Invalid JSON: " + m, null).encode());
      return;
    }
    Object id = req.getValue("id");
    if (id != null && !(id instanceof Number) && !(id instanceof String s && s.matches("[A-Za-z0-9]{1,36}"))) {
      c.send(error(2, "Invalid request: request ID must be an unsigned integer, an alphanumeric string of at most 36 characters, or null", null).encode());
      return;
    }
    if (id instanceof Number n && (n instanceof Double || n instanceof Float)) {
      c.send(error(2, "Invalid request: request ID must be an unsigned integer", null).encode());
      return;
    }
    for (String k : req.fieldNames()) {
      if (!k.equals("method") && !k.equals("params") && !k.equals("id")) {
        c.send(error(2, "Invalid request: unknown field `" + k + "`", id).encode());
        return;
      }
    }
    Object mo = req.getValue("method");
    if (mo == null) {
      c.send(error(2, "Invalid request: missing field `method`", id).encode());
      return;
    }
    if (!(mo instanceof String method)) {
      c.send(error(2, "Invalid request: method name must be a string", id).encode());
      return;
    }
    Object po = req.getValue("params");
    if (po != null && !(po instanceof JsonArray)) {
      c.send(error(2, "Invalid request: params must be an array", id).encode());
      return;
    }
    JsonArray params = po == null ? new JsonArray() : (JsonArray) po;
    switch (method) {
      case "SUBSCRIBE", "UNSUBSCRIBE" -> {
        List<String> names = new ArrayList<>();
        for (Object p : params) {
          if (!(p instanceof String s)) {
            c.send(error(2, "Invalid request: " + method + " params must be strings", id).encode());
            return;
          }
          if (!validStream(s)) {
            c.send(error(2, "Invalid request: invalid stream name `" + s + "`", id).encode());
            return;
          }
          names.add(s);
        }
        if (method.equals("SUBSCRIBE")) {
          Set<String> after = new HashSet<>(c.streams);
          after.addAll(names);
          if (after.size() > cfg.maxStreamsPerConnection) {
            c.send(error(2, "Invalid request: too many streams, at most " + cfg.maxStreamsPerConnection
                + " per connection", id).encode());
            return;
          }
          names.forEach(s -> subscribe(c, s));
        } else {
          names.forEach(s -> unsubscribe(c, s));
        }
        c.send(new JsonObject().put("result", null).put("id", id).encode());
      }
      case "LIST_SUBSCRIPTIONS" -> c.send(new JsonObject().put("result", new JsonArray(new ArrayList<>(c.streams))).put("id", id).encode());
      case "SET_PROPERTY" -> {
        if (params.size() != 2 || !"combined".equals(params.getValue(0))) {
          c.send(error(0, "Unknown property", id).encode());
        } else if (!(params.getValue(1) instanceof Boolean b)) {
          c.send(error(1, "Invalid value type: expected Boolean", id).encode());
        } else {
          c.combined = b;
          c.send(new JsonObject().put("result", null).put("id", id).encode());
        }
      }
      case "GET_PROPERTY" -> {
        if (params.size() != 1 || !"combined".equals(params.getValue(0))) {
          c.send(error(0, "Unknown property", id).encode());
        } else {
          c.send(new JsonObject().put("result", c.combined).put("id", id).encode());
        }
      }
      default -> c.send(error(2, "Invalid request: unknown variant `" + method
          + "`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`", id).encode());
    }
  }

  void subscribe(Conn c, String s) {
    if (c.streams.add(s)) {
      subs.computeIfAbsent(s, k -> new LinkedHashSet<>()).add(c);
      var m = KLINE.matcher(s);
      if (m.matches()) {
        klineStreams.computeIfAbsent(s, k -> {
          SymbolInfo sym = market.symbol(m.group(1).toUpperCase(java.util.Locale.ROOT));
          return sym == null ? null : new KlineState(sym, SimInterval.parse(m.group(2)), s);
        });
      }
    }
  }

  void unsubscribe(Conn c, String s) {
    if (c.streams.remove(s)) {
      unsubscribeIndex(c, s);
    }
  }

  private void unsubscribeIndex(Conn c, String s) {
    Set<Conn> set = subs.get(s);
    if (set != null) {
      set.remove(c);
      if (set.isEmpty()) {
        subs.remove(s);
        klineStreams.remove(s);
      }
    }
  }

  void publish(String stream, String payload) {
    Set<Conn> set = subs.get(stream);
    if (set == null || set.isEmpty()) {
      return;
    }
    String wrapped = null;
    for (Conn c : set) {
      if (!c.ready()) {
        continue;
      }
      if (c.combined) {
        if (wrapped == null) {
          wrapped = "{\"stream\":\"" + stream + "\",\"data\":" + payload + "}";
        }
        c.send(wrapped);
      } else {
        c.send(payload);
      }
    }
  }

  // ------------------------------------------------------------------ housekeeping

  /** Pings, pong deadlines, lifetimes, stall end. Called every few hundred ms. */
  void housekeeping() {
    long now = System.currentTimeMillis();
    boolean stalled = faults.stalled();
    for (Conn c : new ArrayList<>(conns)) {
      if (c.paused && !stalled) {
        c.paused = false;
        c.resumeReading();
        c.lastPing = now;
        c.awaitingPongSince = 0;
      }
      if (stalled) {
        continue;
      }
      if (now - c.opened >= cfg.connectionLifetimeMs) {
        lifetimeCloses.incrementAndGet();
        c.close((short) 1000, "Connection lifetime exceeded");
        continue;
      }
      if (c.awaitingPongSince != 0 && now - c.awaitingPongSince > cfg.pongTimeoutMs) {
        pongTimeoutCloses.incrementAndGet();
        c.close((short) 1008, "Pong timeout");
        continue;
      }
      if (now - c.lastPing >= cfg.pingIntervalMs) {
        c.lastPing = now;
        if (c.awaitingPongSince == 0) {
          c.awaitingPongSince = now;
        }
        c.ping(Long.toString(clock.now()));
        c.flush();
      }
    }
  }

  void stallAll(long ms) {
    faults.stallUntil = System.currentTimeMillis() + ms;
    for (Conn c : conns) {
      if (!c.paused) {
        c.paused = true;
        c.pauseReading();
      }
    }
  }

  void dropAll() {
    for (Conn c : new ArrayList<>(conns)) {
      faults.drops++;
      c.close((short) 1001, "Dropped by fault injection");
    }
  }

  // ------------------------------------------------------------------ live trades

  final StringBuilder sb = new StringBuilder(256);

  String encodeAgg(SymbolInfo s, long eventTime, long a, long p, long q, long f, long l, long t, boolean m) {
    sb.setLength(0);
    sb.append("{\"e\":\"aggTrade\",\"E\":").append(eventTime).append(",\"s\":\"").append(s.name)
        .append("\",\"a\":").append(a).append(",\"p\":\"");
    SimDecimal.append(sb, p, s.priceScale, s.priceDigits);
    sb.append("\",\"q\":\"");
    SimDecimal.append(sb, q, s.qtyScale, s.qtyDigits);
    sb.append("\",\"f\":").append(f).append(",\"l\":").append(l).append(",\"T\":").append(t)
        .append(",\"m\":").append(m).append(",\"M\":true}");
    return sb.toString();
  }

  /**
   * One symbol's live-emission state, made once: its aggTrade stream, the stream's frame head and
   * the symbol's name as ASCII (for {@link AggFrames#encode}), and its one-second slot of trades.
   */
  static final class Emit {
    final String stream;
    /** {@code {"stream":"<stream>","data":} */
    final byte[] head;
    final byte[] name;
    final SyntheticMarket.LiveSlot slot = new SyntheticMarket.LiveSlot();

    Emit(SymbolInfo s) {
      this.stream = s.lower + "@aggTrade";
      this.head = AggFrames.head(stream);
      this.name = AggFrames.ascii(s.name);
    }
  }

  private final Map<SymbolInfo, Emit> emits = new HashMap<>();

  Emit emitOf(SymbolInfo s) {
    return emits.computeIfAbsent(s, Emit::new);
  }

  private SymbolInfo cur;
  private Emit curEmit;
  private long curNow;
  private final TradeVisitor emitVisitor = this::onTrade;

  private boolean onTrade(long a, long p, long q, long f, long l, long t, boolean m) {
    SymbolInfo s = cur;
    tradesGenerated.incrementAndGet();
    Mini mini = minis.computeIfAbsent(s, k -> new Mini());
    mini.changed = true;
    mini.lastPrice = p;
    long hour = Math.floorDiv(t, 3_600_000L);
    int bi = Math.floorMod(hour, 25);
    if (mini.buckets[bi] == null || mini.bucketHour[bi] != hour) {
      mini.buckets[bi] = new TradeSums();
      mini.bucketHour[bi] = hour;
    }
    mini.buckets[bi].trade(a, p, q, f, l, t, m);
    Set<Conn> set = subs.get(curEmit.stream);
    if (set == null || set.isEmpty()) {
      return true;
    }
    if (faults.skipAggIds > 0) {
      faults.skipAggIds--;
      faults.skippedTotal++;
      return true;
    }
    if (!faults.skipBySymbol.isEmpty() && faults.skipOne(s.name)) {
      return true;
    }
    if (rawOnly && faults.reorderTrades == 0 && faults.duplicateTrades == 0 && held.isEmpty()) {
      sendRaw(s, set, a, p, q, f, l, t, m);
      return true;
    }
    String payload = encodeAgg(s, curNow, a, p, q, f, l, t, m);
    if (faults.reorderTrades > 0) {
      String[] h = held.remove(s);
      if (h == null) {
        held.put(s, new String[] {curEmit.stream, payload});
        return true;
      }
      faults.reorderTrades--;
      faults.reorderedTotal++;
      sendTrade(curEmit.stream, payload);
      sendTrade(h[0], h[1]);
      return true;
    }
    sendTrade(curEmit.stream, payload);
    if (faults.duplicateTrades > 0) {
      faults.duplicateTrades--;
      faults.duplicatedTotal++;
      sendTrade(curEmit.stream, payload);
    }
    return true;
  }

  private final AggFrames aggFrames = new AggFrames();
  private final byte[] rawBuf = new byte[1024];

  /** {@link #sendTrade} for hand-served WebSockets: the same text, encoded once into bytes. */
  private void sendRaw(SymbolInfo s, Set<Conn> set, long a, long p, long q, long f, long l, long t, boolean m) {
    Emit e = curEmit;
    int end = aggFrames.encode(rawBuf, s, e.head, e.name, curNow, a, p, q, f, l, t, m);
    tradesSent.incrementAndGet();
    if (faults.stalled()) {
      return;
    }
    for (Conn c : set) {
      if (!c.ready() || c.closed) {
        continue;
      }
      RawConn r = (RawConn) c;
      r.frameTrade(rawBuf, e.head.length, end);
      framesSent.incrementAndGet();
      if (r.pending.length() >= 256 * 1024) {
        r.flush();
      }
    }
  }

  private void sendTrade(String stream, String payload) {
    tradesSent.incrementAndGet();
    publish(stream, payload);
  }

  /** Emits the trades that happened since the last tick. */
  void emitTick() {
    long now = clock.now();
    long to = now + 1;
    if (faults.malformedFrames > 0 && !conns.isEmpty()) {
      for (; faults.malformedFrames > 0; faults.malformedFrames--) {
        faults.malformedTotal++;
        for (Conn c : conns) {
          c.send("{\"e\":\"aggTrade\",\"E\":" + now + ",\"s\":\"BTC");
        }
      }
      flushAll();
    }
    if (market instanceof ReplayMarket r && cfg.speed == 0) {
      emitReplayMax(r);
      flushAll();
      return;
    }
    if (firehose != null && !firehose.held) { // held: the ordinary market streams until released
      firehose.kick();
      return;
    }
    long window = to - lastEmit;
    long maxWindow = Math.max(5_000L, (long) (cfg.emitIntervalMs * clock.scale() * 20));
    if (lastEmit == Long.MIN_VALUE && market instanceof ReplayMarket r) {
      lastEmit = Math.min(to, r.time[0]); // a replay starts with its first trade
      window = to - lastEmit;
    }
    if (lastEmit == Long.MIN_VALUE || window < 0 || (window > maxWindow && !(market instanceof ReplayMarket))) {
      lastEmit = to; // start, or a clock jump: do not flood the past (REST still has it)
      return;
    }
    if (window == 0) {
      return;
    }
    curNow = now;
    SyntheticMarket synthetic = market instanceof SyntheticMarket sm ? sm : null;
    for (SymbolInfo s : market.symbols()) {
      cur = s;
      curEmit = emitOf(s);
      if (synthetic != null) {
        synthetic.scanLive(s, lastEmit, to, emitVisitor, curEmit.slot);
      } else {
        market.scan(s, lastEmit, to, emitVisitor);
      }
    }
    lastEmit = to;
    flushHeld();
    flushAll();
  }

  private void flushHeld() {
    if (!held.isEmpty()) {
      for (String[] h : held.values()) {
        sendTrade(h[0], h[1]);
      }
      held.clear();
    }
  }

  /** Replay at max speed: bursts of trades regardless of the clock, which is moved along. */
  void emitReplayMax(ReplayMarket r) {
    if (replayDone) {
      return;
    }
    int end = Math.min(r.n, replayNext + 20_000);
    cur = r.sym;
    curEmit = emitOf(r.sym);
    curNow = clock.now();
    for (int i = replayNext; i < end; i++) {
      r.visit(i, emitVisitor);
    }
    flushHeld();
    replayNext = end;
    long t = r.time[end - 1];
    if (clock.now() < t) {
      clock.setNow(t);
    }
    if (end >= r.n) {
      replayDone = true;
    }
  }

  // ------------------------------------------------------------------ tickers

  void miniTickerTick() {
    long now = clock.now();
    if (subs.get(MINI) == null) {
      minis.values().forEach(m -> m.changed = false);
      return;
    }
    long hourNow = Math.floorDiv(now, 3_600_000L);
    StringBuilder out = new StringBuilder(1024).append('[');
    int n = 0;
    for (Map.Entry<SymbolInfo, Mini> e : minis.entrySet()) {
      Mini m = e.getValue();
      if (!m.changed) {
        continue;
      }
      m.changed = false;
      SymbolInfo s = e.getKey();
      TradeSums sum = new TradeSums();
      for (long h = hourNow - 23; h <= hourNow; h++) {
        int bi = Math.floorMod(h, 25);
        if (m.buckets[bi] != null && m.bucketHour[bi] == h) {
          sum.merge(m.buckets[bi]);
        }
      }
      if (sum.empty()) {
        continue;
      }
      if (n++ > 0) {
        out.append(',');
      }
      int qq = s.priceScale + s.qtyScale;
      out.append("{\"e\":\"24hrMiniTicker\",\"E\":").append(now).append(",\"s\":\"").append(s.name)
          .append("\",\"c\":\"");
      SimDecimal.append(out, sum.close, s.priceScale, s.priceDigits).append("\",\"o\":\"");
      SimDecimal.append(out, sum.open, s.priceScale, s.priceDigits).append("\",\"h\":\"");
      SimDecimal.append(out, sum.high, s.priceScale, s.priceDigits).append("\",\"l\":\"");
      SimDecimal.append(out, sum.low, s.priceScale, s.priceDigits).append("\",\"v\":\"");
      sum.volume.append(out, s.qtyScale, s.qtyDigits).append("\",\"q\":\"");
      sum.quote.append(out, qq, s.quoteDigits).append("\"}");
    }
    out.append(']');
    if (n > 0) {
      publish(MINI, out.toString());
      flushAll();
    }
  }

  void klineTick() {
    if (klineStreams.isEmpty()) {
      return;
    }
    long now = clock.now();
    long wall = System.currentTimeMillis();
    boolean push = wall - lastKlinePush >= cfg.klinePushIntervalMs;
    if (push) {
      lastKlinePush = wall;
    }
    for (KlineState st : new ArrayList<>(klineStreams.values())) {
      if (st == null) {
        continue;
      }
      long open = st.iv.openOf(now);
      if (st.lastOpen != Long.MIN_VALUE && open > st.lastOpen) {
        publishKline(st, market.kline(st.sym, st.iv, st.lastOpen, now), true, now);
        st.lastOpen = open;
        publishKline(st, market.kline(st.sym, st.iv, open, now), false, now);
        continue;
      }
      if (st.lastOpen == Long.MIN_VALUE) {
        st.lastOpen = open;
      }
      if (push) {
        publishKline(st, market.kline(st.sym, st.iv, open, now), false, now);
      }
    }
    flushAll();
  }

  private void publishKline(KlineState st, Kline k, boolean closed, long now) {
    JsonObject o = new JsonObject().put("e", "kline").put("E", now).put("s", st.sym.name)
        .put("k", k.toStreamK(closed));
    publish(st.stream, o.encode());
  }
}
