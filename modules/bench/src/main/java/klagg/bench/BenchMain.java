package klagg.bench;

import java.util.Arrays;

/**
 * Entry point of {@code klagg-bench.jar}: a thin wrapper over JMH's own main, so the usual JMH
 * arguments work ({@code java -jar klagg-bench.jar DecodeBench -f 1 -prof gc}), plus sub-commands:
 * {@code e2e} (the end-to-end load harness, {@link E2e}),
 * {@code replay-vs-duckdb [--rows N] [--file F] [--runs K]} ({@link ReplayVsDuckDb}) and
 * {@code gen-aggtrades FILE [ROWS] [SEED]} ({@link AggTradesCsvGenerator}).
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    String[] rest = args.length > 0 ? Arrays.copyOfRange(args, 1, args.length) : args;
    switch (args.length > 0 ? args[0] : "") {
      case "e2e":
        E2e.main(rest);
        return;
      case "replay-vs-duckdb":
        ReplayVsDuckDb.main(rest);
        return;
      case "gen-aggtrades":
        AggTradesCsvGenerator.main(rest);
        return;
      default:
        org.openjdk.jmh.Main.main(args);
    }
  }
}
