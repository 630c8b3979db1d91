package klagg.bench;

/**
 * Entry point of {@code klagg-bench.jar}: a thin wrapper over JMH's own main, so the usual JMH
 * arguments work ({@code java -jar klagg-bench.jar DecodeBench -f 1 -prof gc}).
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    org.openjdk.jmh.Main.main(args);
  }
}
