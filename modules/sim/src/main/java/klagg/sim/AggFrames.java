package klagg.sim;

import java.nio.charset.StandardCharsets;

/**
 * aggTrade frames encoded straight into bytes: no String, no StringBuilder, no copy per trade. Used
 * by the max-rate firehose and by the fixed-rate stream over hand-served WebSockets.
 */
final class AggFrames {
  private final StringBuilder sb = new StringBuilder(64); // putDecimal's rare fallback

  /** {@code {"stream":"<stream>","data":} as ASCII bytes. */
  static byte[] head(String stream) {
    return ascii("{\"stream\":\"" + stream + "\",\"data\":");
  }

  private static final byte[] E_HEAD = ascii("{\"e\":\"aggTrade\",\"E\":");
  private static final byte[] S_KEY = ascii(",\"s\":\"");
  private static final byte[] A_KEY = ascii("\",\"a\":");
  private static final byte[] P_KEY = ascii(",\"p\":\"");
  private static final byte[] Q_KEY = ascii("\",\"q\":\"");
  private static final byte[] F_KEY = ascii("\",\"f\":");
  private static final byte[] L_KEY = ascii(",\"l\":");
  private static final byte[] T_KEY = ascii(",\"T\":");
  private static final byte[] M_KEY = ascii(",\"m\":");
  private static final byte[] TRUE_TAIL = ascii("true,\"M\":true}");
  private static final byte[] FALSE_TAIL = ascii("false,\"M\":true}");

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Encodes one aggTrade in its combined-stream form ({@code {"stream":...,"data":<payload>}}) into
   * {@code b} from 0; returns the end. The raw payload is {@code b[head.length, end - 1)}. Same
   * text as {@link WsHub#encodeAgg}; {@code head} is {@link #head}, {@code name} the symbol's ASCII.
   */
  int encode(byte[] b, SymbolInfo s, byte[] head, byte[] name, long eventTime, long a, long p, long q, long f,
      long l, long tradeTime, boolean m) {
    int i = put(b, 0, head);
    i = put(b, i, E_HEAD);
    i = putLong(b, i, eventTime);
    i = put(b, i, S_KEY);
    i = put(b, i, name);
    i = put(b, i, A_KEY);
    i = putLong(b, i, a);
    i = put(b, i, P_KEY);
    i = putDecimal(b, i, p, s.priceScale, s.priceDigits);
    i = put(b, i, Q_KEY);
    i = putDecimal(b, i, q, s.qtyScale, s.qtyDigits);
    i = put(b, i, F_KEY);
    i = putLong(b, i, f);
    i = put(b, i, L_KEY);
    i = putLong(b, i, l);
    i = put(b, i, T_KEY);
    i = putLong(b, i, tradeTime);
    i = put(b, i, M_KEY);
    i = put(b, i, m ? TRUE_TAIL : FALSE_TAIL);
    b[i++] = '}';
    return i;
  }

  private static int put(byte[] b, int i, byte[] lit) {
    System.arraycopy(lit, 0, b, i, lit.length);
    return i + lit.length;
  }

  /** Non-negative {@code v} in decimal. */
  static int putLong(byte[] b, int i, long v) {
    int n = 1;
    for (long t = v; t >= 10; t /= 10) {
      n++;
    }
    int end = i + n;
    for (int k = end - 1; k >= i; k--) {
      b[k] = (byte) ('0' + v % 10);
      v /= 10;
    }
    return end;
  }

  /** {@code m / 10^scale} with exactly {@code digits} decimals, as {@link Decimals#append} prints it. */
  private int putDecimal(byte[] b, int i, long m, int scale, int digits) {
    if (digits < scale || m < 0) {
      sb.setLength(0);
      SimDecimal.append(sb, m, scale, digits);
      for (int k = 0; k < sb.length(); k++) {
        b[i++] = (byte) sb.charAt(k);
      }
      return i;
    }
    long pow = SimDecimal.pow10(scale);
    i = putLong(b, i, m / pow);
    if (digits > 0) {
      b[i++] = '.';
      long frac = m % pow;
      for (int k = i + scale - 1; k >= i; k--) {
        b[k] = (byte) ('0' + frac % 10);
        frac /= 10;
      }
      i += scale;
      for (int k = scale; k < digits; k++) {
        b[i++] = '0';
      }
    }
    return i;
  }

}
