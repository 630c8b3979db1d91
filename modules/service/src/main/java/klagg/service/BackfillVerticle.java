package klagg.service;

import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import klagg.core.Interval;
import klagg.core.KlineDelta;
import klagg.service.msg.CycleUpdate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the stored series whole from the exchange's REST klines: for every tracked symbol and
 * interval, from the latest stored kline (or {@code backfill.days} back for a symbol new to the
 * database) up to the kline open now, largest gaps first, weight-aware through the REST facade.
 * Closed klines only: the open one belongs to the live path. Progress is logged, exposed as a
 * metric and answered on {@link Addresses#STATUS_BACKFILL}.
 */
public final class BackfillVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(BackfillVerticle.class);

  private final KlaggConfig config;
  private final List<Interval> intervals;
  /** Largest gaps first. */
  private final PriorityQueue<Task> queue = new PriorityQueue<>(Comparator.comparingLong(Task::span).reversed());
  private final Set<Integer> done = new HashSet<>();
  private final Map<String, Long> latestStored = new HashMap<>();
  private int running;
  private int total;
  private int finished;
  private long rows;
  private long startedAt;
  private long lastLog;
  private long offset;
  private boolean latestLoaded;
  /** symbols announced before the stored state was loaded */
  private final List<JsonObject> early = new ArrayList<>();

  private record Task(int id, String symbol, Interval interval, long from, long to) {
    long span() {
      return (to - from) / interval.nominalLength();
    }
  }

  public BackfillVerticle(KlaggConfig config) {
    this.config = config;
    this.intervals = config.intervals();
  }

  @Override
  public Future<?> start() {
    Gauge.builder("klagg_backfill_progress", this, BackfillVerticle::progress)
        .description("fraction of backfill tasks done (1 when idle)").register(KlaggMetrics.of(vertx));
    var bus = vertx.eventBus();
    vertx.setPeriodic(5_000, id -> logProgress(false));
    return Future.join(
        bus.<JsonObject>consumer(Addresses.SYMBOLS_EVENTS, m -> {
          if ("added".equals(m.body().getString("op"))) {
            add(m.body());
          }
        }).completion(),
        bus.<JsonObject>consumer(Addresses.TICK, m -> offset = m.body().getLong("offset", offset)).completion(),
        bus.<JsonObject>consumer(Addresses.STATUS_BACKFILL, m -> m.reply(status())).completion())
        .onSuccess(v -> loadLatest(500));
  }

  private long serverNow() {
    return System.currentTimeMillis() + offset;
  }

  /** The latest stored kline of every (symbol, interval), then the symbols to fill. */
  private void loadLatest(long retryMs) {
    ClockVerticle.offset(vertx).compose(o -> {
          offset = o;
          return vertx.eventBus().<JsonObject>request(Addresses.HISTORY_LATEST, new JsonObject(),
              new DeliveryOptions().setSendTimeout(60_000));
        })
        .compose(m -> {
          for (Object o : m.body().getJsonArray("latest", new JsonArray())) {
            JsonObject l = (JsonObject) o;
            latestStored.put(l.getString("symbol") + "|" + l.getString("interval"), l.getLong("openTime"));
          }
          latestLoaded = true;
          List<JsonObject> waiting = new ArrayList<>(early);
          early.clear();
          waiting.forEach(this::add);
          return vertx.eventBus().<JsonObject>request(Addresses.SYMBOLS_LIST, new JsonObject(),
              new DeliveryOptions().setSendTimeout(10_000));
        })
        .onSuccess(m -> m.body().getJsonArray("symbols").forEach(o -> add((JsonObject) o)))
        .onFailure(e -> vertx.setTimer(retryMs, id -> loadLatest(Math.min(retryMs * 2, 10_000))));
  }

  private void add(JsonObject symbol) {
    if (!latestLoaded) {
      early.add(symbol);
      return;
    }
    if (!done.add(symbol.getInteger("id"))) {
      return;
    }
    long now = serverNow();
    long days = config.getLong("backfill.days");
    List<Task> tasks = new ArrayList<>();
    for (Interval iv : intervals) {
      String sym = symbol.getString("symbol");
      Long stored = latestStored.get(sym + "|" + iv.code());
      long from = stored != null ? stored : iv.openOf(now - days * 86_400_000L);
      long to = iv.openOf(now) - 1; // up to the open kline, which the live path owns
      if (to >= from && (stored != null || days > 0)) {
        tasks.add(new Task(symbol.getInteger("id"), sym, iv, from, to));
      }
    }
    total += tasks.size();
    queue.addAll(tasks);
    if (startedAt == 0 && !tasks.isEmpty()) {
      startedAt = System.currentTimeMillis();
      log.info("backfill: filling {} series from the exchange", total);
    }
    pump();
  }

  private void pump() {
    while (running < config.getInt("backfill.concurrency") && !queue.isEmpty()) {
      Task t = queue.poll();
      running++;
      fill(t).onComplete(x -> {
        running--;
        finished++;
        if (x.failed()) {
          log.warn("backfill of {} {} failed: {}", t.symbol(), t.interval().code(), x.cause().getMessage());
        }
        if (queue.isEmpty() && running == 0) {
          logProgress(true);
        }
        pump();
      });
    }
  }

  private Future<Void> fill(Task t) {
    return vertx.eventBus().<JsonObject>request(Addresses.REST_KLINES,
            new JsonObject().put("symbol", t.symbol()).put("interval", t.interval().code())
                .put("startTime", t.from()).put("endTime", t.to())
                // behind the live path's requests (seeds, repairs) in the shared weight budget
                .put("bulk", true),
            // held while symbols are seeded (minutes at 1,000 symbols), then within its budget share
            new DeliveryOptions().setSendTimeout(WorkerRest.SEED_TIMEOUT_MS))
        .compose(m -> {
          JsonArray ks = m.body().getJsonArray("klines");
          KlineDelta.Builder b = new KlineDelta.Builder(ks.size());
          long now = serverNow();
          for (int i = 0; i < ks.size(); i++) {
            JsonArray a = ks.getJsonArray(i);
            if (a.getLong(6) < now && a.getLong(0) >= t.from() && a.getLong(0) <= t.to()) {
              b.add(ControlJson.kline(a, t.id(), t.interval(), true));
            }
          }
          if (b.size() > 0) {
            rows += b.size();
            vertx.eventBus().send(Addresses.PERSIST, new CycleUpdate(0, now, List.of(b.build(0))));
          }
          return Future.<Void>succeededFuture();
        });
  }

  double progress() {
    return total == 0 ? 1.0 : (double) finished / total;
  }

  private void logProgress(boolean end) {
    if (total == 0 || (!end && (queue.isEmpty() && running == 0))) {
      return;
    }
    long now = System.currentTimeMillis();
    if (!end && now - lastLog < 4_000) {
      return;
    }
    lastLog = now;
    double secs = Math.max(0.001, (now - startedAt) / 1000.0);
    log.info("backfill: {}% ({} of {} series), {} klines, {} klines/s{}", Math.round(progress() * 100), finished, total,
        rows, Math.round(rows / secs), end ? ", done" : "");
  }

  private JsonObject status() {
    return new JsonObject().put("running", !queue.isEmpty() || running > 0).put("done", finished).put("total", total)
        .put("percent", Math.round(progress() * 1000) / 10.0).put("klines", rows);
  }
}
