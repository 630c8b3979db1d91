package klagg.service.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded PostgreSQL does not trust any local user: its superuser has a generated password kept
 * in the data directory (mode 0600), asked on every connection, the same across restarts; a data
 * directory of an older klagg (trust) is secured on its next start.
 */
class EmbeddedPasswordTest {
  @TempDir
  Path dir;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void theServerAsksForTheGeneratedPasswordKeptInTheDataDirectory() throws Exception {
    Path data = dir.resolve("pg");
    EmbeddedDatabase db = EmbeddedDatabase.start(vertx, data, 0, 10_000).await();
    Path file = data.resolve(EmbeddedDatabase.PASSWORD_FILE);
    String password;
    try {
      assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
      password = Files.readString(file, StandardCharsets.US_ASCII).trim();
      assertThat(password).hasSizeGreaterThanOrEqualTo(32);
      assertThat(db.url()).contains(":" + password + "@127.0.0.1:");
      assertThat(select1(PgConnectOptions.fromUri(db.url()))).isEqualTo(1);
      // what trust allowed before: any local user as postgres, with no or any password
      PgConnectOptions wrong = PgConnectOptions.fromUri(db.url()).setPassword("not-the-password");
      assertThatThrownBy(() -> select1(wrong)).hasMessageContaining("password");
      PgConnectOptions none = PgConnectOptions.fromUri(db.url()).setPassword("");
      assertThatThrownBy(() -> select1(none)).isNotNull();
    } finally {
      db.stop(vertx).await();
    }

    // a restart keeps the password
    db = EmbeddedDatabase.start(vertx, data, 0, 10_000).await();
    try {
      assertThat(db.url()).contains(":" + password + "@");
      assertThat(select1(PgConnectOptions.fromUri(db.url()))).isEqualTo(1);
    } finally {
      db.stop(vertx).await();
    }

    // a data directory of an older klagg: trust for everyone, no password file
    Files.writeString(data.resolve(DbPassword.HBA), "local all all trust\nhost all all 127.0.0.1/32 trust\n"
        + "host all all ::1/128 trust\n");
    Files.delete(file);
    db = EmbeddedDatabase.start(vertx, data, 0, 10_000).await();
    try {
      String renewed = Files.readString(file, StandardCharsets.US_ASCII).trim();
      assertThat(renewed).isNotEqualTo(password);
      assertThat(Files.readString(data.resolve(DbPassword.HBA))).isEqualTo(DbPassword.HBA_CONTENT);
      assertThat(select1(PgConnectOptions.fromUri(db.url()))).isEqualTo(1);
      PgConnectOptions old = PgConnectOptions.fromUri(db.url()).setPassword(password);
      assertThatThrownBy(() -> select1(old)).hasMessageContaining("password");
    } finally {
      db.stop(vertx).await();
    }
  }

  private int select1(PgConnectOptions options) {
    Pool pool = PgBuilder.pool().connectingTo(options).using(vertx).build();
    try {
      return pool.query("SELECT 1").execute().await().iterator().next().getInteger(0);
    } finally {
      pool.close().await();
    }
  }
}
