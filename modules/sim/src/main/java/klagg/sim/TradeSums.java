package klagg.sim;

/**
 * The oracle's kline arithmetic over aggTrades: open = first price, high/low, close = last price,
 * volume = Σq, quote volume = Σp·q, trade count = Σ(l − f + 1), taker buy base/quote = the same sums over
 * trades whose buyer is not the maker, first/last trade id. Sums are exact ({@link ExactSum}); prices and
 * quantities are mantissas at the symbol's price/qty scales, quote sums at priceScale + qtyScale.
 */
public final class TradeSums implements TradeVisitor {
  public long open;
  public long high;
  public long low;
  public long close;
  public final ExactSum volume = new ExactSum();
  public final ExactSum quote = new ExactSum();
  public final ExactSum takerBase = new ExactSum();
  public final ExactSum takerQuote = new ExactSum();
  public long count;
  public long firstTradeId = -1;
  public long lastTradeId = -1;
  /** Number of aggTrades summed. */
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
      high = Math.max(high, p);
      low = Math.min(low, p);
    }
    close = p;
    lastTradeId = l;
    trades++;
    count = Math.addExact(count, l - f + 1);
    volume.add(q);
    quote.addProduct(p, q);
    if (!m) {
      takerBase.add(q);
      takerQuote.addProduct(p, q);
    }
    return true;
  }

  /** Appends {@code o}, which covers a later window, to this. */
  public TradeSums merge(TradeSums o) {
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
    count = Math.addExact(count, o.count);
    volume.add(o.volume);
    quote.add(o.quote);
    takerBase.add(o.takerBase);
    takerQuote.add(o.takerQuote);
    return this;
  }

  public TradeSums copy() {
    return new TradeSums().merge(this);
  }
}
