package klagg.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The oracle's decimals and sums against plain BigDecimal/BigInteger arithmetic. */
class ExactSumTest {
  @Test
  void parsesPlainDecimalsAtAScale() {
    assertThat(SimDecimal.parse("28153.10", 2)).isEqualTo(2_815_310L);
    assertThat(SimDecimal.parse("28153.1", 2)).isEqualTo(2_815_310L);
    assertThat(SimDecimal.parse("7", 3)).isEqualTo(7_000L);
    assertThat(SimDecimal.parse("0.00100000", 3)).isEqualTo(1L);
    assertThat(SimDecimal.parse(".5", 1)).isEqualTo(5L);
    assertThat(SimDecimal.parse("5.", 0)).isEqualTo(5L);
    assertThat(SimDecimal.parse("0", 0)).isEqualTo(0L);
    for (String bad : new String[] {"", ".", "-1", "1e5", "1.2.3", " 1", "1.234", "NaN", "99999999999999999999"}) {
      assertThatThrownBy(() -> SimDecimal.parse(bad, 2)).as(bad).isInstanceOf(NumberFormatException.class);
    }
    assertThat(SimDecimal.printedDecimals("1.2300")).isEqualTo(4);
    assertThat(SimDecimal.printedDecimals("17")).isZero();
  }

  @Test
  void printsLikeBigDecimal() {
    SplittableRandom r = new SplittableRandom(42);
    for (int i = 0; i < 20_000; i++) {
      long m = r.nextInt(4) == 0 ? r.nextLong(1000) : r.nextLong(Long.MAX_VALUE);
      int scale = r.nextInt(19);
      int digits = r.nextInt(12);
      String want = BigDecimal.valueOf(m, scale).setScale(digits, RoundingMode.HALF_UP).toPlainString();
      assertThat(SimDecimal.format(m, scale, digits)).as("%d/10^%d, %d decimals", m, scale, digits).isEqualTo(want);
    }
    assertThat(SimDecimal.format(5, 0, 8)).isEqualTo("5.00000000");
    assertThat(SimDecimal.format(123, 3, 3)).isEqualTo("0.123");
    assertThat(SimDecimal.format(15, 3, 2)).isEqualTo("0.02"); // half-up
  }

  @Test
  void sumsExactlyAndSpillsPastALong() {
    SplittableRandom r = new SplittableRandom(7);
    ExactSum s = new ExactSum();
    ExactSum parts = new ExactSum();
    BigInteger want = BigInteger.ZERO;
    for (int i = 0; i < 10_000; i++) {
      long a = r.nextLong(Long.MAX_VALUE / (r.nextInt(3) == 0 ? 1 : 1_000_000));
      long b = r.nextLong(1, 1_000_000_000L);
      if (r.nextBoolean()) {
        s.add(a);
        want = want.add(BigInteger.valueOf(a));
      } else {
        s.addProduct(a, b);
        want = want.add(BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)));
      }
      if (i % 100 == 99) {
        parts.add(s);
        s = new ExactSum();
      }
    }
    parts.add(s);
    assertThat(parts.value()).isEqualTo(want);
    assertThat(parts.fitsLong()).isFalse();
    assertThat(parts.format(16, 8)).isEqualTo(new BigDecimal(want, 16).setScale(8, RoundingMode.HALF_UP).toPlainString());

    ExactSum edge = new ExactSum();
    edge.add(Long.MAX_VALUE);
    edge.add(1);
    assertThat(edge.value()).isEqualTo(BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.ONE));
    edge.add(-1);
    assertThat(edge.fitsLong()).isTrue();
    assertThat(edge.longValue()).isEqualTo(Long.MAX_VALUE);
    assertThat(edge.format(2, 2)).isEqualTo("92233720368547758.07");
  }

  @Test
  void tradeSumsFollowBinancesDefinitions() {
    TradeSums a = new TradeSums();
    a.trade(1, 500, 3, 10, 12, 0, false);
    a.trade(2, 700, 2, 13, 13, 1, true);
    a.trade(3, 400, 5, 14, 15, 2, false);
    TradeSums b = new TradeSums();
    b.trade(4, 600, 1, 16, 16, 3, true);
    TradeSums all = a.copy().merge(b).merge(new TradeSums());
    assertThat(all.open).isEqualTo(500);
    assertThat(all.high).isEqualTo(700);
    assertThat(all.low).isEqualTo(400);
    assertThat(all.close).isEqualTo(600);
    assertThat(all.volume.longValue()).isEqualTo(11);
    assertThat(all.quote.longValue()).isEqualTo(1500 + 1400 + 2000 + 600);
    assertThat(all.takerBase.longValue()).isEqualTo(8);
    assertThat(all.takerQuote.longValue()).isEqualTo(3500);
    assertThat(all.count).isEqualTo(7);
    assertThat(all.firstTradeId).isEqualTo(10);
    assertThat(all.lastTradeId).isEqualTo(16);
    assertThat(all.trades).isEqualTo(4);
    assertThat(new TradeSums().merge(a).quote.longValue()).isEqualTo(a.quote.longValue());
  }
}
