package klagg.service.web;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The web verticle's copy of the symbol directory (from {@code SYMBOLS_LIST} and
 * {@code SYMBOLS_EVENTS}): id to name and back, assets and filters. Owned by the web event loop.
 */
final class Symbols {
  /** Binance spot prints prices, quantities and quote volumes with 8 decimals. */
  static final int PRICE_DIGITS = 8;
  static final int QTY_DIGITS = 8;

  static final class Info {
    final int id;
    final String symbol;
    final String lower;
    final String baseAsset;
    final String quoteAsset;
    final String tickSize;
    final String stepSize;
    /** The worker shard that aggregates it ({@code -1} when the directory did not say). */
    final int worker;

    Info(JsonObject e) {
      this.id = e.getInteger("id");
      this.symbol = e.getString("symbol");
      this.lower = symbol.toLowerCase(java.util.Locale.ROOT);
      this.baseAsset = e.getString("baseAsset", "");
      this.quoteAsset = e.getString("quoteAsset", "");
      this.tickSize = e.getString("tickSize");
      this.stepSize = e.getString("stepSize");
      this.worker = e.getInteger("worker", -1);
    }

    private final String[] klineOut = new String[klagg.core.Interval.values().length];

    /** {@code klagg.out.kline.<SYMBOL>.<interval>}, built once. */
    String klineOut(klagg.core.Interval iv) {
      String a = klineOut[iv.ordinal()];
      if (a == null) {
        a = klineOut[iv.ordinal()] = klagg.service.Addresses.klineOut(symbol, iv.code());
      }
      return a;
    }
  }

  private final Map<Integer, Info> byId = new HashMap<>();
  private final Map<String, Info> byName = new TreeMap<>();

  /** Applies a directory entry or event ({@code op} = added | removed; absent = added). */
  void apply(JsonObject e) {
    if ("removed".equals(e.getString("op"))) {
      Info old = byName.remove(e.getString("symbol"));
      if (old != null) {
        byId.remove(old.id);
      }
      return;
    }
    Info i = new Info(e);
    Info prev = byId.put(i.id, i);
    if (prev != null && !prev.symbol.equals(i.symbol)) {
      byName.remove(prev.symbol);
    }
    byName.put(i.symbol, i);
  }

  Info byId(int id) {
    return byId.get(id);
  }

  /** Exact (upper-case) name. */
  Info byName(String name) {
    return name == null ? null : byName.get(name);
  }

  /** Sorted by name. */
  Collection<Info> all() {
    return byName.values();
  }

  List<String> names() {
    return new ArrayList<>(byName.keySet());
  }

  int size() {
    return byName.size();
  }
}
