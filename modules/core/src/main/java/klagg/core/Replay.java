package klagg.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds exact klines from recorded trades through the same {@link KlineBook} the service runs:
 * aggTrades CSV (data.binance.vision) and WebSocket capture lines, fed in order. Every kline from the
 * first trade's interval to the last one's is kept, flat klines included, as it stands at the end.
 */
public final class Replay {
  /** The CSV header of {@link #writeCsv}. */
  public static final String HEADER = "symbol,interval,open_time,open,high,low,close,volume,close_time,"
      + "quote_volume,count,taker_buy_volume,taker_buy_quote_volume";

  private static final int DELTA_EVERY = 1 << 16;

  private final KlineBook book;
  private final SymbolIndex symbols = new SymbolIndex(16);
  private final Map<Long, Kline> rows = new HashMap<>();
  private final EnumMap<RejectReason, Long> rejects = new EnumMap<>(RejectReason.class);
  private int[] priceDigits = new int[16];
  private int[] qtyDigits = new int[16];
  private long read;
  private long sinceDelta;
  private long lastEpoch;
  private final long maxTimeMs;

  private final AggTradeCsv.Sink csvSink = new AggTradeCsv.Sink() {
    @Override
    public void trade(AggTrade t) {
      apply(t);
    }

    @Override
    public void reject(RejectReason reason, long line) {
      read++;
      rejects.merge(reason, 1L, Long::sum);
    }
  };

  /**
   * @param intervals intervals to build
   * @param graceMs late-trade grace window
   * @param maxTimeMs trades after this time are implausible (e.g. now + 1 day)
   */
  public Replay(List<Interval> intervals, long graceMs, long maxTimeMs) {
    this.book = new KlineBook(intervals, graceMs, 16);
    this.maxTimeMs = maxTimeMs;
  }

  /** Reads one aggTrades CSV of {@code symbol}. */
  public void addCsv(InputStream in, String symbol) throws IOException {
    addCsv(in, symbol, false);
  }

  /** {@link #addCsv(InputStream, String)}, optionally through the careful per-byte parser only. */
  void addCsv(InputStream in, String symbol, boolean carefulOnly) throws IOException {
    int id = symbol(symbol);
    AggTradeCsv csv = new AggTradeCsv().maxTimeMs(maxTimeMs);
    csv.forceSlow = carefulOnly;
    csv.read(in, id, csvSink);
    priceDigits[id] = Math.max(priceDigits[id], csv.priceDigits());
    qtyDigits[id] = Math.max(qtyDigits[id], csv.qtyDigits());
  }

  /** Applies one decoded trade whose symbol id came from {@link #symbol}. */
  public void apply(AggTrade t) {
    read++;
    book.apply(t);
    if (++sinceDelta >= DELTA_EVERY) {
      collect();
    }
  }

  /** Applies a block of parsed rows of symbol id {@code symbol}, in order, and counts its rejects. */
  public void apply(TradeBlock b, int symbol) {
    KlineBook bk = book;
    long[] aggId = b.aggId;
    long[] price = b.price;
    byte[] ps = b.priceScale;
    long[] qty = b.qty;
    byte[] qs = b.qtyScale;
    long[] first = b.firstId;
    long[] last = b.lastId;
    long[] time = b.time;
    boolean[] maker = b.buyerMaker;
    int n = b.size;
    for (int i = 0; i < n; i++) {
      bk.apply(symbol, aggId[i], price[i], ps[i], qty[i], qs[i], first[i], last[i], time[i], maker[i]);
    }
    read += n;
    if (b.rejected > 0) {
      for (int r = 0; r < b.rejects.length; r++) {
        if (b.rejects[r] > 0) {
          read += b.rejects[r];
          rejects.merge(RejectReason.of(r), b.rejects[r], Long::sum);
        }
      }
    }
    digits(symbol, b.priceDigits, b.qtyDigits);
    sinceDelta += n;
    if (sinceDelta >= DELTA_EVERY) {
      collect();
    }
  }

  /** Counts a rejected input. */
  public void reject(RejectReason reason) {
    read++;
    rejects.merge(reason, 1L, Long::sum);
  }

  /** The id of {@code symbol}, adding it to the book at first sight. */
  public int symbol(String symbol) {
    int id = symbols.idOf(symbol);
    if (id < 0) {
      id = symbols.add(symbol);
      book.addSymbol(id, 0, 0);
      if (id >= priceDigits.length) {
        priceDigits = Arrays.copyOf(priceDigits, id * 2 + 2);
        qtyDigits = Arrays.copyOf(qtyDigits, id * 2 + 2);
      }
    }
    return id;
  }

  public SymbolIndex symbols() {
    return symbols;
  }

  /** Sets how prices and quantities of a symbol are printed, if more than seen in the input. */
  public void digits(int symbol, int price, int qty) {
    priceDigits[symbol] = Math.max(priceDigits[symbol], price);
    qtyDigits[symbol] = Math.max(qtyDigits[symbol], qty);
  }

  private void collect() {
    sinceDelta = 0;
    KlineDelta d = book.takeDelta(lastEpoch);
    lastEpoch = d.epoch();
    for (int i = 0; i < d.size(); i++) {
      long key = ((long) d.symbol(i) << 47) ^ ((long) d.interval(i).ordinal() << 42) ^ d.openTime(i);
      Kline k = rows.get(key);
      if (k == null) {
        k = new Kline();
        rows.put(key, k);
      }
      d.get(i, k);
    }
  }

  /** All klines, sorted by symbol, interval and open time. */
  public List<Kline> klines() {
    collect();
    collect(); // acknowledges the last delta
    List<Kline> all = new ArrayList<>(rows.values());
    all.sort((a, b) -> {
      int c = symbols.name(a.symbol).compareTo(symbols.name(b.symbol));
      if (c != 0) {
        return c;
      }
      c = Long.compare(a.interval.nominalLength(), b.interval.nominalLength());
      return c != 0 ? c : Long.compare(a.openTime, b.openTime);
    });
    return all;
  }

  /** Writes {@link #HEADER} and one row per kline; returns the number of rows. */
  public long writeCsv(Writer w) throws IOException {
    return writeCsv(w, List.of(this));
  }

  /**
   * Writes {@link #HEADER} and the klines of several replays (e.g. one per symbol) as one CSV,
   * sorted by symbol, interval and open time; returns the number of rows.
   */
  public static long writeCsv(Writer w, List<Replay> replays) throws IOException {
    w.write(HEADER);
    w.write('\n');
    List<Object[]> all = new ArrayList<>();
    for (Replay r : replays) {
      for (Kline k : r.klines()) {
        all.add(new Object[] {r.symbols.name(k.symbol), k, r});
      }
    }
    if (replays.size() > 1) {
      all.sort((x, y) -> {
        int c = ((String) x[0]).compareTo((String) y[0]);
        if (c != 0) {
          return c;
        }
        Kline a = (Kline) x[1];
        Kline b = (Kline) y[1];
        c = Long.compare(a.interval.nominalLength(), b.interval.nominalLength());
        return c != 0 ? c : Long.compare(a.openTime, b.openTime);
      });
    }
    StringBuilder sb = new StringBuilder(256);
    long n = 0;
    for (Object[] row : all) {
      Kline k = (Kline) row[1];
      Replay r = (Replay) row[2];
      sb.setLength(0);
      int pd = Math.max(r.priceDigits[k.symbol], k.priceScale);
      int qd = Math.max(r.qtyDigits[k.symbol], k.qtyScale);
      int quoteDigits = Math.min(pd + qd, 8);
      sb.append((String) row[0]).append(',').append(k.interval.code()).append(',')
          .append(k.openTime).append(',');
      Decimals.append(sb, k.open, k.priceScale, pd).append(',');
      Decimals.append(sb, k.high, k.priceScale, pd).append(',');
      Decimals.append(sb, k.low, k.priceScale, pd).append(',');
      Decimals.append(sb, k.close, k.priceScale, pd).append(',');
      Decimals.append(sb, k.volume, k.qtyScale, qd).append(',').append(k.closeTime).append(',');
      Decimals.append128(sb, k.quoteHi, k.quoteLo, k.quoteScale(), quoteDigits).append(',');
      sb.append(k.count).append(',');
      Decimals.append(sb, k.takerBuyVolume, k.qtyScale, qd).append(',');
      Decimals.append128(sb, k.takerBuyQuoteHi, k.takerBuyQuoteLo, k.quoteScale(), quoteDigits).append('\n');
      w.append(sb);
      n++;
    }
    return n;
  }

  // ---------------------------------------------------------------- summary

  public long read() {
    return read;
  }

  public long accepted() {
    return book.applied() + book.lateApplied();
  }

  public Map<RejectReason, Long> rejects() {
    return rejects;
  }

  public long rejected() {
    return rejects.values().stream().mapToLong(Long::longValue).sum();
  }

  public KlineBook book() {
    return book;
  }

  /** A human summary for stderr. */
  public String summary() {
    return summary(List.of(this));
  }

  /** A human summary of several replays together (sums of their counts). */
  public static String summary(List<Replay> replays) {
    long read = 0;
    long accepted = 0;
    long rejected = 0;
    long duplicates = 0;
    long gaps = 0;
    long missing = 0;
    long lateApplied = 0;
    long lateDropped = 0;
    EnumMap<RejectReason, Long> rejects = new EnumMap<>(RejectReason.class);
    for (Replay r : replays) {
      read += r.read;
      accepted += r.accepted();
      rejected += r.rejected();
      r.rejects.forEach((k, v) -> rejects.merge(k, v, Long::sum));
      duplicates += r.book.duplicates();
      gaps += r.book.gaps();
      missing += r.book.gapIdsMissing() - r.book.gapIdsFilled();
      lateApplied += r.book.lateApplied();
      lateDropped += r.book.lateDropped();
    }
    StringBuilder sb = new StringBuilder();
    sb.append("trades read ").append(read).append(", accepted ").append(accepted)
        .append(", rejected ").append(rejected);
    if (!rejects.isEmpty()) {
      sb.append(" (");
      String sep = "";
      for (Map.Entry<RejectReason, Long> e : rejects.entrySet()) {
        sb.append(sep).append(e.getKey().tag()).append(' ').append(e.getValue());
        sep = ", ";
      }
      sb.append(')');
    }
    sb.append(", duplicates ").append(duplicates)
        .append(", gaps ").append(gaps).append(" (").append(missing)
        .append(" ids still missing)")
        .append(", late applied ").append(lateApplied)
        .append(", late dropped ").append(lateDropped);
    return sb.toString();
  }
}
