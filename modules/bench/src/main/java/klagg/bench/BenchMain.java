package klagg.bench;

/**
 * Entry point of {@code klagg-bench.jar}: a thin wrapper over JMH's own main, so the usual JMH
 * arguments work ({@code java -jar klagg-bench.jar DecodeBench -f 1 -prof gc}), plus sub-commands:
 * {@code replay-vs-duckdb [--rows N] [--file F] [--runs K]} ({@link ReplayVsDuckDb}) and
 * {@code gen-aggtrades FILE [ROWS] [SEED]} ({@link AggTradesCsvGenerator}).
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("replay-vs-duckdb")) {
      ReplayVsDuckDb.main(java.util.Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("gen-aggtrades")) {
      AggTradesCsvGenerator.main(java.util.Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    org.openjdk.jmh.Main.main(args);
  }
}
