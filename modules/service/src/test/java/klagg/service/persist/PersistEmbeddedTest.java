package klagg.service.persist;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.service.Addresses;
import klagg.service.KlaggConfig;
import klagg.service.PersistenceVerticle;
import klagg.service.msg.Codecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** No db.url: a real embedded PostgreSQL, its data kept across restarts, stopped on undeploy. */
@ExtendWith(VertxExtension.class)
class PersistEmbeddedTest {
  @TempDir
  Path dir;

  @Test
  @Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
  void embeddedDatabaseKeepsKlinesAcrossRestarts(Vertx vertx, VertxTestContext ctx) {
    Codecs.register(vertx);
    Path data = dir.resolve("pg");
    KlaggConfig cfg = KlaggConfig.of(new JsonObject()
        .put("db", new JsonObject().put("dataDir", data.toString()))
        .put("persistence", new JsonObject().put("flushMs", 60_000)), Map.of());
    long t0 = System.currentTimeMillis();
    String id = vertx.deployVerticle(new PersistenceVerticle(cfg)).await();
    long firstStart = System.currentTimeMillis() - t0;
    assertThat(data.resolve("PG_VERSION")).exists();
    Rows.symbols(vertx, 2);
    List<Kline> ks = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ks.add(Rows.kline(i % 2, Interval.M1, 1_700_000_040_000L + 60_000L * (i / 2), i < 8, 500 + i));
    }
    vertx.eventBus().send(Addresses.PERSIST, Rows.update(1, ks));
    Rows.until(vertx, "rows buffered", 10_000, () -> Rows.counter(vertx, "klagg_persist_rows_received") == 10).await();
    // undeploy writes the buffered rows (flushMs is a minute) and stops the server
    vertx.undeploy(id).await();
    assertThat(Files.exists(data.resolve("postmaster.pid"))).as("server stopped").isFalse();

    t0 = System.currentTimeMillis();
    id = vertx.deployVerticle(new PersistenceVerticle(cfg)).await();
    long secondStart = System.currentTimeMillis() - t0;
    JsonArray btc = vertx.eventBus().<JsonObject>request(Addresses.HISTORY_QUERY, new JsonObject()
        .put("symbol", "BTCUSDT").put("interval", "1m").put("limit", 10)).await().body().getJsonArray("klines");
    assertThat(btc).hasSize(5);
    for (int i = 0; i < 5; i++) {
      Kline k = ks.get(2 * i);
      assertThat(btc.getJsonArray(i).getLong(0)).isEqualTo(k.openTime);
      assertThat(btc.getJsonArray(i).getString(7)).isEqualTo(k.quoteVolumeDecimal().toPlainString());
    }
    JsonArray latest = vertx.eventBus().<JsonObject>request(Addresses.HISTORY_LATEST, new JsonObject()).await().body()
        .getJsonArray("latest");
    assertThat(latest).hasSize(2);
    assertThat(latest.getJsonObject(0).getLong("openTime")).isEqualTo(ks.get(8).openTime);
    assertThat(latest.getJsonObject(0).getBoolean("closed")).isFalse();
    vertx.undeploy(id).await();
    System.out.printf("embedded PostgreSQL: first start (initdb) %d ms, restart %d ms%n", firstStart, secondStart);
    ctx.completeNow();
  }
}
