package klagg.sim;


/** One aggregate trade as served (mantissas at the symbol's scales). */
public final class SimTrade {
  public final long aggId;
  public final long price;
  public final long qty;
  public final long firstId;
  public final long lastId;
  public final long time;
  public final boolean buyerMaker;

  public SimTrade(long aggId, long price, long qty, long firstId, long lastId, long time, boolean buyerMaker) {
    this.aggId = aggId;
    this.price = price;
    this.qty = qty;
    this.firstId = firstId;
    this.lastId = lastId;
    this.time = time;
    this.buyerMaker = buyerMaker;
  }

  /** Binance REST aggTrades element. */
  public StringBuilder appendRest(StringBuilder sb, SymbolInfo s) {
    sb.append("{\"a\":").append(aggId).append(",\"p\":\"");
    SimDecimal.append(sb, price, s.priceScale, s.priceDigits);
    sb.append("\",\"q\":\"");
    SimDecimal.append(sb, qty, s.qtyScale, s.qtyDigits);
    return sb.append("\",\"f\":").append(firstId).append(",\"l\":").append(lastId).append(",\"T\":")
        .append(time).append(",\"m\":").append(buyerMaker).append(",\"M\":true}");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SimTrade t && t.aggId == aggId && t.price == price && t.qty == qty
        && t.firstId == firstId && t.lastId == lastId && t.time == time && t.buyerMaker == buyerMaker;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(aggId * 31 + time);
  }

  @Override
  public String toString() {
    return "SimTrade{a=" + aggId + ", p=" + price + ", q=" + qty + ", f=" + firstId + ", l=" + lastId
        + ", T=" + time + ", m=" + buyerMaker + "}";
  }
}
