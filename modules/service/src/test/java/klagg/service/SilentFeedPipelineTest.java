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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.core.KlineDelta;
import klagg.service.msg.CycleUpdate;
import klagg.service.persist.TcpProxy;
import klagg.service.persist.TestDb;
import klagg.sim.SimConfig;
import klagg.sim.SimInterval;
import klagg.sim.SimMarket;
import klagg.sim.Simulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A silent feed (the socket stays open, nothing arrives) is held like a dead one: the exchange's
 * connection goes quiet across a minute boundary while the exchange keeps trading (its REST keeps
 * serving the trades), and for the first seconds of the stall every connection to it is silent
 * too. The connection is suspected within seconds, the minute is not closed with trades missing
 * (every kline ever published as closed equals the exchange's), the silent connection is replaced
 * once a spare delivers, and the stored 1m/5m series equal the exchange's.
 */
@ExtendWith(VertxExtension.class)
class SilentFeedPipelineTest {
  @RegisterExtension
  static final TestDb db = TestDb.perClass();

  @Test
  @Timeout(value = 5, timeUnit = TimeUnit.MINUTES)
  void aSilentFeedHoldsItsMinuteUntilTheTradesAreInAndIsReplaced(Vertx vertx, VertxTestContext ctx) {
    long wall = System.currentTimeMillis();
    long start = (wall / 300_000L + 2) * 300_000L - 60_000; // server time: a minute before a 5m boundary
    int symbols = 20;
    SimConfig sc = new SimConfig();
    sc.port = 0;
    sc.symbols = symbols;
    sc.rate = 200;
    sc.seed = 23;
    sc.timeOffsetMs = start - wall;
    Simulator sim = Simulator.start(vertx, sc).await();
    TcpProxy proxy = new TcpProxy(vertx, "127.0.0.1", sim.port());
    proxy.open().await();
    Harness h = new Harness(vertx);
    h.simulator = sim;
    JsonObject conf = Harness.config(start, symbols, 23);
    conf.getJsonObject("sim").put("enabled", false);
    conf.put("db", new JsonObject().put("url", db.url()));
    conf.put("persistence", new JsonObject().put("flushMs", 500));
    conf.put("exchange", new JsonObject().put("venue", "sim").put("restBaseUrl", sim.restBaseUrl())
        .put("wsBaseUrl", "ws://127.0.0.1:" + proxy.port())
        .put("stream", new JsonObject().put("reconnectBaseMs", 200).put("reconnectMaxMs", 1_000)));
    // every closed kline the gateway ever publishes (to subscribers and to persistence), in order
    List<Kline> published = Collections.synchronizedList(new ArrayList<>());
    vertx.eventBus().<CycleUpdate>localConsumer(Addresses.CYCLE, m -> {
      for (KlineDelta d : m.body().deltas()) {
        for (int i = 0; i < d.size(); i++) {
          if (d.closed(i)) {
            published.add(d.get(i, new Kline()));
          }
        }
      }
    });
    h.start(conf).await();
    h.await("symbols seeded", 30_000, () -> h.cycles > 5).await();
    h.settled(60_000).await();
    // the boundary the stall spans: normally the 5m one; later if start-up was slow, since the
    // connection needs some history before its own rate says what silence is
    long boundary = ((h.serverNow() + 28_000) / 60_000 + 1) * 60_000;
    long stallAt = boundary - 8_000;
    h.await("8 s before the boundary", 90_000, () -> h.serverNow() >= stallAt).await();

    long stalledAt = System.currentTimeMillis();
    proxy.blackholeOpen(); // the connection stays open, nothing arrives, ever again
    sim.applyFaults(new JsonObject().put("stallMs", 25_000)).await(); // and for 25 s no other either
    h.await("the silent connection suspected", 15_000, () -> ingestPolled(vertx).getLong("silentConnections", 0L) > 0).await();
    long suspectedAfter = System.currentTimeMillis() - stalledAt;
    h.await("the silent connection replaced", 120_000, () -> ingestPolled(vertx).getLong("replacements", 0L) > 0).await();
    long replacedAfter = System.currentTimeMillis() - stalledAt;
    h.await("the next minute closed", 120_000, () -> h.serverNow() > boundary + 63_000).await();
    h.settled(60_000).await();
    Map<Integer, String> names = h.names().await();
    JsonObject st = ingest(vertx);
    System.out.printf("silent feed: suspected %d ms, replaced %d ms after the stall began; %s%n", suspectedAfter,
        replacedAfter, st.encode());

    // every publication of a kline that closed while the feed was silent equals the exchange's final one
    SimMarket market = sim.market();
    List<String> wrong = new ArrayList<>();
    int held = 0;
    synchronized (published) {
      for (Kline k : published) {
        if (k.openTime <= stallAt && k.closeTime < boundary + 60_000 && k.closeTime >= stallAt) {
          held++;
          String diff = differs(market, names.get(k.symbol), k);
          if (diff != null) {
            wrong.add(diff);
          }
        }
      }
    }
    assertThat(wrong).as("klines published as closed with trades missing (corrected later)").isEmpty();
    assertThat(held).as("closed klines spanning the silence").isGreaterThanOrEqualTo(symbols);
    assertThat(h.compareWithExchange(names, boundary + 60_000)).isGreaterThanOrEqualTo(symbols * 2);
    assertThat(st.getLong("silences")).isPositive();
    assertThat(st.getLong("replacements")).isPositive();
    assertThat(st.getLong("silentConnections")).isZero();

    // the stored series: every symbol has both minutes, and every stored 1m/5m kline equals the exchange's
    h.await("both minutes stored for every symbol", 30_000, () -> storedCount(boundary) >= 2L * names.size()).await();
    List<String> diffs = new ArrayList<>();
    int compared = 0;
    for (Row r : db.pool().preparedQuery("SELECT symbol, interval, open_time, open::text, high::text, low::text, "
            + "close::text, volume::text, close_time, quote_volume::text, trades, taker_buy_volume::text, "
            + "taker_buy_quote_volume::text FROM klines WHERE interval IN ('1m', '5m') AND closed AND close_time < $1")
        .execute(Tuple.of(boundary + 60_000)).await()) {
      var info = market.symbol(r.getString(0));
      Interval iv = Interval.parse(r.getString(1));
      var theirs = market.klines(info, SimInterval.parse(iv.code()), r.getLong(2), r.getLong(2), 1);
      if (theirs.isEmpty()) {
        diffs.add(r.getString(0) + " " + iv.code() + " " + r.getLong(2) + ": not at the exchange");
        continue;
      }
      JsonArray exch = theirs.get(0).toRestRow();
      Object[] ours = {r.getLong(2), r.getString(3), r.getString(4), r.getString(5), r.getString(6), r.getString(7),
          r.getLong(8), r.getString(9), r.getLong(10), r.getString(11), r.getString(12)};
      for (int i = 0; i < 11; i++) {
        boolean same = ours[i] instanceof String
            ? new BigDecimal((String) ours[i]).compareTo(new BigDecimal(exch.getValue(i).toString())) == 0
            : ((Long) ours[i]).longValue() == Long.parseLong(exch.getValue(i).toString());
        if (!same) {
          diffs.add(r.getString(0) + " " + iv.code() + " " + Instant.ofEpochMilli(r.getLong(2)) + " field " + i
              + ": stored " + ours[i] + ", exchange " + exch.getValue(i));
        }
      }
      compared++;
    }
    assertThat(diffs).as("stored klines that differ from the exchange's").isEmpty();
    assertThat(compared).isGreaterThanOrEqualTo(2 * names.size());
    h.service.stop().await();
    ctx.completeNow();
  }

  private final java.util.concurrent.atomic.AtomicReference<JsonObject> lastIngest =
      new java.util.concurrent.atomic.AtomicReference<>(new JsonObject());
  private final java.util.concurrent.atomic.AtomicLong lastStored = new java.util.concurrent.atomic.AtomicLong();

  /** For conditions checked on the event loop: the last answer, and a new request. */
  private JsonObject ingestPolled(Vertx vertx) {
    vertx.eventBus().<JsonObject>request(Addresses.STATUS_INGEST, new JsonObject())
        .onSuccess(m -> lastIngest.set(m.body()));
    return lastIngest.get();
  }

  private static JsonObject ingest(Vertx vertx) {
    return vertx.eventBus().<JsonObject>request(Addresses.STATUS_INGEST, new JsonObject()).await().body();
  }

  /** For conditions checked on the event loop: the last count, and a new query. */
  private long storedCount(long boundary) {
    db.pool().preparedQuery("SELECT count(*) FROM klines WHERE interval = '1m' AND closed AND close_time IN ($1, $2)")
        .execute(Tuple.of(boundary - 1, boundary + 59_999))
        .onSuccess(rs -> lastStored.set(rs.iterator().next().getLong(0)));
    return lastStored.get();
  }

  /** Null when the kline equals the exchange's, else a description. */
  private static String differs(SimMarket market, String sym, Kline k) {
    var info = market.symbol(sym);
    List<klagg.sim.SimKline> theirs = market.klines(info, SimInterval.parse(k.interval.code()), k.openTime, k.openTime, 1);
    String ours = ControlJson.kline(k, info.priceDigits, info.qtyDigits).encode();
    String exch = theirs.isEmpty() ? "none" : new JsonArray(theirs.get(0).toRestRow().getList().subList(0, 11)).encode();
    return ours.equals(exch) ? null
        : sym + " " + k.interval.code() + " " + Instant.ofEpochMilli(k.openTime) + "\n  ours " + ours + "\n  exch " + exch;
  }
}
