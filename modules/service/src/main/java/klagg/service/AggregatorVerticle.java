package klagg.service;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import klagg.core.AggTrade;
import klagg.core.Fence;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.core.KlineBook;
import klagg.core.PullRequest;
import klagg.core.StreamProof;
import klagg.core.TradeBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Worker {@code shard}: owns the {@link KlineBook} of the symbols whose hash lands on it. Applies
 * trade batches, rolls intervals on clock ticks, answers the gateway's pull with the delta since the
 * last acknowledged one. A jump in a symbol's aggregate ids holds that symbol's trades until the
 * missing ones are in (from the stream if merely reordered, else from REST), so klines stay exact.
 */
public final class AggregatorVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(AggregatorVerticle.class);

  static final byte LIVE = 0;
  static final byte SEEDING = 1;
  static final byte WAITING = 2;
  static final byte REPAIRING = 3;
  static final long SEED_TIMEOUT_MS = 30 * 60_000L;
  /** how long after the open it waits for a deferred seed's proof: a quiet symbol then seeds in full */
  static final long PROOF_WAIT_MS = 5_000;
  private final java.util.HashMap<Integer, Long> proofDeadline = new java.util.HashMap<>();
  private long proofTimer = -1;

  private final KlaggConfig config;
  private final int shard;
  private final AggTrade t = new AggTrade();
  private final long[] results = new long[KlineBook.Result.values().length];
  private final ArrayDeque<Message<TradeBatch>> stalled = new ArrayDeque<>();
  private final RateLimitedLog rlog = new RateLimitedLog(log, 10_000);

  private KlineBook book;
  private byte[] phase = new byte[64];
  private boolean[] feedDown = new boolean[64];
  private boolean[] needResume = new boolean[64];
  private boolean[] resumePending = new boolean[64];
  /** Seeded as never traded: trades before its first streamed one may have been missed (unknown start). */
  private boolean[] unknownStart = new boolean[64];
  private long[] lateFrom = filled(64, Long.MAX_VALUE);
  private long[] lateTo = filled(64, Long.MIN_VALUE);
  /** Server time a symbol was added (a seed that ends in a later window repairs the windows between). */
  private long[] addedAt = new long[64];
  private String[] names = new String[64];
  private List<AggTrade>[] buffered = newBuffers(64);
  /** trades in {@link #buffered}, bounded by {@code workers.maxBufferedTrades} */
  private long bufferedTotal;
  private long maxBuffered;
  private long bufferDropped;
  private long overflowRepairs;
  private long offset;
  private long stalledUntil;
  private long repairsTrades;
  private long repairsKlines;
  private long repairFailures;
  private long gapsFromStream;
  /** Missing ids given up on: REST never had them after {@link #GAP_TRIES} asks (they do not exist). */
  private long gapsNotOnExchange;
  private static final int GAP_TRIES = 3;
  /** Per symbol: the first id of the gap last asked for, and how many times it was asked. */
  private long[] gapAskedFrom = new long[64];
  private int[] gapAsked = new int[64];
  /** REST requests and scheduled repairs not finished yet */
  private int inFlight;
  /** Symbols started from their stored state / seeded from the exchange's REST API. */
  private long seedsFromDb;
  private long seedsFromExchange;
  /** Symbols added and waiting for the stored-state request (sent once per burst of adds). */
  private final List<Integer> toRestore = new ArrayList<>();

  /** Server time since which this shard's output was lost (it replaces a dead worker), or -1. */
  private final long lostSince;
  /** This owner's fencing token for the shard, taken at start: a later owner holds a larger one. */
  private long token;
  /** The newest token the gateway saw for the shard when it had it adopted: this owner's is larger. */
  private final long fencedAbove;
  private boolean stoodDown;
  private Runnable onStandDown = () -> {};
  private io.micrometer.core.instrument.Counter standDowns;

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

  private static long[] filled(int n, long v) {
    long[] a = new long[n];
    Arrays.fill(a, v);
    return a;
  }

  @SuppressWarnings("unchecked")
  private static List<AggTrade>[] newBuffers(int n) {
    return (List<AggTrade>[]) new List<?>[n];
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
    maxBuffered = config.getLong("workers.maxBufferedTrades");
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
        .onSuccess(v -> ClockVerticle.offset(vertx).onSuccess(o -> offset = o).onComplete(x -> syncSymbols(500)));
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
              boolean known = id < names.length && names[id] != null;
              add(id, e.getString("symbol"), e.getInteger("priceScale", 0), e.getInteger("qtyScale", 0));
              if (e.getBoolean("halted", false)) {
                book.halt(id, serverNow()); // a replacement learns the halts it missed
              }
              if (lostSince > 0 && !known) {
                repairKlines(id, lostSince, serverNow(), false);
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
    FunctionCounter.builder("klagg_gaps", this, v -> v.book.gaps()).description("jumps in aggregate ids").tags(w).register(reg);
    FunctionCounter.builder("klagg_repairs", this, v -> v.repairsTrades).tags(w.and("kind", "aggtrades")).register(reg);
    FunctionCounter.builder("klagg_repairs", this, v -> v.repairsKlines).tags(w.and("kind", "klines")).register(reg);
    FunctionCounter.builder("klagg_repair_failures", this, v -> v.repairFailures).tags(w).register(reg);
    standDowns = io.micrometer.core.instrument.Counter.builder("klagg_worker_stand_downs")
        .description("workers that stood down because a newer owner took their shard (fenced)").tags(w).register(reg);
    FunctionCounter.builder("klagg_gaps_not_on_exchange", this, v -> v.gapsNotOnExchange)
        .description("missing aggregate ids given up on: REST never had them").tags(w).register(reg);
    Gauge.builder("klagg_worker_symbols", this, v -> v.book.symbolCount()).tags(w).register(reg);
    Gauge.builder("klagg_worker_repairs_in_flight", this, v -> v.inFlight).tags(w).register(reg);
    Gauge.builder("klagg_worker_symbols_live", this, v -> v.live()).description("symbols seeded with their stream flowing")
        .tags(w).register(reg);
    FunctionCounter.builder("klagg_worker_seeds", this, v -> v.seedsFromDb).description("symbols started, by source")
        .tags(w.and("source", "database")).register(reg);
    FunctionCounter.builder("klagg_worker_seeds", this, v -> v.seedsFromExchange).description("symbols started, by source")
        .tags(w.and("source", "exchange")).register(reg);
  }

  /** A REST request through the exchange facade, counted while in flight. */
  private io.vertx.core.Future<io.vertx.core.eventbus.Message<JsonObject>> rest(String address, JsonObject body, long timeoutMs) {
    inFlight++;
    return vertx.eventBus().<JsonObject>request(address, body, new DeliveryOptions().setSendTimeout(timeoutMs))
        .onComplete(x -> inFlight--);
  }

  long serverNow() {
    return System.currentTimeMillis() + offset;
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

  private void apply(TradeBatch b) {
    for (int i = 0, n = b.size(); i < n; i++) {
      b.get(i, t);
      int sym = t.symbol;
      if (sym >= phase.length || !book.contains(sym)) {
        results[KlineBook.Result.UNKNOWN_SYMBOL.ordinal()]++;
        continue;
      }
      if (phase[sym] == LIVE) {
        long last = book.lastAggId(sym);
        if (last >= 0 && t.aggId > last + 1) {
          gapsFromStream++;
          buffer(sym, t);
          waitForGap(sym, last + 1, t.aggId - 1);
          continue;
        }
        if (last < 0 && unknownStart[sym]) {
          buffer(sym, t);
          repairFirst(sym, t.aggId);
          continue;
        }
        KlineBook.Result r = book.apply(t);
        results[r.ordinal()]++;
        if (r == KlineBook.Result.LATE_DROPPED) {
          lateDropped(sym, t.time);
        }
      } else {
        buffer(sym, t);
      }
    }
  }

  /**
   * A trade came after its kline's grace window: the kline is final but short of it, so it is
   * replaced by the exchange's own from REST (after a moment, so one repair covers a burst).
   */
  private void lateDropped(int sym, long time) {
    if (lateFrom[sym] == Long.MAX_VALUE) {
      inFlight++;
      vertx.setTimer(1_000, id -> {
        inFlight--;
        long from = lateFrom[sym];
        long to = lateTo[sym];
        lateFrom[sym] = Long.MAX_VALUE;
        lateTo[sym] = Long.MIN_VALUE;
        if (names[sym] != null && from <= to) {
          rlog.warn("late-" + names[sym], "worker " + shard + ": trades of " + names[sym]
              + " came after the grace window; repairing its klines from REST");
          repairKlines(sym, from, to, false);
        }
      });
    }
    lateFrom[sym] = Math.min(lateFrom[sym], time);
    lateTo[sym] = Math.max(lateTo[sym], time);
  }

  private void buffer(int sym, AggTrade trade) {
    if (bufferedTotal >= maxBuffered) {
      // bounded: the trade is dropped and the symbol checks REST for what it missed once live again
      bufferDropped++;
      needResume[sym] = true;
      rlog.warn("buffer-full", "worker " + shard + ": " + bufferedTotal + " trades buffered (workers.maxBufferedTrades): "
          + "dropping trades of symbols under repair; REST supplies them");
      return;
    }
    bufferedTotal++;
    List<AggTrade> b = buffered[sym];
    if (b == null) {
      b = new ArrayList<>();
      buffered[sym] = b;
    }
    AggTrade copy = new AggTrade();
    copy.copyFrom(trade);
    b.add(copy);
  }

  private void setBuffer(int sym, List<AggTrade> b) {
    List<AggTrade> old = buffered[sym];
    bufferedTotal += (b == null ? 0 : b.size()) - (old == null ? 0 : old.size());
    buffered[sym] = b;
  }

  /** A gap: give reordered trades a moment to arrive from the stream, then ask REST. */
  private void waitForGap(int sym, long from, long to) {
    phase[sym] = WAITING;
    vertx.setTimer(Math.max(1, config.getLong("repair.delayMs")), id -> {
      if (phase[sym] != WAITING || names[sym] == null) {
        return;
      }
      if (covered(sym, from, to)) {
        drain(sym);
      } else {
        repairTrades(sym, from, to);
      }
    });
  }

  private boolean covered(int sym, long from, long to) {
    List<AggTrade> b = buffered[sym];
    if (b == null || to - from + 1 > b.size()) {
      return false;
    }
    long[] ids = b.stream().mapToLong(x -> x.aggId).filter(a -> a >= from && a <= to).distinct().toArray();
    return ids.length == to - from + 1;
  }

  /**
   * The first trade of a symbol seeded as never traded: it may have traded between the seed's REST
   * query and its stream subscription taking effect, and nothing would show the jump. Every trade
   * before this one is such a trade, so REST fills ids up to it (a fresh listing has few).
   */
  private void repairFirst(int sym, long firstStreamed) {
    unknownStart[sym] = false;
    if (firstStreamed <= 0) {
      drain(sym);
      return;
    }
    long from = Math.max(0, firstStreamed - config.getLong("repair.maxTrades"));
    repairTrades(sym, from, firstStreamed - 1, false);
  }

  private void repairTrades(int sym, long from, long to) {
    repairTrades(sym, from, to, true);
  }

  /**
   * Fetches ids {@code from..to} from REST and applies them. With {@code allExist} false the range
   * is an upper bound (ids below a symbol's first trade do not exist) and a short answer is fine.
   */
  private void repairTrades(int sym, long from, long to, boolean allExist) {
    phase[sym] = REPAIRING;
    String symbol = names[sym];
    if (to - from + 1 > config.getLong("repair.maxTrades")) {
      log.warn("worker {}: {} missed {} trades (ids {}..{}), more than repair.maxTrades: repairing its klines instead",
          shard, symbol, to - from + 1, from, to);
      afterFailedTradeRepair(sym);
      return;
    }
    repairsTrades++;
    rest(Addresses.REST_AGG_TRADES, new JsonObject().put("symbol", symbol).put("fromId", from).put("toId", to), 120_000)
        .onSuccess(r -> {
          if (names[sym] == null || !symbol.equals(names[sym])) {
            return;
          }
          JsonArray trades = r.body().getJsonArray("trades");
          AggTrade x = new AggTrade();
          for (int i = 0; i < trades.size(); i++) {
            ControlJson.trade(trades.getJsonArray(i), sym, x);
            KlineBook.Result res = book.apply(x);
            results[res.ordinal()]++;
            if (res == KlineBook.Result.LATE_DROPPED) {
              lateDropped(sym, x.time);
            }
          }
          if (!allExist && from > 0 && trades.size() == to - from + 1) {
            // a never-traded symbol missed more than repair.maxTrades: the earliest cannot be had
            log.warn("worker {}: {} missed more than {} trades before its first streamed one: repairing its klines",
                shard, symbol, trades.size());
            repairKlines(sym, trades.getJsonArray(0).getLong(5), serverNow(), true);
          }
          if (allExist && book.lastAggId(sym) < to) {
            // REST did not have them all (yet): asked again after repair.delayMs, given up after GAP_TRIES
            if (gapAskedFrom[sym] != from) {
              gapAskedFrom[sym] = from;
              gapAsked[sym] = 0;
            }
            if (++gapAsked[sym] >= GAP_TRIES) {
              long last = book.lastAggId(sym);
              long missing = to - Math.max(last, from - 1);
              gapsNotOnExchange += missing;
              rlog.warn("absent-" + symbol, "worker " + shard + ": REST has no trades " + (last + 1) + ".." + to + " of "
                  + symbol + " after " + GAP_TRIES + " asks: taken as not on the exchange (" + missing + " ids)");
              book.setLastAggId(sym, to);
              gapAsked[sym] = 0;
              gapAskedFrom[sym] = -1;
            } else {
              rlog.warn("short-" + symbol, "worker " + shard + ": REST returned " + trades.size() + " of "
                  + (to - from + 1) + " missed trades of " + symbol);
            }
          } else {
            gapAsked[sym] = 0;
          }
          drain(sym);
        })
        .onFailure(e -> {
          repairFailures++;
          rlog.warn("repair-" + symbol, "worker " + shard + ": aggTrades repair of " + symbol + " failed: " + e.getMessage());
          afterFailedTradeRepair(sym);
        });
  }

  /** The missed trades cannot be had: apply what is buffered, then repair the window's klines. */
  private void afterFailedTradeRepair(int sym) {
    List<AggTrade> b = buffered[sym];
    long before = lastTradeTime(sym);
    long after = b == null || b.isEmpty() ? serverNow() : b.stream().mapToLong(x -> x.time).min().getAsLong();
    List<AggTrade> pending = b == null ? new ArrayList<>() : new ArrayList<>(b);
    setBuffer(sym, null);
    pending.sort(Comparator.comparingLong(x -> x.aggId));
    for (AggTrade x : pending) {
      results[book.apply(x).ordinal()]++;
    }
    phase[sym] = LIVE;
    repairKlines(sym, before, after, true);
    resumeIfPending(sym);
    settle(sym);
  }

  private long lastTradeTime(int sym) {
    Kline k = new Kline();
    return book.current(sym, book.intervals().get(0), k) ? k.openTime : serverNow();
  }

  /**
   * Replaces the final klines of a time window with the exchange's own (REST), for every interval.
   * Only klines past their grace window are corrected: REST rows carry no trade ids, so an open
   * kline corrected from REST would count later live trades twice. With {@code followOpen}, the
   * window's klines that are still open are repaired once they are final.
   */
  private void repairKlines(int sym, long fromTime, long toTime, boolean followOpen) {
    long now = serverNow();
    long grace = config.getLong("graceMs");
    for (Interval iv : book.intervals()) {
      long start = iv.openOf(fromTime);
      long lastOpen = iv.openOf(toTime);
      long end = iv.closeOf(lastOpen);
      if (end + grace >= now) {
        end = lastOpen - 1;
        if (followOpen) {
          long finalAt = iv.closeOf(lastOpen) + grace + 1_000;
          inFlight++;
          vertx.setTimer(Math.max(1, finalAt - now), id -> {
            inFlight--;
            repairInterval(sym, iv, lastOpen, iv.closeOf(lastOpen));
          });
        }
      }
      if (end >= start) {
        repairInterval(sym, iv, start, end);
      }
    }
  }

  private void repairInterval(int sym, Interval iv, long start, long end) {
    repairInterval(sym, iv, start, end, false);
  }

  private void repairInterval(int sym, Interval iv, long start, long end, boolean bulk) {
    String symbol = names[sym];
    if (symbol == null) {
      return;
    }
    repairsKlines++;
    rest(Addresses.REST_KLINES,
            new JsonObject().put("symbol", symbol).put("interval", iv.code()).put("startTime", start).put("endTime", end)
                .put("bulk", bulk),
            bulk ? SEED_TIMEOUT_MS : 120_000)
        .onSuccess(r -> {
          if (!symbol.equals(names[sym])) {
            return;
          }
          JsonArray ks = r.body().getJsonArray("klines");
          for (int i = 0; i < ks.size(); i++) {
            JsonArray a = ks.getJsonArray(i);
            if (a.getLong(0) >= start && a.getLong(0) <= end) {
              book.correct(ControlJson.kline(a, sym, iv, true));
            }
          }
        })
        .onFailure(e -> {
          repairFailures++;
          log.error("worker {}: klines repair of {} {} [{}..{}] failed: {}; those klines may be wrong until the next restart",
              shard, symbol, iv.code(), start, end, e.getMessage());
        });
  }

  /** Applies a symbol's buffered trades in id order; stops at the next gap. */
  private void drain(int sym) {
    List<AggTrade> b = buffered[sym];
    phase[sym] = LIVE;
    if (b != null) {
      b.sort(Comparator.comparingLong(x -> x.aggId));
      int i = 0;
      for (; i < b.size(); i++) {
        AggTrade x = b.get(i);
        long last = book.lastAggId(sym);
        if (last >= 0 && x.aggId > last + 1) {
          break;
        }
        if (last < 0 && unknownStart[sym]) {
          repairFirst(sym, x.aggId);
          return;
        }
        KlineBook.Result res = book.apply(x);
        results[res.ordinal()]++;
        if (res == KlineBook.Result.LATE_DROPPED) {
          lateDropped(sym, x.time);
        }
      }
      if (i < b.size()) {
        List<AggTrade> rest = new ArrayList<>(b.subList(i, b.size()));
        setBuffer(sym, rest);
        waitForGap(sym, book.lastAggId(sym) + 1, rest.get(0).aggId - 1);
        return;
      }
      setBuffer(sym, null);
    }
    resumeIfPending(sym);
    settle(sym);
  }

  private void resumeIfPending(int sym) {
    if (resumePending[sym]) {
      resumePending[sym] = false;
      book.resume(sym, serverNow());
    }
  }

  /** After seeding or a repair: if the feed came back meanwhile, catch up with what it missed. */
  private void settle(int sym) {
    if (phase[sym] == LIVE && needResume[sym] && !feedDown[sym]) {
      needResume[sym] = false;
      catchUp(sym);
    }
  }

  /**
   * The feed of a symbol is back: whatever traded while it was down comes from REST (by id, in
   * order), then ticks may close its klines again. A quiet market gets its flat klines only now,
   * once REST confirmed nothing traded.
   */
  private void catchUp(int sym) {
    phase[sym] = REPAIRING;
    String symbol = names[sym];
    rest(Addresses.REST_LATEST, new JsonObject().put("symbol", symbol), 60_000)
        .onSuccess(r -> {
          if (!symbol.equals(names[sym])) {
            return;
          }
          Long latest = r.body().getLong("aggId");
          long last = book.lastAggId(sym);
          resumePending[sym] = true;
          if (latest != null && last >= 0 && latest > last && !covered(sym, last + 1, latest)) {
            repairTrades(sym, last + 1, latest); // applies them, drains, then resumes
          } else {
            drain(sym);
          }
        })
        .onFailure(e -> {
          repairFailures++;
          rlog.warn("latest-" + symbol, "worker " + shard + ": cannot check " + symbol + " after reconnect: " + e.getMessage());
          vertx.setTimer(1_000, id -> {
            if (symbol.equals(names[sym])) {
              catchUp(sym);
            }
          });
        });
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
      book.takeSpilled((sym, from) -> {
        if (sym < names.length && names[sym] != null) {
          overflowRepairs++;
          rlog.warn("spill", "worker " + shard + ": unacknowledged closed klines were dropped (workers.maxOverflowKlines); "
              + "rebuilding them from REST");
          repairKlines(sym, from, serverNow(), true);
        }
      });
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
    offset = tick.getLong("offset", offset);
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
        if (id >= 0 && id < names.length && names[id] != null) {
          if (c.getString("op").equals("halt")) {
            book.halt(id, serverNow());
          } else {
            book.unhalt(id, serverNow());
          }
        }
        break;
      }
      case "feedDown":
        for (Object o : c.getJsonArray("ids", new JsonArray())) {
          int id = ((Number) o).intValue();
          if (id < feedDown.length && names[id] != null) {
            feedDown[id] = true;
            book.suspend(id);
          }
        }
        break;
      case "feedUp":
        for (Object o : c.getJsonArray("ids", new JsonArray())) {
          int id = ((Number) o).intValue();
          if (id < feedDown.length && names[id] != null && feedDown[id]) {
            feedDown[id] = false;
            needResume[id] = true;
            settle(id);
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
    ensure(id);
    if (names[id] != null) {
      return;
    }
    names[id] = symbol;
    addedAt[id] = serverNow();
    phase[id] = SEEDING;
    feedDown[id] = false;
    needResume[id] = false;
    resumePending[id] = false;
    unknownStart[id] = false;
    book.addSymbol(id, priceScale, qtyScale);
    if (lostSince > 0 || !config.getBool("workers.restoreFromDb")) {
      seed(id, symbol, 500); // a replacement's database may be behind the shard it takes over
      return;
    }
    if (toRestore.isEmpty()) {
      vertx.setTimer(20, t -> requestStoredState());
    }
    toRestore.add(id);
  }

  /**
   * Start-up from stored state: the database's latest klines of the symbols just added (one request
   * for a burst of adds). A symbol with a usable state starts from it; the others, and all of them
   * when no database answers, are seeded from the exchange.
   */
  private void requestStoredState() {
    List<Integer> ids = new ArrayList<>(toRestore);
    toRestore.clear();
    JsonArray symbols = new JsonArray();
    for (int id : ids) {
      symbols.add(names[id]);
    }
    vertx.eventBus().<JsonObject>request(Addresses.HISTORY_STATE, new JsonObject().put("symbols", symbols),
            new DeliveryOptions().setSendTimeout(15_000))
        .onComplete(ar -> {
          JsonObject states = ar.succeeded() ? ar.result().body().getJsonObject("states", new JsonObject()) : new JsonObject();
          if (ar.failed()) {
            log.warn("worker {}: no stored state for {} symbols ({}); seeding them from the exchange", shard, ids.size(),
                ar.cause().getMessage());
          }
          for (int i = 0; i < ids.size(); i++) {
            int id = ids.get(i);
            String symbol = symbols.getString(i);
            if (!symbol.equals(names[id]) || phase[id] != SEEDING) {
              continue;
            }
            JsonObject st = states.getJsonObject(symbol);
            if (st != null) {
              restore(id, symbol, st);
            } else {
              seed(id, symbol, 500);
            }
          }
        });
  }

  /**
   * Starts a symbol from its stored klines: the trades after the stored aggregate id come from REST
   * (by id, at most {@code repair.maxTrades}), then the buffered stream, then the book closes what
   * ended since, as after a reconnect. More missed trades than that: seeded from the exchange (the
   * backfill fills the stored series).
   */
  private void restore(int id, String symbol, JsonObject st) {
    long last = st.getLong("lastAggId");
    long max = config.getLong("repair.maxTrades");
    rest(Addresses.REST_AGG_TRADES, new JsonObject().put("symbol", symbol).put("fromId", last + 1).put("toId", last + max)
            .put("startup", true),
            SEED_TIMEOUT_MS)
        .onSuccess(r -> {
          if (!symbol.equals(names[id]) || phase[id] != SEEDING) {
            return;
          }
          JsonArray trades = r.body().getJsonArray("trades");
          if (trades.size() >= max) {
            log.info("worker {}: {} traded more than {} times since its stored state: seeding it from the exchange",
                shard, symbol, max);
            seed(id, symbol, 500);
            return;
          }
          for (Object o : st.getJsonArray("klines")) {
            book.restore(ControlJson.exact((JsonObject) o, id));
          }
          book.setLastAggId(id, last);
          book.suspend(id); // no tick closes its klines before the missed trades are in
          seedsFromDb++;
          AggTrade x = new AggTrade();
          for (int i = 0; i < trades.size(); i++) {
            ControlJson.trade(trades.getJsonArray(i), id, x);
            KlineBook.Result res = book.apply(x);
            results[res.ordinal()]++;
            if (res == KlineBook.Result.LATE_DROPPED) {
              lateDropped(id, x.time);
            }
          }
          resumePending[id] = true;
          drain(id);
        })
        .onFailure(e -> {
          rlog.warn("restore-" + symbol, "worker " + shard + ": trades of " + symbol + " since its stored state "
              + "could not be had (" + e.getMessage() + "); seeding it from the exchange");
          if (symbol.equals(names[id]) && phase[id] == SEEDING) {
            seed(id, symbol, 500);
          }
        });
  }

  /** @param retryMs the backoff after a failure; -1 for a seed that comes back after it was deferred */
  private void seed(int id, String symbol, long retryMs) {
    if (retryMs == 500) {
      seedsFromExchange++;
    }
    // seeds are served in order, a few at a time, within the exchange's weight budget: at 1,000
    // symbols the last one waits minutes (a timeout here would only queue it again)
    rest(Addresses.REST_SEED, seedRequest(id, symbol, retryMs >= 0), SEED_TIMEOUT_MS)
        .onSuccess(r -> {
          if (!symbol.equals(names[id])) {
            return;
          }
          JsonObject s = r.body();
          Map<Interval, Long> seededOpen = new EnumMap<>(Interval.class);
          for (Object o : s.getJsonArray("klines")) {
            Kline k = ControlJson.exact((JsonObject) o, id);
            book.restore(k);
            seededOpen.put(k.interval, k.openTime);
          }
          long last = s.getLong("lastAggId", -1L);
          if (last >= 0) {
            book.setLastAggId(id, last);
          }
          unknownStart[id] = last < 0;
          drain(id);
          // the seed is the current klines: windows that closed while it waited, before the seeded
          // ones (the backfill stops at the one open when the symbol was added), come from REST. Only
          // windows the book never held: a REST kline carries no trade ids, so one put in place of a
          // kline that late trades still amend would count them twice
          for (Interval iv : book.intervals()) {
            Long seeded = seededOpen.get(iv);
            long from = iv.openOf(addedAt[id]);
            if (seeded != null && seeded > from) {
              repairInterval(id, iv, from, seeded - 1, true); // history: behind every seed, like the backfill
            }
          }
        })
        .onFailure(e -> {
          if (e instanceof ReplyException re && re.failureCode() == ExchangeRestVerticle.SEED_DEFERRED) {
            awaitProof(id);
            return;
          }
          long retry = Math.max(retryMs, 500);
          rlog.warn("seed-" + symbol, "worker " + shard + ": seeding " + symbol + " failed (" + e.getMessage()
              + "); retrying in " + retry + " ms");
          vertx.setTimer(retry, tid -> {
            if (symbol.equals(names[id]) && phase[id] == SEEDING) {
              seed(id, symbol, Math.min(retry * 2, 30_000));
            }
          });
        });
  }

  /**
   * A seed request: with the stream's proof ({@link StreamProof}) when the buffer holds one, so the
   * seed costs only klines; else one the REST verticle may defer ({@code deferrable}) while the
   * weight budget is short.
   */
  private JsonObject seedRequest(int id, String symbol, boolean deferrable) {
    JsonObject req = new JsonObject().put("symbol", symbol);
    List<AggTrade> b = buffered[id];
    Interval fine = book.intervals().get(0);
    if (b != null) {
      b.sort(Comparator.comparingLong(x -> x.aggId));
      int i = StreamProof.lastBefore(b, fine);
      if (i >= 0) {
        AggTrade l = b.get(i);
        return req.put("asOf", StreamProof.openAfter(b, i, fine)).put("lastAggId", l.aggId).put("lastPrice", l.price)
            .put("priceScale", l.priceScale).put("qtyScale", l.qtyScale);
      }
    }
    return req.put("deferrable", deferrable);
  }

  /**
   * A deferred seed: sent again once the symbol's stream proves the window after the next open of the
   * finest interval, or, for a symbol that does not trade by {@link #PROOF_WAIT_MS} after it, as a
   * full seed.
   */
  private void awaitProof(int id) {
    Interval fine = book.intervals().get(0);
    proofDeadline.put(id, fine.nextOpen(fine.openOf(serverNow())) + PROOF_WAIT_MS);
    if (proofTimer < 0) {
      proofTimer = vertx.setPeriodic(250, t -> checkProofs());
    }
  }

  private void checkProofs() {
    Interval fine = book.intervals().get(0);
    long now = serverNow();
    for (var it = proofDeadline.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      int id = e.getKey();
      if (names[id] == null || phase[id] != SEEDING) {
        it.remove();
        continue;
      }
      List<AggTrade> b = buffered[id];
      boolean proven = false;
      if (b != null) {
        b.sort(Comparator.comparingLong(x -> x.aggId));
        proven = StreamProof.lastBefore(b, fine) >= 0;
      }
      if (proven || now > e.getValue()) {
        it.remove();
        seed(id, names[id], -1); // not deferrable again
      }
    }
    if (proofDeadline.isEmpty()) {
      vertx.cancelTimer(proofTimer);
      proofTimer = -1;
    }
  }

  private void remove(int id) {
    if (id >= names.length || names[id] == null) {
      return;
    }
    book.removeSymbol(id);
    names[id] = null;
    setBuffer(id, null);
    phase[id] = LIVE;
  }

  private void ensure(int id) {
    if (id >= phase.length) {
      int n = Math.max(id + 1, phase.length * 2);
      phase = Arrays.copyOf(phase, n);
      feedDown = Arrays.copyOf(feedDown, n);
      needResume = Arrays.copyOf(needResume, n);
      resumePending = Arrays.copyOf(resumePending, n);
      unknownStart = Arrays.copyOf(unknownStart, n);
      gapAskedFrom = Arrays.copyOf(gapAskedFrom, n);
      gapAsked = Arrays.copyOf(gapAsked, n);
      int old = lateFrom.length;
      lateFrom = Arrays.copyOf(lateFrom, n);
      lateTo = Arrays.copyOf(lateTo, n);
      addedAt = Arrays.copyOf(addedAt, n);
      Arrays.fill(lateFrom, old, n, Long.MAX_VALUE);
      Arrays.fill(lateTo, old, n, Long.MIN_VALUE);
      names = Arrays.copyOf(names, n);
      buffered = Arrays.copyOf(buffered, n);
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
    for (int i = 0; i < names.length; i++) {
      if (names[i] != null && phase[i] == LIVE && !feedDown[i] && !book.suspended(i)) {
        n++;
      }
    }
    return n;
  }

  private JsonObject status() {
    int buffering = 0;
    for (int i = 0; i < names.length; i++) {
      if (names[i] != null && phase[i] != LIVE) {
        buffering++;
      }
    }
    return new JsonObject().put("worker", shard).put("symbols", book.symbolCount()).put("notLive", buffering)
        .put("applied", book.applied()).put("duplicates", book.duplicates()).put("lateApplied", book.lateApplied())
        .put("lateDropped", book.lateDropped()).put("gaps", book.gaps()).put("gapsFromStream", gapsFromStream)
        .put("gapsNotOnExchange", gapsNotOnExchange).put("halted", book.haltedCount())
        .put("repairsTrades", repairsTrades).put("repairsKlines", repairsKlines).put("repairFailures", repairFailures)
        .put("buffered", bufferedTotal).put("bufferDropped", bufferDropped)
        .put("overflow", book.overflowSize()).put("overflowSpills", book.overflowSpills()).put("overflowRepairs", overflowRepairs)
        .put("stalled", stalledUntil > 0).put("inFlight", inFlight).put("live", live())
        .put("fence", token).put("seedsFromDb", seedsFromDb).put("seedsFromExchange", seedsFromExchange);
  }
}
