package klagg.service.web;

import io.vertx.core.json.JsonObject;
import klagg.core.Decimals;
import klagg.core.Kline;

/** Binance's kline stream payload. */
final class StreamEvents {
  private StreamEvents() {}

  /**
   * {@code {"e":"kline","E":..,"s":..,"k":{"t","T","s","i","f","L","o","c","h","l","v","n","x","q","V","Q","B"}}}
   * with prices and quantities at 8 decimals, as Binance spot prints them.
   */
  static JsonObject event(Kline k, String symbol, long eventTime) {
    int p = Symbols.PRICE_DIGITS;
    int q = Symbols.QTY_DIGITS;
    int qq = Math.min(8, p + q);
    JsonObject body = new JsonObject()
        .put("t", k.openTime)
        .put("T", k.closeTime)
        .put("s", symbol)
        .put("i", k.interval.code())
        .put("f", k.firstId)
        .put("L", k.lastId)
        .put("o", Decimals.format(k.open, k.priceScale, p))
        .put("c", Decimals.format(k.close, k.priceScale, p))
        .put("h", Decimals.format(k.high, k.priceScale, p))
        .put("l", Decimals.format(k.low, k.priceScale, p))
        .put("v", Decimals.format(k.volume, k.qtyScale, q))
        .put("n", k.count)
        .put("x", k.closed)
        .put("q", Decimals.format128(k.quoteHi, k.quoteLo, k.quoteScale(), qq))
        .put("V", Decimals.format(k.takerBuyVolume, k.qtyScale, q))
        .put("Q", Decimals.format128(k.takerBuyQuoteHi, k.takerBuyQuoteLo, k.quoteScale(), qq))
        .put("B", "0");
    return new JsonObject().put("e", "kline").put("E", eventTime).put("s", symbol).put("k", body);
  }
}
