package klagg.sim;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;

/**
 * The one way klagg's commands (and the bench's) run their picocli command lines: generated
 * {@code --help} on stdout with exit 0; a usage error is ONE line {@code <command>: <message>} on
 * stderr with exit 2; otherwise the command's own exit code.
 */
public final class Cli {
  /** A bad command line found after parsing (a value out of range): one line, exit code 2. */
  public static final class UsageException extends RuntimeException {
    public UsageException(String message) {
      super(message);
    }
  }

  private Cli() {}

  /** A command line for {@code command}, printing to {@code out} and {@code err}. */
  public static CommandLine commandLine(Object command, PrintStream out, PrintStream err) {
    return configure(new CommandLine(command), out, err);
  }

  /**
   * Sets klagg's output streams and error handling on {@code cl} and the sub-commands it already
   * has (add them first).
   */
  public static CommandLine configure(CommandLine cl, PrintStream out, PrintStream err) {
    cl.setOut(flushing(out));
    cl.setErr(flushing(err));
    cl.setParameterExceptionHandler((ex, args) -> {
      err.println(ex.getCommandLine().getCommandSpec().qualifiedName() + ": " + message(ex));
      return 2;
    });
    cl.setExecutionExceptionHandler((ex, c, parsed) -> {
      if (ex instanceof UsageException) {
        err.println(c.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
        return 2;
      }
      throw ex;
    });
    return cl;
  }

  private static PrintWriter flushing(PrintStream s) {
    return new PrintWriter(s, true) {
      @Override
      public void write(String str, int off, int len) {
        super.write(str, off, len);
        flush();
      }
    };
  }

  /** Parses {@code args} and runs {@code command}; returns the exit code. */
  public static int execute(Object command, String[] args, PrintStream out, PrintStream err) {
    return commandLine(command, out, err).execute(args);
  }

  /** One line naming the option or argument at fault. */
  public static String message(CommandLine.ParameterException ex) {
    if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      List<String> un = u.getUnmatched();
      String first = un.get(0);
      int eq = first.indexOf('=');
      if (first.startsWith("-") && first.length() > 1) {
        return "unknown option " + (eq > 0 ? first.substring(0, eq) : first);
      }
      return "unexpected argument '" + first + "'";
    }
    String m = ex.getMessage() == null ? ex.toString() : ex.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
