package klagg.service;

import java.io.PrintStream;

/** {@code klagg run}: starts the service. */
final class RunCommand {
  private RunCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err) {
    err.println("klagg run: the live pipeline is not built yet");
    return 1;
  }
}
