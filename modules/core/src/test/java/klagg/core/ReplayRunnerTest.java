package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential tests: the parallel, block-based replay gives byte-identical output to the
 * straightforward path (one trade at a time through the careful parser, each symbol's files
 * concatenated in time order), on generated data with duplicates, reordered and late trades, gaps,
 * bad rows, µs times, headers and CRLF.
 */
class ReplayRunnerTest {
  @TempDir
  Path tmp;

  static final long DAY0 = 1_720_742_400_000L; // 2024-07-12T00:00:00Z
  static final long GRACE = 30_000;
  static final List<Interval> IVS = List.of(Interval.M1, Interval.M5, Interval.H1, Interval.D1);

  /** Data rows of one symbol and day, with the awkward cases mixed in. */
  static List<String> day(Random r, long day, long[] ids, boolean micros) {
    List<String> rows = new ArrayList<>();
    long px = 20_000 + r.nextInt(5000);
    int n = 400 + r.nextInt(400);
    for (int i = 0; i < n; i++) {
      long t = day + (long) i * 7_200_000L / n + r.nextInt(1000); // two busy hours
      px = Math.max(1, px + r.nextInt(11) - 5);
      String price = (px / 100) + "." + String.format("%02d", px % 100) + (r.nextInt(3) == 0 ? "000000" : "");
      String qty = (r.nextInt(3)) + "." + String.format("%03d", r.nextInt(1000) + 1);
      int fills = 1 + r.nextInt(3);
      if (r.nextInt(50) == 0) {
        ids[0] += 1 + r.nextInt(3); // a gap
      }
      String row = ids[0]++ + "," + price + "," + qty + "," + ids[1] + "," + (ids[1] + fills - 1) + ","
          + (micros ? t * 1000 + r.nextInt(1000) : t) + "," + (r.nextBoolean() ? "true" : "false");
      ids[1] += fills;
      rows.add(row);
      if (r.nextInt(40) == 0) {
        rows.add(row); // a duplicate
      }
      if (r.nextInt(60) == 0) {
        rows.add("x" + row); // a bad row
      }
    }
    rows.add(rows.size() / 2, "x".repeat(300) + rows.get(0)); // a bad row longer than a 100-byte read
    // reorder: neighbours swapped (some across a minute boundary: late within grace), and a few
    // trades moved far back (late beyond grace: dropped)
    for (int k = 0; k < n / 20; k++) {
      int i = 1 + r.nextInt(rows.size() - 2);
      Collections.swap(rows, i, i + 1);
    }
    for (int k = 0; k < 3; k++) {
      int from = r.nextInt(rows.size() / 2);
      rows.add(Math.min(rows.size(), from + 50 + r.nextInt(100)), rows.remove(from));
    }
    return rows;
  }

  /** The reference: each symbol's rows in day order through the careful parser, one trade at a time. */
  static String reference(List<String> symbols, List<List<List<String>>> days) throws IOException {
    List<Replay> replays = new ArrayList<>();
    for (int s = 0; s < symbols.size(); s++) {
      Replay r = new Replay(IVS, GRACE, Long.MAX_VALUE);
      StringBuilder all = new StringBuilder();
      for (List<String> d : days.get(s)) {
        for (String row : d) {
          all.append(row).append('\n');
        }
      }
      r.addCsv(new ByteArrayInputStream(all.toString().getBytes(StandardCharsets.US_ASCII)), symbols.get(s), true);
      replays.add(r);
    }
    StringWriter w = new StringWriter();
    Replay.writeCsv(w, replays);
    return w.toString() + Replay.summary(replays);
  }

  static String run(ReplayRunner runner, List<Path> files) throws IOException {
    StringWriter w = new StringWriter();
    runner.run(files, w);
    return w.toString() + Replay.summary(runner.replays());
  }

  static void write(Path p, String text) throws IOException {
    Files.write(p, text.getBytes(StandardCharsets.US_ASCII));
  }

  static void zip(Path p, String entry, String text) throws IOException {
    try (OutputStream o = Files.newOutputStream(p); ZipOutputStream z = new ZipOutputStream(o)) {
      z.putNextEntry(new ZipEntry(entry));
      z.write(text.getBytes(StandardCharsets.US_ASCII));
      z.closeEntry();
    }
  }

  @Test
  void parallelReplayOfManyFilesEqualsStraightforwardReplayOfConcatenation() throws IOException {
    Random r = new Random(7);
    List<String> symbols = List.of("BTCUSDT", "ETHUSDT", "DOGEUSDT");
    List<List<List<String>>> days = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    for (int s = 0; s < symbols.size(); s++) {
      long[] ids = {1_000_000L * (s + 1), 5_000_000L * (s + 1)};
      List<List<String>> list = new ArrayList<>();
      for (int d = 0; d < 5; d++) {
        boolean micros = d >= 3; // spot files switched to µs
        List<String> rows = day(r, DAY0 + d * 86_400_000L, ids, micros);
        list.add(rows);
        String name = symbols.get(s) + "-aggTrades-2024-07-" + (12 + d);
        String header = d % 2 == 0 ? "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n" : "";
        String eol = d == 1 ? "\r\n" : "\n";
        String body = header + String.join(eol, rows) + (d == 2 ? "" : eol);
        Path p;
        if ((s + d) % 3 == 0) {
          p = tmp.resolve(name + ".zip");
          zip(p, name + ".csv", body);
        } else {
          p = tmp.resolve(name + ".csv");
          write(p, body);
        }
        files.add(p);
      }
      days.add(list);
    }
    List<String> sorted = new ArrayList<>(symbols);
    Collections.sort(sorted);
    List<List<List<String>>> sortedDays = new ArrayList<>();
    for (String s : sorted) {
      sortedDays.add(days.get(symbols.indexOf(s)));
    }
    String expected = reference(sorted, sortedDays);
    assertThat(expected).contains("duplicates", "late applied", "gaps").doesNotContain("late dropped 0", "duplicates 0,",
        "late applied 0,", "gaps 0 ", "rejected 0,");

    Collections.shuffle(files, new Random(3));
    long max = System.currentTimeMillis() + 86_400_000L;
    for (int threads : new int[] {1, 2, 3}) {
      for (int chunk : new int[] {1024, 1500, 8 << 20}) {
        ReplayRunner runner = new ReplayRunner(IVS, GRACE, max).threads(threads).chunkBytes(chunk).blockRows(37);
        assertThat(run(runner, files)).as("threads %d chunk %d", threads, chunk).isEqualTo(expected);
        runner.pieceBytes(100); // lines across reads, and lines longer than the buffer
        assertThat(run(runner, files)).as("threads %d chunk %d, 100-byte reads", threads, chunk).isEqualTo(expected);
      }
    }
    // the default settings too
    assertThat(run(new ReplayRunner(IVS, GRACE, max), files)).isEqualTo(expected);
  }

  @Test
  void filesWithoutDatesAreOrderedByTheirFirstTrade() throws IOException {
    Random r = new Random(11);
    long[] ids = {1, 1};
    List<List<String>> list = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    for (int d = 0; d < 4; d++) {
      List<String> rows = day(r, DAY0 + d * 86_400_000L, ids, false);
      list.add(rows);
      Path p = tmp.resolve("part-" + (char) ('z' - d) + ".csv"); // names sort against time
      write(p, String.join("\n", rows) + "\n");
      files.add(p);
    }
    String expected = reference(List.of("XUSDT"), List.of(list));
    ReplayRunner runner = new ReplayRunner(IVS, GRACE, Long.MAX_VALUE).symbol("xusdt").threads(2).chunkBytes(2048);
    // in name order, as `klagg replay <dir>` lists them: the runner orders them by time
    assertThat(run(runner, files.stream().sorted().collect(java.util.stream.Collectors.toList()))).isEqualTo(expected);
  }

  @Test
  void datesComeFromDataBinanceVisionFileNames() {
    assertThat(ReplayInputs.dateFrom("BTCUSDT-aggTrades-2024-07-18.zip")).isEqualTo(1_721_260_800_000L);
    assertThat(ReplayInputs.dateFrom("BTCUSDT-aggTrades-2024-07.zip")).isEqualTo(1_719_792_000_000L);
    assertThat(ReplayInputs.dateFrom("trades.csv")).isEqualTo(-1);
  }
}
