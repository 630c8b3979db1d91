package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The SWAR fast path and the careful per-byte path of {@link AggTradeCsv} agree on every line. */
class AggTradeCsvTest {
  /** Every row as text ("a p/ps q/qs f l t m" or "reject REASON"), plus the digits seen. */
  static List<String> parse(byte[] data, boolean careful, int bufferSize) throws IOException {
    return parse(new AggTradeCsv(bufferSize).maxTimeMs(4_102_444_800_000L), data, careful);
  }

  static List<String> parse(AggTradeCsv csv, byte[] data, boolean careful) throws IOException {
    csv.forceSlow = careful;
    List<String> rows = new ArrayList<>();
    csv.read(new ByteArrayInputStream(data), 7, new AggTradeCsv.Sink() {
      @Override
      public void trade(AggTrade t) {
        rows.add(t.symbol + " " + t.aggId + " " + t.price + "/" + t.priceScale + " " + t.qty + "/" + t.qtyScale + " "
            + t.firstId + " " + t.lastId + " " + t.time + " " + t.buyerMaker);
      }

      @Override
      public void reject(RejectReason reason, long line) {
        rows.add("reject " + reason);
      }
    });
    // rejects are reported per block, not in line order: sort those, keep the trades' order
    List<String> rejects = new ArrayList<>(rows.stream().filter(x -> x.startsWith("reject ")).toList());
    rows.removeIf(x -> x.startsWith("reject "));
    rejects.sort(null);
    rows.addAll(rejects);
    rows.add("digits " + csv.priceDigits() + " " + csv.qtyDigits() + " rows " + csv.rows());
    return rows;
  }

  static void assertSame(String text) throws IOException {
    byte[] data = text.getBytes(StandardCharsets.ISO_8859_1);
    List<String> careful = parse(data, true, 1 << 16);
    assertThat(parse(data, false, 1 << 16)).as(text).isEqualTo(careful);
    assertThat(parse(data, false, 64)).as(text).isEqualTo(careful); // lines across buffer refills
  }

  @Test
  void realFilesParseTheSameBothWays() throws IOException {
    for (String f : List.of("usdm-BTCUSDT-2023-04-04T2359.aggTrades.csv", "spot-BTCUSDT-aggTrades-2026-01-01-first5000.csv")) {
      byte[] data = Files.readAllBytes(TestData.binance(f));
      List<String> careful = parse(data, true, 1 << 16);
      assertThat(careful).hasSizeGreaterThan(5000);
      AggTradeCsv fast = new AggTradeCsv(1 << 16).maxTimeMs(4_102_444_800_000L);
      assertThat(parse(fast, data, false)).isEqualTo(careful);
      assertThat(fast.carefulLines).as("lines of real data the fast path gave up on").isZero();
    }
  }

  @Test
  void oddLinesParseTheSameBothWays() throws IOException {
    String[] lines = {
        "1,100.0,1,1,1,1680652740070,true",
        "2,100.00000000,0.00100000,2,4,1680652740071,True,True",
        "3,0100.50,00.5,5,5,1680652740072,FALSE,False",
        "4,123456789.123,1.00000001,6,6,1767225600039409,false",
        "5,1.123456789,1,7,7,1680652740073,true",
        "6,99999999999999999.9,1,8,8,1680652740073,true",
        "7,9999999999.99999999,1,8,8,1680652740073,true",
        "8,.5,1,9,9,1680652740074,true",
        "9,5.,1,10,10,1680652740074,true",
        "10,5,1,11,11,1680652740074,true",
        "11,0,1,12,12,1680652740074,true",
        "12,1.0,0.000,13,13,1680652740074,true",
        "13,1.0,1,15,14,1680652740074,true",
        "14,1.0,1,15,15,12,true",
        "15,1.0,1,16,16,99999999999999999,true",
        "16,1.0,1,17,17,1680652740074,maybe",
        "17,1.0,1,18,18,1680652740074,true ",
        "18,1.0,1,19,19,1680652740074",
        "19,1.0,1,19,19",
        "garbage",
        "",
        "20,1.0,1,20,20,1680652740075,true\r",
        "21,1.0,1,21,21,1680652740075,true\rx",
        "12345678901234567890,1.0,1,22,22,1680652740075,true",
        "1234567890123456,1.0,1,23,23,1680652740075,true",
        "12345678901234567,1.0,1,24,24,1680652740075,true",
        "25,1.0,1,25,25,1680652740075,tru",
        "26,1.0,1,26,26,1680652740075,falsey",
        "27,1e3,1,27,27,1680652740075,true",
        "28,-1.0,1,28,28,1680652740075,true",
        "29,1.0,1,29,29,1680652740075,true,",
        "30,7.70000000,12345678.00000000,30,31,1680652740076,False,True",
    };
    StringBuilder all = new StringBuilder("agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n");
    for (String l : lines) {
      assertSame(l + "\n");
      assertSame(l); // no final newline
      all.append(l).append('\n');
    }
    assertSame(all.toString());
  }

  @Test
  void randomLinesParseTheSameBothWays() throws IOException {
    Random r = new Random(42);
    String alphabet = "0123456789.,\r-eTtrufalsE ";
    for (int round = 0; round < 300; round++) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 50; i++) {
        long a = r.nextInt(1_000_000);
        String price = r.nextInt(100_000) + (r.nextBoolean() ? "." + pad(r.nextInt(100_000_000), 1 + r.nextInt(9)) : "");
        String qty = r.nextInt(1000) + (r.nextBoolean() ? "." + pad(r.nextInt(100_000_000), 1 + r.nextInt(9)) : "");
        long t = 1_680_652_740_000L + r.nextInt(1_000_000);
        String line = a + "," + price + "," + qty + "," + (a * 2) + "," + (a * 2 + r.nextInt(3)) + ","
            + (r.nextInt(4) == 0 ? t * 1000 + r.nextInt(1000) : t) + "," + (r.nextBoolean() ? "true" : "False")
            + (r.nextBoolean() ? ",True" : "");
        if (r.nextInt(5) == 0) { // damage one character
          char[] c = line.toCharArray();
          c[r.nextInt(c.length)] = alphabet.charAt(r.nextInt(alphabet.length()));
          line = new String(c);
        }
        sb.append(line).append(r.nextInt(10) == 0 ? "\r\n" : "\n");
      }
      assertSame(sb.toString());
    }
  }

  private static String pad(long v, int digits) {
    String s = Long.toString(v);
    while (s.length() < digits) {
      s = "0" + s;
    }
    return s.substring(0, digits);
  }

  @Test
  void swarHelpers() {
    byte[] b = "12345678,9".getBytes(StandardCharsets.US_ASCII);
    long w = java.nio.ByteBuffer.wrap(java.util.Arrays.copyOf(b, 8)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(AggTradeCsv.digits(w)).isEqualTo(8);
    assertThat(AggTradeCsv.eight(w, 8)).isEqualTo(12345678L);
    assertThat(AggTradeCsv.eight(w, 3)).isEqualTo(123L);
    assertThat(AggTradeCsv.eight(w, 1)).isEqualTo(1L);
    byte[] c = "907/:a\u00ff0".getBytes(StandardCharsets.ISO_8859_1);
    long w2 = java.nio.ByteBuffer.wrap(c).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(AggTradeCsv.digits(w2)).isEqualTo(3);
  }

  /**
   * Found by {@link AggTradeCsvFuzzTest}: the careful path let zeros inside a long fraction grow the
   * mantissa past 18 digits (overflowing it) and kept scales above {@link Decimals#MAX_SCALE}.
   */
  @Test
  void moreThan18DecimalsOrDigitsAreABadPriceOrQuantity() throws IOException {
    for (String line : List.of("1,0.0000000000000000001,1,1,1,1700000000000,true",
        "1,1.0000000000000000000001,1,1,1,1700000000000,true",
        "1,1,12.00000000000000000000000000005,1,1,1700000000000,true",
        "1,1,1000000000.0000000001,1,1,1700000000000,true")) {
      byte[] data = (line + "\n").getBytes(StandardCharsets.ISO_8859_1);
      String reason = line.split(",")[1].length() > 1 ? "reject BAD_PRICE" : "reject BAD_QUANTITY";
      assertThat(parse(data, true, 1 << 16)).as(line).startsWith(reason);
      assertThat(parse(data, false, 1 << 16)).as(line).startsWith(reason);
    }
    // 18 decimals, and zeros to strip past them, are still exact
    byte[] ok = "1,0.000000000000000001000,1.5,1,1,1700000000000,true\n".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(parse(ok, true, 1 << 16).get(0)).isEqualTo("7 1 1/18 15/1 1 1 1700000000000 true");
  }
}
