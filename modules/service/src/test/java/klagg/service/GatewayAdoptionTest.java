package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.core.KlineDelta;
import klagg.core.PullRequest;
import klagg.service.msg.Codecs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gateway against a scripted worker shard that answers a few pulls under fencing token 3, then
 * falls silent while its consumer stays registered: what the gateway sees of a node that was paused
 * (SIGSTOP) or cut off while the cluster still lists it, so no pull ever finds "no handler". In a
 * cluster the shard is adopted once it has not answered for {@code gateway.adoptSilentAfterMs}, under
 * the silent owner's token; on a single node (nobody else could take it) it only goes stale.
 */
@ExtendWith(VertxExtension.class)
class GatewayAdoptionTest {
  static final long SILENT_AFTER_MS = 1_500;

  private Vertx vertx;

  @AfterEach
  void close() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static KlaggConfig config() {
    return KlaggConfig.of(new JsonObject().put("workers", new JsonObject().put("instances", 1))
        .put("gateway", new JsonObject().put("pullIntervalMs", 50).put("pullTimeoutMs", 40).put("breakerThreshold", 2)
            .put("breakerProbeMs", 100).put("adoptAfterMs", 300).put("adoptSilentAfterMs", SILENT_AFTER_MS)), Map.of());
  }

  /** Worker shard 0: answers its first five pulls under token 3, then never again; returns when it fell silent. */
  private static AtomicLong silentWorker(Vertx vertx) {
    AtomicInteger n = new AtomicInteger();
    AtomicLong silentSince = new AtomicLong();
    vertx.eventBus().<PullRequest>consumer(Addresses.workerPull(0), m -> {
      int i = n.incrementAndGet();
      if (i > 5) {
        return; // paused: the request stays unanswered, the registration stays
      }
      Kline k = new Kline();
      k.symbol = 1;
      k.interval = Interval.M1;
      k.openTime = 60_000L * i;
      k.closeTime = k.openTime + 59_999;
      m.reply(new KlineDelta.Builder(1).add(k).build(i).fenced(0, 3));
      silentSince.set(System.currentTimeMillis());
    });
    return silentSince;
  }

  @Test
  @Timeout(value = 2, timeUnit = TimeUnit.MINUTES)
  void inAClusterAShardWhoseNodeFallsSilentIsAdoptedUnderItsToken(VertxTestContext ctx) throws Exception {
    // a cluster of one, of its own: nothing else on this machine joins it
    Config hz = Clustering.hazelcast("127.0.0.1", null).setClusterName("klagg-gateway-test-" + UUID.randomUUID());
    vertx = Vertx.builder().withClusterManager(new HazelcastClusterManager(hz)).buildClustered()
        .toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
    Codecs.register(vertx);
    AtomicLong silentSince = silentWorker(vertx);
    List<JsonObject> adoptions = new CopyOnWriteArrayList<>();
    AtomicLong adoptedAt = new AtomicLong();
    vertx.eventBus().<JsonObject>consumer(Addresses.WORKERS_ADOPT, m -> {
      adoptedAt.compareAndSet(0, System.currentTimeMillis());
      adoptions.add(m.body());
      m.reply(new JsonObject().put("shard", m.body().getInteger("shard")).put("deployment", "test"));
    });
    vertx.deployVerticle(new GatewayVerticle(config()))
        .compose(id -> Harness.await(vertx, "an adoption request", 20_000, () -> !adoptions.isEmpty()))
        .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.STATUS_GATEWAY, new JsonObject()))
        .onComplete(ctx.succeeding(m -> ctx.verify(() -> {
          assertThat(adoptions).hasSize(1);
          assertThat(adoptions.get(0).getInteger("shard")).isZero();
          assertThat(adoptions.get(0).getLong("fence")).as("the silent owner's token, which the adopter's exceeds").isEqualTo(3);
          assertThat(adoptedAt.get() - silentSince.get()).as("silent for gateway.adoptSilentAfterMs first")
              .isGreaterThanOrEqualTo(SILENT_AFTER_MS);
          JsonObject w = m.body().getJsonArray("workers").getJsonObject(0);
          assertThat(w.getBoolean("adopting")).isTrue();
          assertThat(w.getString("breaker")).isEqualTo("open");
          ctx.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void onASingleNodeASilentShardGoesStaleAndIsNotAdopted(VertxTestContext ctx) {
    vertx = Vertx.vertx();
    Codecs.register(vertx);
    AtomicLong silentSince = silentWorker(vertx);
    AtomicInteger adoptions = new AtomicInteger();
    vertx.eventBus().<JsonObject>consumer(Addresses.WORKERS_ADOPT, m -> {
      adoptions.incrementAndGet();
      m.reply(new JsonObject().put("shard", m.body().getInteger("shard")).put("already", true));
    });
    vertx.deployVerticle(new GatewayVerticle(config()))
        // twice the silence bound: a scripted observation window, not a wait for a condition
        .compose(id -> Harness.await(vertx, "twice the silence bound past", 10_000,
            () -> silentSince.get() > 0 && System.currentTimeMillis() - silentSince.get() > 2 * SILENT_AFTER_MS))
        .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.STATUS_GATEWAY, new JsonObject()))
        .onComplete(ctx.succeeding(m -> ctx.verify(() -> {
          assertThat(adoptions.get()).as("adoption requests").isZero();
          JsonObject w = m.body().getJsonArray("workers").getJsonObject(0);
          assertThat(w.getBoolean("adopting")).isFalse();
          assertThat(w.getString("breaker")).isEqualTo("open");
          assertThat(w.getBoolean("stale")).isTrue();
          ctx.completeNow();
        })));
  }
}
