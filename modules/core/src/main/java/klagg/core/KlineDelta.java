package klagg.core;

/**
 * An immutable batch of klines (struct of arrays): what changed in a {@link KlineBook} since the last
 * acknowledged delta, under an epoch. Prices are mantissas at {@link #priceScale}, base volumes at
 * {@link #qtyScale}, quote volumes are 128-bit at {@code priceScale + qtyScale}.
 *
 * <p>Built once by {@link Builder}, then never changed, so it can pass between verticles by
 * reference. A worker's delta names its shard and the worker's fencing token ({@link Fence}), so
 * output of an owner that was fenced is refused where deltas are applied and stored.
 */
public final class KlineDelta {
  private final long epoch;
  private final int shard;
  private final long fence;
  private final int size;
  final int[] symbol;
  final byte[] interval;
  final long[] openTime;
  final long[] closeTime;
  final long[] open;
  final long[] high;
  final long[] low;
  final long[] close;
  final byte[] priceScale;
  final long[] volume;
  final long[] takerVolume;
  final byte[] qtyScale;
  final long[] quoteHi;
  final long[] quoteLo;
  final long[] takerQuoteHi;
  final long[] takerQuoteLo;
  final long[] count;
  final long[] firstId;
  final long[] lastId;
  final long[] lastAggId;
  final boolean[] closed;

  private static final Interval[] IV = Interval.values();

  /** The same rows (shared: they never change) under {@code shard} and {@code fence}. */
  private KlineDelta(KlineDelta d, int shard, long fence) {
    this.epoch = d.epoch;
    this.shard = shard;
    this.fence = fence;
    this.size = d.size;
    symbol = d.symbol;
    interval = d.interval;
    openTime = d.openTime;
    closeTime = d.closeTime;
    open = d.open;
    high = d.high;
    low = d.low;
    close = d.close;
    priceScale = d.priceScale;
    volume = d.volume;
    takerVolume = d.takerVolume;
    qtyScale = d.qtyScale;
    quoteHi = d.quoteHi;
    quoteLo = d.quoteLo;
    takerQuoteHi = d.takerQuoteHi;
    takerQuoteLo = d.takerQuoteLo;
    count = d.count;
    firstId = d.firstId;
    lastId = d.lastId;
    lastAggId = d.lastAggId;
    closed = d.closed;
  }

  private KlineDelta(long epoch, Builder b) {
    this.epoch = epoch;
    this.shard = -1;
    this.fence = Fence.NONE;
    this.size = b.size;
    int n = b.size;
    symbol = java.util.Arrays.copyOf(b.symbol, n);
    interval = java.util.Arrays.copyOf(b.interval, n);
    openTime = java.util.Arrays.copyOf(b.openTime, n);
    closeTime = java.util.Arrays.copyOf(b.closeTime, n);
    open = java.util.Arrays.copyOf(b.open, n);
    high = java.util.Arrays.copyOf(b.high, n);
    low = java.util.Arrays.copyOf(b.low, n);
    close = java.util.Arrays.copyOf(b.close, n);
    priceScale = java.util.Arrays.copyOf(b.priceScale, n);
    volume = java.util.Arrays.copyOf(b.volume, n);
    takerVolume = java.util.Arrays.copyOf(b.takerVolume, n);
    qtyScale = java.util.Arrays.copyOf(b.qtyScale, n);
    quoteHi = java.util.Arrays.copyOf(b.quoteHi, n);
    quoteLo = java.util.Arrays.copyOf(b.quoteLo, n);
    takerQuoteHi = java.util.Arrays.copyOf(b.takerQuoteHi, n);
    takerQuoteLo = java.util.Arrays.copyOf(b.takerQuoteLo, n);
    count = java.util.Arrays.copyOf(b.count, n);
    firstId = java.util.Arrays.copyOf(b.firstId, n);
    lastId = java.util.Arrays.copyOf(b.lastId, n);
    lastAggId = java.util.Arrays.copyOf(b.lastAggId, n);
    closed = java.util.Arrays.copyOf(b.closed, n);
  }

  public long epoch() {
    return epoch;
  }

  public int size() {
    return size;
  }

  /** The worker shard the delta comes from, -1 when none (e.g. backfill). */
  public int shard() {
    return shard;
  }

  /** The fencing token of the worker that took the delta ({@link Fence#NONE} when none). */
  public long fence() {
    return fence;
  }

  /** This delta as the output of {@code shard}'s owner holding {@code fence}; the rows are shared. */
  public KlineDelta fenced(int shard, long fence) {
    return new KlineDelta(this, shard, fence);
  }

  public int symbol(int i) {
    return symbol[i];
  }

  public Interval interval(int i) {
    return IV[interval[i]];
  }

  public long openTime(int i) {
    return openTime[i];
  }

  public long closeTime(int i) {
    return closeTime[i];
  }

  public long open(int i) {
    return open[i];
  }

  public long high(int i) {
    return high[i];
  }

  public long low(int i) {
    return low[i];
  }

  public long close(int i) {
    return close[i];
  }

  public int priceScale(int i) {
    return priceScale[i];
  }

  public long volume(int i) {
    return volume[i];
  }

  public long takerBuyVolume(int i) {
    return takerVolume[i];
  }

  public int qtyScale(int i) {
    return qtyScale[i];
  }

  public long quoteHi(int i) {
    return quoteHi[i];
  }

  public long quoteLo(int i) {
    return quoteLo[i];
  }

  public long takerBuyQuoteHi(int i) {
    return takerQuoteHi[i];
  }

  public long takerBuyQuoteLo(int i) {
    return takerQuoteLo[i];
  }

  /** Number of trades: sum of (last - first + 1) over the aggregate trades. */
  public long count(int i) {
    return count[i];
  }

  /** First and last trade id in the kline, -1 when it has no trade. */
  public long firstId(int i) {
    return firstId[i];
  }

  public long lastId(int i) {
    return lastId[i];
  }

  /** The symbol's last applied aggregate id when the row was taken (-1: unknown). */
  public long lastAggId(int i) {
    return lastAggId[i];
  }

  /** Whether the kline is final (its interval ended, or its symbol was closed out). */
  public boolean closed(int i) {
    return closed[i];
  }

  /** Copies row {@code i} into {@code out}. */
  public Kline get(int i, Kline out) {
    out.symbol = symbol[i];
    out.interval = IV[interval[i]];
    out.openTime = openTime[i];
    out.closeTime = closeTime[i];
    out.open = open[i];
    out.high = high[i];
    out.low = low[i];
    out.close = close[i];
    out.priceScale = priceScale[i];
    out.volume = volume[i];
    out.takerBuyVolume = takerVolume[i];
    out.qtyScale = qtyScale[i];
    out.quoteHi = quoteHi[i];
    out.quoteLo = quoteLo[i];
    out.takerBuyQuoteHi = takerQuoteHi[i];
    out.takerBuyQuoteLo = takerQuoteLo[i];
    out.count = count[i];
    out.firstId = firstId[i];
    out.lastId = lastId[i];
    out.lastAggId = lastAggId[i];
    out.closed = closed[i];
    return out;
  }

  /** Writes the delta through {@code out}: epoch, shard, fence, count, then column by column. */
  public void writeTo(WireOut out) {
    out.writeLong(epoch);
    out.writeInt(shard);
    out.writeLong(fence);
    out.writeInt(size);
    for (int i = 0; i < size; i++) {
      out.writeInt(symbol[i]);
    }
    for (long[] col : new long[][] {openTime, closeTime, open, high, low, close, volume, takerVolume, quoteHi,
        quoteLo, takerQuoteHi, takerQuoteLo, count, firstId, lastId, lastAggId}) {
      for (int i = 0; i < size; i++) {
        out.writeLong(col[i]);
      }
    }
    for (int i = 0; i < size; i++) {
      out.writeByte(interval[i]);
      out.writeByte(priceScale[i]);
      out.writeByte(qtyScale[i]);
      out.writeByte(closed[i] ? 1 : 0);
    }
  }

  /** Reads what {@link #writeTo} wrote. */
  public static KlineDelta readFrom(WireIn in) {
    long epoch = in.readLong();
    int shard = in.readInt();
    long fence = in.readLong();
    int n = in.readInt();
    Builder b = new Builder(n);
    b.size = n;
    for (int i = 0; i < n; i++) {
      b.symbol[i] = in.readInt();
    }
    for (long[] col : new long[][] {b.openTime, b.closeTime, b.open, b.high, b.low, b.close, b.volume,
        b.takerVolume, b.quoteHi, b.quoteLo, b.takerQuoteHi, b.takerQuoteLo, b.count, b.firstId, b.lastId, b.lastAggId}) {
      for (int i = 0; i < n; i++) {
        col[i] = in.readLong();
      }
    }
    for (int i = 0; i < n; i++) {
      b.interval[i] = in.readByte();
      b.priceScale[i] = in.readByte();
      b.qtyScale[i] = in.readByte();
      b.closed[i] = in.readByte() != 0;
    }
    KlineDelta d = b.build(epoch);
    return shard < 0 && fence == Fence.NONE ? d : new KlineDelta(d, shard, fence);
  }

  /** Growable row buffer; {@link #build} freezes a copy, so one builder serves many deltas. */
  public static final class Builder {
    int size;
    int[] symbol;
    byte[] interval;
    long[] openTime;
    long[] closeTime;
    long[] open;
    long[] high;
    long[] low;
    long[] close;
    byte[] priceScale;
    long[] volume;
    long[] takerVolume;
    byte[] qtyScale;
    long[] quoteHi;
    long[] quoteLo;
    long[] takerQuoteHi;
    long[] takerQuoteLo;
    long[] count;
    long[] firstId;
    long[] lastId;
    long[] lastAggId;
    boolean[] closed;

    public Builder(int capacity) {
      alloc(Math.max(capacity, 4));
    }

    private void alloc(int n) {
      symbol = grow(symbol, n);
      interval = grow(interval, n);
      openTime = grow(openTime, n);
      closeTime = grow(closeTime, n);
      open = grow(open, n);
      high = grow(high, n);
      low = grow(low, n);
      close = grow(close, n);
      priceScale = grow(priceScale, n);
      volume = grow(volume, n);
      takerVolume = grow(takerVolume, n);
      qtyScale = grow(qtyScale, n);
      quoteHi = grow(quoteHi, n);
      quoteLo = grow(quoteLo, n);
      takerQuoteHi = grow(takerQuoteHi, n);
      takerQuoteLo = grow(takerQuoteLo, n);
      count = grow(count, n);
      firstId = grow(firstId, n);
      lastId = grow(lastId, n);
      lastAggId = grow(lastAggId, n);
      closed = grow(closed, n);
    }

    private static int[] grow(int[] a, int n) {
      return a == null ? new int[n] : java.util.Arrays.copyOf(a, n);
    }

    private static long[] grow(long[] a, int n) {
      return a == null ? new long[n] : java.util.Arrays.copyOf(a, n);
    }

    private static byte[] grow(byte[] a, int n) {
      return a == null ? new byte[n] : java.util.Arrays.copyOf(a, n);
    }

    private static boolean[] grow(boolean[] a, int n) {
      return a == null ? new boolean[n] : java.util.Arrays.copyOf(a, n);
    }

    /** Reserves a row and returns its index; fill it with {@link #set}. */
    int next() {
      if (size == symbol.length) {
        alloc(size * 2);
      }
      return size++;
    }

    public Builder add(Kline k) {
      int i = next();
      symbol[i] = k.symbol;
      interval[i] = (byte) k.interval.ordinal();
      openTime[i] = k.openTime;
      closeTime[i] = k.closeTime;
      open[i] = k.open;
      high[i] = k.high;
      low[i] = k.low;
      close[i] = k.close;
      priceScale[i] = (byte) k.priceScale;
      volume[i] = k.volume;
      takerVolume[i] = k.takerBuyVolume;
      qtyScale[i] = (byte) k.qtyScale;
      quoteHi[i] = k.quoteHi;
      quoteLo[i] = k.quoteLo;
      takerQuoteHi[i] = k.takerBuyQuoteHi;
      takerQuoteLo[i] = k.takerBuyQuoteLo;
      count[i] = k.count;
      firstId[i] = k.firstId;
      lastId[i] = k.lastId;
      lastAggId[i] = k.lastAggId;
      closed[i] = k.closed;
      return this;
    }

    /** Appends row {@code r} of another builder. */
    void copyRowFrom(Builder b, int r) {
      int i = next();
      symbol[i] = b.symbol[r];
      interval[i] = b.interval[r];
      openTime[i] = b.openTime[r];
      closeTime[i] = b.closeTime[r];
      open[i] = b.open[r];
      high[i] = b.high[r];
      low[i] = b.low[r];
      close[i] = b.close[r];
      priceScale[i] = b.priceScale[r];
      volume[i] = b.volume[r];
      takerVolume[i] = b.takerVolume[r];
      qtyScale[i] = b.qtyScale[r];
      quoteHi[i] = b.quoteHi[r];
      quoteLo[i] = b.quoteLo[r];
      takerQuoteHi[i] = b.takerQuoteHi[r];
      takerQuoteLo[i] = b.takerQuoteLo[r];
      count[i] = b.count[r];
      firstId[i] = b.firstId[r];
      lastId[i] = b.lastId[r];
      lastAggId[i] = b.lastAggId[r];
      closed[i] = b.closed[r];
    }

    void copyRow(int from, int to) {
      symbol[to] = symbol[from];
      interval[to] = interval[from];
      openTime[to] = openTime[from];
      closeTime[to] = closeTime[from];
      open[to] = open[from];
      high[to] = high[from];
      low[to] = low[from];
      close[to] = close[from];
      priceScale[to] = priceScale[from];
      volume[to] = volume[from];
      takerVolume[to] = takerVolume[from];
      qtyScale[to] = qtyScale[from];
      quoteHi[to] = quoteHi[from];
      quoteLo[to] = quoteLo[from];
      takerQuoteHi[to] = takerQuoteHi[from];
      takerQuoteLo[to] = takerQuoteLo[from];
      count[to] = count[from];
      firstId[to] = firstId[from];
      lastId[to] = lastId[from];
      lastAggId[to] = lastAggId[from];
      closed[to] = closed[from];
    }

    void truncate(int n) {
      size = n;
    }

    public int size() {
      return size;
    }

    public void clear() {
      size = 0;
    }

    public KlineDelta build(long epoch) {
      return new KlineDelta(epoch, this);
    }
  }
}
