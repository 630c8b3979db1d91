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

/**
 * Seeds under a short weight budget: those the window cannot pay in full (klines and aggregate
 * trades) wait for the next minute open and come back with the stream's proof, costing only klines.
 * Every closed kline still equals the exchange's, the first minute seeded from a proof included.
 */
@ExtendWith(VertxExtension.class)
class SeedProofPipelineTest {

  @Test
  @Timeout(value = 4, timeUnit = TimeUnit.MINUTES)
  void deferredSeedsComeBackWithTheStreamsProofAndAreExact(Vertx vertx, VertxTestContext ctx) {
    Harness h = new Harness(vertx);
    long now = System.currentTimeMillis();
    long open = Interval.M1.openOf(now) + 120_000; // a minute open 20 to 80 s after the start
    JsonObject conf = Harness.config(open - 20_000, 30, 11);
    // 150 weight a window: exchangeInfo (20), then about 15 full seeds (8 each); the others must wait
    conf.put("exchange", new JsonObject().put("rest", new JsonObject().put("weightBudget", 150)));
    conf.put("clock", new JsonObject().put("refreshMs", 30_000));
    h.start(conf)
        .compose(s -> h.await("the minute after the open closed", 150_000, () -> h.serverNow() > open + 63_000))
        .compose(v -> h.settled(60_000))
        .compose(v -> h.names().compose(names -> h.sim().status().map(st -> new Object[] {names, st})))
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          @SuppressWarnings("unchecked")
          var names = (java.util.Map<Integer, String>) both[0];
          var reg = KlaggMetrics.of(vertx);
          double proof = reg.get("klagg_exchange_seeds").tag("kind", "proof").functionCounter().count();
          double deferred = reg.get("klagg_exchange_seeds").tag("kind", "deferred").functionCounter().count();
          double full = reg.get("klagg_exchange_seeds").tag("kind", "full").functionCounter().count();
          System.out.printf("seeds: %.0f full, %.0f deferred, %.0f from the stream's proof; aggTrades requests %s%n",
              full, deferred, proof, ((JsonObject) both[1]).getJsonObject("restByEndpoint").getValue("aggTrades"));
          assertThat(deferred).as("seeds told to wait for a proof").isPositive();
          assertThat(proof).as("seeds from the stream's proof").isPositive();
          assertThat(full + proof).as("every symbol seeded").isGreaterThanOrEqualTo(30);
          JsonObject rest = ((JsonObject) both[1]).getJsonObject("restByEndpoint");
          assertThat(rest.getJsonObject("aggTrades").getLong("requests")).as("aggTrades requests")
              .isLessThan(30);
          // every symbol's 1m kline of the minute after the open: seeded from a proof or in full
          assertThat(h.closed.values().stream().filter(k -> k.interval == Interval.M1 && k.openTime == open).count())
              .as("1m klines of the minute after the open").isEqualTo(30);
          int compared = h.compareWithExchange(names, h.serverNow() - 5_000);
          assertThat(compared).isGreaterThanOrEqualTo(30);
          ctx.completeNow();
        })));
  }
}
