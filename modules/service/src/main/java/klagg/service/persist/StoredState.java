package klagg.service.persist;

import io.vertx.core.json.JsonArray;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.service.ControlJson;

/**
 * A symbol's stored state, judged for seeding a worker at start: per interval the latest stored
 * kline must be open, well-formed, and written at the same moment as the others (the highest
 * {@code last_agg_id} among the symbol's latest rows, which every open row carries). Then the book
 * starts from those klines and the exchange is asked only for the trades after that id; otherwise
 * the symbol is seeded from the exchange as a new one, and the reason is given.
 */
public final class StoredState {
  private StoredState() {}

  /** One stored row; numbers as stored text: open, high, low, close, volume, quote, taker base, taker quote. */
  public record Row(String symbol, String interval, long openTime, long closeTime, String[] nums, long trades,
      long firstId, long lastId, boolean closed, Long lastAggId) {}

  /**
   * The result for one symbol: {@code open} klines (symbol id 0) and {@code lastAggId}, or
   * {@code unusable} with the reason; {@code corrupt} when a row is malformed (an error worth telling).
   */
  public record Seed(String symbol, long lastAggId, List<Kline> open, String unusable, boolean corrupt) {
    public boolean usable() {
      return unusable == null;
    }
  }

  /** Judges every asked symbol (those with no rows at all are unusable: new to the database). */
  public static Map<String, Seed> judge(List<String> symbols, List<Row> rows, List<Interval> intervals) {
    Map<String, Map<String, List<Row>>> by = new HashMap<>();
    for (Row r : rows) {
      by.computeIfAbsent(r.symbol(), k -> new HashMap<>()).computeIfAbsent(r.interval(), k -> new ArrayList<>(2)).add(r);
    }
    Map<String, Seed> out = new LinkedHashMap<>();
    for (String s : symbols) {
      out.put(s, judge(s, by.getOrDefault(s, Map.of()), intervals));
    }
    return out;
  }

  static Seed judge(String symbol, Map<String, List<Row>> rows, List<Interval> intervals) {
    if (rows.isEmpty()) {
      return new Seed(symbol, -1, List.of(), "nothing stored", false);
    }
    long agg = -1;
    for (List<Row> l : rows.values()) {
      for (Row r : l) {
        if (r.lastAggId() != null) {
          agg = Math.max(agg, r.lastAggId());
        }
      }
    }
    List<Kline> open = new ArrayList<>(intervals.size());
    for (Interval iv : intervals) {
      List<Row> l = rows.get(iv.code());
      if (l == null || l.isEmpty()) {
        return new Seed(symbol, -1, List.of(), "no stored " + iv.code() + " kline", false);
      }
      Row latest = l.get(0);
      for (Row r : l) {
        String bad = malformed(r, iv);
        if (bad != null) {
          return new Seed(symbol, -1, List.of(), "corrupted row " + symbol + " " + iv.code() + " open_time "
              + r.openTime() + ": " + bad, true);
        }
        if (r.openTime() > latest.openTime()) {
          latest = r;
        }
      }
      if (latest.closed()) {
        return new Seed(symbol, -1, List.of(), "its latest " + iv.code() + " kline is closed", false);
      }
      if (latest.lastAggId() == null || agg < 0 || latest.lastAggId() != agg) {
        return new Seed(symbol, -1, List.of(), "its stored klines are not from one moment (" + iv.code()
            + " at aggregate id " + latest.lastAggId() + ", latest " + agg + ")", false);
      }
      open.add(kline(latest, iv));
    }
    return new Seed(symbol, agg, open, null, false);
  }

  /** Why a row cannot be a kline of {@code iv}, or null. */
  static String malformed(Row r, Interval iv) {
    if (iv.openOf(r.openTime()) != r.openTime()) {
      return "open time not on a " + iv.code() + " boundary";
    }
    if (r.closeTime() != iv.closeOf(r.openTime())) {
      return "close time " + r.closeTime() + " is not " + iv.closeOf(r.openTime());
    }
    if (r.nums() == null || r.nums().length != 8) {
      return "missing values";
    }
    BigDecimal[] n = new BigDecimal[8];
    for (int i = 0; i < 8; i++) {
      if (r.nums()[i] == null) {
        return "a missing value";
      }
      try {
        n[i] = new BigDecimal(r.nums()[i]);
      } catch (NumberFormatException e) {
        return "'" + r.nums()[i] + "' is not a number";
      }
      if (n[i].signum() < 0) {
        return "a negative value (" + r.nums()[i] + ")";
      }
    }
    BigDecimal o = n[0];
    BigDecimal h = n[1];
    BigDecimal l = n[2];
    BigDecimal c = n[3];
    if (h.compareTo(o.max(c)) < 0 || l.compareTo(o.min(c)) > 0 || l.compareTo(h) > 0) {
      return "high/low do not bound open/close (o " + o + ", h " + h + ", l " + l + ", c " + c + ")";
    }
    if (n[6].compareTo(n[4]) > 0 || n[7].compareTo(n[5]) > 0) {
      return "taker buy volume above volume";
    }
    if (r.trades() < 0 || (r.trades() == 0 && n[4].signum() != 0)) {
      return "trade count " + r.trades() + " with volume " + n[4];
    }
    try {
      kline(r, iv);
    } catch (ArithmeticException e) {
      return "a value out of range (" + e.getMessage() + ")";
    }
    return null;
  }

  private static Kline kline(Row r, Interval iv) {
    String[] n = r.nums();
    JsonArray a = new JsonArray().add(r.openTime()).add(n[0]).add(n[1]).add(n[2]).add(n[3]).add(n[4])
        .add(r.closeTime()).add(n[5]).add(r.trades()).add(n[6]).add(n[7]);
    Kline k = ControlJson.kline(a, 0, iv, false);
    if (k.priceScale + k.qtyScale > 36) {
      throw new ArithmeticException("scales " + k.priceScale + "+" + k.qtyScale);
    }
    k.firstId = r.firstId();
    k.lastId = r.lastId();
    k.lastAggId = r.lastAggId() == null ? -1 : r.lastAggId();
    return k;
  }
}
