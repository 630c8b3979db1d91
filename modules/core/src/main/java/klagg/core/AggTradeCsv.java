package klagg.core;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Reads data.binance.vision aggTrades CSV straight from bytes:
 * {@code agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker[,is_best_match]},
 * with or without a header line, time in ms or µs (µs detected by magnitude and floored to ms).
 * Numbers are parsed into exact mantissas; nothing is allocated per row.
 *
 * <p>Rows are parsed into {@link TradeBlock}s. A well-formed row takes the fast path: one pass, eight
 * digits at a time (SWAR over little-endian words), no per-digit overflow checks (at most 16 digits
 * per field there). Anything else (a long number, a missing field, a bad value) is parsed again by
 * the careful per-byte path, which decides the reject reason; both paths give identical results.
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
  /** Bytes a parse buffer must have after its last valid byte (word reads past the end). */
  public static final int PAD = 32;

  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  /**
   * Word reads through {@code sun.misc.Unsafe} (bounds-checked here) when it is there and the
   * platform is little-endian: the same values as the VarHandles, but a fraction of the code for
   * the JIT to compile (the VarHandle chain inlined at every read made the first C2 compile of
   * {@link #parse} take 1.5 s on a busy 2-core machine; 0.4 s this way).
   */
  private static final sun.misc.Unsafe UNSAFE = unsafe();
  private static final long BASE = UNSAFE == null ? 0 : UNSAFE.arrayBaseOffset(byte[].class);

  private static sun.misc.Unsafe unsafe() {
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN || Boolean.getBoolean("klagg.csv.noUnsafe")) {
      return null;
    }
    try {
      java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      return (sun.misc.Unsafe) f.get(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** Bytes {@code i..i+7} as a little-endian long. */
  static long word(byte[] b, int i) {
    if (UNSAFE != null) {
      java.util.Objects.checkFromIndexSize(i, 8, b.length);
      return UNSAFE.getLong(b, BASE + i);
    }
    return (long) LONG.get(b, i);
  }

  /** Bytes {@code i..i+3} as a little-endian int. */
  static int word4(byte[] b, int i) {
    if (UNSAFE != null) {
      java.util.Objects.checkFromIndexSize(i, 4, b.length);
      return UNSAFE.getInt(b, BASE + i);
    }
    return (int) INT.get(b, i);
  }
  private static final long[] POW10 = Decimals.POW10;
  private static final int TRUE_LE = 't' | 'r' << 8 | 'u' << 16 | 'e' << 24;
  /** {@code ",true\n"} little-endian in the low 6 bytes, and the mask that lower-cases its letters. */
  private static final long BEST_TRUE = ',' | 't' << 8 | 'r' << 16 | (long) 'u' << 24 | (long) 'e' << 32 | (long) '\n' << 40;
  private static final long BEST_LOWER = 0x20202020L << 8;
  private static final int FALS_LE = 'f' | 'a' << 8 | 'l' << 16 | 's' << 24;

  private final int bufferSize;
  private byte[] buf;
  private long maxTimeMs = Long.MAX_VALUE;
  private int priceDigits;
  private int qtyDigits;
  private long rows;
  private long bytes;
  private boolean micros;
  /** Lines the fast path gave up on (tests: real data must never need the careful path). */
  long carefulLines;
  boolean forceSlow;

  private int fi; // fast-path cursor after num() and fraction()
  private int fs; // fast path: scale of the last fraction() (trailing zeros stripped)
  private int fd; // fast path: fraction digits printed in the last fraction()
  // careful-path cursor state (fields to avoid allocation)
  private int pos;
  private int lim;
  private long mant;
  private int scale;
  private int printed;

  public AggTradeCsv() {
    this(1 << 20);
  }

  public AggTradeCsv(int bufferSize) {
    this.bufferSize = Math.max(bufferSize, 64);
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

  /** Whether any time seen was in µs. */
  public boolean micros() {
    return micros;
  }

  /** Reads all rows of {@code in} for symbol id {@code symbol}, one trade at a time. */
  public void read(InputStream in, int symbol, Sink sink) throws IOException {
    AggTrade t = new AggTrade();
    TradeBlock block = new TradeBlock(4096);
    read(in, block, b -> {
      for (int i = 0; i < b.size; i++) {
        sink.trade(b.get(i, symbol, t));
      }
      for (int r = 0; r < b.rejects.length; r++) {
        for (long k = b.rejects[r]; k > 0; k--) {
          sink.reject(RejectReason.of(r), -1);
        }
      }
      return b.clear();
    });
  }

  /** Takes a filled block, returns an empty one to fill next (maybe the same, cleared). */
  public interface BlockSink {
    TradeBlock take(TradeBlock full) throws IOException;
  }

  /**
   * Reads all rows of {@code in} into blocks, starting with {@code block}; every block that fills
   * up, and the last one (even if empty), goes to {@code sink}.
   */
  public void read(InputStream in, TradeBlock block, BlockSink sink) throws IOException {
    if (buf == null) {
      buf = new byte[bufferSize + PAD];
    }
    byte[] b = buf;
    int cap = b.length - PAD;
    int len = 0;
    boolean first = true;
    boolean eof = false;
    while (!eof) {
      int n = in.read(b, len, cap - len);
      if (n < 0) {
        eof = true;
        if (len == 0) {
          break;
        }
        if (b[len - 1] != '\n') {
          b[len++] = '\n'; // the last line has no newline: PAD has room for it
        }
      } else {
        len += n;
      }
      int end = len;
      while (end > 0 && b[end - 1] != '\n') {
        end--;
      }
      if (end == 0) {
        if (len == cap) {
          // a line longer than the buffer: grow it (the careful path will judge the line)
          b = buf = java.util.Arrays.copyOf(b, cap * 2 + PAD);
          cap = b.length - PAD;
        }
        continue;
      }
      int p = 0;
      if (first) {
        p = skipHeader(b, 0, end);
        first = false;
      }
      while (p < end) {
        int q = parse(b, p, end, block);
        block.bytes += q - p;
        p = q;
        if (block.full()) {
          block = sink.take(block);
        }
      }
      System.arraycopy(b, end, b, 0, len - end);
      len -= end;
    }
    sink.take(block);
  }

  /** At the start of a file: skips a first line that does not start with a digit (a header). */
  public static int skipHeader(byte[] b, int pos, int end) {
    if (pos < end && (b[pos] < '0' || b[pos] > '9')) {
      while (pos < end && b[pos] != '\n') {
        pos++;
      }
      return Math.min(pos + 1, end);
    }
    return pos;
  }

  /**
   * Parses whole lines of {@code b[pos, end)} into {@code out} until it is full or the range is
   * done; returns the position after the last line parsed. Every line must end with {@code '\n'} and
   * {@code b} must have {@link #PAD} bytes after {@code end}.
   */
  public int parse(byte[] b, int pos, int end, TradeBlock out) {
    this.buf = b;
    int capacity = out.capacity;
    int i = pos;
    while (i < end && out.size < capacity) {
      if (b[i] == '\n') {
        i++;
        continue; // blank line
      }
      int next = forceSlow ? -1 : row(b, i, out);
      if (next >= 0) {
        i = next;
        continue;
      }
      // the careful path: the whole line again, byte by byte
      carefulLines++;
      int lineStart = i;
      while (b[i] != '\n') {
        i++;
      }
      int e = i > lineStart && b[i - 1] == '\r' ? i - 1 : i;
      i++;
      parseLine(lineStart, e, out);
    }
    priceDigits = Math.max(priceDigits, out.priceDigits);
    qtyDigits = Math.max(qtyDigits, out.qtyDigits);
    bytes += i - pos;
    return i;
  }

  /**
   * One well-formed row at {@code i} on the fast path: appended to {@code out}; returns the index
   * after its newline, or -1 if the row needs the careful path. A method of its own (too big to be
   * inlined) so the JIT compiles it once, not again for the loop's on-stack replacement.
   */
  private int row(byte[] b, int i, TradeBlock out) {
    // agg_trade_id
    long a = num(b, i);
    if (a < 0) {
      return -1;
    }
    i = fi;
    if (b[i++] != ',') {
      return -1;
    }
    // price: int digits [. frac digits]
    long p = num(b, i);
    if (p < 0 || (p = fraction(b, fi, p)) < 0) {
      return -1;
    }
    i = fi;
    int ps = fs;
    int pd = fd;
    if (b[i++] != ',') {
      return -1;
    }
    // quantity
    long q = num(b, i);
    if (q < 0 || (q = fraction(b, fi, q)) < 0) {
      return -1;
    }
    i = fi;
    int qs = fs;
    int qd = fd;
    if (b[i++] != ',') {
      return -1;
    }
    // first_trade_id, last_trade_id, transact_time
    long f = num(b, i);
    if (f < 0) {
      return -1;
    }
    i = fi;
    if (b[i++] != ',') {
      return -1;
    }
    long l = num(b, i);
    if (l < 0) {
      return -1;
    }
    i = fi;
    if (b[i++] != ',') {
      return -1;
    }
    long time = num(b, i);
    if (time < 0) {
      return -1;
    }
    i = fi;
    if (b[i++] != ',') {
      return -1;
    }
    // is_buyer_maker: true/false in any case
    int word = word4(b, i) | 0x20202020;
    boolean m;
    if (word == TRUE_LE) {
      m = true;
      i += 4;
    } else if (word == FALS_LE && (b[i + 4] | 0x20) == 'e') {
      m = false;
      i += 5;
    } else {
      return -1;
    }
    byte c = b[i];
    if (c == ',') {
      // is_best_match and anything after: ignored; ",True\n" (the usual) in one word
      if ((word(b, i) | BEST_LOWER) << 16 == BEST_TRUE << 16) {
        i += 5;
      } else {
        while (b[++i] != '\n') {
          // skip
        }
      }
    } else if (c == '\r') {
      if (b[++i] != '\n') {
        return -1;
      }
    } else if (c != '\n') {
      return -1;
    }
    i++; // past the newline
    if (p <= 0 || q <= 0 || l < f) {
      return -1;
    }
    if (time > MICROS_THRESHOLD) {
      time /= 1000;
      micros = true;
    }
    if (time < MIN_TIME_MS || time > maxTimeMs) {
      return -1;
    }
    if (pd > out.priceDigits) {
      out.priceDigits = pd;
    }
    if (qd > out.qtyDigits) {
      out.qtyDigits = qd;
    }
    rows++;
    int n = out.size;
    out.aggId[n] = a;
    out.price[n] = p;
    out.priceScale[n] = (byte) ps;
    out.qty[n] = q;
    out.qtyScale[n] = (byte) qs;
    out.firstId[n] = f;
    out.lastId[n] = l;
    out.time[n] = time;
    out.buyerMaker[n] = m;
    out.size = n + 1;
    return i;
  }

  /**
   * Fast path: the optional fraction ({@code .digits}, at most 8) at {@code b[i]} after the integer
   * part {@code intPart} read by {@link #num}: the mantissa with trailing zeros stripped, its scale in
   * {@link #fs}, the digits printed in {@link #fd}, the cursor after it in {@link #fi}; -1 if it is not
   * a plain decimal the fast path takes (no digit after the point, more than 8 decimals, more than 18
   * significant digits).
   */
  private long fraction(byte[] b, int i, long intPart) {
    int sc = 0;
    int d = 0;
    if (b[i] == '.') {
      i++;
      long w = word(b, i);
      d = digits(w);
      if (d == 0 || d == 8 && isDigit(b[i + 8])) {
        return -1;
      }
      long v = (w - 0x3030303030303030L) << ((8 - d) << 3);
      int tz = Long.numberOfLeadingZeros(v) >>> 3;
      sc = d - Math.min(tz, d);
      if (sc > 0) {
        if (intPart >= POW10[18 - sc]) {
          return -1; // more than 18 significant digits
        }
        intPart = intPart * POW10[sc] + eight(w, sc);
      }
      i += d;
    }
    fi = i;
    fs = sc;
    fd = d;
    return intPart;
  }

  /**
   * A run of 1..18 ASCII digits at {@code i} not followed by another digit: its value, the index
   * after it in {@link #fi}; -1 if the run is empty or longer (the careful path then decides).
   */
  private long num(byte[] b, int i) {
    long w = word(b, i);
    int d = digits(w);
    if (d == 0) {
      return -1;
    }
    long v = eight(w, d);
    i += d;
    if (d == 8) {
      w = word(b, i);
      d = digits(w);
      if (d > 0) {
        v = v * POW10[d] + eight(w, d);
        i += d;
      }
      if (d == 8) { // 16 digits or more (microsecond times): at most 2 more, 18 in all
        w = word(b, i);
        d = digits(w);
        if (d > 2) {
          return -1;
        }
        if (d > 0) {
          v = v * POW10[d] + eight(w, d);
          i += d;
        }
      }
    }
    fi = i;
    return v;
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  /** How many of the word's bytes, from the lowest, are ASCII digits (0..8). */
  static int digits(long w) {
    long nd = ((w + 0x4646464646464646L) | (w - 0x3030303030303030L)) & 0x8080808080808080L;
    return Long.numberOfTrailingZeros(nd) >>> 3;
  }

  /** The value of the first {@code n} (1..8) ASCII digits of the word (the first in the lowest byte). */
  static long eight(long w, int n) {
    long v = (w - 0x3030303030303030L) << ((8 - n) << 3);
    v = v * 10 + (v >>> 8);
    return (((v & 0x000000FF000000FFL) * (100 + (1000000L << 32)))
        + (((v >>> 16) & 0x000000FF000000FFL) * (1 + (10000L << 32)))) >>> 32;
  }

  private void parseLine(int from, int to, TradeBlock out) {
    if (from == to) {
      return; // blank line
    }
    rows++;
    pos = from;
    lim = to;
    long a = longField();
    if (a < 0) {
      out.reject(a == -2 ? RejectReason.MISSING_FIELD : RejectReason.MALFORMED);
      return;
    }
    int pr = decimalField();
    if (pr != 0) {
      out.reject(pr == 2 ? RejectReason.MISSING_FIELD : RejectReason.BAD_PRICE);
      return;
    }
    long p = mant;
    int ps = scale;
    int pd = printed;
    int qr = decimalField();
    if (qr != 0) {
      out.reject(qr == 2 ? RejectReason.MISSING_FIELD : RejectReason.BAD_QUANTITY);
      return;
    }
    long q = mant;
    int qs = scale;
    int qd = printed;
    long f = longField();
    long l = longField();
    long time = longField();
    if (f < 0 || l < 0 || time < 0) {
      out.reject(f == -2 || l == -2 || time == -2 ? RejectReason.MISSING_FIELD : RejectReason.BAD_FIELD);
      return;
    }
    int m = boolField();
    if (m < 0) {
      out.reject(m == -2 ? RejectReason.MISSING_FIELD : RejectReason.BAD_FIELD);
      return;
    }
    if (p <= 0) {
      out.reject(RejectReason.BAD_PRICE);
      return;
    }
    if (q <= 0) {
      out.reject(RejectReason.BAD_QUANTITY);
      return;
    }
    if (l < f) {
      out.reject(RejectReason.BAD_ID);
      return;
    }
    if (time > MICROS_THRESHOLD) {
      time /= 1000;
      micros = true;
    }
    if (time < MIN_TIME_MS || time > maxTimeMs) {
      out.reject(RejectReason.BAD_TIME);
      return;
    }
    if (pd > out.priceDigits) {
      out.priceDigits = pd;
    }
    if (qd > out.qtyDigits) {
      out.qtyDigits = qd;
    }
    int n = out.size++;
    out.aggId[n] = a;
    out.price[n] = p;
    out.priceScale[n] = (byte) ps;
    out.qty[n] = q;
    out.qtyScale[n] = (byte) qs;
    out.firstId[n] = f;
    out.lastId[n] = l;
    out.time[n] = time;
    out.buyerMaker[n] = m == 1;
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

  /**
   * Plain decimal into (mant, scale stripped, printed); 0 ok, 1 bad (not a plain decimal, more than
   * 18 significant digits, or more than {@link Decimals#MAX_SCALE} decimals once trailing zeros are
   * stripped), 2 missing.
   */
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
          // zeros between significant digits are significant too: counted before m grows
          if (m != 0 && ++digits > 18) {
            return 1;
          }
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
    if (i == start || sc > Decimals.MAX_SCALE) {
      return 1; // no digits, or more significant decimals than any symbol's scale
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
