package klagg.bench;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import klagg.core.Interval;
import klagg.sim.SimConfig;
import klagg.sim.Simulator;
import klagg.sim.SymbolInfo;

/**
 * The naive version klagg is measured against, fed the same firehose frames over the same loopback
 * WebSocket: Jackson ObjectMapper into a POJO per frame, one event-bus JsonObject per trade to an
 * aggregator verticle on another event loop, klines as POJOs with BigDecimal sums in a HashMap keyed
 * by "SYMBOL|interval|openTime". No persistence, no subscriber (so it is flattered, not handicapped).
 * As klagg: the same number of shards (aggregator verticles, symbol hash mod shards) and event loops,
 * and bounded in-flight work (credits back from the shards; the socket pauses when a shard is behind).
 */
final class Baseline {
  private Baseline() {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class Envelope {
    public String stream;
    public Trade data;
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class Trade {
    @JsonProperty("s") public String symbol;
    @JsonProperty("a") public long aggId;
    @JsonProperty("p") public String price;
    @JsonProperty("q") public String qty;
    @JsonProperty("f") public long firstId;
    @JsonProperty("l") public long lastId;
    @JsonProperty("T") public long time;
    @JsonProperty("m") public boolean buyerMaker;
  }

  static final class NaiveKline {
    BigDecimal open;
    BigDecimal high;
    BigDecimal low;
    BigDecimal close;
    BigDecimal volume = BigDecimal.ZERO;
    BigDecimal quote = BigDecimal.ZERO;
    BigDecimal takerVolume = BigDecimal.ZERO;
    BigDecimal takerQuote = BigDecimal.ZERO;
    long count;
  }

  /** Trades a shard acknowledges at once (one credit message back to the reader per this many). */
  static final int CREDIT_EVERY = 256;
  /** Trades in flight to one shard before the reader pauses its socket (klagg's ingest bounds it too). */
  static final int MAX_IN_FLIGHT = 16_384;

  /** One shard: the symbols whose hash lands on it, as klagg's workers. */
  static final class Aggregator extends AbstractVerticle {
    final Map<String, NaiveKline> klines = new HashMap<>();
    final int shard;
    final AtomicLong applied;
    int unacked;

    Aggregator(int shard, AtomicLong applied) {
      this.shard = shard;
      this.applied = applied;
    }

    @Override
    public void start() {
      vertx.eventBus().<JsonObject>consumer("baseline.trade." + shard, m -> {
        JsonObject t = m.body();
        BigDecimal p = new BigDecimal(t.getString("p"));
        BigDecimal q = new BigDecimal(t.getString("q"));
        long time = t.getLong("T");
        for (Interval iv : Interval.DEFAULTS) {
          long open = iv.openOf(time);
          NaiveKline k = klines.computeIfAbsent(t.getString("s") + "|" + iv.code() + "|" + open, x -> new NaiveKline());
          if (k.open == null) {
            k.open = p;
            k.high = p;
            k.low = p;
          }
          k.high = k.high.max(p);
          k.low = k.low.min(p);
          k.close = p;
          k.volume = k.volume.add(q);
          BigDecimal pq = p.multiply(q);
          k.quote = k.quote.add(pq);
          if (!t.getBoolean("m")) {
            k.takerVolume = k.takerVolume.add(q);
            k.takerQuote = k.takerQuote.add(pq);
          }
          k.count += t.getLong("l") - t.getLong("f") + 1;
        }
        applied.incrementAndGet();
        if (++unacked == CREDIT_EVERY) {
          vertx.eventBus().send("baseline.credit", new JsonObject().put("shard", shard).put("n", unacked));
          unacked = 0;
        }
      });
    }
  }

  /**
   * The reader: one WebSocket, Jackson per frame, one JsonObject per trade to the shard of its symbol
   * (hash mod shards); at most {@link #MAX_IN_FLIGHT} unacknowledged trades per shard, past which the
   * socket is paused until the shards' credits bring every one under half of it.
   */
  static final class Reader extends AbstractVerticle {
    final int port;
    final int shards;
    final JsonArray params;
    final AtomicLong frames;
    final long[] inFlight;
    final AtomicLong peak = new AtomicLong();
    final AtomicLong pauses = new AtomicLong();
    final ObjectMapper mapper = new ObjectMapper();
    io.vertx.core.http.WebSocket ws;
    WebSocketClient wsc;
    boolean paused;

    Reader(int port, int shards, JsonArray params, AtomicLong frames) {
      this.port = port;
      this.shards = shards;
      this.params = params;
      this.frames = frames;
      this.inFlight = new long[shards];
    }

    @Override
    public void start(io.vertx.core.Promise<Void> started) {
      vertx.eventBus().<JsonObject>consumer("baseline.credit", m -> {
        inFlight[m.body().getInteger("shard")] -= m.body().getInteger("n");
        if (paused) {
          for (long f : inFlight) {
            if (f > MAX_IN_FLIGHT / 2) {
              return;
            }
          }
          paused = false;
          ws.resume();
        }
      });
      wsc = vertx.createWebSocketClient(); // a field: an unreferenced client is closed when collected
      wsc.connect(port, "127.0.0.1", "/stream?streams=" + params.getString(0)).onSuccess(w -> {
        ws = w;
        ws.textMessageHandler(this::frame);
        ws.writeTextMessage(new JsonObject().put("method", "SUBSCRIBE").put("params", params).put("id", 1).encode());
        started.complete();
      }).onFailure(started::fail);
    }

    void frame(String text) {
      frames.incrementAndGet();
      try {
        Envelope e = mapper.readValue(text, Envelope.class);
        if (e.data == null) {
          return;
        }
        Trade t = e.data;
        int shard = Math.floorMod(t.symbol.hashCode(), shards);
        vertx.eventBus().send("baseline.trade." + shard, new JsonObject().put("s", t.symbol).put("a", t.aggId)
            .put("p", t.price).put("q", t.qty).put("f", t.firstId).put("l", t.lastId).put("T", t.time)
            .put("m", t.buyerMaker));
        long f = ++inFlight[shard];
        if (f > peak.get()) {
          peak.set(f);
        }
        if (f >= MAX_IN_FLIGHT && !paused) {
          paused = true;
          pauses.incrementAndGet();
          ws.pause();
        }
      } catch (Exception ex) {
        // counted as not applied
      }
    }
  }

  /**
   * The baseline with {@code shards} aggregator verticles (klagg's worker count) on a Vert.x of
   * {@code eventLoops} event loops (klagg's), fed by the max-rate firehose: trades applied per second
   * over {@code duration} seconds after a 3 s warm-up, with the in-flight work bounded, so the rate is
   * the one it sustains. {@code simProcess}: its simulator in its own JVM, so its CPU figure is its own.
   */
  static JsonObject run(int symbols, int duration, int shards, int eventLoops, boolean simProcess) throws Exception {
    Vertx vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(eventLoops));
    JsonObject c = new JsonObject().put("port", 0).put("symbols", symbols).put("seed", 7).put("firehose", true)
        .put("pingIntervalMs", 5000).put("pongTimeoutMs", 120_000).put("maxIncomingPerSecond", 50);
    // its own simulator, in this JVM or (as klagg's, with --sim-process) in its own
    SimHandle sim = simProcess ? SimHandle.child(c, 0)
        : SimHandle.inProcess(E2e.await(Simulator.start(vertx, SimConfig.fromJson(c))));
    int port = java.net.URI.create(sim.wsBaseUrl()).getPort();
    AtomicLong applied = new AtomicLong();
    for (int i = 0; i < shards; i++) {
      E2e.await(vertx.deployVerticle(new Aggregator(i, applied)));
    }
    JsonArray params = new JsonArray();
    for (SymbolInfo s : sim.market().symbols()) {
      params.add(s.name.toLowerCase() + "@aggTrade");
    }
    AtomicLong frames = new AtomicLong();
    Reader reader = new Reader(port, shards, params, frames);
    E2e.await(vertx.deployVerticle(reader));
    Thread.sleep(3000); // warm-up
    long a0 = applied.get();
    long cpu0 = JvmProbes.cpuNanos();
    long t0 = System.nanoTime();
    Thread.sleep(duration * 1000L);
    long a1 = applied.get();
    long cpu1 = JvmProbes.cpuNanos();
    long t1 = System.nanoTime();
    double secs = (t1 - t0) / 1e9;
    JsonObject r = new JsonObject().put("trades_per_s", (a1 - a0) / secs)
        .put("cpu_us_per_trade", (cpu1 - cpu0) / 1e3 / Math.max(1, a1 - a0))
        .put("shards", shards).put("event_loops", eventLoops).put("max_in_flight_per_shard", MAX_IN_FLIGHT)
        .put("peak_in_flight", reader.peak.get()).put("pauses", reader.pauses.get())
        .put("frames_received", frames.get())
        .put("loadavg", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    r.put("sim_process", simProcess);
    System.out.println("baseline: " + r.encode());
    E2e.await(vertx.close());
    sim.close();
    return r;
  }
}
