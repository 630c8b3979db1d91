package klagg.sim;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** One listed symbol: scales, grid, status and trading windows. */
public final class SymbolInfo {
  public final int id;
  public final String name;
  public final String lower;
  public final String baseAsset;
  public final String quoteAsset;
  /** Decimals of the price mantissa (tick = 10^-priceScale) and of the quantity mantissa. */
  public final int priceScale;
  public final int qtyScale;
  /** Decimals printed for price, quantity and quote volume. */
  public final int priceDigits;
  public final int qtyDigits;
  public final int quoteDigits;
  /** Synthetic parameters (unused in replay). */
  final double basePrice;
  final double share;
  final long symSeed;
  final long hourBase;
  final long hourJitter;
  final double quietProb;

  private volatile String status = "TRADING";
  /** Delisted: out of exchangeInfo for good, no more trades (its history stays in REST). */
  private volatile boolean delisted;
  /** Trading windows [from, to); the last one may be open (to = Long.MAX_VALUE). */
  private volatile List<long[]> windows;

  SymbolInfo(int id, String name, String quoteAsset, int priceScale, int qtyScale, int priceDigits,
      int qtyDigits, int quoteDigits, double basePrice, double share, long symSeed, long hourBase,
      long hourJitter, double quietProb, long listedAt) {
    this.id = id;
    this.name = name;
    this.lower = name.toLowerCase(java.util.Locale.ROOT);
    this.quoteAsset = quoteAsset;
    this.baseAsset = name.endsWith(quoteAsset) ? name.substring(0, name.length() - quoteAsset.length()) : name;
    this.priceScale = priceScale;
    this.qtyScale = qtyScale;
    this.priceDigits = priceDigits;
    this.qtyDigits = qtyDigits;
    this.quoteDigits = quoteDigits;
    this.basePrice = basePrice;
    this.share = share;
    this.symSeed = symSeed;
    this.hourBase = hourBase;
    this.hourJitter = hourJitter;
    this.quietProb = quietProb;
    List<long[]> w = new ArrayList<>();
    w.add(new long[] {listedAt, Long.MAX_VALUE});
    this.windows = w;
  }

  public String status() {
    return status;
  }

  public boolean trading() {
    return "TRADING".equals(status);
  }

  public String tickSize() {
    return BigDecimal.ONE.movePointLeft(priceScale).setScale(8).toPlainString();
  }

  public String stepSize() {
    return BigDecimal.ONE.movePointLeft(qtyScale).setScale(8).toPlainString();
  }

  public long listedAt() {
    return windows.get(0)[0];
  }

  /** End of the last trading window (Long.MAX_VALUE while trading). */
  public long tradingUntil() {
    List<long[]> w = windows;
    return w.get(w.size() - 1)[1];
  }

  synchronized void setBreak(long t) {
    if (!trading()) {
      return;
    }
    List<long[]> w = new ArrayList<>(windows);
    long[] last = w.get(w.size() - 1);
    w.set(w.size() - 1, new long[] {last[0], Math.max(last[0], t)});
    windows = w;
    status = "BREAK";
  }

  synchronized void setTrading(long t) {
    if (trading() || delisted) {
      return;
    }
    List<long[]> w = new ArrayList<>(windows);
    w.add(new long[] {Math.max(t, w.get(w.size() - 1)[1]), Long.MAX_VALUE});
    windows = w;
    status = "TRADING";
  }

  public boolean delisted() {
    return delisted;
  }

  /** Delists the symbol at {@code t}: trading ends and exchangeInfo no longer lists it. */
  synchronized void delist(long t) {
    setBreak(t);
    status = "DELISTED";
    delisted = true;
  }

  /** Whether any trading window overlaps {@code [from, to)}: a kline exists only then (none for a BREAK). */
  public boolean tradingIn(long from, long to) {
    for (long[] w : windows) {
      if (from < w[1] && to > w[0]) {
        return true;
      }
    }
    return false;
  }

  /** Whether a trade at {@code t} exists (inside a trading window). */
  public boolean tradesAt(long t) {
    for (long[] w : windows) {
      if (t >= w[0] && t < w[1]) {
        return true;
      }
    }
    return false;
  }

  /** Version of the listing windows, for cache invalidation. */
  int windowCount() {
    return windows.size() * 2 + (trading() ? 0 : 1);
  }

  @Override
  public String toString() {
    return name;
  }
}
