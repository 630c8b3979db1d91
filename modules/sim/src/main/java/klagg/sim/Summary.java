package klagg.sim;

/**
 * Exact OHLCV accumulator over aggTrades (the oracle): open = first price, high/low, close = last,
 * volume = Σq, quote = Σp·q (128-bit), count = Σ(l−f+1), taker buy base/quote over trades with m false.
 * Mantissas are at the symbol's price/qty scales; quote at priceScale+qtyScale.
 */
public final class Summary implements TradeVisitor {
  public long open;
  public long high;
  public long low;
  public long close;
  public long volume;
  public long quoteHi;
  public long quoteLo;
  public long count;
  public long takerBase;
  public long takerQuoteHi;
  public long takerQuoteLo;
  public long firstTradeId = -1;
  public long lastTradeId = -1;
  public long trades;

  public boolean empty() {
    return trades == 0;
  }

  @Override
  public boolean trade(long aggId, long p, long q, long f, long l, long t, boolean m) {
    if (trades == 0) {
      open = p;
      high = p;
      low = p;
      firstTradeId = f;
    } else {
      if (p > high) {
        high = p;
      }
      if (p < low) {
        low = p;
      }
    }
    close = p;
    lastTradeId = l;
    trades++;
    volume += q;
    long hi = Math.multiplyHigh(p, q);
    long lo = p * q;
    long nlo = quoteLo + lo;
    quoteHi += hi + (Long.compareUnsigned(nlo, quoteLo) < 0 ? 1 : 0);
    quoteLo = nlo;
    count += l - f + 1;
    if (!m) {
      takerBase += q;
      long tlo = takerQuoteLo + lo;
      takerQuoteHi += hi + (Long.compareUnsigned(tlo, takerQuoteLo) < 0 ? 1 : 0);
      takerQuoteLo = tlo;
    }
    return true;
  }

  /** Appends {@code o} (which covers a later window) to this. */
  public Summary merge(Summary o) {
    if (o.trades == 0) {
      return this;
    }
    if (trades == 0) {
      open = o.open;
      high = o.high;
      low = o.low;
      firstTradeId = o.firstTradeId;
    } else {
      high = Math.max(high, o.high);
      low = Math.min(low, o.low);
    }
    close = o.close;
    lastTradeId = o.lastTradeId;
    trades += o.trades;
    volume += o.volume;
    long nlo = quoteLo + o.quoteLo;
    quoteHi += o.quoteHi + (Long.compareUnsigned(nlo, quoteLo) < 0 ? 1 : 0);
    quoteLo = nlo;
    count += o.count;
    takerBase += o.takerBase;
    long tlo = takerQuoteLo + o.takerQuoteLo;
    takerQuoteHi += o.takerQuoteHi + (Long.compareUnsigned(tlo, takerQuoteLo) < 0 ? 1 : 0);
    takerQuoteLo = tlo;
    return this;
  }

  public Summary copy() {
    return new Summary().merge(this);
  }
}
