package klagg.core;

/** Why an input trade was refused. Every rejection is counted by reason; none reaches a kline. */
public enum RejectReason {
  /** Not valid JSON / CSV, or truncated. */
  MALFORMED,
  /** A required field is absent. */
  MISSING_FIELD,
  /** A field has the wrong type or an unparsable number. */
  BAD_FIELD,
  /** The symbol is not tracked. */
  UNKNOWN_SYMBOL,
  /** Price is zero, negative, NaN, infinite or has more than 18 significant digits. */
  BAD_PRICE,
  /** Quantity is zero, negative, NaN, infinite or has more than 18 significant digits. */
  BAD_QUANTITY,
  /** Trade time outside the plausible window. */
  BAD_TIME,
  /** Aggregate or trade ids negative, or last trade id before first. */
  BAD_ID;

  private static final RejectReason[] VALUES = values();

  public static RejectReason of(int ordinal) {
    return VALUES[ordinal];
  }

  public static int count() {
    return VALUES.length;
  }

  /** Lower-case name for metrics tags and summaries, e.g. {@code unknown_symbol}. */
  public String tag() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
