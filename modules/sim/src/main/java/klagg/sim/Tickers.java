package klagg.sim;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * The simulator's derived streams: {@code <symbol>@kline_<interval>} (the open kline pushed every
 * {@code klinePushIntervalMs}, the closed one at its boundary, from the market's own klines) and
 * {@code !miniTicker@arr} (rolling 24 h figures of the symbols that traded since the last push).
 */
final class Tickers {
  private final WsHub hub;
  private final Map<String, KlineState> klineStreams = new HashMap<>();
  private final Map<SymbolInfo, Mini> minis = new HashMap<>();
  private long lastKlinePush;

  Tickers(WsHub hub) {
    this.hub = hub;
  }

  static final class KlineState {
    final SymbolInfo sym;
    final SimInterval iv;
    final String stream;
    long lastOpen = Long.MIN_VALUE;

    KlineState(SymbolInfo sym, SimInterval iv, String stream) {
      this.sym = sym;
      this.iv = iv;
      this.stream = stream;
    }
  }

  /** Rolling ~24 h mini-ticker state (hour buckets over what this process emitted). */
  static final class Mini {
    final TradeSums[] buckets = new TradeSums[25];
    final long[] bucketHour = new long[25];
    boolean changed;
    long lastPrice;
  }

  /** A stream got its first subscriber. */
  void subscribed(String stream) {
    var m = WsHub.KLINE.matcher(stream);
    if (m.matches()) {
      klineStreams.computeIfAbsent(stream, k -> {
        SymbolInfo sym = hub.market.symbol(m.group(1).toUpperCase(java.util.Locale.ROOT));
        return sym == null ? null : new KlineState(sym, SimInterval.parse(m.group(2)), stream);
      });
    }
  }

  /** A stream lost its last subscriber. */
  void unsubscribed(String stream) {
    klineStreams.remove(stream);
  }

  /** A trade emitted live: into the mini ticker's hour bucket. */
  void trade(SymbolInfo s, long a, long p, long q, long f, long l, long t, boolean m) {
    Mini mini = minis.computeIfAbsent(s, k -> new Mini());
    mini.changed = true;
    mini.lastPrice = p;
    long hour = Math.floorDiv(t, 3_600_000L);
    int bi = Math.floorMod(hour, 25);
    if (mini.buckets[bi] == null || mini.bucketHour[bi] != hour) {
      mini.buckets[bi] = new TradeSums();
      mini.bucketHour[bi] = hour;
    }
    mini.buckets[bi].trade(a, p, q, f, l, t, m);
  }

  void miniTickerTick() {
    long now = hub.clock.now();
    if (hub.subs.get(WsHub.MINI) == null) {
      minis.values().forEach(m -> m.changed = false);
      return;
    }
    long hourNow = Math.floorDiv(now, 3_600_000L);
    StringBuilder out = new StringBuilder(1024).append('[');
    int n = 0;
    for (Map.Entry<SymbolInfo, Mini> e : minis.entrySet()) {
      Mini m = e.getValue();
      if (!m.changed) {
        continue;
      }
      m.changed = false;
      SymbolInfo s = e.getKey();
      TradeSums sum = new TradeSums();
      for (long h = hourNow - 23; h <= hourNow; h++) {
        int bi = Math.floorMod(h, 25);
        if (m.buckets[bi] != null && m.bucketHour[bi] == h) {
          sum.merge(m.buckets[bi]);
        }
      }
      if (sum.empty()) {
        continue;
      }
      if (n++ > 0) {
        out.append(',');
      }
      int qq = s.priceScale + s.qtyScale;
      out.append("{\"e\":\"24hrMiniTicker\",\"E\":").append(now).append(",\"s\":\"").append(s.name)
          .append("\",\"c\":\"");
      SimDecimal.append(out, sum.close, s.priceScale, s.priceDigits).append("\",\"o\":\"");
      SimDecimal.append(out, sum.open, s.priceScale, s.priceDigits).append("\",\"h\":\"");
      SimDecimal.append(out, sum.high, s.priceScale, s.priceDigits).append("\",\"l\":\"");
      SimDecimal.append(out, sum.low, s.priceScale, s.priceDigits).append("\",\"v\":\"");
      sum.volume.append(out, s.qtyScale, s.qtyDigits).append("\",\"q\":\"");
      sum.quote.append(out, qq, s.quoteDigits).append("\"}");
    }
    out.append(']');
    if (n > 0) {
      hub.publish(WsHub.MINI, out.toString());
      hub.flushAll();
    }
  }

  void klineTick() {
    if (klineStreams.isEmpty()) {
      return;
    }
    long now = hub.clock.now();
    long wall = System.currentTimeMillis();
    boolean push = wall - lastKlinePush >= hub.cfg.klinePushIntervalMs;
    if (push) {
      lastKlinePush = wall;
    }
    for (KlineState st : new ArrayList<>(klineStreams.values())) {
      if (st == null) {
        continue;
      }
      long open = st.iv.openOf(now);
      if (st.lastOpen != Long.MIN_VALUE && open > st.lastOpen) {
        publishKline(st, hub.market.kline(st.sym, st.iv, st.lastOpen, now), true, now);
        st.lastOpen = open;
        publishKline(st, hub.market.kline(st.sym, st.iv, open, now), false, now);
        continue;
      }
      if (st.lastOpen == Long.MIN_VALUE) {
        st.lastOpen = open;
      }
      if (push) {
        publishKline(st, hub.market.kline(st.sym, st.iv, open, now), false, now);
      }
    }
    hub.flushAll();
  }

  private void publishKline(KlineState st, SimKline k, boolean closed, long now) {
    JsonObject o = new JsonObject().put("e", "kline").put("E", now).put("s", st.sym.name)
        .put("k", k.toStreamK(closed));
    hub.publish(st.stream, o.encode());
  }
}
