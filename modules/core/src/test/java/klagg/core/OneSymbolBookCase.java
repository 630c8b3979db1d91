package klagg.core;

import java.util.List;

/**
 * Tests on a book of one symbol (id 0, price scale 2, quantity scale 0) over 1m and 5m, from
 * {@link #T0} = 00:00, on every boundary up to 1d.
 */
abstract class OneSymbolBookCase {
  static final long T0 = 1_680_652_800_000L;
  final AggTrade t = new AggTrade();

  KlineBook book() {
    KlineBook b = new KlineBook(List.of(Interval.M1, Interval.M5), 2_000, 2);
    b.addSymbol(0, 2, 0);
    return b;
  }

  /** A trade of quantity 1 with aggregate id {@code a} (its trade ids are {@code a} too). */
  void trade(KlineBook b, long a, long price, long time) {
    t.set(0, a, price, 2, 1, 0, a, a, time, false);
    b.apply(t);
  }
}
