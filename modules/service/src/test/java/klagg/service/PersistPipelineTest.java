package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
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
import java.util.concurrent.TimeUnit;
import klagg.core.Interval;
import klagg.service.persist.TestDb;
import klagg.sim.SimInterval;
import klagg.sim.SimMarket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole service against its simulator, storing into PostgreSQL: stored klines equal the exchange's. */
@ExtendWith(VertxExtension.class)
class PersistPipelineTest {
  @RegisterExtension
  static final TestDb db = TestDb.perClass();

  @Test
  @Timeout(value = 2, timeUnit = TimeUnit.MINUTES)
  void storedKlinesEqualTheExchangesOwn(Vertx vertx, VertxTestContext ctx) {
    Harness h = new Harness(vertx);
    long now = System.currentTimeMillis();
    long boundary = (now / 60_000 + 1) * 60_000 + 10 * 60_000; // a minute boundary, in server time
    JsonObject conf = Harness.config(boundary - 15_000, 10, 11);
    conf.put("db", new JsonObject().put("url", db.url()));
    conf.put("persistence", new JsonObject().put("flushMs", 500));
    h.start(conf).await();
    h.await("the minute boundary plus grace", 60_000, () -> h.serverNow() > boundary + 2_500).await();
    var names = h.names().await();
    // the closed klines arrive within a flush or two (later when the machine is loaded: await, with a deadline)
    long[] stored = {0};
    h.await("every symbol's closed 1m kline stored", 30_000, () -> {
      db.pool().preparedQuery("SELECT count(*) FROM klines WHERE interval = '1m' AND closed AND close_time = $1")
          .execute(Tuple.of(boundary - 1)).onSuccess(rs -> stored[0] = rs.iterator().next().getLong(0));
      return stored[0] >= names.size();
    }).await();
    System.out.printf("pipeline: %d closed 1m klines stored %d ms (server time) after their close%n", stored[0],
        h.serverNow() - boundary);
    SimMarket market = h.service.simulator().market();
    List<String> diffs = new ArrayList<>();
    int compared = 0;
    var rows = db.pool().preparedQuery("SELECT symbol, open_time, open::text, high::text, low::text, close::text, "
        + "volume::text, close_time, quote_volume::text, trades, taker_buy_volume::text, taker_buy_quote_volume::text "
        + "FROM klines WHERE interval = '1m' AND closed AND close_time = $1 ORDER BY symbol")
        .execute(Tuple.of(boundary - 1)).await();
    for (Row r : rows) {
      var info = market.symbol(r.getString(0));
      JsonArray exch = market.klines(info, SimInterval.M1, r.getLong(1), r.getLong(1), 1).get(0).toRestRow();
      Object[] ours = {r.getLong(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getString(6),
          r.getLong(7), r.getString(8), r.getLong(9), r.getString(10), r.getString(11)};
      for (int i = 0; i < 11; i++) {
        boolean same = ours[i] instanceof String
            ? new BigDecimal((String) ours[i]).compareTo(new BigDecimal(exch.getValue(i).toString())) == 0
            : ((Long) ours[i]).longValue() == Long.parseLong(exch.getValue(i).toString());
        if (!same) {
          diffs.add(r.getString(0) + " field " + i + ": stored " + ours[i] + ", exchange " + exch.getValue(i));
        }
      }
      compared++;
    }
    assertThat(diffs).isEmpty();
    assertThat(compared).as("closed 1m klines stored for the boundary").isEqualTo(names.size()).isEqualTo(10);
    h.service.stop().await();
    ctx.completeNow();
  }
}
