package klagg.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** One kline as the simulator serves it (strings already printed Binance-style). */
public final class SimKline {
  public final String symbol;
  public final SimInterval interval;
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

  SimKline(SymbolInfo s, SimInterval iv, long openTime, TradeSums sum, long prevClose) {
    this.symbol = s.name;
    this.interval = iv;
    this.openTime = openTime;
    this.closeTime = iv.closeOf(openTime);
    int ps = s.priceScale;
    int qs = s.qtyScale;
    int qq = ps + qs;
    if (sum.empty()) {
      String p = SimDecimal.format(prevClose, ps, s.priceDigits);
      open = p;
      high = p;
      low = p;
      close = p;
      volume = SimDecimal.format(0, 0, s.qtyDigits);
      quoteVolume = SimDecimal.format(0, 0, s.quoteDigits);
      takerBase = volume;
      takerQuote = quoteVolume;
      count = 0;
      firstTradeId = -1;
      lastTradeId = -1;
    } else {
      open = SimDecimal.format(sum.open, ps, s.priceDigits);
      high = SimDecimal.format(sum.high, ps, s.priceDigits);
      low = SimDecimal.format(sum.low, ps, s.priceDigits);
      close = SimDecimal.format(sum.close, ps, s.priceDigits);
      volume = sum.volume.format(qs, s.qtyDigits);
      quoteVolume = sum.quote.format(qq, s.quoteDigits);
      takerBase = sum.takerBase.format(qs, s.qtyDigits);
      takerQuote = sum.takerQuote.format(qq, s.quoteDigits);
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
