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
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import klagg.service.Addresses;
import klagg.service.KlaggMetrics;

/**
 * The system's state for {@code /health} and the dashboard: the status replies of ingest, gateway,
 * persistence and backfill (the last two when deployed), counters from the metrics registry, and
 * rates computed from one sample per second.
 */
final class StatusSampler {
  /** A status address that has no handler: the component is not deployed. */
  private static final JsonObject ABSENT = new JsonObject();

  private final Vertx vertx;
  private final long timeoutMs;
  private final Supplier<JsonObject> web;
  private JsonObject latest = new JsonObject().put("starting", true);
  private long lastAt;
  private long lastTrades = -1;
  private long lastFlushed = -1;
  private double tradesPerSec;
  private double flushedPerSec;

  StatusSampler(Vertx vertx, long timeoutMs, Supplier<JsonObject> web) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.web = web;
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
    Future.join(ingest, gateway, persistence, backfill).onComplete(x -> {
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
  Future<JsonObject> health(int symbols) {
    Future<JsonObject> ingest = ask(Addresses.STATUS_INGEST);
    Future<JsonObject> gateway = ask(Addresses.STATUS_GATEWAY);
    Future<JsonObject> persistence = ask(Addresses.STATUS_PERSISTENCE);
    Future<JsonObject> backfill = ask(Addresses.STATUS_BACKFILL);
    return Future.join(ingest, gateway, persistence, backfill).transform(x -> {
      JsonObject checks = new JsonObject();
      boolean ready = true;

      JsonObject in = ingest.result();
      boolean exchangeOk = in != ABSENT && !in.containsKey("error")
          && (in.getInteger("connections", 0) > 0 || symbols == 0);
      checks.put("exchange", new JsonObject().put("ok", exchangeOk).put("connections", in.getValue("connections"))
          .put("streams", in.getValue("streams")).put("reconnects", in.getValue("reconnects"))
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
      checks.put("gateway", new JsonObject().put("ok", gatewayOk).put("cycle", gw.getValue("cycle"))
          .put("lastCycleMs", gw.getValue("lastCycleMs")).put("openBreakers", open).put("workers", workers)
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
      checks.put("symbols", new JsonObject().put("ok", symbols > 0).put("tracked", symbols));
      ready &= symbols > 0;
      return Future.succeededFuture(new JsonObject().put("status", ready ? "UP" : "DOWN").put("live", true)
          .put("ready", ready).put("checks", checks));
    });
  }
}
