package klagg.sim;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * An exact sum of scaled integers: a plain {@code long} added with {@link Math#addExact}; a sum that
 * would overflow it, or a product that does not fit a long, spills into a {@link BigInteger}. The value
 * is simply {@code spill + small}. Spot symbols printed with 8 and 8 decimals (scale 16 quotes) spill
 * on most products of a high price: exact, but an allocation per trade there.
 */
public final class ExactSum {
  private long small;
  private BigInteger spill; // null while zero

  /** Adds {@code v}. */
  public void add(long v) {
    try {
      small = Math.addExact(small, v);
    } catch (ArithmeticException overflow) {
      addBig(BigInteger.valueOf(small)); // move what we have to the spill, go on from v
      small = v;
    }
  }

  /** Adds {@code a · b}. */
  public void addProduct(long a, long b) {
    long p = a * b;
    if (Math.multiplyHigh(a, b) == p >> 63) {
      add(p); // the product fits a long (what Math.multiplyExact checks, without an exception per trade)
    } else {
      addBig(BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)));
    }
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
