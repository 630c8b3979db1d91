package klagg.service.web;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import klagg.service.Addresses;
import klagg.service.KlaggMetrics;

/**
 * The system's state for {@code /health} and the dashboard: the status replies of ingest, gateway,
 * persistence and backfill (the last two when deployed) and of every worker shard (how many of its
 * symbols are live), counters from the metrics registry, and rates computed from one sample per
 * second. Symbols of the shards the gateway reports stale (pull missed or circuit open) are marked
 * stale: their klines are the last known ones until the worker answers again.
 */
final class StatusSampler {
  /** A status address that has no handler: the component is not deployed. */
  private static final JsonObject ABSENT = new JsonObject();

  private final Vertx vertx;
  private final long timeoutMs;
  private final int workers;
  private final Symbols symbols;
  private final Supplier<JsonObject> web;
  /** worker shards stale at the last sample or health check */
  private final BitSet staleWorkers = new BitSet();
  private JsonObject latest = new JsonObject().put("starting", true);
  private long lastAt;
  private long lastTrades = -1;
  private long lastFlushed = -1;
  private double tradesPerSec;
  private double flushedPerSec;

  StatusSampler(Vertx vertx, long timeoutMs, int workers, Symbols symbols, Supplier<JsonObject> web) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.workers = workers;
    this.symbols = symbols;
    this.web = web;
  }

  /** Whether the symbol's worker shard was stale at the last sample. */
  boolean stale(Symbols.Info s) {
    return s.worker >= 0 && staleWorkers.get(s.worker);
  }

  /**
   * Live symbols summed over the worker shards' status replies ({@code live}, or {@code symbols -
   * notLive} from workers that do not report it); a shard that does not answer counts none.
   */
  private Future<Integer> live() {
    List<Future<Integer>> fs = new ArrayList<>(workers);
    JsonObject req = new JsonObject().put("op", "status");
    for (int i = 0; i < workers; i++) {
      fs.add(vertx.eventBus().<JsonObject>request(Addresses.workerControl(i), req,
              new DeliveryOptions().setSendTimeout(timeoutMs))
          .map(m -> liveOf(m.body()))
          .otherwise(0));
    }
    return Future.join(fs).transform(x -> {
      int sum = 0;
      for (Future<Integer> f : fs) {
        sum += f.result() == null ? 0 : f.result();
      }
      return Future.succeededFuture(sum);
    });
  }

  /** A worker's live symbols from its status reply: {@code live}, else {@code symbols - notLive}. */
  static int liveOf(JsonObject status) {
    if (status == null) {
      return 0;
    }
    int n = status.getInteger("symbols", 0);
    return Math.max(0, status.getInteger("live", n - status.getInteger("notLive", 0)));
  }

  /**
   * {@code tracked}, {@code live}, {@code stale} (count) and {@code staleSymbols} / {@code
   * staleWorkers} from the gateway's status; remembers the stale shards.
   */
  private JsonObject symbolsState(JsonObject gw, int live) {
    staleWorkers.clear();
    JsonArray shards = gw.getJsonArray("staleWorkers");
    if (shards == null) {
      // a gateway that does not list them: a worker with an open circuit is stale
      shards = new JsonArray();
      for (Object o : gw.getJsonArray("workers", new JsonArray())) {
        JsonObject w = (JsonObject) o;
        if (w.getBoolean("stale", "open".equals(w.getString("breaker")))) {
          shards.add(w.getInteger("worker"));
        }
      }
    }
    for (Object o : shards) {
      if (o instanceof Number) {
        staleWorkers.set(((Number) o).intValue());
      }
    }
    JsonArray names = new JsonArray();
    if (!staleWorkers.isEmpty()) {
      for (Symbols.Info s : symbols.all()) {
        if (stale(s)) {
          names.add(s.symbol);
        }
      }
    }
    int tracked = symbols.size();
    return new JsonObject().put("tracked", tracked).put("live", Math.min(live, tracked)).put("stale", names.size())
        .put("staleSymbols", names).put("staleWorkers", shards.copy());
  }

  void start() {
    sample();
    vertx.setPeriodic(1000, id -> sample());
  }

  JsonObject latest() {
    return latest;
  }

  private Future<JsonObject> ask(String address) {
    return vertx.eventBus().<JsonObject>request(address, new JsonObject(), new DeliveryOptions().setSendTimeout(timeoutMs))
        .map(m -> m.body() == null ? new JsonObject() : m.body())
        .recover(e -> {
          if (e instanceof ReplyException && ((ReplyException) e).failureType() == ReplyFailure.NO_HANDLERS) {
            return Future.succeededFuture(ABSENT);
          }
          return Future.succeededFuture(new JsonObject().put("error", e instanceof ReplyException
              && ((ReplyException) e).failureType() == ReplyFailure.TIMEOUT ? "timeout" : String.valueOf(e.getMessage())));
        });
  }

  private static JsonObject orNull(JsonObject j) {
    return j == ABSENT ? null : j;
  }

  private void sample() {
    Future<JsonObject> ingest = ask(Addresses.STATUS_INGEST);
    Future<JsonObject> gateway = ask(Addresses.STATUS_GATEWAY);
    Future<JsonObject> persistence = ask(Addresses.STATUS_PERSISTENCE);
    Future<JsonObject> backfill = ask(Addresses.STATUS_BACKFILL);
    Future<Integer> live = live();
    Future.join(ingest, gateway, persistence, backfill, live).onComplete(x -> {
      long now = System.currentTimeMillis();
      JsonObject in = ingest.result();
      JsonObject p = persistence.result();
      long trades = in.getLong("trades", -1L);
      Long flushed = p == ABSENT ? null : firstLong(p, "flushedRows", "rowsFlushed", "flushed", "written", "rowsWritten");
      if (lastAt > 0 && now > lastAt) {
        double secs = (now - lastAt) / 1000.0;
        if (trades >= 0 && lastTrades >= 0) {
          tradesPerSec = Math.max(0, (trades - lastTrades) / secs);
        }
        if (flushed != null && lastFlushed >= 0) {
          flushedPerSec = Math.max(0, (flushed - lastFlushed) / secs);
        }
      }
      lastAt = now;
      lastTrades = trades;
      lastFlushed = flushed == null ? -1 : flushed;
      JsonObject s = new JsonObject()
          .put("time", now)
          .put("ingest", orNull(in))
          .put("tradesPerSec", round1(tradesPerSec))
          .put("gateway", orNull(gateway.result()))
          .put("gatewayCycle", cycleTimer())
          .put("symbols", symbolsState(gateway.result(), live.result()))
          .put("counters", counters())
          .put("persistence", orNull(p))
          .put("persistRowsPerSec", flushed == null ? null : round1(flushedPerSec))
          .put("backfill", orNull(backfill.result()))
          .put("web", web.get());
      latest = s;
    });
  }

  private static Long firstLong(JsonObject j, String... keys) {
    for (String k : keys) {
      Object v = j.getValue(k);
      if (v instanceof Number) {
        return ((Number) v).longValue();
      }
    }
    return null;
  }

  private static double round1(double d) {
    return Math.round(d * 10) / 10.0;
  }

  private JsonObject cycleTimer() {
    MeterRegistry reg = KlaggMetrics.of(vertx);
    Timer t = reg.find("klagg_gateway_cycle").timer();
    if (t == null) {
      return null;
    }
    return new JsonObject().put("count", t.count()).put("meanMs", round3(t.mean(TimeUnit.MILLISECONDS)))
        .put("maxMs", round3(t.max(TimeUnit.MILLISECONDS)));
  }

  private static double round3(double d) {
    return Math.round(d * 1000) / 1000.0;
  }

  /** Sums of the pipeline's counters in this JVM's registry. */
  private JsonObject counters() {
    MeterRegistry reg = KlaggMetrics.of(vertx);
    JsonObject c = new JsonObject();
    for (FunctionCounter f : reg.find("klagg_worker_trades").functionCounters()) {
      String r = f.getId().getTag("result");
      if (r != null) {
        String key = camel(r);
        c.put(key, c.getLong(key, 0L) + (long) f.count());
      }
    }
    c.put("gaps", sum(reg, "klagg_gaps"));
    c.put("repairs", sum(reg, "klagg_repairs"));
    c.put("repairFailures", sum(reg, "klagg_repair_failures"));
    c.put("rejected", sum(reg, "klagg_ingest_rejected"));
    c.put("reconnects", sum(reg, "klagg_ingest_reconnects"));
    return c;
  }

  private static long sum(MeterRegistry reg, String name) {
    long n = 0;
    for (FunctionCounter f : reg.find(name).functionCounters()) {
      n += (long) f.count();
    }
    for (io.micrometer.core.instrument.Counter f : reg.find(name).counters()) {
      n += (long) f.count();
    }
    return n;
  }

  private static String camel(String s) {
    StringBuilder b = new StringBuilder();
    boolean up = false;
    for (char ch : s.toCharArray()) {
      if (ch == '_') {
        up = true;
      } else {
        b.append(up ? Character.toUpperCase(ch) : ch);
        up = false;
      }
    }
    return b.toString();
  }

  /**
   * Liveness and readiness from fresh status replies: ready when the exchange is connected (or no
   * symbol is tracked), no worker's circuit is open, and the database (when deployed) is up.
   */
  Future<JsonObject> health() {
    int symbols = this.symbols.size();
    Future<JsonObject> ingest = ask(Addresses.STATUS_INGEST);
    Future<JsonObject> gateway = ask(Addresses.STATUS_GATEWAY);
    Future<JsonObject> persistence = ask(Addresses.STATUS_PERSISTENCE);
    Future<JsonObject> backfill = ask(Addresses.STATUS_BACKFILL);
    Future<JsonObject> directory = ask(Addresses.STATUS_SYMBOLS);
    Future<Integer> live = live();
    return Future.join(ingest, gateway, persistence, backfill, live, directory).transform(x -> {
      JsonObject checks = new JsonObject();
      boolean ready = true;

      JsonObject in = ingest.result();
      boolean exchangeOk = in != ABSENT && !in.containsKey("error")
          && (in.getInteger("connections", 0) > 0 || symbols == 0);
      checks.put("exchange", new JsonObject().put("ok", exchangeOk).put("connections", in.getValue("connections"))
          .put("streams", in.getValue("streams")).put("reconnects", in.getValue("reconnects"))
          .put("silentConnections", in.getValue("silentConnections")).put("silences", in.getValue("silences"))
          .put("replacements", in.getValue("replacements"))
          .put("error", in == ABSENT ? "ingest not deployed" : in.getValue("error")));
      ready &= exchangeOk;

      JsonObject gw = gateway.result();
      JsonArray workers = gw.getJsonArray("workers", new JsonArray());
      int open = 0;
      for (Object o : workers) {
        if ("open".equals(((JsonObject) o).getString("breaker"))) {
          open++;
        }
      }
      boolean gatewayOk = gw != ABSENT && !gw.containsKey("error") && open == 0 && !workers.isEmpty();
      JsonObject sym = symbolsState(gw, live.result());
      checks.put("gateway", new JsonObject().put("ok", gatewayOk).put("cycle", gw.getValue("cycle"))
          .put("lastCycleMs", gw.getValue("lastCycleMs")).put("openBreakers", open)
          .put("stale", sym.getInteger("stale")).put("staleSymbols", sym.getJsonArray("staleSymbols"))
          .put("staleWorkers", sym.getJsonArray("staleWorkers")).put("workers", workers)
          .put("error", gw == ABSENT ? "gateway not deployed" : gw.getValue("error")));
      ready &= gatewayOk;

      JsonObject p = persistence.result();
      if (p != ABSENT) {
        boolean dbOk = !p.containsKey("error") && p.getBoolean("ok", p.getBoolean("connected", true));
        checks.put("database", p.copy().put("ok", dbOk));
        ready &= dbOk;
      }
      JsonObject b = backfill.result();
      if (b != ABSENT) {
        checks.put("backfill", b.copy());
      }
      JsonObject dir = directory.result();
      checks.put("symbols", new JsonObject().put("ok", symbols > 0).put("tracked", symbols)
          .put("live", sym.getInteger("live")).put("stale", sym.getInteger("stale"))
          .put("halted", dir.getValue("halted")).put("haltedSymbols", dir.getValue("haltedSymbols"))
          .put("holding", dir.getValue("holding")).put("heldReason", dir.getValue("heldReason"))
          .put("refreshes", dir.getValue("refreshes")));
      ready &= symbols > 0;
      return Future.succeededFuture(new JsonObject().put("status", ready ? "UP" : "DOWN").put("live", true)
          .put("ready", ready).put("checks", checks));
    });
  }
}
