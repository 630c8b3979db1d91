package klagg.service.persist;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;

/**
 * A separate klagg-like JVM for {@link EmbeddedCrashTest}: {@code hold <dir>} starts the embedded
 * database on {@code dir}, writes a row durably, prints {@code READY <postmaster pid> <watchdog pid>}
 * and waits to be killed; {@code try <dir>} starts it, prints {@code STARTED} or
 * {@code FAILED: <message>} (exit status 3) and exits.
 */
public final class EmbeddedOwnerMain {
  private EmbeddedOwnerMain() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Path dir = Path.of(args[1]);
    Vertx vertx = Vertx.vertx();
    EmbeddedDatabase db;
    try {
      db = EmbeddedDatabase.start(vertx, dir, 0, 60_000).await();
    } catch (Exception e) {
      System.out.println("FAILED: " + e.getMessage());
      System.out.flush();
      System.exit(3);
      return;
    }
    if (mode.equals("try")) {
      System.out.println("STARTED");
      db.stop(vertx).await();
      vertx.close().await();
      System.exit(0);
    }
    Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(db.url())).using(vertx).build();
    pool.withTransaction(c -> c.query("SET LOCAL synchronous_commit = on").execute()
        .compose(x -> c.query("CREATE TABLE crash_t (id integer PRIMARY KEY, v text)").execute())
        .compose(x -> c.query("INSERT INTO crash_t VALUES (1, 'written before the crash')").execute())).await();
    System.out.println("READY " + db.postmasterPid() + " " + db.watchdogPid());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
