package klagg.service;

import io.vertx.core.json.JsonArray;
import java.math.BigDecimal;
import java.math.BigInteger;
import klagg.core.AggTrade;
import klagg.core.Decimals;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.exchange.RestAggTrade;
import klagg.exchange.RestKline;

/**
 * JSON shapes of the control plane (REST repairs and seeds between verticles; never the trade path):
 * a trade is {@code [a, "p", "q", f, l, T, m]}, a kline Binance's REST array
 * {@code [t, "o", "h", "l", "c", "v", T, "q", n, "V", "Q"]}.
 */
public final class ControlJson {
  private ControlJson() {}

  public static JsonArray trade(RestAggTrade t) {
    return new JsonArray().add(t.aggId).add(t.price).add(t.qty).add(t.firstId).add(t.lastId).add(t.time)
        .add(t.buyerMaker);
  }

  public static AggTrade trade(JsonArray a, int symbol, AggTrade out) {
    int[] sc = new int[1];
    long p = Decimals.parse(a.getString(1), sc);
    int ps = sc[0];
    long q = Decimals.parse(a.getString(2), sc);
    out.set(symbol, a.getLong(0), p, ps, q, sc[0], a.getLong(3), a.getLong(4), a.getLong(5), a.getBoolean(6));
    out.eventTime = 0;
    return out;
  }

  public static JsonArray kline(RestKline k) {
    return new JsonArray().add(k.openTime).add(k.open).add(k.high).add(k.low).add(k.close).add(k.volume)
        .add(k.closeTime).add(k.quoteVolume).add(k.trades).add(k.takerBuyBaseVolume).add(k.takerBuyQuoteVolume);
  }

  /** A kline of ours as the same REST array, printed at the given digits. */
  public static JsonArray kline(Kline k, int priceDigits, int qtyDigits) {
    int quoteDigits = Math.min(8, Math.max(priceDigits + qtyDigits, 0));
    return new JsonArray().add(k.openTime)
        .add(Decimals.format(k.open, k.priceScale, Math.max(priceDigits, 0)))
        .add(Decimals.format(k.high, k.priceScale, Math.max(priceDigits, 0)))
        .add(Decimals.format(k.low, k.priceScale, Math.max(priceDigits, 0)))
        .add(Decimals.format(k.close, k.priceScale, Math.max(priceDigits, 0)))
        .add(Decimals.format(k.volume, k.qtyScale, Math.max(qtyDigits, 0)))
        .add(k.closeTime)
        .add(Decimals.format128(k.quoteHi, k.quoteLo, k.quoteScale(), quoteDigits))
        .add(k.count)
        .add(Decimals.format(k.takerBuyVolume, k.qtyScale, Math.max(qtyDigits, 0)))
        .add(Decimals.format128(k.takerBuyQuoteHi, k.takerBuyQuoteLo, k.quoteScale(), quoteDigits));
  }

  /** Parses a REST kline array exactly; trade ids are unknown (-1) unless it has no trade. */
  public static Kline kline(JsonArray a, int symbol, Interval iv, boolean closed) {
    BigDecimal o = dec(a.getValue(1));
    BigDecimal h = dec(a.getValue(2));
    BigDecimal l = dec(a.getValue(3));
    BigDecimal c = dec(a.getValue(4));
    BigDecimal v = dec(a.getValue(5));
    BigDecimal q = dec(a.getValue(7));
    BigDecimal vb = dec(a.getValue(9));
    BigDecimal qb = dec(a.getValue(10));
    int ps = Math.max(Math.max(scale(o), scale(h)), Math.max(scale(l), scale(c)));
    int qs = Math.max(scale(v), scale(vb));
    int need = Math.max(scale(q), scale(qb));
    if (need > ps + qs) {
      ps = need - qs;
    }
    Kline k = new Kline();
    k.symbol = symbol;
    k.interval = iv;
    k.openTime = a.getLong(0);
    k.closeTime = a.getLong(6);
    k.priceScale = ps;
    k.qtyScale = qs;
    k.open = o.movePointRight(ps).longValueExact();
    k.high = h.movePointRight(ps).longValueExact();
    k.low = l.movePointRight(ps).longValueExact();
    k.close = c.movePointRight(ps).longValueExact();
    k.volume = v.movePointRight(qs).longValueExact();
    k.takerBuyVolume = vb.movePointRight(qs).longValueExact();
    BigInteger qi = q.movePointRight(ps + qs).toBigIntegerExact();
    BigInteger qbi = qb.movePointRight(ps + qs).toBigIntegerExact();
    k.quoteHi = Decimals.hi(qi);
    k.quoteLo = Decimals.lo(qi);
    k.takerBuyQuoteHi = Decimals.hi(qbi);
    k.takerBuyQuoteLo = Decimals.lo(qbi);
    k.count = a.getLong(8);
    k.firstId = -1;
    k.lastId = -1;
    k.closed = closed;
    return k;
  }

  /** A kline exactly (mantissas, 128-bit quotes as decimal strings), for seeds between verticles. */
  public static io.vertx.core.json.JsonObject exact(Kline k) {
    return new io.vertx.core.json.JsonObject().put("i", k.interval.code()).put("t", k.openTime)
        .put("T", k.closeTime).put("ps", k.priceScale).put("qs", k.qtyScale).put("o", k.open).put("h", k.high)
        .put("l", k.low).put("c", k.close).put("v", k.volume).put("V", k.takerBuyVolume)
        .put("q", Decimals.toBigInteger(k.quoteHi, k.quoteLo).toString())
        .put("Q", Decimals.toBigInteger(k.takerBuyQuoteHi, k.takerBuyQuoteLo).toString())
        .put("n", k.count).put("f", k.firstId).put("L", k.lastId).put("x", k.closed);
  }

  public static Kline exact(io.vertx.core.json.JsonObject j, int symbol) {
    Kline k = new Kline();
    k.symbol = symbol;
    k.interval = Interval.parse(j.getString("i"));
    k.openTime = j.getLong("t");
    k.closeTime = j.getLong("T");
    k.priceScale = j.getInteger("ps");
    k.qtyScale = j.getInteger("qs");
    k.open = j.getLong("o");
    k.high = j.getLong("h");
    k.low = j.getLong("l");
    k.close = j.getLong("c");
    k.volume = j.getLong("v");
    k.takerBuyVolume = j.getLong("V");
    BigInteger q = new BigInteger(j.getString("q"));
    BigInteger qb = new BigInteger(j.getString("Q"));
    k.quoteHi = Decimals.hi(q);
    k.quoteLo = Decimals.lo(q);
    k.takerBuyQuoteHi = Decimals.hi(qb);
    k.takerBuyQuoteLo = Decimals.lo(qb);
    k.count = j.getLong("n");
    k.firstId = j.getLong("f");
    k.lastId = j.getLong("L");
    k.closed = j.getBoolean("x", false);
    return k;
  }

  private static BigDecimal dec(Object o) {
    return new BigDecimal(o.toString());
  }

  private static int scale(BigDecimal d) {
    BigDecimal s = d.stripTrailingZeros();
    return Math.max(0, s.scale());
  }
}
