package klagg.bench;

import java.util.Arrays;

/**
 * Entry point of {@code klagg-bench.jar}: a thin wrapper over JMH's own main, so the usual JMH
 * arguments work ({@code java -jar klagg-bench.jar DecodeBench -f 1 -prof gc}), plus the sub-command
 * {@code e2e} (the end-to-end load harness, {@link E2e}).
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("e2e")) {
      E2e.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    org.openjdk.jmh.Main.main(args);
  }
}
