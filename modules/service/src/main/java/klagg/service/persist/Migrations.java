package klagg.service.persist;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned SQL migrations: {@code V<n>__<description>.sql} files in a classpath folder (by default
 * {@value #DEFAULT_LOCATION} inside the service jar), applied in version order, each in its own
 * transaction, and recorded in {@code <schema>.schema_version}. Applying twice is a no-op. In the
 * SQL, {@code ${schema}} stands for the quoted schema name; nothing is created outside that schema.
 * Concurrent starts are serialized by a transaction-scoped advisory lock.
 */
public final class Migrations {
  private static final Logger log = LoggerFactory.getLogger(Migrations.class);
  public static final String DEFAULT_LOCATION = "db/migration";
  private static final Pattern NAME = Pattern.compile("V(\\d+)__([A-Za-z0-9_.-]+)\\.sql");

  /** One migration file. */
  public record Migration(int version, String file, String sql, String checksum) {}

  /** A migration that cannot be loaded or applied; the message names the file. */
  public static final class MigrationException extends RuntimeException {
    public MigrationException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private Migrations() {}

  /** The quoted identifier of a schema name already validated as a plain identifier. */
  public static String quote(String schema) {
    return "\"" + schema.replace("\"", "\"\"") + "\"";
  }

  /** Reads the migrations of a classpath folder, in version order (blocking: file and jar reads). */
  public static List<Migration> load(String location) {
    ClassLoader cl = Migrations.class.getClassLoader();
    URL url = cl.getResource(location);
    if (url == null) {
      throw new MigrationException("no migrations folder '" + location + "' on the classpath", null);
    }
    List<String> names = new ArrayList<>();
    try {
      if ("jar".equals(url.getProtocol())) {
        JarURLConnection c = (JarURLConnection) url.openConnection();
        c.setUseCaches(false);
        try (JarFile jar = c.getJarFile()) {
          String prefix = location.endsWith("/") ? location : location + "/";
          for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
            String n = e.nextElement().getName();
            if (n.startsWith(prefix) && n.indexOf('/', prefix.length()) < 0 && n.length() > prefix.length()) {
              names.add(n.substring(prefix.length()));
            }
          }
        }
      } else {
        Path dir = Paths.get(url.toURI());
        try (Stream<Path> s = Files.list(dir)) {
          s.map(p -> p.getFileName().toString()).forEach(names::add);
        }
      }
    } catch (IOException | URISyntaxException e) {
      throw new MigrationException("cannot list migrations in '" + location + "': " + e.getMessage(), e);
    }
    TreeMap<Integer, Migration> byVersion = new TreeMap<>();
    for (String n : names) {
      if (!n.endsWith(".sql")) {
        continue;
      }
      Matcher m = NAME.matcher(n);
      if (!m.matches()) {
        throw new MigrationException("migration file " + n + " is not named V<version>__<description>.sql", null);
      }
      int version = Integer.parseInt(m.group(1));
      String sql;
      try (InputStream in = cl.getResourceAsStream(location + "/" + n)) {
        sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException | NullPointerException e) {
        throw new MigrationException("cannot read migration " + n + ": " + e.getMessage(), e);
      }
      Migration prev = byVersion.put(version, new Migration(version, n, sql, sha256(sql)));
      if (prev != null) {
        throw new MigrationException("migrations " + prev.file() + " and " + n + " have the same version " + version, null);
      }
    }
    return new ArrayList<>(byVersion.values());
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Loads (on a worker thread) and applies the migrations of {@code location} to {@code schema}.
   * Completes with the number applied now; fails with a {@link MigrationException} naming the file.
   */
  public static Future<Integer> migrate(Vertx vertx, Pool pool, String schema, String location) {
    return vertx.executeBlocking(() -> load(location), false)
        .compose(list -> prepare(pool, schema).compose(v -> checkNotNewer(pool, schema, list))
            .compose(v -> applyAll(pool, schema, list, 0, 0)));
  }

  /**
   * Refuses a schema that a newer klagg has migrated beyond the newest migration of {@code list}:
   * this build would misread (or write wrongly into) tables it does not know the shape of.
   */
  private static Future<Void> checkNotNewer(Pool pool, String schema, List<Migration> list) {
    int known = list.isEmpty() ? 0 : list.get(list.size() - 1).version();
    return pool.query("SELECT max(version) FROM " + quote(schema) + ".schema_version").execute()
        .recover(e -> Future.failedFuture(new MigrationException(
            "cannot read schema_version in schema " + schema + ": " + e.getMessage(), e)))
        .compose(rs -> {
          Integer found = rs.iterator().next().getInteger(0);
          if (found != null && found > known) {
            return Future.failedFuture(new MigrationException("database schema version " + found
                + " is newer than this klagg knows (" + known + "): schema " + schema
                + " was migrated by a newer klagg; run that version, or use another database (db.url, db.dataDir) "
                + "or db.schema", null));
          }
          return Future.succeededFuture();
        });
  }

  private static Future<Void> lock(SqlConnection c, String schema) {
    return c.preparedQuery("SELECT pg_advisory_xact_lock(hashtext($1))").execute(Tuple.of("klagg.migrate." + schema))
        .mapEmpty();
  }

  /** Creates the schema when missing (only then: no CREATE right is needed on the database otherwise). */
  private static Future<Void> prepare(Pool pool, String schema) {
    String q = quote(schema);
    return pool.withTransaction(c -> c.query("SET LOCAL client_min_messages = warning").execute()
        .compose(v -> lock(c, schema))
        .compose(v -> c.preparedQuery("SELECT 1 FROM pg_namespace WHERE nspname = $1").execute(Tuple.of(schema)))
        .compose(rs -> rs.size() > 0 ? Future.succeededFuture()
            : c.query("CREATE SCHEMA " + q).execute().onSuccess(x -> log.info("created schema {}", schema)))
        .compose(v -> c.query("CREATE TABLE IF NOT EXISTS " + q + ".schema_version (version integer PRIMARY KEY, "
            + "file text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), "
            + "took_ms integer NOT NULL)").execute())
        .<Void>mapEmpty())
        .recover(e -> Future.failedFuture(new MigrationException(
            "cannot prepare schema_version in schema " + schema + ": " + e.getMessage(), e)));
  }

  private static Future<Integer> applyAll(Pool pool, String schema, List<Migration> list, int i, int applied) {
    if (i == list.size()) {
      if (applied > 0) {
        log.info("schema {}: {} migration(s) applied, now at version {}", schema, applied, list.get(list.size() - 1).version());
      }
      return Future.succeededFuture(applied);
    }
    return apply(pool, schema, list.get(i)).compose(done -> applyAll(pool, schema, list, i + 1, applied + (done ? 1 : 0)));
  }

  private static Future<Boolean> apply(Pool pool, String schema, Migration m) {
    String q = quote(schema);
    long t0 = System.nanoTime();
    return pool.withTransaction(c -> lock(c, schema)
        .compose(v -> c.preparedQuery("SELECT checksum FROM " + q + ".schema_version WHERE version = $1")
            .execute(Tuple.of(m.version())))
        .compose(rs -> {
          if (rs.size() > 0) {
            Row r = rs.iterator().next();
            if (!m.checksum().equals(r.getString(0))) {
              log.warn("migration {} was applied with different contents (checksum changed); not re-applied", m.file());
            }
            return Future.succeededFuture(false);
          }
          return c.query("SET LOCAL statement_timeout = 0").execute()
              .compose(x -> c.query(m.sql().replace("${schema}", q)).execute())
              .compose(x -> c.preparedQuery("INSERT INTO " + q + ".schema_version (version, file, checksum, took_ms) "
                  + "VALUES ($1, $2, $3, $4)").execute(Tuple.of(m.version(), m.file(), m.checksum(),
                  (int) ((System.nanoTime() - t0) / 1_000_000))))
              .map(x -> {
                log.info("applied migration {} to schema {}", m.file(), schema);
                return true;
              });
        }))
        .recover(e -> Future.failedFuture(e instanceof MigrationException ? e
            : new MigrationException("database migration " + m.file() + " failed: " + e.getMessage(), e)));
  }
}
