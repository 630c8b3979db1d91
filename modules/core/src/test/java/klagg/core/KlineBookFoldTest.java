package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fold cell (a trade inside every open window updates one cell, merged into the intervals'
 * klines before anything reads or changes them) must be invisible: a book with it and one that
 * updates every interval per trade, given the same random mix of in-order, late, reordered,
 * duplicate, gap-filling and finer-scaled trades, ticks, corrections, restores, suspends, symbol
 * removals and missed acknowledgements, give the same results, deltas, snapshots and reads.
 */
class KlineBookFoldTest {
  static final long T0 = 1_680_652_740_000L; // a minute boundary
  static final List<Interval> IVS = List.of(Interval.M1, Interval.M3, Interval.M5, Interval.M15, Interval.H1,
      Interval.D1, Interval.W1);

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void foldedBookEqualsTheDirectOne(long seed) {
    Random r = new Random(seed);
    KlineBook fast = new KlineBook(IVS, 2_000, 2, true);
    KlineBook direct = new KlineBook(IVS, 2_000, 2, false);
    int symbols = 6;
    long[] nextId = new long[symbols];
    for (int s = 0; s < symbols; s++) {
      fast.addSymbol(s, 2, 3);
      direct.addSymbol(s, 2, 3);
      nextId[s] = 1000L * s;
    }
    AggTrade t = new AggTrade();
    long time = T0 + r.nextInt(60_000);
    long ackFast = 0;
    long ackDirect = 0;
    Kline a = new Kline();
    Kline b = new Kline();
    int fastApplied = 0;
    for (int step = 0; step < 20_000; step++) {
      int op = r.nextInt(1000);
      int sym = r.nextInt(symbols);
      if (op < 900) {
        // mostly forward in time, sometimes across boundaries, sometimes late or reordered
        int kind = r.nextInt(100);
        long tt;
        long id;
        if (kind < 85) {
          time += r.nextInt(kind < 2 ? 400_000 : 1_500);
          tt = time;
          id = nextId[sym]++;
        } else if (kind < 92) {
          tt = time - r.nextInt(5_000); // late: within or past grace
          id = nextId[sym]++;
        } else if (kind < 96) {
          tt = time;
          id = nextId[sym] - 1 - r.nextInt(3); // duplicate
        } else {
          tt = time;
          nextId[sym] += 1 + r.nextInt(3); // a gap, later partly filled by the duplicates branch
          id = nextId[sym]++;
        }
        int ps = r.nextInt(50) == 0 ? 2 + r.nextInt(3) : 2;
        long price = (10_000 + r.nextInt(2_000)) * Decimals.POW10[ps - 2] + (ps > 2 ? r.nextInt(10) : 0);
        long qty = 1 + r.nextInt(5_000);
        t.set(sym, id, price, ps, qty, 3, id * 3, id * 3 + r.nextInt(3), tt, r.nextBoolean());
        KlineBook.Result rf = fast.apply(t);
        KlineBook.Result rd = direct.apply(t);
        assertThat(rf).as("result of step %d", step).isEqualTo(rd);
        if (rf == KlineBook.Result.APPLIED) {
          fastApplied++;
        }
      } else if (op < 930) {
        time += r.nextInt(3_000);
        fast.onTick(time);
        direct.onTick(time);
      } else if (op < 960) {
        boolean missed = r.nextInt(5) == 0; // the gateway missed the last reply: no acknowledgement
        KlineDelta df = fast.takeDelta(missed ? 0 : ackFast);
        KlineDelta dd = direct.takeDelta(missed ? 0 : ackDirect);
        List<String> rf = rows(df);
        List<String> rd = rows(dd);
        if (!rf.equals(rd)) {
          List<String> onlyF = new ArrayList<>(rf);
          onlyF.removeAll(rd);
          List<String> onlyD = new ArrayList<>(rd);
          onlyD.removeAll(rf);
          assertThat(onlyF).as("delta at step %d: only in the folded book; only in the direct one: %s", step, onlyD).isEmpty();
        }
        assertThat(rf).as("delta at step %d", step).isEqualTo(rd);
        ackFast = df.epoch();
        ackDirect = dd.epoch();
      } else if (op < 970) {
        Interval iv = IVS.get(r.nextInt(IVS.size()));
        boolean hasF = fast.current(sym, iv, a);
        assertThat(hasF).isEqualTo(direct.current(sym, iv, b));
        if (hasF) {
          assertThat(a.toString()).isEqualTo(b.toString());
        }
        assertThat(fast.previous(sym, iv, a)).isEqualTo(direct.previous(sym, iv, b));
      } else if (op < 980) {
        // a repair from REST: the open kline replaced by the exchange's values
        Interval iv = IVS.get(r.nextInt(IVS.size()));
        if (direct.current(sym, iv, b)) {
          b.volume += 7;
          b.count += 1;
          b.firstId = -1;
          b.lastId = -1;
          fast.correct(b);
          direct.correct(b);
        }
      } else if (op < 985) {
        if (direct.suspended(sym)) {
          fast.resume(sym, time);
          direct.resume(sym, time);
        } else {
          fast.suspend(sym);
          direct.suspend(sym);
        }
      } else if (op < 988) {
        // the symbol is delisted and listed again (restored from a stored kline)
        assertThat(fast.removeSymbol(sym)).isEqualTo(direct.removeSymbol(sym));
        fast.addSymbol(sym, 2, 3);
        direct.addSymbol(sym, 2, 3);
        if (r.nextBoolean()) {
          Kline k = new Kline();
          k.symbol = sym;
          k.interval = Interval.M1;
          k.openTime = Interval.M1.openOf(time);
          k.closeTime = k.openTime + 59_999;
          k.open = k.high = k.low = k.close = 10_500;
          k.priceScale = 2;
          k.qtyScale = 3;
          fast.restore(k);
          direct.restore(k);
        }
        fast.setLastAggId(sym, nextId[sym] - 1);
        direct.setLastAggId(sym, nextId[sym] - 1);
      }
    }
    assertThat(rows(fast.snapshot())).isEqualTo(rows(direct.snapshot()));
    assertThat(rows(fast.takeDelta(0))).isEqualTo(rows(direct.takeDelta(0)));
    assertThat(fast.applied()).isEqualTo(direct.applied());
    assertThat(fast.lateApplied()).isEqualTo(direct.lateApplied());
    assertThat(fast.lateDropped()).isEqualTo(direct.lateDropped());
    assertThat(fastApplied).as("trades applied in order").isGreaterThan(10_000);
    assertThat(fast.foldedTrades()).as("trades that took the fold path").isGreaterThan(fastApplied / 2);
    assertThat(direct.foldedTrades()).isZero();
  }

  static List<String> rows(KlineDelta d) {
    List<String> out = new ArrayList<>();
    Kline k = new Kline();
    for (int i = 0; i < d.size(); i++) {
      out.add(d.get(i, k).toString());
    }
    return out;
  }
}
