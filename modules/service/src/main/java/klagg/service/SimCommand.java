package klagg.service;

import java.io.PrintStream;

/** {@code klagg sim}: the Binance-compatible exchange simulator. */
final class SimCommand {
  private SimCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err) {
    err.println("klagg sim: the simulator is not built yet");
    return 1;
  }
}
