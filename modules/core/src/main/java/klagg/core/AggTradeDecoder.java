package klagg.core;

import ch.randelshofer.fastdoubleparser.JavaBigDecimalParser;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Decodes Binance {@code aggTrade} WebSocket messages (raw {@code {"e":"aggTrade",...}} and
 * combined-stream {@code {"stream":...,"data":{...}}}, spot and USD-M futures) straight from bytes
 * into a reusable {@link AggTrade}.
 *
 * <p>Two paths:
 *
 * <ol>
 *   <li><b>Fast path</b>: a scanner for Binance's exact layout (fields in Binance's order, no
 *       whitespace, spot {@code M} and futures {@code nq} optional). Literals are compared and
 *       digits parsed eight bytes at a time (SWAR) straight into longs: exact, trailing fractional
 *       zeros stripped, never via double. The symbol is looked up with {@link
 *       SymbolIndex#idOf(byte[], int, int)}. It
 *       allocates nothing. It either produces a fully valid {@link Result#TRADE} or gives up without
 *       touching the output, and then the general path decides.
 *   <li><b>General path</b>: jackson-core's streaming parser over the same bytes, any field order,
 *       extra fields ignored, numbers through fastdoubleparser. It classifies non-trade messages
 *       ({@link Result#SKIPPED}) and names the reason of every rejection. It allocates: a new
 *       {@link JsonParser} per message (jackson recycles its buffers), and a {@link BigDecimal} per
 *       decimal. That is fine because real aggTrade traffic takes the fast path.
 * </ol>
 *
 * <p>The fast path accepts only inputs on which the general path gives the same trade (it checks
 * the same rules), so the two are interchangeable; tests check this differentially.
 *
 * <p>Rejection order on the general path (first that applies): {@link RejectReason#MALFORMED},
 * {@link RejectReason#MISSING_FIELD}, {@link RejectReason#BAD_FIELD}, {@link
 * RejectReason#UNKNOWN_SYMBOL}, {@link RejectReason#BAD_ID}, {@link RejectReason#BAD_PRICE}, {@link
 * RejectReason#BAD_QUANTITY}, {@link RejectReason#BAD_TIME}.
 *
 * <p>Price and quantity must be JSON strings holding a plain decimal ({@code digits[.digits]}),
 * greater than zero, with at most 18 significant digits and at most {@link Decimals#MAX_SCALE}
 * decimals once trailing zeros are stripped; a string that is not a number at all is {@code
 * BAD_FIELD}, a number that breaks these rules ({@code "NaN"}, {@code "-1"}, {@code "0.000"},
 * {@code "1e5"}) is {@code BAD_PRICE}/{@code BAD_QUANTITY}.
 *
 * <p>Not thread-safe: one decoder per connection / thread.
 */
public final class AggTradeDecoder {

  /** What {@link #decode} made of a message. */
  public enum Result {
    /** A valid aggTrade; the output record holds it. */
    TRADE,
    /** A well-formed message that is not an aggTrade (command reply, other stream); ignore it. */
    SKIPPED,
    /** Refused; see {@link #lastReject()}. The output record is left unchanged. */
    REJECTED
  }

  /** 2010-01-01T00:00:00Z: trades before it are implausible. */
  public static final long MIN_TRADE_TIME_MS = 1_262_304_000_000L;
  /** How far past the clock a trade time may be. */
  public static final long MAX_CLOCK_SKEW_MS = 86_400_000L;
  /** Cap of {@link #feed} buffering: a message longer than this is rejected as malformed. */
  public static final int MAX_BUFFERED_BYTES = 4 << 20;

  private static final int MAX_DIGITS = 18;

  /** Shared, thread-safe; field-name interning off so hostile input cannot grow the String pool. */
  private static final JsonFactory JSON =
      JsonFactory.builder().disable(JsonFactory.Feature.INTERN_FIELD_NAMES).build();

  private final SymbolIndex symbols;
  private final LongSupplier clockMs;

  // counters
  private final long[] rejectedBy = new long[RejectReason.count()];
  private long decoded;
  private long skipped;
  private long fastPath;
  private RejectReason lastReject;

  // feed() buffer
  private byte[] pending = new byte[512];
  private int pendingLen;
  private boolean pendingBroken;

  // cached upper bound of plausible trade times, see plausibleTime()
  private static final int CLOCK_REFRESH = 1024;
  private long maxTime = Long.MIN_VALUE;
  private int clockCountdown;

  // fast-path scratch results (fields, so helpers can return a position and a value)
  private long num;
  private int numScale;

  /**
   * @param symbols the tracked symbols; looked up by the decoder, owned by the caller
   * @param clockMs current time in ms for the trade-time plausibility check (a trade more than a day
   *     ahead is rejected); read when a trade is past the last bound and every 1024 trades
   */
  public AggTradeDecoder(SymbolIndex symbols, LongSupplier clockMs) {
    this.symbols = Objects.requireNonNull(symbols, "symbols");
    this.clockMs = Objects.requireNonNull(clockMs, "clockMs");
  }

  // ---------------------------------------------------------------------------------------------
  // Public API

  /**
   * Decodes one complete WebSocket text message {@code buf[off, off+len)} into {@code out} (which
   * must not be null). On {@link Result#TRADE} every field of {@code out} is set; otherwise {@code
   * out} is untouched. Never throws, whatever the bytes (out-of-range {@code off}/{@code len} are
   * rejected as malformed).
   */
  public Result decode(byte[] buf, int off, int len, AggTrade out) {
    if (buf == null || off < 0 || len < 0 || off > buf.length - len) {
      return reject(RejectReason.MALFORMED);
    }
    if (fast(buf, off, off + len, out)) {
      fastPath++;
      decoded++;
      return Result.TRADE;
    }
    return general(buf, off, len, out);
  }

  /**
   * Decodes with the general (jackson-core) path only, bypassing the fast scanner. Same results as
   * {@link #decode}, only slower: for differential tests and benchmarks, not for production.
   */
  public Result decodeGeneral(byte[] buf, int off, int len, AggTrade out) {
    if (buf == null || off < 0 || len < 0 || off > buf.length - len) {
      return reject(RejectReason.MALFORMED);
    }
    return general(buf, off, len, out);
  }

  /**
   * Appends a fragment of a message (WebSocket continuation frames) to an internal buffer that is
   * reused across messages. Never throws; bad arguments or a message over {@link
   * #MAX_BUFFERED_BYTES} make the next {@link #decodeBuffered} reject it as malformed.
   */
  public void feed(byte[] buf, int off, int len) {
    if (pendingBroken) {
      return;
    }
    if (buf == null || off < 0 || len < 0 || off > buf.length - len
        || len > MAX_BUFFERED_BYTES - pendingLen) {
      pendingBroken = true;
      return;
    }
    int need = pendingLen + len;
    if (need > pending.length) {
      pending = Arrays.copyOf(pending, (int) Math.min(MAX_BUFFERED_BYTES,
          Math.max(need, 2L * pending.length)));
    }
    System.arraycopy(buf, off, pending, pendingLen, len);
    pendingLen = need;
  }

  /** Decodes what {@link #feed} collected as one message, then resets the buffer. Never throws. */
  public Result decodeBuffered(AggTrade out) {
    int len = pendingLen;
    boolean broken = pendingBroken;
    pendingLen = 0;
    pendingBroken = false;
    return broken ? reject(RejectReason.MALFORMED) : decode(pending, 0, len, out);
  }

  /** Reason of the last {@link Result#REJECTED}, or null if none yet. */
  public RejectReason lastReject() {
    return lastReject;
  }

  public long rejected(RejectReason r) {
    return rejectedBy[r.ordinal()];
  }

  public long rejectedTotal() {
    long t = 0;
    for (long n : rejectedBy) {
      t += n;
    }
    return t;
  }

  /** Messages decoded to {@link Result#TRADE}, by either path. */
  public long decoded() {
    return decoded;
  }

  public long skipped() {
    return skipped;
  }

  /** Trades decoded by the fast path (the rest of {@link #decoded()} took the general path). */
  public long fastPathDecoded() {
    return fastPath;
  }

  private Result reject(RejectReason r) {
    rejectedBy[r.ordinal()]++;
    lastReject = r;
    return Result.REJECTED;
  }

  private Result skip() {
    skipped++;
    return Result.SKIPPED;
  }

  // ---------------------------------------------------------------------------------------------
  // Fast path: Binance's exact layout, straight from the bytes, no allocation.
  //
  //   [{"stream":"<name>","data":]{"e":"aggTrade","E":<int>,"s":"<sym>","a":<int>,"p":"<dec>",
  //   "q":"<dec>"[,"nq":"<str>"],"f":<int>,"l":<int>,"T":<int>,"m":<bool>[,"M":<bool>]
  //   [,"nq":"<str>"]}[}] <whitespace>*
  //
  // Every helper returns the position after what it matched, or -1 to give up. Nothing is written
  // to `out` before the whole message has been checked.

  // Literals are compared a machine word at a time: each is a little-endian long of its bytes (up
  // to 8) and its length. Long literals are split into words.
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final long COMBINED_HEAD_1 = word("{\"stream");    // {"stream":"
  private static final long COMBINED_HEAD_2 = word("\":\"");
  private static final long DATA_KEY = word(",\"data\":");           // 8 bytes
  private static final long EVENT_HEAD_1 = word("{\"e\":\"ag");       // {"e":"aggTrade","E":
  private static final long EVENT_HEAD_2 = word("gTrade\",");
  private static final long EVENT_HEAD_3 = word("\"E\":");
  private static final long K_S = word(",\"s\":\"");
  private static final long K_A = word(",\"a\":");
  private static final long K_P = word(",\"p\":\"");
  private static final long K_Q = word(",\"q\":\"");
  private static final long K_NQ = word(",\"nq\":\"");
  private static final long K_F = word(",\"f\":");
  private static final long K_L = word(",\"l\":");
  private static final long K_T = word(",\"T\":");
  private static final long K_M = word(",\"m\":");
  private static final long K_BIG_M = word(",\"M\":");

  /** Bytes of {@code s} (at most 8 ASCII chars) as a little-endian long. */
  private static long word(String s) {
    if (s.length() > 8) {
      throw new IllegalArgumentException(s);
    }
    long w = 0;
    for (int k = 0; k < s.length(); k++) {
      w |= (s.charAt(k) & 0xFFL) << (8 * k);
    }
    return w;
  }

  private boolean fast(byte[] b, int i, int end, AggTrade out) {
    boolean combined = false;
    if (end - i > 2 && b[i + 2] == 's') {
      i = match(b, i, end, COMBINED_HEAD_1, 8);
      // then the stream name, up to its closing quote
      if ((i = match(b, i, end, COMBINED_HEAD_2, 3)) < 0 || (i = plainString(b, i, end)) < 0) {
        return false;
      }
      i = match(b, i + 1, end, DATA_KEY, 8);
      if (i < 0) {
        return false;
      }
      combined = true;
    }
    if ((i = match(b, i, end, EVENT_HEAD_1, 8)) < 0 || (i = match(b, i, end, EVENT_HEAD_2, 8)) < 0
        || (i = match(b, i, end, EVENT_HEAD_3, 4)) < 0 || (i = uint(b, i, end)) < 0) {
      return false;
    }
    final long eventTime = num;

    if ((i = match(b, i, end, K_S, 6)) < 0) {
      return false;
    }
    int symStart = i;
    if ((i = plainString(b, i, end)) <= symStart) {
      return false; // not a plain string, or empty
    }
    final int symbol = symbols.idOf(b, symStart, i - symStart);
    if (symbol < 0) {
      return false;
    }
    i++; // closing quote

    if ((i = match(b, i, end, K_A, 5)) < 0 || (i = uint(b, i, end)) < 0) {
      return false;
    }
    final long aggId = num;
    if ((i = match(b, i, end, K_P, 6)) < 0 || (i = decimal(b, i, end)) < 0) {
      return false;
    }
    final long price = num;
    final int priceScale = numScale;
    if ((i = match(b, i + 1, end, K_Q, 6)) < 0 || (i = decimal(b, i, end)) < 0) {
      return false;
    }
    final long qty = num;
    final int qtyScale = numScale;
    i = optionalNq(b, i + 1, end);
    if (i < 0 || (i = match(b, i, end, K_F, 5)) < 0 || (i = uint(b, i, end)) < 0) {
      return false;
    }
    final long firstId = num;
    if ((i = match(b, i, end, K_L, 5)) < 0 || (i = uint(b, i, end)) < 0) {
      return false;
    }
    final long lastId = num;
    if ((i = match(b, i, end, K_T, 5)) < 0 || (i = uint(b, i, end)) < 0) {
      return false;
    }
    final long time = num;
    if ((i = match(b, i, end, K_M, 5)) < 0 || (i = bool(b, i, end)) < 0) {
      return false;
    }
    final boolean buyerMaker = num != 0;
    if (i < end && b[i] == ',' && end - i > 2 && b[i + 2] == 'M') {
      if ((i = match(b, i, end, K_BIG_M, 5)) < 0 || (i = bool(b, i, end)) < 0) {
        return false;
      }
    }
    if ((i = optionalNq(b, i, end)) < 0 || i >= end || b[i++] != '}') {
      return false;
    }
    if (combined && (i >= end || b[i++] != '}')) {
      return false;
    }
    for (; i < end; i++) { // trailing JSON whitespace only
      int c = b[i];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return false;
      }
    }
    if (lastId < firstId || !plausibleTime(time)) {
      return false; // the general path names the reason
    }
    out.symbol = symbol;
    out.aggId = aggId;
    out.price = price;
    out.priceScale = priceScale;
    out.qty = qty;
    out.qtyScale = qtyScale;
    out.firstId = firstId;
    out.lastId = lastId;
    out.time = time;
    out.eventTime = eventTime;
    out.buyerMaker = buyerMaker;
    return true;
  }

  /** A mask of the low {@code n} (1 to 8) bytes of a little-endian word: its first n characters. */
  static long lowBytes(int n) {
    return n == 8 ? -1L : (1L << (8 * n)) - 1;
  }

  /** Matches the {@code n}-byte literal {@code word} at {@code i}; -1 if {@code i < 0} or no match. */
  private static int match(byte[] b, int i, int end, long word, int n) {
    if (i < 0) {
      return -1;
    }
    if (end - i >= 8) {
      return (((long) LONG_LE.get(b, i)) & lowBytes(n)) == word ? i + n : -1;
    }
    if (end - i < n) {
      return -1;
    }
    for (int k = 0; k < n; k++) { // near the end of the message: byte by byte
      if (b[i + k] != (byte) (word >>> (8 * k))) {
        return -1;
      }
    }
    return i + n;
  }

  /**
   * Skips the body of a JSON string without escapes, control characters or non-ASCII bytes (what
   * jackson reads as the same characters); returns the position of the closing quote, or -1.
   */
  private static int plainString(byte[] b, int i, int end) {
    while (end - i >= 8) {
      long w = (long) LONG_LE.get(b, i);
      long quote = w ^ 0x2222222222222222L; // zero byte where '"'
      long backslash = w ^ 0x5C5C5C5C5C5C5C5CL; // zero byte where '\\'
      // high bit set for '"', '\\', bytes < 0x20 and bytes >= 0x80; exact for the first such byte
      long stop = ((quote - 0x0101010101010101L) & ~quote)
          | ((backslash - 0x0101010101010101L) & ~backslash)
          | ((w - 0x2020202020202020L) & ~w)
          | w;
      stop &= 0x8080808080808080L;
      if (stop != 0) {
        int k = i + (Long.numberOfTrailingZeros(stop) >>> 3);
        return b[k] == '"' ? k : -1;
      }
      i += 8;
    }
    for (; i < end; i++) {
      byte c = b[i];
      if (c == '"') {
        return i;
      }
      if (c < ' ' || c == '\\') { // negative: non-ASCII
        return -1;
      }
    }
    return -1;
  }

  /** Optional futures {@code ,"nq":"..."}: returns the position after it, or {@code i} if absent. */
  private static int optionalNq(byte[] b, int i, int end) {
    if (i < end - 2 && b[i] == ',' && b[i + 2] == 'n') {
      int j = match(b, i, end, K_NQ, 7);
      return j < 0 || (j = plainString(b, j, end)) < 0 ? -1 : j + 1;
    }
    return i;
  }

  /**
   * A non-negative JSON integer of at most 18 digits without leading zeros into {@link #num}. What
   * follows is checked by the caller's next literal (so {@code 01}, {@code 1.0}, {@code 1e3} fail).
   */
  private int uint(byte[] b, int i, int end) {
    int n = digitRun(b, i, end);
    if (n == 0 || n > MAX_DIGITS || (n > 1 && b[i] == '0')) {
      return -1;
    }
    num = digits(b, i, n);
    return i + n;
  }

  private int bool(byte[] b, int i, int end) {
    if (end - i >= 4 && b[i] == 't' && b[i + 1] == 'r' && b[i + 2] == 'u' && b[i + 3] == 'e') {
      num = 1;
      return i + 4;
    }
    if (end - i >= 5 && b[i] == 'f' && b[i + 1] == 'a' && b[i + 2] == 'l' && b[i + 3] == 's'
        && b[i + 4] == 'e') {
      num = 0;
      return i + 5;
    }
    return -1;
  }

  /**
   * A quoted plain decimal {@code digits[.digits]} (opening quote already consumed) into {@link
   * #num}/{@link #numScale}, exact, trailing fractional zeros stripped; must be &gt; 0 and below
   * 10^18 as a mantissa (so at most 18 significant digits and decimals). Runs of more than 18
   * digits are left to the general path. Returns the position of the closing quote.
   */
  private int decimal(byte[] b, int i, int end) {
    int n = digitRun(b, i, end);
    if (n == 0 || n > MAX_DIGITS) {
      return -1;
    }
    long m = digits(b, i, n);
    int scale = 0;
    i += n;
    if (i < end && b[i] == '.') {
      i++;
      int fn = digitRun(b, i, end);
      if (fn == 0 || fn > MAX_DIGITS) {
        return -1;
      }
      int sig; // fraction digits up to the last non-zero one
      if (fn <= 8 && b.length - i >= 8) {
        // digit values of the fraction in the low fn bytes: the highest non-zero byte is the last
        long w = ((long) LONG_LE.get(b, i) - ZEROS) & lowBytes(fn);
        sig = w == 0 ? 0 : 8 - (Long.numberOfLeadingZeros(w) >>> 3);
      } else {
        sig = fn;
        while (sig > 0 && b[i + sig - 1] == '0') {
          sig--;
        }
      }
      if (sig > 0) {
        if (m >= Decimals.POW10[MAX_DIGITS - sig]) {
          return -1; // m * 10^sig + fraction would have more than 18 digits
        }
        m = m * Decimals.POW10[sig] + digits(b, i, sig);
        scale = sig;
      }
      i += fn;
    }
    if (m == 0 || i >= end || b[i] != '"') {
      return -1;
    }
    num = m;
    numScale = scale;
    return i;
  }

  // SWAR digit parsing: eight ASCII bytes read as one little-endian long (first char lowest).

  private static final long ZEROS = 0x3030303030303030L;

  /** Number of ASCII digits starting at {@code i} (before {@code end}); stops counting past 24. */
  private static int digitRun(byte[] b, int i, int end) {
    int n = 0;
    while (end - i >= 8) {
      long w = (long) LONG_LE.get(b, i);
      // high bit of each byte set where the byte is not '0'..'9'; exact up to the first such byte,
      // since carries and borrows only travel towards later bytes
      long nonDigit = ((w + 0x4646464646464646L) | (w - ZEROS)) & 0x8080808080808080L;
      if (nonDigit != 0) {
        return n + (Long.numberOfTrailingZeros(nonDigit) >>> 3);
      }
      n += 8;
      i += 8;
      if (n > 24) {
        return n;
      }
    }
    while (i < end && b[i] >= '0' && b[i] <= '9') {
      n++;
      i++;
    }
    return n;
  }

  /** Value of the {@code n} (0 to 18) ASCII digits at {@code i}, known to be digits. */
  private static long digits(byte[] b, int i, int n) {
    long v = 0;
    while (n >= 8) {
      v = v * 100_000_000L + eightDigits((long) LONG_LE.get(b, i) - ZEROS);
      i += 8;
      n -= 8;
    }
    if (n > 0) {
      if (b.length - i >= 8) {
        // keep the n digits, moved to the top of the word: the bytes below act as leading zeros
        long w = ((long) LONG_LE.get(b, i) - ZEROS) << (8 * (8 - n));
        v = v * Decimals.POW10[n] + eightDigits(w);
      } else {
        for (int end = i + n; i < end; i++) {
          v = v * 10 + (b[i] - '0');
        }
      }
    }
    return v;
  }

  /** Eight digit values (0..9 per byte, first digit in the lowest byte) to their number. */
  private static long eightDigits(long w) {
    w = w * 10 + (w >>> 8); // each 16-bit lane: its two digits as a number
    return (((w & 0x000000FF000000FFL) * 0x000F424000000064L) // 100 + (1000000 << 32)
        + (((w >>> 16) & 0x000000FF000000FFL) * 0x0000271000000001L)) >>> 32; // 1 + (10000 << 32)
  }

  /**
   * {@code MIN_TRADE_TIME_MS <= t <= clock + 1 day}. To keep a clock call off the per-trade path the
   * bound is cached: the clock is read again when {@code t} is past it, and at least every {@link
   * #CLOCK_REFRESH} trades (so a clock that steps back is seen within that many trades).
   */
  private boolean plausibleTime(long t) {
    if (t < MIN_TRADE_TIME_MS) {
      return false;
    }
    if (t <= maxTime && --clockCountdown > 0) {
      return true;
    }
    clockCountdown = CLOCK_REFRESH;
    maxTime = clockMs.getAsLong() + MAX_CLOCK_SKEW_MS;
    return t <= maxTime;
  }

  // ---------------------------------------------------------------------------------------------
  // General path: jackson-core streaming, any field order.

  private static final int F_S = 1;
  private static final int F_A = 1 << 1;
  private static final int F_P = 1 << 2;
  private static final int F_Q = 1 << 3;
  private static final int F_F = 1 << 4;
  private static final int F_L = 1 << 5;
  private static final int F_T = 1 << 6;
  private static final int F_M = 1 << 7;
  private static final int F_BIG_E = 1 << 8;
  private static final int REQUIRED = F_S | F_A | F_P | F_Q | F_F | F_L | F_T | F_M;

  private static final int E_ABSENT = 0;
  private static final int E_AGG_TRADE = 1;
  private static final int E_OTHER = 2;
  private static final int E_BAD = 3;

  private static final int DEC_OK = 0;
  private static final int DEC_BAD_FIELD = 1;
  private static final int DEC_BAD_VALUE = 2;

  // general-path state of the message being parsed
  private int present;
  private int bad;
  private int eventType;
  private boolean dataObject;
  private boolean dataArray;
  private boolean dataOther;
  private boolean reply;
  private boolean streamSeen;
  private boolean streamAggTrade;
  private int gSymbol;
  private long gEventTime;
  private long gAggId;
  private long gFirstId;
  private long gLastId;
  private long gTime;
  private boolean gBuyerMaker;
  private long gPrice;
  private int gPriceScale;
  private int gPriceStatus;
  private long gQty;
  private int gQtyScale;
  private int gQtyStatus;
  private final CharView charView = new CharView();

  private Result general(byte[] buf, int off, int len, AggTrade out) {
    present = 0;
    bad = 0;
    eventType = E_ABSENT;
    dataObject = dataArray = dataOther = reply = streamSeen = streamAggTrade = false;
    gEventTime = 0;
    boolean rootObject;
    // A new parser per message: jackson-core has no reset for byte[] input; it recycles its
    // internal buffers, so the cost is a few small objects. Only non-fast-path messages get here.
    try (JsonParser p = JSON.createParser(buf, off, len)) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.START_OBJECT) {
        rootObject = true;
        parseObject(p, true);
      } else if (t == JsonToken.START_ARRAY) {
        rootObject = false; // e.g. raw !miniTicker@arr
        p.skipChildren();
      } else {
        return reject(RejectReason.MALFORMED); // empty, or a bare scalar: not a message
      }
      if (p.nextToken() != null) {
        return reject(RejectReason.MALFORMED); // trailing content
      }
    } catch (IOException | RuntimeException e) {
      // jackson signals malformed input (incl. truncation, bad UTF-8, constraint violations) with
      // JsonProcessingException; RuntimeException is a last safety net: decode never throws.
      return reject(RejectReason.MALFORMED);
    }
    if (!rootObject) {
      return skip();
    }
    if (!dataObject) {
      if (dataArray) {
        return skip(); // combined !miniTicker@arr
      }
      if (dataOther) {
        return reject(RejectReason.BAD_FIELD);
      }
    }
    switch (eventType) {
      case E_BAD:
        return reject(RejectReason.BAD_FIELD);
      case E_OTHER:
        return skip();
      case E_ABSENT:
        if (reply || (streamSeen && !streamAggTrade)) {
          return skip(); // command reply / error, or a stream without "e" (e.g. depth)
        }
        break; // no event type: judge it as a trade
      default:
        break;
    }
    if ((present & REQUIRED) != REQUIRED) {
      return reject(RejectReason.MISSING_FIELD);
    }
    if (bad != 0) {
      return reject(RejectReason.BAD_FIELD);
    }
    if (gSymbol < 0) {
      return reject(RejectReason.UNKNOWN_SYMBOL);
    }
    if (gAggId < 0 || gFirstId < 0 || gLastId < 0 || gLastId < gFirstId) {
      return reject(RejectReason.BAD_ID);
    }
    if (gPriceStatus != DEC_OK) {
      return reject(RejectReason.BAD_PRICE);
    }
    if (gQtyStatus != DEC_OK) {
      return reject(RejectReason.BAD_QUANTITY);
    }
    if (!plausibleTime(gTime)) {
      return reject(RejectReason.BAD_TIME);
    }
    out.symbol = gSymbol;
    out.aggId = gAggId;
    out.price = gPrice;
    out.priceScale = gPriceScale;
    out.qty = gQty;
    out.qtyScale = gQtyScale;
    out.firstId = gFirstId;
    out.lastId = gLastId;
    out.time = gTime;
    out.eventTime = gEventTime;
    out.buyerMaker = gBuyerMaker;
    decoded++;
    return Result.TRADE;
  }

  /**
   * Reads the fields of the object whose START_OBJECT was just read. On the top level, {@code
   * data}, {@code stream} and the command-reply keys are recognised; every other field (top level
   * of a raw message, or inside {@code data}) is taken as an event field.
   */
  private void parseObject(JsonParser p, boolean top) throws IOException {
    String name;
    while ((name = p.nextFieldName()) != null) {
      JsonToken t = p.nextToken();
      if (top) {
        switch (name) {
          case "data":
            if (t == JsonToken.START_OBJECT) {
              dataObject = true;
              parseObject(p, false);
            } else {
              dataArray |= t == JsonToken.START_ARRAY;
              dataOther |= t != JsonToken.START_ARRAY;
              p.skipChildren();
            }
            continue;
          case "stream":
            streamSeen = true;
            streamAggTrade = t == JsonToken.VALUE_STRING && textEndsWith(p, "@aggTrade");
            p.skipChildren();
            continue;
          case "result":
          case "error":
          case "id":
            reply = true;
            p.skipChildren();
            continue;
          default:
            break;
        }
      }
      eventField(p, name, t);
      p.skipChildren(); // no-op for scalars; skips objects/arrays of unknown or mistyped fields
    }
  }

  private void eventField(JsonParser p, String name, JsonToken t) throws IOException {
    switch (name) {
      case "e":
        eventType = t != JsonToken.VALUE_STRING ? E_BAD
            : textEquals(p, "aggTrade") ? E_AGG_TRADE : E_OTHER;
        break;
      case "E":
        gEventTime = longField(p, t, F_BIG_E);
        break;
      case "s":
        present |= F_S;
        if (t == JsonToken.VALUE_STRING) {
          bad &= ~F_S;
          gSymbol = symbols.idOf(charView.of(p.getTextCharacters(), p.getTextOffset(),
              p.getTextLength()));
        } else {
          bad |= F_S;
        }
        break;
      case "a":
        gAggId = longField(p, t, F_A);
        break;
      case "f":
        gFirstId = longField(p, t, F_F);
        break;
      case "l":
        gLastId = longField(p, t, F_L);
        break;
      case "T":
        gTime = longField(p, t, F_T);
        break;
      case "m":
        present |= F_M;
        if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
          bad &= ~F_M;
          gBuyerMaker = t == JsonToken.VALUE_TRUE;
        } else {
          bad |= F_M;
        }
        break;
      case "p":
        present |= F_P;
        gPriceStatus = decimalField(p, t);
        gPrice = num;
        gPriceScale = numScale;
        bad = gPriceStatus == DEC_BAD_FIELD ? bad | F_P : bad & ~F_P;
        break;
      case "q":
        present |= F_Q;
        gQtyStatus = decimalField(p, t);
        gQty = num;
        gQtyScale = numScale;
        bad = gQtyStatus == DEC_BAD_FIELD ? bad | F_Q : bad & ~F_Q;
        break;
      default:
        break; // unknown fields (M, nq, ...) are ignored
    }
  }

  /** The current string token equals {@code s} (compared in place, no String built). */
  private static boolean textEquals(JsonParser p, String s) throws IOException {
    return p.getTextLength() == s.length() && textEndsWith(p, s);
  }

  private static boolean textEndsWith(JsonParser p, String s) throws IOException {
    char[] c = p.getTextCharacters();
    int len = p.getTextLength();
    int n = s.length();
    if (len < n) {
      return false;
    }
    for (int k = 0, from = p.getTextOffset() + len - n; k < n; k++) {
      if (c[from + k] != s.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** A JSON integer that fits a long; otherwise marks the field bad. Last occurrence wins. */
  private long longField(JsonParser p, JsonToken t, int bit) throws IOException {
    present |= bit;
    if (t == JsonToken.VALUE_NUMBER_INT) {
      JsonParser.NumberType nt = p.getNumberType();
      if (nt == JsonParser.NumberType.INT || nt == JsonParser.NumberType.LONG) {
        bad &= ~bit;
        return p.getLongValue();
      }
    }
    bad |= bit;
    return 0;
  }

  /**
   * A price/quantity string through fastdoubleparser (exact {@link BigDecimal}) into {@link
   * #num}/{@link #numScale}. Not a string or not a number: {@code DEC_BAD_FIELD}; a number outside
   * the rules (not plain, &lt;= 0, NaN/Infinity, too many digits or decimals): {@code DEC_BAD_VALUE}.
   */
  private int decimalField(JsonParser p, JsonToken t) throws IOException {
    num = 0;
    numScale = 0;
    if (t != JsonToken.VALUE_STRING) {
      return DEC_BAD_FIELD;
    }
    char[] c = p.getTextCharacters();
    int from = p.getTextOffset();
    int len = p.getTextLength();
    if (isNanOrInfinity(c, from, len)) {
      return DEC_BAD_VALUE;
    }
    BigDecimal v;
    try {
      v = JavaBigDecimalParser.parseBigDecimal(c, from, len);
    } catch (NumberFormatException e) {
      return DEC_BAD_FIELD;
    }
    if (!isPlainDecimal(c, from, len) || v.signum() <= 0) {
      return DEC_BAD_VALUE;
    }
    v = v.stripTrailingZeros();
    if (v.scale() < 0) {
      v = v.setScale(0);
    }
    if (v.scale() > Decimals.MAX_SCALE || v.precision() > MAX_DIGITS) {
      return DEC_BAD_VALUE;
    }
    num = v.unscaledValue().longValueExact();
    numScale = v.scale();
    return DEC_OK;
  }

  /** {@code digits[.digits]}, the only form Binance prints. */
  private static boolean isPlainDecimal(char[] c, int from, int len) {
    int end = from + len;
    int i = from;
    while (i < end && c[i] >= '0' && c[i] <= '9') {
      i++;
    }
    if (i == from) {
      return false;
    }
    if (i == end) {
      return true;
    }
    if (c[i] != '.') {
      return false;
    }
    int frac = ++i;
    while (i < end && c[i] >= '0' && c[i] <= '9') {
      i++;
    }
    return i == end && i > frac;
  }

  /** {@code [+-]}{@code NaN} or {@code Infinity} in any case ({@code inf} too). */
  private static boolean isNanOrInfinity(char[] c, int from, int len) {
    int i = from;
    int end = from + len;
    if (i < end && (c[i] == '+' || c[i] == '-')) {
      i++;
    }
    return regionIs(c, i, end, "nan") || regionIs(c, i, end, "infinity")
        || regionIs(c, i, end, "inf");
  }

  private static boolean regionIs(char[] c, int from, int end, String lower) {
    if (end - from != lower.length()) {
      return false;
    }
    for (int k = 0; k < lower.length(); k++) {
      if (Character.toLowerCase(c[from + k]) != lower.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** Reusable CharSequence over a char[] region, for symbol lookup without a String. */
  private static final class CharView implements CharSequence {
    private char[] c;
    private int off;
    private int len;

    CharView of(char[] c, int off, int len) {
      this.c = c;
      this.off = off;
      this.len = len;
      return this;
    }

    @Override
    public int length() {
      return len;
    }

    @Override
    public char charAt(int index) {
      return c[off + index];
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new String(c, off + start, end - start);
    }

    @Override
    public String toString() {
      return new String(c, off, len);
    }
  }
}
