package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import klagg.service.persist.TcpProxy;
import klagg.sim.SimConfig;
import klagg.sim.Simulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A dead feed is not a quiet market: while the exchange's WebSocket is unreachable across a minute
 * boundary, no flat kline is invented for it; once it is back, the missed minute is repaired and
 * equals the exchange's.
 */
@ExtendWith(VertxExtension.class)
class DeadFeedPipelineTest {

  @Test
  @Timeout(value = 3, timeUnit = TimeUnit.MINUTES)
  void theDeadFeedsMinutesAreRepairedNotFaked(Vertx vertx, VertxTestContext ctx) {
    long wall = System.currentTimeMillis();
    long boundary = (wall / 60_000L + 2) * 60_000L;
    SimConfig sc = new SimConfig();
    sc.port = 0;
    sc.symbols = 30;
    sc.rate = 300;
    sc.seed = 19;
    sc.timeOffsetMs = boundary - 25_000 - wall;
    Harness h = new Harness(vertx);
    AtomicLong closedForMinuteWhileDown = new AtomicLong(-1);
    long minute = boundary - 60_000;
    Simulator[] sim = new Simulator[1];
    TcpProxy[] proxy = new TcpProxy[1];
    Simulator.start(vertx, sc)
        .compose(s -> {
          sim[0] = s;
          h.simulator = s;
          proxy[0] = new TcpProxy(vertx, "127.0.0.1", s.port());
          return proxy[0].open().map(v -> proxy[0].port());
        })
        .compose(proxyPort -> {
          JsonObject conf = Harness.config(boundary - 25_000, 30, 19);
          conf.getJsonObject("sim").put("enabled", false);
          conf.put("exchange", new JsonObject().put("venue", "sim").put("restBaseUrl", sim[0].restBaseUrl())
              .put("wsBaseUrl", "ws://127.0.0.1:" + proxyPort)
              .put("stream", new JsonObject().put("reconnectBaseMs", 200).put("reconnectMaxMs", 1_000)));
          return h.start(conf);
        })
        .compose(s -> h.await("symbols seeded", 30_000, () -> h.cycles > 5))
        .compose(v -> proxy[0].close())
        .compose(v -> h.await("the boundary and the grace window, feed down", 60_000, () -> h.serverNow() > boundary + 8_000))
        .compose(v -> {
          closedForMinuteWhileDown.set(h.closed.values().stream()
              .filter(k -> k.interval == klagg.core.Interval.M1 && k.openTime == minute).count());
          return proxy[0].open();
        })
        .compose(v -> h.await("the missed minute repaired for every symbol", 60_000,
            () -> h.closed.values().stream().filter(k -> k.interval == klagg.core.Interval.M1 && k.openTime == minute).count() >= 30))
        .compose(v -> h.settled(60_000))
        .compose(v -> h.names())
        .onComplete(ctx.succeeding(names -> ctx.verify(() -> {
          assertThat(closedForMinuteWhileDown.get()).as("1m klines closed for the minute while the feed was down").isZero();
          h.compareWithExchange(names, boundary + 1);
          ctx.completeNow();
        })));
  }

}
