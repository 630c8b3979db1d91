package klagg.sim;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The simulator's own decimal text: prices and quantities are long mantissas at a fixed scale
 * ({@code m / 10^scale}); this class reads them from Binance's plain decimal strings and prints them back
 * with a fixed number of decimals. Written apart from the service's parser on purpose (the oracle must
 * not share the code it checks); it favours plainness, with a fast printer for the per-trade paths.
 */
public final class SimDecimal {
  private static final long[] POW10 = new long[19];

  static {
    long p = 1;
    for (int i = 0; i < POW10.length; i++) {
      POW10[i] = p;
      p *= 10;
    }
  }

  private SimDecimal() {}

  /** 10^n for 0 ≤ n ≤ 18. */
  public static long pow10(int n) {
    return POW10[n];
  }

  /** Digits after the point in {@code s} as printed ({@code "1.2300"} → 4, {@code "7"} → 0). */
  public static int printedDecimals(String s) {
    int dot = s.trim().indexOf('.');
    return dot < 0 ? 0 : s.trim().length() - dot - 1;
  }

  /**
   * Reads a plain non-negative decimal ({@code "28153.10"}) as a mantissa at {@code scale}; digits past
   * {@code scale} must be zeros. Throws {@link NumberFormatException} for anything else or on overflow.
   */
  public static long parse(String s, int scale) {
    try {
      return parseExact(s, scale);
    } catch (ArithmeticException overflow) {
      throw new NumberFormatException("'" + s + "' does not fit a long at scale " + scale);
    }
  }

  private static long parseExact(String s, int scale) {
    int n = s.length();
    if (n == 0) {
      throw new NumberFormatException("empty decimal");
    }
    long m = 0;
    int decimals = -1; // -1 while before the point
    boolean digit = false;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c == '.') {
        if (decimals >= 0) {
          throw new NumberFormatException("two points in '" + s + "'");
        }
        decimals = 0;
        continue;
      }
      if (c < '0' || c > '9') {
        throw new NumberFormatException("not a plain decimal: '" + s + "'");
      }
      digit = true;
      if (decimals >= 0) {
        if (decimals == scale) {
          if (c != '0') {
            throw new NumberFormatException("'" + s + "' has more than " + scale + " decimals");
          }
          continue;
        }
        decimals++;
      }
      m = Math.addExact(Math.multiplyExact(m, 10), c - '0');
    }
    if (!digit) {
      throw new NumberFormatException("no digits in '" + s + "'");
    }
    for (int d = Math.max(decimals, 0); d < scale; d++) {
      m = Math.multiplyExact(m, 10);
    }
    return m;
  }

  /** Appends {@code m / 10^scale} with exactly {@code digits} decimals (half-up when fewer than scale). */
  public static StringBuilder append(StringBuilder sb, long m, int scale, int digits) {
    if (m < 0 || digits < scale || scale > 18) {
      return sb.append(BigDecimal.valueOf(m, scale).setScale(digits, RoundingMode.HALF_UP).toPlainString());
    }
    long pow = POW10[scale];
    sb.append(m / pow);
    if (digits == 0) {
      return sb;
    }
    sb.append('.');
    long frac = m % pow;
    for (long p = pow / 10; p > 0; p /= 10) {
      sb.append((char) ('0' + frac / p % 10));
    }
    for (int i = scale; i < digits; i++) {
      sb.append('0');
    }
    return sb;
  }

  /** {@code m / 10^scale} with exactly {@code digits} decimals. */
  public static String format(long m, int scale, int digits) {
    return append(new StringBuilder(24), m, scale, digits).toString();
  }

  /** {@code v} with exactly {@code digits} decimals, half-up. */
  public static String format(BigDecimal v, int digits) {
    return v.setScale(digits, RoundingMode.HALF_UP).toPlainString();
  }
}
