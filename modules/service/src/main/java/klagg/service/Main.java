package klagg.service;

import java.io.PrintStream;
import java.util.Arrays;
import klagg.service.cli.Args;
import klagg.service.cli.ReplayCommand;

/**
 * {@code java -jar klagg.jar [run|replay|sim] [options]}: the fat jar's entry point. Each
 * sub-command prints its usage with {@code --help}; a bad option is one line on stderr and exit 2.
 */
public final class Main {
  static final String USAGE = String.join("\n",
      "usage: java -jar klagg.jar [COMMAND] [options]",
      "",
      "commands:",
      "  run      start the service (the default)",
      "  replay   build exact klines from recorded trades (CSV, zip, WebSocket JSONL)",
      "  sim      run the Binance-compatible exchange simulator",
      "",
      "'java -jar klagg.jar COMMAND --help' describes each command.");

  private Main() {}

  public static void main(String[] args) {
    org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
    org.slf4j.bridge.SLF4JBridgeHandler.install();
    int code = run(args, System.out, System.err);
    if (code != Integer.MIN_VALUE) {
      System.exit(code);
    }
  }

  /**
   * Runs a command; returns its exit code, or {@link Integer#MIN_VALUE} when the command keeps
   * running in the background (the service, the simulator).
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    String cmd = args.length == 0 || args[0].startsWith("-") ? "run" : args[0];
    String[] rest = args.length == 0 || args[0].startsWith("-") ? args : Arrays.copyOfRange(args, 1, args.length);
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
      out.println(USAGE);
      return 0;
    }
    try {
      switch (cmd) {
        case "replay":
          return new ReplayCommand(out, err).run(rest);
        case "run":
          return RunCommand.run(rest, out, err);
        case "sim":
          return SimCommand.run(rest, out, err);
        default:
          err.println("klagg: unknown command '" + cmd + "' (expected run, replay or sim; see --help)");
          return 2;
      }
    } catch (Args.UsageException e) {
      err.println("klagg " + cmd + ": " + e.getMessage());
      return 2;
    }
  }
}
