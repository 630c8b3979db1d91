package klagg.core;

/**
 * A reusable block of parsed aggTrade rows as primitive arrays, with the rows rejected while parsing
 * them: what the replay's parser threads hand to the aggregating thread. Mutable and not
 * thread-safe; it is owned by one thread at a time (handed over through a queue).
 */
public final class TradeBlock {
  public final int capacity;
  public int size;
  public final long[] aggId;
  public final long[] price;
  public final byte[] priceScale;
  public final long[] qty;
  public final byte[] qtyScale;
  public final long[] firstId;
  public final long[] lastId;
  public final long[] time;
  public final boolean[] buyerMaker;
  /** Rows rejected while parsing, counted by {@link RejectReason} ordinal. */
  public final long[] rejects = new long[RejectReason.count()];
  public long rejected;
  /** Most decimals printed in a price / quantity of this block's rows. */
  public int priceDigits;
  public int qtyDigits;
  /** Input bytes consumed by this block (for progress). */
  public long bytes;
  /**
   * Instead of rows: whole lines of raw CSV, {@code raw[0, rawLen)}, still to be parsed (what a
   * zip entry's inflating thread hands on); {@code rawFirst} when they start the stream (a header
   * may come first).
   */
  byte[] raw;
  int rawLen;
  boolean rawFirst;

  public TradeBlock(int capacity) {
    this.capacity = capacity;
    aggId = new long[capacity];
    price = new long[capacity];
    priceScale = new byte[capacity];
    qty = new long[capacity];
    qtyScale = new byte[capacity];
    firstId = new long[capacity];
    lastId = new long[capacity];
    time = new long[capacity];
    buyerMaker = new boolean[capacity];
  }

  public boolean full() {
    return size == capacity;
  }

  public TradeBlock clear() {
    size = 0;
    if (rejected != 0) {
      java.util.Arrays.fill(rejects, 0L);
      rejected = 0;
    }
    priceDigits = 0;
    qtyDigits = 0;
    bytes = 0;
    rawLen = 0;
    rawFirst = false;
    return this;
  }

  void reject(RejectReason r) {
    rejects[r.ordinal()]++;
    rejected++;
  }

  /** Row {@code i} into the reusable {@code out}. */
  public AggTrade get(int i, int symbol, AggTrade out) {
    return out.set(symbol, aggId[i], price[i], priceScale[i], qty[i], qtyScale[i], firstId[i], lastId[i],
        time[i], buyerMaker[i]);
  }
}
