package klagg.sim;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Seeded synthetic market, deterministic in time: the trades of any window are a pure function of
 * (seed, rate, symbol list, symbol, window).
 *
 * <ul>
 *   <li>Trade count of hour H: {@code C + g(H) - g(H-1)} with {@code g} a hash in [0, C/2]; so the
 *       first aggregate id of hour H is the closed form {@code C*(H-H0) + g(H-1)} (telescoping sum).
 *   <li>An hour's count is spread over its 60 minutes by seeded weights (some minutes quiet), a
 *       minute's count over its 60 one-second slots likewise (cumulative floors: exact sums).
 *   <li>The trades of slot k come from a PRNG seeded with hash(symbol seed, k): times, side, size.
 *   <li>Price = a pure function of time (multi-octave value noise on the log price) rounded to the
 *       tick grid, plus a bounce of a couple of ticks.
 *   <li>Trade ids: per block of 16 aggregate ids exactly 32 trade ids, split by seeded fills, so
 *       {@code f} of any aggregate id is computed from at most 15 hashes and f..l stay contiguous.
 * </ul>
 */
public final class SyntheticMarket extends SimMarket {
  static final long H0 = 1483228800000L / 3_600_000L; // 2017-01-01T00:00Z
  static final String[][] MAJORS = {
    {"BTC", "65000"}, {"ETH", "3200"}, {"BNB", "580"}, {"SOL", "150"}, {"XRP", "0.55"},
    {"DOGE", "0.15"}, {"ADA", "0.45"}, {"TRX", "0.12"}, {"AVAX", "35"}, {"LINK", "14"},
    {"DOT", "7"}, {"TON", "6"}, {"SHIB", "0.000024"}, {"LTC", "80"}, {"BCH", "450"},
    {"UNI", "9"}, {"NEAR", "5"}, {"APT", "9"}, {"ICP", "12"}, {"ETC", "27"},
    {"FIL", "6"}, {"ATOM", "8"}, {"ARB", "1.1"}, {"OP", "2.4"}, {"XLM", "0.11"},
    {"PEPE", "0.0000105"}, {"SUI", "1.2"}, {"INJ", "25"}, {"AAVE", "95"}, {"MKR", "2500"}};
  static final long[] OCT_P = {86_400_000L, 14_400_000L, 3_600_000L, 600_000L, 60_000L, 10_000L};
  static final double[] OCT_A = {0.03, 0.012, 0.006, 0.0025, 0.001, 0.0004};

  final long seed;
  final long historyStart;
  final double rate;
  private final double shareNorm;
  private final Lru<Key, long[]> hourCum = new Lru<>(20_000);
  private final Lru<Key, long[]> minuteCum = new Lru<>(50_000);
  private final Lru<Key, TradeSums> minuteSum = new Lru<>(200_000);
  private final Lru<Key, TradeSums> hourSum = new Lru<>(50_000);

  record Key(int sym, int ver, long idx) {}

  static final class Lru<K, V> {
    private final LinkedHashMap<K, V> map;

    Lru(int cap) {
      map = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<K, V> e) {
          return size() > cap;
        }
      };
    }

    synchronized V get(K k) {
      return map.get(k);
    }

    synchronized void put(K k, V v) {
      map.put(k, v);
    }
  }

  public SyntheticMarket(SimClock clock, long seed, int n, double rate, long historyStart) {
    super(clock);
    this.seed = seed;
    this.rate = rate;
    this.historyStart = historyStart;
    double norm = 0;
    for (int i = 0; i < n; i++) {
      norm += zipf(i);
    }
    this.shareNorm = norm;
    for (int i = 0; i < n; i++) {
      String name;
      double price;
      if (i < MAJORS.length) {
        name = MAJORS[i][0] + "USDT";
        price = Double.parseDouble(MAJORS[i][1]);
      } else {
        name = String.format("S%04dUSDT", i - MAJORS.length + 1);
        price = priceFromHash(h(seed, name.hashCode(), 7));
      }
      addSymbol(make(i, name, price, zipf(i) / norm, Long.MIN_VALUE));
    }
  }

  private static double zipf(int i) {
    return 1.0 / Math.pow(i + 1, 1.1);
  }

  private static double priceFromHash(long x) {
    // log-uniform 0.001 .. 2000
    return 0.001 * StrictMath.exp(unit(x) * StrictMath.log(2_000_000));
  }

  private SymbolInfo make(int id, String name, double price, double share, long listedAt) {
    int k = (int) Math.floor(StrictMath.log10(price));
    int ps = Math.max(2, Math.min(8, 5 - k));
    int qs = Math.max(0, Math.min(8, k + 1));
    long symSeed = h(seed, name.hashCode(), 1);
    long c = Math.max(1, Math.round(rate * share * 3600));
    double quiet = Math.min(0.5, Math.max(0, (1 - rate * share) / 4));
    return new SymbolInfo(id, name, "USDT", ps, qs, 8, 8, 8, price, share, symSeed, c, c / 2, quiet,
        listedAt);
  }

  @Override
  public synchronized SymbolInfo list(String name, Double price, long now) {
    SymbolInfo old = symbol(name);
    if (old != null) {
      setTrading(old, now);
      return old;
    }
    double p = price != null ? price : priceFromHash(h(seed, name.hashCode(), 7));
    double share = zipf(Math.min(symbols.size(), 200)) / shareNorm;
    SymbolInfo s = make(symbols.size(), name, p, share, now);
    addSymbol(s);
    return s;
  }

  @Override
  public String mode() {
    return "synthetic";
  }

  // ---------------------------------------------------------------- hashing

  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  static long h(long a, long b, long c) {
    return mix64(a + mix64(b * 0x9E3779B97F4A7C15L + mix64(c + 0x632BE59BD9B4E019L)));
  }

  /** e^x for |x| <= 0.07 by its Taylor series (deterministic double arithmetic, < 1 ulp error). */
  static double expSmall(double x) {
    double r = 1 + x / 11;
    r = 1 + x / 10 * r;
    r = 1 + x / 9 * r;
    r = 1 + x / 8 * r;
    r = 1 + x / 7 * r;
    r = 1 + x / 6 * r;
    r = 1 + x / 5 * r;
    r = 1 + x / 4 * r;
    r = 1 + x / 3 * r;
    r = 1 + x / 2 * r;
    return 1 + x * r;
  }

  private static final double[] EXP_16 = new double[130];

  static {
    for (int i = 0; i < EXP_16.length; i++) {
      EXP_16[i] = StrictMath.exp(i / 16.0);
    }
  }

  /** e^x for 0 <= x < 8: a table of e^(k/16) times the series for the rest. */
  static double expPos(double x) {
    int k = (int) (x * 16);
    return EXP_16[k] * expSmall(x - k / 16.0);
  }

  static double unit(long x) {
    return (x >>> 11) * 0x1.0p-53;
  }

  static final class Rng {
    long s;

    Rng(long seed) {
      s = seed;
    }

    long next() {
      s += 0x9E3779B97F4A7C15L;
      return mix64(s);
    }

    double nextDouble() {
      return unit(next());
    }

    int nextInt(int n) {
      return (int) ((next() >>> 33) % n);
    }

    boolean nextBoolean() {
      return next() < 0;
    }
  }

  // ---------------------------------------------------------------- counts and ids

  private long g(SymbolInfo s, long hour) {
    if (hour < H0) {
      return 0;
    }
    return Long.remainderUnsigned(h(s.symSeed, 11, hour), s.hourJitter + 1);
  }

  long hourFirstAgg(SymbolInfo s, long hour) {
    if (hour < H0) {
      return 0;
    }
    return s.hourBase * (hour - H0) + g(s, hour - 1);
  }

  long hourCount(SymbolInfo s, long hour) {
    return hour < H0 ? 0 : s.hourBase + g(s, hour) - g(s, hour - 1);
  }

  private static long[] spread(long total, double[] w) {
    double tot = 0;
    for (double x : w) {
      tot += x;
    }
    long[] cum = new long[w.length + 1];
    if (tot <= 0) {
      Arrays.fill(w, 1);
      tot = w.length;
    }
    double acc = 0;
    for (int i = 0; i < w.length; i++) {
      cum[i] = (long) Math.floor(total * (acc / tot));
      acc += w[i];
    }
    cum[w.length] = total;
    for (int i = w.length - 1; i >= 0; i--) {
      cum[i] = Math.min(cum[i], cum[i + 1]);
    }
    return cum;
  }

  /** Cumulative trade counts of the 60 minutes of {@code hour} (relative to the hour's first id). */
  long[] hourCum(SymbolInfo s, long hour) {
    Key k = new Key(s.id, 0, hour);
    long[] c = hourCum.get(k);
    if (c == null) {
      Rng r = new Rng(h(s.symSeed, 2, hour));
      double[] w = new double[60];
      for (int i = 0; i < 60; i++) {
        double u = r.nextDouble();
        double v = r.nextDouble();
        w[i] = u < s.quietProb ? 0 : -StrictMath.log(1 - v) + 0.1;
      }
      c = spread(hourCount(s, hour), w);
      hourCum.put(k, c);
    }
    return c;
  }

  /** Cumulative counts of the 60 slots of {@code minute}. */
  long[] minuteCum(SymbolInfo s, long minute) {
    Key k = new Key(s.id, 0, minute);
    long[] c = minuteCum.get(k);
    if (c == null) {
      long hour = Math.floorDiv(minute, 60);
      long[] hc = hourCum(s, hour);
      int m = (int) (minute - hour * 60);
      long total = hc[m + 1] - hc[m];
      Rng r = new Rng(h(s.symSeed, 3, minute));
      double[] w = new double[60];
      for (int i = 0; i < 60; i++) {
        w[i] = -StrictMath.log(1 - r.nextDouble()) + 0.05;
      }
      c = spread(total, w);
      minuteCum.put(k, c);
    }
    return c;
  }

  long minuteFirstAgg(SymbolInfo s, long minute) {
    long hour = Math.floorDiv(minute, 60);
    return hourFirstAgg(s, hour) + hourCum(s, hour)[(int) (minute - hour * 60)];
  }

  /** Fill extras of the 16-id block {@code b} (15 values; the last id takes the rest of 16). */
  private static int[] blockExtras(SymbolInfo s, long b) {
    Rng r = new Rng(h(s.symSeed, 5, b));
    int[] e = new int[16];
    int sum = 0;
    for (int i = 0; i < 15; i++) {
      double u = r.nextDouble();
      int x = u < 0.7 ? 0 : u < 0.95 ? 1 + r.nextInt(3) : 4 + r.nextInt(6);
      x = Math.min(x, 16 - sum);
      e[i] = x;
      sum += x;
    }
    e[15] = 16 - sum;
    return e;
  }

  /** First trade id of aggregate id {@code a}. */
  static long firstTradeId(SymbolInfo s, long a) {
    long b = Math.floorDiv(a, 16);
    int j = (int) (a - b * 16);
    int[] e = blockExtras(s, b);
    long f = 32 * b + j;
    for (int i = 0; i < j; i++) {
      f += e[i];
    }
    return f;
  }

  double mid(SymbolInfo s, long t) {
    double lg = 0;
    for (int o = 0; o < OCT_P.length; o++) {
      long p = OCT_P[o];
      long i = Math.floorDiv(t, p);
      double fr = (t - i * p) / (double) p;
      double a = unit(h(s.symSeed, 100 + o, i)) * 2 - 1;
      double b = unit(h(s.symSeed, 100 + o, i + 1)) * 2 - 1;
      double sm = fr * fr * (3 - 2 * fr);
      lg += OCT_A[o] * (a + (b - a) * sm);
    }
    return s.basePrice * expSmall(lg);
  }

  /** Octave endpoints for the one-second slot starting at t0 (no octave boundary inside a slot). */
  private double[] octaves(SymbolInfo s, long t0) {
    double[] e = new double[OCT_P.length * 3];
    for (int o = 0; o < OCT_P.length; o++) {
      long p = OCT_P[o];
      long i = Math.floorDiv(t0, p);
      e[o * 3] = unit(h(s.symSeed, 100 + o, i)) * 2 - 1;
      e[o * 3 + 1] = unit(h(s.symSeed, 100 + o, i + 1)) * 2 - 1;
      e[o * 3 + 2] = i * p;
    }
    return e;
  }

  /** Same value as {@link #mid} for t inside the slot the endpoints were computed for. */
  private double midFast(SymbolInfo s, double[] e, long t) {
    double lg = 0;
    for (int o = 0; o < OCT_P.length; o++) {
      long p = OCT_P[o];
      double fr = (t - (long) e[o * 3 + 2]) / (double) p;
      double a = e[o * 3];
      double b = e[o * 3 + 1];
      double sm = fr * fr * (3 - 2 * fr);
      lg += OCT_A[o] * (a + (b - a) * sm);
    }
    return s.basePrice * expSmall(lg);
  }

  private long tickOf(SymbolInfo s, double price) {
    return Math.max(1, Math.round(price * SimDecimal.pow10(s.priceScale)));
  }

  // ---------------------------------------------------------------- slots

  /** Generates the trades of one-second slot {@code k} (absolute second) into {@code v}. */
  boolean slot(SymbolInfo s, long k, long from, long to, TradeVisitor v) {
    return generate(s, k, (a, p, q, f, l, t, m) ->
        !(t >= from && t < to && t >= historyStart && s.tradesAt(t)) || v.trade(a, p, q, f, l, t, m));
  }

  /** Every trade of slot {@code k}, unfiltered (window, history start, trading windows: the caller's). */
  private boolean generate(SymbolInfo s, long k, TradeVisitor v) {
    long minute = Math.floorDiv(k, 60);
    long[] sc = minuteCum(s, minute);
    int j = (int) (k - minute * 60);
    int c = (int) (sc[j + 1] - sc[j]);
    if (c == 0) {
      return true;
    }
    long firstAgg = minuteFirstAgg(s, minute) + sc[j];
    Rng r = new Rng(h(s.symSeed, 4, k));
    int[] off = new int[c];
    for (int i = 0; i < c; i++) {
      off[i] = r.nextInt(1000);
    }
    Arrays.sort(off);
    long t0 = k * 1000;
    long block = Math.floorDiv(firstAgg, 16);
    int[] ex = blockExtras(s, block);
    long f = firstTradeId(s, firstAgg);
    double stepPerUnit = SimDecimal.pow10(s.qtyScale);
    double[] oct = octaves(s, t0);
    for (int i = 0; i < c; i++) {
      long a = firstAgg + i;
      long b = Math.floorDiv(a, 16);
      if (b != block) {
        block = b;
        ex = blockExtras(s, b);
      }
      int jj = (int) (a - b * 16);
      long fills = 1 + ex[jj];
      long t = t0 + off[i];
      double mid = midFast(s, oct, t);
      long p = Math.max(1, tickOf(s, mid) + r.nextInt(5) - 2);
      double notional = 10 * expPos(r.nextDouble() * 7.6);
      long q = Math.max(1, Math.min(1_000_000_000_000L, Math.round(notional / mid * stepPerUnit)));
      boolean m = r.nextBoolean();
      if (!v.trade(a, p, q, f, f + fills - 1, t, m)) {
        return false;
      }
      f += fills;
    }
    return true;
  }

  @Override
  public void scan(SymbolInfo s, long from, long to, TradeVisitor v) {
    from = Math.max(from, firstTradeTime(s));
    to = Math.min(to, s.tradingUntil());
    for (long k = Math.floorDiv(from, 1000); k * 1000 < to; k++) {
      // skip quiet minutes quickly
      if (Math.floorMod(k, 60) == 0 || k * 1000 == Math.floorDiv(from, 1000) * 1000) {
        long minute = Math.floorDiv(k, 60);
        long[] sc = minuteCum(s, minute);
        if (sc[60] == 0) {
          k = minute * 60 + 59;
          continue;
        }
      }
      if (!slot(s, k, from, to, v)) {
        return;
      }
    }
  }

  /**
   * One symbol's trades of its current one-second slot, generated once and handed out window by
   * window: live emission asks for ~10 ms at a time, and generating the whole second for each of
   * those windows cost the simulator 100 times the work (half its CPU at 100,000 trades/s).
   * One per symbol, owned by the emitting thread.
   */
  public static final class LiveSlot implements TradeVisitor {
    private SymbolInfo sym;
    private long k = Long.MIN_VALUE;
    private int n;
    private int pos;
    private long[] a = new long[16];
    private long[] p = new long[16];
    private long[] q = new long[16];
    private long[] f = new long[16];
    private long[] l = new long[16];
    private long[] t = new long[16];
    private boolean[] m = new boolean[16];

    @Override
    public boolean trade(long aggId, long price, long qty, long firstId, long lastId, long time, boolean buyerMaker) {
      if (n == a.length) {
        int c = n * 2;
        a = Arrays.copyOf(a, c);
        p = Arrays.copyOf(p, c);
        q = Arrays.copyOf(q, c);
        f = Arrays.copyOf(f, c);
        l = Arrays.copyOf(l, c);
        t = Arrays.copyOf(t, c);
        m = Arrays.copyOf(m, c);
      }
      a[n] = aggId;
      p[n] = price;
      q[n] = qty;
      f[n] = firstId;
      l[n] = lastId;
      t[n] = time;
      m[n] = buyerMaker;
      n++;
      return true;
    }
  }

  /**
   * How many trades {@code s} has in {@code [from, to)} (whole seconds, trading windows and history
   * start aside), from the per-second counts alone: cheap enough to compare many candidate windows.
   */
  public long countIn(SymbolInfo s, long from, long to) {
    long n = 0;
    for (long k = Math.floorDiv(from, 1000); k * 1000 < to; k++) {
      long minute = Math.floorDiv(k, 60);
      long[] sc = minuteCum(s, minute);
      if (sc[60] == 0) {
        k = minute * 60 + 59;
        continue;
      }
      int j = (int) (k - minute * 60);
      n += sc[j + 1] - sc[j];
    }
    return n;
  }

  /** {@link #scan}, for live emission of short consecutive windows, through the symbol's {@link LiveSlot}. */
  public void scanLive(SymbolInfo s, long from, long to, TradeVisitor v, LiveSlot c) {
    from = Math.max(from, firstTradeTime(s));
    to = Math.min(to, s.tradingUntil());
    for (long k = Math.floorDiv(from, 1000); k * 1000 < to; k++) {
      if (c.sym != s || c.k != k) {
        c.sym = s;
        c.k = k;
        c.n = 0;
        c.pos = 0;
        generate(s, k, c);
      }
      int i = c.pos > 0 && c.t[c.pos - 1] >= from ? 0 : c.pos; // trades are in time order within a slot
      for (; i < c.n; i++) {
        long t = c.t[i];
        if (t >= to) {
          break;
        }
        if (t >= from && t >= historyStart && s.tradesAt(t)
            && !v.trade(c.a[i], c.p[i], c.q[i], c.f[i], c.l[i], t, c.m[i])) {
          c.pos = i + 1;
          return;
        }
      }
      c.pos = i;
    }
  }

  @Override
  protected long timeOfAggId(SymbolInfo s, long aggId) {
    if (aggId <= 0) {
      return H0 * 3_600_000L;
    }
    // an id past the next hour's trades (any long a client sends): no trade has it yet, and the search
    // below must not walk (or overflow) towards it
    long lastHour = Math.max(H0, Math.floorDiv(clock.now(), 3_600_000L) + 1);
    if (aggId >= hourFirstAgg(s, lastHour + 1)) {
      return (lastHour + 1) * 3_600_000L;
    }
    long hour = Math.min(H0 + aggId / s.hourBase, lastHour);
    while (hour > H0 && hourFirstAgg(s, hour) > aggId) {
      hour--;
    }
    while (hourFirstAgg(s, hour + 1) <= aggId) {
      hour++;
    }
    long rel = aggId - hourFirstAgg(s, hour);
    long[] hc = hourCum(s, hour);
    int m = 0;
    while (m < 59 && hc[m + 1] <= rel) {
      m++;
    }
    long minute = hour * 60 + m;
    long[] sc = minuteCum(s, minute);
    long r2 = rel - hc[m];
    int j = 0;
    while (j < 59 && sc[j + 1] <= r2) {
      j++;
    }
    return (minute * 60 + j) * 1000;
  }

  @Override
  public long firstTradeTime(SymbolInfo s) {
    return Math.max(historyStart, s.listedAt());
  }

  private int ver(SymbolInfo s) {
    return s.windowCount();
  }

  /** Cached exact summary of a complete minute (all trades visible). */
  TradeSums minuteSummary(SymbolInfo s, long minute) {
    Key k = new Key(s.id, ver(s), minute);
    TradeSums sum = minuteSum.get(k);
    if (sum == null) {
      sum = new TradeSums();
      scan(s, minute * 60_000L, minute * 60_000L + 60_000L, sum);
      minuteSum.put(k, sum);
    }
    return sum;
  }

  TradeSums hourSummary(SymbolInfo s, long hour) {
    Key k = new Key(s.id, ver(s), hour);
    TradeSums sum = hourSum.get(k);
    if (sum == null) {
      sum = new TradeSums();
      for (long m = hour * 60; m < hour * 60 + 60; m++) {
        sum.merge(minuteSummary(s, m));
      }
      hourSum.put(k, sum);
    }
    return sum;
  }

  @Override
  public TradeSums summary(SymbolInfo s, long from, long to) {
    long h0 = Math.floorDiv(from + 3_599_999L, 3_600_000L);
    long h1 = Math.floorDiv(to, 3_600_000L);
    if (h1 - h0 > 2) {
      // warm the hour cache in parallel (each hour is independent; the merge below stays in order)
      java.util.stream.LongStream.range(h0, h1).parallel().forEach(h -> hourSummary(s, h));
    }
    TradeSums sum = new TradeSums();
    long c = from;
    while (c < to) {
      if (c % 3_600_000L == 0 && c + 3_600_000L <= to) {
        sum.merge(hourSummary(s, c / 3_600_000L));
        c += 3_600_000L;
      } else if (c % 60_000L == 0 && c + 60_000L <= to) {
        sum.merge(minuteSummary(s, c / 60_000L));
        c += 60_000L;
      } else {
        long next = Math.min(to, Math.floorDiv(c, 60_000L) * 60_000L + 60_000L);
        scan(s, c, next, sum);
        c = next;
      }
    }
    return sum;
  }

  @Override
  public long lastPriceBefore(SymbolInfo s, long t) {
    long first = firstTradeTime(s);
    long minuteStart = Math.floorDiv(t, 60_000L) * 60_000L;
    if (minuteStart < t) {
      TradeSums part = new TradeSums();
      scan(s, Math.max(minuteStart, first), t, part);
      if (!part.empty()) {
        return part.close;
      }
    }
    for (long m = minuteStart / 60_000L - 1; m * 60_000L + 60_000L > first; m--) {
      if (minuteCum(s, m)[60] == 0) {
        continue;
      }
      TradeSums ms = minuteSummary(s, m);
      if (!ms.empty()) {
        return ms.close;
      }
    }
    return tickOf(s, mid(s, first));
  }
}
