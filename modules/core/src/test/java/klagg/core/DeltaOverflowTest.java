package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeltaOverflowTest {
  static Kline kline(int symbol, long open) {
    Kline k = new Kline();
    k.symbol = symbol;
    k.interval = Interval.M1;
    k.openTime = open;
    k.closeTime = open + 59_999;
    k.open = k.high = k.low = k.close = 100;
    k.priceScale = 2;
    k.volume = 1;
    k.count = 1;
    k.closed = true;
    return k;
  }

  @Test
  void rowsGoOutWithEveryDeltaUntilOneCarryingThemIsAcknowledged() {
    DeltaOverflow o = new DeltaOverflow();
    o.add(kline(1, 0));
    KlineDelta.Builder out = new KlineDelta.Builder(8);
    o.sendWith(out, 1);
    o.add(kline(2, 60_000)); // after delta 1: not in it
    o.acknowledged(1);
    assertThat(o.size()).isEqualTo(1);
    out.clear();
    o.sendWith(out, 2);
    assertThat(out.build(2).get(0, new Kline()).symbol).isEqualTo(2);
    o.acknowledged(1); // a stale acknowledgement keeps it
    assertThat(o.size()).isEqualTo(1);
    o.acknowledged(2);
    assertThat(o.size()).isZero();
  }

  @Test
  void pastItsBoundItSpillsTheEarliestOpenPerSymbolForARebuild() {
    DeltaOverflow o = new DeltaOverflow();
    o.max(3);
    o.add(kline(1, 120_000));
    o.add(kline(1, 60_000));
    o.add(kline(4, 0));
    assertThat(o.hasSpilled()).isFalse();
    o.add(kline(2, 180_000));
    assertThat(o.hasSpilled()).isTrue();
    assertThat(o.size()).isEqualTo(1);
    assertThat(o.spills()).isEqualTo(1);
    assertThat(o.spilledKlines()).isEqualTo(3);
    List<long[]> got = new ArrayList<>();
    o.takeSpilled((sym, from) -> got.add(new long[] {sym, from}));
    assertThat(got).containsExactly(new long[] {1, 60_000}, new long[] {4, 0});
    assertThat(o.hasSpilled()).isFalse();
  }
}
