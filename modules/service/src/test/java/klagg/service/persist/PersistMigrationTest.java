package klagg.service.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import klagg.service.KlaggConfig;
import klagg.service.PersistenceVerticle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Versioned migrations: applied once, recorded, idempotent; a broken one stops start-up naming its file. */
@ExtendWith(VertxExtension.class)
class PersistMigrationTest {
  @RegisterExtension
  static final TestDb db = TestDb.perClass();

  private List<String> versions(String schema) {
    List<String> out = new ArrayList<>();
    for (Row r : db.pool().query("SELECT version, file FROM " + schema + ".schema_version ORDER BY version").execute().await()) {
      out.add(r.getInteger(0) + " " + r.getString(1));
    }
    return out;
  }

  private List<String> tables(String schema) {
    List<String> out = new ArrayList<>();
    for (Row r : db.pool().query("SELECT table_name FROM information_schema.tables WHERE table_schema = '" + schema
        + "' ORDER BY table_name").execute().await()) {
      out.add(r.getString(0));
    }
    return out;
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void migrationsAreAppliedOnceAndRerunsAreNoOps(Vertx vertx, VertxTestContext ctx) {
    KlaggConfig cfg = Rows.config(db.url(), "mig_ok", new JsonObject());
    String id = vertx.deployVerticle(new PersistenceVerticle(cfg)).await();
    assertThat(versions("mig_ok")).containsExactly("1 V1__klines.sql", "2 V2__last_agg_id.sql");
    assertThat(tables("mig_ok")).containsExactly("klines", "schema_version");
    String appliedAt = db.pool().query("SELECT applied_at::text FROM mig_ok.schema_version").execute().await()
        .iterator().next().getString(0);
    vertx.undeploy(id).await();
    // a restart: nothing re-applied
    id = vertx.deployVerticle(new PersistenceVerticle(cfg)).await();
    vertx.undeploy(id).await();
    assertThat(versions("mig_ok")).containsExactly("1 V1__klines.sql", "2 V2__last_agg_id.sql");
    assertThat(db.pool().query("SELECT applied_at::text FROM mig_ok.schema_version").execute().await()
        .iterator().next().getString(0)).isEqualTo(appliedAt);
    // and directly: zero applied; concurrent runs serialize on the advisory lock
    var pool = db.pool();
    int again = Migrations.migrate(vertx, pool, "mig_ok", Migrations.DEFAULT_LOCATION).await();
    assertThat(again).isZero();
    var a = Migrations.migrate(vertx, pool, "mig_race", Migrations.DEFAULT_LOCATION);
    var b = Migrations.migrate(vertx, pool, "mig_race", Migrations.DEFAULT_LOCATION);
    assertThat(a.await() + b.await()).as("each migration applied once").isEqualTo(2);
    assertThat(versions("mig_race")).containsExactly("1 V1__klines.sql", "2 V2__last_agg_id.sql");
    // the primary key serves range reads by (symbol, interval, open_time)
    String def = pool.query("SELECT indexdef FROM pg_indexes WHERE schemaname = 'mig_ok' AND tablename = 'klines'")
        .execute().await().iterator().next().getString(0);
    assertThat(def).contains("UNIQUE").contains("(symbol, \"interval\", open_time)");
    ctx.completeNow();
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void aBrokenMigrationStopsStartNamingTheFile(Vertx vertx, VertxTestContext ctx) {
    KlaggConfig cfg = Rows.config(db.url(), "mig_bad", new JsonObject());
    Throwable e = vertx.deployVerticle(new PersistenceVerticle(cfg, "db/migration-broken")).<Throwable>map(x -> null)
        .otherwise(t -> t).await();
    assertThat(e).isNotNull();
    System.out.println("broken migration: " + e.getMessage());
    assertThat(e.getMessage()).contains("V2__broken.sql").contains("SELEC");
    // V1 applied and recorded; V2 rolled back as a whole (its first statement too) and not recorded
    assertThat(versions("mig_bad")).containsExactly("1 V1__first.sql");
    assertThat(tables("mig_bad")).containsExactly("first_table", "schema_version");
    assertThat(vertx.deploymentIDs()).isEmpty();
    ctx.completeNow();
  }

  @Test
  void migrationFilesAreFoundInOrder() {
    assertThat(Migrations.load("db/migration")).extracting(Migrations.Migration::file).startsWith("V1__klines.sql");
    assertThat(Migrations.load("db/migration-broken")).extracting(Migrations.Migration::file)
        .containsExactly("V1__first.sql", "V2__broken.sql");
    assertThatThrownBy(() -> Migrations.load("db/nowhere")).hasMessageContaining("db/nowhere");
  }

  @Test
  void configKeysAreValidated() {
    KlaggConfig d = KlaggConfig.of(new JsonObject(), Map.of());
    assertThat(d.getString("db.url")).isEmpty();
    assertThat(d.getString("db.schema")).isEqualTo("public");
    assertThat(d.getLong("persistence.flushMs")).isEqualTo(5000);
    assertThat(d.getLong("persistence.flushRows")).isEqualTo(1000);
    assertThat(d.getLong("persistence.maxInFlight")).isEqualTo(2);
    assertThat(d.getLong("persistence.maxBufferRows")).isEqualTo(200000);
    assertThat(d.getLong("persistence.stopTimeoutMs")).isEqualTo(10000);
    KlaggConfig env = KlaggConfig.of(new JsonObject(), Map.of("KLAGG_DB_URL", "postgresql://u:p@db:5432/klagg",
        "KLAGG_PERSISTENCE_FLUSHROWS", "500", "KLAGG_DB_POOLSIZE", "8"));
    assertThat(env.getString("db.url")).isEqualTo("postgresql://u:p@db:5432/klagg");
    assertThat(env.getLong("persistence.flushRows")).isEqualTo(500);
    assertThat(env.getLong("db.poolSize")).isEqualTo(8);
    assertThatThrownBy(() -> KlaggConfig.of(new JsonObject().put("db", new JsonObject().put("schema", "x; drop")), Map.of()))
        .hasMessageContaining("db.schema");
    assertThatThrownBy(() -> KlaggConfig.of(new JsonObject().put("db", new JsonObject().put("url", "mysql://x")), Map.of()))
        .hasMessageContaining("db.url");
    assertThatThrownBy(() -> KlaggConfig.of(new JsonObject().put("persistence", new JsonObject().put("flushRows", 0)), Map.of()))
        .hasMessageContaining("persistence.flushRows");
    assertThatThrownBy(() -> KlaggConfig.of(new JsonObject().put("persistence", new JsonObject().put("flushEvery", 1)), Map.of()))
        .hasMessageContaining("persistence.flushEvery");
    assertThatThrownBy(() -> KlaggConfig.of(new JsonObject().put("persistence", new JsonObject().put("retryBaseMs", 5000)
        .put("retryMaxMs", 100)), Map.of())).hasMessageContaining("persistence.retryMaxMs");
    assertThat(KlaggConfig.of(new JsonObject().put("db", new JsonObject().put("options", new JsonObject()
        .put("statement_timeout", "60000"))), Map.of()).getString("db.options.statement_timeout")).isEqualTo("60000");
  }
}
