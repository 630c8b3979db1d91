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

  static final class Aggregator extends AbstractVerticle {
    final Map<String, NaiveKline> klines = new HashMap<>();
    final AtomicLong applied;

    Aggregator(AtomicLong applied) {
      this.applied = applied;
    }

    @Override
    public void start() {
      vertx.eventBus().<JsonObject>consumer("baseline.trade", m -> {
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
      });
    }
  }

  static JsonObject run(int symbols, int duration) throws Exception {
    Vertx vertx = Vertx.vertx();
    SimConfig c = new SimConfig();
    c.port = 0;
    c.symbols = symbols;
    c.seed = 7;
    c.firehose = true;
    c.pingIntervalMs = 5000;
    c.pongTimeoutMs = 120_000;
    c.maxIncomingPerSecond = 50;
    Simulator sim = E2e.await(Simulator.start(vertx, c));
    AtomicLong applied = new AtomicLong();
    E2e.await(vertx.deployVerticle(new Aggregator(applied)));
    ObjectMapper mapper = new ObjectMapper();
    JsonArray params = new JsonArray();
    for (SymbolInfo s : sim.market().symbols()) {
      params.add(s.name.toLowerCase() + "@aggTrade");
    }
    WebSocketClient wsc = vertx.createWebSocketClient();
    AtomicLong frames = new AtomicLong();
    E2e.await(wsc.connect(sim.port(), "127.0.0.1", "/stream?streams=" + params.getString(0)).map(ws -> {
      ws.textMessageHandler(text -> {
        frames.incrementAndGet();
        try {
          Envelope e = mapper.readValue(text, Envelope.class);
          if (e.data == null) {
            return;
          }
          Trade t = e.data;
          vertx.eventBus().send("baseline.trade", new JsonObject().put("s", t.symbol).put("a", t.aggId).put("p", t.price)
              .put("q", t.qty).put("f", t.firstId).put("l", t.lastId).put("T", t.time).put("m", t.buyerMaker));
        } catch (Exception ex) {
          // counted as not applied
        }
      });
      ws.writeTextMessage(new JsonObject().put("method", "SUBSCRIBE").put("params", params).put("id", 1).encode());
      return ws;
    }));
    Thread.sleep(3000); // warm-up
    long a0 = applied.get();
    long cpu0 = E2e.cpuNanos();
    long t0 = System.nanoTime();
    Thread.sleep(duration * 1000L);
    long a1 = applied.get();
    long cpu1 = E2e.cpuNanos();
    long t1 = System.nanoTime();
    double secs = (t1 - t0) / 1e9;
    JsonObject r = new JsonObject().put("trades_per_s", (a1 - a0) / secs)
        .put("cpu_us_per_trade", (cpu1 - cpu0) / 1e3 / Math.max(1, a1 - a0))
        .put("frames_received", frames.get())
        .put("loadavg", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.println("baseline: " + r.encode());
    wsc.close();
    E2e.await(sim.close());
    E2e.await(vertx.close());
    return r;
  }
}
