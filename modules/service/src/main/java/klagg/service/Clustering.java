package klagg.service;

import com.hazelcast.config.Config;
import com.hazelcast.config.XmlConfigBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A clustered Vert.x on Hazelcast: the bundled loopback config or a given one, bound to {@code host}. */
public final class Clustering {
  private Clustering() {}

  public static Config hazelcast(String host, Path file) throws IOException {
    Config hz;
    try (InputStream in = file != null ? Files.newInputStream(file) : Clustering.class.getResourceAsStream("/klagg/cluster.xml")) {
      hz = new XmlConfigBuilder(in).build();
    }
    if (host != null && !host.isEmpty()) {
      // a host name (e.g. a compose service) is resolved: Hazelcast's interface takes an address
      String ip = java.net.InetAddress.getByName(host).getHostAddress();
      hz.setProperty("hazelcast.local.localAddress", ip);
      hz.getNetworkConfig().getInterfaces().setEnabled(true).clear().addInterface(ip);
    }
    return hz;
  }

  public static Vertx start(String host, Path file) throws Exception {
    return start(host, file, new VertxOptions());
  }

  public static Vertx start(String host, Path file, VertxOptions options) throws Exception {
    options.getEventBusOptions().setHost(host).setClusterPublicHost(host);
    return Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(hazelcast(host, file)))
        .buildClustered().toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
  }
}
