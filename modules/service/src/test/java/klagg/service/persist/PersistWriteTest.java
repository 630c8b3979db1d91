package klagg.service.persist;

import static klagg.service.persist.Rows.counter;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.service.Addresses;
import klagg.service.PersistenceVerticle;
import klagg.service.msg.Codecs;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** CycleUpdates in, exact rows out; coalescing; flush triggers; stop; history queries. */
@ExtendWith(VertxExtension.class)
class PersistWriteTest {
  @RegisterExtension
  static final TestDb db = TestDb.perClass();
  static int schemas;
  String schema;

  @BeforeEach
  void setUp(Vertx vertx) {
    Codecs.register(vertx);
    schema = "w" + (++schemas);
  }

  private String deploy(Vertx vertx, JsonObject persistence, int symbols) {
    String id = vertx.deployVerticle(new PersistenceVerticle(Rows.config(db.url(), schema, persistence))).await();
    Rows.symbols(vertx, symbols);
    return id;
  }

  private Map<String, Row> stored() {
    return Rows.stored(db.pool(), schema).await();
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void rowsAreStoredExactlyAndBadRowsSkipped(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject().put("flushMs", 100), 3);
    List<Kline> ks = new ArrayList<>();
    long t0 = 1_700_000_040_000L;
    long seed = 1;
    for (int s = 0; s < 3; s++) {
      for (Interval iv : List.of(Interval.M1, Interval.H1, Interval.W1)) {
        ks.add(Rows.kline(s, iv, t0, seed % 3 != 0, seed++));
      }
    }
    // the largest values a row can carry: 64-bit mantissas, quote volumes near 2^127
    Kline big = Rows.kline(0, Interval.M5, t0, true, 99);
    big.open = big.high = big.close = Long.MAX_VALUE;
    big.low = 1;
    big.volume = Long.MAX_VALUE;
    big.quoteHi = Long.MAX_VALUE;
    big.quoteLo = -1;
    big.takerBuyQuoteHi = 1L << 62;
    big.takerBuyQuoteLo = Long.MIN_VALUE;
    ks.add(big);
    // bad rows: unknown symbol id, a scale no decimal has, a close before the open
    Kline unknown = Rows.kline(7, Interval.M1, t0, true, 1000);
    Kline badScale = Rows.kline(1, Interval.M15, t0, true, 1001);
    badScale.priceScale = -3;
    Kline badTime = Rows.kline(2, Interval.M15, t0, true, 1002);
    badTime.closeTime = t0 - 1;
    List<Kline> all = new ArrayList<>(ks);
    all.addAll(List.of(unknown, badScale, badTime));
    vertx.eventBus().send(Addresses.PERSIST, Rows.update(1, all));

    Rows.untilAsync(vertx, "rows stored", 20_000, () -> Rows.count(db.pool(), schema, "").map(n -> n >= ks.size())).await();
    Map<String, Row> rows = stored();
    assertThat(rows).hasSize(ks.size());
    for (Kline k : ks) {
      Rows.assertSame(k, rows.get(Rows.key(k)));
    }
    // the 128-bit quote volume compared by the database itself
    BigDecimal q = big.quoteVolumeDecimal();
    assertThat(q.unscaledValue().bitLength()).isGreaterThan(64);
    long eq = db.pool().preparedQuery("SELECT count(*) FROM " + schema + ".klines WHERE quote_volume = $1::text::numeric "
        + "AND taker_buy_quote_volume = $2::text::numeric").execute(Tuple.of(q.toPlainString(),
        big.takerBuyQuoteVolumeDecimal().toPlainString())).await().iterator().next().getLong(0);
    assertThat(eq).isEqualTo(1);
    assertThat(counter(vertx, "klagg_persist_rows_received")).isEqualTo(all.size());
    assertThat(counter(vertx, "klagg_persist_rows_rejected", "reason", "unknown_symbol")).isEqualTo(1);
    assertThat(counter(vertx, "klagg_persist_rows_rejected", "reason", "bad_scale")).isEqualTo(1);
    assertThat(counter(vertx, "klagg_persist_rows_rejected", "reason", "bad_time")).isEqualTo(1);
    assertThat(counter(vertx, "klagg_persist_rows_written")).isEqualTo(ks.size());

    // a closed kline is final: a later open version of it is not stored
    Kline reopened = Rows.kline(0, Interval.M1, t0, false, 4242);
    Kline closedAgain = Rows.kline(0, Interval.H1, t0, true, 4343); // a correction of a closed kline is stored
    vertx.eventBus().send(Addresses.PERSIST, Rows.update(2, List.of(reopened, closedAgain)));
    Rows.untilAsync(vertx, "correction stored", 20_000, () -> Rows.stored(db.pool(), schema)
        .map(m -> Rows.same(closedAgain, m.get(Rows.key(closedAgain))))).await();
    Rows.assertSame(ks.get(0), stored().get(Rows.key(reopened)));
    ctx.completeNow();
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void rowsOfAFencedShardOwnerAreNotStored(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject().put("flushMs", 100), 2);
    long t0 = 1_700_000_040_000L;
    Kline newer = Rows.kline(0, Interval.M1, t0, true, 1);
    Kline stale = Rows.kline(0, Interval.M1, t0, true, 2); // the same kline from the owner that was fenced
    Kline other = Rows.kline(1, Interval.M1, t0, true, 3); // another shard's, under its own first token
    vertx.eventBus().send(Addresses.PERSIST, new klagg.service.msg.CycleUpdate(1, 0,
        List.of(new klagg.core.KlineDelta.Builder(1).add(newer).build(1).fenced(0, 7))));
    vertx.eventBus().send(Addresses.PERSIST, new klagg.service.msg.CycleUpdate(2, 0,
        List.of(new klagg.core.KlineDelta.Builder(1).add(stale).build(9).fenced(0, 5),
            new klagg.core.KlineDelta.Builder(1).add(other).build(1).fenced(1, 5))));
    Rows.untilAsync(vertx, "rows stored", 20_000, () -> Rows.count(db.pool(), schema, "").map(n -> n >= 2)).await();
    Map<String, Row> rows = stored();
    Rows.assertSame(newer, rows.get(Rows.key(newer)));
    Rows.assertSame(other, rows.get(Rows.key(other)));
    assertThat(counter(vertx, "klagg_persist_rows_rejected", "reason", "fenced")).isEqualTo(1);
    ctx.completeNow();
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void coalescesUpdatesToTheSameKeys(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject().put("flushMs", 300).put("flushRows", 100_000), 10);
    int keys = 40; // 10 symbols x 4 intervals
    List<Interval> ivs = List.of(Interval.M1, Interval.M5, Interval.H1, Interval.D1);
    long t0 = 1_699_833_600_000L; // a Monday 00:00 UTC: every interval opens there
    AtomicLong sent = new AtomicLong();
    List<Kline> last = new ArrayList<>();
    long runMs = 3_000;
    long start = System.currentTimeMillis();
    // a steady stream: every 10 ms a new version of every key
    io.vertx.core.Promise<Void> streamed = io.vertx.core.Promise.promise();
    vertx.setPeriodic(10, id -> {
      long n = sent.incrementAndGet();
      List<Kline> ks = new ArrayList<>(keys);
      for (int s = 0; s < 10; s++) {
        for (Interval iv : ivs) {
          ks.add(Rows.kline(s, iv, t0, false, n * 1000 + s * 10 + iv.ordinal()));
        }
      }
      vertx.eventBus().send(Addresses.PERSIST, Rows.update(n, ks));
      if (System.currentTimeMillis() - start >= runMs) {
        vertx.cancelTimer(id);
        synchronized (last) {
          last.addAll(ks);
        }
        streamed.complete();
      }
    });
    streamed.future().await();
    long elapsed = System.currentTimeMillis() - start;
    Rows.untilAsync(vertx, "the last versions stored", 20_000, () -> Rows.stored(db.pool(), schema).map(m -> {
      synchronized (last) {
        return last.stream().allMatch(k -> m.get(Rows.key(k)) != null && Rows.same(k, m.get(Rows.key(k))));
      }
    })).await();
    double updates = counter(vertx, "klagg_persist_rows_received");
    double statements = counter(vertx, "klagg_persist_statements");
    double written = counter(vertx, "klagg_persist_rows_written");
    long flushes = elapsed / 300 + 3;
    System.out.printf("coalescing: %.0f updates of %d keys in %d ms -> %.0f statements, %.0f rows written%n",
        updates, keys, elapsed, statements, written);
    assertThat(updates).isEqualTo(sent.get() * keys).isGreaterThan(100.0 * keys);
    assertThat(statements).isBetween(2.0, (double) flushes);
    assertThat(written).isLessThanOrEqualTo(statements * keys).isLessThan(updates / 10);
    ctx.completeNow();
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void flushRowsTriggersBeforeFlushMsAndStopWritesTheRest(Vertx vertx, VertxTestContext ctx) {
    // 12 symbols x 10 closed klines: a batch takes whole symbols until it holds flushRows
    String id = deploy(vertx, new JsonObject().put("flushMs", 600_000).put("flushRows", 50), 12);
    List<Kline> ks = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      ks.add(Rows.kline(i % 12, Interval.M1, 1_700_000_040_000L + 60_000L * (i / 12), true, i));
    }
    vertx.eventBus().send(Addresses.PERSIST, Rows.update(1, ks));
    Rows.until(vertx, "two batches of 5 symbols", 20_000, () -> counter(vertx, "klagg_persist_rows_written") == 100).await();
    assertThat(counter(vertx, "klagg_persist_statements")).isEqualTo(2);
    assertThat(Rows.gauge(vertx, "klagg_persist_buffer_rows")).isEqualTo(20);
    // undeploy writes the 20 still waiting
    vertx.undeploy(id).await();
    Map<String, Row> rows = stored();
    assertThat(rows).hasSize(120);
    for (Kline k : ks) {
      Rows.assertSame(k, rows.get(Rows.key(k)));
    }
    ctx.completeNow();
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void openKlinesWaitForTheTimedRoundOnlyClosedOnesForFlushRows(Vertx vertx, VertxTestContext ctx) {
    // open klines change every cycle: writing them whenever flushRows of them wait would write each
    // one every cycle; they wait for flushMs (a minute here) while closed ones go out at flushRows
    // open klines of symbols 0-1, closed ones of symbols 2-3 (a batch takes every waiting row of
    // each symbol it takes, so closed klines of a symbol with open ones waiting take those along)
    String id = deploy(vertx, new JsonObject().put("flushMs", 60_000).put("flushRows", 50), 4);
    List<Kline> open = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      open.add(Rows.kline(i % 2, Interval.M1, 1_700_000_040_000L + 60_000L * (i / 2), false, i));
    }
    List<Kline> closed = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      closed.add(Rows.kline(2 + i % 2, Interval.M5, 1_700_000_100_000L + 300_000L * (i / 2), true, 500 + i));
    }
    vertx.eventBus().send(Addresses.PERSIST, Rows.update(1, open));
    vertx.eventBus().send(Addresses.PERSIST, Rows.update(2, closed));
    Rows.until(vertx, "the closed klines written", 20_000, () -> counter(vertx, "klagg_persist_rows_written") == 50).await();
    assertThat(counter(vertx, "klagg_persist_statements")).isEqualTo(1);
    assertThat(Rows.gauge(vertx, "klagg_persist_buffer_rows")).as("open klines still waiting").isEqualTo(120);
    Map<String, Row> written = stored();
    for (Kline k : closed) {
      Rows.assertSame(k, written.get(Rows.key(k)));
    }
    // undeploy writes the open ones
    vertx.undeploy(id).await();
    assertThat(stored()).hasSize(170);
    ctx.completeNow();
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void historyQueriesReturnBinanceRows(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject().put("flushMs", 50), 2);
    long t0 = 1_700_000_040_000L;
    List<Kline> ks = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ks.add(Rows.kline(0, Interval.M1, t0 + 60_000L * i, i < 9, 10 + i));
    }
    ks.add(Rows.kline(0, Interval.H1, 1_699_999_200_000L, false, 77));
    ks.add(Rows.kline(1, Interval.M1, t0, true, 78));
    Kline exact = ks.get(3);
    exact.open = 6_543_210_000_000L; // 65432.10000000
    vertx.eventBus().send(Addresses.PERSIST, Rows.update(1, ks));
    Rows.untilAsync(vertx, "rows stored", 20_000, () -> Rows.count(db.pool(), schema, "").map(n -> n == ks.size())).await();

    JsonArray all = query(vertx, new JsonObject().put("symbol", "BTCUSDT").put("interval", "1m").put("limit", 1000));
    assertThat(all).hasSize(10);
    for (int i = 0; i < 10; i++) {
      Kline k = ks.get(i);
      JsonArray row = all.getJsonArray(i);
      assertThat(row).hasSize(11);
      assertThat(row.getLong(0)).isEqualTo(k.openTime);
      assertThat(row.getString(1)).isEqualTo(k.openDecimal().toPlainString());
      assertThat(row.getString(2)).isEqualTo(k.highDecimal().toPlainString());
      assertThat(row.getString(3)).isEqualTo(k.lowDecimal().toPlainString());
      assertThat(row.getString(4)).isEqualTo(k.closeDecimal().toPlainString());
      assertThat(row.getString(5)).isEqualTo(k.volumeDecimal().toPlainString());
      assertThat(row.getLong(6)).isEqualTo(k.closeTime);
      assertThat(row.getString(7)).isEqualTo(k.quoteVolumeDecimal().toPlainString());
      assertThat(row.getLong(8)).isEqualTo(k.count);
      assertThat(row.getString(9)).isEqualTo(k.takerBuyVolumeDecimal().toPlainString());
      assertThat(row.getString(10)).isEqualTo(k.takerBuyQuoteVolumeDecimal().toPlainString());
    }
    assertThat(all.getJsonArray(3).getString(1)).isEqualTo("65432.10000000");
    // Binance's rules: a start time reads forward from it; without one, the last `limit` up to the end
    JsonArray fromStart = query(vertx, new JsonObject().put("symbol", "BTCUSDT").put("interval", "1m")
        .put("startTime", t0 + 60_000L * 2).put("limit", 3));
    assertThat(openTimes(fromStart)).containsExactly(t0 + 120_000L, t0 + 180_000L, t0 + 240_000L);
    JsonArray window = query(vertx, new JsonObject().put("symbol", "BTCUSDT").put("interval", "1m")
        .put("startTime", t0 + 60_000L).put("endTime", t0 + 180_000L).put("limit", 500));
    assertThat(openTimes(window)).containsExactly(t0 + 60_000L, t0 + 120_000L, t0 + 180_000L);
    JsonArray lastTwo = query(vertx, new JsonObject().put("symbol", "BTCUSDT").put("interval", "1m")
        .put("endTime", t0 + 300_000L).put("limit", 2));
    assertThat(openTimes(lastTwo)).containsExactly(t0 + 240_000L, t0 + 300_000L);
    // printed at Binance's digits on request
    JsonArray printed = query(vertx, new JsonObject().put("symbol", "BTCUSDT").put("interval", "1m")
        .put("startTime", t0 + 180_000L).put("limit", 1).put("priceDigits", 2).put("qtyDigits", 8));
    assertThat(printed.getJsonArray(0).getString(1)).isEqualTo("65432.10");
    assertThat(printed.getJsonArray(0).getString(5)).isEqualTo(exact.volumeDecimal().setScale(8).toPlainString());
    assertThat(query(vertx, new JsonObject().put("symbol", "NOPE").put("interval", "1m"))).isEmpty();
    // bad requests fail with 400
    ReplyException bad = (ReplyException) vertx.eventBus().request(Addresses.HISTORY_QUERY,
        new JsonObject().put("symbol", "BTCUSDT").put("interval", "2m")).<Throwable>map(m -> null)
        .otherwise(e -> e).await();
    assertThat(bad.failureCode()).isEqualTo(400);
    assertThat(bad.getMessage()).contains("2m");

    JsonArray latest = vertx.eventBus().<JsonObject>request(Addresses.HISTORY_LATEST, new JsonObject()).await()
        .body().getJsonArray("latest");
    assertThat(latest).hasSize(3);
    JsonObject btc1m = latest.getJsonObject(0);
    assertThat(btc1m.getString("symbol")).isEqualTo("BTCUSDT");
    assertThat(btc1m.getString("interval")).isEqualTo("1h"); // ordered by symbol, then interval text
    JsonObject m1 = latest.stream().map(o -> (JsonObject) o)
        .filter(o -> o.getString("symbol").equals("BTCUSDT") && o.getString("interval").equals("1m")).findFirst().get();
    Kline newest = ks.get(9);
    assertThat(m1.getLong("openTime")).isEqualTo(newest.openTime);
    assertThat(m1.getBoolean("closed")).isFalse();
    assertThat(m1.getLong("firstTradeId")).isEqualTo(newest.firstId);
    assertThat(m1.getLong("lastTradeId")).isEqualTo(newest.lastId);
    assertThat(m1.getJsonArray("kline")).isEqualTo(all.getJsonArray(9));
    assertThat(latest.getJsonObject(2).getString("symbol")).isEqualTo("ETHUSDT");
    assertThat(latest.getJsonObject(2).getBoolean("closed")).isTrue();
    ctx.completeNow();
  }

  private static JsonArray query(Vertx vertx, JsonObject q) {
    return vertx.eventBus().<JsonObject>request(Addresses.HISTORY_QUERY, q).await().body().getJsonArray("klines");
  }

  private static List<Long> openTimes(JsonArray a) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      out.add(a.getJsonArray(i).getLong(0));
    }
    return out;
  }


}
