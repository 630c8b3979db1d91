package klagg.service.persist;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import klagg.core.Decimals;
import klagg.core.Kline;

/**
 * The SQL of the {@code klines} table: one batched upsert per flush, range reads in Binance's kline
 * layout, and the latest kline of every (symbol, interval).
 */
public final class KlineStore {
  private static final String COLUMNS = "open_time, open::text, high::text, low::text, close::text, volume::text, "
      + "close_time, quote_volume::text, trades, taker_buy_volume::text, taker_buy_quote_volume::text";

  private final Pool pool;
  private final String upsert;
  private final String rangeAsc;
  private final String rangeDesc;
  private final String latest;
  private final String state;

  public KlineStore(Pool pool, String schema) {
    this.pool = pool;
    String t = Migrations.quote(schema) + ".klines";
    upsert = "INSERT INTO " + t + " AS k (symbol, interval, open_time, close_time, open, high, low, close, volume, "
        + "quote_volume, trades, taker_buy_volume, taker_buy_quote_volume, first_trade_id, last_trade_id, closed, last_agg_id, updated_at) "
        + "SELECT s, i, t, ct, o::numeric, h::numeric, l::numeric, c::numeric, v::numeric, q::numeric, n, vb::numeric, "
        + "qb::numeric, f, la, x, NULLIF(ag, -1), now() FROM UNNEST($1::text[], $2::text[], $3::int8[], $4::int8[], $5::text[], $6::text[], "
        + "$7::text[], $8::text[], $9::text[], $10::text[], $11::int8[], $12::text[], $13::text[], $14::int8[], $15::int8[], "
        + "$16::bool[], $17::int8[]) AS u(s, i, t, ct, o, h, l, c, v, q, n, vb, qb, f, la, x, ag) "
        + "ON CONFLICT (symbol, interval, open_time) DO UPDATE SET close_time = EXCLUDED.close_time, open = EXCLUDED.open, "
        + "high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close, volume = EXCLUDED.volume, "
        + "quote_volume = EXCLUDED.quote_volume, trades = EXCLUDED.trades, taker_buy_volume = EXCLUDED.taker_buy_volume, "
        + "taker_buy_quote_volume = EXCLUDED.taker_buy_quote_volume, first_trade_id = EXCLUDED.first_trade_id, "
        + "last_trade_id = EXCLUDED.last_trade_id, closed = EXCLUDED.closed, "
        + "last_agg_id = COALESCE(EXCLUDED.last_agg_id, k.last_agg_id), updated_at = EXCLUDED.updated_at "
        // a closed kline is final: an open version never replaces it
        + "WHERE NOT k.closed OR EXCLUDED.closed";
    rangeAsc = "SELECT " + COLUMNS + " FROM " + t + " WHERE symbol = $1 AND interval = $2 AND open_time >= $3 "
        + "AND open_time <= $4 ORDER BY open_time ASC LIMIT $5";
    rangeDesc = "SELECT " + COLUMNS + " FROM " + t + " WHERE symbol = $1 AND interval = $2 AND open_time >= $3 "
        + "AND open_time <= $4 ORDER BY open_time DESC LIMIT $5";
    // a loose index scan over the primary key: one probe per (symbol, interval), not a table scan
    latest = "WITH RECURSIVE pairs AS ("
        + " (SELECT symbol, interval FROM " + t + " ORDER BY symbol, interval LIMIT 1)"
        + " UNION ALL"
        + " SELECT n.symbol, n.interval FROM pairs p CROSS JOIN LATERAL (SELECT symbol, interval FROM " + t + " k"
        + " WHERE (k.symbol, k.interval) > (p.symbol, p.interval) ORDER BY symbol, interval LIMIT 1) n)"
        + " SELECT p.symbol, p.interval, l.* FROM pairs p CROSS JOIN LATERAL (SELECT " + COLUMNS
        + ", first_trade_id, last_trade_id, closed FROM " + t + " k WHERE k.symbol = p.symbol AND k.interval = p.interval"
        + " ORDER BY open_time DESC LIMIT 1) l ORDER BY p.symbol, p.interval";
    // the two latest rows of each asked (symbol, interval): one backward probe of the primary key each
    state = "SELECT s.symbol, iv.interval, k." + COLUMNS.replace(", ", ", k.") + ", k.first_trade_id, k.last_trade_id,"
        + " k.closed, k.last_agg_id FROM UNNEST($1::text[]) AS s(symbol) CROSS JOIN UNNEST($2::text[]) AS iv(interval)"
        + " CROSS JOIN LATERAL (SELECT * FROM " + t + " x WHERE x.symbol = s.symbol AND x.interval = iv.interval"
        + " ORDER BY x.open_time DESC LIMIT 2) k";
  }

  /**
   * The two latest stored rows of every (symbol, interval) asked for, as {@link StoredState.Row}s
   * (numbers as stored text), for seeding workers at start.
   */
  public Future<List<StoredState.Row>> state(List<String> symbols, List<String> intervals) {
    return pool.preparedQuery(state)
        .execute(Tuple.tuple().addValue(symbols.toArray(new String[0])).addValue(intervals.toArray(new String[0])))
        .map(rs -> {
          List<StoredState.Row> out = new ArrayList<>(rs.size());
          for (Row r : rs) {
            String[] nums = new String[] {r.getString(3), r.getString(4), r.getString(5), r.getString(6),
                r.getString(7), r.getString(9), r.getString(11), r.getString(12)};
            out.add(new StoredState.Row(r.getString(0), r.getString(1), r.getLong(2), r.getLong(8), nums,
                r.getLong(10), r.getLong(13), r.getLong(14), r.getBoolean(15), r.getLong(16)));
          }
          return out;
        });
  }

  /** Upserts one batch of distinct keys in one statement; completes with the rows sent. */
  public Future<Integer> upsert(KlineBuffer.Batch b) {
    int n = b.size();
    String[] sym = new String[n];
    String[] iv = new String[n];
    long[] t = new long[n];
    long[] ct = new long[n];
    String[] o = new String[n];
    String[] h = new String[n];
    String[] l = new String[n];
    String[] c = new String[n];
    String[] v = new String[n];
    String[] q = new String[n];
    long[] cnt = new long[n];
    String[] vb = new String[n];
    String[] qb = new String[n];
    long[] f = new long[n];
    long[] la = new long[n];
    Boolean[] x = new Boolean[n];
    long[] ag = new long[n];
    StringBuilder sb = new StringBuilder(40);
    for (int i = 0; i < n; i++) {
      KlineBuffer.Key key = b.keys.get(i);
      Kline k = b.rows.get(i);
      sym[i] = key.symbol();
      iv[i] = key.interval().code();
      t[i] = k.openTime;
      ct[i] = k.closeTime;
      int ps = k.priceScale;
      int qs = k.qtyScale;
      o[i] = dec(sb, k.open, ps);
      h[i] = dec(sb, k.high, ps);
      l[i] = dec(sb, k.low, ps);
      c[i] = dec(sb, k.close, ps);
      v[i] = dec(sb, k.volume, qs);
      vb[i] = dec(sb, k.takerBuyVolume, qs);
      q[i] = dec128(sb, k.quoteHi, k.quoteLo, ps + qs);
      qb[i] = dec128(sb, k.takerBuyQuoteHi, k.takerBuyQuoteLo, ps + qs);
      cnt[i] = k.count;
      f[i] = k.firstId;
      la[i] = k.lastId;
      x[i] = k.closed;
      ag[i] = k.lastAggId;
    }
    Tuple args = Tuple.tuple().addValue(sym).addValue(iv).addValue(t).addValue(ct).addValue(o).addValue(h).addValue(l)
        .addValue(c).addValue(v).addValue(q).addValue(cnt).addValue(vb).addValue(qb).addValue(f).addValue(la).addValue(x)
        .addValue(ag);
    return pool.preparedQuery(upsert).execute(args).map(rs -> n);
  }

  private static String dec(StringBuilder sb, long m, int scale) {
    sb.setLength(0);
    return Decimals.append(sb, m, scale, scale).toString();
  }

  private static String dec128(StringBuilder sb, long hi, long lo, int scale) {
    sb.setLength(0);
    return Decimals.append128(sb, hi, lo, scale, scale).toString();
  }

  /**
   * Klines of one series in Binance's layout, ascending by open time. With a start time: the first
   * {@code limit} from it; without: the last {@code limit} up to the end time (Binance's rule).
   * Digits &lt; 0 print the stored scale; otherwise prices at {@code priceDigits}, base volumes at
   * {@code qtyDigits}, quote volumes at min(8, both), half-up like {@code klagg.service.ControlJson}.
   */
  public Future<JsonArray> history(String symbol, String interval, Long start, Long end, int limit, int priceDigits,
      int qtyDigits) {
    long from = start == null ? Long.MIN_VALUE : start;
    long to = end == null ? Long.MAX_VALUE : end;
    String sql = start != null ? rangeAsc : rangeDesc;
    return pool.preparedQuery(sql).execute(Tuple.of(symbol, interval, from, to, limit)).map(rs -> {
      List<JsonArray> rows = new ArrayList<>(rs.size());
      for (Row r : rs) {
        rows.add(kline(r, 0, priceDigits, qtyDigits));
      }
      if (start == null) {
        Collections.reverse(rows);
      }
      return new JsonArray(new ArrayList<>(rows));
    });
  }

  /** The latest stored kline of every (symbol, interval). */
  public Future<JsonArray> latest() {
    return pool.query(latest).execute().map(rs -> {
      JsonArray out = new JsonArray();
      for (Row r : rs) {
        out.add(new JsonObject().put("symbol", r.getString(0)).put("interval", r.getString(1))
            .put("openTime", r.getLong(2)).put("closed", r.getBoolean(15)).put("kline", kline(r, 2, -1, -1))
            .put("firstTradeId", r.getLong(13)).put("lastTradeId", r.getLong(14)));
      }
      return out;
    });
  }

  /** {@code [t, "o", "h", "l", "c", "v", T, "q", n, "V", "Q"]} from the columns at {@code at}. */
  private static JsonArray kline(Row r, int at, int pd, int qd) {
    int quoteDigits = pd < 0 || qd < 0 ? -1 : Math.min(8, pd + qd);
    return new JsonArray().add(r.getLong(at)).add(fmt(r.getString(at + 1), pd)).add(fmt(r.getString(at + 2), pd))
        .add(fmt(r.getString(at + 3), pd)).add(fmt(r.getString(at + 4), pd)).add(fmt(r.getString(at + 5), qd))
        .add(r.getLong(at + 6)).add(fmt(r.getString(at + 7), quoteDigits)).add(r.getLong(at + 8))
        .add(fmt(r.getString(at + 9), qd)).add(fmt(r.getString(at + 10), quoteDigits));
  }

  private static String fmt(String stored, int digits) {
    return digits < 0 ? stored : new BigDecimal(stored).setScale(digits, RoundingMode.HALF_UP).toPlainString();
  }
}
