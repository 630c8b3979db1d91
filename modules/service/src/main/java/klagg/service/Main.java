package klagg.service;

import java.io.PrintStream;
import klagg.service.cli.ReplayCommand;
import klagg.sim.Cli;
import klagg.sim.SimMain;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar klagg.jar [run|replay|sim] [options]}: the fat jar's entry point. Every command
 * prints its generated usage with {@code --help}; a bad option is one line on stderr and exit 2.
 */
@Command(name = "klagg", description = "Exact Binance klines: the service, a replay of recorded trades, a simulator.",
    footer = {"", "Without a command, klagg runs 'run'. 'klagg COMMAND --help' describes each command."})
public final class Main {
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
  boolean help;

  private Main() {}

  public static void main(String[] args) {
    org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
    org.slf4j.bridge.SLF4JBridgeHandler.install();
    int code = run(args, System.out, System.err);
    if (code != Integer.MIN_VALUE) {
      System.exit(code);
    }
  }

  /** The command line of klagg and its sub-commands, printing to {@code out} and {@code err}. */
  static CommandLine commandLine(PrintStream out, PrintStream err) {
    CommandLine cl = new CommandLine(new Main());
    cl.addSubcommand("run", new RunCommand(out, err));
    cl.addSubcommand("replay", new ReplayCommand(out, err));
    cl.addSubcommand("sim", new SimMain.Command(out, err));
    return Cli.configure(cl, out, err);
  }

  /**
   * Runs a command; returns its exit code, or {@link Integer#MIN_VALUE} when the command keeps
   * running in the background (the service, the simulator).
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].startsWith("-") && !isHelp(args[0])) {
      String[] withRun = new String[args.length + 1];
      withRun[0] = "run";
      System.arraycopy(args, 0, withRun, 1, args.length);
      args = withRun;
    } else if (args[0].equals("help")) {
      args = new String[] {"--help"};
    }
    if (!isHelp(args[0]) && !(args[0].equals("run") || args[0].equals("replay") || args[0].equals("sim"))) {
      err.println("klagg: unknown command '" + args[0] + "' (expected run, replay or sim; see klagg --help)");
      return 2;
    }
    return commandLine(out, err).execute(args);
  }

  private static boolean isHelp(String a) {
    return a.equals("--help") || a.equals("-h");
  }
}
