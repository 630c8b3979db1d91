package klagg.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import klagg.sim.Cli;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Entry point of {@code klagg-bench.jar}: a thin wrapper over JMH's own main, so the usual JMH
 * arguments work ({@code java -jar klagg-bench.jar DecodeBench -f 1 -prof gc}; they go to JMH
 * untouched, {@code -h} included), plus sub-commands with picocli options and generated
 * {@code --help}: {@code e2e} (the end-to-end load harness, {@link E2e}), {@code replay-vs-duckdb}
 * ({@link ReplayVsDuckDb}) and {@code gen-aggtrades FILE [ROWS] [SEED]} ({@link AggTradesCsvGenerator}).
 */
@Command(name = "klagg-bench", description = "klagg's benchmarks; any other arguments go to JMH unchanged.")
public final class BenchMain {
  static final Set<String> COMMANDS = Set.of("e2e", "replay-vs-duckdb", "gen-aggtrades");

  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && COMMANDS.contains(args[0])) {
      System.exit(run(args, System.out, System.err));
    }
    org.openjdk.jmh.Main.main(args);
  }

  /** Runs one of the bench's own sub-commands ({@code args[0]}); returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine cl = new CommandLine(new BenchMain());
    cl.addSubcommand("e2e", new E2eCommand());
    cl.addSubcommand("replay-vs-duckdb", new ReplayVsDuckDbCommand());
    cl.addSubcommand("gen-aggtrades", new GenAggTradesCommand());
    return Cli.configure(cl, out, err).execute(args);
  }

  static String[] prepend(String first, String[] args) {
    String[] all = new String[args.length + 1];
    all[0] = first;
    System.arraycopy(args, 0, all, 1, args.length);
    return all;
  }

  static long rows(String option, String v) {
    try {
      return Long.parseLong(v.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new Cli.UsageException("Invalid value for " + option + ": '" + v + "' is not a whole number");
    }
  }

  @Command(name = "e2e", sortOptions = false,
      description = {"End-to-end load harness: the simulator's firehose, the whole service on its embedded "
          + "PostgreSQL, and a WebSocket subscriber, in one JVM (see docs/performance.md)."})
  static final class E2eCommand implements Callable<Integer> {
    @Option(names = "--duration", paramLabel = "S", description = "seconds per measured rate (default 20)")
    int duration = 20;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON to FILE")
    String json;

    @Option(names = "--rate", paramLabel = "N|max|all|startup|restart|none",
        description = "trades/s of the run, or: max, all (10000, 100000, max; the default), startup, restart, none")
    String rate = "all";

    @Option(names = "--symbols", paramLabel = "N", description = "symbols of the market (default 1000)")
    int symbols = 1000;

    @Option(names = "--db", paramLabel = "URL", description = "an external PostgreSQL instead of the embedded one")
    String db;

    @Option(names = "--track", paramLabel = "N", description = "symbols the WebSocket subscriber follows (default 3)")
    int track = 3;

    @Option(names = "--warmup", paramLabel = "S",
        description = "seconds of firehose before the max-rate window (default 5)")
    int warmup = 5;

    @Option(names = "--runs", paramLabel = "N",
        description = "max-rate runs, each a fresh service; the figures are their medians (default 3)")
    int runs = 3;

    @Option(names = "--sim-process", description = "run the simulator in its own JVM, so the service's own CPU "
        + "per trade is measured (service_cpu_us_per_trade)")
    boolean simProcess;

    @Option(names = "--max-lag-ms", paramLabel = "MS",
        description = "worker lag a max-rate window may reach and still count as sustained (default 1000)")
    long maxLagMs = 1000;

    @Option(names = "--no-baseline", description = "skip the baseline run")
    boolean noBaseline;

    @Option(names = "--intervals", paramLabel = "all|LIST",
        description = "the service's intervals: all (Binance's 15: 1m,3m,5m,15m,30m,1h,2h,4h,6h,8h,12h,1d,3d,1w,1M) "
            + "or a comma-separated list (default: the service's default set)")
    String intervals;

    @Option(names = "--histogram", paramLabel = "N",
        description = "also take the live objects' class histogram running and stopped; print the top N classes "
            + "per symbol (default 0: none)")
    int histogram;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    boolean help;

    @Override
    public Integer call() throws Exception {
      E2e e = new E2e();
      e.duration = duration;
      e.json = json;
      e.rate = rate;
      e.symbols = symbols;
      e.db = db;
      e.track = track;
      e.warmup = warmup;
      e.baseline = !noBaseline;
      e.runs = runs;
      e.simProcess = simProcess;
      e.maxLagMs = maxLagMs;
      e.intervals = intervals;
      e.histogram = histogram;
      if (intervals != null) {
        try {
          E2e.intervalsConf(intervals);
        } catch (IllegalArgumentException ex) {
          throw new Cli.UsageException("Invalid value for --intervals: " + ex.getMessage());
        }
      }
      e.run();
      return 0;
    }
  }

  @Command(name = "replay-vs-duckdb", sortOptions = false,
      description = "klagg replay against DuckDB on the same aggTrades CSV (see docs/replay.md); the file is "
          + "generated if absent.")
  static final class ReplayVsDuckDbCommand implements Callable<Integer> {
    @Option(names = "--rows", paramLabel = "N", description = "rows of the generated file, _ allowed (default 5000000)")
    String rows = "5000000";

    @Option(names = "--file", paramLabel = "F",
        description = "the CSV (default: <tmp>/klagg-bench/rows-N/BTCUSDT-aggTrades-2024-07-18.csv)")
    Path file;

    @Option(names = "--runs", paramLabel = "K", description = "runs of each side (default 5)")
    int runs = 5;

    @Option(names = "--threads", paramLabel = "T", description = "klagg replay's threads (default: the cores)")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--klagg-jar", paramLabel = "PATH", description = "klagg.jar (default: found beside the bench jar)")
    Path klaggJar;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    boolean help;

    @Override
    public Integer call() throws Exception {
      ReplayVsDuckDb.run(rows("--rows", rows), file, runs, threads, klaggJar);
      return 0;
    }
  }

  @Command(name = "gen-aggtrades", description = "Writes a synthetic data.binance.vision aggTrades CSV.")
  static final class GenAggTradesCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "the CSV to write")
    Path file;

    @Parameters(index = "1", arity = "0..1", paramLabel = "ROWS", description = "rows, _ allowed (default 5000000)")
    String rows = "5000000";

    @Parameters(index = "2", arity = "0..1", paramLabel = "SEED", description = "seed (default 20240718)")
    long seed = AggTradesCsvGenerator.DEFAULT_SEED;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    boolean help;

    @Override
    public Integer call() throws Exception {
      long n = rows("ROWS", rows);
      long t0 = System.nanoTime();
      long bytes = AggTradesCsvGenerator.generate(file, n, seed);
      System.err.printf("wrote %,d rows, %,d bytes to %s in %.1f s%n", n, bytes, file, (System.nanoTime() - t0) / 1e9);
      return 0;
    }
  }
}
