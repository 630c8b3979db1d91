package klagg.service.persist;

import static klagg.service.persist.Rows.counter;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.service.Addresses;
import klagg.service.PersistenceVerticle;
import klagg.service.msg.Codecs;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The database going away (a TCP proxy cut between the verticle and PostgreSQL). */
@ExtendWith(VertxExtension.class)
class PersistOutageTest {
  @RegisterExtension
  static final TestDb db = TestDb.perClass();
  static int schemas;
  String schema;
  TcpProxy proxy;

  @BeforeEach
  void setUp(Vertx vertx) {
    Codecs.register(vertx);
    schema = "o" + (++schemas);
    proxy = new TcpProxy(vertx, db.host(), db.port());
    proxy.open().await();
  }

  private String deploy(Vertx vertx, JsonObject persistence, int symbols) {
    String id = vertx.deployVerticle(new PersistenceVerticle(Rows.config(db.url(proxy.port()), schema, persistence)))
        .await();
    Rows.symbols(vertx, symbols);
    return id;
  }

  /**
   * Under a steady load (every 20 ms a cycle of 10 symbols x 2 intervals; the "minute" turns every 400
   * ms, closing the previous klines) the database is cut for 6 s. The verticle keeps taking cycles, and
   * once the database is back every closed kline is stored exactly, with nothing dropped.
   */
  @Test
  @Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
  void closedKlinesSurviveADatabaseOutage(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject().put("flushMs", 200).put("retryBaseMs", 100).put("retryMaxMs", 1000)
        .put("statementTimeoutMs", 3000), 10);
    long t0 = 1_699_833_600_000L;
    Map<String, Kline> closed = new HashMap<>();
    long[] cycle = {0};
    long[] maxGap = {0};
    long[] last = {System.currentTimeMillis()};
    double[] receivedAtCut = {0};
    double[] receivedAtReturn = {0};
    double[] depthBeforeReturn = {0};
    long start = System.currentTimeMillis();
    Promise<Void> done = Promise.promise();
    vertx.setPeriodic(20, id -> {
      long now = System.currentTimeMillis();
      maxGap[0] = Math.max(maxGap[0], now - last[0]);
      last[0] = now;
      long c = ++cycle[0];
      long minute = (now - start) / 400;
      List<Kline> ks = new ArrayList<>();
      for (int s = 0; s < 10; s++) {
        for (Interval iv : List.of(Interval.M1, Interval.M5)) {
          long open = t0 + minute * iv.fixedLength();
          ks.add(Rows.kline(s, iv, open, false, c * 100 + s * 2 + iv.ordinal()));
          if (c > 1 && (now - 20 - start) / 400 < minute) { // the minute turned: close the previous kline
            Kline k = Rows.kline(s, iv, open - iv.fixedLength(), true, -(c * 100 + s * 2 + iv.ordinal()));
            ks.add(k);
            closed.put(Rows.key(k), k);
          }
        }
      }
      vertx.eventBus().send(Addresses.PERSIST, Rows.update(c, ks));
      if (now - start >= 11_000) {
        vertx.cancelTimer(id);
        done.complete();
      }
    });
    // 2 s of normal operation, a 6 s cut, then 3 s more
    vertx.setTimer(2_000, x -> {
      receivedAtCut[0] = counter(vertx, "klagg_persist_rows_received");
      proxy.close();
    });
    vertx.setTimer(8_000, x -> {
      receivedAtReturn[0] = counter(vertx, "klagg_persist_rows_received");
      depthBeforeReturn[0] = Rows.gauge(vertx, "klagg_persist_buffer_rows");
      proxy.open();
    });
    done.future().await();
    Rows.untilAsync(vertx, "every closed kline stored", 30_000, () -> Rows.stored(db.pool(), schema).map(m -> {
      synchronized (closed) {
        return closed.values().stream().allMatch(k -> m.get(Rows.key(k)) != null && Rows.same(k, m.get(Rows.key(k))));
      }
    })).await();
    Map<String, Row> rows = Rows.stored(db.pool(), schema).await();
    for (Kline k : closed.values()) {
      Rows.assertSame(k, rows.get(Rows.key(k)));
    }
    System.out.printf("outage: %d cycles, %d closed klines stored; rows received during the cut %.0f, buffer before "
        + "return %.0f, retries %.0f, statements %.0f, max gap between cycles %d ms%n", cycle[0], closed.size(),
        receivedAtReturn[0] - receivedAtCut[0], depthBeforeReturn[0], counter(vertx, "klagg_persist_retries"),
        counter(vertx, "klagg_persist_statements"), maxGap[0]);
    assertThat(closed.size()).isGreaterThan(20 * 20);
    // it kept taking cycles through the cut (300 cycles x 20+ rows in 6 s), holding them in the buffer
    assertThat(receivedAtReturn[0] - receivedAtCut[0]).isGreaterThan(200 * 20);
    assertThat(depthBeforeReturn[0]).isGreaterThan(0);
    assertThat(maxGap[0]).isLessThan(1_000);
    assertThat(counter(vertx, "klagg_persist_retries")).isGreaterThan(0);
    assertThat(counter(vertx, "klagg_persist_dropped", "kind", "closed")).isZero();
    assertThat(counter(vertx, "klagg_persist_dropped", "kind", "open")).isZero();
    ctx.completeNow();
  }

  /** Stopping while the database is away gives up after persistence.stopTimeoutMs (and logs the keys). */
  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void stopIsBoundedWhenTheDatabaseIsAway(Vertx vertx, VertxTestContext ctx) {
    String id = deploy(vertx, new JsonObject().put("flushMs", 100).put("retryBaseMs", 100).put("retryMaxMs", 200)
        .put("stopTimeoutMs", 1000), 2);
    proxy.close().await();
    List<Kline> ks = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ks.add(Rows.kline(i % 2, Interval.M1, 1_700_000_040_000L + 60_000L * (i / 2), i < 4, i));
    }
    vertx.eventBus().send(Addresses.PERSIST, Rows.update(1, ks));
    Rows.until(vertx, "a failed write", 10_000, () -> counter(vertx, "klagg_persist_retries") > 0).await();
    long t0 = System.currentTimeMillis();
    vertx.undeploy(id).await();
    long took = System.currentTimeMillis() - t0;
    assertThat(took).isBetween(900L, 5_000L);
    assertThat(Rows.count(db.pool(), schema, "").await()).isZero();
    ctx.completeNow();
  }

  /**
   * A buffer of 100 rows while the database is cut: 60 closed + 200 open rows drop 160 open ones;
   * 80 more closed rows drop the 40 open ones left, then the 40 oldest closed ones. Once the database
   * is back the 100 remaining closed klines are stored.
   */
  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void overflowDropsOpenKlinesBeforeClosedOnes(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject().put("maxBufferRows", 100).put("flushMs", 100).put("retryBaseMs", 100)
        .put("retryMaxMs", 300), 10);
    proxy.close().await();
    long t0 = 1_700_000_040_000L;
    List<Kline> first = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      first.add(Rows.kline(i % 10, Interval.M1, t0 + 60_000L * (i / 10), true, i));
    }
    for (int i = 0; i < 200; i++) {
      first.add(Rows.kline(i % 10, Interval.M5, t0 + 300_000L * (i / 10), false, 1000 + i));
    }
    vertx.eventBus().send(Addresses.PERSIST, Rows.update(1, first));
    Rows.until(vertx, "160 open rows dropped", 10_000,
        () -> counter(vertx, "klagg_persist_dropped", "kind", "open") == 160).await();
    assertThat(counter(vertx, "klagg_persist_dropped", "kind", "closed")).isZero();
    List<Kline> second = new ArrayList<>();
    for (int i = 60; i < 140; i++) {
      second.add(Rows.kline(i % 10, Interval.M1, t0 + 60_000L * (i / 10), true, i));
    }
    vertx.eventBus().send(Addresses.PERSIST, Rows.update(2, second));
    Rows.until(vertx, "40 closed rows dropped", 10_000,
        () -> counter(vertx, "klagg_persist_dropped", "kind", "closed") == 40).await();
    assertThat(counter(vertx, "klagg_persist_dropped", "kind", "open")).isEqualTo(200);
    assertThat(counter(vertx, "klagg_persist_rows_received")).isEqualTo(340);
    proxy.open().await();
    Rows.untilAsync(vertx, "100 closed klines stored", 20_000,
        () -> Rows.count(db.pool(), schema, "").map(n -> n == 100)).await();
    Map<String, Row> rows = Rows.stored(db.pool(), schema).await();
    // the oldest 40 closed klines went; the other 100 are stored exactly; no open kline survived
    for (int i = 0; i < 140; i++) {
      Kline k = i < 60 ? first.get(i) : second.get(i - 60);
      if (i < 40) {
        assertThat(rows).doesNotContainKey(Rows.key(k));
      } else {
        Rows.assertSame(k, rows.get(Rows.key(k)));
      }
    }
    assertThat(counter(vertx, "klagg_persist_dropped", "kind", "closed")).isEqualTo(40);
    ctx.completeNow();
  }
}
