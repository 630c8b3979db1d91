package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** db.url + db.user/db.password/db.options → connection options. */
class PersistConnectOptionsTest {
  static PgConnectOptions opts(String url, Map<String, String> env) {
    return PersistenceVerticle.connectOptions(KlaggConfig.of(new JsonObject(), env), url, true);
  }

  @Test
  void credentialsComeFromTheUrlOrElseFromConfig() {
    PgConnectOptions a = opts("postgresql://alice:s3cret@db.example:6543/klines", Map.of());
    assertThat(a.getUser()).isEqualTo("alice");
    assertThat(a.getPassword()).isEqualTo("s3cret");
    assertThat(a.getHost()).isEqualTo("db.example");
    assertThat(a.getPort()).isEqualTo(6543);
    assertThat(a.getDatabase()).isEqualTo("klines");
    PgConnectOptions b = opts("postgresql://bob@db.example/klines", Map.of("KLAGG_DB_PASSWORD", "fromenv"));
    assertThat(b.getUser()).isEqualTo("bob");
    assertThat(b.getPassword()).isEqualTo("fromenv");
    PgConnectOptions c = opts("postgresql://db.example/klines", Map.of("KLAGG_DB_USER", "carol", "KLAGG_DB_PASSWORD", "pw"));
    assertThat(c.getUser()).isEqualTo("carol");
    assertThat(c.getPassword()).isEqualTo("pw");
    PgConnectOptions d = opts("postgresql://db.example/klines", Map.of());
    assertThat(d.getUser()).isEqualTo("postgres");
    assertThat(d.getPassword()).isEmpty();
  }

  @Test
  void serverParameters() {
    PgConnectOptions o = opts("postgresql://h/db", Map.of("KLAGG_PERSISTENCE_STATEMENTTIMEOUTMS", "1234"));
    assertThat(o.getProperties()).containsEntry("application_name", "klagg").containsEntry("statement_timeout", "1234");
    PgConnectOptions p = PersistenceVerticle.connectOptions(KlaggConfig.of(new JsonObject().put("db", new JsonObject()
        .put("options", new JsonObject().put("statement_timeout", "0").put("search_path", "klagg"))), Map.of()),
        "postgresql://h/db", true);
    assertThat(p.getProperties()).containsEntry("statement_timeout", "0").containsEntry("search_path", "klagg");
  }
}
