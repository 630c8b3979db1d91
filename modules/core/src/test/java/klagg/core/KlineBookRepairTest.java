package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Late trades, corrections from the exchange's klines, and finer klines merged into coarser ones. */
class KlineBookRepairTest extends OneSymbolBookCase {
  @Test
  void aTradeTooLateForTheClosedMinuteStillCountsInTheOpenFiveMinutes() {
    KlineBook b = book();
    trade(b, 1, 100, T0 + 5);
    b.onTick(T0 + 62_001); // 1m closed past its grace; 5m [00:00, 00:05) still open
    t.set(0, 2, 90, 2, 1, 0, 2, 2, T0 + 59_000, false);
    assertThat(b.apply(t)).isEqualTo(KlineBook.Result.LATE_DROPPED);
    Kline k = new Kline();
    b.previous(0, Interval.M1, k);
    assertThat(k.count).as("the closed minute is short of it").isEqualTo(1);
    b.current(0, Interval.M5, k);
    assertThat(k.count).as("the open five minutes have it").isEqualTo(2);
    assertThat(k.low).isEqualTo(90);
    assertThat(b.lateDropped()).isEqualTo(1);
  }

  @Test
  void correctionReplacesTheKlineOrGoesOutAsAClosedRow() {
    KlineBook b = book();
    trade(b, 1, 100, T0 + 1);
    b.onTick(T0 + 60_000);
    b.takeDelta(0);
    b.takeDelta(1);
    Kline fix = new Kline();
    b.previous(0, Interval.M1, fix);
    fix.high = 150;
    fix.count = 7;
    fix.firstId = -1;
    fix.lastId = -1;
    b.correct(fix);
    Kline k = new Kline();
    b.previous(0, Interval.M1, k);
    assertThat(k.high).isEqualTo(150);
    assertThat(k.count).isEqualTo(7);
    assertThat(k.lastId).as("trade ids kept when REST has none").isEqualTo(1);
    KlineDelta d = b.takeDelta(2);
    assertThat(d.size()).isEqualTo(1);
    // a kline far in the past goes out as a closed row
    Kline old = new Kline().set(fix);
    old.openTime = T0 - 600_000;
    old.closeTime = old.openTime + 59_999;
    old.closed = true;
    b.correct(old);
    d = b.takeDelta(d.epoch());
    assertThat(d.size()).isEqualTo(1);
    assertThat(d.openTime(0)).isEqualTo(T0 - 600_000);
    assertThat(d.closed(0)).isTrue();
  }

  @Test
  void mergingFinerKlinesGivesTheCoarseKlineTheBookBuilds() {
    KlineBook b = new KlineBook(List.of(Interval.M1, Interval.M5), 2_000, 2);
    b.addSymbol(0, 100_00, 2, 0, T0); // seeded flat: first minute quiet
    long[][] trades = {{1, 101_50, 60_001}, {2, 99_00, 60_002}, {3, 100_25, 180_000}};
    for (long[] tr : trades) {
      t.set(0, tr[0], tr[1], 2, tr[0] * 3, 1, tr[0], tr[0] + 1, T0 + tr[2], tr[0] == 2);
      b.apply(t);
    }
    b.onTick(T0 + 240_000);
    KlineDelta d = b.takeDelta(0);
    Kline merged = null;
    for (int i = 0; i < d.size(); i++) {
      Kline k = d.get(i, new Kline());
      if (k.interval == Interval.M1 && k.openTime < T0 + 240_000) {
        merged = merged == null ? k : merged.merge(k);
      }
    }
    Kline m4 = new Kline();
    b.current(0, Interval.M1, m4);
    merged.merge(m4);
    Kline five = new Kline();
    b.current(0, Interval.M5, five);
    assertThat(merged.open).isEqualTo(five.open).isEqualTo(101_50);
    assertThat(merged.high).isEqualTo(five.high);
    assertThat(merged.low).isEqualTo(five.low);
    assertThat(merged.close).isEqualTo(five.close);
    assertThat(merged.volume).isEqualTo(five.volume);
    assertThat(merged.quoteVolumeDecimal()).isEqualByComparingTo(five.quoteVolumeDecimal());
    assertThat(merged.takerBuyQuoteVolumeDecimal()).isEqualByComparingTo(five.takerBuyQuoteVolumeDecimal());
    assertThat(merged.count).isEqualTo(five.count);
    assertThat(merged.firstId).isEqualTo(five.firstId);
    assertThat(merged.lastId).isEqualTo(five.lastId);
  }
}
