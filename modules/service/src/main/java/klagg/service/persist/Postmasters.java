package klagg.service.persist;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL processes of an embedded data directory, seen from outside: who {@code postmaster.pid}
 * names, whether that is really a server of this directory, stopping a server left behind by a
 * killed klagg, and the watchdog that stops the server when the JVM that started it dies.
 * Linux-specific parts read {@code /proc}; where they cannot, nothing is assumed.
 */
final class Postmasters {
  private static final Logger log = LoggerFactory.getLogger(Postmasters.class);
  static final String PID_FILE = "postmaster.pid";
  private static final Path PROC = Paths.get("/proc");

  /** What a pid is, relative to a data directory. */
  enum Identity {
    /** a PostgreSQL process whose working directory (or command line) is the data directory */
    OURS,
    /** provably something else: another program, or a postgres of another directory */
    OTHER,
    /** cannot tell (no /proc, no permission) */
    UNKNOWN
  }

  private Postmasters() {}

  /** The pid on the first line of {@code postmaster.pid}, if the file exists and holds one. */
  static Optional<Long> pidFile(Path dir) {
    try {
      List<String> lines = Files.readAllLines(dir.resolve(PID_FILE), StandardCharsets.UTF_8);
      if (!lines.isEmpty() && lines.get(0).trim().matches("\\d{1,10}")) {
        return Optional.of(Long.parseLong(lines.get(0).trim()));
      }
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      log.debug("cannot read {}: {}", dir.resolve(PID_FILE), e.toString());
    }
    return Optional.empty();
  }

  /** Whether {@code pid} is a PostgreSQL process of {@code dir} (postgres chdirs into its data directory). */
  static Identity identify(long pid, Path dir) {
    Path proc = PROC.resolve(Long.toString(pid));
    if (Files.isDirectory(PROC) && Files.isDirectory(proc)) {
      String comm;
      String cmdline;
      try {
        comm = Files.readString(proc.resolve("comm"), StandardCharsets.UTF_8).trim();
        cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
      } catch (IOException e) {
        return Files.exists(proc) ? Identity.UNKNOWN : Identity.OTHER;
      }
      boolean postgres = "postgres".equals(comm) || cmdline.startsWith("postgres") || cmdline.contains("/postgres ");
      if (!postgres) {
        return Identity.OTHER;
      }
      try {
        return Files.isSameFile(proc.resolve("cwd").toRealPath(), dir) ? Identity.OURS : Identity.OTHER;
      } catch (IOException e) {
        // no permission to see its working directory: its command line says where its data is
        return cmdline.contains(" -D " + dir + " ") || cmdline.endsWith(" -D " + dir) ? Identity.OURS : Identity.UNKNOWN;
      }
    }
    // no /proc: what the JDK can tell
    Optional<ProcessHandle> ph = ProcessHandle.of(pid);
    if (ph.isEmpty() || !ph.get().isAlive()) {
      return Identity.OTHER;
    }
    Optional<String> cl = ph.get().info().commandLine();
    if (cl.isEmpty()) {
      return Identity.UNKNOWN;
    }
    if (!cl.get().contains("postgres")) {
      return Identity.OTHER;
    }
    return cl.get().contains(dir.toString()) ? Identity.OURS : Identity.UNKNOWN;
  }

  /** Live PostgreSQL processes working in {@code dir} (a postmaster's children outlive it briefly); Linux only. */
  static List<ProcessHandle> processesIn(Path dir) {
    List<ProcessHandle> out = new ArrayList<>();
    if (!Files.isDirectory(PROC)) {
      return out;
    }
    long me = ProcessHandle.current().pid();
    try (Stream<Path> s = Files.list(PROC)) {
      s.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+")).mapToLong(Long::parseLong)
          .filter(pid -> pid != me)
          .forEach(pid -> {
            Path cwd = PROC.resolve(Long.toString(pid)).resolve("cwd");
            try {
              if (Files.isSameFile(cwd.toRealPath(), dir) && identify(pid, dir) == Identity.OURS) {
                ProcessHandle.of(pid).ifPresent(out::add);
              }
            } catch (IOException | SecurityException e) {
              // gone, or not ours to see
            }
          });
    } catch (IOException e) {
      log.debug("cannot list /proc: {}", e.toString());
    }
    return out;
  }

  /** Sends a signal through the shell's kill (present even where procps is not). */
  static void signal(long pid, String sig) {
    try {
      Process p = new ProcessBuilder("sh", "-c", "kill -" + sig + " " + pid + " 2>/dev/null")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      p.waitFor();
    } catch (IOException e) {
      log.warn("cannot send SIG{} to {}: {}", sig, pid, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Whether {@code pid} has exited but was not reaped yet by its parent (for an orphaned server, init,
   * which may take a while): it still answers {@code kill -0} and {@link ProcessHandle#isAlive()}.
   */
  static boolean zombie(long pid) {
    try {
      String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.UTF_8);
      int i = stat.lastIndexOf(')');
      return i > 0 && i + 2 < stat.length() && stat.charAt(i + 2) == 'Z';
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether the process has exited (a zombie has). */
  static boolean gone(ProcessHandle ph) {
    return !ph.isAlive() || zombie(ph.pid());
  }

  /** Waits until the process has exited, polling; true if it did within {@code ms}. */
  static boolean awaitExit(ProcessHandle ph, long ms) {
    long deadline = System.nanoTime() + ms * 1_000_000L;
    while (!gone(ph)) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return gone(ph);
      }
    }
    return true;
  }

  /**
   * Stops the server {@code pid} of {@code dir}: a fast shutdown (SIGINT: sessions end, a checkpoint
   * is written), after {@code fastMs} an immediate one (SIGQUIT: crash recovery at the next start),
   * after 10 s more SIGKILL; then waits for its former children, which must let go of the shared
   * memory before a new server may start.
   */
  static void stop(long pid, Path dir, long fastMs) {
    ProcessHandle ph = ProcessHandle.of(pid).orElse(null);
    if (ph == null) {
      return;
    }
    List<ProcessHandle> children = ph.descendants().toList();
    long t0 = System.nanoTime();
    signal(pid, "INT");
    if (!awaitExit(ph, fastMs)) {
      log.warn("the PostgreSQL server (pid {}) in {} did not stop within {} ms: immediate shutdown (SIGQUIT)", pid, dir, fastMs);
      signal(pid, "QUIT");
      if (!awaitExit(ph, 10_000)) {
        log.warn("the PostgreSQL server (pid {}) in {} ignores SIGQUIT: killing it (SIGKILL)", pid, dir);
        ph.destroyForcibly();
        awaitExit(ph, 10_000);
      }
    }
    awaitGone(children, dir);
    log.warn("stopped the PostgreSQL server (pid {}) left running in {} in {} ms", pid, dir, (System.nanoTime() - t0) / 1_000_000);
  }

  /** Waits (10 s at most, then SIGKILL) for leftover processes of a server that is gone. */
  static void awaitGone(List<ProcessHandle> procs, Path dir) {
    for (ProcessHandle c : procs) {
      if (!awaitExit(c, 10_000)) {
        log.warn("PostgreSQL process {} of {} outlived its server by 10 s: killing it", c.pid(), dir);
        c.destroyForcibly();
        awaitExit(c, 5_000);
      }
    }
  }

  /**
   * Starts a detached shell that, once the JVM {@code jvmPid} is gone while the server {@code pmPid}
   * still runs, fast-stops the server (SIGINT; after 30 s more, an immediate stop, SIGQUIT). It looks
   * four times a second (a dead JVM not yet reaped by its parent counts as gone) and exits by itself
   * when the server stops first. Null where no shell can be started.
   */
  static Process watchdog(long jvmPid, long pmPid) {
    String script = "j=" + jvmPid + "; p=" + pmPid + "\n"
        + "up() { kill -0 $1 2>/dev/null || return 1; s=; read -r _ _ s _ < /proc/$1/stat 2>/dev/null; [ \"$s\" != Z ]; }\n"
        + "nap() { sleep 0.25 2>/dev/null || sleep 1; }\n"
        + "while up $j && up $p; do nap; done\n"
        + "up $j && exit 0\n"
        + "kill -INT $p 2>/dev/null || exit 0\n"
        + "i=0; while up $p && [ $i -lt 120 ]; do nap; i=$((i+1)); done\n"
        + "up $p && kill -QUIT $p 2>/dev/null\n"
        + "exit 0\n";
    List<String> cmd = new ArrayList<>();
    // its own session: a Ctrl-C on klagg's terminal does not reach it (nor the server, which pg_ctl detaches)
    if (new File("/usr/bin/setsid").canExecute() || new File("/bin/setsid").canExecute()) {
      cmd.add("setsid");
    }
    cmd.addAll(List.of("sh", "-c", script));
    try {
      return new ProcessBuilder(cmd)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      log.warn("cannot start the watchdog of the embedded PostgreSQL (pid {}): it would outlive a killed klagg ({})", pmPid,
          e.toString());
      return null;
    }
  }
}
