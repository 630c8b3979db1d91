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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import klagg.core.Interval;
import klagg.core.Replay;
import klagg.core.ReplayRunner;
import klagg.sim.Cli;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code klagg replay}: exact klines from recorded trades (aggTrades CSV, zipped CSV, WebSocket JSONL). */
@Command(name = "replay", sortOptions = false,
    description = {
        "Builds exact klines from recorded Binance trades, through the same aggregation core the service runs, "
            + "and writes them as CSV.",
        "",
        "FILE is a data.binance.vision aggTrades CSV (with or without header, 7 or 8 columns, time in ms or µs), "
            + "the same zipped (.zip as downloaded, read without unpacking), or a WebSocket capture (.jsonl: one raw "
            + "or combined aggTrade frame per line). A directory stands for its *.csv and *.zip files (recursively); "
            + "a quoted glob ('data/*.zip', 'data/**/*.csv') is expanded here.",
        "Files of several symbols may be given at once: each symbol gets its own book, and its files are replayed "
            + "in time order (by the date in a BTCUSDT-aggTrades-2024-07-18.zip name, else by their first trade), "
            + "whatever their order on the command line. JSONL files are replayed as given.",
        ""},
    footer = {"", "output columns: " + Replay.HEADER,
        "A summary (trades read, accepted, rejected by reason, duplicates, gaps) goes to stderr."})
public final class ReplayCommand implements Callable<Integer> {
  @Option(names = "--symbol", paramLabel = "SYM",
      description = "symbol of CSV input (default: from a data.binance.vision file name, e.g. "
          + "BTCUSDT-aggTrades-2024-07-18.zip)")
  String symbol;

  @Option(names = "--intervals", paramLabel = "LIST",
      description = "comma-separated intervals (default 1m,5m,15m,30m,1h,4h,1d,1w)")
  String intervals = "1m,5m,15m,30m,1h,4h,1d,1w";

  @Option(names = "--grace-ms", paramLabel = "N",
      description = "late trades amend the just-closed kline for N ms (default 2000)")
  long grace = 2000;

  @Option(names = "--out", paramLabel = "FILE", description = "write the CSV to FILE (default: standard output)")
  String outFile;

  @Option(names = "--db", paramLabel = "URL",
      description = "instead of CSV, upsert the klines into klagg's PostgreSQL table "
          + "(postgresql://user:pass@host:port/db; the schema is migrated first), e.g. to seed a fresh install "
          + "from downloaded history")
  String db;

  @Option(names = "--db-schema", paramLabel = "NAME", description = "schema of klagg's tables with --db (default public)")
  String dbSchema = "public";

  @Option(names = "--threads", paramLabel = "N",
      description = "parser threads (default: the number of cores; 1 = one thread does all)")
  long threads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--quiet", description = "no progress line (shown on stderr for runs longer than 2 s)")
  boolean quiet;

  @Option(names = "--progress-after-ms", hidden = true)
  long progressAfterMs = 2000;

  @Option(names = "--chunk-bytes", hidden = true)
  long chunk = 4 << 20;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
  boolean help;

  @Parameters(paramLabel = "FILE|DIR|GLOB", arity = "0..*", description = "input files")
  List<String> inputs = new ArrayList<>();

  private final PrintStream out;
  private final PrintStream err;

  public ReplayCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Parses {@code argv} and runs the command; returns the exit code. */
  public int run(String[] argv) {
    CommandLine cl = Cli.commandLine(this, out, err);
    cl.setCommandName("klagg replay");
    return cl.execute(argv);
  }

  @Override
  public Integer call() {
    List<Interval> intervalList;
    try {
      intervalList = Interval.parseList(intervals);
    } catch (IllegalArgumentException e) {
      throw new Cli.UsageException("--intervals: " + e.getMessage());
    }
    if (grace < 0) {
      throw new Cli.UsageException("--grace-ms must not be negative");
    }
    if (threads < 1 || threads > 256) {
      throw new Cli.UsageException("--threads must be between 1 and 256");
    }
    if (chunk < 1024 || chunk > (1 << 30)) {
      throw new Cli.UsageException("--chunk-bytes must be between 1024 and 1073741824");
    }
    if (inputs.isEmpty()) {
      throw new Cli.UsageException("no input files (see --help)");
    }
    ReplayRunner runner = new ReplayRunner(intervalList, grace, System.currentTimeMillis() + 86_400_000L)
        .symbol(symbol)
        .threads((int) threads)
        .chunkBytes((int) chunk);
    List<Path> files;
    try {
      files = InputFiles.expand(inputs);
      if (!quiet) {
        runner.progress(new ProgressLine(err, progressAfterMs));
      }
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
    if (db != null) {
      try {
        long stored = DbOutput.store(db, dbSchema, runner.replays(), err);
        err.println("klagg replay: " + Replay.summary(runner.replays()) + "; klines stored " + stored);
        return 0;
      } catch (RuntimeException e) {
        err.println("klagg replay: cannot store into " + db + ": " + e.getMessage());
        return 1;
      }
    }
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
