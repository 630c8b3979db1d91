package klagg.bench;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import klagg.core.SymbolIndex;

/**
 * Deterministic synthetic aggTrade streams for benchmarks: {@code symbols} symbols, trades spread
 * over the symbols, times advancing through {@code minutes} minutes, ids contiguous per symbol.
 */
final class SyntheticTrades {
  static final long T0 = 1_680_652_800_000L; // 2023-04-05T00:00:00Z

  final int n;
  final int[] symbol;
  final long[] aggId;
  final long[] price; // scale 2
  final long[] qty; // scale 3
  final long[] firstId;
  final long[] lastId;
  final long[] time;
  final boolean[] buyerMaker;
  final String[] names;
  final byte[][] frames;
  /** The same frames back to back in one buffer, as a socket read delivers them ({@link #frameOff}). */
  final byte[] stream;
  /** Start of frame i in {@link #stream}; frame i ends at {@code frameOff[i + 1]}. */
  final int[] frameOff;

  SyntheticTrades(int symbols, int n, int minutes, boolean withFrames, long seed) {
    this.n = n;
    Random r = new Random(seed);
    symbol = new int[n];
    aggId = new long[n];
    price = new long[n];
    qty = new long[n];
    firstId = new long[n];
    lastId = new long[n];
    time = new long[n];
    buyerMaker = new boolean[n];
    names = new String[symbols];
    for (int s = 0; s < symbols; s++) {
      names[s] = s == 0 ? "BTCUSDT" : String.format("S%04dUSDT", s);
    }
    long[] nextAgg = new long[symbols];
    long[] nextTrade = new long[symbols];
    long[] px = new long[symbols];
    for (int s = 0; s < symbols; s++) {
      nextAgg[s] = 1_000_000L + s;
      nextTrade[s] = 5_000_000L + s * 10L;
      px[s] = 1_000_00L + r.nextInt(5_000_000);
    }
    long span = minutes * 60_000L;
    frames = withFrames ? new byte[n][] : null;
    StringBuilder sb = new StringBuilder(256);
    for (int i = 0; i < n; i++) {
      int s = (int) Math.min(symbols - 1, (long) (symbols * Math.pow(r.nextDouble(), 2))); // skewed
      symbol[i] = s;
      aggId[i] = nextAgg[s]++;
      int fills = 1 + r.nextInt(3);
      firstId[i] = nextTrade[s];
      lastId[i] = nextTrade[s] + fills - 1;
      nextTrade[s] += fills;
      px[s] = Math.max(1, px[s] + r.nextInt(21) - 10);
      price[i] = px[s];
      qty[i] = 1 + r.nextInt(5_000);
      time[i] = T0 + span * i / n;
      buyerMaker[i] = r.nextBoolean();
      if (withFrames) {
        sb.setLength(0);
        String lower = names[s].toLowerCase();
        sb.append("{\"stream\":\"").append(lower).append("@aggTrade\",\"data\":{\"e\":\"aggTrade\",\"E\":")
            .append(time[i] + 1).append(",\"s\":\"").append(names[s]).append("\",\"a\":").append(aggId[i])
            .append(",\"p\":\"").append(price[i] / 100).append('.').append(String.format("%02d", price[i] % 100))
            .append("000000\",\"q\":\"").append(qty[i] / 1000).append('.').append(String.format("%03d", qty[i] % 1000))
            .append("00000\",\"f\":").append(firstId[i]).append(",\"l\":").append(lastId[i]).append(",\"T\":")
            .append(time[i]).append(",\"m\":").append(buyerMaker[i]).append(",\"M\":true}}");
        frames[i] = sb.toString().getBytes(StandardCharsets.US_ASCII);
      }
    }
    if (withFrames) {
      frameOff = new int[n + 1];
      for (int i = 0; i < n; i++) {
        frameOff[i + 1] = frameOff[i] + frames[i].length;
      }
      stream = new byte[frameOff[n]];
      for (int i = 0; i < n; i++) {
        System.arraycopy(frames[i], 0, stream, frameOff[i], frames[i].length);
      }
    } else {
      frameOff = null;
      stream = null;
    }
  }

  SymbolIndex index() {
    SymbolIndex idx = new SymbolIndex(names.length);
    for (String name : names) {
      idx.add(name);
    }
    return idx;
  }
}
