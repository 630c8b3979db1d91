package klagg.exchange;

import klagg.core.AggTrade;
import klagg.core.Decimals;

/**
 * One REST aggregate trade ({@code a,p,q,f,l,T,m}) kept exactly: the printed price and quantity
 * strings and their exact mantissas and scales (trailing zeros stripped).
 */
public final class RestAggTrade {
  public final long aggId;
  public final String price;
  public final String qty;
  public final long priceM;
  public final int priceScale;
  public final long qtyM;
  public final int qtyScale;
  public final long firstId;
  public final long lastId;
  public final long time;
  public final boolean buyerMaker;

  public RestAggTrade(long aggId, String price, String qty, long firstId, long lastId, long time,
      boolean buyerMaker) {
    int[] s = new int[1];
    this.aggId = aggId;
    this.price = price;
    this.qty = qty;
    this.priceM = Decimals.parse(price, s);
    this.priceScale = s[0];
    this.qtyM = Decimals.parse(qty, s);
    this.qtyScale = s[0];
    this.firstId = firstId;
    this.lastId = lastId;
    this.time = time;
    this.buyerMaker = buyerMaker;
  }

  /** Fills the core's reusable record (event time 0: REST has none). */
  public AggTrade copyTo(AggTrade t, int symbolId) {
    t.set(symbolId, aggId, priceM, priceScale, qtyM, qtyScale, firstId, lastId, time, buyerMaker);
    t.eventTime = 0;
    return t;
  }

  @Override
  public String toString() {
    return "RestAggTrade[a=" + aggId + " p=" + price + " q=" + qty + " f=" + firstId + " l=" + lastId
        + " T=" + time + " m=" + buyerMaker + "]";
  }
}
