package klagg.service.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import klagg.service.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayCommandTest {
  @TempDir
  Path tmp;

  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  /**
   * A file of real exchange data: the repository's {@code testdata/binance/} (provenance in its README.md),
   * on the test classpath as {@code binance/<file>} (a test resource of this module's pom).
   */
  static Path binance(String file) {
    java.net.URL url = ReplayCommandTest.class.getClassLoader().getResource("binance/" + file);
    if (url == null) {
      throw new IllegalStateException("test data binance/" + file + " is not on the test classpath"
          + " (testdata/binance/ at the repository root, a test resource of the module's pom)");
    }
    try {
      return Paths.get(url.toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  int run(String... args) {
    return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** Binance's official rows, without the trailing "ignore" column, as "open_time,...". */
  static List<String> binanceRows() throws IOException {
    return Files.readAllLines(binance("usdm-BTCUSDT-2023-04-04T2359.klines-1m.csv")).stream().skip(1)
        .map(l -> l.substring(0, l.lastIndexOf(',')))
        .collect(Collectors.toList());
  }

  /** Our CSV rows reordered into Binance's column order. */
  static List<String> asBinance(String csv) {
    return csv.lines().skip(1).map(l -> {
      String[] f = l.split(",");
      // symbol,interval,open_time,open,high,low,close,volume,close_time,quote,count,tbv,tbq
      return String.join(",", f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12]);
    }).collect(Collectors.toList());
  }

  @Test
  void usdmCsvReplayEqualsBinanceKlinesExactly() throws IOException {
    int code = run("replay", "--symbol", "BTCUSDT", "--intervals", "1m",
        binance("usdm-BTCUSDT-2023-04-04T2359.aggTrades.csv").toString());
    assertThat(code).as(stderr()).isZero();
    assertThat(stdout()).startsWith("symbol,interval,open_time,open,high,low,close,volume,close_time,"
        + "quote_volume,count,taker_buy_volume,taker_buy_quote_volume\n");
    List<String> ours = asBinance(stdout());
    assertThat(ours).hasSize(7);
    assertThat(binanceRows()).containsAll(ours);
    assertThat(stderr()).contains("trades read 10729", "accepted 10729", "rejected 0", "duplicates 0", "gaps 0");
  }

  @Test
  void zippedVisionFileNamesTheSymbolAndFilesMayRepeatAsDuplicates() throws IOException {
    Path zip = tmp.resolve("BTCUSDT-aggTrades-2023-04-04.zip");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
      z.putNextEntry(new ZipEntry("BTCUSDT-aggTrades-2023-04-04.csv"));
      // without the header line, as data.binance.vision files before 2025
      List<String> lines = Files.readAllLines(binance("usdm-BTCUSDT-2023-04-04T2359.aggTrades.csv"));
      z.write(String.join("\n", lines.subList(1, lines.size())).getBytes(StandardCharsets.US_ASCII));
      z.closeEntry();
    }
    Path outFile = tmp.resolve("k.csv");
    int code = run("replay", "--intervals", "1m", "--out", outFile.toString(), zip.toString(), zip.toString());
    assertThat(code).as(stderr()).isZero();
    assertThat(binanceRows()).containsAll(asBinance(Files.readString(outFile)));
    assertThat(stderr()).contains("duplicates 10729");
  }

  @Test
  void microsecondSpotFilesAndFlatKlinesBetweenTrades() throws IOException {
    Path csv = tmp.resolve("in.csv");
    Files.writeString(csv, String.join("\n",
        "1,100.00000000,1.00000000,1,1,1767225600039409,True,True",
        "2,101.00000000,2.00000000,2,3,1767225780000000,False,True") + "\n");
    int code = run("replay", "--symbol", "btcusdt", "--intervals", "1m", csv.toString());
    assertThat(code).as(stderr()).isZero();
    assertThat(stdout().lines().skip(1)).containsExactly(
        "BTCUSDT,1m,1767225600000,100.00000000,100.00000000,100.00000000,100.00000000,1.00000000,1767225659999,100.00000000,1,0.00000000,0.00000000",
        "BTCUSDT,1m,1767225660000,100.00000000,100.00000000,100.00000000,100.00000000,0.00000000,1767225719999,0.00000000,0,0.00000000,0.00000000",
        "BTCUSDT,1m,1767225720000,100.00000000,100.00000000,100.00000000,100.00000000,0.00000000,1767225779999,0.00000000,0,0.00000000,0.00000000",
        "BTCUSDT,1m,1767225780000,101.00000000,101.00000000,101.00000000,101.00000000,2.00000000,1767225839999,202.00000000,2,2.00000000,202.00000000");
  }

  @Test
  void badRowsAreCountedByReasonNotFatal() throws IOException {
    Path csv = tmp.resolve("in.csv");
    Files.writeString(csv, String.join("\n",
        "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker",
        "1,100.0,1,1,1,1680652740070,true",
        "2,0,1,2,2,1680652740071,true",
        "3,100.0,-1,3,3,1680652740072,true",
        "4,100.0,1,4,4,1680652740073,maybe",
        "5,100.0,1,5,5,12,true",
        "garbage",
        "6,100.0,1,6,6,1680652740074,false") + "\n");
    int code = run("replay", "--symbol", "BTCUSDT", "--intervals", "1m", csv.toString());
    assertThat(code).isZero();
    assertThat(stderr()).contains("trades read 7", "accepted 2", "rejected 5", "bad_price 1",
        "bad_quantity 1", "bad_field 1", "bad_time 1", "malformed 1");
    assertThat(stdout().lines().skip(1)).singleElement().asString().contains(",2,");
  }

  @Test
  void websocketCaptureReplaysEverySymbol() {
    int code = run("replay", "--intervals", "1m", binance("spot-BTC-ETH-DOT-2021-04-04T2003.ws.jsonl").toString());
    assertThat(code).as(stderr()).isZero();
    assertThat(stdout().lines().skip(1).map(l -> l.split(",")[0]).distinct())
        .containsExactlyInAnyOrder("BTCUSDT", "ETHUSDT", "DOTUSDT");
    assertThat(stderr()).contains("trades read 1910", "accepted 1910");
  }

  @Test
  void errorsAreOneLineWithNonZeroExit() throws IOException {
    assertThat(run("replay", "--bogus")).isEqualTo(2);
    assertThat(stderr().trim()).isEqualTo("klagg replay: unknown option --bogus");
    err.reset();
    assertThat(run("replay", "--intervals", "7m", "x.csv")).isEqualTo(2);
    assertThat(stderr()).contains("7m").doesNotContain("Exception");
    err.reset();
    assertThat(run("replay", tmp.resolve("missing.csv").toString())).isEqualTo(1);
    assertThat(stderr().trim()).isEqualTo("klagg replay: no such file: " + tmp.resolve("missing.csv"));
    err.reset();
    Path bin = tmp.resolve("x.bin");
    Files.write(bin, new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    assertThat(run("replay", "--symbol", "X", bin.toString())).isEqualTo(1);
    assertThat(stderr()).contains("unknown format").hasLineCount(1);
    err.reset();
    Path noSym = tmp.resolve("trades.csv");
    Files.writeString(noSym, "1,1.0,1,1,1,1680652740070,true\n");
    assertThat(run("replay", noSym.toString())).isEqualTo(1);
    assertThat(stderr()).contains("--symbol").hasLineCount(1);
    err.reset();
    Path broken = tmp.resolve("BTCUSDT-aggTrades-2024-01-01.zip");
    zip(broken, "BTCUSDT-aggTrades-2024-01-01.csv", List.of("1,1.0,1,1,1,1680652740070,true"));
    byte[] z = Files.readAllBytes(broken);
    z[30 + "BTCUSDT-aggTrades-2024-01-01.csv".length()] |= 0x06; // a deflate block of the reserved type
    Files.write(broken, z);
    for (String threads : new String[] {"1", "2"}) {
      err.reset();
      assertThat(run("replay", "--threads", threads, broken.toString())).isEqualTo(1);
      assertThat(stderr()).startsWith("klagg replay: " + broken).hasLineCount(1);
    }
    err.reset();
    assertThat(run("replay")).isEqualTo(2);
    assertThat(run("nonsense")).isEqualTo(2);
  }

  @Test
  void replayStoresKlinesStraightIntoTheDatabase() throws Exception {
    try (klagg.service.persist.TestDb db = klagg.service.persist.TestDb.create()) {
      int code = run("replay", "--symbol", "BTCUSDT", "--intervals", "1m,5m", "--db", db.url(),
          binance("usdm-BTCUSDT-2023-04-04T2359.aggTrades.csv").toString());
      assertThat(code).as(stderr()).isZero();
      assertThat(stderr()).contains("klines stored");
      assertThat(stdout()).isEmpty();
      // the stored 1m klines are Binance's
      List<String> stored = new java.util.ArrayList<>();
      db.pool().query("SELECT open_time, open, high, low, close, volume, close_time, quote_volume, trades,"
          + " taker_buy_volume, taker_buy_quote_volume FROM klines WHERE interval = '1m' ORDER BY open_time").execute()
          .await().forEach(r -> stored.add(String.join(",", r.getLong(0).toString(), r.getBigDecimal(1).toPlainString(),
              r.getBigDecimal(2).toPlainString(), r.getBigDecimal(3).toPlainString(), r.getBigDecimal(4).toPlainString(),
              r.getBigDecimal(5).toPlainString(), r.getLong(6).toString(), r.getBigDecimal(7).toPlainString(),
              r.getLong(8).toString(), r.getBigDecimal(9).toPlainString(), r.getBigDecimal(10).toPlainString())));
      assertThat(stored).hasSize(7);
      List<String> binance = binanceRows();
      for (String row : stored) {
        String[] ours = row.split(",");
        assertThat(binance).anySatisfy(b -> {
          String[] theirs = b.split(",");
          for (int i = 0; i < ours.length; i++) {
            assertThat(new java.math.BigDecimal(ours[i])).isEqualByComparingTo(theirs[i]);
          }
        });
      }
      // a second run (re-seeding the same history) only updates
      err.reset();
      assertThat(run("replay", "--symbol", "BTCUSDT", "--intervals", "1m,5m", "--db", db.url(),
          binance("usdm-BTCUSDT-2023-04-04T2359.aggTrades.csv").toString())).isZero();
      long n = db.pool().query("SELECT count(*) FROM klines").execute().await().iterator().next().getLong(0);
      assertThat(n).as("7 one-minute and 3 five-minute klines, stored once").isEqualTo(7 + 3);
    }
  }

  @Test
  void helpPrintsUsage() {
    assertThat(run("replay", "--help")).isZero();
    assertThat(stdout()).contains("Usage: klagg replay", "--symbol", "--intervals", "--grace-ms", "--out",
        "--threads", "--quiet");
    out.reset();
    assertThat(run("--help")).isZero();
    assertThat(stdout()).contains("run", "replay", "sim");
  }

  static void zip(Path zip, String entry, List<String> lines) throws IOException {
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
      z.putNextEntry(new ZipEntry(entry));
      z.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.US_ASCII));
      z.closeEntry();
    }
  }

  String replayToString(String... args) {
    out.reset();
    err.reset();
    int code = run(args);
    assertThat(code).as(stderr()).isZero();
    return stdout();
  }

  @Test
  void globsDirectoriesAndZipsOfSeveralSymbolsInAnyOrderEqualEachSymbolsConcatenatedFile() throws IOException {
    List<String> btc = Files.readAllLines(binance("usdm-BTCUSDT-2023-04-04T2359.aggTrades.csv"));
    String header = btc.get(0);
    btc = btc.subList(1, btc.size());
    List<String> eth = Files.readAllLines(binance("spot-BTCUSDT-aggTrades-2026-01-01-first5000.csv"));
    Path whole = Files.createDirectories(tmp.resolve("whole"));
    Files.write(whole.resolve("btc.csv"), btc);
    Files.write(whole.resolve("eth.csv"), eth);
    String expected = replayToString("replay", "--intervals", "1m,5m", "--symbol", "BTCUSDT", whole.resolve("btc.csv").toString())
        + replayToString("replay", "--intervals", "1m,5m", "--symbol", "ETHUSDT", whole.resolve("eth.csv").toString())
            .lines().skip(1).map(l -> l + "\n").collect(Collectors.joining());

    // BTCUSDT in three days (a header on the first), ETHUSDT in two zipped days; days named so that
    // the command line order is wrong
    Path dir = Files.createDirectories(tmp.resolve("data/btc"));
    int third = btc.size() / 3;
    List<String> d1 = new java.util.ArrayList<>(List.of(header));
    d1.addAll(btc.subList(0, third));
    Files.write(dir.resolve("BTCUSDT-aggTrades-2023-04-03.csv"), d1);
    Files.write(tmp.resolve("data/BTCUSDT-aggTrades-2023-04-04.csv"), btc.subList(third, 2 * third));
    zip(dir.resolve("BTCUSDT-aggTrades-2023-04-05.zip"), "BTCUSDT-aggTrades-2023-04-05.csv", btc.subList(2 * third, btc.size()));
    Path zips = Files.createDirectories(tmp.resolve("zips"));
    zip(zips.resolve("ETHUSDT-aggTrades-2026-01-02.zip"), "ETHUSDT-aggTrades-2026-01-02.csv", eth.subList(2500, eth.size()));
    zip(zips.resolve("ETHUSDT-aggTrades-2026-01-01.zip"), "ETHUSDT-aggTrades-2026-01-01.csv", eth.subList(0, 2500));

    String got = replayToString("replay", "--intervals", "5m,1m", zips + "/*.zip",
        tmp.resolve("data/BTCUSDT-aggTrades-2023-04-04.csv").toString(), dir.toString());
    assertThat(got).isEqualTo(expected);
    assertThat(stderr()).contains("trades read 15729", "duplicates 0", "gaps 0");
    // one thread, tiny chunks: the same
    String got1 = replayToString("replay", "--intervals", "1m,5m", "--threads", "1", dir.toString(), zips.toString(),
        tmp.resolve("data/BTCUSDT-aggTrades-2023-04-04.csv").toString());
    assertThat(got1).isEqualTo(expected);
    String got3 = replayToString("replay", "--intervals", "1m,5m", "--threads", "3", "--chunk-bytes", "4096",
        tmp.resolve("data").toString(), zips.toString());
    assertThat(got3).isEqualTo(expected);
  }

  @Test
  void progressLineIsUpdatedInPlaceUnlessQuiet() throws IOException {
    Path csv = binance("usdm-BTCUSDT-2023-04-04T2359.aggTrades.csv");
    assertThat(run("replay", "--symbol", "BTCUSDT", "--intervals", "1m", "--progress-after-ms", "0", "--out",
        tmp.resolve("a.csv").toString(), csv.toString(), csv.toString())).isZero();
    assertThat(stderr()).startsWith("\rklagg replay: ").contains("/2 files", "trades/s", "ETA")
        .contains("2/2 files, 21,458 trades").contains("\nklagg replay: trades read 21458");
    err.reset();
    assertThat(run("replay", "--symbol", "BTCUSDT", "--intervals", "1m", "--progress-after-ms", "0", "--quiet",
        "--out", tmp.resolve("b.csv").toString(), csv.toString())).isZero();
    assertThat(stderr()).doesNotContain("\r", "ETA").startsWith("klagg replay: trades read 10729").hasLineCount(1);
    err.reset();
    // the default threshold (2 s) is not reached by a small file
    assertThat(run("replay", "--symbol", "BTCUSDT", "--intervals", "1m", "--out", tmp.resolve("c.csv").toString(),
        csv.toString())).isZero();
    assertThat(stderr()).doesNotContain("\r").hasLineCount(1);
  }

  static OutputStream nul() {
    return OutputStream.nullOutputStream();
  }
}
