package klagg.service;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code klagg run}: starts the service and keeps running until stopped (SIGTERM, Ctrl-C). */
@Command(name = "run", sortOptions = false,
    description = "Starts the service: live exact klines for every tracked symbol of the configured exchange.")
final class RunCommand implements Callable<Integer> {
  @Option(names = {"-conf", "--conf"}, paramLabel = "FILE",
      description = {"JSON configuration; keys override conf/klagg.json (the defaults).",
          "KLAGG_SECTION_KEY environment variables override single keys, e.g. KLAGG_GATEWAY_PULLINTERVALMS=50."})
  Path conf;

  @Option(names = {"-cluster", "--cluster"},
      description = "join a Hazelcast cluster of klagg nodes (roles per node come from the config's `roles`; "
          + "see conf/cluster-main.json, cluster-workers.json)")
  boolean cluster;

  @Option(names = {"-cluster-host", "--cluster-host"}, paramLabel = "HOST",
      description = "address this node binds and announces (default 127.0.0.1)")
  String host = "127.0.0.1";

  @Option(names = {"-cluster-config", "--cluster-config"}, paramLabel = "FILE",
      description = "Hazelcast XML (default: the bundled conf/cluster.xml, loopback only)")
  Path hzFile;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
  boolean help;

  private final PrintStream out;
  private final PrintStream err;

  RunCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    KlaggConfig config;
    try {
      config = KlaggConfig.load(conf, System.getenv());
      config.checkRoles(cluster);
    } catch (KlaggConfig.ConfigException e) {
      err.println("klagg run: " + e.getMessage());
      return 2;
    }
    config.warnings().forEach(w -> err.println("klagg run: warning: " + w));
    Vertx vertx;
    try {
      VertxOptions options = new VertxOptions().setEventLoopPoolSize(config.eventLoopPoolSize());
      vertx = cluster ? Clustering.start(host, hzFile, options) : Vertx.vertx(options);
    } catch (Exception e) {
      Throwable c = e.getCause() != null ? e.getCause() : e;
      err.println("klagg run: cannot join the cluster: " + c.getMessage());
      return 1;
    }
    KlaggService service;
    try {
      service = KlaggService.start(vertx, config).toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
    } catch (Exception e) {
      Throwable c = e.getCause() != null ? e.getCause() : e;
      err.println("klagg run: cannot start: " + c.getMessage());
      vertx.close();
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        service.stop().compose(v -> vertx.close()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // stopping anyway
      }
    }, "klagg-shutdown"));
    out.println("klagg running (Ctrl-C to stop)");
    return Integer.MIN_VALUE;
  }
}
