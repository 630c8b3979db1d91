package klagg.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import klagg.core.Decimals;
import klagg.core.Interval;

/** One kline as the simulator serves it (strings already printed Binance-style). */
public final class Kline {
  public final String symbol;
  public final Interval interval;
  public final long openTime;
  public final long closeTime;
  public final String open;
  public final String high;
  public final String low;
  public final String close;
  public final String volume;
  public final String quoteVolume;
  public final long count;
  public final String takerBase;
  public final String takerQuote;
  public final long firstTradeId;
  public final long lastTradeId;

  Kline(SymbolInfo s, Interval iv, long openTime, Summary sum, long prevClose) {
    this.symbol = s.name;
    this.interval = iv;
    this.openTime = openTime;
    this.closeTime = iv.closeOf(openTime);
    int ps = s.priceScale;
    int qs = s.qtyScale;
    int qq = ps + qs;
    if (sum.empty()) {
      String p = Decimals.format(prevClose, ps, s.priceDigits);
      open = p;
      high = p;
      low = p;
      close = p;
      volume = Decimals.format(0, 0, s.qtyDigits);
      quoteVolume = Decimals.format(0, 0, s.quoteDigits);
      takerBase = volume;
      takerQuote = quoteVolume;
      count = 0;
      firstTradeId = -1;
      lastTradeId = -1;
    } else {
      open = Decimals.format(sum.open, ps, s.priceDigits);
      high = Decimals.format(sum.high, ps, s.priceDigits);
      low = Decimals.format(sum.low, ps, s.priceDigits);
      close = Decimals.format(sum.close, ps, s.priceDigits);
      volume = Decimals.format(sum.volume, qs, s.qtyDigits);
      quoteVolume = Decimals.format128(sum.quoteHi, sum.quoteLo, qq, s.quoteDigits);
      takerBase = Decimals.format(sum.takerBase, qs, s.qtyDigits);
      takerQuote = Decimals.format128(sum.takerQuoteHi, sum.takerQuoteLo, qq, s.quoteDigits);
      count = sum.count;
      firstTradeId = sum.firstTradeId;
      lastTradeId = sum.lastTradeId;
    }
  }

  /** Binance's REST row: {@code [openTime,"o","h","l","c","v",closeTime,"q",n,"V","Q","0"]}. */
  public JsonArray toRestRow() {
    return new JsonArray().add(openTime).add(open).add(high).add(low).add(close).add(volume)
        .add(closeTime).add(quoteVolume).add(count).add(takerBase).add(takerQuote).add("0");
  }

  /** The {@code k} object of the kline stream. */
  public JsonObject toStreamK(boolean closed) {
    return new JsonObject().put("t", openTime).put("T", closeTime).put("s", symbol)
        .put("i", interval.code()).put("f", firstTradeId).put("L", lastTradeId).put("o", open)
        .put("c", close).put("h", high).put("l", low).put("v", volume).put("n", count)
        .put("x", closed).put("q", quoteVolume).put("V", takerBase).put("Q", takerQuote).put("B", "0");
  }

  @Override
  public String toString() {
    return toRestRow().encode();
  }
}
