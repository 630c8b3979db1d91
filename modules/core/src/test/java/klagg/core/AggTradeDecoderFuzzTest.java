package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import klagg.core.AggTradeDecoder.Result;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Property-based fuzzing of {@link AggTradeDecoder} (jqwik): random valid frames decode as a small
 * reference parser (Jackson's tree model and {@link BigDecimal}) reads them; a valid frame with one
 * broken field is refused with that field's reason, counted once; random bytes, random mutations and
 * random fragmentations never throw, and the fast path always agrees with the general one.
 *
 * <p>A failure prints jqwik's {@code seed}; replay it with {@code @Property(seed = "...")} on the
 * failing property (see README, "Fuzzing").
 */
class AggTradeDecoderFuzzTest {
  static final long CLOCK = 1_700_000_000_000L; // 2023-11-14
  static final String[] TRACKED = {"BTCUSDT", "ETHUSDT", "1000PEPEUSDT"};
  static final ObjectMapper JSON = new ObjectMapper();

  final SymbolIndex symbols = new SymbolIndex(16);

  AggTradeDecoderFuzzTest() {
    for (String s : TRACKED) {
      symbols.add(s);
    }
  }

  AggTradeDecoder decoder() {
    return new AggTradeDecoder(symbols, () -> CLOCK);
  }

  /** A trade as the generator means it; printed as a frame by {@link #frame}. */
  record Spec(int sym, long e, long a, String p, String q, long f, long l, long t, boolean m,
      boolean withE, boolean withBigM, int nq, boolean combined, boolean shuffled, boolean spaces,
      boolean extra, long layoutSeed) {}

  // ------------------------------------------------------------------------------- generators

  /** A plain decimal Binance could print: 1..18 significant digits, scale 0..18, maybe padded zeros. */
  static Arbitrary<String> decimals() {
    Arbitrary<Long> unscaled = Arbitraries.oneOf(
        Arbitraries.longs().between(1, 999),
        Arbitraries.longs().between(1, 99_999_999L),
        Arbitraries.longs().between(1, 999_999_999_999_999_999L));
    return Combinators.combine(unscaled, Arbitraries.integers().between(0, 18),
        Arbitraries.integers().between(0, 4), Arbitraries.integers().between(0, 2))
        .as((u, scale, pad, lead) -> {
          String s = BigDecimal.valueOf(u, scale).toPlainString();
          if (pad > 0) {
            s = (s.indexOf('.') < 0 ? s + "." : s) + "0".repeat(pad);
          }
          return "0".repeat(s.startsWith("0") ? 0 : lead) + s;
        });
  }

  @Provide
  Arbitrary<Spec> specs() {
    Arbitrary<Long> ids = Arbitraries.oneOf(Arbitraries.longs().between(0, 1000),
        Arbitraries.longs().between(0, Long.MAX_VALUE / 2));
    Arbitrary<Long> times = Arbitraries.longs().between(AggTradeDecoder.MIN_TRADE_TIME_MS,
        CLOCK + AggTradeDecoder.MAX_CLOCK_SKEW_MS);
    Arbitrary<Long> extraFills = Arbitraries.longs().between(0, 1_000_000);
    return Combinators.combine(
            Combinators.combine(Arbitraries.integers().between(0, TRACKED.length - 1), times, ids,
                decimals(), decimals(), ids, extraFills, times)
                .as((a, b, c, d, e, f, g, h) -> new Object[] {a, b, c, d, e, f, g, h}),
            Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(true, false),
                Arbitraries.integers().between(0, 2), Arbitraries.of(true, false),
                Arbitraries.frequency(net.jqwik.api.Tuple.of(3, false), net.jqwik.api.Tuple.of(1, true)),
                Arbitraries.of(true, false), Arbitraries.of(true, false), Arbitraries.longs())
                .as((a, b, c, d, e, f, g, h) -> new Object[] {a, b, c, d, e, f, g, h}),
            Arbitraries.of(true, false))
        .as((x, y, m) -> new Spec((int) x[0], (long) x[1], (long) x[2], (String) x[3], (String) x[4],
            (long) x[5], (long) x[5] + (long) x[6], (long) x[7], m, (boolean) y[0], (boolean) y[1],
            (int) y[2], (boolean) y[3], (boolean) y[4], (boolean) y[5], (boolean) y[6], (long) y[7]));
  }

  /** The frame's fields as (name, JSON value) in Binance's order, for {@link #print}. */
  static List<String[]> fields(Spec s) {
    List<String[]> f = new ArrayList<>();
    f.add(new String[] {"e", "\"aggTrade\""});
    if (s.withE()) {
      f.add(new String[] {"E", Long.toString(s.e())});
    }
    f.add(new String[] {"s", "\"" + TRACKED[s.sym()] + "\""});
    f.add(new String[] {"a", Long.toString(s.a())});
    f.add(new String[] {"p", "\"" + s.p() + "\""});
    f.add(new String[] {"q", "\"" + s.q() + "\""});
    if (s.nq() == 1) {
      f.add(new String[] {"nq", "\"0.001\""});
    }
    f.add(new String[] {"f", Long.toString(s.f())});
    f.add(new String[] {"l", Long.toString(s.l())});
    f.add(new String[] {"T", Long.toString(s.t())});
    f.add(new String[] {"m", Boolean.toString(s.m())});
    if (s.withBigM()) {
      f.add(new String[] {"M", "true"});
    }
    if (s.nq() == 2) {
      f.add(new String[] {"nq", "\"12.5\""});
    }
    if (s.extra()) {
      f.add(new String[] {"x", "{\"y\":[1,2,\"z\"]}"});
    }
    return f;
  }

  static String print(Spec s, List<String[]> fields) {
    Random r = new Random(s.layoutSeed());
    if (s.shuffled()) {
      Collections.shuffle(fields, r);
    }
    String ws = s.spaces() ? " \n" : "";
    StringBuilder b = new StringBuilder("{").append(ws);
    for (int i = 0; i < fields.size(); i++) {
      b.append(i == 0 ? "" : "," + ws).append('"').append(fields.get(i)[0]).append("\":").append(ws)
          .append(fields.get(i)[1]);
    }
    b.append(ws).append('}');
    String data = b.toString();
    return s.combined()
        ? "{\"stream\":\"" + TRACKED[s.sym()].toLowerCase(java.util.Locale.ROOT) + "@aggTrade\",\"data\":" + data + "}"
        : data;
  }

  static String frame(Spec s) {
    return print(s, fields(s));
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------------------- reference

  /** What a trade should decode to, read with Jackson's tree model and BigDecimal, independent of the decoder. */
  AggTrade reference(byte[] frame) throws Exception {
    JsonNode n = JSON.readTree(frame);
    if (n.has("data")) {
      n = n.get("data");
    }
    AggTrade t = new AggTrade();
    t.symbol = symbols.idOf(n.get("s").asText());
    t.aggId = n.get("a").asLong();
    BigDecimal p = exact(n.get("p").asText());
    t.price = p.unscaledValue().longValueExact();
    t.priceScale = p.scale();
    BigDecimal q = exact(n.get("q").asText());
    t.qty = q.unscaledValue().longValueExact();
    t.qtyScale = q.scale();
    t.firstId = n.get("f").asLong();
    t.lastId = n.get("l").asLong();
    t.time = n.get("T").asLong();
    t.eventTime = n.has("E") ? n.get("E").asLong() : 0;
    t.buyerMaker = n.get("m").asBoolean();
    return t;
  }

  static BigDecimal exact(String s) {
    BigDecimal v = new BigDecimal(s).stripTrailingZeros();
    return v.scale() < 0 ? v.setScale(0) : v;
  }

  static String show(AggTrade t) {
    return t + " scales " + t.priceScale + "/" + t.qtyScale;
  }

  // ------------------------------------------------------------------------------- properties

  @Property(tries = 400)
  void validFramesDecodeAsTheReferenceParserReadsThem(@ForAll("specs") Spec s) throws Exception {
    byte[] b = bytes(frame(s));
    AggTradeDecoder d = decoder();
    AggTrade out = new AggTrade();
    assertThat(d.decode(b, 0, b.length, out)).as(frame(s)).isEqualTo(Result.TRADE);
    assertThat(show(out)).as(frame(s)).isEqualTo(show(reference(b)));
    AggTrade g = new AggTrade();
    assertThat(decoder().decodeGeneral(b, 0, b.length, g)).isEqualTo(Result.TRADE);
    assertThat(show(g)).isEqualTo(show(out));
    if (s.withE() && !s.shuffled() && !s.spaces() && !s.extra() && shortRuns(s.p()) && shortRuns(s.q())
        && s.a() < 1_000_000_000_000_000_000L && s.l() < 1_000_000_000_000_000_000L) { // runs of at most 18 digits
      assertThat(d.fastPathDecoded()).as("Binance's own layout takes the fast path: %s", frame(s)).isEqualTo(1);
    }
  }

  /** One field broken; the reason it must be refused with. */
  enum Break {
    UNKNOWN_SYMBOL(RejectReason.UNKNOWN_SYMBOL), PRICE_ZERO(RejectReason.BAD_PRICE),
    PRICE_NEGATIVE(RejectReason.BAD_PRICE), PRICE_NAN(RejectReason.BAD_PRICE),
    PRICE_EXPONENT(RejectReason.BAD_PRICE), PRICE_19_DIGITS(RejectReason.BAD_PRICE),
    PRICE_19_DECIMALS(RejectReason.BAD_PRICE), PRICE_TEXT(RejectReason.BAD_FIELD),
    PRICE_NUMBER(RejectReason.BAD_FIELD), QTY_ZERO(RejectReason.BAD_QUANTITY),
    QTY_19_DIGITS(RejectReason.BAD_QUANTITY), QTY_INFINITY(RejectReason.BAD_QUANTITY),
    MISSING(RejectReason.MISSING_FIELD), LAST_BEFORE_FIRST(RejectReason.BAD_ID),
    NEGATIVE_ID(RejectReason.BAD_ID), ID_AS_STRING(RejectReason.BAD_FIELD),
    ID_TOO_BIG(RejectReason.BAD_FIELD), MAKER_AS_STRING(RejectReason.BAD_FIELD),
    TIME_BEFORE_2010(RejectReason.BAD_TIME), TIME_FUTURE(RejectReason.BAD_TIME),
    TRUNCATED(RejectReason.MALFORMED), TRAILING_GARBAGE(RejectReason.MALFORMED);

    final RejectReason reason;

    Break(RejectReason reason) {
      this.reason = reason;
    }
  }

  static String broken(Spec s, Break k, int which) {
    List<String[]> f = fields(s);
    String required = "sapqflTm";
    switch (k) {
      case UNKNOWN_SYMBOL -> set(f, "s", "\"NOPEUSDT\"");
      case PRICE_ZERO -> set(f, "p", "\"0.000\"");
      case PRICE_NEGATIVE -> set(f, "p", "\"-" + s.p() + "\"");
      case PRICE_NAN -> set(f, "p", "\"NaN\"");
      case PRICE_EXPONENT -> set(f, "p", "\"1e5\"");
      case PRICE_19_DIGITS -> set(f, "p", "\"1234567890.123456789\"");
      case PRICE_19_DECIMALS -> set(f, "p", "\"0.0000000000000000001\"");
      case PRICE_TEXT -> set(f, "p", "\"abc\"");
      case PRICE_NUMBER -> set(f, "p", "1.5");
      case QTY_ZERO -> set(f, "q", "\"0\"");
      case QTY_19_DIGITS -> set(f, "q", "\"1234567890123456789\"");
      case QTY_INFINITY -> set(f, "q", "\"Infinity\"");
      case MISSING -> f.removeIf(x -> x[0].equals(String.valueOf(required.charAt(which % required.length()))));
      case LAST_BEFORE_FIRST -> {
        set(f, "f", Long.toString(s.f() + 1));
        set(f, "l", Long.toString(s.f()));
      }
      case NEGATIVE_ID -> set(f, "a", "-1");
      case ID_AS_STRING -> set(f, "l", "\"" + s.l() + "\"");
      case ID_TOO_BIG -> set(f, "f", "92233720368547758070");
      case MAKER_AS_STRING -> set(f, "m", "\"true\"");
      case TIME_BEFORE_2010 -> set(f, "T", Long.toString(AggTradeDecoder.MIN_TRADE_TIME_MS - 1 - which));
      case TIME_FUTURE -> set(f, "T", Long.toString(CLOCK + AggTradeDecoder.MAX_CLOCK_SKEW_MS + 1 + which));
      case TRUNCATED -> {
        String full = print(s, f);
        return full.substring(0, which % full.length());
      }
      case TRAILING_GARBAGE -> {
        return print(s, f) + " x";
      }
      default -> throw new AssertionError(k);
    }
    return print(s, f);
  }

  static void set(List<String[]> f, String name, String value) {
    for (String[] x : f) {
      if (x[0].equals(name)) {
        x[1] = value;
      }
    }
  }

  @Property(tries = 600)
  void aBrokenFieldIsRefusedWithItsReasonAndCountedOnce(@ForAll("specs") Spec s, @ForAll Break k,
      @ForAll @IntRange(min = 0, max = 10_000) int which) {
    String frame = broken(s, k, which);
    byte[] b = bytes(frame);
    AggTradeDecoder d = decoder();
    AggTrade out = new AggTrade();
    String before = show(out);
    assertThat(d.decode(b, 0, b.length, out)).as(frame).isEqualTo(Result.REJECTED);
    assertThat(d.lastReject()).as(frame).isEqualTo(k.reason);
    assertThat(d.rejected(k.reason)).isEqualTo(1);
    assertThat(d.rejectedTotal()).isEqualTo(1);
    assertThat(d.decoded() + d.skipped()).isZero();
    assertThat(show(out)).as("output untouched").isEqualTo(before);
    AggTradeDecoder g = decoder();
    assertThat(g.decodeGeneral(b, 0, b.length, new AggTrade())).isEqualTo(Result.REJECTED);
    assertThat(g.lastReject()).isEqualTo(k.reason);
  }

  /** Decodes with both paths; they must agree, and every call is counted exactly once. */
  static void agree(AggTradeDecoder d, AggTradeDecoder general, byte[] b, int off, int len) {
    AggTrade out = new AggTrade();
    AggTrade g = new AggTrade();
    long before = d.decoded() + d.skipped() + d.rejectedTotal();
    Result r = d.decode(b, off, len, out);
    Result rg = general.decodeGeneral(b, off, len, g);
    assertThat(d.decoded() + d.skipped() + d.rejectedTotal()).isEqualTo(before + 1);
    assertThat(rg).isEqualTo(r);
    if (r == Result.REJECTED) {
      assertThat(d.lastReject()).isNotNull().isEqualTo(general.lastReject());
    } else if (r == Result.TRADE) {
      assertThat(show(g)).isEqualTo(show(out));
      assertThat(out.price).isPositive();
      assertThat(out.qty).isPositive();
      assertThat(out.priceScale).isBetween(0, Decimals.MAX_SCALE);
      assertThat(out.qtyScale).isBetween(0, Decimals.MAX_SCALE);
      assertThat(out.lastId).isGreaterThanOrEqualTo(out.firstId);
    }
  }

  @Property(tries = 500)
  void randomBytesNeverThrowAndAreCounted(@ForAll @Size(max = 300) byte[] junk,
      @ForAll @IntRange(min = -2, max = 310) int off, @ForAll @IntRange(min = -2, max = 310) int len) {
    AggTradeDecoder d = decoder();
    agree(d, decoder(), junk, 0, junk.length);
    agree(d, decoder(), junk, off, len); // out-of-range slices too
    assertThat(d.decoded() + d.skipped() + d.rejectedTotal()).isEqualTo(2);
  }

  @Provide
  Arbitrary<String> jsonish() {
    return Arbitraries.strings().withChars("{}[]\":,0123456789.-+eEaTmMspqflnrutx \\\u00e9")
        .ofMaxLength(200);
  }

  @Property(tries = 500)
  void randomJsonishTextNeverThrows(@ForAll("jsonish") String text) {
    byte[] b = bytes(text);
    agree(decoder(), decoder(), b, 0, b.length);
  }

  @Property(tries = 500)
  void mutatedValidFramesNeverThrowAndBothPathsAgree(@ForAll("specs") Spec s,
      @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 0, max = 100_000) Integer> at,
      @ForAll @Size(min = 4, max = 4) byte[] with, @ForAll @IntRange(min = 0, max = 2) int how) {
    byte[] b = bytes(frame(s));
    for (int k = 0; k < at.size(); k++) {
      int i = at.get(k) % b.length;
      switch (how) {
        case 0 -> b[i] = with[k]; // replace
        case 1 -> b = concat(java.util.Arrays.copyOf(b, i), java.util.Arrays.copyOfRange(b, i + 1, b.length)); // delete
        default -> b = concat(concat(java.util.Arrays.copyOf(b, i), new byte[] {with[k]}),
            java.util.Arrays.copyOfRange(b, i, b.length)); // insert
      }
      if (b.length == 0) {
        break;
      }
    }
    agree(decoder(), decoder(), b, 0, b.length);
  }

  /** The fast path takes digit runs of at most 18 (longer ones, zero padded, go the general path). */
  static boolean shortRuns(String decimal) {
    for (String run : decimal.split("\\.")) {
      if (run.length() > 18) {
        return false;
      }
    }
    return true;
  }

  static byte[] concat(byte[] x, byte[] y) {
    byte[] r = java.util.Arrays.copyOf(x, x.length + y.length);
    System.arraycopy(y, 0, r, x.length, y.length);
    return r;
  }

  @Property(tries = 300)
  void randomFragmentationDecodesAsTheWholeMessage(@ForAll("specs") Spec s, @ForAll Break k,
      @ForAll boolean valid, @ForAll @Size(max = 8) List<@IntRange(min = 0, max = 1000) Integer> cuts) {
    byte[] b = bytes(valid ? frame(s) : broken(s, k, cuts.size()));
    List<Integer> at = new ArrayList<>();
    for (int c : cuts) {
      at.add(c % (b.length + 1));
    }
    Collections.sort(at);
    AggTradeDecoder fed = decoder();
    int from = 0;
    for (int c : at) {
      fed.feed(b, from, c - from);
      from = c;
    }
    fed.feed(b, from, b.length - from);
    AggTrade viaFeed = new AggTrade();
    Result r = fed.decodeBuffered(viaFeed);
    AggTradeDecoder whole = decoder();
    AggTrade direct = new AggTrade();
    assertThat(r).isEqualTo(whole.decode(b, 0, b.length, direct));
    assertThat(show(viaFeed)).isEqualTo(show(direct));
    assertThat(fed.lastReject()).isEqualTo(whole.lastReject());
    // the buffer is reset: the next message decodes on its own
    byte[] next = bytes(frame(s));
    fed.feed(next, 0, next.length);
    assertThat(fed.decodeBuffered(new AggTrade())).isEqualTo(Result.TRADE);
  }
}
