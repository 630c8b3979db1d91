package klagg.core;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Exact fixed-point decimals: a value is an integer mantissa and a scale (decimals). Sums of
 * quantities are 64-bit; sums of price x quantity are 128-bit (hi, lo) two's complement.
 */
public final class Decimals {
  /** Largest scale handled (Binance prints at most 8 decimals; products need 16). */
  public static final int MAX_SCALE = 18;

  static final long[] POW10 = new long[19];

  static {
    long p = 1;
    for (int i = 0; i < POW10.length; i++) {
      POW10[i] = p;
      p *= 10;
    }
  }

  private Decimals() {}

  public static long pow10(int n) {
    return POW10[n];
  }

  /**
   * Parses a plain decimal ({@code "123.4500"}) exactly; trailing fractional zeros are stripped.
   * Returns the mantissa and writes the scale to {@code scaleOut[0]}.
   *
   * @throws NumberFormatException for anything that is not a plain non-negative decimal with at most
   *     18 significant digits
   */
  public static long parse(CharSequence s, int[] scaleOut) {
    return parse(s, 0, s.length(), scaleOut);
  }

  public static long parse(CharSequence s, int from, int to, int[] scaleOut) {
    long m = 0;
    int digits = 0;
    int scale = -1;
    int pendingZeros = 0;
    if (from >= to) {
      throw new NumberFormatException("empty number");
    }
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == '.') {
        if (scale >= 0) {
          throw new NumberFormatException("two decimal points in '" + s.subSequence(from, to) + "'");
        }
        scale = 0;
        continue;
      }
      if (c < '0' || c > '9') {
        throw new NumberFormatException("not a plain decimal: '" + s.subSequence(from, to) + "'");
      }
      int d = c - '0';
      if (scale >= 0) {
        if (d == 0) {
          pendingZeros++;
          continue;
        }
        for (; pendingZeros > 0; pendingZeros--) {
          m = mul10(m, s, from, to);
          scale++;
          if (m != 0) {
            digits++;
          }
        }
        scale++;
      }
      m = mul10(m, s, from, to) + d;
      if (m != 0) {
        digits++;
      }
      if (digits > 18) {
        throw new NumberFormatException("more than 18 significant digits: '" + s.subSequence(from, to) + "'");
      }
    }
    scaleOut[0] = Math.max(scale, 0);
    return m;
  }

  private static long mul10(long m, CharSequence s, int from, int to) {
    if (m > Long.MAX_VALUE / 10) {
      throw new NumberFormatException("too many digits: '" + s.subSequence(from, to) + "'");
    }
    return m * 10;
  }

  /** Number of decimals printed in {@code s} (trailing zeros included): {@code "1.500"} gives 3. */
  public static int printedDecimals(CharSequence s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '.') {
        return s.length() - i - 1;
      }
    }
    return 0;
  }

  /** Mantissa at a larger scale; throws {@link ArithmeticException} on overflow. */
  public static long rescale(long m, int from, int to) {
    if (to == from) {
      return m;
    }
    if (to < from) {
      throw new IllegalArgumentException("cannot narrow scale " + from + " -> " + to);
    }
    return Math.multiplyExact(m, POW10[to - from]);
  }

  /** Strips trailing zeros of {@code m} down to at least {@code minScale}; returns the new scale. */
  public static int strippedScale(long m, int scale, int minScale) {
    while (scale > minScale && m % 10 == 0) {
      m /= 10;
      scale--;
    }
    return scale;
  }

  public static String toPlainString(long m, int scale) {
    return BigDecimal.valueOf(m, scale).toPlainString();
  }

  /** Appends {@code m / 10^scale} printed with exactly {@code digits} decimals (half-up if fewer). */
  public static StringBuilder append(StringBuilder sb, long m, int scale, int digits) {
    if (digits >= scale && digits - scale < 19 && m >= 0) {
      long intPart = m / POW10[scale];
      long frac = m % POW10[scale];
      sb.append(intPart);
      if (digits > 0) {
        sb.append('.');
        String f = scale == 0 ? "" : Long.toString(frac);
        for (int i = f.length(); i < scale; i++) {
          sb.append('0');
        }
        if (scale > 0) {
          sb.append(f);
        }
        for (int i = scale; i < digits; i++) {
          sb.append('0');
        }
      }
      return sb;
    }
    return sb.append(BigDecimal.valueOf(m, scale).setScale(digits, RoundingMode.HALF_UP).toPlainString());
  }

  /** Appends the 128-bit {@code (hi, lo) / 10^scale} with exactly {@code digits} decimals, half-up. */
  public static StringBuilder append128(StringBuilder sb, long hi, long lo, int scale, int digits) {
    if ((hi == 0 && lo >= 0) || (hi == -1 && lo < 0)) {
      return append(sb, lo, scale, digits);
    }
    return sb.append(toBigDecimal(hi, lo, scale).setScale(digits, RoundingMode.HALF_UP).toPlainString());
  }

  public static String format(long m, int scale, int digits) {
    return append(new StringBuilder(24), m, scale, digits).toString();
  }

  public static String format128(long hi, long lo, int scale, int digits) {
    return append128(new StringBuilder(32), hi, lo, scale, digits).toString();
  }

  public static BigInteger toBigInteger(long hi, long lo) {
    BigInteger h = BigInteger.valueOf(hi).shiftLeft(64);
    BigInteger l = BigInteger.valueOf(lo & Long.MAX_VALUE);
    if (lo < 0) {
      l = l.setBit(63);
    }
    return h.add(l);
  }

  public static BigDecimal toBigDecimal(long hi, long lo, int scale) {
    return new BigDecimal(toBigInteger(hi, lo), scale);
  }

  /** High word of the 128-bit value of {@code b} (inverse of {@link #toBigInteger}). */
  public static long hi(BigInteger b) {
    return b.shiftRight(64).longValue();
  }

  public static long lo(BigInteger b) {
    return b.longValue();
  }
}
