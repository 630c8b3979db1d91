package klagg.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One symbol replayed from a data.binance.vision aggTrades CSV
 * ({@code agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker[,is_best_match]},
 * header optional, time in ms or µs). Prices and quantities keep the file's printed decimals, so
 * klines print like the exchange the file came from.
 */
public final class ReplayMarket extends SimMarket {
  final SymbolInfo sym;
  final long[] aggId;
  final long[] price;
  final long[] qty;
  final long[] first;
  final long[] last;
  final long[] time;
  final boolean[] maker;
  final int n;
  /** Added to the file's times (0 at original times). */
  final long shift;

  public ReplayMarket(SimClock clock, Path file, String symbol, boolean originalTimes) throws IOException {
    super(clock);
    List<String[]> rows = new ArrayList<>();
    int pd = 0;
    int qd = 0;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        line = line.trim();
        if (line.isEmpty() || !Character.isDigit(line.charAt(0))) {
          continue; // header or blank
        }
        String[] c = line.split(",");
        if (c.length < 7) {
          throw new IOException("bad aggTrades row (need 7 columns): " + line);
        }
        pd = Math.max(pd, SimDecimal.printedDecimals(c[1]));
        qd = Math.max(qd, SimDecimal.printedDecimals(c[2]));
        rows.add(c);
      }
    }
    if (rows.isEmpty()) {
      throw new IOException("no trades in " + file);
    }
    n = rows.size();
    aggId = new long[n];
    price = new long[n];
    qty = new long[n];
    first = new long[n];
    last = new long[n];
    time = new long[n];
    maker = new boolean[n];
    for (int i = 0; i < n; i++) {
      String[] c = rows.get(i);
      aggId[i] = Long.parseLong(c[0].trim());
      price[i] = SimDecimal.parse(c[1].trim(), pd);
      qty[i] = SimDecimal.parse(c[2].trim(), qd);
      first[i] = Long.parseLong(c[3].trim());
      last[i] = Long.parseLong(c[4].trim());
      long t = Long.parseLong(c[5].trim());
      time[i] = t > 100_000_000_000_000L ? t / 1000 : t;
      maker[i] = c[6].trim().equalsIgnoreCase("true");
    }
    for (int i = 1; i < n; i++) {
      if (time[i] < time[i - 1]) {
        time[i] = time[i - 1]; // keep times monotone in id order
      }
    }
    String name = symbol != null ? symbol : guessSymbol(file.getFileName().toString());
    if (originalTimes) {
      shift = 0;
      clock.setNow(time[0]);
    } else {
      shift = clock.now() - time[0];
    }
    if (shift != 0) {
      for (int i = 0; i < n; i++) {
        time[i] += shift;
      }
    }
    int quoteDigits = Math.min(pd + qd, 8);
    String quote = name.endsWith("USDT") ? "USDT" : name.endsWith("BTC") ? "BTC" : "USDT";
    sym = new SymbolInfo(0, name, quote, pd, qd, pd, qd, quoteDigits, 0, 1, 0, 1, 0, 0, time[0]);
    addSymbol(sym);
  }

  static String guessSymbol(String fileName) {
    Matcher m = Pattern.compile("([A-Z0-9]{2,}(?:USDT|USDC|BUSD|BTC|ETH|FDUSD))").matcher(fileName);
    return m.find() ? m.group(1) : "BTCUSDT";
  }

  @Override
  public String mode() {
    return "replay";
  }

  public int size() {
    return n;
  }

  public long lastTime() {
    return time[n - 1];
  }

  /** First index with time >= t. */
  int indexOfTime(long t) {
    int lo = 0;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (time[mid] < t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  boolean visit(int i, TradeVisitor v) {
    return v.trade(aggId[i], price[i], qty[i], first[i], last[i], time[i], maker[i]);
  }

  @Override
  public void scan(SymbolInfo s, long from, long to, TradeVisitor v) {
    if (s != sym) {
      return;
    }
    for (int i = indexOfTime(from); i < n && time[i] < to; i++) {
      if (s.tradesAt(time[i]) && !visit(i, v)) {
        return;
      }
    }
  }

  @Override
  protected long timeOfAggId(SymbolInfo s, long id) {
    int i = Arrays.binarySearch(aggId, id);
    if (i < 0) {
      i = -i - 1;
    }
    return i >= n ? time[n - 1] + 1 : time[i];
  }

  @Override
  public long firstTradeTime(SymbolInfo s) {
    return time[0];
  }

  @Override
  public long lastPriceBefore(SymbolInfo s, long t) {
    int i = indexOfTime(t) - 1;
    return i >= 0 ? price[i] : price[0];
  }
}
