package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.core.KlineDelta;
import klagg.core.PullRequest;
import klagg.service.msg.Codecs;
import klagg.service.msg.CycleUpdate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gateway against a scripted worker shard whose answers come from two owners: the newer one
 * (token 7) and a stale one (token 5, e.g. back from a pause after its shard was adopted). Only the
 * newer owner's deltas are published; the stale ones are counted as fenced; the pulls name the
 * newest token; a stale owner's "fenced" failure is no miss of the shard.
 */
@ExtendWith(VertxExtension.class)
class GatewayFenceTest {
  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void onlyTheNewestOwnersDeltasArePublished(Vertx vertx, VertxTestContext ctx) {
    Codecs.register(vertx);
    KlaggConfig config = KlaggConfig.of(new JsonObject().put("workers", new JsonObject().put("instances", 1))
        .put("gateway", new JsonObject().put("pullIntervalMs", 50).put("pullTimeoutMs", 40)), Map.of());
    List<PullRequest> pulls = new CopyOnWriteArrayList<>();
    List<Long> published = new CopyOnWriteArrayList<>();
    AtomicInteger n = new AtomicInteger();
    // pulls 1-3: the new owner; 4-6: the stale owner's deltas; 7: the stale owner standing down; then the new owner
    vertx.eventBus().<PullRequest>consumer(Addresses.workerPull(0), m -> {
      pulls.add(m.body());
      int i = n.incrementAndGet();
      if (i == 7) {
        m.fail(Addresses.FENCED, "fenced");
        return;
      }
      long token = i >= 4 && i <= 6 ? 5 : 7;
      Kline k = new Kline();
      k.symbol = 1;
      k.interval = Interval.M1;
      k.openTime = 60_000L * i;
      k.closeTime = k.openTime + 59_999;
      k.closed = true;
      m.reply(new KlineDelta.Builder(1).add(k).build(i).fenced(0, token));
    });
    vertx.eventBus().<CycleUpdate>consumer(Addresses.CYCLE, m -> {
      for (KlineDelta d : m.body().deltas()) {
        published.add(d.fence());
      }
    });
    vertx.deployVerticle(new GatewayVerticle(config))
        .compose(id -> {
          io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
          vertx.setPeriodic(20, t -> {
            if (n.get() >= 10) {
              vertx.cancelTimer(t);
              p.complete();
            }
          });
          return p.future();
        })
        .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.STATUS_GATEWAY, new JsonObject()))
        .onComplete(ctx.succeeding(m -> ctx.verify(() -> {
          assertThat(published).as("fences of the published deltas").isNotEmpty().containsOnly(7L);
          JsonObject w = m.body().getJsonArray("workers").getJsonObject(0);
          assertThat(w.getLong("fence")).isEqualTo(7);
          assertThat(w.getLong("fenced")).as("3 stale deltas and 1 stand-down").isEqualTo(4);
          assertThat(w.getInteger("misses")).isZero();
          assertThat(pulls.get(0).fence()).as("nothing seen before the first answer").isZero();
          assertThat(pulls.subList(1, pulls.size())).allMatch(p -> p.fence() == 7);
          // acks: only the newest owner's epochs (the stale owner's never become the ack)
          assertThat(pulls.get(7).ack()).isEqualTo(3);
          ctx.completeNow();
        })));
  }
}
