package klagg.bench;

import java.util.concurrent.TimeUnit;
import klagg.core.AggTrade;
import klagg.core.Interval;
import klagg.core.KlineBook;
import klagg.core.KlineDelta;
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
 * Clock ticks on a book of 1,000 symbols x 8 intervals: a tick that crosses a minute boundary
 * (rolls 1m, and 5m..1w where due), a tick inside the minute (touches nothing), and taking the delta
 * after a boundary.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC"})
@State(Scope.Thread)
public class TickBench {
  static final int SYMBOLS = 1000;
  KlineBook book;
  long now;
  long epoch;

  @Setup(Level.Iteration)
  public void book() {
    book = new KlineBook(Interval.DEFAULTS, 2_000, SYMBOLS);
    AggTrade t = new AggTrade();
    now = SyntheticTrades.T0;
    for (int s = 0; s < SYMBOLS; s++) {
      book.addSymbol(s, 2, 3);
      t.set(s, 1, 100_00 + s, 2, 1_000, 3, 1, 1, now + s, false);
      book.apply(t);
    }
    epoch = book.takeDelta(0).epoch();
  }

  /** Every symbol's seeding trade was applied (so every tick had klines to roll), or the run fails. */
  @TearDown(Level.Iteration)
  public void allApplied() {
    BenchChecks.allApplied("TickBench", book, SYMBOLS);
  }

  /** One minute boundary: every symbol's 1m kline closes and a flat one opens; then the delta. */
  @Benchmark
  public int minuteBoundaryTickAndDelta() {
    now += 60_000;
    book.onTick(now);
    KlineDelta d = book.takeDelta(epoch);
    epoch = d.epoch();
    return d.size();
  }

  /** A tick between boundaries: no interval is due, nothing is touched. */
  @Benchmark
  public long tickWithinMinute() {
    book.onTick(now + 1);
    return book.now();
  }
}
