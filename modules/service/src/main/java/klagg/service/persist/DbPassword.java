package klagg.service.persist;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded server's password: initdb (as zonky runs it) trusts every local connection, so any
 * user of the machine could connect as the superuser. On the first start (and on the first start of a
 * data directory made by an older klagg) a random password is generated, kept in the data directory
 * ({@value EmbeddedDatabase#PASSWORD_FILE}, mode 0600, like the directory itself), set on the
 * {@code postgres} role, and {@code pg_hba.conf} is rewritten to require it (SCRAM) on every
 * connection. Each step is redone until the last one is: the file is written before the role gets the
 * password and the role before {@code pg_hba.conf} changes, so a crash in between never locks klagg
 * out of its own data.
 */
final class DbPassword {
  private static final Logger log = LoggerFactory.getLogger(DbPassword.class);
  static final String HBA = "pg_hba.conf";
  static final String HBA_CONTENT = """
      # written by klagg: every connection needs the password kept in klagg-db.password (mode 0600)
      local   all   all                  scram-sha-256
      host    all   all   127.0.0.1/32   scram-sha-256
      host    all   all   ::1/128        scram-sha-256
      """;

  private DbPassword() {
  }

  /** The password of {@code dir}'s server, securing the server first if it still trusts connections. */
  static String secure(Path dir, EmbeddedPostgres pg) throws IOException {
    Path file = dir.resolve(EmbeddedDatabase.PASSWORD_FILE);
    String password = read(dir);
    if (password.isEmpty()) {
      password = generate();
      write(file, password);
    }
    Path hba = dir.resolve(HBA);
    if (!Files.readString(hba, StandardCharsets.UTF_8).equals(HBA_CONTENT)) {
      try (Connection c = pg.getPostgresDatabase(Map.of("password", password)).getConnection();
          Statement st = c.createStatement()) {
        // a generated base64url string: nothing in it needs quoting
        st.execute("ALTER ROLE postgres PASSWORD '" + password + "'");
        Path tmp = dir.resolve(HBA + ".klagg-tmp");
        Files.writeString(tmp, HBA_CONTENT, StandardCharsets.UTF_8);
        Files.move(tmp, hba, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        st.execute("SELECT pg_reload_conf()");
      } catch (SQLException e) {
        throw new IllegalStateException("cannot set the embedded PostgreSQL's password in " + dir + ": " + e.getMessage(), e);
      }
      log.info("embedded PostgreSQL now requires the password kept in {}", file);
    }
    return password;
  }

  /** The password kept in {@code dir}, or "" if none is yet. */
  static String read(Path dir) throws IOException {
    Path file = dir.resolve(EmbeddedDatabase.PASSWORD_FILE);
    return Files.exists(file) ? Files.readString(file, StandardCharsets.US_ASCII).trim() : "";
  }

  static String generate() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Writes the password readable by its owner only, created so (never world-readable for an instant). */
  private static void write(Path file, String password) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(tmp); // not a POSIX file system: the data directory's own protection applies
    }
    Files.writeString(tmp, password + "\n", StandardCharsets.US_ASCII);
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
