package klagg.service;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import klagg.core.AggTrade;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.core.KlineBook;
import klagg.core.SeedPlan;
import klagg.exchange.BinanceApiException;
import klagg.exchange.BinanceRestClient;
import klagg.exchange.ExchangeEndpoints;
import klagg.exchange.RestAggTrade;
import klagg.exchange.RestClientOptions;
import klagg.exchange.RestKline;
import klagg.exchange.TimeSample;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one door to the exchange's REST API (one weight budget for the whole service): server time,
 * exchangeInfo, seeds of a symbol's current klines, aggregate trades by id range for gap repair, and
 * klines for repairs.
 */
public final class ExchangeRestVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(ExchangeRestVerticle.class);

  private final KlaggConfig config;
  private BinanceRestClient rest;
  static final int SEED_CONCURRENCY = 16;
  private final java.util.ArrayDeque<Message<JsonObject>> seedQueue = new java.util.ArrayDeque<>();
  private int seedsRunning;
  /** failure code of a seed told to come back with the stream's proof ({@link #deferSeed}) */
  static final int SEED_DEFERRED = 425;
  /** weight of a seed with aggregate trades: two klines requests (2 each) and one aggTrades (4) */
  static final int FULL_SEED_WEIGHT = 8;
  private long deferredUntil;
  private long seedsDeferred;
  private long seedsAsOf;
  private long seedsFull;
  private int startupsRunning;
  private List<Interval> intervals;
  /** how long a server-time sample serves seeds */
  static final long CLOCK_SAMPLE_MS = 10_000;
  private TimeSample clockSample;
  /** klines one request returns at most (1,000 on spot) */
  private int maxKlineRows;

  public ExchangeRestVerticle(KlaggConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    rest = new BinanceRestClient(vertx, ExchangeEndpoints.fromJson(config.section("exchange")),
        RestClientOptions.fromJson(config.section("exchange.rest")));
    intervals = config.intervals();
    maxKlineRows = ExchangeEndpoints.fromJson(config.section("exchange")).klinesMaxLimit();
    registerMetrics();
    var bus = vertx.eventBus();
    return Future.join(
        bus.<JsonObject>consumer(Addresses.REST_TIME, m -> reply(m, time())).completion(),
        bus.<JsonObject>consumer(Addresses.REST_EXCHANGE_INFO, m -> reply(m, exchangeInfo())).completion(),
        bus.<JsonObject>consumer(Addresses.REST_SEED, this::onSeed).completion(),
        bus.<JsonObject>consumer(Addresses.REST_AGG_TRADES, this::onAggTrades).completion(),
        bus.<JsonObject>consumer(Addresses.REST_LATEST, m -> reply(m, latest(m.body().getString("symbol")))).completion(),
        bus.<JsonObject>consumer(Addresses.REST_KLINES, m -> reply(m, klines(m.body()))).completion());
  }

  private void registerMetrics() {
    var reg = KlaggMetrics.of(vertx);
    io.micrometer.core.instrument.FunctionCounter.builder("klagg_exchange_seeds", this, v -> v.seedsFull)
        .description("seeds of a symbol's current klines: with aggregate trades (full), from the stream's proof "
            + "(klines only), or told to come back with a proof (deferred)")
        .tag("kind", "full").register(reg);
    io.micrometer.core.instrument.FunctionCounter.builder("klagg_exchange_seeds", this, v -> v.seedsAsOf)
        .tag("kind", "proof").register(reg);
    io.micrometer.core.instrument.FunctionCounter.builder("klagg_exchange_seeds", this, v -> v.seedsDeferred)
        .tag("kind", "deferred").register(reg);
    io.micrometer.core.instrument.FunctionCounter.builder("klagg_exchange_rest_requests", rest, r -> r.requests())
        .description("HTTP requests sent to the exchange's REST API, retries included").register(reg);
  }

  @Override
  public Future<?> stop() {
    return rest == null ? Future.succeededFuture() : rest.close();
  }

  /**
   * At most {@link #SEED_CONCURRENCY} seeds at a time, the others wait here: each seed's requests
   * then run back to back (a seed whose steps wait for the next weight window spans a minute
   * boundary and must start over), and a waiting seed starts with a fresh clock. While any seed
   * runs or waits, the backfill's bulk requests are held: going live comes before history.
   */
  private void onSeed(Message<JsonObject> m) {
    seedQueue.addLast(m);
    nextSeeds();
  }

  private void nextSeeds() {
    while (seedsRunning < SEED_CONCURRENCY && !seedQueue.isEmpty()) {
      Message<JsonObject> m = seedQueue.pollFirst();
      if (deferSeed(m.body())) {
        m.fail(SEED_DEFERRED, "the weight budget of this window is short: seed again with the stream's proof after "
            + "the next window open");
        continue;
      }
      seedsRunning++;
      Future<JsonObject> f = m.body().containsKey("asOf") ? seedAsOf(m.body()) : seed(m.body().getString("symbol"));
      reply(m, f);
      f.onComplete(x -> {
        seedsRunning--;
        nextSeeds();
      });
    }
    holdBulk();
  }

  /**
   * Trades by id. A {@code startup} request (a worker starting a symbol from its stored state) holds
   * the backfill like a seed does: every symbol live first, history after.
   */
  private void onAggTrades(Message<JsonObject> m) {
    boolean startup = m.body().getBoolean("startup", false);
    if (startup) {
      startupsRunning++;
      holdBulk();
    }
    Future<JsonObject> f = aggTrades(m.body());
    reply(m, f);
    if (startup) {
      f.onComplete(x -> {
        startupsRunning--;
        holdBulk();
      });
    }
  }

  private void holdBulk() {
    rest.holdBulk(seedsRunning > 0 || !seedQueue.isEmpty() || startupsRunning > 0
        || System.currentTimeMillis() < deferredUntil);
  }

  /**
   * Whether a seed without the stream's proof should wait for one: when the window's weight left,
   * less what the running seeds may still take, does not cover a full seed (klines and aggregate
   * trades), a seed after the next open costs only the klines. The backfill stays behind it.
   */
  private boolean deferSeed(JsonObject req) {
    if (!req.getBoolean("deferrable", false) || req.containsKey("asOf")) {
      return false;
    }
    int left = rest.weightLeft() - (seedsRunning + 1) * FULL_SEED_WEIGHT;
    if (left >= 0) {
      return false;
    }
    seedsDeferred++;
    // the deferred seeds come back after the next open of the finest interval, with their proofs
    deferredUntil = Math.max(deferredUntil, System.currentTimeMillis() + intervals.get(0).fixedLength() + 15_000);
    vertx.setTimer(intervals.get(0).fixedLength() + 15_001, id -> holdBulk());
    return true;
  }

  /**
   * A seed as of the finest interval's open {@code asOf}, with the stream's last trade before it
   * ({@code lastAggId}, {@code lastPrice}, scales): the worker's buffer holds every trade from there,
   * so only the closed klines before {@code asOf} are asked for (no aggregate trades, no clock).
   */
  Future<JsonObject> seedAsOf(JsonObject req) {
    String symbol = req.getString("symbol");
    long asOf = req.getLong("asOf");
    Interval fine = intervals.get(0);
    KlineBook book = new KlineBook(List.of(fine), 0, 1);
    book.addSymbol(0, req.getLong("lastPrice"), req.getInteger("priceScale"), req.getInteger("qtyScale"), asOf);
    Kline cur = new Kline();
    book.current(0, fine, cur);
    List<Kline> seeds = new ArrayList<>();
    seeds.add(cur);
    long lastAggId = req.getLong("lastAggId");
    seedsAsOf++;
    return coarser(symbol, asOf, seeds).map(all -> seedReply(lastAggId, all));
  }

  private static <T> void reply(Message<JsonObject> m, Future<T> f) {
    f.onSuccess(m::reply).onFailure(e -> {
      int code = e instanceof BinanceApiException ? ((BinanceApiException) e).code() : -1;
      m.fail(code, String.valueOf(e.getMessage()));
    });
  }

  private Future<JsonObject> time() {
    return rest.timeSample().map(s -> new JsonObject().put("serverTime", s.serverTime())
        .put("sent", s.localSend()).put("received", s.localReceive()));
  }

  private Future<JsonObject> exchangeInfo() {
    return rest.exchangeInfo().map(info -> {
      JsonArray symbols = new JsonArray();
      for (var s : info.symbols()) {
        symbols.add(new JsonObject().put("symbol", s.symbol()).put("status", s.status())
            .put("baseAsset", s.baseAsset()).put("quoteAsset", s.quoteAsset())
            .put("tickSize", s.tickSize()).put("stepSize", s.stepSize())
            .put("priceScale", s.priceScale()).put("qtyScale", s.qtyScale()));
      }
      return new JsonObject().put("symbols", symbols);
    });
  }

  private Future<JsonObject> latest(String symbol) {
    return rest.aggTrades(symbol, null, null, null, 1).map(list -> {
      JsonObject r = new JsonObject();
      if (!list.isEmpty()) {
        RestAggTrade t = list.get(list.size() - 1);
        r.put("aggId", t.aggId).put("time", t.time);
      }
      return r;
    });
  }

  private Future<JsonObject> aggTrades(JsonObject req) {
    return rest.aggTradesRange(req.getString("symbol"), req.getLong("fromId"), req.getLong("toId")).map(list -> {
      JsonArray a = new JsonArray();
      for (RestAggTrade t : list) {
        a.add(ControlJson.trade(t));
      }
      return new JsonObject().put("trades", a);
    });
  }

  private Future<JsonObject> klines(JsonObject req) {
    Interval iv = Interval.parse(req.getString("interval"));
    return rest.klinesRange(req.getString("symbol"), iv, req.getLong("startTime"), req.getLong("endTime"),
        req.getBoolean("bulk", false)).map(list -> {
      JsonArray a = new JsonArray();
      for (RestKline k : list) {
        a.add(ControlJson.kline(k));
      }
      return new JsonObject().put("klines", a);
    });
  }

  /**
   * The current kline of every interval, exactly, and the last aggregate id they include: the finest
   * interval from the aggregate trades of its open window; each coarser one from the closed klines
   * of the next finer interval it is aligned to, plus that interval's current kline.
   */
  Future<JsonObject> seed(String symbol) {
    seedsFull++;
    Interval fine = intervals.get(0);
    return seedClock().compose(now -> {
      long open = fine.openOf(now);
      long next = fine.nextOpen(open);
      return tradesBetween(symbol, open, next - 1, new ArrayList<>(), null).compose(window -> {
        if (!window.isEmpty()) {
          return Future.succeededFuture(window);
        }
        // quiet so far: the latest trade gives the flat price and the last id
        return rest.urgent(() -> rest.aggTrades(symbol, null, null, null, 1)).compose(l -> {
          if (l.isEmpty() || l.get(0).time < open) {
            return Future.succeededFuture(l);
          }
          if (l.get(0).time >= next) {
            // the window closed between the two requests: the worker's seed retry starts over
            return Future.failedFuture("seeding " + symbol + ": the window closed between two requests");
          }
          // it traded in the window since the first request: the latest alone would hide the
          // others, so the window again (what trades after it, the stream brings)
          return tradesBetween(symbol, open, next - 1, new ArrayList<>(), null);
        });
      }).compose(trades -> {
        if (trades.isEmpty()) {
          return seedWithoutTrades(symbol, now, fine);
        }
        KlineBook book = new KlineBook(List.of(fine), 0, 1);
        AggTrade t = new AggTrade();
        RestAggTrade last = trades.get(trades.size() - 1);
        if (last.time < open) {
          book.addSymbol(0, last.priceM, last.priceScale, last.qtyScale, open);
        } else {
          book.addSymbol(0, last.priceScale, last.qtyScale);
          for (RestAggTrade r : trades) {
            book.apply(t.set(0, r.aggId, r.priceM, r.priceScale, r.qtyM, r.qtyScale, r.firstId, r.lastId, r.time,
                r.buyerMaker));
          }
        }
        Kline cur = new Kline();
        book.current(0, fine, cur);
        List<Kline> seeds = new ArrayList<>();
        seeds.add(cur);
        return coarser(symbol, now, seeds).map(all -> seedReply(last.aggId, all));
      });
    });
  }

  /**
   * The exchange's time for a seed, a little early: from a time sample at most {@link #CLOCK_SAMPLE_MS}
   * old (one weight per sample, not per seed), less its uncertainty (half the round trip) and half a
   * second. Early is safe: a seed taken for a window that has just closed is exact (the stream's
   * trades of the next window roll it over), one taken for a window that has not opened yet would not be.
   */
  private Future<Long> seedClock() {
    long local = System.currentTimeMillis();
    if (clockSample != null && local - clockSample.localReceive() < CLOCK_SAMPLE_MS) {
      return Future.succeededFuture(local + clockSample.offset() - clockSample.roundTrip() / 2 - 500);
    }
    return rest.timeSample().map(ts -> {
      clockSample = ts;
      return ts.serverTime();
    });
  }

  /**
   * A symbol that never traded (a new listing): the exchange's own current kline (flat at the
   * listing price) seeds the finest interval, so it has klines from its first minute.
   */
  private Future<JsonObject> seedWithoutTrades(String symbol, long now, Interval fine) {
    return rest.urgent(() -> rest.klines(symbol, fine, null, null, 1)).compose(list -> {
      JsonObject empty = new JsonObject().put("lastAggId", -1L).put("klines", new JsonArray());
      if (list.isEmpty() || list.get(0).openTime != fine.openOf(now)) {
        return Future.succeededFuture(empty);
      }
      if (list.get(0).trades > 0) {
        // it traded since the trade query: seeding from this kline would not know the trade's id
        // (its first streamed successor would then hide it); fail, and the worker's seed retry
        // (with backoff) seeds it from its trades
        return Future.failedFuture("seeding " + symbol + ": it traded between two requests");
      }
      Kline cur = ControlJson.kline(ControlJson.kline(list.get(0)), 0, fine, false);
      List<Kline> seeds = new ArrayList<>();
      seeds.add(cur);
      return coarser(symbol, now, seeds).map(all -> seedReply(-1, all));
    });
  }

  private static JsonObject seedReply(long lastAggId, List<Kline> klines) {
    JsonArray a = new JsonArray();
    for (Kline k : klines) {
      a.add(ControlJson.exact(k));
    }
    return new JsonObject().put("lastAggId", lastAggId).put("klines", a);
  }

  /** Pages aggTrades of a time window forward by id. */
  private Future<List<RestAggTrade>> tradesBetween(String symbol, long start, long end, List<RestAggTrade> acc,
      Long fromId) {
    Future<List<RestAggTrade>> page = fromId == null
        ? rest.urgent(() -> rest.aggTrades(symbol, null, start, end, 1000))
        : rest.urgent(() -> rest.aggTrades(symbol, fromId, null, null, 1000));
    return page.compose(list -> {
      boolean more = list.size() == 1000;
      for (RestAggTrade t : list) {
        if (t.time > end) {
          more = false;
          break;
        }
        acc.add(t);
      }
      if (more && acc.size() < config.getLong("repair.maxTrades")) {
        return tradesBetween(symbol, start, end, acc, acc.get(acc.size() - 1).aggId + 1);
      }
      return Future.succeededFuture(acc);
    });
  }

  /**
   * The open kline of every coarser interval, from {@code seeds[0]} (the finest's) and the closed
   * klines of few base intervals ({@link SeedPlan}: two requests with the default intervals).
   */
  private Future<List<Kline>> coarser(String symbol, long now, List<Kline> seeds) {
    SeedPlan plan = SeedPlan.of(intervals, now, maxKlineRows);
    List<List<RestKline>> closed = new ArrayList<>();
    for (int i = 0; i < intervals.size(); i++) {
      closed.add(List.of());
    }
    Future<Void> fetched = Future.succeededFuture();
    for (int b : plan.bases()) {
      if (plan.from(b) < plan.until(b)) {
        fetched = fetched.compose(v -> rest.urgent(
                () -> rest.klinesRange(symbol, intervals.get(b), plan.from(b), plan.until(b) - 1)))
            .map(list -> {
              closed.set(b, list);
              return null;
            });
      }
    }
    return fetched.map(v -> {
      for (int i = 1; i < intervals.size(); i++) {
        Interval iv = intervals.get(i);
        int b = plan.base(i);
        long open = iv.openOf(now);
        long baseOpen = plan.until(b);
        Kline k = null;
        for (RestKline r : closed.get(b)) {
          if (r.openTime >= open && r.openTime < baseOpen) {
            Kline part = ControlJson.kline(ControlJson.kline(r), 0, iv, false);
            k = k == null ? part : k.merge(part);
          }
        }
        Kline cur = new Kline().set(seeds.get(b));
        k = k == null ? cur : k.merge(cur);
        k.interval = iv;
        k.openTime = open;
        k.closeTime = iv.closeOf(open);
        k.closed = false;
        if (!iv.alignedTo(intervals.get(b))) {
          log.warn("interval {} is not aligned to {}; its seed for {} may be off", iv.code(), intervals.get(b).code(),
              symbol);
        }
        seeds.add(k);
      }
      return seeds;
    });
  }
}
