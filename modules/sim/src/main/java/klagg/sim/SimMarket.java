package klagg.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The market behind the simulator: a listing plus a pure function from (symbol, time window) to
 * trades. Klines and REST aggTrades are computed from {@link #scan} alone (the oracle); only trades
 * with time <= the server clock's now are visible.
 */
public abstract class SimMarket {
  protected final SimClock clock;
  protected final List<SymbolInfo> symbols = new CopyOnWriteArrayList<>();
  protected final Map<String, SymbolInfo> byName = new ConcurrentHashMap<>();

  protected SimMarket(SimClock clock) {
    this.clock = clock;
  }

  public SimClock clock() {
    return clock;
  }

  public List<SymbolInfo> symbols() {
    return Collections.unmodifiableList(symbols);
  }

  public SymbolInfo symbol(String name) {
    return name == null ? null : byName.get(name);
  }

  protected void addSymbol(SymbolInfo s) {
    symbols.add(s);
    byName.put(s.name, s);
  }

  /** Visits the existing trades of {@code s} with time in [from, to), in aggregate-id order. */
  public abstract void scan(SymbolInfo s, long from, long to, TradeVisitor v);

  /** A time at or before the trade with aggregate id {@code aggId} (a slot start). */
  protected abstract long timeOfAggId(SymbolInfo s, long aggId);

  /** Earliest time a trade of {@code s} can have. */
  public abstract long firstTradeTime(SymbolInfo s);

  /** Price of the last trade before {@code t}, or a reference price if there is none. */
  public abstract long lastPriceBefore(SymbolInfo s, long t);

  /** Exact summary of trades in [from, to). */
  public TradeSums summary(SymbolInfo s, long from, long to) {
    TradeSums sum = new TradeSums();
    if (to > from) {
      scan(s, from, to, sum);
    }
    return sum;
  }

  /** All trades of {@code s} in [from, to) (tests, small windows). */
  public List<SimTrade> trades(SymbolInfo s, long from, long to) {
    List<SimTrade> out = new ArrayList<>();
    scan(s, from, to, (a, p, q, f, l, t, m) -> out.add(new SimTrade(a, p, q, f, l, t, m)));
    return out;
  }

  /** The kline of {@code s} opening at {@code open}, with trades up to {@code now} inclusive. */
  public SimKline kline(SymbolInfo s, SimInterval iv, long open, long now) {
    long end = Math.min(iv.nextOpen(open), now + 1);
    TradeSums sum = summary(s, open, end);
    long prev = sum.empty() ? lastPriceBefore(s, open) : 0;
    return new SimKline(s, iv, open, sum, prev);
  }

  /** Latest open time a kline of {@code s} exists for, given {@code now}; Long.MIN_VALUE if none. */
  long latestOpen(SymbolInfo s, SimInterval iv, long now) {
    long until = Math.min(now, s.tradingUntil() - 1);
    if (until < firstTradeTime(s)) {
      return Long.MIN_VALUE;
    }
    return iv.openOf(until);
  }

  /** REST klines with Binance's selection: open in [startTime, endTime], limit from the start. */
  public List<SimKline> klines(SymbolInfo s, SimInterval iv, Long startTime, Long endTime, int limit) {
    long now = clock.now();
    List<SimKline> out = new ArrayList<>();
    long latest = latestOpen(s, iv, now);
    if (latest == Long.MIN_VALUE) {
      return out;
    }
    if (startTime != null && startTime > latest) {
      return out; // after the latest kline (also keeps the window arithmetic off Long.MAX_VALUE)
    }
    long earliest = iv.openOf(firstTradeTime(s));
    if (endTime != null) {
      latest = Math.min(latest, iv.openOf(endTime));
    }
    List<Long> opens = new ArrayList<>();
    if (startTime != null) {
      long o = iv.openOf(startTime);
      if (o < startTime) {
        o = iv.nextOpen(o);
      }
      o = Math.max(o, earliest);
      for (; o <= latest && opens.size() < limit; o = iv.nextOpen(o)) {
        opens.add(o);
      }
    } else {
      ArrayDeque<Long> back = new ArrayDeque<>();
      for (long o = latest; o >= earliest && back.size() < limit; o = iv.openOf(o - 1)) {
        back.addFirst(o);
      }
      opens.addAll(back);
    }
    long prevClose = Long.MIN_VALUE;
    for (long o : opens) {
      long end = Math.min(iv.nextOpen(o), now + 1);
      if (!s.tradingIn(o, iv.nextOpen(o))) {
        continue; // wholly inside a BREAK: the exchange publishes no kline for it
      }
      TradeSums sum = summary(s, o, end);
      if (sum.empty() && prevClose == Long.MIN_VALUE) {
        prevClose = lastPriceBefore(s, o);
      }
      out.add(new SimKline(s, iv, o, sum, prevClose));
      if (!sum.empty()) {
        prevClose = sum.close;
      }
    }
    return out;
  }

  /** REST aggTrades: by fromId, or by time window, or the most recent; visible trades only. */
  public List<SimTrade> aggTrades(SymbolInfo s, Long fromId, Long startTime, Long endTime, int limit) {
    long now = clock.now();
    long horizon = now + 1;
    List<SimTrade> out = new ArrayList<>();
    if (fromId != null) {
      long from = Math.max(timeOfAggId(s, fromId), firstTradeTime(s));
      long to = endTime != null ? Math.min(endTime + 1, horizon) : horizon;
      if (startTime != null) {
        from = Math.max(from, startTime);
      }
      scanChunked(s, from, to, (a, p, q, f, l, t, m) -> {
        if (a >= fromId) {
          out.add(new SimTrade(a, p, q, f, l, t, m));
        }
        return out.size() < limit;
      });
      return out;
    }
    if (startTime != null || endTime != null) {
      long from = startTime != null ? startTime : endTime - 3_600_000L;
      long to = endTime != null ? endTime + 1 : startTime + 3_600_000L;
      to = Math.min(to, horizon);
      scanChunked(s, from, to, (a, p, q, f, l, t, m) -> {
        out.add(new SimTrade(a, p, q, f, l, t, m));
        return out.size() < limit;
      });
      return out;
    }
    // most recent: widen the window backwards until enough
    long first = firstTradeTime(s);
    long end = Math.min(horizon, s.tradingUntil());
    for (long w = 1000; ; w *= 4) {
      long from = Math.max(first, end - w);
      List<SimTrade> got = trades(s, from, end);
      if (got.size() >= limit || from <= first || w > 40L * 86_400_000L) {
        return got.size() > limit ? new ArrayList<>(got.subList(got.size() - limit, got.size())) : got;
      }
    }
  }

  /** Scan in 1-minute chunks so a visitor that stops early does not pay for a long window. */
  void scanChunked(SymbolInfo s, long from, long to, TradeVisitor v) {
    boolean[] stop = {false};
    TradeVisitor w = (a, p, q, f, l, t, m) -> {
      if (!v.trade(a, p, q, f, l, t, m)) {
        stop[0] = true;
        return false;
      }
      return true;
    };
    for (long c = from; c < to && !stop[0]; ) {
      long next = Math.min(to, Math.floorDiv(c, 60_000L) * 60_000L + 60_000L);
      scan(s, c, next, w);
      c = next;
    }
  }

  /** Lists a new symbol at runtime (synthetic markets); null if unsupported. */
  public SymbolInfo list(String name, Double price, long now) {
    return null;
  }

  public void setBreak(SymbolInfo s, long now) {
    s.setBreak(now);
  }

  public void delist(SymbolInfo s, long now) {
    s.delist(now);
  }

  public void setTrading(SymbolInfo s, long now) {
    s.setTrading(now);
  }

  public abstract String mode();
}
