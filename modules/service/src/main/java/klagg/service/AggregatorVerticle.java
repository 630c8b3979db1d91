package klagg.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import klagg.core.AggTrade;
import klagg.core.Fence;
import klagg.core.KlineBook;
import klagg.core.PullRequest;
import klagg.core.TradeBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Worker {@code shard}: owns the {@link KlineBook} of the symbols whose hash lands on it. Applies
 * trade batches, rolls intervals on clock ticks, answers the gateway's pull with the delta since the
 * last acknowledged one. A symbol that is not live (being seeded, {@link Seeding}; or repaired after
 * a jump in its aggregate ids, {@link Repairs}) has its trades held ({@link SymbolSlots}) until it
 * is, so klines stay exact.
 */
public final class AggregatorVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(AggregatorVerticle.class);

  private final KlaggConfig config;
  private final int shard;
  private final AggTrade t = new AggTrade();
  private final long[] results = new long[KlineBook.Result.values().length];
  private final ArrayDeque<Message<TradeBatch>> stalled = new ArrayDeque<>();
  private final RateLimitedLog rlog = new RateLimitedLog(log, 10_000);

  private KlineBook book;
  private SymbolSlots slots;
  private WorkerRest rest;
  private Repairs repairs;
  private Seeding seeding;
  private long stalledUntil;

  /** Server time since which this shard's output was lost (it replaces a dead worker), or -1. */
  private final long lostSince;
  /** This owner's fencing token for the shard, taken at start: a later owner holds a larger one. */
  private long token;
  /** The newest token the gateway saw for the shard when it had it adopted: this owner's is larger. */
  private final long fencedAbove;
  private boolean stoodDown;
  private Runnable onStandDown = () -> {};
  private Counter standDowns;

  public AggregatorVerticle(KlaggConfig config, int shard) {
    this(config, shard, -1);
  }

  public AggregatorVerticle(KlaggConfig config, int shard, long lostSince) {
    this(config, shard, lostSince, 0);
  }

  /** A worker taking over shard {@code shard}, whose lost owner held fencing token {@code fencedAbove}. */
  public AggregatorVerticle(KlaggConfig config, int shard, long lostSince, long fencedAbove) {
    this.config = config;
    this.shard = shard;
    this.lostSince = lostSince;
    this.fencedAbove = fencedAbove;
  }

  public int shard() {
    return shard;
  }

  /** Called (on this verticle's context) when it stands down because a newer owner took its shard. */
  public AggregatorVerticle onStandDown(Runnable r) {
    this.onStandDown = r;
    return this;
  }

  @Override
  public Future<?> start() {
    book = new KlineBook(config.intervals(), config.getLong("graceMs"), 64);
    book.maxOverflow(config.getInt("workers.maxOverflowKlines"));
    slots = new SymbolSlots(config.getLong("workers.maxBufferedTrades"));
    rest = new WorkerRest(vertx);
    repairs = new Repairs(vertx, config, shard, book, slots, rest, results, rlog);
    // a replacement's database may be behind the shard it takes over: it seeds from the exchange
    seeding = new Seeding(vertx, config, shard, book, slots, rest, repairs, rlog,
        lostSince <= 0 && config.getBool("workers.restoreFromDb"));
    registerMetrics();
    // taking the shard: a new fencing token, so a previous owner's output no longer counts
    return FenceTokens.take(vertx, shard, fencedAbove).compose(t -> {
      token = t;
      log.info("worker {} takes its shard with fencing token {}", shard, t);
      vertx.setPeriodic(config.getLong("workers.fenceCheckMs"), id -> checkFence());
      return consume();
    });
  }

  private Future<?> consume() {
    var bus = vertx.eventBus();
    return Future.join(
        bus.<TradeBatch>consumer(Addresses.workerTrades(shard), this::onTrades).completion(),
        bus.<PullRequest>consumer(Addresses.workerPull(shard), this::onPull).completion(),
        bus.<JsonObject>consumer(Addresses.workerControl(shard), this::onControl).completion(),
        bus.<JsonObject>consumer(Addresses.TICK, m -> onTick(m.body())).completion())
        // the server-time offset first: a replacement's repairs judge open vs final by server time
        .onSuccess(v -> ClockVerticle.offset(vertx).onSuccess(rest::offset).onComplete(x -> syncSymbols(500)));
  }

  /**
   * Takes this shard's symbols from the directory (the directory also sends them as they come; a
   * worker that starts later, or replaces a dead one, asks). A replacement repairs the klines that
   * closed while its shard was lost.
   */
  private void syncSymbols(long retryMs) {
    vertx.eventBus().<JsonObject>request(Addresses.SYMBOLS_LIST, new JsonObject(), new DeliveryOptions().setSendTimeout(10_000))
        .onSuccess(m -> {
          int mine = 0;
          for (Object o : m.body().getJsonArray("symbols")) {
            JsonObject e = (JsonObject) o;
            if (e.getInteger("worker") == shard) {
              int id = e.getInteger("id");
              boolean known = slots.known(id);
              add(id, e.getString("symbol"), e.getInteger("priceScale", 0), e.getInteger("qtyScale", 0));
              if (e.getBoolean("halted", false)) {
                book.halt(id, rest.serverNow()); // a replacement learns the halts it missed
              }
              if (lostSince > 0 && !known) {
                repairs.repairKlines(id, lostSince, rest.serverNow(), false);
              }
              mine++;
            }
          }
          if (lostSince > 0) {
            log.info("worker {} took over {} symbols; repairing their klines since {}", shard, mine,
                java.time.Instant.ofEpochMilli(lostSince));
          }
        })
        .onFailure(e -> vertx.setTimer(retryMs, id -> syncSymbols(Math.min(retryMs * 2, 10_000))));
  }

  private void registerMetrics() {
    MeterRegistry reg = KlaggMetrics.of(vertx);
    Tags w = Tags.of("worker", Integer.toString(shard));
    for (KlineBook.Result r : KlineBook.Result.values()) {
      int i = r.ordinal();
      FunctionCounter.builder("klagg_worker_trades", results, a -> a[i])
          .description("trades handled by workers, by outcome")
          .tags(w.and("result", r.name().toLowerCase())).register(reg);
    }
    FunctionCounter.builder("klagg_gaps", book, KlineBook::gaps).description("jumps in aggregate ids").tags(w).register(reg);
    FunctionCounter.builder("klagg_repairs", repairs, Repairs::repairsTrades).tags(w.and("kind", "aggtrades")).register(reg);
    FunctionCounter.builder("klagg_repairs", repairs, Repairs::repairsKlines).tags(w.and("kind", "klines")).register(reg);
    FunctionCounter.builder("klagg_repair_failures", repairs, Repairs::repairFailures).tags(w).register(reg);
    standDowns = Counter.builder("klagg_worker_stand_downs")
        .description("workers that stood down because a newer owner took their shard (fenced)").tags(w).register(reg);
    FunctionCounter.builder("klagg_gaps_not_on_exchange", repairs, Repairs::gapsNotOnExchange)
        .description("missing aggregate ids given up on: REST never had them").tags(w).register(reg);
    Gauge.builder("klagg_worker_symbols", book, KlineBook::symbolCount).tags(w).register(reg);
    Gauge.builder("klagg_worker_repairs_in_flight", rest, WorkerRest::inFlight).tags(w).register(reg);
    Gauge.builder("klagg_worker_symbols_live", this, AggregatorVerticle::live).description("symbols seeded with their stream flowing")
        .tags(w).register(reg);
    FunctionCounter.builder("klagg_worker_seeds", seeding, Seeding::fromDatabase).description("symbols started, by source")
        .tags(w.and("source", "database")).register(reg);
    FunctionCounter.builder("klagg_worker_seeds", seeding, Seeding::fromExchange).description("symbols started, by source")
        .tags(w.and("source", "exchange")).register(reg);
  }

  // ---------------------------------------------------------------- trades

  private void onTrades(Message<TradeBatch> m) {
    if (stoodDown) {
      return;
    }
    if (stalledUntil > 0) {
      stalled.add(m);
      return;
    }
    apply(m.body());
    if (m.replyAddress() != null) {
      m.reply(null); // the ingest's credit back
    }
  }

  /** The per-trade loop: a live symbol's trade goes to the book; any other's is held. */
  private void apply(TradeBatch b) {
    byte[] phase = slots.phase; // arrays grow only when a symbol is added, never during a batch
    boolean[] unknownStart = slots.unknownStart;
    for (int i = 0, n = b.size(); i < n; i++) {
      b.get(i, t);
      int sym = t.symbol;
      if (sym >= phase.length || !book.contains(sym)) {
        results[KlineBook.Result.UNKNOWN_SYMBOL.ordinal()]++;
        continue;
      }
      if (phase[sym] == SymbolSlots.LIVE) {
        long last = book.lastAggId(sym);
        if (last >= 0 && t.aggId > last + 1) {
          hold(sym, t);
          repairs.streamGap(sym, last + 1, t.aggId - 1);
          continue;
        }
        if (last < 0 && unknownStart[sym]) {
          hold(sym, t);
          repairs.repairFirst(sym, t.aggId);
          continue;
        }
        KlineBook.Result r = book.apply(t);
        results[r.ordinal()]++;
        if (r == KlineBook.Result.LATE_DROPPED) {
          repairs.lateDropped(sym, t.time);
        }
      } else {
        hold(sym, t);
      }
    }
  }

  private void hold(int sym, AggTrade trade) {
    if (!slots.hold(sym, trade)) {
      // bounded: the trade is dropped and the symbol checks REST for what it missed once live again
      rlog.warn("buffer-full", "worker " + shard + ": " + slots.bufferedTotal() + " trades buffered "
          + "(workers.maxBufferedTrades): dropping trades of symbols under repair; REST supplies them");
    }
  }

  // ---------------------------------------------------------------- gateway, clock, control

  private void onPull(Message<PullRequest> m) {
    if (stalledUntil > 0) {
      return; // a stalled worker does not answer: the gateway times out
    }
    PullRequest p = m.body();
    if (stoodDown || Fence.stale(token, p.fence())) {
      m.fail(Addresses.FENCED, "worker " + shard + " was fenced: token " + token + " < " + p.fence());
      standDown("the gateway has seen fencing token " + p.fence());
      return;
    }
    // an ack under another token is another owner's epoch (this one just took the shard): not ours
    long a = p.fence() == token ? p.ack() : 0;
    if (book.hasSpilled() && a > 0 && a >= book.epoch()) {
      // deltas are acknowledged again: the klines dropped from the bounded overflow come from REST
      book.takeSpilled(repairs::spilled);
    }
    m.reply(book.takeDelta(a).fenced(shard, token));
  }

  /** Periodically: whether a newer owner took this shard (e.g. while this node was paused or cut off). */
  private void checkFence() {
    if (stoodDown) {
      return;
    }
    FenceTokens.newest(vertx, shard).onSuccess(newest -> {
      if (Fence.stale(token, newest)) {
        standDown("the shard's newest fencing token is " + newest);
      }
    }).onFailure(e -> rlog.warn("fence-check", "worker " + shard + ": cannot read the shard's fencing token: "
        + e.getMessage()));
  }

  /**
   * A newer owner holds this shard (it was adopted while this worker could not answer): this worker's
   * output no longer counts, so it stops serving the shard and leaves it to the newer owner.
   */
  private void standDown(String why) {
    if (stoodDown) {
      return;
    }
    stoodDown = true;
    standDowns.increment();
    log.warn("worker {} (fencing token {}) was fenced: {}; standing down", shard, token, why);
    onStandDown.run();
    vertx.undeploy(deploymentID()).onFailure(e -> log.warn("worker {}: undeploy after standing down failed: {}",
        shard, e.getMessage()));
  }

  private void onTick(JsonObject tick) {
    rest.offset(tick.getLong("offset", rest.offset()));
    book.onTick(tick.getLong("serverTime"));
  }

  private void onControl(Message<JsonObject> m) {
    JsonObject c = m.body();
    switch (c.getString("op", "")) {
      case "add":
        add(c.getInteger("id"), c.getString("symbol"), c.getInteger("priceScale", 0), c.getInteger("qtyScale", 0));
        break;
      case "remove":
        remove(c.getInteger("id"));
        break;
      case "halt":
      case "unhalt": {
        int id = c.getInteger("id", -1);
        if (slots.known(id)) {
          if (c.getString("op").equals("halt")) {
            book.halt(id, rest.serverNow());
          } else {
            book.unhalt(id, rest.serverNow());
          }
        }
        break;
      }
      case "feedDown":
        for (Object o : c.getJsonArray("ids", new JsonArray())) {
          int id = ((Number) o).intValue();
          if (slots.known(id)) {
            slots.feedDown[id] = true;
            book.suspend(id);
          }
        }
        break;
      case "feedUp":
        for (Object o : c.getJsonArray("ids", new JsonArray())) {
          int id = ((Number) o).intValue();
          if (slots.known(id) && slots.feedDown[id]) {
            slots.feedDown[id] = false;
            slots.needResume[id] = true;
            repairs.settle(id);
          }
        }
        break;
      case "stall":
        if (!config.getBool("workers.faultHooks")) {
          m.fail(403, "fault hooks are disabled (workers.faultHooks)");
          return;
        }
        stall(c.getLong("ms", 1000L));
        break;
      case "status":
        m.reply(status());
        return;
      default:
        m.fail(400, "unknown op " + c.getString("op"));
        return;
    }
    m.reply(new JsonObject().put("ok", true));
  }

  private void add(int id, String symbol, int priceScale, int qtyScale) {
    repairs.ensure(id);
    if (slots.add(id, symbol, rest.serverNow())) {
      book.addSymbol(id, priceScale, qtyScale);
      seeding.start(id, symbol);
    }
  }

  private void remove(int id) {
    if (slots.known(id)) {
      book.removeSymbol(id);
      slots.remove(id);
    }
  }

  /** Test-only fault: the worker stops working (no pulls answered, trades queued) for {@code ms}. */
  private void stall(long ms) {
    log.warn("worker {}: stalling for {} ms (fault hook)", shard, ms);
    stalledUntil = System.currentTimeMillis() + ms;
    vertx.setTimer(Math.max(1, ms), id -> {
      stalledUntil = 0;
      log.info("worker {}: stall over, {} queued batches", shard, stalled.size());
      while (!stalled.isEmpty()) {
        onTrades(stalled.poll());
      }
    });
  }

  /** Symbols whose klines are seeded and whose stream is flowing. */
  private int live() {
    int n = 0;
    for (int i = 0; i < slots.names.length; i++) {
      if (slots.names[i] != null && slots.phase[i] == SymbolSlots.LIVE && !slots.feedDown[i] && !book.suspended(i)) {
        n++;
      }
    }
    return n;
  }

  private JsonObject status() {
    return new JsonObject().put("worker", shard).put("symbols", book.symbolCount()).put("notLive", slots.notLive())
        .put("applied", book.applied()).put("duplicates", book.duplicates()).put("lateApplied", book.lateApplied())
        .put("lateDropped", book.lateDropped()).put("gaps", book.gaps()).put("gapsFromStream", repairs.gapsFromStream())
        .put("gapsNotOnExchange", repairs.gapsNotOnExchange()).put("halted", book.haltedCount())
        .put("repairsTrades", repairs.repairsTrades()).put("repairsKlines", repairs.repairsKlines())
        .put("repairFailures", repairs.repairFailures())
        .put("buffered", slots.bufferedTotal()).put("bufferDropped", slots.bufferDropped())
        .put("overflow", book.overflowSize()).put("overflowSpills", book.overflowSpills())
        .put("overflowRepairs", repairs.overflowRepairs())
        .put("stalled", stalledUntil > 0).put("inFlight", rest.inFlight()).put("live", live())
        .put("fence", token).put("seedsFromDb", seeding.fromDatabase()).put("seedsFromExchange", seeding.fromExchange());
  }
}
