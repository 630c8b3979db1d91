package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import klagg.core.AggTrade;
import klagg.core.Interval;
import klagg.core.KlineBook;
import org.junit.jupiter.api.Test;

class GlobalBookTest {
  static final long T0 = 1_700_000_040_000L; // a minute boundary

  @Test
  void keepsTheOpenAndTheLastClosedKlinePerSymbolAndInterval() {
    KlineBook worker = new KlineBook(List.of(Interval.M1, Interval.H1), 2_000, 4);
    GlobalBook book = new GlobalBook();
    AggTrade t = new AggTrade();
    for (int s : new int[] {0, 700}) { // sparse ids grow the table
      worker.addSymbol(s, 2, 0);
      worker.apply(t.set(s, 1, 100 + s, 2, 1, 0, 1, 1, T0 + 1, false));
    }
    book.apply(worker.takeDelta(0));
    assertThat(book.current(700, Interval.M1).close).isEqualTo(800);
    assertThat(book.lastClosed(700, Interval.M1)).isNull();
    worker.apply(t.set(700, 2, 900, 2, 1, 0, 2, 2, T0 + 60_001, false));
    book.apply(worker.takeDelta(1));
    assertThat(book.lastClosed(700, Interval.M1).close).isEqualTo(800);
    assertThat(book.current(700, Interval.M1).openTime).isEqualTo(T0 + 60_000);
    assertThat(book.current(700, Interval.H1).close).isEqualTo(900);
    assertThat(book.current(5, Interval.M1)).isNull();
    int before = book.size();
    book.remove(700);
    assertThat(book.current(700, Interval.M1)).isNull();
    assertThat(book.size()).isLessThan(before);
    assertThat(book.current(0, Interval.M1).close).isEqualTo(100);
  }
}
