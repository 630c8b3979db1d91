package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KlineBookTest {
  static final long T0 = 1_680_652_740_000L; // 2023-04-04T23:59:00Z, a minute boundary
  static final int SYM = 0;

  KlineBook book;
  final AggTrade t = new AggTrade();
  final int[] sc = new int[1];
  final List<long[]> gapsSeen = new ArrayList<>();

  @BeforeEach
  void setUp() {
    book = new KlineBook(List.of(Interval.M1, Interval.M5), 2_000, 4);
    book.addSymbol(SYM, 2, 3);
    book.setGapListener((s, f, to) -> gapsSeen.add(new long[] {s, f, to}));
  }

  KlineBook.Result trade(long a, String p, String q, long time, boolean buyerMaker) {
    long pm = Decimals.parse(p, sc);
    int ps = sc[0];
    long qm = Decimals.parse(q, sc);
    t.set(SYM, a, pm, ps, qm, sc[0], a * 10, a * 10 + 1, time, buyerMaker);
    return book.apply(t);
  }

  Kline cur(Interval iv) {
    Kline k = new Kline();
    assertThat(book.current(SYM, iv, k)).isTrue();
    return k;
  }

  Kline prev(Interval iv) {
    Kline k = new Kline();
    assertThat(book.previous(SYM, iv, k)).isTrue();
    return k;
  }

  static List<Kline> rows(KlineDelta d) {
    List<Kline> r = new ArrayList<>();
    for (int i = 0; i < d.size(); i++) {
      r.add(d.get(i, new Kline()));
    }
    return r;
  }

  @Test
  void sumsAreExactAndCountFollowsTradeIds() {
    trade(1, "100.10", "0.001", T0 + 1, false);
    trade(2, "100.30", "0.002", T0 + 2, true);
    trade(3, "99.90", "0.003", T0 + 3, false);
    Kline k = cur(Interval.M1);
    assertThat(k.openDecimal()).isEqualByComparingTo("100.10");
    assertThat(k.highDecimal()).isEqualByComparingTo("100.30");
    assertThat(k.lowDecimal()).isEqualByComparingTo("99.90");
    assertThat(k.closeDecimal()).isEqualByComparingTo("99.90");
    assertThat(k.volumeDecimal()).isEqualByComparingTo("0.006");
    assertThat(k.quoteVolumeDecimal()).isEqualByComparingTo("0.6004"); // .1001 + .2006 + .2997
    assertThat(k.quoteVolumeDecimal()).isEqualByComparingTo(new java.math.BigDecimal("100.10").multiply(new java.math.BigDecimal("0.001"))
        .add(new java.math.BigDecimal("100.30").multiply(new java.math.BigDecimal("0.002")))
        .add(new java.math.BigDecimal("99.90").multiply(new java.math.BigDecimal("0.003"))));
    assertThat(k.takerBuyVolumeDecimal()).isEqualByComparingTo("0.004");
    assertThat(k.count).isEqualTo(6); // each aggTrade holds 2 fills
    assertThat(k.firstId).isEqualTo(10);
    assertThat(k.lastId).isEqualTo(31);
    assertThat(k.openTime).isEqualTo(T0);
    assertThat(k.closeTime).isEqualTo(T0 + 59_999);
    assertThat(cur(Interval.M5).openTime).isEqualTo(Interval.M5.openOf(T0));
  }

  @Test
  void aLateTradeThatClosesThePreviousKlineMovesTheFlatOneAfterIt() {
    trade(1, "100.10", "0.001", T0 + 1_000, false);
    book.onTick(T0 + 60_010); // the minute closes before its last trade arrived: flat at 100.10
    assertThat(cur(Interval.M1).closeDecimal()).isEqualByComparingTo("100.10");
    assertThat(trade(2, "100.50", "0.001", T0 + 59_990, false)).isEqualTo(KlineBook.Result.LATE_APPLIED);
    assertThat(prev(Interval.M1).closeDecimal()).isEqualByComparingTo("100.50");
    Kline flat = cur(Interval.M1);
    assertThat(flat.count).isZero();
    assertThat(List.of(flat.openDecimal(), flat.highDecimal(), flat.lowDecimal(), flat.closeDecimal()))
        .allSatisfy(p -> assertThat(p).isEqualByComparingTo("100.50"));
    assertThat(rows(book.takeDelta(0))).anySatisfy(k -> {
      assertThat(k.interval).isEqualTo(Interval.M1);
      assertThat(k.closed).isFalse();
      assertThat(k.closeDecimal()).isEqualByComparingTo("100.50");
    });
    // once the open kline has a trade of its own, a late one no longer moves it
    trade(3, "101.00", "0.001", T0 + 60_500, false);
    trade(4, "99.00", "0.001", T0 + 59_995, false);
    assertThat(cur(Interval.M1).openDecimal()).isEqualByComparingTo("101.00");
  }

  @Test
  void rowsCarryTheSymbolsLastAggregateId() {
    trade(7, "100.10", "0.001", T0 + 1_000, false);
    assertThat(rows(book.takeDelta(0))).isNotEmpty().allSatisfy(k -> assertThat(k.lastAggId).isEqualTo(7));
  }

  @Test
  void quoteVolumeBeyond64BitsIsExact() {
    // 10^9 * 10^9 at scales 8 and 8 overflows a long per trade; sum many
    java.math.BigDecimal expect = java.math.BigDecimal.ZERO;
    for (int i = 1; i <= 50; i++) {
      trade(i, "99999999.12345678", "12345678.87654321", T0 + i, false);
      expect = expect.add(new java.math.BigDecimal("99999999.12345678").multiply(new java.math.BigDecimal("12345678.87654321")));
    }
    assertThat(cur(Interval.M1).quoteVolumeDecimal()).isEqualByComparingTo(expect);
    assertThat(cur(Interval.M1).takerBuyQuoteVolumeDecimal()).isEqualByComparingTo(expect);
  }

  @Test
  void finerDecimalsWidenTheSymbolScaleWithoutLosingValue() {
    trade(1, "100.1", "1", T0 + 1, false);
    trade(2, "100.12345", "0.5", T0 + 2, false);
    Kline k = cur(Interval.M1);
    assertThat(k.priceScale).isEqualTo(5);
    assertThat(k.openDecimal()).isEqualByComparingTo("100.1");
    assertThat(k.highDecimal()).isEqualByComparingTo("100.12345");
    assertThat(k.volumeDecimal()).isEqualByComparingTo("1.5");
    assertThat(k.quoteVolumeDecimal()).isEqualByComparingTo("150.161725");
  }

  @Test
  void aTradePastTheBoundaryRollsAtOnceAndTheOldKlineIsFinal() {
    trade(1, "10.00", "1", T0 + 5, false);
    trade(2, "11.00", "1", T0 + 60_000, false);
    Kline p = prev(Interval.M1);
    assertThat(p.closed).isTrue();
    assertThat(p.closeDecimal()).isEqualByComparingTo("10");
    Kline c = cur(Interval.M1);
    assertThat(c.openTime).isEqualTo(T0 + 60_000);
    assertThat(c.openDecimal()).isEqualByComparingTo("11");
    // T0 + 1 min is also a 5m boundary (00:00)
    assertThat(prev(Interval.M5).count).isEqualTo(2);
    assertThat(cur(Interval.M5).count).isEqualTo(2);
  }

  @Test
  void quietIntervalsBecomeFlatKlinesAtThePreviousClose() {
    trade(1, "10.00", "1", T0 + 5, false);
    trade(2, "12.50", "1", T0 + 10, false);
    book.takeDelta(0);
    book.onTick(T0 + 3 * 60_000 + 100);
    List<Kline> d = rows(book.takeDelta(1));
    List<Kline> m1 = d.stream().filter(k -> k.interval == Interval.M1).sorted((a, b) -> Long.compare(a.openTime, b.openTime)).toList();
    assertThat(m1).extracting(k -> k.openTime).containsExactly(T0, T0 + 60_000, T0 + 120_000, T0 + 180_000);
    for (Kline k : m1.subList(1, 4)) {
      assertThat(k.count).isZero();
      assertThat(k.openDecimal()).isEqualByComparingTo("12.5");
      assertThat(k.highDecimal()).isEqualByComparingTo("12.5");
      assertThat(k.lowDecimal()).isEqualByComparingTo("12.5");
      assertThat(k.closeDecimal()).isEqualByComparingTo("12.5");
      assertThat(k.volume).isZero();
      assertThat(k.firstId).isEqualTo(-1);
      assertThat(k.lastId).isEqualTo(-1);
    }
    assertThat(m1.subList(0, 3)).allMatch(k -> k.closed);
    assertThat(m1.get(3).closed).isFalse();
  }

  @Test
  void tickTouchesOnlyIntervalsWhoseBoundaryPassed() {
    long t1 = T0 + 120_000; // 00:01, inside a 5m kline
    trade(1, "10.00", "1", t1 + 5, false);
    book.takeDelta(0);
    book.onTick(t1 + 30_000); // no boundary
    assertThat(book.takeDelta(1).size()).isZero();
    book.onTick(t1 + 60_000);
    List<Kline> d = rows(book.takeDelta(2));
    assertThat(d).extracting(k -> k.interval).containsOnly(Interval.M1);
  }

  @Test
  void lateTradeAmendsTheJustClosedKlineWithinGraceAndIsRepublished() {
    trade(1, "10.00", "1", T0 + 5, false);
    book.onTick(T0 + 60_000);
    book.takeDelta(0);
    book.takeDelta(1); // acknowledged
    // trade 3 arrives before 2 (reordered): 2 belongs to the closed minute
    assertThat(trade(3, "12.00", "1", T0 + 60_010, false)).isEqualTo(KlineBook.Result.APPLIED);
    assertThat(gapsSeen).hasSize(1);
    assertThat(trade(2, "9.00", "2", T0 + 59_999, true)).isEqualTo(KlineBook.Result.LATE_APPLIED);
    Kline p = prev(Interval.M1);
    assertThat(p.closeDecimal()).isEqualByComparingTo("9"); // last trade id wins, not arrival
    assertThat(p.lowDecimal()).isEqualByComparingTo("9");
    assertThat(p.volumeDecimal()).isEqualByComparingTo("3");
    assertThat(p.count).isEqualTo(4);
    List<Kline> d = rows(book.takeDelta(2));
    assertThat(d).anyMatch(k -> k.closed && k.interval == Interval.M1 && k.openTime == T0 && k.count == 4);
    assertThat(book.lateApplied()).isEqualTo(1);
    assertThat(book.openGaps(SYM)).isEmpty();
  }

  @Test
  void lateTradeAfterGraceIsDroppedAndCounted() {
    trade(1, "10.00", "1", T0 + 5, false);
    book.onTick(T0 + 62_001); // grace 2 s after the close at T0+59_999
    assertThat(trade(2, "9.00", "1", T0 + 59_000, false)).isEqualTo(KlineBook.Result.LATE_DROPPED);
    assertThat(book.lateDropped()).isEqualTo(1);
    assertThat(prev(Interval.M1).count).isEqualTo(2);
    // a trade two intervals back is dropped even inside the grace period
    assertThat(trade(3, "9.00", "1", T0 - 1, false)).isEqualTo(KlineBook.Result.LATE_DROPPED);
  }

  @Test
  void duplicatesAreDroppedAndGapsReportedThenFilled() {
    assertThat(trade(5, "10.00", "1", T0 + 1, false)).isEqualTo(KlineBook.Result.APPLIED);
    assertThat(trade(5, "10.00", "1", T0 + 1, false)).isEqualTo(KlineBook.Result.DUPLICATE);
    assertThat(trade(9, "10.00", "1", T0 + 2, false)).isEqualTo(KlineBook.Result.APPLIED);
    assertThat(gapsSeen).containsExactly(new long[] {SYM, 6, 8});
    assertThat(trade(7, "10.00", "1", T0 + 2, false)).isEqualTo(KlineBook.Result.GAP_FILLED);
    assertThat(trade(7, "10.00", "1", T0 + 2, false)).isEqualTo(KlineBook.Result.DUPLICATE);
    assertThat(book.openGaps(SYM)).isDeepEqualTo(new long[][] {{6, 6}, {8, 8}});
    trade(6, "10.00", "1", T0 + 2, false);
    trade(8, "10.00", "1", T0 + 2, false);
    assertThat(book.openGaps(SYM)).isEmpty();
    assertThat(book.duplicates()).isEqualTo(2);
    assertThat(cur(Interval.M1).volumeDecimal()).isEqualByComparingTo("5");
  }

  @Test
  void unacknowledgedDeltaIsSentAgainAndAcknowledgedOneIsCleared() {
    trade(1, "10.00", "1", T0 + 1, false);
    KlineDelta d1 = book.takeDelta(0);
    assertThat(d1.size()).isEqualTo(2);
    // the consumer lost d1: it acknowledges nothing new
    KlineDelta d2 = book.takeDelta(0);
    assertThat(d2.size()).isEqualTo(2);
    assertThat(d2.epoch()).isGreaterThan(d1.epoch());
    KlineDelta d3 = book.takeDelta(d2.epoch());
    assertThat(d3.size()).isZero();
  }

  @Test
  void closedKlinesSurviveInTheOverflowUntilAcknowledged() {
    trade(1, "10.00", "1", T0 + 1, false);
    book.takeDelta(0); // never acknowledged from here on
    for (int m = 1; m <= 5; m++) {
      trade(1 + m, "10.00", "1", T0 + m * 60_000L + 1, false);
    }
    KlineDelta d = book.takeDelta(0);
    List<Kline> m1 = rows(d).stream().filter(k -> k.interval == Interval.M1).toList();
    assertThat(m1).extracting(k -> k.openTime).containsExactlyInAnyOrder(
        T0, T0 + 60_000, T0 + 120_000, T0 + 180_000, T0 + 240_000, T0 + 300_000);
    assertThat(book.overflowSize()).isGreaterThan(0);
    book.takeDelta(d.epoch());
    assertThat(book.overflowSize()).isZero();
  }

  @Test
  void anUnacknowledgedOverflowIsBoundedAndRemembersWhatToRebuild() {
    book.maxOverflow(2);
    trade(1, "10.00", "1", T0 + 1, false);
    book.takeDelta(0); // never acknowledged from here on
    for (int m = 1; m <= 8; m++) {
      trade(1 + m, "10.00", "1", T0 + m * 60_000L + 1, false);
    }
    assertThat(book.overflowSize()).as("bounded").isLessThanOrEqualTo(2);
    assertThat(book.overflowSpills()).isPositive();
    assertThat(book.overflowSpilledKlines()).isPositive();
    assertThat(book.hasSpilled()).isTrue();
    List<long[]> spilled = new ArrayList<>();
    book.takeSpilled((sym, from) -> spilled.add(new long[] {sym, from}));
    assertThat(spilled).hasSize(1);
    assertThat(spilled.get(0)[0]).isEqualTo(SYM);
    assertThat(spilled.get(0)[1]).as("the earliest dropped kline: the 5m one holding T0")
        .isEqualTo(Interval.M5.openOf(T0));
    assertThat(book.hasSpilled()).isFalse();
    book.takeSpilled((sym, from) -> spilled.add(new long[] {sym, from}));
    assertThat(spilled).as("taken once").hasSize(1);
  }

  @Test
  void removedSymbolIsClosedOutAndItsSlotReused() {
    trade(1, "10.00", "1", T0 + 1, false);
    book.takeDelta(0);
    assertThat(book.removeSymbol(SYM)).isTrue();
    List<Kline> d = rows(book.takeDelta(1));
    assertThat(d).hasSize(2).allMatch(k -> k.closed);
    assertThat(book.contains(SYM)).isFalse();
    t.symbol = SYM;
    assertThat(book.apply(t)).isEqualTo(KlineBook.Result.UNKNOWN_SYMBOL);
    book.addSymbol(1, 2, 3);
    assertThat(book.symbolCount()).isEqualTo(1);
  }

  @Test
  void seededSymbolHasFlatKlinesFromItsFirstMinute() {
    book.addSymbol(7, 123_45L, 2, 0, T0 + 30_000);
    Kline k = new Kline();
    assertThat(book.current(7, Interval.M1, k)).isTrue();
    assertThat(k.openTime).isEqualTo(T0);
    assertThat(k.closeDecimal()).isEqualByComparingTo("123.45");
    assertThat(k.count).isZero();
    book.onTick(T0 + 60_000);
    assertThat(book.previous(7, Interval.M1, k)).isTrue();
    assertThat(k.closed).isTrue();
  }

  @Test
  void manySymbolsGrowTheBook() {
    for (int s = 1; s < 300; s++) {
      book.addSymbol(s, 2, 3);
      t.set(s, 1, 100 + s, 2, 1, 0, 1, 1, T0 + s, false);
      assertThat(book.apply(t)).isEqualTo(KlineBook.Result.APPLIED);
    }
    Kline k = new Kline();
    for (int s = 1; s < 300; s++) {
      assertThat(book.current(s, Interval.M5, k)).isTrue();
      assertThat(k.close).isEqualTo(100 + s);
    }
  }
}
