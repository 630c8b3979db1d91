package klagg.service.web;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.service.ControlJson;

/** A validated {@code /api/v3/klines} request (Binance's parameters, checks and error codes). */
final class KlineQuery {
  static final int DEFAULT_LIMIT = 500;
  static final int MAX_LIMIT = 1000;

  final Symbols.Info symbol;
  final Interval interval;
  final Long startTime;
  final Long endTime;
  final int limit;

  private KlineQuery(Symbols.Info symbol, Interval interval, Long startTime, Long endTime, int limit) {
    this.symbol = symbol;
    this.interval = interval;
    this.startTime = startTime;
    this.endTime = endTime;
    this.limit = limit;
  }

  /** Parses and checks the parameters in Binance's order; throws {@link BinanceError}. */
  static KlineQuery parse(Function<String, String> param, Symbols symbols, Set<Interval> served) {
    String sym = param.apply("symbol");
    if (sym == null || sym.isBlank()) {
      throw BinanceError.mandatory("symbol");
    }
    String iv = param.apply("interval");
    if (iv == null || iv.isBlank()) {
      throw BinanceError.mandatory("interval");
    }
    Long start = number(param, "startTime");
    Long end = number(param, "endTime");
    Long limit = number(param, "limit");
    Symbols.Info info = symbols.byName(sym.trim().toUpperCase(Locale.ROOT));
    if (info == null) {
      throw BinanceError.invalidSymbol();
    }
    Interval interval = Interval.find(iv.trim());
    if (interval == null || !served.contains(interval)) {
      throw BinanceError.invalidInterval();
    }
    if (limit != null && (limit < 1 || limit > MAX_LIMIT)) {
      throw BinanceError.badLimit();
    }
    if (start != null && end != null && start > end) {
      throw BinanceError.startAfterEnd();
    }
    checkTimeZone(param.apply("timeZone"), interval);
    return new KlineQuery(info, interval, start, end, limit == null ? DEFAULT_LIMIT : limit.intValue());
  }

  /**
   * Binance's {@code timeZone} (hours {@code +8}, {@code -1:30}, {@code 05:45}; -12:00..+14:00, default
   * 0): intervals are aligned in that zone, open and close times stay UTC ms. klagg keeps klines
   * aligned to UTC only, so it answers any zone whose offset is a whole number of the interval
   * (always 0; whole hours for 1m..1h) and refuses others with a clear 400.
   */
  static void checkTimeZone(String tz, Interval interval) {
    if (tz == null || tz.isEmpty()) {
      return;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^([+-]?)(\\d{1,2})(?::(\\d{2}))?$").matcher(tz.trim());
    if (!m.matches()) {
      throw new BinanceError(400, -1100, "Illegal characters found in parameter 'timeZone'; legal range is '[-12:00, +14:00]'.");
    }
    int h = Integer.parseInt(m.group(2));
    int min = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
    long offset = (h * 60L + min) * 60_000L * ("-".equals(m.group(1)) ? -1 : 1);
    if (min > 59 || offset < -12 * 3600_000L || offset > 14 * 3600_000L) {
      throw new BinanceError(400, -1130, "Data sent for parameter 'timeZone' is not valid.");
    }
    if (offset == 0) {
      return;
    }
    long len = interval.fixedLength();
    if (len <= 0 || offset % len != 0) {
      throw new BinanceError(400, -1130, "Data sent for parameter 'timeZone' is not valid: klagg aligns "
          + interval.code() + " klines to UTC only; use timeZone=0 (or a whole number of the interval).");
    }
  }

  /** The same from a JSON request (event-bus query): numbers may be JSON numbers or strings. */
  static KlineQuery parse(JsonObject req, Symbols symbols, Set<Interval> served) {
    return parse(k -> {
      Object v = req == null ? null : req.getValue(k);
      return v == null ? null : v.toString();
    }, symbols, served);
  }

  private static Long number(Function<String, String> param, String name) {
    String v = param.apply(name);
    if (v == null || v.isEmpty()) {
      return null;
    }
    if (v.length() > 20) {
      throw BinanceError.illegalChars(name);
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        throw BinanceError.illegalChars(name);
      }
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw BinanceError.illegalChars(name);
    }
  }

  JsonObject toHistoryRequest() {
    JsonObject j = new JsonObject().put("symbol", symbol.symbol).put("interval", interval.code()).put("limit", limit);
    if (startTime != null) {
      j.put("startTime", startTime);
    }
    if (endTime != null) {
      j.put("endTime", endTime);
    }
    return j;
  }

  private boolean inRange(long openTime) {
    return (startTime == null || openTime >= startTime) && (endTime == null || openTime <= endTime);
  }

  /** The cached klines in range, ascending (copies: the cache's next cycle does not change them). */
  List<Kline> fromCache(KlineCache.Ring ring) {
    List<Kline> out = new ArrayList<>();
    if (ring != null) {
      for (int i = 0; i < ring.size(); i++) {
        if (inRange(ring.openTime(i))) {
          out.add(ring.get(i));
        }
      }
    }
    return out;
  }

  /**
   * Whether the cache alone answers: it holds every kline from its oldest to the open one, so it
   * does when the window starts inside it, or when it holds at least {@code limit} klines up to the end.
   */
  boolean cacheSuffices(KlineCache.Ring ring, List<Kline> inRange) {
    if (ring == null || ring.size() == 0) {
      return false;
    }
    if (startTime != null) {
      return startTime >= ring.openTime(0);
    }
    return inRange.size() >= limit;
  }

  /** Binance's response rows: history first, cached klines override by open time, then the window. */
  JsonArray answer(List<Kline> cached, JsonArray history) {
    TreeMap<Long, JsonArray> rows = new TreeMap<>();
    if (history != null) {
      for (Object o : history) {
        if (o instanceof JsonArray) {
          JsonArray r = normalize((JsonArray) o);
          if (r != null && inRange(r.getLong(0))) {
            rows.put(r.getLong(0), r);
          }
        }
      }
    }
    for (Kline k : cached) {
      rows.put(k.openTime, row(k));
    }
    List<JsonArray> all = new ArrayList<>(rows.values());
    int from = 0;
    int to = all.size();
    if (all.size() > limit) {
      if (startTime != null) {
        to = limit;
      } else {
        from = all.size() - limit;
      }
    }
    return new JsonArray(new ArrayList<>(all.subList(from, to)));
  }

  /** One kline as Binance's 12-field REST array. */
  static JsonArray row(Kline k) {
    return ControlJson.kline(k, Symbols.PRICE_DIGITS, Symbols.QTY_DIGITS).add("0");
  }

  /** A stored row printed like ours: decimals to 8 places, the trailing "0". */
  static JsonArray normalize(JsonArray r) {
    if (r.size() < 11) {
      return null;
    }
    try {
      return new JsonArray().add(((Number) r.getValue(0)).longValue()).add(dec(r.getValue(1))).add(dec(r.getValue(2)))
          .add(dec(r.getValue(3))).add(dec(r.getValue(4))).add(dec(r.getValue(5)))
          .add(((Number) r.getValue(6)).longValue()).add(dec(r.getValue(7))).add(((Number) r.getValue(8)).longValue())
          .add(dec(r.getValue(9))).add(dec(r.getValue(10))).add("0");
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String dec(Object o) {
    return new BigDecimal(o.toString()).setScale(8, RoundingMode.HALF_UP).toPlainString();
  }
}
