package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Property-based fuzzing of {@link AggTradeCsv} (jqwik): random valid files read as a small
 * hand-written reference (split on commas, {@link BigDecimal}) reads them, on both the SWAR fast path
 * and the careful path, whatever the buffer size; a row with one broken field is refused with that
 * field's reason, counted once; random bytes never throw and every row is either a trade or a counted
 * rejection. A failure prints jqwik's {@code seed}; replay with {@code @Property(seed = "...")}.
 */
class AggTradeCsvFuzzTest {
  static final long MAX_TIME = 4_102_444_800_000L; // 2100-01-01

  record Row(long a, String p, String q, long f, long l, long t, boolean micros, String m, String best) {
    String line() {
      return a + "," + p + "," + q + "," + f + "," + l + "," + (micros ? t * 1000 + 999 : t) + "," + m
          + (best == null ? "" : "," + best);
    }
  }

  @Provide
  Arbitrary<Row> rows() {
    Arbitrary<Long> ids = Arbitraries.oneOf(Arbitraries.longs().between(0, 1000),
        Arbitraries.longs().between(0, Long.MAX_VALUE / 2));
    Arbitrary<Long> times = Arbitraries.longs().between(AggTradeCsv.MIN_TIME_MS, MAX_TIME);
    return Combinators.combine(ids, AggTradeDecoderFuzzTest.decimals(), AggTradeDecoderFuzzTest.decimals(),
            ids, Arbitraries.longs().between(0, 1_000_000), times, Arbitraries.of(true, false),
            Arbitraries.of("true", "false", "True", "False", "TRUE", "FALSE"))
        .as((a, p, q, f, n, t, us, m) -> new Row(a, p, q, f, f + n, t, us, m, null))
        .flatMap(r -> Arbitraries.of("", null, "True", "true", "False", "x").map(best ->
            new Row(r.a(), r.p(), r.q(), r.f(), r.l(), r.t(), r.micros(), r.m(), "".equals(best) ? null : best)));
  }

  /** The reference: one row as text, parsed by splitting and BigDecimal. */
  static String reference(Row r) {
    String[] x = r.line().split(",", -1);
    BigDecimal p = AggTradeDecoderFuzzTest.exact(x[1]);
    BigDecimal q = AggTradeDecoderFuzzTest.exact(x[2]);
    long t = Long.parseLong(x[5]);
    if (t > AggTradeCsv.MICROS_THRESHOLD) {
      t /= 1000;
    }
    return "7 " + Long.parseLong(x[0]) + " " + p.unscaledValue() + "/" + p.scale() + " " + q.unscaledValue()
        + "/" + q.scale() + " " + Long.parseLong(x[3]) + " " + Long.parseLong(x[4]) + " " + t + " "
        + Boolean.parseBoolean(x[6]);
  }

  static List<String> read(byte[] data, boolean careful, int bufferSize) throws IOException {
    return AggTradeCsvTest.parse(data, careful, bufferSize);
  }

  @Property(tries = 200)
  void validFilesReadAsTheReferenceDoes(@ForAll @Size(min = 1, max = 30) List<@net.jqwik.api.From("rows") Row> rows,
      @ForAll boolean header, @ForAll boolean crlf, @ForAll @IntRange(min = 64, max = 600) int bufferSize)
      throws IOException {
    String nl = crlf ? "\r\n" : "\n";
    StringBuilder b = new StringBuilder(header
        ? "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker" + nl : "");
    List<String> expected = new ArrayList<>();
    for (Row r : rows) {
      b.append(r.line()).append(nl);
      expected.add(reference(r));
    }
    byte[] data = b.toString().getBytes(StandardCharsets.ISO_8859_1);
    List<String> fast = read(data, false, bufferSize);
    assertThat(fast.subList(0, fast.size() - 1)).as(b.toString()).isEqualTo(expected);
    assertThat(fast.get(fast.size() - 1)).endsWith("rows " + rows.size());
    assertThat(read(data, true, 1 << 16)).isEqualTo(fast);
  }

  enum Break {
    AGG_ID_TEXT(RejectReason.MALFORMED), PRICE_ZERO(RejectReason.BAD_PRICE), PRICE_TEXT(RejectReason.BAD_PRICE),
    PRICE_EMPTY(RejectReason.BAD_PRICE), PRICE_19_DIGITS(RejectReason.BAD_PRICE),
    PRICE_19_DECIMALS(RejectReason.BAD_PRICE), PRICE_LONG_FRACTION(RejectReason.BAD_PRICE),
    PRICE_TWO_POINTS(RejectReason.BAD_PRICE), QTY_ZERO(RejectReason.BAD_QUANTITY),
    QTY_19_DIGITS(RejectReason.BAD_QUANTITY), QTY_LONG_FRACTION(RejectReason.BAD_QUANTITY),
    FIRST_TEXT(RejectReason.BAD_FIELD), LAST_TOO_BIG(RejectReason.BAD_FIELD), MAKER_YES(RejectReason.BAD_FIELD),
    LAST_BEFORE_FIRST(RejectReason.BAD_ID), TIME_BEFORE_2010(RejectReason.BAD_TIME),
    TIME_AFTER_MAX(RejectReason.BAD_TIME), CUT_SHORT(RejectReason.MISSING_FIELD);

    final RejectReason reason;

    Break(RejectReason reason) {
      this.reason = reason;
    }
  }

  static String broken(Row r, Break k, int which) {
    String[] x = r.line().split(",", -1);
    switch (k) {
      case AGG_ID_TEXT -> x[0] = "id" + which;
      case PRICE_ZERO -> x[1] = "0.00";
      case PRICE_TEXT -> x[1] = "abc";
      case PRICE_EMPTY -> x[1] = "";
      case PRICE_19_DIGITS -> x[1] = "1234567890.123456789";
      case PRICE_19_DECIMALS -> x[1] = "0.0000000000000000001";
      case PRICE_LONG_FRACTION -> x[1] = "1." + "0".repeat(17 + which % 30) + "1";
      case PRICE_TWO_POINTS -> x[1] = "1.2.3";
      case QTY_ZERO -> x[2] = "0";
      case QTY_19_DIGITS -> x[2] = "1234567890123456789";
      case QTY_LONG_FRACTION -> x[2] = "12." + "0".repeat(16 + which % 30) + "5";
      case FIRST_TEXT -> x[3] = "-1";
      case LAST_TOO_BIG -> x[4] = "92233720368547758070";
      case MAKER_YES -> x[6] = "yes";
      case LAST_BEFORE_FIRST -> {
        x[3] = Long.toString(r.f() + 1);
        x[4] = Long.toString(r.f());
      }
      case TIME_BEFORE_2010 -> x[5] = Long.toString(AggTradeCsv.MIN_TIME_MS - 1 - which);
      case TIME_AFTER_MAX -> x[5] = Long.toString(MAX_TIME + 1 + which);
      case CUT_SHORT -> {
        return String.join(",", java.util.Arrays.copyOf(x, 1 + which % 6));
      }
      default -> throw new AssertionError(k);
    }
    return String.join(",", x);
  }

  @Property(tries = 500)
  void aBrokenFieldIsRefusedWithItsReasonAndCountedOnce(@ForAll("rows") Row good, @ForAll("rows") Row bad,
      @ForAll Break k, @ForAll @IntRange(min = 0, max = 1000) int which) throws IOException {
    String line = broken(bad, k, which);
    String text = good.line() + "\n" + line + "\n" + good.line() + "\n";
    byte[] data = text.getBytes(StandardCharsets.ISO_8859_1);
    for (boolean careful : new boolean[] {false, true}) {
      List<String> got = read(data, careful, 1 << 16);
      assertThat(got).as("%s (careful %s)", line, careful)
          .containsExactly(reference(good), reference(good), "reject " + k.reason, "digits "
              + got.get(got.size() - 1).substring(7));
      assertThat(got.get(got.size() - 1)).endsWith("rows 3");
    }
  }

  /** Every line is a trade or a counted reject, both paths agree, and nothing throws. */
  static void readsCleanly(byte[] data, int bufferSize) throws IOException {
    List<String> fast = read(data, false, bufferSize);
    List<String> careful = read(data, true, 1 << 16);
    assertThat(fast).isEqualTo(careful);
    long rows = Long.parseLong(fast.get(fast.size() - 1).replaceAll(".* rows ", ""));
    assertThat(fast.size() - 1L).as("trades + rejects = rows").isEqualTo(rows);
    for (String s : fast) {
      if (!s.startsWith("reject ") && !s.startsWith("digits ")) {
        String[] f = s.split(" ");
        for (int i = 2; i <= 3; i++) {
          String[] v = f[i].split("/");
          assertThat(Long.parseLong(v[0])).as(s).isPositive();
          assertThat(Integer.parseInt(v[1])).as(s).isBetween(0, Decimals.MAX_SCALE);
        }
      }
    }
  }

  @Property(tries = 300)
  void randomBytesNeverThrow(@ForAll @Size(max = 400) byte[] junk,
      @ForAll @IntRange(min = 64, max = 300) int bufferSize) throws IOException {
    readsCleanly(junk, bufferSize);
  }

  @Provide
  Arbitrary<String> csvish() {
    return Arbitraries.strings().withChars("0123456789.,\n\r-eTtRrUuFfAaLlSs ").ofMaxLength(400);
  }

  @Property(tries = 400)
  void randomCsvLikeTextNeverThrows(@ForAll("csvish") String text,
      @ForAll @IntRange(min = 64, max = 300) int bufferSize) throws IOException {
    readsCleanly(text.getBytes(StandardCharsets.ISO_8859_1), bufferSize);
  }

  @Property(tries = 300)
  void mutatedValidRowsNeverThrow(@ForAll @Size(min = 1, max = 10) List<@net.jqwik.api.From("rows") Row> rows,
      @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 0, max = 100_000) Integer> at,
      @ForAll("csvish") String with) throws IOException {
    StringBuilder b = new StringBuilder();
    for (Row r : rows) {
      b.append(r.line()).append('\n');
    }
    for (int k = 0; k < at.size(); k++) {
      int i = at.get(k) % (b.length() + 1);
      char c = with.isEmpty() ? '9' : with.charAt(k % with.length());
      if (k % 2 == 0 && i < b.length()) {
        b.setCharAt(i, c);
      } else {
        b.insert(i, c);
      }
    }
    readsCleanly(b.toString().getBytes(StandardCharsets.ISO_8859_1), 64 + at.get(0) % 200);
  }
}
