package klagg.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.SplittableRandom;

/**
 * Deterministic data.binance.vision-style aggTrades CSV for benchmarks: one symbol, one UTC day, no
 * header, 8 columns ({@code agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,
 * is_buyer_maker,is_best_match}), times in ms. Prices walk randomly on a 0.10 tick and are printed
 * with 2 decimals, quantities are multiples of 0.001 printed with 3, every aggTrade has 1 to 3 fills,
 * and about 2 % of the minutes have no trade at all. The same arguments always give the same bytes.
 *
 * <p>{@code java -cp klagg-bench.jar klagg.bench.AggTradesCsvGenerator FILE [ROWS] [SEED]}
 */
public final class AggTradesCsvGenerator {
  /** 2024-07-18T00:00:00Z, the day of the default file name. */
  public static final long DAY = 1_721_260_800_000L;
  public static final long DEFAULT_SEED = 20240718L;

  private AggTradesCsvGenerator() {}

  public static void main(String[] args) {
    System.exit(BenchMain.run(BenchMain.prepend("gen-aggtrades", args), System.out, System.err));
  }

  /** Writes {@code rows} rows to {@code file}; returns the bytes written. */
  public static long generate(Path file, long rows, long seed) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    long n;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
      n = generate(out, rows, seed);
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return n;
  }

  /** Writes the rows to {@code out}; returns the bytes written. */
  public static long generate(OutputStream out, long rows, long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    // minutes of the day that get trades (about 2 % stay empty)
    int[] minutes = new int[1440];
    int used = 0;
    for (int m = 0; m < 1440; m++) {
      if (r.nextInt(100) >= 2) {
        minutes[used++] = m;
      }
    }
    long aggId = 3_000_000_000L;
    long tradeId = 4_000_000_000L;
    long ticks = 640_000L; // price in 0.10 ticks: 64000.00
    byte[] line = new byte[128];
    long bytes = 0;
    long perMinuteMs = 60_000L;
    for (long i = 0; i < rows; i++) {
      // trade i lands in used-minute (i * used / rows), spread evenly inside it: times never decrease
      long slot = i * used;
      int mi = (int) (slot / rows);
      long within = (slot % rows) * perMinuteMs / rows;
      long time = DAY + minutes[mi] * perMinuteMs + within;
      int step = r.nextInt(7) - 3;
      ticks = Math.max(1_000, ticks + step);
      long priceCents = ticks * 10;
      int qtyUnits = r.nextInt(10) == 0 ? 1 + r.nextInt(5_000) : 1 + r.nextInt(60); // 0.001 steps
      int fills = 1 + r.nextInt(3);
      long first = tradeId;
      long last = tradeId + fills - 1;
      tradeId += fills;
      boolean maker = r.nextBoolean();
      int p = 0;
      p = putLong(line, p, aggId++);
      line[p++] = ',';
      p = putLong(line, p, priceCents / 100);
      line[p++] = '.';
      line[p++] = (byte) ('0' + priceCents / 10 % 10);
      line[p++] = (byte) ('0' + priceCents % 10);
      line[p++] = ',';
      p = putLong(line, p, qtyUnits / 1000);
      line[p++] = '.';
      line[p++] = (byte) ('0' + qtyUnits / 100 % 10);
      line[p++] = (byte) ('0' + qtyUnits / 10 % 10);
      line[p++] = (byte) ('0' + qtyUnits % 10);
      line[p++] = ',';
      p = putLong(line, p, first);
      line[p++] = ',';
      p = putLong(line, p, last);
      line[p++] = ',';
      p = putLong(line, p, time);
      line[p++] = ',';
      p = putAscii(line, p, maker ? "True" : "False");
      p = putAscii(line, p, ",True\n");
      out.write(line, 0, p);
      bytes += p;
    }
    return bytes;
  }

  private static int putLong(byte[] b, int p, long v) {
    if (v == 0) {
      b[p++] = '0';
      return p;
    }
    int start = p;
    while (v > 0) {
      b[p++] = (byte) ('0' + v % 10);
      v /= 10;
    }
    for (int i = start, j = p - 1; i < j; i++, j--) {
      byte t = b[i];
      b[i] = b[j];
      b[j] = t;
    }
    return p;
  }

  private static int putAscii(byte[] b, int p, String s) {
    for (int i = 0; i < s.length(); i++) {
      b[p++] = (byte) s.charAt(i);
    }
    return p;
  }
}
