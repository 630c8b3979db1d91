package klagg.core;

/**
 * One aggregate trade as primitives: a reusable, mutable record the decoder fills in place (no
 * allocation per trade). Price and quantity are exact decimals: {@code value = mantissa / 10^scale},
 * with trailing fractional zeros stripped by whoever fills it (so the scale is the number of
 * significant decimals).
 */
public final class AggTrade {
  /** Symbol id from the {@link SymbolIndex} that decoded it. */
  public int symbol;
  /** Aggregate trade id ({@code a}). */
  public long aggId;
  public long price;
  public int priceScale;
  public long qty;
  public int qtyScale;
  /** First and last trade id of the fills ({@code f}, {@code l}). */
  public long firstId;
  public long lastId;
  /** Trade time ({@code T}), ms. */
  public long time;
  /** Event time ({@code E}), ms; 0 when absent (CSV input). */
  public long eventTime;
  /** {@code m}: the buyer was the maker, so the taker sold. */
  public boolean buyerMaker;

  public AggTrade set(int symbol, long aggId, long price, int priceScale, long qty, int qtyScale,
      long firstId, long lastId, long time, boolean buyerMaker) {
    this.symbol = symbol;
    this.aggId = aggId;
    this.price = price;
    this.priceScale = priceScale;
    this.qty = qty;
    this.qtyScale = qtyScale;
    this.firstId = firstId;
    this.lastId = lastId;
    this.time = time;
    this.buyerMaker = buyerMaker;
    return this;
  }

  public void copyFrom(AggTrade o) {
    set(o.symbol, o.aggId, o.price, o.priceScale, o.qty, o.qtyScale, o.firstId, o.lastId, o.time,
        o.buyerMaker);
    eventTime = o.eventTime;
  }

  @Override
  public String toString() {
    return "AggTrade{sym=" + symbol + ", a=" + aggId + ", p=" + Decimals.toPlainString(price, priceScale)
        + ", q=" + Decimals.toPlainString(qty, qtyScale) + ", f=" + firstId + ", l=" + lastId
        + ", T=" + time + ", E=" + eventTime + ", m=" + buyerMaker + "}";
  }
}
