package klagg.service;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import klagg.core.AggTrade;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.core.KlineBook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's repairs, so its klines stay exact when the stream falls short: a jump in a symbol's
 * aggregate ids (wait for reordered trades, then fetch the missing ones by id), a symbol's first
 * trade after a seed that found none, trades after the grace window and closed klines dropped from
 * the bounded overflow (the window's klines from REST), and a feed that comes back (what traded
 * while it was down). Holds a symbol out of the live path ({@link SymbolSlots}' phase) while it
 * repairs, then drains what the stream delivered meanwhile, in id order.
 */
final class Repairs {
  private static final Logger log = LoggerFactory.getLogger(Repairs.class);
  /** Missing ids are asked for this many times before they are taken as not on the exchange. */
  static final int GAP_TRIES = 3;

  private final Vertx vertx;
  private final KlaggConfig config;
  private final int shard;
  private final KlineBook book;
  private final SymbolSlots slots;
  private final WorkerRest rest;
  private final long[] results;
  private final RateLimitedLog rlog;

  private long[] lateFrom = filled(64, Long.MAX_VALUE);
  private long[] lateTo = filled(64, Long.MIN_VALUE);
  /** Per symbol: the first id of the gap last asked for, and how many times it was asked. */
  private long[] gapAskedFrom = new long[64];
  private int[] gapAsked = new int[64];

  private long repairsTrades;
  private long repairsKlines;
  private long repairFailures;
  private long gapsFromStream;
  /** Missing ids given up on: REST never had them after {@link #GAP_TRIES} asks (they do not exist). */
  private long gapsNotOnExchange;
  private long overflowRepairs;

  Repairs(Vertx vertx, KlaggConfig config, int shard, KlineBook book, SymbolSlots slots, WorkerRest rest,
      long[] results, RateLimitedLog rlog) {
    this.vertx = vertx;
    this.config = config;
    this.shard = shard;
    this.book = book;
    this.slots = slots;
    this.rest = rest;
    this.results = results;
    this.rlog = rlog;
  }

  private static long[] filled(int n, long v) {
    long[] a = new long[n];
    Arrays.fill(a, v);
    return a;
  }

  /** Room for symbol id {@code id} (with {@link SymbolSlots#ensure}). */
  void ensure(int id) {
    if (id >= lateFrom.length) {
      int n = Math.max(id + 1, lateFrom.length * 2);
      int old = lateFrom.length;
      lateFrom = Arrays.copyOf(lateFrom, n);
      lateTo = Arrays.copyOf(lateTo, n);
      Arrays.fill(lateFrom, old, n, Long.MAX_VALUE);
      Arrays.fill(lateTo, old, n, Long.MIN_VALUE);
      gapAskedFrom = Arrays.copyOf(gapAskedFrom, n);
      gapAsked = Arrays.copyOf(gapAsked, n);
    }
  }

  /** Applies a trade that did not come through the live path (REST, the buffer), counted. */
  void apply(AggTrade x) {
    KlineBook.Result res = book.apply(x);
    results[res.ordinal()]++;
    if (res == KlineBook.Result.LATE_DROPPED) {
      lateDropped(x.symbol, x.time);
    }
  }

  /**
   * A trade came after its kline's grace window: the kline is final but short of it, so it is
   * replaced by the exchange's own from REST (after a moment, so one repair covers a burst).
   */
  void lateDropped(int sym, long time) {
    if (lateFrom[sym] == Long.MAX_VALUE) {
      rest.later(1_000, () -> {
        long from = lateFrom[sym];
        long to = lateTo[sym];
        lateFrom[sym] = Long.MAX_VALUE;
        lateTo[sym] = Long.MIN_VALUE;
        String name = slots.names[sym];
        if (name != null && from <= to) {
          rlog.warn("late-" + name, "worker " + shard + ": trades of " + name
              + " came after the grace window; repairing its klines from REST");
          repairKlines(sym, from, to, false);
        }
      });
    }
    lateFrom[sym] = Math.min(lateFrom[sym], time);
    lateTo[sym] = Math.max(lateTo[sym], time);
  }

  /** The stream jumped over ids {@code from..to} (the trade after them is held). */
  void streamGap(int sym, long from, long to) {
    gapsFromStream++;
    waitForGap(sym, from, to);
  }

  /** A gap: give reordered trades a moment to arrive from the stream, then ask REST. */
  private void waitForGap(int sym, long from, long to) {
    slots.phase[sym] = SymbolSlots.WAITING;
    vertx.setTimer(Math.max(1, config.getLong("repair.delayMs")), id -> {
      if (slots.phase[sym] != SymbolSlots.WAITING || slots.names[sym] == null) {
        return;
      }
      if (slots.covered(sym, from, to)) {
        drain(sym);
      } else {
        repairTrades(sym, from, to, true);
      }
    });
  }

  /**
   * The first trade of a symbol seeded as never traded: it may have traded between the seed's REST
   * query and its stream subscription taking effect, and nothing would show the jump. Every trade
   * before this one is such a trade, so REST fills ids up to it (a fresh listing has few).
   */
  void repairFirst(int sym, long firstStreamed) {
    slots.unknownStart[sym] = false;
    if (firstStreamed <= 0) {
      drain(sym);
      return;
    }
    long from = Math.max(0, firstStreamed - config.getLong("repair.maxTrades"));
    repairTrades(sym, from, firstStreamed - 1, false);
  }

  /**
   * Fetches ids {@code from..to} from REST and applies them. With {@code allExist} false the range
   * is an upper bound (ids below a symbol's first trade do not exist) and a short answer is fine.
   */
  private void repairTrades(int sym, long from, long to, boolean allExist) {
    slots.phase[sym] = SymbolSlots.REPAIRING;
    String symbol = slots.names[sym];
    if (to - from + 1 > config.getLong("repair.maxTrades")) {
      log.warn("worker {}: {} missed {} trades (ids {}..{}), more than repair.maxTrades: repairing its klines instead",
          shard, symbol, to - from + 1, from, to);
      afterFailedTradeRepair(sym);
      return;
    }
    repairsTrades++;
    rest.request(Addresses.REST_AGG_TRADES, new JsonObject().put("symbol", symbol).put("fromId", from).put("toId", to), 120_000)
        .onSuccess(r -> {
          if (!slots.is(sym, symbol)) {
            return;
          }
          JsonArray trades = r.body().getJsonArray("trades");
          AggTrade x = new AggTrade();
          for (int i = 0; i < trades.size(); i++) {
            ControlJson.trade(trades.getJsonArray(i), sym, x);
            apply(x);
          }
          if (!allExist && from > 0 && trades.size() == to - from + 1) {
            // a never-traded symbol missed more than repair.maxTrades: the earliest cannot be had
            log.warn("worker {}: {} missed more than {} trades before its first streamed one: repairing its klines",
                shard, symbol, trades.size());
            repairKlines(sym, trades.getJsonArray(0).getLong(5), rest.serverNow(), true);
          }
          if (allExist && book.lastAggId(sym) < to) {
            stillMissing(sym, symbol, from, to, trades.size());
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

  /** REST did not have them all (yet): asked again after repair.delayMs, given up after GAP_TRIES. */
  private void stillMissing(int sym, String symbol, long from, long to, int got) {
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
      rlog.warn("short-" + symbol, "worker " + shard + ": REST returned " + got + " of "
          + (to - from + 1) + " missed trades of " + symbol);
    }
  }

  /** The missed trades cannot be had: apply what is buffered, then repair the window's klines. */
  private void afterFailedTradeRepair(int sym) {
    List<AggTrade> b = slots.held(sym);
    long before = lastTradeTime(sym);
    long after = b == null || b.isEmpty() ? rest.serverNow() : b.stream().mapToLong(x -> x.time).min().getAsLong();
    List<AggTrade> pending = b == null ? new ArrayList<>() : new ArrayList<>(b);
    slots.setBuffer(sym, null);
    for (AggTrade x : pending) {
      results[book.apply(x).ordinal()]++;
    }
    slots.phase[sym] = SymbolSlots.LIVE;
    repairKlines(sym, before, after, true);
    resumeIfPending(sym);
    settle(sym);
  }

  private long lastTradeTime(int sym) {
    Kline k = new Kline();
    return book.current(sym, book.intervals().get(0), k) ? k.openTime : rest.serverNow();
  }

  /**
   * Replaces the final klines of a time window with the exchange's own (REST), for every interval.
   * Only klines past their grace window are corrected: REST rows carry no trade ids, so an open
   * kline corrected from REST would count later live trades twice. With {@code followOpen}, the
   * window's klines that are still open are repaired once they are final.
   */
  void repairKlines(int sym, long fromTime, long toTime, boolean followOpen) {
    long now = rest.serverNow();
    long grace = config.getLong("graceMs");
    for (Interval iv : book.intervals()) {
      long start = iv.openOf(fromTime);
      long lastOpen = iv.openOf(toTime);
      long end = iv.closeOf(lastOpen);
      if (end + grace >= now) {
        end = lastOpen - 1;
        if (followOpen) {
          long finalAt = iv.closeOf(lastOpen) + grace + 1_000;
          rest.later(finalAt - now, () -> repairInterval(sym, iv, lastOpen, iv.closeOf(lastOpen), false));
        }
      }
      if (end >= start) {
        repairInterval(sym, iv, start, end, false);
      }
    }
  }

  /**
   * Replaces one interval's final klines opened in {@code start..end} with the exchange's; a
   * {@code bulk} one waits behind every seed, like the backfill.
   */
  void repairInterval(int sym, Interval iv, long start, long end, boolean bulk) {
    String symbol = slots.names[sym];
    if (symbol == null) {
      return;
    }
    repairsKlines++;
    rest.request(Addresses.REST_KLINES,
            new JsonObject().put("symbol", symbol).put("interval", iv.code()).put("startTime", start).put("endTime", end)
                .put("bulk", bulk),
            bulk ? WorkerRest.SEED_TIMEOUT_MS : 120_000)
        .onSuccess(r -> {
          if (!symbol.equals(slots.names[sym])) {
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

  /** Closed klines of {@code sym} from {@code from} on were dropped from the bounded overflow. */
  void spilled(int sym, long from) {
    if (slots.known(sym)) {
      overflowRepairs++;
      rlog.warn("spill", "worker " + shard + ": unacknowledged closed klines were dropped (workers.maxOverflowKlines); "
          + "rebuilding them from REST");
      repairKlines(sym, from, rest.serverNow(), true);
    }
  }

  /** Applies a symbol's buffered trades in id order and makes it live; stops at the next gap. */
  void drain(int sym) {
    List<AggTrade> b = slots.held(sym);
    slots.phase[sym] = SymbolSlots.LIVE;
    if (b != null) {
      int i = 0;
      for (; i < b.size(); i++) {
        AggTrade x = b.get(i);
        long last = book.lastAggId(sym);
        if (last >= 0 && x.aggId > last + 1) {
          break;
        }
        if (last < 0 && slots.unknownStart[sym]) {
          repairFirst(sym, x.aggId);
          return;
        }
        apply(x);
      }
      if (i < b.size()) {
        List<AggTrade> rest = new ArrayList<>(b.subList(i, b.size()));
        slots.setBuffer(sym, rest);
        waitForGap(sym, book.lastAggId(sym) + 1, rest.get(0).aggId - 1);
        return;
      }
      slots.setBuffer(sym, null);
    }
    resumeIfPending(sym);
    settle(sym);
  }

  private void resumeIfPending(int sym) {
    if (slots.resumePending[sym]) {
      slots.resumePending[sym] = false;
      book.resume(sym, rest.serverNow());
    }
  }

  /** After seeding or a repair: if the feed came back meanwhile, catch up with what it missed. */
  void settle(int sym) {
    if (slots.phase[sym] == SymbolSlots.LIVE && slots.needResume[sym] && !slots.feedDown[sym]) {
      slots.needResume[sym] = false;
      catchUp(sym);
    }
  }

  /**
   * The feed of a symbol is back: whatever traded while it was down comes from REST (by id, in
   * order), then ticks may close its klines again. A quiet market gets its flat klines only now,
   * once REST confirmed nothing traded.
   */
  private void catchUp(int sym) {
    slots.phase[sym] = SymbolSlots.REPAIRING;
    String symbol = slots.names[sym];
    rest.request(Addresses.REST_LATEST, new JsonObject().put("symbol", symbol), 60_000)
        .onSuccess(r -> {
          if (!slots.is(sym, symbol)) {
            return;
          }
          Long latest = r.body().getLong("aggId");
          long last = book.lastAggId(sym);
          slots.resumePending[sym] = true;
          if (latest != null && last >= 0 && latest > last && !slots.covered(sym, last + 1, latest)) {
            repairTrades(sym, last + 1, latest, true); // applies them, drains, then resumes
          } else {
            drain(sym);
          }
        })
        .onFailure(e -> {
          repairFailures++;
          rlog.warn("latest-" + symbol, "worker " + shard + ": cannot check " + symbol + " after reconnect: " + e.getMessage());
          vertx.setTimer(1_000, id -> {
            if (slots.is(sym, symbol)) {
              catchUp(sym);
            }
          });
        });
  }

  long repairsTrades() {
    return repairsTrades;
  }

  long repairsKlines() {
    return repairsKlines;
  }

  long repairFailures() {
    return repairFailures;
  }

  long gapsFromStream() {
    return gapsFromStream;
  }

  long gapsNotOnExchange() {
    return gapsNotOnExchange;
  }

  long overflowRepairs() {
    return overflowRepairs;
  }
}
