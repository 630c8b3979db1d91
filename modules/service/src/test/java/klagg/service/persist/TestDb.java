package klagg.service.persist;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.UUID;

/**
 * A throw-away database on the machine's PostgreSQL (127.0.0.1:5432, user postgres, trust auth), or on
 * the server of {@code KLAGG_TEST_DB_URL}: created per test class, dropped after.
 */
public final class TestDb implements AutoCloseable {
  public final String name;
  public final PgConnectOptions options;
  private final Vertx vertx = Vertx.vertx();
  private final Pool pool;

  private TestDb(String name, PgConnectOptions options) {
    this.name = name;
    this.options = options;
    this.pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(options).using(vertx).build();
  }

  public static PgConnectOptions server() {
    String url = System.getenv().getOrDefault("KLAGG_TEST_DB_URL", "postgresql://postgres@127.0.0.1:5432/postgres");
    return PgConnectOptions.fromUri(url);
  }

  /** Creates {@code klagg_test_<random>}; call from a test thread (blocks). */
  public static TestDb create() {
    String name = "klagg_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    PgConnectOptions admin = server();
    Vertx v = Vertx.vertx();
    try {
      Pool p = PgBuilder.pool().connectingTo(admin).using(v).build();
      p.query("CREATE DATABASE " + name).execute().await();
      p.close().await();
    } finally {
      v.close().await();
    }
    return new TestDb(name, new PgConnectOptions(admin).setDatabase(name));
  }

  /** The URL of this database (through {@code port} instead of the server's, when &gt; 0). */
  public String url(int port) {
    String auth = options.getUser() + (options.getPassword() == null || options.getPassword().isEmpty() ? ""
        : ":" + options.getPassword());
    return "postgresql://" + auth + "@" + options.getHost() + ":" + (port > 0 ? port : options.getPort()) + "/" + name;
  }

  public String url() {
    return url(0);
  }

  public int port() {
    return options.getPort();
  }

  public String host() {
    return options.getHost();
  }

  /** A pool on this database for the test's own checks. */
  public Pool pool() {
    return pool;
  }

  @Override
  public void close() {
    pool.close().await();
    Pool p = PgBuilder.pool().connectingTo(server()).using(vertx).build();
    p.query("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").execute().await();
    p.close().await();
    vertx.close().await();
  }
}
