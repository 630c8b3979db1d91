package klagg.core;

import java.util.Arrays;

/**
 * An immutable batch of aggregate trades as primitive arrays: what ingest sends a worker per frame
 * burst, and what a REST repair returns. Built by a {@link Builder} (reused), frozen by
 * {@link Builder#build}.
 */
public final class TradeBatch {
  private final int size;
  private final int[] symbol;
  private final long[] aggId;
  private final long[] price;
  private final byte[] priceScale;
  private final long[] qty;
  private final byte[] qtyScale;
  private final long[] firstId;
  private final long[] lastId;
  private final long[] time;
  private final long[] eventTime;
  private final boolean[] buyerMaker;

  private TradeBatch(Builder b) {
    int n = b.size;
    size = n;
    symbol = Arrays.copyOf(b.symbol, n);
    aggId = Arrays.copyOf(b.aggId, n);
    price = Arrays.copyOf(b.price, n);
    priceScale = Arrays.copyOf(b.priceScale, n);
    qty = Arrays.copyOf(b.qty, n);
    qtyScale = Arrays.copyOf(b.qtyScale, n);
    firstId = Arrays.copyOf(b.firstId, n);
    lastId = Arrays.copyOf(b.lastId, n);
    time = Arrays.copyOf(b.time, n);
    eventTime = Arrays.copyOf(b.eventTime, n);
    buyerMaker = Arrays.copyOf(b.buyerMaker, n);
  }

  public int size() {
    return size;
  }

  public int symbol(int i) {
    return symbol[i];
  }

  public long aggId(int i) {
    return aggId[i];
  }

  public long time(int i) {
    return time[i];
  }

  public long eventTime(int i) {
    return eventTime[i];
  }

  /** Row {@code i} into the reusable {@code out}. */
  public AggTrade get(int i, AggTrade out) {
    out.set(symbol[i], aggId[i], price[i], priceScale[i], qty[i], qtyScale[i], firstId[i], lastId[i],
        time[i], buyerMaker[i]);
    out.eventTime = eventTime[i];
    return out;
  }

  /** Bytes of {@link #writeTo}: a compact binary form for the cluster (no Java serialization). */
  public int wireSize() {
    return 4 + size * (4 + 8 * 7 + 2 + 1);
  }

  /** Writes the batch through {@code out}: count, then column by column. */
  public void writeTo(WireOut out) {
    out.writeInt(size);
    for (int i = 0; i < size; i++) {
      out.writeInt(symbol[i]);
    }
    for (long[] col : new long[][] {aggId, price, qty, firstId, lastId, time, eventTime}) {
      for (int i = 0; i < size; i++) {
        out.writeLong(col[i]);
      }
    }
    for (int i = 0; i < size; i++) {
      out.writeByte(priceScale[i]);
      out.writeByte(qtyScale[i]);
      out.writeByte(buyerMaker[i] ? 1 : 0);
    }
  }

  /** Reads what {@link #writeTo} wrote. */
  public static TradeBatch readFrom(WireIn in) {
    int n = in.readInt();
    Builder b = new Builder(n);
    b.size = n;
    for (int i = 0; i < n; i++) {
      b.symbol[i] = in.readInt();
    }
    for (long[] col : new long[][] {b.aggId, b.price, b.qty, b.firstId, b.lastId, b.time, b.eventTime}) {
      for (int i = 0; i < n; i++) {
        col[i] = in.readLong();
      }
    }
    for (int i = 0; i < n; i++) {
      b.priceScale[i] = in.readByte();
      b.qtyScale[i] = in.readByte();
      b.buyerMaker[i] = in.readByte() != 0;
    }
    return b.build();
  }

  /** Growable rows; one builder is reused for many batches. */
  public static final class Builder {
    int size;
    int[] symbol;
    long[] aggId;
    long[] price;
    byte[] priceScale;
    long[] qty;
    byte[] qtyScale;
    long[] firstId;
    long[] lastId;
    long[] time;
    long[] eventTime;
    boolean[] buyerMaker;

    public Builder(int capacity) {
      int n = Math.max(4, capacity);
      symbol = new int[n];
      aggId = new long[n];
      price = new long[n];
      priceScale = new byte[n];
      qty = new long[n];
      qtyScale = new byte[n];
      firstId = new long[n];
      lastId = new long[n];
      time = new long[n];
      eventTime = new long[n];
      buyerMaker = new boolean[n];
    }

    public Builder add(AggTrade t) {
      if (size == symbol.length) {
        int n = size * 2;
        symbol = Arrays.copyOf(symbol, n);
        aggId = Arrays.copyOf(aggId, n);
        price = Arrays.copyOf(price, n);
        priceScale = Arrays.copyOf(priceScale, n);
        qty = Arrays.copyOf(qty, n);
        qtyScale = Arrays.copyOf(qtyScale, n);
        firstId = Arrays.copyOf(firstId, n);
        lastId = Arrays.copyOf(lastId, n);
        time = Arrays.copyOf(time, n);
        eventTime = Arrays.copyOf(eventTime, n);
        buyerMaker = Arrays.copyOf(buyerMaker, n);
      }
      int i = size++;
      symbol[i] = t.symbol;
      aggId[i] = t.aggId;
      price[i] = t.price;
      priceScale[i] = (byte) t.priceScale;
      qty[i] = t.qty;
      qtyScale[i] = (byte) t.qtyScale;
      firstId[i] = t.firstId;
      lastId[i] = t.lastId;
      time[i] = t.time;
      eventTime[i] = t.eventTime;
      buyerMaker[i] = t.buyerMaker;
      return this;
    }

    public int size() {
      return size;
    }

    /** Drops the rows added so far (a shed worker's trades: repaired from REST later). */
    public void clear() {
      size = 0;
    }

    /** Freezes the rows into a batch and empties the builder. */
    public TradeBatch build() {
      TradeBatch b = new TradeBatch(this);
      size = 0;
      return b;
    }
  }
}
