package klagg.service;

import java.io.PrintStream;
import klagg.sim.SimMain;

/** {@code klagg sim}: the Binance-compatible exchange simulator, standalone. */
final class SimCommand {
  private SimCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err) {
    return SimMain.run(args);
  }
}
