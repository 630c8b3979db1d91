package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FenceTokensTest {
  @Test
  void eachOwnerTakesALargerTokenThanAnyBeforeAndThanTheLostOwners() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      assertThat(get(FenceTokens.take(vertx, 0, 0))).isEqualTo(1);
      assertThat(get(FenceTokens.take(vertx, 0, 0))).isEqualTo(2);
      assertThat(get(FenceTokens.take(vertx, 1, 0))).as("shards count apart").isEqualTo(1);
      // an adopter whose counter has not heard of the lost owner's token 10 yet
      assertThat(get(FenceTokens.take(vertx, 0, 10))).isEqualTo(11);
      assertThat(get(FenceTokens.newest(vertx, 0))).isEqualTo(11);
      assertThat(get(FenceTokens.take(vertx, 0, 3))).isEqualTo(12);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static long get(io.vertx.core.Future<Long> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
