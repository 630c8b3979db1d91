package klagg.service;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.AsyncResult;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import klagg.core.AggTrade;
import klagg.core.AggTradeDecoder;
import klagg.core.RejectReason;
import klagg.core.SymbolIndex;
import klagg.core.TradeBatch;
import klagg.exchange.ExchangeEndpoints;
import klagg.exchange.StreamClient;
import klagg.exchange.StreamClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the exchange WebSocket connections (through {@link StreamClient}), decodes frames straight
 * from bytes, routes each trade to the worker owning its symbol and sends each worker one batch per
 * frame burst. Tells workers when a connection dies (their symbols' feed is down) and comes back.
 * Never touches kline state.
 *
 * <p>Back-pressure: each batch (at most {@link #MAX_BATCH} trades) is a request the worker answers
 * once applied; {@link Credits} counts what is in flight per worker. Over {@code
 * ingest.maxInFlightTrades} / {@code ingest.maxInFlightBatches} for a worker, ingest stops reading
 * the exchange sockets (TCP back-pressure) until it is back under {@code
 * ingest.resumeInFlightTrades}. A worker that does not answer within {@code ingest.ackTimeoutMs} is
 * shed: its symbols are reported down to it, its trades dropped, reading goes on for the others;
 * when it answers a probe again its symbols are reported up and it catches up from REST.
 */
public final class IngestVerticle extends VerticleBase implements StreamClient.Listener {
  private static final Logger log = LoggerFactory.getLogger(IngestVerticle.class);
  private static final byte[] MINI_TICKER = "{\"stream\":\"!miniTicker@arr\"".getBytes(StandardCharsets.US_ASCII);
  static final String MINI_TICKER_STREAM = "!miniTicker@arr";

  private final KlaggConfig config;
  private final int workers;
  private final SymbolIndex symbols = new SymbolIndex(256);
  private final AggTrade t = new AggTrade();
  private final Map<String, Integer> streamToId = new HashMap<>();
  private final RateLimitedLog rlog = new RateLimitedLog(log, 10_000);
  private AggTradeDecoder decoder;
  private StreamClient client;
  private TradeBatch.Builder[] builders;
  private int[] workerOf = new int[256];
  private boolean flushScheduled;
  private volatile long offset;
  private long batches;

  /** Most trades in one batch to a worker. */
  static final int MAX_BATCH = 4096;
  private Credits credits;
  /** A batch or a probe: answered within the ack timeout, or the worker is shed. */
  private DeliveryOptions batchOptions;
  private long probeMs;
  private long[] probeTimer;
  private boolean paused;
  private long pausedSince;
  private long pausedMs;
  private long sheds;
  private long shedTrades;
  private long ackFailures;

  public IngestVerticle(KlaggConfig config) {
    this.config = config;
    this.workers = config.workers();
  }

  @Override
  public Future<?> start() {
    decoder = new AggTradeDecoder(symbols, () -> System.currentTimeMillis() + offset);
    builders = new TradeBatch.Builder[workers];
    for (int i = 0; i < workers; i++) {
      builders[i] = new TradeBatch.Builder(256);
    }
    credits = new Credits(workers, config.getLong("ingest.maxInFlightTrades"),
        config.getInt("ingest.maxInFlightBatches"), config.getLong("ingest.resumeInFlightTrades"));
    long ackTimeout = config.getLong("ingest.ackTimeoutMs");
    batchOptions = new DeliveryOptions().setSendTimeout(ackTimeout);
    probeMs = Math.max(100, Math.min(1_000, ackTimeout / 2));
    probeTimer = new long[workers];
    Arrays.fill(probeTimer, -1);
    client = new StreamClient(vertx, ExchangeEndpoints.fromJson(config.section("exchange")),
        StreamClientOptions.fromJson(config.section("exchange.stream")), this);
    registerMetrics();
    ClockVerticle.offset(vertx).onSuccess(o -> offset = o);
    var bus = vertx.eventBus();
    return Future.join(
        bus.<JsonObject>consumer(Addresses.INGEST_CONTROL, this::onControl).completion(),
        bus.<JsonObject>consumer(Addresses.TICK, m -> offset = m.body().getLong("offset", offset)).completion(),
        bus.<JsonObject>consumer(Addresses.STATUS_INGEST, m -> m.reply(status())).completion(),
        client.start());
  }

  @Override
  public Future<?> stop() {
    for (int w = 0; probeTimer != null && w < workers; w++) {
      if (probeTimer[w] >= 0) {
        vertx.cancelTimer(probeTimer[w]);
      }
    }
    return client == null ? Future.succeededFuture() : client.close();
  }

  private void registerMetrics() {
    MeterRegistry reg = KlaggMetrics.of(vertx);
    FunctionCounter.builder("klagg_ingest_trades", decoder, AggTradeDecoder::decoded)
        .description("aggTrades decoded from the exchange streams").register(reg);
    FunctionCounter.builder("klagg_ingest_frames_skipped", decoder, AggTradeDecoder::skipped)
        .description("frames that are not aggTrades (replies, tickers)").register(reg);
    for (RejectReason r : RejectReason.values()) {
      FunctionCounter.builder("klagg_ingest_rejected", decoder, d -> d.rejected(r))
          .description("frames rejected, by reason").tag("reason", r.tag()).register(reg);
    }
    Gauge.builder("klagg_ingest_connections", this, v -> v.client.connectionCount()).register(reg);
    FunctionCounter.builder("klagg_ingest_reconnects", this, v -> v.client.reconnects()).register(reg);
    FunctionCounter.builder("klagg_ingest_silences", this, v -> v.client.silences())
        .description("exchange connections suspected silent (open, nothing arriving): their symbols held").register(reg);
    FunctionCounter.builder("klagg_ingest_replacements", this, v -> v.client.replacements())
        .description("silent exchange connections replaced by a spare that delivered").register(reg);
    Gauge.builder("klagg_ingest_silent_connections", this, v -> v.client.suspectedConnections())
        .description("exchange connections suspected silent right now").register(reg);
    FunctionCounter.builder("klagg_ingest_batches", this, v -> v.batches).register(reg);
    for (int i = 0; i < workers; i++) {
      int w = i;
      String tag = Integer.toString(w);
      Gauge.builder("klagg_worker_lag_trades", this, v -> v.credits.lagTrades(w))
          .description("trades sent to the worker and not acknowledged yet").tag("worker", tag).register(reg);
      Gauge.builder("klagg_worker_lag_ms", this, v -> v.credits.lagMs(w, System.currentTimeMillis()))
          .description("age of the worker's oldest unacknowledged trade batch").tag("worker", tag).register(reg);
    }
    Gauge.builder("klagg_ingest_paused", this, v -> v.paused ? 1 : 0)
        .description("1 while ingest does not read the exchange sockets (a worker lags)").register(reg);
    FunctionCounter.builder("klagg_ingest_paused_ms", this, IngestVerticle::pausedMs)
        .description("time spent not reading the exchange sockets because a worker lagged").register(reg);
    FunctionCounter.builder("klagg_ingest_sheds", this, v -> v.sheds)
        .description("workers shed for not acknowledging trades in time").register(reg);
    FunctionCounter.builder("klagg_ingest_shed_trades", this, v -> v.shedTrades)
        .description("trades not sent to a shed worker (repaired from REST)").register(reg);
  }

  // ---------------------------------------------------------------- the hot path

  @Override
  public void onMessage(int connId, byte[] bytes, int off, int len) {
    AggTradeDecoder.Result r = decoder.decode(bytes, off, len, t);
    if (r == AggTradeDecoder.Result.TRADE) {
      int w = workerOf[t.symbol];
      if (credits.isShed(w)) {
        shedTrades++; // its symbols are reported down: REST supplies these when it is back
        return;
      }
      TradeBatch.Builder b = builders[w];
      b.add(t);
      if (b.size() >= MAX_BATCH) {
        send(w);
      } else if (!flushScheduled) {
        flushScheduled = true;
        context.runOnContext(v -> flush());
      }
    } else if (r == AggTradeDecoder.Result.SKIPPED) {
      if (startsWith(bytes, off, len, MINI_TICKER)) {
        miniTicker(bytes, off, len);
      }
    } else {
      rlog.warn("reject-" + decoder.lastReject(), "rejected exchange frame (" + decoder.lastReject().tag() + "): "
          + new String(bytes, off, Math.min(len, 200), StandardCharsets.UTF_8));
    }
  }

  private void flush() {
    flushScheduled = false;
    for (int w = 0; w < workers; w++) {
      if (builders[w].size() > 0) {
        send(w);
      }
    }
  }

  /** One batch to worker {@code w} as a request; over the bound, stop reading the exchange. */
  private void send(int w) {
    TradeBatch.Builder b = builders[w];
    if (credits.isShed(w)) {
      shedTrades += b.size();
      b.clear();
      return;
    }
    int n = b.size();
    long seq = credits.sent(w, n, System.currentTimeMillis());
    batches++;
    vertx.eventBus().<Void>request(Addresses.workerTrades(w), b.build(), batchOptions)
        .onComplete(ar -> acked(w, seq, n, ar));
    if (!paused && credits.over()) {
      pause();
    }
  }

  private void acked(int w, long seq, int n, AsyncResult<Message<Void>> ar) {
    credits.done(w, seq, n);
    if (ar.failed()) {
      ackFailures++;
      if (ar.cause() instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
        if (!credits.isShed(w)) {
          shed(w);
        }
      } else {
        // no worker registered (yet), or it failed on the batch: its gap repair recovers the trades
        rlog.warn("ack-" + w, "worker " + w + " did not take a trade batch: " + ar.cause().getMessage());
      }
    }
    if (paused && credits.canResume()) {
      resume();
    }
  }

  private void pause() {
    paused = true;
    pausedSince = System.currentTimeMillis();
    client.pauseReading();
  }

  private void resume() {
    paused = false;
    pausedMs += System.currentTimeMillis() - pausedSince;
    client.resumeReading();
  }

  private long pausedMs() {
    return pausedMs + (paused ? System.currentTimeMillis() - pausedSince : 0);
  }

  /**
   * Worker {@code w} did not acknowledge within the ack timeout: its symbols are reported down (no
   * minute closes with trades missing), its trades dropped until it answers a probe again; the
   * other workers are read for again.
   */
  private void shed(int w) {
    credits.shed(w);
    sheds++;
    shedTrades += builders[w].size();
    builders[w].clear();
    log.warn("worker {} did not acknowledge trades within {} ms ({} trades in flight): shed, its symbols held "
        + "and repaired from REST when it answers again", w, batchOptions.getSendTimeout(), credits.lagTrades(w));
    feedOfWorker(w, "feedDown");
    probe(w);
  }

  private void probe(int w) {
    probeTimer[w] = vertx.setTimer(probeMs, id -> {
      probeTimer[w] = -1;
      vertx.eventBus().<Void>request(Addresses.workerTrades(w), EMPTY.build(), batchOptions).onComplete(ar -> {
        if (ar.succeeded() && credits.isShed(w)) {
          credits.unshed(w);
          log.info("worker {} answers again: its symbols catch up from REST", w);
          feedOfWorker(w, "feedUp");
        } else if (credits.isShed(w)) {
          probe(w);
        }
      });
    });
  }

  private static final TradeBatch.Builder EMPTY = new TradeBatch.Builder(4);

  /** Reports the symbols of worker {@code w} whose streams are up, down or up again. */
  private void feedOfWorker(int w, String op) {
    JsonArray ids = new JsonArray();
    Set<String> live = client.subscribed();
    for (Map.Entry<String, Integer> e : streamToId.entrySet()) {
      int id = e.getValue();
      if (workerOf[id] == w && live.contains(e.getKey())) {
        ids.add(id);
      }
    }
    if (!ids.isEmpty()) {
      vertx.eventBus().send(Addresses.workerControl(w), new JsonObject().put("op", op).put("ids", ids));
    }
  }

  private static boolean startsWith(byte[] b, int off, int len, byte[] prefix) {
    return len >= prefix.length && Arrays.equals(b, off, off + prefix.length, prefix, 0, prefix.length);
  }

  /** Once a second: symbols the exchange lists that we do not track go to the directory. */
  private void miniTicker(byte[] bytes, int off, int len) {
    try {
      JsonObject frame = new JsonObject(io.vertx.core.buffer.Buffer.buffer(Arrays.copyOfRange(bytes, off, off + len)));
      JsonArray data = frame.getJsonArray("data");
      JsonArray unknown = new JsonArray();
      for (int i = 0; data != null && i < data.size(); i++) {
        String s = data.getJsonObject(i).getString("s");
        if (s != null && symbols.idOf(s) < 0) {
          unknown.add(s);
        }
      }
      if (!unknown.isEmpty()) {
        vertx.eventBus().send(Addresses.SYMBOLS_SEEN, new JsonObject().put("symbols", unknown));
      }
    } catch (RuntimeException e) {
      rlog.warn("miniticker", "unreadable miniTicker frame: " + e.getMessage());
    }
  }

  // ---------------------------------------------------------------- connections

  @Override
  public void onConnected(int connId, Set<String> streams) {
    feed(streams, "feedUp");
  }

  @Override
  public void onDisconnected(int connId, Set<String> streams, String reason) {
    log.warn("exchange connection {} lost ({}): {} streams down until it is back", connId, reason, streams.size());
    feed(streams, "feedDown");
  }

  /**
   * Open but silent (the stream client logs it): its symbols are held like a dead feed's (no minute
   * closes), so nothing is published or stored as closed with trades missing; when frames flow again
   * (or a replacement delivers, announced by {@link #onConnected}) the workers catch up from REST.
   */
  @Override
  public void onSilent(int connId, Set<String> streams, long silentMs) {
    feed(streams, "feedDown");
  }

  @Override
  public void onAlive(int connId, Set<String> streams) {
    feed(streams, "feedUp");
  }

  @Override
  public void onCommandError(int connId, String response) {
    rlog.warn("cmd-error", "exchange rejected a command on connection " + connId + ": " + response);
  }

  private void feed(Collection<String> streams, String op) {
    Map<Integer, JsonArray> byWorker = new HashMap<>();
    for (String s : streams) {
      Integer id = streamToId.get(s);
      if (id != null && !(credits.isShed(workerOf[id]) && "feedUp".equals(op))) { // a shed worker's stay down
        byWorker.computeIfAbsent(workerOf[id], w -> new JsonArray()).add(id);
      }
    }
    byWorker.forEach((w, ids) -> vertx.eventBus().send(Addresses.workerControl(w),
        new JsonObject().put("op", op).put("ids", ids)));
  }

  // ---------------------------------------------------------------- control

  private void onControl(Message<JsonObject> m) {
    JsonObject c = m.body();
    JsonArray list = c.getJsonArray("symbols", new JsonArray());
    List<String> streams = new ArrayList<>();
    boolean subscribe = "subscribe".equals(c.getString("op"));
    for (int i = 0; i < list.size(); i++) {
      JsonObject s = list.getJsonObject(i);
      String symbol = s.getString("symbol");
      int id = s.getInteger("id");
      String stream = symbol.toLowerCase() + "@aggTrade";
      if (subscribe) {
        symbols.put(symbol, id);
        if (id >= workerOf.length) {
          workerOf = Arrays.copyOf(workerOf, Math.max(id + 1, workerOf.length * 2));
        }
        workerOf[id] = SymbolIndex.workerOf(symbol, workers);
        streamToId.put(stream, id);
      } else {
        symbols.remove(symbol);
        streamToId.remove(stream);
      }
      streams.add(stream);
    }
    if (subscribe) {
      if (!client.subscribed().contains(MINI_TICKER_STREAM)) {
        streams.add(MINI_TICKER_STREAM);
      }
      client.subscribe(streams);
    } else {
      client.unsubscribe(streams);
    }
    m.reply(new JsonObject().put("ok", true));
  }

  private JsonObject status() {
    return new JsonObject().put("connections", client.connectionCount()).put("streams", client.subscribed().size())
        .put("reconnects", client.reconnects())
        .put("silences", client.silences()).put("replacements", client.replacements())
        .put("silentConnections", client.suspectedConnections()).put("messages", client.messages()).put("trades", decoder.decoded())
        .put("rejected", decoder.rejectedTotal()).put("inFlightTrades", credits.totalTrades())
        .put("inFlightPeak", credits.peakTrades()).put("inFlightPeakBatches", credits.peakBatches())
        .put("paused", paused).put("pauses", client.pauses()).put("pausedMs", pausedMs())
        .put("sheds", sheds).put("shedTrades", shedTrades).put("ackFailures", ackFailures)
        .put("lag", lag());
  }

  private JsonArray lag() {
    JsonArray a = new JsonArray();
    long now = System.currentTimeMillis();
    for (int w = 0; w < workers; w++) {
      a.add(new JsonObject().put("worker", w).put("trades", credits.lagTrades(w)).put("ms", credits.lagMs(w, now))
          .put("shed", credits.isShed(w)));
    }
    return a;
  }

  Set<String> streams() {
    return new HashSet<>(client.subscribed());
  }
}
