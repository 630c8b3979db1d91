package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import klagg.core.AggTradeDecoder.Result;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Field rules of {@link AggTradeDecoder}, one small hand-written frame at a time. */
class AggTradeDecoderTest {
  static final long CLOCK = 1_617_566_700_000L; // 2021-04-04T20:05:00Z

  static final String SPOT = "{\"e\":\"aggTrade\",\"E\":1617566591315,\"s\":\"BTCUSDT\","
      + "\"a\":665076760,\"p\":\"58001.03000000\",\"q\":\"0.08620500\",\"f\":745522877,"
      + "\"l\":745522879,\"T\":1617566591314,\"m\":true,\"M\":true}";
  static final String FUTURES = "{\"e\":\"aggTrade\",\"E\":1617566591315,\"s\":\"ETHUSDT\","
      + "\"a\":5933014,\"p\":\"2063.88\",\"q\":\"100\",\"nq\":\"0.001\",\"f\":100,\"l\":105,"
      + "\"T\":1617566591314,\"m\":false}";

  SymbolIndex symbols;
  AggTradeDecoder decoder;
  AggTrade out;
  int btc;
  int eth;

  @BeforeEach
  void setUp() {
    symbols = new SymbolIndex(16);
    btc = symbols.add("BTCUSDT");
    eth = symbols.add("ETHUSDT");
    decoder = new AggTradeDecoder(symbols, () -> CLOCK);
    out = new AggTrade();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String combined(String stream, String data) {
    return "{\"stream\":\"" + stream + "\",\"data\":" + data + "}";
  }

  /**
   * Decodes with {@link AggTradeDecoder#decode} and, on a second decoder, with the general path
   * only; both must agree on result, reason and fields.
   */
  Result dec(String frame) {
    byte[] b = bytes(frame);
    Result r = decoder.decode(b, 0, b.length, out);
    AggTradeDecoder general = new AggTradeDecoder(symbols, () -> CLOCK);
    AggTrade g = new AggTrade();
    Result rg = general.decodeGeneral(b, 0, b.length, g);
    assertThat(rg).as("general path on %s", frame).isEqualTo(r);
    if (r == Result.REJECTED) {
      assertThat(general.lastReject()).as("general reason on %s", frame)
          .isEqualTo(decoder.lastReject());
    }
    if (r == Result.TRADE) {
      assertThat(g.toString()).isEqualTo(out.toString());
      assertThat(g.eventTime).isEqualTo(out.eventTime);
    }
    return r;
  }

  RejectReason rejectOf(String frame) {
    assertThat(dec(frame)).as(frame).isEqualTo(Result.REJECTED);
    return decoder.lastReject();
  }

  static String with(String frame, String from, String to) {
    assertThat(frame).contains(from);
    return frame.replace(from, to);
  }

  @Test
  void decodesRawSpotFrameOnFastPath() {
    assertThat(dec(SPOT)).isEqualTo(Result.TRADE);
    assertThat(out.symbol).isEqualTo(btc);
    assertThat(out.aggId).isEqualTo(665076760L);
    assertThat(out.price).isEqualTo(5800103L);
    assertThat(out.priceScale).isEqualTo(2);
    assertThat(out.qty).isEqualTo(86205L);
    assertThat(out.qtyScale).isEqualTo(6);
    assertThat(out.firstId).isEqualTo(745522877L);
    assertThat(out.lastId).isEqualTo(745522879L);
    assertThat(out.time).isEqualTo(1617566591314L);
    assertThat(out.eventTime).isEqualTo(1617566591315L);
    assertThat(out.buyerMaker).isTrue();
    assertThat(decoder.fastPathDecoded()).isEqualTo(1);
    assertThat(decoder.decoded()).isEqualTo(1);
  }

  @Test
  void decodesCombinedFrameOnFastPath() {
    assertThat(dec(combined("btcusdt@aggTrade", SPOT))).isEqualTo(Result.TRADE);
    assertThat(out.price).isEqualTo(5800103L);
    assertThat(out.symbol).isEqualTo(btc);
    assertThat(decoder.fastPathDecoded()).isEqualTo(1);
  }

  @Test
  void decodesFuturesFrameWithNqAndWithoutM() {
    assertThat(dec(FUTURES)).isEqualTo(Result.TRADE);
    assertThat(out.symbol).isEqualTo(eth);
    assertThat(out.price).isEqualTo(206388L);
    assertThat(out.priceScale).isEqualTo(2);
    assertThat(out.qty).isEqualTo(100L);
    assertThat(out.qtyScale).isZero();
    assertThat(out.buyerMaker).isFalse();
    assertThat(decoder.fastPathDecoded()).isEqualTo(1);
    // nq last, and a combined futures frame
    assertThat(dec(with(FUTURES, ",\"nq\":\"0.001\"", "").replace("}", ",\"nq\":\"7\"}")))
        .isEqualTo(Result.TRADE);
    assertThat(dec(combined("ethusdt@aggTrade", FUTURES))).isEqualTo(Result.TRADE);
    assertThat(decoder.fastPathDecoded()).isEqualTo(3);
  }

  @Test
  void unknownExtraFieldsAreIgnored() {
    String f = with(SPOT, "\"a\":", "\"x\":{\"y\":[1,2,{\"z\":null}],\"s\":\"X\"},\"zz\":1.5e3,\"a\":");
    assertThat(dec(f)).isEqualTo(Result.TRADE);
    assertThat(out.symbol).isEqualTo(btc);
    assertThat(out.aggId).isEqualTo(665076760L);
    assertThat(dec(combined("btcusdt@aggTrade", SPOT).replace("{\"stream\"", "{\"extra\":[1],\"stream\"")))
        .isEqualTo(Result.TRADE);
    assertThat(decoder.fastPathDecoded()).isZero();
  }

  @Test
  void reorderedFieldsAndWhitespaceTakeTheGeneralPath() {
    String reordered = "{\"m\":false,\"T\":1617566591314,\"l\":9,\"f\":8,\"q\":\"1.50\",\"p\":\"0.0100\","
        + "\"a\":7,\"s\":\"ETHUSDT\",\"E\":5,\"e\":\"aggTrade\"}";
    assertThat(dec(reordered)).isEqualTo(Result.TRADE);
    AggTrade expected = new AggTrade().set(eth, 7, 1, 2, 15, 1, 8, 9, 1617566591314L, false);
    expected.eventTime = 5;
    assertThat(out.toString()).isEqualTo(expected.toString());
    // data before stream
    assertThat(dec("{\"data\":" + SPOT + ",\"stream\":\"btcusdt@aggTrade\"}")).isEqualTo(Result.TRADE);
    assertThat(dec(" { \"e\" : \"aggTrade\" ,\n\"E\":1,\"s\":\"BTCUSDT\",\"a\":1,\"p\":\"1\",\"q\":\"2\","
        + "\"f\":1,\"l\":1,\"T\":1617566591314,\"m\":true }\n")).isEqualTo(Result.TRADE);
    assertThat(decoder.fastPathDecoded()).isZero();
    assertThat(decoder.decoded()).isEqualTo(3);
  }

  @Test
  void trailingWhitespaceStaysOnFastPath() {
    assertThat(dec(SPOT + "\r\n")).isEqualTo(Result.TRADE);
    assertThat(decoder.fastPathDecoded()).isEqualTo(1);
  }

  @Test
  void eventTimeIsOptional() {
    assertThat(dec(with(SPOT, "\"E\":1617566591315,", ""))).isEqualTo(Result.TRADE);
    assertThat(out.eventTime).isZero();
  }

  @Test
  void decimalsAreExactWithTrailingZerosStripped() {
    String[][] cases = {
        {"58001.03000000", "5800103", "2"}, {"0.08620500", "86205", "6"}, {"100", "100", "0"},
        {"100.000", "100", "0"}, {"1.000000000000000000000000", "1", "0"},
        {"0.000000000000000001", "1", "18"}, {"123456789012345678", "123456789012345678", "0"},
        {"12345678.9012345678", "123456789012345678", "10"}, {"007.50", "75", "1"},
        {"0.00000001", "1", "8"}};
    for (String[] c : cases) {
      assertThat(dec(with(SPOT, "58001.03000000", c[0]))).as(c[0]).isEqualTo(Result.TRADE);
      assertThat(out.price).as(c[0]).isEqualTo(Long.parseLong(c[1]));
      assertThat(out.priceScale).as(c[0]).isEqualTo(Integer.parseInt(c[2]));
      assertThat(dec(with(SPOT, "0.08620500", c[0]))).as(c[0]).isEqualTo(Result.TRADE);
      assertThat(out.qty).as(c[0]).isEqualTo(Long.parseLong(c[1]));
      assertThat(out.qtyScale).as(c[0]).isEqualTo(Integer.parseInt(c[2]));
    }
    // all but the 24-decimal case (runs over 18 digits are left to the general path)
    assertThat(decoder.fastPathDecoded()).isEqualTo(2L * (cases.length - 1));
  }

  @Test
  void numbersOfEveryLength() {
    java.util.Random rnd = new java.util.Random(7);
    StringBuilder digits = new StringBuilder();
    for (int n = 1; n <= 20; n++) {
      digits.append(n == 1 ? 1 + rnd.nextInt(9) : rnd.nextInt(10));
      String d = digits.toString();
      boolean fits = n <= 18;
      String f = with(SPOT, "\"a\":665076760", "\"a\":" + d);
      if (n <= 19) { // 19 digits here still fit a long: general path
        assertThat(dec(f)).as(d).isEqualTo(Result.TRADE);
        assertThat(out.aggId).isEqualTo(Long.parseLong(d));
      }
      assertThat(dec(with(SPOT, "58001.03000000", d))).as(d)
          .isEqualTo(fits ? Result.TRADE : Result.REJECTED);
      for (int dot = 1; dot < n; dot++) { // every split into integer and fraction digits
        String v = d.substring(0, dot) + "." + d.substring(dot) + "000";
        assertThat(dec(with(SPOT, "0.08620500", v))).as(v)
            .isEqualTo(fits ? Result.TRADE : Result.REJECTED);
        if (fits) {
          BigDecimal x = new BigDecimal(v).stripTrailingZeros();
          assertThat(out.qty).as(v).isEqualTo(x.unscaledValue().longValueExact());
          assertThat(out.qtyScale).as(v).isEqualTo(x.scale());
        }
      }
    }
  }

  @Test
  void truncatedCopiesEndingInsideNumbers() {
    // prefixes in arrays of their own: numbers within 8 bytes of the array end (byte-wise paths)
    for (String frame : new String[] {SPOT, FUTURES, combined("btcusdt@aggTrade", SPOT)}) {
      byte[] b = bytes(frame);
      for (int k = 0; k < b.length; k++) {
        byte[] prefix = java.util.Arrays.copyOf(b, k);
        assertThat(decoder.decode(prefix, 0, k, out)).isEqualTo(Result.REJECTED);
        assertThat(decoder.lastReject()).isEqualTo(RejectReason.MALFORMED);
      }
      assertThat(dec(frame)).isEqualTo(Result.TRADE);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"NaN", "nan", "Infinity", "-Infinity", "+Infinity", "inf", "-1", "-0.5",
      "0", "0.000", "000", "1e5", "1E5", "1.5e-3", "+1", ".5", "1.", "1234567890123456789",
      "1000000000000000000", "0.0000000000000000001", "12345678.90123456789"})
  void badPriceAndQuantity(String v) {
    assertThat(rejectOf(with(SPOT, "58001.03000000", v))).isEqualTo(RejectReason.BAD_PRICE);
    assertThat(rejectOf(with(SPOT, "0.08620500", v))).isEqualTo(RejectReason.BAD_QUANTITY);
    assertThat(rejectOf(with(FUTURES, "\"q\":\"100\"", "\"q\":\"" + v + "\"")))
        .isEqualTo(RejectReason.BAD_QUANTITY);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{", "", "   ", "not json", "{\"e\":\"aggTrade\",}", "[1,2", "123",
      "\"aggTrade\"", "null", "{\"e\":\"aggTrade\"} x", "{\"a\":01}", "{\"a\":NaN}",
      "{\"result\":null,\"id\":1}{\"result\":null,\"id\":2}"})
  void malformed(String frame) {
    assertThat(rejectOf(frame)).isEqualTo(RejectReason.MALFORMED);
  }

  @Test
  void malformedTruncatedAndInvalidUtf8() {
    assertThat(rejectOf(SPOT.substring(0, SPOT.length() - 1))).isEqualTo(RejectReason.MALFORMED);
    byte[] b = bytes(SPOT);
    b[b.length - 12] = (byte) 0xC3; // inside "M": invalid UTF-8 start outside a string
    assertThat(decoder.decode(b, 0, b.length, out)).isEqualTo(Result.REJECTED);
    assertThat(decoder.lastReject()).isEqualTo(RejectReason.MALFORMED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"s", "a", "p", "q", "f", "l", "T", "m"})
  void missingRequiredField(String field) {
    String f = SPOT.replaceAll(",\"" + field + "\":(\"[^\"]*\"|[a-z0-9]+)", "");
    assertThat(f).isNotEqualTo(SPOT);
    assertThat(rejectOf(f)).isEqualTo(RejectReason.MISSING_FIELD);
    assertThat(rejectOf(combined("btcusdt@aggTrade", f))).isEqualTo(RejectReason.MISSING_FIELD);
    assertThat(rejectOf("{}")).isEqualTo(RejectReason.MISSING_FIELD);
  }

  @Test
  void badField() {
    String[][] cases = {
        {"\"a\":665076760", "\"a\":\"665076760\""}, {"\"a\":665076760", "\"a\":1.5"},
        {"\"a\":665076760", "\"a\":99999999999999999999"}, {"\"a\":665076760", "\"a\":null"},
        {"\"f\":745522877", "\"f\":[1]"}, {"\"l\":745522879", "\"l\":{}"},
        {"\"T\":1617566591314", "\"T\":1617566591314.0"}, {"\"m\":true", "\"m\":\"true\""},
        {"\"m\":true", "\"m\":1"}, {"\"s\":\"BTCUSDT\"", "\"s\":5"},
        {"\"p\":\"58001.03000000\"", "\"p\":58001.03"}, {"\"p\":\"58001.03000000\"", "\"p\":\"abc\""},
        {"\"q\":\"0.08620500\"", "\"q\":\"\""}, {"\"q\":\"0.08620500\"", "\"q\":\"1.2.3\""},
        {"\"E\":1617566591315", "\"E\":\"x\""}, {"\"e\":\"aggTrade\"", "\"e\":5"}};
    for (String[] c : cases) {
      assertThat(rejectOf(with(SPOT, c[0], c[1]))).as(c[1]).isEqualTo(RejectReason.BAD_FIELD);
    }
    assertThat(rejectOf("{\"stream\":\"btcusdt@aggTrade\",\"data\":5}")).isEqualTo(RejectReason.BAD_FIELD);
  }

  @Test
  void unknownSymbol() {
    assertThat(rejectOf(with(SPOT, "BTCUSDT", "DOGEUSDT"))).isEqualTo(RejectReason.UNKNOWN_SYMBOL);
    assertThat(rejectOf(with(SPOT, "BTCUSDT", "btcusdt"))).isEqualTo(RejectReason.UNKNOWN_SYMBOL);
    assertThat(rejectOf(with(SPOT, "BTCUSDT", ""))).isEqualTo(RejectReason.UNKNOWN_SYMBOL);
    assertThat(rejectOf(combined("dogeusdt@aggTrade", with(SPOT, "BTCUSDT", "DOGEUSDT"))))
        .isEqualTo(RejectReason.UNKNOWN_SYMBOL);
    assertThat(decoder.rejected(RejectReason.UNKNOWN_SYMBOL)).isEqualTo(4);
  }

  @Test
  void streamNamesOfEveryLengthAndOddCharacters() {
    String name = "";
    for (int n = 0; n <= 24; n++) { // the closing quote at every offset of an 8-byte word
      assertThat(dec(combined(name, SPOT))).as(name).isEqualTo(Result.TRADE);
      name += (char) ('a' + n);
    }
    assertThat(decoder.fastPathDecoded()).isEqualTo(25);
    assertThat(dec(combined("btc\\\"usdt@aggTrade", SPOT))).isEqualTo(Result.TRADE); // escape
    assertThat(dec(combined("b\u00f6n@aggTrade", SPOT))).isEqualTo(Result.TRADE); // UTF-8
    assertThat(dec(combined("del\u007f@aggTrade", SPOT))).isEqualTo(Result.TRADE);
    assertThat(decoder.fastPathDecoded()).isEqualTo(26);
    assertThat(rejectOf(combined("tab\there@aggTrade", SPOT))).isEqualTo(RejectReason.MALFORMED);
    assertThat(rejectOf(with(SPOT, "BTCUSDT", "BTC\u00d6SDT"))).isEqualTo(RejectReason.UNKNOWN_SYMBOL);
    assertThat(rejectOf(with(SPOT, "BTCUSDT", "BTC USDT"))).isEqualTo(RejectReason.UNKNOWN_SYMBOL);
  }

  @Test
  void symbolWithJsonEscapeIsResolvedOnGeneralPath() {
    assertThat(dec(with(SPOT, "BTCUSDT", "BTC\\u0055SDT"))).isEqualTo(Result.TRADE);
    assertThat(out.symbol).isEqualTo(btc);
  }

  @Test
  void badTime() {
    assertThat(rejectOf(with(SPOT, "\"T\":1617566591314", "\"T\":1262303999999")))
        .isEqualTo(RejectReason.BAD_TIME);
    assertThat(rejectOf(with(SPOT, "\"T\":1617566591314", "\"T\":0"))).isEqualTo(RejectReason.BAD_TIME);
    assertThat(rejectOf(with(SPOT, "\"T\":1617566591314", "\"T\":-5"))).isEqualTo(RejectReason.BAD_TIME);
    long tooLate = CLOCK + AggTradeDecoder.MAX_CLOCK_SKEW_MS + 1;
    assertThat(rejectOf(with(SPOT, "\"T\":1617566591314", "\"T\":" + tooLate)))
        .isEqualTo(RejectReason.BAD_TIME);
    assertThat(dec(with(SPOT, "\"T\":1617566591314", "\"T\":" + (tooLate - 1)))).isEqualTo(Result.TRADE);
    assertThat(dec(with(SPOT, "\"T\":1617566591314", "\"T\":1262304000000"))).isEqualTo(Result.TRADE);
  }

  @Test
  void clockSteppingBackIsSeenWithinTheRefreshPeriod() {
    long[] clock = {CLOCK};
    AggTradeDecoder d = new AggTradeDecoder(symbols, () -> clock[0]);
    byte[] b = bytes(SPOT); // T = 1617566591314, just before CLOCK
    assertThat(d.decode(b, 0, b.length, out)).isEqualTo(Result.TRADE);
    clock[0] = 1_600_000_000_000L; // way back: SPOT's T is now more than a day ahead
    int trades = 0;
    while (d.decode(b, 0, b.length, out) == Result.TRADE) {
      trades++;
    }
    assertThat(trades).isLessThan(1024);
    assertThat(d.lastReject()).isEqualTo(RejectReason.BAD_TIME);
    assertThat(d.decode(b, 0, b.length, out)).isEqualTo(Result.REJECTED);
  }

  @Test
  void badIds() {
    assertThat(rejectOf(with(SPOT, "\"a\":665076760", "\"a\":-1"))).isEqualTo(RejectReason.BAD_ID);
    assertThat(rejectOf(with(SPOT, "\"f\":745522877", "\"f\":-1"))).isEqualTo(RejectReason.BAD_ID);
    assertThat(rejectOf(with(SPOT, "\"l\":745522879", "\"l\":-1"))).isEqualTo(RejectReason.BAD_ID);
    assertThat(rejectOf(with(SPOT, "\"l\":745522879", "\"l\":745522876"))).isEqualTo(RejectReason.BAD_ID);
    assertThat(dec(with(SPOT, "\"l\":745522879", "\"l\":745522877"))).isEqualTo(Result.TRADE);
    assertThat(dec(with(with(SPOT, "\"a\":665076760", "\"a\":0"), "\"f\":745522877", "\"f\":0")))
        .isEqualTo(Result.TRADE);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"result\":null,\"id\":1}",
      "{\"result\":[\"btcusdt@aggTrade\"],\"id\":3}",
      "{\"result\":null,\"id\":\"abc-123\"}",
      "{\"error\":{\"code\":2,\"msg\":\"Invalid request: unknown method\"},\"id\":null}",
      "{\"stream\":\"btcusdt@kline_1m\",\"data\":{\"e\":\"kline\",\"E\":1617566591776,"
          + "\"s\":\"BTCUSDT\",\"k\":{\"t\":1617566580000,\"T\":1617566639999,\"s\":\"BTCUSDT\","
          + "\"i\":\"1m\",\"f\":1,\"L\":2,\"o\":\"1\",\"c\":\"1\",\"h\":\"1\",\"l\":\"1\","
          + "\"v\":\"1\",\"n\":2,\"x\":false,\"q\":\"1\",\"V\":\"1\",\"Q\":\"1\",\"B\":\"0\"}}}",
      "[{\"e\":\"24hrMiniTicker\",\"E\":1,\"s\":\"BTCUSDT\",\"c\":\"1\",\"o\":\"1\",\"h\":\"1\","
          + "\"l\":\"1\",\"v\":\"1\",\"q\":\"1\"}]",
      "{\"stream\":\"!miniTicker@arr\",\"data\":[{\"e\":\"24hrMiniTicker\",\"E\":1,\"s\":\"BTCUSDT\","
          + "\"c\":\"1\",\"o\":\"1\",\"h\":\"1\",\"l\":\"1\",\"v\":\"1\",\"q\":\"1\"}]}",
      "{\"e\":\"24hrMiniTicker\",\"E\":1,\"s\":\"BTCUSDT\",\"c\":\"1\",\"o\":\"1\",\"h\":\"1\","
          + "\"l\":\"1\",\"v\":\"1\",\"q\":\"1\"}",
      "{\"stream\":\"btcusdt@depth5\",\"data\":{\"lastUpdateId\":1,\"bids\":[],\"asks\":[]}}",
      "{\"e\":\"serverShutdown\",\"E\":1}",
      "[]"})
  void skipsNonTrades(String frame) {
    assertThat(dec(frame)).isEqualTo(Result.SKIPPED);
    assertThat(decoder.skipped()).isEqualTo(1);
    assertThat(decoder.rejectedTotal()).isZero();
  }

  @Test
  void countersAndOutputUntouchedOnReject() {
    assertThat(dec(SPOT)).isEqualTo(Result.TRADE);
    String before = out.toString();
    assertThat(rejectOf("{")).isEqualTo(RejectReason.MALFORMED);
    assertThat(rejectOf(with(SPOT, "BTCUSDT", "XRPUSDT"))).isEqualTo(RejectReason.UNKNOWN_SYMBOL);
    assertThat(rejectOf(with(SPOT, "\"a\":665076760", "\"a\":-1"))).isEqualTo(RejectReason.BAD_ID);
    assertThat(rejectOf("x")).isEqualTo(RejectReason.MALFORMED);
    assertThat(dec("{\"result\":null,\"id\":1}")).isEqualTo(Result.SKIPPED);
    assertThat(out.toString()).isEqualTo(before);
    assertThat(decoder.decoded()).isEqualTo(1);
    assertThat(decoder.skipped()).isEqualTo(1);
    assertThat(decoder.rejected(RejectReason.MALFORMED)).isEqualTo(2);
    assertThat(decoder.rejected(RejectReason.UNKNOWN_SYMBOL)).isEqualTo(1);
    assertThat(decoder.rejected(RejectReason.BAD_ID)).isEqualTo(1);
    assertThat(decoder.rejected(RejectReason.BAD_TIME)).isZero();
    assertThat(decoder.rejectedTotal()).isEqualTo(4);
    assertThat(decoder.lastReject()).isEqualTo(RejectReason.MALFORMED);
  }

  @Test
  void decodeRespectsOffsetAndLength() {
    byte[] frame = bytes("xx" + SPOT + "yy");
    assertThat(decoder.decode(frame, 2, frame.length - 4, out)).isEqualTo(Result.TRADE);
    assertThat(out.price).isEqualTo(5800103L);
    assertThat(decoder.decode(frame, 2, frame.length - 3, out)).isEqualTo(Result.REJECTED);
    assertThat(decoder.decode(frame, -1, 3, out)).isEqualTo(Result.REJECTED);
    assertThat(decoder.decode(frame, 5, frame.length, out)).isEqualTo(Result.REJECTED);
    assertThat(decoder.decode(null, 0, 0, out)).isEqualTo(Result.REJECTED);
    assertThat(decoder.lastReject()).isEqualTo(RejectReason.MALFORMED);
  }

  @Test
  void feedFragmentsAndReuseBuffer() {
    byte[] b = bytes(combined("btcusdt@aggTrade", SPOT));
    for (int round = 0; round < 3; round++) {
      decoder.feed(b, 0, 10);
      decoder.feed(b, 10, 0);
      decoder.feed(b, 10, 100);
      decoder.feed(b, 110, b.length - 110);
      assertThat(decoder.decodeBuffered(out)).isEqualTo(Result.TRADE);
      assertThat(out.price).isEqualTo(5800103L);
    }
    assertThat(decoder.decodeBuffered(out)).isEqualTo(Result.REJECTED); // nothing fed
    assertThat(decoder.lastReject()).isEqualTo(RejectReason.MALFORMED);
    // a long message grows the buffer
    StringBuilder big = new StringBuilder("{\"pad\":\"");
    big.append("x".repeat(5000)).append("\",").append(SPOT.substring(1));
    byte[] bb = bytes(big.toString());
    for (int i = 0; i < bb.length; i += 7) {
      decoder.feed(bb, i, Math.min(7, bb.length - i));
    }
    assertThat(decoder.decodeBuffered(out)).isEqualTo(Result.TRADE);
    // bad arguments poison only the current message
    decoder.feed(b, 0, 10);
    decoder.feed(b, 5, b.length);
    decoder.feed(null, 0, 1);
    assertThat(decoder.decodeBuffered(out)).isEqualTo(Result.REJECTED);
    decoder.feed(b, 0, b.length);
    assertThat(decoder.decodeBuffered(out)).isEqualTo(Result.TRADE);
  }
}
