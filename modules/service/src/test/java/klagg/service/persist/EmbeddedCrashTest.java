package klagg.service.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded PostgreSQL after crashes: a killed klagg (a child JVM, SIGKILLed) leaves a server that
 * the watchdog stops or the next start stops; stale postmaster.pid files; a second owner; bad data
 * directories; a schema newer than the build. Real servers, each test on its own data directory.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EmbeddedCrashTest {
  @TempDir
  Path tmp;
  Path dir;
  Vertx vertx;
  final List<EmbeddedDatabase> dbs = new ArrayList<>();
  final List<Process> procs = new ArrayList<>();

  @BeforeEach
  void setUp() {
    dir = tmp.resolve("pg");
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    for (Process p : procs) {
      p.destroyForcibly();
    }
    for (EmbeddedDatabase db : dbs) {
      try {
        db.stop(vertx).await();
      } catch (Exception e) {
        // already stopped
      }
    }
    // never leave a server behind in the temp directory
    if (Files.isDirectory(dir)) {
      Postmasters.pidFile(dir).flatMap(ProcessHandle::of)
          .filter(ph -> Postmasters.identify(ph.pid(), dir) == Postmasters.Identity.OURS).ifPresent(ProcessHandle::destroyForcibly);
      Postmasters.processesIn(dir).forEach(ProcessHandle::destroyForcibly);
    }
    vertx.close().await();
  }

  private EmbeddedDatabase open() {
    EmbeddedDatabase db = EmbeddedDatabase.start(vertx, dir, 0, 60_000).await();
    dbs.add(db);
    return db;
  }

  private void stop(EmbeddedDatabase db) {
    db.stop(vertx).await();
    dbs.remove(db);
  }

  private List<String> query(EmbeddedDatabase db, String sql) {
    Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(db.url())).using(vertx).build();
    try {
      List<String> out = new ArrayList<>();
      for (Row r : pool.query(sql).execute().await()) {
        out.add(r.getValue(0) + (r.size() > 1 ? "|" + r.getValue(1) : ""));
      }
      return out;
    } finally {
      pool.close().await();
    }
  }

  /** Creates crash_t with one row, committed durably (the tests are about orphans, not async commit). */
  private void writeRow(EmbeddedDatabase db) {
    Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(db.url())).using(vertx).build();
    try {
      pool.withTransaction(c -> c.query("SET LOCAL synchronous_commit = on").execute()
          .compose(x -> c.query("CREATE TABLE crash_t (id integer PRIMARY KEY, v text)").execute())
          .compose(x -> c.query("INSERT INTO crash_t VALUES (1, 'written before the crash')").execute())).await();
    } finally {
      pool.close().await();
    }
  }

  private static void await(String what, long ms, BooleanSupplier cond) throws InterruptedException {
    long deadline = System.nanoTime() + ms * 1_000_000L;
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + ms + " ms: " + what);
      }
      Thread.sleep(20);
    }
  }

  /** Running: neither gone nor exited and waiting to be reaped (init here may reap orphans late). */
  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ph -> !Postmasters.gone(ph)).orElse(false);
  }

  /** A child JVM running {@link EmbeddedOwnerMain}, its output collected line by line. */
  private final class Child {
    final Process p;
    final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final StringBuffer all = new StringBuffer();

    Child(String mode) throws IOException {
      String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
      p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), EmbeddedOwnerMain.class.getName(), mode,
          dir.toString()).redirectErrorStream(true).start();
      procs.add(p);
      Thread t = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          for (String l; (l = r.readLine()) != null; ) {
            all.append(l).append('\n');
            lines.add(l);
          }
        } catch (IOException e) {
          // the child died
        }
      }, "child-output");
      t.setDaemon(true);
      t.start();
    }

    /** The first line starting with one of {@code prefixes}, waiting up to {@code ms}. */
    String await(long ms, String... prefixes) throws InterruptedException {
      long deadline = System.nanoTime() + ms * 1_000_000L;
      while (true) {
        long left = deadline - System.nanoTime();
        String l = lines.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
        if (l == null) {
          throw new AssertionError("the child printed none of " + List.of(prefixes) + " within " + ms + " ms:\n" + all);
        }
        for (String pre : prefixes) {
          if (l.startsWith(pre)) {
            return l;
          }
        }
      }
    }

    void kill() throws InterruptedException {
      p.destroyForcibly(); // SIGKILL: no shutdown hook runs
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aStalePostmasterPidOfADeadProcessDoesNotStopTheStart() throws Exception {
    EmbeddedDatabase db = open();
    assertThat(query(db, "SHOW fsync")).as("fsync despite zonky's -F").containsExactly("on");
    assertThat(query(db, "SHOW synchronous_commit")).containsExactly("off");
    writeRow(db);
    stop(db);
    assertThat(dir.resolve("postmaster.pid")).doesNotExist();
    Process gone = new ProcessBuilder("true").start();
    assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
    await("pid gone", 5_000, () -> !alive(gone.pid()));
    Files.writeString(dir.resolve("postmaster.pid"), gone.pid() + "\n" + dir + "\n");

    db = open();
    assertThat(query(db, "SELECT id, v FROM crash_t")).containsExactly("1|written before the crash");
    assertThat(db.postmasterPid()).isNotEqualTo(gone.pid());
  }

  @Test
  void aPostmasterKilledWithItsJvmAliveIsRecovered() throws Exception {
    EmbeddedDatabase db = open();
    writeRow(db);
    long pm = db.postmasterPid();
    ProcessHandle.of(pm).orElseThrow().destroyForcibly();
    await("postmaster killed", 10_000, () -> !alive(pm));
    stop(db); // pg_ctl stop fails: nothing runs; the lock is released
    assertThat(dir.resolve("postmaster.pid")).exists();

    db = open();
    assertThat(query(db, "SELECT id, v FROM crash_t")).containsExactly("1|written before the crash");
    assertThat(db.postmasterPid()).isNotEqualTo(pm);
  }

  @Test
  void aPostmasterPidNamingAnotherLiveProcessIsRemoved() throws Exception {
    EmbeddedDatabase db = open();
    writeRow(db);
    stop(db);
    Process other = new ProcessBuilder("sleep", "120").start();
    procs.add(other);
    Files.writeString(dir.resolve("postmaster.pid"), other.pid() + "\n" + dir + "\n");

    db = open();
    assertThat(query(db, "SELECT id, v FROM crash_t")).containsExactly("1|written before the crash");
    assertThat(other.isAlive()).as("the process that reused the pid is left alone").isTrue();
  }

  @Test
  void aPostmasterPidOfAnExitedButUnreapedProcessIsRemoved() throws Exception {
    EmbeddedDatabase db = open();
    writeRow(db);
    stop(db);
    // a zombie: the child exits, its parent (exec'd into sleep) never reaps it; kill -0 still
    // succeeds on it, so PostgreSQL alone would take it for a running server and refuse to start
    Process parent = new ProcessBuilder("sh", "-c", "sleep 0 & echo $!; exec sleep 120").start();
    procs.add(parent);
    long zombie = Long.parseLong(new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))
        .readLine().trim());
    await("a zombie", 10_000, () -> Postmasters.zombie(zombie));
    Files.writeString(dir.resolve("postmaster.pid"), zombie + "\n" + dir + "\n");

    long t0 = System.nanoTime();
    db = open();
    assertThat((System.nanoTime() - t0) / 1_000_000).as("no 60 s wait").isLessThan(30_000);
    assertThat(query(db, "SELECT id, v FROM crash_t")).containsExactly("1|written before the crash");
  }

  @Test
  void theServerOfAKilledKlaggIsStoppedAndRestartedByTheNextStart() throws Exception {
    Child child = new Child("hold");
    String[] ready = child.await(120_000, "READY", "FAILED").split(" ");
    assertThat(ready[0]).isEqualTo("READY");
    long pm = Long.parseLong(ready[1]);
    long wd = Long.parseLong(ready[2]);
    assertThat(pm).isPositive();
    // the watchdog dies too (kill -9 of the whole group), so the server stays: the orphan case
    ProcessHandle.of(wd).ifPresent(ProcessHandle::destroyForcibly);
    await("watchdog killed", 10_000, () -> !alive(wd));
    child.kill();
    assertThat(alive(pm)).as("orphaned postmaster").isTrue();
    assertThat(Postmasters.identify(pm, dir)).isEqualTo(Postmasters.Identity.OURS);

    long t0 = System.nanoTime();
    EmbeddedDatabase db = open();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(alive(pm)).as("orphan stopped").isFalse();
    assertThat(db.postmasterPid()).isNotEqualTo(pm);
    assertThat(query(db, "SELECT id, v FROM crash_t")).containsExactly("1|written before the crash");
    assertThat(ms).as("no 60 s wait for a server that cannot start").isLessThan(30_000);
    System.out.printf("restart over an orphaned server: %d ms%n", ms);
  }

  @Test
  void theWatchdogStopsTheServerWhenItsJvmIsKilled() throws Exception {
    Child child = new Child("hold");
    String[] ready = child.await(120_000, "READY", "FAILED").split(" ");
    assertThat(ready[0]).isEqualTo("READY");
    long pm = Long.parseLong(ready[1]);
    long wd = Long.parseLong(ready[2]);
    assertThat(wd).as("watchdog running").isPositive();
    child.kill();
    long t0 = System.nanoTime();
    await("the orphaned server exits by itself", 5_000, () -> !alive(pm));
    System.out.printf("server gone %d ms after its JVM was killed%n", (System.nanoTime() - t0) / 1_000_000);
    await("the watchdog exits", 5_000, () -> !alive(wd));
    assertThat(dir.resolve("postmaster.pid")).as("a clean (fast) shutdown").doesNotExist();

    EmbeddedDatabase db = open();
    assertThat(query(db, "SELECT id, v FROM crash_t")).containsExactly("1|written before the crash");
    // and a clean stop takes the watchdog with it
    long wd2 = db.watchdogPid();
    assertThat(alive(wd2)).isTrue();
    stop(db);
    await("the watchdog exits after a clean stop", 5_000, () -> !alive(wd2));
  }

  @Test
  void aSecondOwnerFailsFastAndLeavesTheFirstServerAlone() throws Exception {
    EmbeddedDatabase db = open();
    writeRow(db);
    long me = ProcessHandle.current().pid();
    Path abs = dir.toAbsolutePath().normalize();

    Child child = new Child("try");
    String line = child.await(60_000, "FAILED", "STARTED");
    assertThat(child.p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(child.p.exitValue()).isEqualTo(3);
    assertThat(line).isEqualTo("FAILED: data directory " + abs + " is in use by another running klagg (pid " + me + ")");
    // in this JVM as well
    assertThatThrownBy(() -> EmbeddedDatabase.start(vertx, dir, 0, 60_000).await())
        .hasMessage("data directory " + abs + " is in use by another embedded PostgreSQL of this klagg (pid " + me + ")");

    assertThat(alive(db.postmasterPid())).isTrue();
    assertThat(query(db, "SELECT id, v FROM crash_t")).containsExactly("1|written before the crash");
    assertThat(Files.readString(dir.resolve(DataDirLock.FILE)).trim()).isEqualTo(Long.toString(me));
  }

  @Test
  void aDirectoryThatIsNoClusterIsRefusedAndKept() throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("notes.txt"), "mine");
    Path abs = dir.toAbsolutePath().normalize();
    assertThatThrownBy(() -> EmbeddedDatabase.start(vertx, dir, 0, 60_000).await())
        .hasMessage("data directory " + abs + " is not a PostgreSQL data directory (no PG_VERSION); move it away or set db.dataDir");
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("notes.txt");
    }
    assertThat(Files.readString(dir.resolve("notes.txt"))).isEqualTo("mine");

    Path file = tmp.resolve("plain-file");
    Files.writeString(file, "x");
    assertThatThrownBy(() -> EmbeddedDatabase.start(vertx, file, 0, 60_000).await())
        .hasMessageContaining(file.toString()).hasMessageContaining("is not a directory");
  }

  @Test
  void aSchemaNewerThanThisBuildIsRefused() throws Exception {
    EmbeddedDatabase db = open();
    Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(db.url())).using(vertx).build();
    try {
      List<Migrations.Migration> known = Migrations.load(Migrations.DEFAULT_LOCATION);
      int newest = known.get(known.size() - 1).version();
      assertThat(Migrations.migrate(vertx, pool, "public", Migrations.DEFAULT_LOCATION).await()).isEqualTo(known.size());
      pool.query("INSERT INTO public.schema_version (version, file, checksum, took_ms) VALUES (" + (newest + 5)
          + ", 'V" + (newest + 5) + "__future.sql', 'x', 0)").execute().await();
      assertThatThrownBy(() -> Migrations.migrate(vertx, pool, "public", Migrations.DEFAULT_LOCATION).await())
          .isInstanceOf(Migrations.MigrationException.class)
          .hasMessageStartingWith("database schema version " + (newest + 5) + " is newer than this klagg knows (" + newest + "): ");
    } finally {
      pool.close().await();
    }
  }
}
