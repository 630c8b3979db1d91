package klagg.service.persist;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.core.KlineDelta;
import klagg.service.Addresses;
import klagg.service.KlaggConfig;
import klagg.service.KlaggMetrics;
import klagg.service.msg.CycleUpdate;

/** Test data and checks for the persistence tests. */
final class Rows {
  static final String[] SYMBOLS = {"BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "BNBUSDT", "ADAUSDT", "DOGEUSDT",
      "TRXUSDT", "LTCUSDT", "DOTUSDT", "LINKUSDT", "AVAXUSDT"};

  private Rows() {}

  /** A kline with every field set from {@code seed}; quote volumes beyond 64 bits when {@code seed} is odd. */
  static Kline kline(int symbol, Interval iv, long openTime, boolean closed, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Kline k = new Kline();
    k.symbol = symbol;
    k.interval = iv;
    k.openTime = openTime;
    k.closeTime = openTime + iv.fixedLength() - 1;
    k.priceScale = 8;
    k.qtyScale = 5;
    k.low = 1 + r.nextLong(1_000_000_000_000L);
    k.high = k.low + r.nextLong(1_000_000_000L);
    k.open = k.low + r.nextLong(k.high - k.low + 1);
    k.close = k.low + r.nextLong(k.high - k.low + 1);
    k.volume = r.nextLong(Long.MAX_VALUE / 4);
    k.takerBuyVolume = r.nextLong(k.volume + 1);
    k.quoteHi = (seed & 1) == 1 ? 1 + r.nextLong(1L << 40) : 0;
    k.quoteLo = (seed & 1) == 1 ? r.nextLong() : r.nextLong(Long.MAX_VALUE);
    k.takerBuyQuoteHi = (seed & 1) == 1 ? r.nextLong(k.quoteHi) : 0;
    k.takerBuyQuoteLo = r.nextLong() & Long.MAX_VALUE;
    k.count = r.nextLong(1_000_000);
    k.firstId = r.nextLong(1L << 40);
    k.lastId = k.firstId + k.count;
    k.closed = closed;
    return k;
  }

  static CycleUpdate update(long cycle, List<Kline> ks) {
    KlineDelta.Builder b = new KlineDelta.Builder(ks.size());
    ks.forEach(b::add);
    return new CycleUpdate(cycle, 0, List.of(b.build(cycle)));
  }

  static KlaggConfig config(String url, String schema, JsonObject persistence) {
    return KlaggConfig.of(new JsonObject().put("db", new JsonObject().put("url", url).put("schema", schema))
        .put("persistence", persistence), Map.of());
  }

  /** Publishes "added" events for ids 0..n-1 (named from {@link #SYMBOLS}). */
  static void symbols(Vertx vertx, int n) {
    for (int i = 0; i < n; i++) {
      vertx.eventBus().publish(Addresses.SYMBOLS_EVENTS, new JsonObject().put("op", "added").put("id", i)
          .put("symbol", SYMBOLS[i]).put("priceScale", 8).put("qtyScale", 5));
    }
  }

  static String key(String symbol, Interval iv, long openTime) {
    return symbol + "|" + iv.code() + "|" + openTime;
  }

  static String key(Kline k) {
    return key(SYMBOLS[k.symbol], k.interval, k.openTime);
  }

  /** Completes when {@code cond} holds (checked every 20 ms); fails after {@code deadlineMs}. */
  static Future<Void> until(Vertx vertx, String what, long deadlineMs, BooleanSupplier cond) {
    return untilAsync(vertx, what, deadlineMs, () -> Future.succeededFuture(cond.getAsBoolean()));
  }

  /** Like {@link #until} with an asynchronous check (e.g. a query); checks do not overlap. */
  static Future<Void> untilAsync(Vertx vertx, String what, long deadlineMs, Supplier<Future<Boolean>> cond) {
    Promise<Void> p = Promise.promise();
    long end = System.currentTimeMillis() + deadlineMs;
    check(vertx, what, end, cond, p);
    return p.future();
  }

  private static void check(Vertx vertx, String what, long end, Supplier<Future<Boolean>> cond, Promise<Void> p) {
    cond.get().onComplete(ar -> {
      if (ar.succeeded() && ar.result()) {
        p.tryComplete();
      } else if (System.currentTimeMillis() > end) {
        p.tryFail("timed out waiting for " + what + (ar.failed() ? " (" + ar.cause().getMessage() + ")" : ""));
      } else {
        vertx.setTimer(20, id -> check(vertx, what, end, cond, p));
      }
    });
  }

  static double counter(Vertx vertx, String name, String... tags) {
    Counter c = KlaggMetrics.of(vertx).find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  static double gauge(Vertx vertx, String name) {
    Gauge g = KlaggMetrics.of(vertx).find(name).gauge();
    return g == null ? Double.NaN : g.value();
  }

  static final String SELECT = "SELECT symbol, interval, open_time, close_time, open::text, high::text, low::text, "
      + "close::text, volume::text, quote_volume::text, trades, taker_buy_volume::text, taker_buy_quote_volume::text, "
      + "first_trade_id, last_trade_id, closed, updated_at IS NOT NULL FROM ";

  /** Every stored row by "symbol|interval|openTime". */
  static Future<Map<String, Row>> stored(Pool pool, String schema) {
    return pool.query(SELECT + schema + ".klines").execute().map(rs -> {
      Map<String, Row> m = new HashMap<>();
      for (Row r : rs) {
        m.put(r.getString(0) + "|" + r.getString(1) + "|" + r.getLong(2), r);
      }
      return m;
    });
  }

  static Future<Long> count(Pool pool, String schema, String where) {
    return pool.query("SELECT count(*) FROM " + schema + ".klines" + (where.isEmpty() ? "" : " WHERE " + where))
        .execute().map(rs -> rs.iterator().next().getLong(0));
  }

  /** Whether the stored row equals {@code k} exactly (numeric values and scales). */
  static boolean same(Kline k, Row r) {
    return r.getString(0).equals(SYMBOLS[k.symbol]) && r.getString(1).equals(k.interval.code())
        && r.getLong(2) == k.openTime && r.getLong(3) == k.closeTime
        && new BigDecimal(r.getString(4)).equals(k.openDecimal()) && new BigDecimal(r.getString(5)).equals(k.highDecimal())
        && new BigDecimal(r.getString(6)).equals(k.lowDecimal()) && new BigDecimal(r.getString(7)).equals(k.closeDecimal())
        && new BigDecimal(r.getString(8)).equals(k.volumeDecimal())
        && new BigDecimal(r.getString(9)).equals(k.quoteVolumeDecimal()) && r.getLong(10) == k.count
        && new BigDecimal(r.getString(11)).equals(k.takerBuyVolumeDecimal())
        && new BigDecimal(r.getString(12)).equals(k.takerBuyQuoteVolumeDecimal())
        && r.getLong(13) == k.firstId && r.getLong(14) == k.lastId && r.getBoolean(15) == k.closed && r.getBoolean(16);
  }

  static void assertSame(Kline k, Row r) {
    assertThat(same(k, r)).as("stored %s equals %s/%s o=%s q=%s", r.toJson().encode(), SYMBOLS[k.symbol],
        k.interval.code() + " " + k.openTime, k.openDecimal(), k.quoteVolumeDecimal()).isTrue();
  }
}
