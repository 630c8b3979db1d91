package klagg.sim;

import static klagg.sim.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Collections;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class AdminLoopbackTest {
  static String nonLoopbackAddress() throws Exception {
    for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!ni.isUp() || ni.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(ni.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
          return a.getHostAddress();
        }
      }
    }
    return null;
  }

  @Test
  void faultsOnlyFromLoopback(Vertx vertx) throws Exception {
    String ip = nonLoopbackAddress();
    Assumptions.assumeTrue(ip != null, "no non-loopback IPv4 address on this machine");
    SimConfig c = TestSupport.cfg();
    c.host = "0.0.0.0";
    Simulator sim = await(Simulator.start(vertx, c));
    WebClient client = WebClient.create(vertx);
    int remote = await(client.postAbs("http://" + ip + ":" + sim.port() + "/sim/faults")
        .sendJsonObject(new JsonObject().put("skipAggIds", 1))).statusCode();
    assertThat(remote).isEqualTo(403);
    int local = await(client.postAbs("http://127.0.0.1:" + sim.port() + "/sim/faults")
        .sendJsonObject(new JsonObject().put("skipAggIds", 1))).statusCode();
    assertThat(local).isEqualTo(200);
    // status is readable from anywhere
    assertThat(await(client.getAbs("http://" + ip + ":" + sim.port() + "/sim/status").send()).statusCode()).isEqualTo(200);
    java.lang.ref.Reference.reachabilityFence(client);
    await(sim.close());
  }
}
