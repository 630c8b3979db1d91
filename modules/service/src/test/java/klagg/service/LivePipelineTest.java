package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import klagg.core.Interval;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The live pipeline against the simulator over real sockets: klines identical to the exchange's. */
@ExtendWith(VertxExtension.class)
class LivePipelineTest {

  /**
   * 50 symbols, 4 workers, default intervals; server time put 45 s before a Monday midnight so every
   * interval from 1m to 1w closes during the test. Every closed kline equals the simulator's.
   */
  @Test
  @Timeout(value = 3, timeUnit = TimeUnit.MINUTES)
  void everyClosedKlineEqualsTheExchangesOwn(Vertx vertx, VertxTestContext ctx) {
    Harness h = new Harness(vertx);
    long boundary = Harness.nextWeekBoundary(System.currentTimeMillis());
    JsonObject conf = Harness.config(boundary - 45_000, 50, 7);
    h.start(conf)
        .compose(s -> h.await("the week boundary plus grace", 90_000, () -> h.serverNow() > boundary + 4_000))
        .compose(v -> h.settled(60_000))
        .compose(v -> h.names())
        .onComplete(ctx.succeeding(names -> ctx.verify(() -> {
          int compared = h.compareWithExchange(names, boundary + 1);
          // all 50 symbols closed every default interval at the boundary
          for (Interval iv : Interval.DEFAULTS) {
            assertThat(h.closed.values().stream().filter(k -> k.interval == iv && k.closeTime == boundary - 1).count())
                .as("%s klines closed at the boundary", iv.code()).isEqualTo(50);
          }
          assertThat(compared).isGreaterThanOrEqualTo(400);
          ctx.completeNow();
        })));
  }
}
