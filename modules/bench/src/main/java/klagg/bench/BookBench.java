package klagg.bench;

import java.util.concurrent.TimeUnit;
import klagg.core.AggTrade;
import klagg.core.AggTradeDecoder;
import klagg.core.Interval;
import klagg.core.KlineBook;
import klagg.core.SymbolIndex;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The per-trade hot path on one thread: apply into a {@link KlineBook} of 1,000 symbols x the 8
 * default intervals, and decode + apply from combined-stream frame bytes. Throughput is trades/s
 * (one op = one trade). Frames are decoded from one buffer, back to back, as a socket read delivers
 * them (50 MB: they stream from memory, they are not cache-resident). {@link #applyAndPull} and {@link #decodeAndApply} end each invocation with a
 * worker's pull ({@code takeDelta}): it merges the fold cells and extracts every changed kline, so
 * their cost is counted as in a worker (which pulls every 100 ms). The pull allocates its delta
 * (one per invocation, 10 simulated minutes of klines), so the per-trade allocation is read from
 * {@link #apply} and {@link #decode}, whose only allocation is the per-invocation book.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
public class BookBench {
  static final int SYMBOLS = 1000;
  static final int TRADES = 1 << 18;

  SyntheticTrades data;
  SymbolIndex index;
  KlineBook book;
  AggTradeDecoder decoder;
  final AggTrade t = new AggTrade();
  /** This invocation's trades given to the book, frames given to the decoder, frames decoded as trades. */
  long fedToBook;
  long framesFed;
  long decodedTrades;

  @Setup(Level.Trial)
  public void data() {
    data = new SyntheticTrades(SYMBOLS, TRADES, 10, true, 42);
    index = data.index();
    decoder = new AggTradeDecoder(index, () -> SyntheticTrades.T0);
  }

  @Setup(Level.Invocation)
  public void freshBook() {
    book = new KlineBook(Interval.DEFAULTS, 2_000, SYMBOLS);
    for (int s = 0; s < SYMBOLS; s++) {
      book.addSymbol(s, 2, 3);
    }
  }

  /** Every trade fed was applied (none dropped) and every frame decoded as a trade, or the run fails. */
  @TearDown(Level.Invocation)
  public void allApplied() {
    BenchChecks.allDecoded("BookBench", decodedTrades, framesFed);
    BenchChecks.allApplied("BookBench", book, fedToBook);
    fedToBook = 0;
    framesFed = 0;
    decodedTrades = 0;
  }

  /** Apply only: its {@code -prof gc} figure is the per-trade allocation (the book is per invocation). */
  @Benchmark
  @OperationsPerInvocation(TRADES)
  public long apply() {
    applyAll();
    return book.applied();
  }

  /** Apply, then one pull: what a worker does, fold merges and delta extraction included. */
  @Benchmark
  @OperationsPerInvocation(TRADES)
  public long applyAndPull() {
    applyAll();
    return book.takeDelta(book.epoch()).size() + book.applied();
  }

  private void applyAll() {
    SyntheticTrades d = data;
    for (int i = 0; i < d.n; i++) {
      t.set(d.symbol[i], d.aggId[i], d.price[i], 2, d.qty[i], 3, d.firstId[i], d.lastId[i], d.time[i], d.buyerMaker[i]);
      book.apply(t);
    }
    fedToBook += d.n;
  }

  /** Decode only, same frames: with {@link #apply} it splits {@link #decodeAndApply}'s cost. */
  @Benchmark
  @OperationsPerInvocation(TRADES)
  public long decode() {
    byte[] buf = data.stream;
    int[] off = data.frameOff;
    long sum = 0;
    long ok = 0;
    for (int i = 0, n = off.length - 1; i < n; i++) {
      if (decoder.decode(buf, off[i], off[i + 1] - off[i], t) == AggTradeDecoder.Result.TRADE) {
        sum += t.price + t.symbol;
        ok++;
      }
    }
    framesFed += off.length - 1;
    decodedTrades += ok;
    return sum;
  }

  @Benchmark
  @OperationsPerInvocation(TRADES)
  public long decodeAndApply(Blackhole bh) {
    byte[] buf = data.stream;
    int[] off = data.frameOff;
    long ok = 0;
    for (int i = 0, n = off.length - 1; i < n; i++) {
      if (decoder.decode(buf, off[i], off[i + 1] - off[i], t) == AggTradeDecoder.Result.TRADE) {
        book.apply(t);
        ok++;
      }
    }
    framesFed += off.length - 1;
    decodedTrades += ok;
    fedToBook += ok;
    return book.takeDelta(book.epoch()).size() + book.applied();
  }
}
