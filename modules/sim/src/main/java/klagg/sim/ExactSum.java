package klagg.sim;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * An exact sum of scaled integers: a plain {@code long} added with {@link Math#addExact} and
 * {@link Math#multiplyExact}; whatever would overflow it spills into a {@link BigInteger}. No 128-bit
 * tricks: the value is simply {@code spill + small}.
 */
public final class ExactSum {
  private long small;
  private BigInteger spill; // null while zero

  /** Adds {@code v}. */
  public void add(long v) {
    try {
      small = Math.addExact(small, v);
    } catch (ArithmeticException overflow) {
      addBig(BigInteger.valueOf(v));
    }
  }

  /** Adds {@code a · b}. */
  public void addProduct(long a, long b) {
    long p;
    try {
      p = Math.multiplyExact(a, b);
    } catch (ArithmeticException overflow) {
      addBig(BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)));
      return;
    }
    add(p);
  }

  /** Adds another sum. */
  public void add(ExactSum o) {
    add(o.small);
    if (o.spill != null) {
      addBig(o.spill);
    }
  }

  private void addBig(BigInteger v) {
    spill = (spill == null ? v : spill.add(v));
  }

  /** The exact value as an integer. */
  public BigInteger value() {
    BigInteger s = BigInteger.valueOf(small);
    return spill == null ? s : spill.add(s);
  }

  /** Whether the value fits a long (it always does unless a spill happened). */
  public boolean fitsLong() {
    return spill == null || value().bitLength() < 64;
  }

  /** The value when {@link #fitsLong()}. */
  public long longValue() {
    return spill == null ? small : value().longValueExact();
  }

  /** Appends {@code value / 10^scale} with exactly {@code digits} decimals (half-up when fewer). */
  public StringBuilder append(StringBuilder sb, int scale, int digits) {
    if (spill == null) {
      return SimDecimal.append(sb, small, scale, digits);
    }
    return sb.append(SimDecimal.format(new BigDecimal(value(), scale), digits));
  }

  /** {@code value / 10^scale} with exactly {@code digits} decimals. */
  public String format(int scale, int digits) {
    return append(new StringBuilder(32), scale, digits).toString();
  }

  @Override
  public String toString() {
    return value().toString();
  }
}
