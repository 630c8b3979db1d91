package klagg.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import klagg.core.KlineDelta;
import klagg.core.PullRequest;
import klagg.core.ShardFences;
import klagg.service.msg.CycleUpdate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every {@code gateway.pullIntervalMs} pulls deltas from every worker with a reply timeout well under
 * the interval. A worker that times out is logged and counted; after {@code breakerThreshold} misses
 * in a row it is skipped (circuit open) and probed every {@code breakerProbeMs} until it answers. One
 * immutable update per cycle goes to the web verticle (whose cache is the one place that holds the
 * last known klines: a worker that misses its deadline simply sends nothing new, so its symbols keep
 * their last known klines there) and to persistence. The status reply names the shards that are
 * stale (missed their last pull, or circuit open) so the web can mark their symbols, and every
 * cycle's time since start ({@code cycleHistogram}, {@link CycleHistogram}'s JSON form).
 *
 * <p>A shard that was served and is lost is adopted (a node with {@code workers.adopt} takes it
 * over): once no node has served it for {@code adoptAfterMs} (the cluster dropped its node), or, in a
 * cluster, once it has not answered for {@code adoptSilentAfterMs} although the event bus still
 * routes to its node (the node is paused or cut off and the cluster has not dropped it, or the
 * event bus's view of it lags): fencing makes such an owner stand down when it is back.
 */
public final class GatewayVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(GatewayVerticle.class);

  private final KlaggConfig config;
  private final int workers;
  private final RateLimitedLog rlog = new RateLimitedLog(log, 10_000);
  private long[] ack;
  private int[] misses;
  private boolean[] open;
  private long[] lastProbe;
  private long[] lastOk;
  /** When a pull first found no node serving the shard since it last answered, or 0. */
  private long[] noHandlerSince;
  /** When the last attempt to have the shard adopted failed, or 0. */
  private long[] adoptFailedAt;
  private boolean[] adopting;
  private boolean[] answered;
  private Counter[] timeouts;
  private Counter[] fenced;
  /** The newest fencing token seen per shard: deltas of an older owner are refused. */
  private ShardFences fences;
  private Timer cycleTimer;
  /** Every cycle's time since start, 1 ms buckets: {@code cycleHistogram} of the status. */
  private final CycleHistogram cycleHistogram = new CycleHistogram();
  private Counter overruns;
  private long cycle;
  private boolean inCycle;
  private long offset;
  private long lastCycleNanos;
  private io.vertx.core.Promise<Void> lastCycle;

  public GatewayVerticle(KlaggConfig config) {
    this.config = config;
    this.workers = config.workers();
  }

  @Override
  public Future<?> start() {
    ack = new long[workers];
    misses = new int[workers];
    open = new boolean[workers];
    lastProbe = new long[workers];
    lastOk = new long[workers];
    noHandlerSince = new long[workers];
    adoptFailedAt = new long[workers];
    adopting = new boolean[workers];
    answered = new boolean[workers];
    fences = new ShardFences(workers);
    java.util.Arrays.fill(lastOk, System.currentTimeMillis());
    registerMetrics();
    ClockVerticle.offset(vertx).onSuccess(o -> offset = o);
    vertx.setPeriodic(config.getLong("gateway.pullIntervalMs"), id -> cycle());
    var bus = vertx.eventBus();
    return Future.join(
        bus.<JsonObject>consumer(Addresses.TICK, m -> offset = m.body().getLong("offset", offset)).completion(),
        bus.<JsonObject>consumer(Addresses.STATUS_GATEWAY, m -> m.reply(status())).completion());
  }

  /** Stopping: one last cycle, so what the workers hold reaches persistence before it flushes. */
  @Override
  public Future<?> stop() {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    lastCycle = done;
    if (!inCycle) {
      cycle();
    }
    return done.future().timeout(2, java.util.concurrent.TimeUnit.SECONDS).recover(e -> Future.succeededFuture());
  }

  private void registerMetrics() {
    MeterRegistry reg = KlaggMetrics.of(vertx);
    timeouts = new Counter[workers];
    fenced = new Counter[workers];
    for (int i = 0; i < workers; i++) {
      int w = i;
      fenced[i] = Counter.builder("klagg_gateway_fenced")
          .description("deltas refused because their worker was fenced (a newer owner took its shard)")
          .tag("worker", Integer.toString(i)).register(reg);
      timeouts[i] = Counter.builder("klagg_gateway_pull_timeouts").description("worker pulls that timed out")
          .tag("worker", Integer.toString(i)).register(reg);
      Gauge.builder("klagg_gateway_breaker_open", this, g -> g.open[w] ? 1 : 0).tag("worker", Integer.toString(i))
          .register(reg);
    }
    cycleTimer = Timer.builder("klagg_gateway_cycle").description("gateway pull cycle time").register(reg);
    overruns = Counter.builder("klagg_gateway_cycle_overruns").description("cycles longer than the pull interval")
        .register(reg);
  }

  private void cycle() {
    if (inCycle) {
      overruns.increment();
      return;
    }
    inCycle = true;
    long start = System.nanoTime();
    long now = System.currentTimeMillis();
    long timeout = config.getLong("gateway.pullTimeoutMs");
    List<Future<KlineDelta>> pulls = new ArrayList<>(workers);
    for (int i = 0; i < workers; i++) {
      if (open[i] && now - lastProbe[i] < config.getLong("gateway.breakerProbeMs")) {
        continue;
      }
      if (open[i]) {
        lastProbe[i] = now;
      }
      int w = i;
      pulls.add(vertx.eventBus().<KlineDelta>request(Addresses.workerPull(i), new PullRequest(ack[i], fences.newest(i)),
              new DeliveryOptions().setSendTimeout(timeout))
          .map(m -> {
            KlineDelta d = m.body();
            if (!fences.admit(w, d.fence())) {
              // an owner that was fenced (e.g. paused, then back after its shard was adopted): its
              // output must not count; it learns from the next pull that reaches it and stands down
              fenced[w].increment();
              rlog.warn("fenced-" + w, "worker shard " + w + ": delta under fencing token " + d.fence()
                  + " refused, the shard's owner holds " + fences.newest(w));
              return null;
            }
            ack[w] = d.epoch();
            if (open[w]) {
              log.info("worker {} answers again: circuit closed", w);
            }
            misses[w] = 0;
            open[w] = false;
            noHandlerSince[w] = 0;
            adoptFailedAt[w] = 0;
            adopting[w] = false;
            lastOk[w] = System.currentTimeMillis();
            answered[w] = true;
            return d;
          })
          .otherwise(e -> {
            if (e instanceof ReplyException && ((ReplyException) e).failureCode() == Addresses.FENCED) {
              fenced[w].increment(); // a fenced owner standing down: the shard's owner is not at fault
            } else {
              missed(w, e);
            }
            return null;
          }));
    }
    Future.join(pulls).onComplete(x -> {
      List<KlineDelta> deltas = new ArrayList<>(pulls.size());
      for (Future<KlineDelta> f : pulls) {
        KlineDelta d = f.result();
        if (d != null && d.size() > 0) {
          deltas.add(d);
        }
      }
      cycle++;
      if (!deltas.isEmpty()) {
        CycleUpdate u = new CycleUpdate(cycle, System.currentTimeMillis() + offset, deltas);
        vertx.eventBus().publish(Addresses.CYCLE, u);
        vertx.eventBus().send(Addresses.PERSIST, u);
      }
      long took = System.nanoTime() - start;
      lastCycleNanos = took;
      cycleTimer.record(took, TimeUnit.NANOSECONDS);
      cycleHistogram.record(took);
      if (took > TimeUnit.MILLISECONDS.toNanos(config.getLong("gateway.pullIntervalMs"))) {
        overruns.increment();
      }
      inCycle = false;
      if (lastCycle != null) {
        lastCycle.tryComplete();
      }
    });
  }

  private void missed(int w, Throwable e) {
    boolean timeout = e instanceof ReplyException
        && ((ReplyException) e).failureType() == io.vertx.core.eventbus.ReplyFailure.TIMEOUT;
    boolean gone = e instanceof ReplyException
        && ((ReplyException) e).failureType() == io.vertx.core.eventbus.ReplyFailure.NO_HANDLERS;
    if (timeout) {
      timeouts[w].increment();
    }
    long now = System.currentTimeMillis();
    if (gone && noHandlerSince[w] == 0) {
      noHandlerSince[w] = now; // a later timeout does not undo it: only an answer does
    }
    // only a shard that was served and is lost is adopted; one never seen waits for its node
    if (answered[w] && !adopting[w] && now - adoptFailedAt[w] >= config.getLong("gateway.adoptAfterMs")) {
      if (noHandlerSince[w] != 0 && now - noHandlerSince[w] >= config.getLong("gateway.adoptAfterMs")) {
        adopt(w, "has no node since " + (now - noHandlerSince[w]) + " ms");
      } else if (vertx.isClustered() && now - lastOk[w] >= config.getLong("gateway.adoptSilentAfterMs")) {
        // its node may still be listed (paused, cut off) and the event bus still routes to it
        adopt(w, "has not answered for " + (now - lastOk[w]) + " ms");
      }
    }
    misses[w]++;
    if (!open[w]) {
      rlog.warn("pull-" + w, "worker " + w + " pull " + (timeout ? "timed out" : gone ? "found no worker" : "failed: "
          + e.getMessage()) + " (miss " + misses[w] + " in a row)");
      if (misses[w] >= config.getLong("gateway.breakerThreshold")) {
        open[w] = true;
        lastProbe[w] = System.currentTimeMillis();
        log.warn("worker {}: {} misses in a row, circuit open; probing every {} ms", w, misses[w],
            config.getLong("gateway.breakerProbeMs"));
      }
    }
  }

  /**
   * Worker shard {@code w} is lost (its node died, or is paused or cut off): ask a node that can run
   * workers to take it over. The replacement seeds its symbols from the exchange and repairs the
   * klines that closed since the last answer, so the series stays whole.
   */
  private void adopt(int w, String why) {
    adopting[w] = true;
    long lostSince = lastOk[w] + offset;
    log.warn("worker shard {} {}: asking a node to take it over", w, why);
    vertx.eventBus().<JsonObject>request(Addresses.WORKERS_ADOPT, new JsonObject().put("shard", w).put("lostSince", lostSince)
            .put("fence", fences.newest(w)),
            new DeliveryOptions().setSendTimeout(30_000))
        .onSuccess(m -> log.info("worker shard {} taken over: {}", w, m.body().encode()))
        .onFailure(e -> {
          adopting[w] = false;
          adoptFailedAt[w] = System.currentTimeMillis();
          log.warn("no node took over worker shard {}: {}", w, e.getMessage());
        });
  }

  /**
   * A worker is stale while its last pull went unanswered (timeout, no handler, or circuit open):
   * its symbols' klines are the last known ones until it answers again.
   */
  private boolean stale(int w) {
    return misses[w] > 0 || open[w];
  }

  private JsonObject status() {
    JsonArray ws = new JsonArray();
    JsonArray staleShards = new JsonArray();
    long now = System.currentTimeMillis();
    for (int i = 0; i < workers; i++) {
      boolean stale = stale(i);
      JsonObject w = new JsonObject().put("worker", i).put("breaker", open[i] ? "open" : "closed").put("misses", misses[i])
          .put("adopting", adopting[i])
          .put("fence", fences.newest(i)).put("fenced", (long) fenced[i].count())
          .put("timeouts", (long) timeouts[i].count()).put("stale", stale);
      if (stale) {
        w.put("staleForMs", Math.max(0, now - lastOk[i]));
        staleShards.add(i);
      }
      ws.add(w);
    }
    return new JsonObject().put("cycle", cycle).put("lastCycleMs", lastCycleNanos / 1e6).put("workers", ws)
        .put("staleWorkers", staleShards).put("overruns", (long) overruns.count())
        .put("cycleHistogram", cycleHistogram.toJson());
  }
}
