package klagg.bench;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import klagg.core.AggTrade;
import klagg.core.Interval;
import klagg.core.KlineBook;
import klagg.core.KlineDelta;
import klagg.core.TradeBatch;
import klagg.service.msg.Codecs;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-cycle paths: a worker's delta extraction after a cycle of trades ({@code takeDelta}) and the
 * clustered wire form of {@link TradeBatch} and {@link KlineDelta} ({@link Codecs}). Time per op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
public class CycleBench {
  static final int SYMBOLS = 2000;
  /** trades per cycle: 100k trades/s at a 100 ms pull interval */
  static final int CYCLE_TRADES = 10_000;

  SyntheticTrades data;
  KlineBook book;
  final AggTrade t = new AggTrade();
  int cursor;
  long ack;
  /** one full cycle: every symbol x interval changed, as 4 worker deltas */
  List<KlineDelta> fullCycle;
  TradeBatch batch;
  Buffer batchWire;
  KlineDelta delta;
  Buffer deltaWire;

  @Setup(Level.Trial)
  public void setup() {
    data = new SyntheticTrades(SYMBOLS, 1 << 18, 10, false, 42);
    book = newBook();
    // full cycle: every symbol traded at least once, split into 4 worker books
    fullCycle = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      KlineBook b = newBook();
      for (int s = w; s < SYMBOLS; s += 4) {
        b.apply(t.set(s, 1, 100_00 + s, 2, 1_000, 3, 1, 1, SyntheticTrades.T0 + 1, false));
      }
      BenchChecks.allApplied("CycleBench full cycle", b, (SYMBOLS - w + 3) / 4);
      fullCycle.add(b.takeDelta(0));
    }
    TradeBatch.Builder tb = new TradeBatch.Builder(1024);
    for (int i = 0; i < 1024; i++) {
      tb.add(trade(i));
    }
    batch = tb.build();
    batchWire = Buffer.buffer();
    Codecs.TRADE_BATCH.encodeToWire(batchWire, batch);
    delta = fullCycle.get(0);
    deltaWire = Buffer.buffer();
    Codecs.KLINE_DELTA.encodeToWire(deltaWire, delta);
  }

  static KlineBook newBook() {
    KlineBook b = new KlineBook(Interval.DEFAULTS, 2_000, SYMBOLS);
    for (int s = 0; s < SYMBOLS; s++) {
      b.addSymbol(s, 2, 3);
    }
    return b;
  }

  AggTrade trade(int i) {
    SyntheticTrades d = data;
    return t.set(d.symbol[i], d.aggId[i], d.price[i], 2, d.qty[i], 3, d.firstId[i], d.lastId[i], d.time[i], d.buyerMaker[i]);
  }

  /** Applies one cycle of trades (not measured), then measures the delta extraction. */
  @Setup(Level.Invocation)
  public void cycleOfTrades() {
    if (cursor + CYCLE_TRADES > data.n) {
      book = newBook();
      cursor = 0;
      ack = 0;
    }
    for (int i = 0; i < CYCLE_TRADES; i++) {
      book.apply(trade(cursor + i));
    }
    cursor += CYCLE_TRADES;
  }

  /** Every trade of every cycle was applied to the book, or the run fails. */
  @TearDown(Level.Iteration)
  public void allApplied() {
    BenchChecks.allApplied("CycleBench", book, cursor);
  }

  @Benchmark
  public int takeDeltaAfterCycle() {
    KlineDelta d = book.takeDelta(ack);
    ack = d.epoch();
    return d.size();
  }

  @Benchmark
  public Buffer encodeTradeBatch1024() {
    Buffer b = Buffer.buffer(batchWire.length());
    Codecs.TRADE_BATCH.encodeToWire(b, batch);
    return b;
  }

  @Benchmark
  public TradeBatch decodeTradeBatch1024() {
    return Codecs.TRADE_BATCH.decodeFromWire(0, batchWire);
  }

  @Benchmark
  public Buffer encodeKlineDelta4000() {
    Buffer b = Buffer.buffer(deltaWire.length());
    Codecs.KLINE_DELTA.encodeToWire(b, delta);
    return b;
  }

  @Benchmark
  public KlineDelta decodeKlineDelta4000() {
    return Codecs.KLINE_DELTA.decodeFromWire(0, deltaWire);
  }
}
