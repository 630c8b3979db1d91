package klagg.service.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.core.KlineDelta;
import org.junit.jupiter.api.Test;

class KlineCacheTest {
  private static final long MIN = 60_000L;

  /** A kline with every field distinct and derived from {@code seed}. */
  private static Kline kline(int symbol, Interval iv, long openTime, long seed) {
    Kline k = new Kline();
    k.symbol = symbol;
    k.interval = iv;
    k.openTime = openTime;
    k.closeTime = openTime + MIN - 1;
    k.open = 100_000_000L + seed;
    k.high = 200_000_000L + seed;
    k.low = 50_000_000L + seed;
    k.close = 150_000_000L + seed;
    k.priceScale = 8;
    k.volume = 1_234_567_890_123L + seed;
    k.takerBuyVolume = 987_654_321L + seed;
    k.qtyScale = 5;
    k.quoteHi = 3 + seed;
    k.quoteLo = -7_000_000_000_000_000_000L + seed; // the low word uses all 64 bits
    k.takerBuyQuoteHi = 1 + seed;
    k.takerBuyQuoteLo = 42 + seed;
    k.count = 1000 + seed;
    k.firstId = 5_000_000_000L + seed;
    k.lastId = 5_000_001_000L + seed;
    k.lastAggId = 9_000_000_000L + seed;
    k.closed = seed % 2 == 0;
    return k;
  }

  private static KlineDelta delta(Kline... ks) {
    KlineDelta.Builder b = new KlineDelta.Builder(ks.length);
    for (Kline k : ks) {
      b.add(k);
    }
    return b.build(1);
  }

  private static void apply(KlineCache c, Kline... ks) {
    KlineDelta d = delta(ks);
    for (int r = 0; r < d.size(); r++) {
      c.apply(d, r);
    }
  }

  private static void assertSame(Kline got, Kline want) {
    assertThat(got).usingRecursiveComparison().isEqualTo(want);
    assertThat(got.quoteVolumeDecimal()).isEqualByComparingTo(want.quoteVolumeDecimal());
    assertThat(got.takerBuyQuoteVolumeDecimal()).isEqualByComparingTo(want.takerBuyQuoteVolumeDecimal());
  }

  private static long[] openTimes(KlineCache.Ring r) {
    long[] t = new long[r.size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = r.openTime(i);
    }
    return t;
  }

  @Test
  void valuesReadBackEqualWhatWasWrittenEveryFieldExactly() {
    KlineCache c = new KlineCache(500, 1_000_000);
    Kline a = kline(7, Interval.H4, 0, 1);
    Kline b = kline(7, Interval.H4, 4 * 60 * MIN, 2);
    b.priceScale = 2;
    b.qtyScale = 0;
    b.open = -1; // values as they come, signs included
    apply(c, a, b);
    KlineCache.Ring r = c.ring(7, Interval.H4);
    assertThat(r.size()).isEqualTo(2);
    assertSame(r.get(0), a);
    assertSame(r.get(1), b);
    assertThat(r.get(0).openDecimal()).isEqualByComparingTo(new BigDecimal("1.00000001"));
    assertThat(r.get(0).volumeDecimal()).isEqualByComparingTo(new BigDecimal("12345678.90124"));
    assertThat(r.get(1).closeDecimal()).isEqualByComparingTo(new BigDecimal("1500000.02"));
    assertThat(r.get(0).closed).isFalse();
    assertThat(r.get(1).closed).isTrue();
    // a copy: the cache's next change does not reach it
    Kline held = r.get(1);
    Kline b2 = kline(7, Interval.H4, 4 * 60 * MIN, 9);
    apply(c, b2);
    assertThat(r.size()).isEqualTo(2);
    assertSame(held, b);
    assertSame(r.get(r.size() - 1), b2);
    assertThat(c.ring(7, Interval.M1)).isNull();
    assertThat(c.ring(8, Interval.H4)).isNull();
    assertThat(c.keys()).isEqualTo(1);
    assertThat(c.klines()).isEqualTo(2);
  }

  @Test
  void ringsStartWithOneSlotAndDoubleUpToTheirCapacity() {
    KlineCache c = new KlineCache(5, 1_000_000);
    apply(c, kline(1, Interval.M1, 0, 0));
    KlineCache.Ring r = c.ring(1, Interval.M1);
    assertThat(r.slots()).isEqualTo(1);
    assertThat(c.slots()).isEqualTo(1);
    int[] expected = {1, 2, 4, 4, 5, 5, 5, 5};
    for (int i = 1; i < expected.length; i++) {
      apply(c, kline(1, Interval.M1, i * MIN, i));
      assertThat(r.slots()).as("slots after %d klines", i + 1).isEqualTo(expected[i]);
    }
    assertThat(r.size()).isEqualTo(5);
    assertThat(c.slots()).isEqualTo(5);
    assertThat(c.klines()).isEqualTo(5);
    for (int i = 0; i < 5; i++) {
      assertSame(r.get(i), kline(1, Interval.M1, (i + 3) * MIN, i + 3));
    }
    assertThat(c.evicted()).isZero();
  }

  @Test
  void theRingWrapsAroundAndKeepsTheNewestAtItsCapacity() {
    KlineCache c = new KlineCache(4, 1_000_000);
    for (int i = 0; i < 23; i++) {
      apply(c, kline(2, Interval.M5, i * MIN, i));
      // the open kline changing in place
      apply(c, kline(2, Interval.M5, i * MIN, i + 100));
    }
    KlineCache.Ring r = c.ring(2, Interval.M5);
    assertThat(r.size()).isEqualTo(4);
    assertThat(r.slots()).isEqualTo(4);
    assertThat(openTimes(r)).containsExactly(19 * MIN, 20 * MIN, 21 * MIN, 22 * MIN);
    for (int i = 0; i < 4; i++) {
      assertSame(r.get(i), kline(2, Interval.M5, (19 + i) * MIN, 119 + i));
    }
    assertThat(c.klines()).isEqualTo(4);
  }

  @Test
  void outOfOrderKlinesAreInsertedInPlaceAcrossTheWrap() {
    KlineCache c = new KlineCache(4, 1_000_000);
    for (int i : new int[] {0, 1, 2, 3, 4, 6}) { // wrapped: the ring's start is not at slot 0
      apply(c, kline(3, Interval.M1, i * MIN, i));
    }
    KlineCache.Ring r = c.ring(3, Interval.M1);
    assertThat(openTimes(r)).containsExactly(2 * MIN, 3 * MIN, 4 * MIN, 6 * MIN);
    apply(c, kline(3, Interval.M1, 5 * MIN, 5)); // full: the oldest goes, 5 goes between 4 and 6
    assertThat(openTimes(r)).containsExactly(3 * MIN, 4 * MIN, 5 * MIN, 6 * MIN);
    for (int i = 0; i < 4; i++) {
      assertSame(r.get(i), kline(3, Interval.M1, (3 + i) * MIN, 3 + i));
    }
    apply(c, kline(3, Interval.M1, MIN, 1)); // older than a full ring: not kept
    assertThat(openTimes(r)).containsExactly(3 * MIN, 4 * MIN, 5 * MIN, 6 * MIN);
    // with room, an older one goes first
    KlineCache roomy = new KlineCache(8, 1_000_000);
    apply(roomy, kline(3, Interval.M1, 5 * MIN, 5), kline(3, Interval.M1, 2 * MIN, 2), kline(3, Interval.M1, 3 * MIN, 3));
    assertThat(openTimes(roomy.ring(3, Interval.M1))).containsExactly(2 * MIN, 3 * MIN, 5 * MIN);
    assertSame(roomy.ring(3, Interval.M1).get(1), kline(3, Interval.M1, 3 * MIN, 3));
  }

  @Test
  void theGlobalBoundEvictsTheOldestAndRefusesNewSeriesWithoutFailing() {
    KlineCache c = new KlineCache(100, 6);
    for (int i = 0; i < 4; i++) {
      apply(c, kline(1, Interval.M1, i * MIN, i)); // slots 1, 2, 4
    }
    assertThat(c.slots()).isEqualTo(4);
    apply(c, kline(2, Interval.M1, 0, 0), kline(2, Interval.M1, MIN, 1)); // slots 1, 2: 6 in all
    assertThat(c.slots()).isEqualTo(6);
    // symbol 1 cannot double past the bound: it keeps 4, dropping its oldest
    apply(c, kline(1, Interval.M1, 4 * MIN, 4));
    KlineCache.Ring r1 = c.ring(1, Interval.M1);
    assertThat(r1.slots()).isEqualTo(4);
    assertThat(openTimes(r1)).containsExactly(MIN, 2 * MIN, 3 * MIN, 4 * MIN);
    assertSame(r1.get(r1.size() - 1), kline(1, Interval.M1, 4 * MIN, 4));
    assertThat(c.evicted()).isEqualTo(1);
    // a new series finds no slot: not cached, counted
    apply(c, kline(3, Interval.M1, 0, 0), kline(1, Interval.H1, 0, 0));
    assertThat(c.ring(3, Interval.M1)).isNull();
    assertThat(c.ring(1, Interval.H1)).isNull();
    assertThat(c.refused()).isEqualTo(2);
    assertThat(c.keys()).isEqualTo(2);
    assertThat(c.slots()).isEqualTo(6);
    assertThat(c.klines()).isEqualTo(6);
    // a removed symbol gives its slots back
    c.remove(2);
    assertThat(c.slots()).isEqualTo(4);
    assertThat(c.klines()).isEqualTo(4);
    apply(c, kline(3, Interval.M1, 0, 0));
    assertThat(c.ring(3, Interval.M1).size()).isEqualTo(1);
    // a ring grows only as far as the bound leaves: 4 -> 5 (not 8)
    apply(c, kline(1, Interval.M1, 5 * MIN, 5));
    assertThat(r1.slots()).isEqualTo(5);
    assertThat(openTimes(r1)).containsExactly(MIN, 2 * MIN, 3 * MIN, 4 * MIN, 5 * MIN);
    assertThat(c.slots()).isEqualTo(6);
    assertThat(c.evicted()).isEqualTo(1);
  }
}
