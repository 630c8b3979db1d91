package klagg.sim;

import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.http.WebSocketFrame;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * WebSocket side: connections and their limits, subscriptions (the requests that change them are
 * {@link WsRequests}), and the live streams (aggTrade, !miniTicker@arr, kline). Runs on the
 * simulators context only.
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
  /** The kline and mini-ticker streams. */
  final Tickers tickers = new Tickers(this);
  /** Binance's request protocol (SUBSCRIBE, ...) on a connection's text frames. */
  final WsRequests requests = new WsRequests(this);
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
  /** Replay at max speed: index of the next trade to send. */
  int replayNext;
  boolean replayDone;

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
        .set("Sec-WebSocket-Accept", RawConn.acceptKey(key));
    req.toNetSocket().onSuccess(so -> {
      RawConn c = new RawConn(this, so, combined[0]);
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
    VertxConn c = new VertxConn(this, ws, combined);
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

  // ------------------------------------------------------------------ subscriptions

  void subscribe(Conn c, String s) {
    if (c.streams.add(s)) {
      subs.computeIfAbsent(s, k -> new LinkedHashSet<>()).add(c);
      tickers.subscribed(s);
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
        tickers.unsubscribed(s);
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
    tickers.trade(s, a, p, q, f, l, t, m);
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


}
