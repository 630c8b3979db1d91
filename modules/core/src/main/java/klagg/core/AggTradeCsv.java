package klagg.core;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads data.binance.vision aggTrades CSV straight from bytes:
 * {@code agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker[,is_best_match]},
 * with or without a header line, time in ms or µs (µs detected by magnitude and floored to ms).
 * Numbers are parsed digit by digit into exact mantissas; nothing is allocated per row.
 */
public final class AggTradeCsv {
  /** Receives each row. The trade object is reused: copy what you keep. */
  public interface Sink {
    void trade(AggTrade t);

    void reject(RejectReason reason, long line);
  }

  /** Times above this are µs (as ms they would be past the year 5000). */
  static final long MICROS_THRESHOLD = 100_000_000_000_000L;
  static final long MIN_TIME_MS = 1_262_304_000_000L; // 2010-01-01

  private final byte[] buf;
  private final AggTrade t = new AggTrade();
  private long maxTimeMs = Long.MAX_VALUE;
  private int priceDigits;
  private int qtyDigits;
  private long rows;
  private long bytes;
  private boolean micros;

  // parse cursor state (fields to avoid allocation)
  private int pos;
  private int lim;
  private long mant;
  private int scale;
  private int printed;

  public AggTradeCsv() {
    this(1 << 20);
  }

  public AggTradeCsv(int bufferSize) {
    buf = new byte[bufferSize];
  }

  /** Trades after this time (ms) are rejected as {@link RejectReason#BAD_TIME}. */
  public AggTradeCsv maxTimeMs(long t) {
    this.maxTimeMs = t;
    return this;
  }

  /** Most decimals printed in a price so far (trailing zeros included): how Binance printed it. */
  public int priceDigits() {
    return priceDigits;
  }

  public int qtyDigits() {
    return qtyDigits;
  }

  /** Data rows seen (header excluded). */
  public long rows() {
    return rows;
  }

  /** Bytes consumed so far. */
  public long bytes() {
    return bytes;
  }

  /** Whether the last file's times were in µs. */
  public boolean micros() {
    return micros;
  }

  /** Reads all rows of {@code in} for symbol id {@code symbol}; lines are counted from 1. */
  public void read(InputStream in, int symbol, Sink sink) throws IOException {
    int carry = 0;
    long line = 0;
    boolean first = true;
    while (true) {
      int n = in.read(buf, carry, buf.length - carry);
      if (n < 0) {
        if (carry > 0) {
          line++;
          parseLine(0, carry, symbol, sink, line, first);
          bytes += carry;
        }
        return;
      }
      int end = carry + n;
      int start = 0;
      for (int i = carry; i < end; i++) {
        if (buf[i] == '\n') {
          line++;
          int e = i > start && buf[i - 1] == '\r' ? i - 1 : i;
          parseLine(start, e, symbol, sink, line, first);
          first = false;
          start = i + 1;
        }
      }
      bytes += start;
      carry = end - start;
      if (carry == buf.length) {
        line++;
        sink.reject(RejectReason.MALFORMED, line); // a line longer than the buffer
        carry = 0;
        continue;
      }
      System.arraycopy(buf, start, buf, 0, carry);
    }
  }

  private void parseLine(int from, int to, int symbol, Sink sink, long line, boolean first) {
    if (from == to) {
      return; // blank line
    }
    byte b0 = buf[from];
    if (first && (b0 < '0' || b0 > '9')) {
      return; // header
    }
    rows++;
    pos = from;
    lim = to;
    long a = longField();
    if (a < 0) {
      sink.reject(a == -2 ? RejectReason.MISSING_FIELD : RejectReason.MALFORMED, line);
      return;
    }
    int pr = decimalField();
    if (pr != 0) {
      sink.reject(pr == 2 ? RejectReason.MISSING_FIELD : RejectReason.BAD_PRICE, line);
      return;
    }
    long p = mant;
    int ps = scale;
    int pd = printed;
    int qr = decimalField();
    if (qr != 0) {
      sink.reject(qr == 2 ? RejectReason.MISSING_FIELD : RejectReason.BAD_QUANTITY, line);
      return;
    }
    long q = mant;
    int qs = scale;
    int qd = printed;
    long f = longField();
    long l = longField();
    long time = longField();
    if (f < 0 || l < 0 || time < 0) {
      sink.reject(f == -2 || l == -2 || time == -2 ? RejectReason.MISSING_FIELD : RejectReason.BAD_FIELD, line);
      return;
    }
    int m = boolField();
    if (m < 0) {
      sink.reject(m == -2 ? RejectReason.MISSING_FIELD : RejectReason.BAD_FIELD, line);
      return;
    }
    if (p <= 0) {
      sink.reject(RejectReason.BAD_PRICE, line);
      return;
    }
    if (q <= 0) {
      sink.reject(RejectReason.BAD_QUANTITY, line);
      return;
    }
    if (l < f) {
      sink.reject(RejectReason.BAD_ID, line);
      return;
    }
    if (time > MICROS_THRESHOLD) {
      time /= 1000;
      micros = true;
    }
    if (time < MIN_TIME_MS || time > maxTimeMs) {
      sink.reject(RejectReason.BAD_TIME, line);
      return;
    }
    if (pd > priceDigits) {
      priceDigits = pd;
    }
    if (qd > qtyDigits) {
      qtyDigits = qd;
    }
    t.set(symbol, a, p, ps, q, qs, f, l, time, m == 1);
    sink.trade(t);
  }

  /** Non-negative integer then a comma or end; -1 malformed, -2 missing. */
  private long longField() {
    int i = pos;
    if (i >= lim) {
      return -2;
    }
    long v = 0;
    int start = i;
    for (; i < lim; i++) {
      int d = buf[i] - '0';
      if (d < 0 || d > 9) {
        break;
      }
      if (v > (Long.MAX_VALUE - d) / 10) {
        return -1;
      }
      v = v * 10 + d;
    }
    if (i == start) {
      return -1;
    }
    if (i < lim) {
      if (buf[i] != ',') {
        return -1;
      }
      i++;
    }
    pos = i;
    return v;
  }

  /** Plain decimal into (mant, scale stripped, printed); 0 ok, 1 bad, 2 missing. */
  private int decimalField() {
    int i = pos;
    if (i >= lim) {
      return 2;
    }
    long m = 0;
    int sc = -1;
    int zeros = 0;
    int digits = 0;
    int start = i;
    for (; i < lim; i++) {
      byte c = buf[i];
      if (c == '.') {
        if (sc >= 0) {
          return 1;
        }
        sc = 0;
        continue;
      }
      int d = c - '0';
      if (d < 0 || d > 9) {
        break;
      }
      if (sc >= 0) {
        if (d == 0) {
          zeros++;
          continue;
        }
        for (; zeros > 0; zeros--) {
          m *= 10;
          sc++;
        }
        sc++;
      }
      m = m * 10 + d;
      if (m != 0 && ++digits > 18) {
        return 1;
      }
    }
    if (i == start) {
      return 1;
    }
    int pr = 0;
    if (sc >= 0) {
      // printed decimals = characters after the point
      for (int k = start; k < i; k++) {
        if (buf[k] == '.') {
          pr = i - k - 1;
          break;
        }
      }
    }
    if (i < lim) {
      if (buf[i] != ',') {
        return 1;
      }
      i++;
    }
    pos = i;
    mant = m;
    scale = Math.max(sc, 0);
    printed = pr;
    return 0;
  }

  /** true/false in any case; 1, 0; -1 bad, -2 missing. */
  private int boolField() {
    int i = pos;
    if (i >= lim) {
      return -2;
    }
    int end = i;
    while (end < lim && buf[end] != ',') {
      end++;
    }
    int len = end - i;
    int r;
    if (len == 4 && (buf[i] | 32) == 't' && (buf[i + 1] | 32) == 'r' && (buf[i + 2] | 32) == 'u'
        && (buf[i + 3] | 32) == 'e') {
      r = 1;
    } else if (len == 5 && (buf[i] | 32) == 'f' && (buf[i + 1] | 32) == 'a' && (buf[i + 2] | 32) == 'l'
        && (buf[i + 3] | 32) == 's' && (buf[i + 4] | 32) == 'e') {
      r = 0;
    } else {
      return -1;
    }
    pos = end < lim ? end + 1 : end;
    return r;
  }
}
