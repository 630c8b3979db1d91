package klagg.service.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;
import klagg.core.Interval;
import klagg.core.Replay;
import klagg.core.ReplayRunner;

/** {@code klagg replay}: exact klines from recorded trades (aggTrades CSV, zipped CSV, WebSocket JSONL). */
public final class ReplayCommand {
  static final String USAGE = String.join("\n",
      "usage: java -jar klagg.jar replay [options] FILE|DIR|GLOB...",
      "",
      "Builds exact klines from recorded Binance trades, through the same aggregation core the",
      "service runs, and writes them as CSV.",
      "",
      "FILE is a data.binance.vision aggTrades CSV (with or without header, 7 or 8 columns, time in",
      "ms or µs), the same zipped (.zip as downloaded, read without unpacking), or a WebSocket capture",
      "(.jsonl: one raw or combined aggTrade frame per line). A directory stands for its *.csv and",
      "*.zip files (recursively); a quoted glob ('data/*.zip', 'data/**/*.csv') is expanded here.",
      "Files of several symbols may be given at once: each symbol gets its own book, and its files are",
      "replayed in time order (by the date in a BTCUSDT-aggTrades-2024-07-18.zip name, else by their",
      "first trade), whatever their order on the command line. JSONL files are replayed as given.",
      "",
      "options:",
      "  --symbol SYM        symbol of CSV input (default: from a data.binance.vision file name,",
      "                      e.g. BTCUSDT-aggTrades-2024-07-18.zip)",
      "  --intervals LIST    comma-separated intervals (default 1m,5m,15m,30m,1h,4h,1d,1w)",
      "  --grace-ms N        late trades amend the just-closed kline for N ms (default 2000)",
      "  --out FILE          write the CSV to FILE (default: standard output)",
      "  --db URL            instead of CSV, upsert the klines into klagg's PostgreSQL table",
      "                      (postgresql://user:pass@host:port/db; the schema is migrated first),",
      "                      e.g. to seed a fresh install from downloaded history",
      "  --db-schema NAME    schema of klagg's tables with --db (default public)",
      "  --threads N         parser threads (default: the number of cores; 1 = one thread does all)",
      "  --quiet             no progress line (shown on stderr for runs longer than 2 s)",
      "  --help              this text",
      "",
      "output columns: " + Replay.HEADER,
      "A summary (trades read, accepted, rejected by reason, duplicates, gaps) goes to stderr.");

  private final PrintStream out;
  private final PrintStream err;

  public ReplayCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Runs the command; returns the exit code. */
  public int run(String[] argv) {
    Args args = Args.parse(argv,
        Set.of("--symbol", "--intervals", "--grace-ms", "--out", "--threads", "--progress-after-ms", "--chunk-bytes",
            "--db", "--db-schema"),
        Set.of("--help", "-h", "--quiet"));
    if (args.has("--help") || args.has("-h")) {
      out.println(USAGE);
      return 0;
    }
    List<Interval> intervals;
    try {
      intervals = Interval.parseList(args.get("--intervals", "1m,5m,15m,30m,1h,4h,1d,1w"));
    } catch (IllegalArgumentException e) {
      throw new Args.UsageException("--intervals: " + e.getMessage());
    }
    long grace = args.getLong("--grace-ms", 2000);
    if (grace < 0) {
      throw new Args.UsageException("--grace-ms must not be negative");
    }
    long threads = args.getLong("--threads", Runtime.getRuntime().availableProcessors());
    if (threads < 1 || threads > 256) {
      throw new Args.UsageException("--threads must be between 1 and 256");
    }
    long chunk = args.getLong("--chunk-bytes", 4 << 20);
    if (chunk < 1024 || chunk > (1 << 30)) {
      throw new Args.UsageException("--chunk-bytes must be between 1024 and 1073741824");
    }
    if (args.positional().isEmpty()) {
      throw new Args.UsageException("no input files (see --help)");
    }
    ReplayRunner runner = new ReplayRunner(intervals, grace, System.currentTimeMillis() + 86_400_000L)
        .symbol(args.get("--symbol", null))
        .threads((int) threads)
        .chunkBytes((int) chunk);
    if (!args.has("--quiet")) {
      runner.progress(err, args.getLong("--progress-after-ms", 2000));
    }
    List<Path> files;
    try {
      files = ReplayRunner.expand(args.positional());
      runner.replay(files);
    } catch (NoSuchFileException e) {
      err.println("klagg replay: no such file: " + e.getFile());
      return 1;
    } catch (ReplayRunner.InputException e) {
      err.println("klagg replay: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("klagg replay: cannot read input: " + e);
      return 1;
    }
    String db = args.get("--db", null);
    if (db != null) {
      try {
        long stored = DbOutput.store(db, args.get("--db-schema", "public"), runner.replays(), err);
        err.println("klagg replay: " + Replay.summary(runner.replays()) + "; klines stored " + stored);
        return 0;
      } catch (RuntimeException e) {
        err.println("klagg replay: cannot store into " + db + ": " + e.getMessage());
        return 1;
      }
    }
    String outFile = args.get("--out", null);
    long rows;
    try (Writer w = outFile == null
        ? new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.US_ASCII), 1 << 16)
        : Files.newBufferedWriter(Paths.get(outFile), StandardCharsets.US_ASCII)) {
      rows = Replay.writeCsv(w, runner.replays());
    } catch (IOException e) {
      err.println("klagg replay: cannot write " + outFile + ": " + e.getMessage());
      return 1;
    }
    err.println("klagg replay: " + Replay.summary(runner.replays()) + "; klines written " + rows);
    return 0;
  }
}
