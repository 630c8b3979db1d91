package klagg.core;

import java.math.BigDecimal;

/**
 * One kline as a mutable primitive record (reusable; not for the per-trade path). Prices at
 * {@link #priceScale}, base volumes at {@link #qtyScale}, quote volumes 128-bit at
 * {@code priceScale + qtyScale}.
 */
public final class Kline {
  public int symbol;
  public Interval interval;
  public long openTime;
  public long closeTime;
  public long open;
  public long high;
  public long low;
  public long close;
  public int priceScale;
  public long volume;
  public long takerBuyVolume;
  public int qtyScale;
  public long quoteHi;
  public long quoteLo;
  public long takerBuyQuoteHi;
  public long takerBuyQuoteLo;
  public long count;
  public long firstId = -1;
  public long lastId = -1;
  /**
   * The symbol's last applied aggregate trade id when this kline was read from the book (-1: not
   * known, e.g. a REST kline); stored with the row so a restart resumes from it.
   */
  public long lastAggId = -1;
  public boolean closed;

  public int quoteScale() {
    return priceScale + qtyScale;
  }

  public BigDecimal openDecimal() {
    return BigDecimal.valueOf(open, priceScale);
  }

  public BigDecimal highDecimal() {
    return BigDecimal.valueOf(high, priceScale);
  }

  public BigDecimal lowDecimal() {
    return BigDecimal.valueOf(low, priceScale);
  }

  public BigDecimal closeDecimal() {
    return BigDecimal.valueOf(close, priceScale);
  }

  public BigDecimal volumeDecimal() {
    return BigDecimal.valueOf(volume, qtyScale);
  }

  public BigDecimal takerBuyVolumeDecimal() {
    return BigDecimal.valueOf(takerBuyVolume, qtyScale);
  }

  public BigDecimal quoteVolumeDecimal() {
    return Decimals.toBigDecimal(quoteHi, quoteLo, quoteScale());
  }

  public BigDecimal takerBuyQuoteVolumeDecimal() {
    return Decimals.toBigDecimal(takerBuyQuoteHi, takerBuyQuoteLo, quoteScale());
  }

  /** Copies every field of {@code o}. */
  public Kline set(Kline o) {
    symbol = o.symbol;
    interval = o.interval;
    openTime = o.openTime;
    closeTime = o.closeTime;
    open = o.open;
    high = o.high;
    low = o.low;
    close = o.close;
    priceScale = o.priceScale;
    volume = o.volume;
    takerBuyVolume = o.takerBuyVolume;
    qtyScale = o.qtyScale;
    quoteHi = o.quoteHi;
    quoteLo = o.quoteLo;
    takerBuyQuoteHi = o.takerBuyQuoteHi;
    takerBuyQuoteLo = o.takerBuyQuoteLo;
    count = o.count;
    firstId = o.firstId;
    lastId = o.lastId;
    lastAggId = o.lastAggId;
    closed = o.closed;
    return this;
  }

  /** Re-expresses the values at finer scales (never coarser). */
  public Kline rescale(int newPriceScale, int newQtyScale) {
    int dp = newPriceScale - priceScale;
    int dq = newQtyScale - qtyScale;
    if (dp < 0 || dq < 0) {
      throw new IllegalArgumentException("cannot narrow scales");
    }
    if (dp == 0 && dq == 0) {
      return this;
    }
    long fp = Decimals.pow10(dp);
    long fq = Decimals.pow10(dq);
    open = Math.multiplyExact(open, fp);
    high = Math.multiplyExact(high, fp);
    low = Math.multiplyExact(low, fp);
    close = Math.multiplyExact(close, fp);
    volume = Math.multiplyExact(volume, fq);
    takerBuyVolume = Math.multiplyExact(takerBuyVolume, fq);
    java.math.BigInteger f = java.math.BigInteger.TEN.pow(dp + dq);
    java.math.BigInteger q = Decimals.toBigInteger(quoteHi, quoteLo).multiply(f);
    java.math.BigInteger tq = Decimals.toBigInteger(takerBuyQuoteHi, takerBuyQuoteLo).multiply(f);
    quoteHi = Decimals.hi(q);
    quoteLo = Decimals.lo(q);
    takerBuyQuoteHi = Decimals.hi(tq);
    takerBuyQuoteLo = Decimals.lo(tq);
    priceScale = newPriceScale;
    qtyScale = newQtyScale;
    return this;
  }

  /**
   * Extends this kline by the one that follows it in time (same scales), with the book's rules: the
   * open, high and low come from klines that had trades (a flat kline only carries the close
   * forward), the close from the later kline, sums add up. Used to build a coarse kline from finer
   * ones.
   */
  public Kline merge(Kline later) {
    if (later.priceScale != priceScale || later.qtyScale != qtyScale) {
      int ps = Math.max(priceScale, later.priceScale);
      int qs = Math.max(qtyScale, later.qtyScale);
      rescale(ps, qs);
      later = new Kline().set(later).rescale(ps, qs);
    }
    if (later.count > 0) {
      if (count == 0) {
        open = later.open;
        high = later.high;
        low = later.low;
        firstId = later.firstId;
      } else {
        high = Math.max(high, later.high);
        low = Math.min(low, later.low);
      }
      lastId = later.lastId;
    }
    close = later.close;
    volume += later.volume;
    takerBuyVolume += later.takerBuyVolume;
    long lo = quoteLo + later.quoteLo;
    quoteHi += later.quoteHi + (Long.compareUnsigned(lo, quoteLo) < 0 ? 1 : 0);
    quoteLo = lo;
    long tlo = takerBuyQuoteLo + later.takerBuyQuoteLo;
    takerBuyQuoteHi += later.takerBuyQuoteHi + (Long.compareUnsigned(tlo, takerBuyQuoteLo) < 0 ? 1 : 0);
    takerBuyQuoteLo = tlo;
    count += later.count;
    return this;
  }

  @Override
  public String toString() {
    return "Kline{" + symbol + " " + interval.code() + " " + openTime + " o=" + openDecimal().toPlainString()
        + " h=" + highDecimal().toPlainString() + " l=" + lowDecimal().toPlainString()
        + " c=" + closeDecimal().toPlainString() + " v=" + volumeDecimal().toPlainString()
        + " q=" + quoteVolumeDecimal().toPlainString() + " n=" + count
        + " V=" + takerBuyVolumeDecimal().toPlainString()
        + " Q=" + takerBuyQuoteVolumeDecimal().toPlainString() + " f=" + firstId + " L=" + lastId
        + (closed ? " closed" : " open") + "}";
  }
}
