package klagg.sim;

import static klagg.sim.TestSupport.await;
import static klagg.sim.TestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class WeightLimitTest {
  @Test
  void overTheLimitGives429WithRetryAfter(Vertx vertx) {
    SimConfig c = TestSupport.cfg();
    c.weightLimitPerMinute = 30;
    Simulator sim = await(Simulator.start(vertx, c));
    // keep the whole exchange inside one server minute
    long now = sim.now();
    sim.setTimeOffsetMs(Math.floorDiv(now, 60_000L) * 60_000L + 1_000 - System.currentTimeMillis());
    WebClient client = WebClient.create(vertx);
    HttpResponse<Buffer> r = get(client, sim, "/api/v3/exchangeInfo"); // 20
    assertThat(r.getHeader("X-MBX-USED-WEIGHT-1m")).isEqualTo("20");
    r = get(client, sim, "/api/v3/aggTrades?symbol=BTCUSDT&limit=1"); // 24
    assertThat(r.getHeader("X-MBX-USED-WEIGHT-1m")).isEqualTo("24");
    r = get(client, sim, "/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1"); // 26
    assertThat(r.statusCode()).isEqualTo(200);
    r = get(client, sim, "/api/v3/exchangeInfo"); // 46 > 30
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.bodyAsJsonObject().getInteger("code")).isEqualTo(-1003);
    assertThat(Integer.parseInt(r.getHeader("Retry-After"))).isBetween(1, 60);
    assertThat(r.getHeader("X-MBX-USED-WEIGHT-1m")).isEqualTo("46");
    // a new server minute resets the counter
    sim.setTimeOffsetMs(sim.clock().offsetMs() + 60_000L);
    assertThat(get(client, sim, "/api/v3/time").getHeader("X-MBX-USED-WEIGHT-1m")).isEqualTo("1");
    await(sim.close());
  }
}
