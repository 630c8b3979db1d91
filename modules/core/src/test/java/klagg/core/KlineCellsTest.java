package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KlineCellsTest {
  static final long T0 = 1_680_652_800_000L; // 00:00
  final Interval[] ivs = {Interval.M1, Interval.M5};

  @Test
  void tradesGoInByIdOrderAndSumExactly() {
    KlineCells c = new KlineCells(ivs);
    c.grow(2);
    int cell = c.cell(1, 1);
    assertThat(cell).isEqualTo(6);
    c.flat(cell, 1, T0, 100);
    assertThat(c.minNextOpen[1]).isEqualTo(T0 + 300_000);
    int x = cell << KlineCells.CELL_SHIFT;
    KlineCells.update(c.v, x, 110, 2, 5, 5, false); // arrives first, id 5
    KlineCells.update(c.v, x, 90, 3, 3, 4, true); // earlier ids: becomes the open
    Kline k = c.read(cell, new Kline());
    assertThat(k.interval).isEqualTo(Interval.M5);
    assertThat(k.openTime).isEqualTo(T0);
    assertThat(k.closeTime).isEqualTo(T0 + 299_999);
    assertThat(new long[] {k.open, k.high, k.low, k.close}).containsExactly(90, 110, 90, 110);
    assertThat(k.count).isEqualTo(3);
    assertThat(k.volume).isEqualTo(5);
    assertThat(k.takerBuyVolume).isEqualTo(2);
    assertThat(k.quoteLo).isEqualTo(110 * 2 + 90 * 3);
    assertThat(k.takerBuyQuoteLo).isEqualTo(220);
    assertThat(k.firstId).isEqualTo(3);
    assertThat(k.lastId).isEqualTo(5);
    assertThat(k.closed).isFalse();
  }

  @Test
  void addingACellGivesWhatTheTradesGiveOneByOne() {
    KlineCells c = new KlineCells(ivs);
    c.grow(1);
    c.flat(0, 0, T0, 0);
    c.flat(2, 1, T0, 0);
    long[] fold = new long[KlineCells.CELL_LONGS];
    long[][] trades = {{100, 1, 10}, {120, 2, 11}, {95, 5, 9}, {101, 1, 12}};
    KlineCells.update(c.v, 0, trades[0][0], trades[0][1], trades[0][2], trades[0][2], false);
    KlineCells.update(c.v, 2 << KlineCells.CELL_SHIFT, trades[0][0], trades[0][1], trades[0][2], trades[0][2], false);
    for (int i = 1; i < trades.length; i++) {
      KlineCells.update(fold, 0, trades[i][0], trades[i][1], trades[i][2], trades[i][2], i % 2 == 0);
      KlineCells.update(c.v, 2 << KlineCells.CELL_SHIFT, trades[i][0], trades[i][1], trades[i][2], trades[i][2], i % 2 == 0);
    }
    c.add(0, fold, 0);
    Kline a = c.read(0, new Kline());
    Kline b = c.read(2, new Kline());
    assertThat(new long[] {a.open, a.high, a.low, a.close, a.volume, a.takerBuyVolume, a.quoteLo, a.takerBuyQuoteLo,
        a.count, a.firstId, a.lastId})
        .containsExactly(b.open, b.high, b.low, b.close, b.volume, b.takerBuyVolume, b.quoteLo, b.takerBuyQuoteLo,
            b.count, b.firstId, b.lastId);
    assertThat(a.open).isEqualTo(95);
    assertThat(a.close).isEqualTo(101);
  }

  @Test
  void copyClearWriteRescaleAndReflat() {
    KlineCells c = new KlineCells(ivs);
    c.grow(1);
    c.flat(0, 0, T0, 100);
    KlineCells.update(c.v, 0, 105, 1, 7, 7, false);
    c.copy(0, 1);
    c.state[1] = KlineCells.CLOSED;
    c.flat(0, 0, T0 + 60_000, 105);
    assertThat(c.read(1, new Kline()).closed).isTrue();
    assertThat(c.close(1)).isEqualTo(105);

    // a correction of the closed minute: the open one, still without trades, follows its close
    Kline k = c.read(1, new Kline());
    k.close = 12; // at one decimal less than the cells
    k.high = 12;
    k.low = 10;
    k.open = 10;
    c.write(1, k, 1, 0, true);
    assertThat(c.close(1)).isEqualTo(120);
    assertThat(c.reflat(1)).isTrue();
    assertThat(c.close(0)).isEqualTo(120);
    assertThat(c.reflat(1)).as("already at that close").isFalse();

    c.rescale(1, 2, 1);
    Kline r = c.read(1, new Kline());
    assertThat(r.close).isEqualTo(12_000);
    assertThat(r.volume).isEqualTo(10);
    assertThat(r.quoteLo).isEqualTo(1_050_000); // 105 x1, at one decimal more, then three

    c.clear(0);
    assertThat(c.state[0]).isEqualTo(KlineCells.EMPTY);
    assertThat(c.indexOf(Interval.M5)).isEqualTo(1);
    assertThat(c.indexOf(Interval.H1)).isEqualTo(-1);
  }

  @Test
  void rescalingPastTheRangeThrows() {
    KlineCells c = new KlineCells(ivs);
    c.grow(1);
    c.flat(0, 0, T0, Long.MAX_VALUE / 2);
    assertThatThrownBy(() -> c.rescale(0, 1, 0)).isInstanceOf(ArithmeticException.class);
  }
}
