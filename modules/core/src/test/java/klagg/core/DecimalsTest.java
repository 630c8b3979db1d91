package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DecimalsTest {
  private final int[] scale = new int[1];

  @Test
  void parseStripsTrailingZeros() {
    assertThat(Decimals.parse("58001.03000000", scale)).isEqualTo(5800103L);
    assertThat(scale[0]).isEqualTo(2);
    assertThat(Decimals.parse("0.08620500", scale)).isEqualTo(86205L);
    assertThat(scale[0]).isEqualTo(6);
    assertThat(Decimals.parse("100", scale)).isEqualTo(100L);
    assertThat(scale[0]).isZero();
    assertThat(Decimals.parse("0.00000001", scale)).isEqualTo(1L);
    assertThat(scale[0]).isEqualTo(8);
  }

  @Test
  void parseRejectsWhatIsNotAPlainDecimal() {
    for (String bad : new String[] {"", "1e5", "-1", "1.2.3", "NaN", "12345678901234567890", " 1"}) {
      assertThatThrownBy(() -> Decimals.parse(bad, scale)).as(bad).isInstanceOf(NumberFormatException.class);
    }
  }

  @Test
  void formatPrintsExactlyTheRequestedDecimals() {
    assertThat(Decimals.format(5800103L, 2, 8)).isEqualTo("58001.03000000");
    assertThat(Decimals.format(76L, 3, 3)).isEqualTo("0.076");
    assertThat(Decimals.format(5L, 0, 2)).isEqualTo("5.00");
    assertThat(Decimals.format(0L, 0, 0)).isEqualTo("0");
    assertThat(Decimals.format(12345L, 4, 2)).isEqualTo("1.23");
    assertThat(Decimals.format(12355L, 4, 2)).isEqualTo("1.24");
  }

  @Test
  void format128MatchesBigDecimal() {
    Random r = new Random(7);
    for (int k = 0; k < 2000; k++) {
      BigInteger v = new BigInteger(100 + r.nextInt(20), r);
      int s = r.nextInt(17);
      int d = r.nextInt(12);
      String expect = new BigDecimal(v, s).setScale(d, java.math.RoundingMode.HALF_UP).toPlainString();
      assertThat(Decimals.format128(Decimals.hi(v), Decimals.lo(v), s, d)).isEqualTo(expect);
      assertThat(Decimals.toBigInteger(Decimals.hi(v), Decimals.lo(v))).isEqualTo(v);
    }
  }

  @Test
  void randomRoundTrip() {
    Random r = new Random(3);
    for (int k = 0; k < 10_000; k++) {
      long m = Math.abs(r.nextLong() % 1_000_000_000_000_000L);
      int s = r.nextInt(12);
      String text = BigDecimal.valueOf(m, s).toPlainString();
      long got = Decimals.parse(text, scale);
      assertThat(BigDecimal.valueOf(got, scale[0])).isEqualByComparingTo(BigDecimal.valueOf(m, s));
      assertThat(Decimals.format(got, scale[0], s)).isEqualTo(text);
    }
  }
}
