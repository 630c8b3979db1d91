package klagg.bench;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import klagg.core.AggTrade;
import klagg.core.Interval;
import klagg.core.KlineBook;
import org.junit.jupiter.api.Test;

/** The JMH benches' tear-down checks fail a run whose book did not apply every trade fed. */
class BenchChecksTest {
  @Test
  void aBookThatDroppedATradeFailsTheCheck() {
    KlineBook book = new KlineBook(Interval.DEFAULTS, 2_000, 1);
    book.addSymbol(0, 2, 3);
    AggTrade t = new AggTrade();
    book.apply(t.set(0, 1, 100_00, 2, 1_000, 3, 1, 1, SyntheticTrades.T0, false));
    book.apply(t.set(0, 2, 100_00, 2, 1_000, 3, 2, 2, SyntheticTrades.T0 + 1, false));
    assertThatCode(() -> BenchChecks.allApplied("test", book, 2)).doesNotThrowAnyException();
    book.apply(t.set(0, 2, 100_00, 2, 1_000, 3, 2, 2, SyntheticTrades.T0 + 2, false)); // a duplicate
    assertThatThrownBy(() -> BenchChecks.allApplied("test", book, 3)).hasMessageContaining("1 duplicates");
  }

  @Test
  void framesThatDidNotDecodeFailTheCheck() {
    assertThatCode(() -> BenchChecks.allDecoded("test", 1024, 1024)).doesNotThrowAnyException();
    assertThatThrownBy(() -> BenchChecks.allDecoded("test", 1023, 1024)).hasMessageContaining("1023 decoded");
  }
}
