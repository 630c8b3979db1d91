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
