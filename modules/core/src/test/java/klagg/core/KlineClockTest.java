package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The book's clock ({@link KlineClock}): a symbol whose feed is down or whose trading the exchange
 * halted (status BREAK) is not delisted and gets no invented klines.
 */
class KlineClockTest extends OneSymbolBookCase {
  static List<Kline> rows(KlineDelta d, Interval iv) {
    List<Kline> out = new ArrayList<>();
    for (int i = 0; i < d.size(); i++) {
      Kline k = new Kline();
      d.get(i, k);
      if (k.interval == iv) {
        out.add(k);
      }
    }
    return out;
  }

  @Test
  void aSuspendedSymbolGetsNoInventedKlinesUntilResumed() {
    KlineBook b = book();
    trade(b, 1, 100, T0 + 1);
    b.suspend(0);
    b.onTick(T0 + 3 * 60_000);
    Kline k = new Kline();
    b.current(0, Interval.M1, k);
    assertThat(k.openTime).as("still the minute of the last trade").isEqualTo(T0);
    // repaired trades apply while suspended and roll the symbol as real trades do
    trade(b, 2, 200, T0 + 60_000 + 5);
    b.current(0, Interval.M1, k);
    assertThat(k.openTime).isEqualTo(T0 + 60_000);
    b.resume(0, T0 + 3 * 60_000);
    b.current(0, Interval.M1, k);
    assertThat(k.openTime).isEqualTo(T0 + 3 * 60_000);
    assertThat(k.close).isEqualTo(200);
    assertThat(b.suspended(0)).isFalse();
  }

  @Test
  void aHaltedSymbolClosesItsOpenKlineButGetsNoFlatKlinesUntilItTradesAgain() {
    KlineBook b = book();
    trade(b, 1, 100, T0 + 1_000);
    b.halt(0, T0 + 30_000);
    assertThat(b.halted(0)).isTrue();
    assertThat(b.haltedCount()).isEqualTo(1);
    b.onTick(T0 + 60_000);
    b.onTick(T0 + 3 * 60_000);
    Kline k = new Kline();
    assertThat(b.current(0, Interval.M1, k)).as("no open minute while halted").isFalse();
    assertThat(b.previous(0, Interval.M1, k)).isTrue();
    assertThat(k.openTime).isEqualTo(T0);
    assertThat(k.closed).isTrue();
    assertThat(k.count).isEqualTo(1);
    // only the minute that had trades, and the five minutes still open, go out
    KlineDelta d = b.takeDelta(0);
    assertThat(rows(d, Interval.M1)).extracting(x -> x.openTime).containsExactly(T0);
    assertThat(rows(d, Interval.M5)).extracting(x -> x.openTime).containsExactly(T0);
    assertThat(b.contains(0)).as("still tracked").isTrue();

    // trading resumes at 00:03:20 (before the exchange's status says so): the minute opens at the trade
    trade(b, 2, 120, T0 + 200_000);
    assertThat(b.halted(0)).isFalse();
    b.current(0, Interval.M1, k);
    assertThat(k.openTime).isEqualTo(T0 + 180_000);
    assertThat(k.open).isEqualTo(120);
    assertThat(k.count).isEqualTo(1);
    // and the clock closes its minutes again, quiet ones flat
    b.onTick(T0 + 5 * 60_000);
    b.current(0, Interval.M1, k);
    assertThat(k.openTime).isEqualTo(T0 + 300_000);
    assertThat(k.open).isEqualTo(120);
    b.current(0, Interval.M5, k);
    assertThat(k.openTime).isEqualTo(T0 + 300_000);
  }

  @Test
  void unhaltOpensFlatKlinesAtTheResumeMinuteAtTheLastClose() {
    KlineBook b = book();
    trade(b, 1, 100, T0 + 1_000);
    b.halt(0, T0 + 10_000);
    b.onTick(T0 + 6 * 60_000 + 1);
    Kline k = new Kline();
    assertThat(b.current(0, Interval.M5, k)).as("the five minutes closed too, nothing after").isFalse();
    b.unhalt(0, T0 + 7 * 60_000 + 5_000);
    assertThat(b.halted(0)).isFalse();
    assertThat(b.haltedCount()).isZero();
    b.current(0, Interval.M1, k);
    assertThat(k.openTime).isEqualTo(T0 + 7 * 60_000);
    assertThat(k.open).isEqualTo(100);
    assertThat(k.count).isZero();
    b.current(0, Interval.M5, k);
    assertThat(k.openTime).isEqualTo(T0 + 5 * 60_000);
    b.onTick(T0 + 9 * 60_000);
    b.current(0, Interval.M1, k);
    assertThat(k.openTime).as("quiet minutes close flat again").isEqualTo(T0 + 9 * 60_000);
  }

  @Test
  void aLateTradeForTheMinuteClosedByTheHaltStillAmendsIt() {
    KlineBook b = book();
    trade(b, 1, 100, T0 + 1_000);
    b.halt(0, T0 + 30_000);
    b.onTick(T0 + 60_000);
    t.set(0, 2, 90, 2, 1, 0, 2, 2, T0 + 20_000, false);
    assertThat(b.apply(t)).isEqualTo(KlineBook.Result.LATE_APPLIED);
    Kline k = new Kline();
    b.previous(0, Interval.M1, k);
    assertThat(k.count).isEqualTo(2);
    assertThat(k.low).isEqualTo(90);
    assertThat(b.current(0, Interval.M1, k)).isFalse();
    assertThat(b.halted(0)).as("a trade from before the halt does not end it").isTrue();
  }

  @Test
  void aFeedResumeOfAHaltedSymbolInventsNothingAndRemoveForgetsTheHalt() {
    KlineBook b = book();
    trade(b, 1, 100, T0 + 1_000);
    b.halt(0, T0 + 2_000);
    b.suspend(0);
    b.onTick(T0 + 3 * 60_000);
    b.resume(0, T0 + 3 * 60_000);
    Kline k = new Kline();
    assertThat(b.current(0, Interval.M1, k)).isFalse();
    assertThat(b.removeSymbol(0)).isTrue();
    assertThat(b.haltedCount()).isZero();
  }
}
