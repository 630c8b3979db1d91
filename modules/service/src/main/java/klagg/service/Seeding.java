package klagg.service;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import klagg.core.AggTrade;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.core.KlineBook;
import klagg.core.StreamProof;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a worker's new symbol gets its current klines before it goes live: from its stored state (the
 * trades since then by id from REST), else seeded from the exchange, with the stream's proof when the
 * held trades carry one ({@link StreamProof}: klines only), else in full, deferred while the weight
 * budget is short. The stream's trades are held meanwhile; {@link Repairs#drain} applies them after.
 */
final class Seeding {
  private static final Logger log = LoggerFactory.getLogger(Seeding.class);
  /** how long after the open it waits for a deferred seed's proof: a quiet symbol then seeds in full */
  static final long PROOF_WAIT_MS = 5_000;

  private final Vertx vertx;
  private final KlaggConfig config;
  private final int shard;
  private final KlineBook book;
  private final SymbolSlots slots;
  private final WorkerRest rest;
  private final Repairs repairs;
  private final RateLimitedLog rlog;
  /** Whether a symbol may start from its stored state (not a replacement: its database may be behind). */
  private final boolean fromDb;

  /** Symbols added and waiting for the stored-state request (sent once per burst of adds). */
  private final List<Integer> toRestore = new ArrayList<>();
  /** Deferred seeds: symbol id to the server time it stops waiting for the stream's proof. */
  private final Map<Integer, Long> proofDeadline = new HashMap<>();
  private long proofTimer = -1;
  /** Symbols started from their stored state / seeded from the exchange's REST API. */
  private long fromDatabase;
  private long fromExchange;

  Seeding(Vertx vertx, KlaggConfig config, int shard, KlineBook book, SymbolSlots slots, WorkerRest rest,
      Repairs repairs, RateLimitedLog rlog, boolean fromDb) {
    this.vertx = vertx;
    this.config = config;
    this.shard = shard;
    this.book = book;
    this.slots = slots;
    this.rest = rest;
    this.repairs = repairs;
    this.rlog = rlog;
    this.fromDb = fromDb;
  }

  /** A symbol just added (phase SEEDING): restored or seeded; live once that is done. */
  void start(int id, String symbol) {
    if (!fromDb) {
      seed(id, symbol, 500);
      return;
    }
    if (toRestore.isEmpty()) {
      vertx.setTimer(20, t -> requestStoredState());
    }
    toRestore.add(id);
  }

  private boolean stillSeeding(int id, String symbol) {
    return slots.is(id, symbol) && slots.phase[id] == SymbolSlots.SEEDING;
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
      symbols.add(slots.names[id]);
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
            if (!stillSeeding(id, symbol)) {
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
    rest.request(Addresses.REST_AGG_TRADES, new JsonObject().put("symbol", symbol).put("fromId", last + 1)
            .put("toId", last + max).put("startup", true), WorkerRest.SEED_TIMEOUT_MS)
        .onSuccess(r -> {
          if (!stillSeeding(id, symbol)) {
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
          fromDatabase++;
          AggTrade x = new AggTrade();
          for (int i = 0; i < trades.size(); i++) {
            ControlJson.trade(trades.getJsonArray(i), id, x);
            repairs.apply(x);
          }
          slots.resumePending[id] = true;
          repairs.drain(id);
        })
        .onFailure(e -> {
          rlog.warn("restore-" + symbol, "worker " + shard + ": trades of " + symbol + " since its stored state "
              + "could not be had (" + e.getMessage() + "); seeding it from the exchange");
          if (stillSeeding(id, symbol)) {
            seed(id, symbol, 500);
          }
        });
  }

  /** @param retryMs the backoff after a failure; -1 for a seed that comes back after it was deferred */
  private void seed(int id, String symbol, long retryMs) {
    if (retryMs == 500) {
      fromExchange++;
    }
    // seeds are served in order, a few at a time, within the exchange's weight budget: at 1,000
    // symbols the last one waits minutes (a timeout here would only queue it again)
    Interval fine = book.intervals().get(0);
    rest.request(Addresses.REST_SEED, request(symbol, slots.held(id), fine, retryMs >= 0), WorkerRest.SEED_TIMEOUT_MS)
        .onSuccess(r -> {
          if (slots.is(id, symbol)) {
            seeded(id, r.body());
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
            if (stillSeeding(id, symbol)) {
              seed(id, symbol, Math.min(retry * 2, 30_000));
            }
          });
        });
  }

  /** The seed's klines into the book, then the held trades; the windows it missed from REST. */
  private void seeded(int id, JsonObject s) {
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
    slots.unknownStart[id] = last < 0;
    repairs.drain(id);
    // the seed is the current klines: windows that closed while it waited, before the seeded ones
    // (the backfill stops at the one open when the symbol was added), come from REST. Only windows
    // the book never held: a REST kline carries no trade ids, so one put in place of a kline that
    // late trades still amend would count them twice
    for (Interval iv : book.intervals()) {
      Long open = seededOpen.get(iv);
      long from = iv.openOf(slots.addedAt[id]);
      if (open != null && open > from) {
        repairs.repairInterval(id, iv, from, open - 1, true); // history: behind every seed, like the backfill
      }
    }
  }

  /**
   * A seed request for {@code symbol} given its held trades (in id order, or null): with the
   * stream's proof ({@link StreamProof}) when they hold one, so the seed costs only klines; else one
   * the REST verticle may defer ({@code deferrable}) while the weight budget is short.
   */
  static JsonObject request(String symbol, List<AggTrade> held, Interval fine, boolean deferrable) {
    JsonObject req = new JsonObject().put("symbol", symbol);
    if (held != null) {
      int i = StreamProof.lastBefore(held, fine);
      if (i >= 0) {
        AggTrade l = held.get(i);
        return req.put("asOf", StreamProof.openAfter(held, i, fine)).put("lastAggId", l.aggId).put("lastPrice", l.price)
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
    proofDeadline.put(id, fine.nextOpen(fine.openOf(rest.serverNow())) + PROOF_WAIT_MS);
    if (proofTimer < 0) {
      proofTimer = vertx.setPeriodic(250, t -> checkProofs());
    }
  }

  private void checkProofs() {
    Interval fine = book.intervals().get(0);
    long now = rest.serverNow();
    for (var it = proofDeadline.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      int id = e.getKey();
      if (!slots.known(id) || slots.phase[id] != SymbolSlots.SEEDING) {
        it.remove();
        continue;
      }
      List<AggTrade> held = slots.held(id);
      boolean proven = held != null && StreamProof.lastBefore(held, fine) >= 0;
      if (proven || now > e.getValue()) {
        it.remove();
        seed(id, slots.names[id], -1); // not deferrable again
      }
    }
    if (proofDeadline.isEmpty()) {
      vertx.cancelTimer(proofTimer);
      proofTimer = -1;
    }
  }

  long fromDatabase() {
    return fromDatabase;
  }

  long fromExchange() {
    return fromExchange;
  }
}
