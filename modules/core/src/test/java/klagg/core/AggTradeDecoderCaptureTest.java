package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import klagg.core.AggTradeDecoder.Result;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AggTradeDecoder} against the real spot capture of the test data: golden values from
 * Jackson databind, fast path vs general path, fragmentation at every byte, random corruption and
 * allocation.
 */
class AggTradeDecoderCaptureTest {
  static final String CAPTURE = "spot-BTC-ETH-DOT-2021-04-04T2003.ws.jsonl";
  static final long CLOCK = 1_617_566_700_000L;
  static final String[] SYMBOLS = {"BTCUSDT", "ETHUSDT", "DOTUSDT"};

  static List<byte[]> frames;
  static List<byte[]> tradeFrames;

  SymbolIndex symbols;
  AggTradeDecoder decoder;
  AggTradeDecoder general;
  AggTrade out;
  AggTrade outGeneral;

  @BeforeAll
  static void load() throws IOException {
    Path file = TestData.binance(CAPTURE);
    frames = new ArrayList<>();
    tradeFrames = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      byte[] b = line.getBytes(StandardCharsets.UTF_8);
      frames.add(b);
      if (line.contains("@aggTrade\"")) {
        tradeFrames.add(b);
      }
    }
    assertThat(frames).hasSize(2028);
    assertThat(tradeFrames).hasSize(1910);
  }

  @BeforeEach
  void setUp() {
    symbols = new SymbolIndex(8);
    for (String s : SYMBOLS) {
      symbols.add(s);
    }
    decoder = new AggTradeDecoder(symbols, () -> CLOCK);
    general = new AggTradeDecoder(symbols, () -> CLOCK);
    out = new AggTrade();
    outGeneral = new AggTrade();
  }

  /** All fields, E included, as one comparable string. */
  static String fields(AggTrade t) {
    return t + "/E=" + t.eventTime;
  }

  static long[] exact(String decimal) {
    BigDecimal v = new BigDecimal(decimal).stripTrailingZeros();
    if (v.scale() < 0) {
      v = v.setScale(0);
    }
    return new long[] {v.unscaledValue().longValueExact(), v.scale()};
  }

  @Test
  void goldenCaptureMatchesJacksonDatabind() throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    int trades = 0;
    int klines = 0;
    for (byte[] f : frames) {
      JsonNode root = mapper.readTree(f);
      JsonNode d = root.get("data");
      Result r = decoder.decode(f, 0, f.length, out);
      if (!"aggTrade".equals(d.get("e").asText())) {
        assertThat(d.get("e").asText()).isEqualTo("kline");
        assertThat(r).isEqualTo(Result.SKIPPED);
        klines++;
        continue;
      }
      trades++;
      assertThat(r).as(new String(f, StandardCharsets.UTF_8)).isEqualTo(Result.TRADE);
      long[] p = exact(d.get("p").asText());
      long[] q = exact(d.get("q").asText());
      AggTrade expected = new AggTrade().set(symbols.idOf(d.get("s").asText()), d.get("a").asLong(),
          p[0], (int) p[1], q[0], (int) q[1], d.get("f").asLong(), d.get("l").asLong(),
          d.get("T").asLong(), d.get("m").asBoolean());
      expected.eventTime = d.get("E").asLong();
      assertThat(fields(out)).isEqualTo(fields(expected));
    }
    assertThat(trades).isEqualTo(1910);
    assertThat(klines).isEqualTo(118);
    assertThat(decoder.decoded()).isEqualTo(1910);
    assertThat(decoder.fastPathDecoded()).as("every capture trade on the fast path").isEqualTo(1910);
    assertThat(decoder.skipped()).isEqualTo(118);
    assertThat(decoder.rejectedTotal()).isZero();
  }

  /** Asserts decode (fast path first) and decodeGeneral agree on result, reason and fields. */
  void assertSameAsGeneral(byte[] f, int off, int len) {
    Result r = decoder.decode(f, off, len, out);
    Result g = general.decodeGeneral(f, off, len, outGeneral);
    String what = new String(f, off, len, StandardCharsets.ISO_8859_1);
    assertThat(r).as(what).isNotNull().isEqualTo(g);
    if (r == Result.REJECTED) {
      assertThat(decoder.lastReject()).as(what).isNotNull().isEqualTo(general.lastReject());
    } else if (r == Result.TRADE) {
      assertThat(fields(out)).as(what).isEqualTo(fields(outGeneral));
    }
  }

  @Test
  void fastPathEqualsGeneralPathOnCaptureAndRandomFrames() {
    for (byte[] f : frames) {
      assertSameAsGeneral(f, 0, f.length);
    }
    Random rnd = new Random(42);
    int n = 5000;
    long fastBefore = decoder.fastPathDecoded();
    for (int i = 0; i < n; i++) {
      byte[] f = randomFrame(rnd).getBytes(StandardCharsets.UTF_8);
      assertThat(decoder.decode(f, 0, f.length, out)).as(new String(f, StandardCharsets.UTF_8))
          .isEqualTo(Result.TRADE);
      assertThat(general.decodeGeneral(f, 0, f.length, outGeneral)).isEqualTo(Result.TRADE);
      assertThat(fields(out)).isEqualTo(fields(outGeneral));
    }
    assertThat(decoder.fastPathDecoded() - fastBefore).isEqualTo(n);
  }

  /** A valid frame in Binance's layout with random values; raw or combined, spot or futures. */
  static String randomFrame(Random rnd) {
    String sym = SYMBOLS[rnd.nextInt(SYMBOLS.length)];
    long first = randomId(rnd);
    long last = first + (rnd.nextInt(4) == 0 ? rnd.nextInt(1000) : 0);
    long t = 1_262_304_000_000L + (long) (rnd.nextDouble() * (CLOCK - 1_262_304_000_000L));
    boolean spot = rnd.nextBoolean();
    StringBuilder sb = new StringBuilder(256);
    sb.append("{\"e\":\"aggTrade\",\"E\":").append(t + rnd.nextInt(50))
        .append(",\"s\":\"").append(sym).append("\",\"a\":").append(randomId(rnd))
        .append(",\"p\":\"").append(randomDecimal(rnd)).append("\",\"q\":\"")
        .append(randomDecimal(rnd)).append('"');
    if (!spot && rnd.nextBoolean()) {
      sb.append(",\"nq\":\"").append(randomDecimal(rnd)).append('"');
    }
    sb.append(",\"f\":").append(first).append(",\"l\":").append(last).append(",\"T\":").append(t)
        .append(",\"m\":").append(rnd.nextBoolean());
    if (spot) {
      sb.append(",\"M\":").append(rnd.nextBoolean());
    }
    sb.append('}');
    if (rnd.nextBoolean()) {
      return "{\"stream\":\"" + sym.toLowerCase() + "@aggTrade\",\"data\":" + sb + "}";
    }
    return sb.toString();
  }

  static long randomId(Random rnd) {
    switch (rnd.nextInt(4)) {
      case 0:
        return rnd.nextInt(10);
      case 1:
        return rnd.nextInt(Integer.MAX_VALUE);
      default:
        return (long) (rnd.nextDouble() * 999_999_999_999_999_999L);
    }
  }

  /** A positive decimal with up to 18 significant digits, often with trailing zeros. */
  static String randomDecimal(Random rnd) {
    while (true) {
      int intDigits = rnd.nextInt(8);
      int fracDigits = rnd.nextInt(9);
      StringBuilder sb = new StringBuilder();
      if (intDigits == 0) {
        sb.append('0');
      } else {
        sb.append(1 + rnd.nextInt(9));
        for (int i = 1; i < intDigits; i++) {
          sb.append(rnd.nextInt(10));
        }
      }
      if (fracDigits > 0) {
        sb.append('.');
        int zerosAtEnd = rnd.nextInt(fracDigits + 1);
        for (int i = 0; i < fracDigits; i++) {
          sb.append(i >= fracDigits - zerosAtEnd ? 0 : rnd.nextInt(10));
        }
      }
      String s = sb.toString();
      if (new BigDecimal(s).signum() > 0) {
        return s;
      }
    }
  }

  @Test
  void splitAtEveryByteAndEveryPrefixRejected() {
    for (byte[] f : frames) {
      Result whole = decoder.decode(f, 0, f.length, out);
      String wholeFields = fields(out);
      for (int k = 0; k <= f.length; k++) {
        decoder.feed(f, 0, k);
        decoder.feed(f, k, f.length - k);
        AggTrade o = new AggTrade();
        assertThat(decoder.decodeBuffered(o)).isEqualTo(whole);
        if (whole == Result.TRADE) {
          assertThat(fields(o)).isEqualTo(wholeFields);
        }
        if (k < f.length) {
          assertThat(decoder.decode(f, 0, k, o)).as("prefix %d of %s", k,
              new String(f, StandardCharsets.UTF_8)).isEqualTo(Result.REJECTED);
          assertThat(decoder.lastReject()).isIn(RejectReason.MALFORMED, RejectReason.MISSING_FIELD);
        }
      }
    }
  }

  @Test
  void randomCorruptionNeverThrowsAndAgreesWithGeneralPath() {
    Random rnd = new Random(20210404);
    int trades = 0;
    for (int n = 0; n < 50_000; n++) {
      byte[] f = frames.get(rnd.nextInt(frames.size()));
      byte[] m = mutate(f, rnd);
      // decode never throws and always agrees with the general path, field for field
      assertSameAsGeneral(m, 0, m.length);
      Result r = decoder.decode(m, 0, m.length, out);
      if (r == Result.REJECTED) {
        assertThat(decoder.lastReject()).isNotNull();
      } else if (r == Result.TRADE) {
        trades++;
      }
    }
    assertThat(decoder.rejectedTotal()).isEqualTo(Arrays.stream(RejectReason.values())
        .mapToLong(decoder::rejected).sum());
    assertThat(trades).as("some mutations keep a valid trade").isPositive();
  }

  static final byte[] INTERESTING = "{}[]\":,.-+0123456789eE \\tfnaNul\u00ff".getBytes(
      StandardCharsets.ISO_8859_1);

  static byte[] mutate(byte[] f, Random rnd) {
    byte[] m = f;
    int edits = 1 + rnd.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int pos = rnd.nextInt(m.length + 1);
      byte b = rnd.nextBoolean() ? INTERESTING[rnd.nextInt(INTERESTING.length)]
          : (byte) rnd.nextInt(256);
      switch (rnd.nextInt(3)) {
        case 0: // flip / replace
          if (pos < m.length) {
            m = m.clone();
            m[pos] = rnd.nextBoolean() ? b : (byte) (m[pos] ^ (1 << rnd.nextInt(8)));
          }
          break;
        case 1: { // insert
          byte[] x = new byte[m.length + 1];
          System.arraycopy(m, 0, x, 0, pos);
          x[pos] = b;
          System.arraycopy(m, pos, x, pos + 1, m.length - pos);
          m = x;
          break;
        }
        default: // delete
          if (pos < m.length) {
            byte[] x = new byte[m.length - 1];
            System.arraycopy(m, 0, x, 0, pos);
            System.arraycopy(m, pos + 1, x, pos, m.length - pos - 1);
            m = x;
          }
      }
    }
    return m;
  }

  @Test
  void fastPathAllocatesNothing() {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    AggTrade o = out;
    byte[][] fs = tradeFrames.toArray(new byte[0][]);
    long sink = 0;
    for (int w = 0; w < 200; w++) { // warm up: let the JIT compile decode
      for (byte[] f : fs) {
        decoder.decode(f, 0, f.length, o);
        sink += o.price;
      }
    }
    int passes = 50;
    long before = mx.getCurrentThreadAllocatedBytes();
    for (int pass = 0; pass < passes; pass++) {
      for (byte[] f : fs) {
        if (decoder.decode(f, 0, f.length, o) != Result.TRADE) {
          fail("not a trade");
        }
        sink += o.price;
      }
    }
    long allocated = mx.getCurrentThreadAllocatedBytes() - before;
    long decodedFrames = (long) passes * fs.length;
    assertThat(sink).isNotZero();
    assertThat((double) allocated / decodedFrames).as("bytes allocated per frame (total %d)",
        allocated).isLessThan(1.0);
    assertThat(decoder.fastPathDecoded()).isEqualTo(decoder.decoded());
  }
}
