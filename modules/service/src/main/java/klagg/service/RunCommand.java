package klagg.service;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import klagg.service.cli.Args;

/** {@code klagg run}: starts the service and keeps running until stopped (SIGTERM, Ctrl-C). */
final class RunCommand {
  static final String USAGE = String.join("\n",
      "usage: java -jar klagg.jar run [-conf FILE] [-cluster [-cluster-host HOST] [-cluster-config FILE]]",
      "",
      "Starts the service: live exact klines for every tracked symbol of the configured exchange.",
      "",
      "options:",
      "  -conf, --conf FILE   JSON configuration; keys override conf/klagg.json (the defaults).",
      "                       KLAGG_SECTION_KEY environment variables override single keys,",
      "                       e.g. KLAGG_GATEWAY_PULLINTERVALMS=50.",
      "  -cluster, --cluster  join a Hazelcast cluster of klagg nodes (roles per node come from",
      "                       the config's `roles`; see conf/cluster-main.json, cluster-workers.json)",
      "  -cluster-host HOST   address this node binds and announces (default 127.0.0.1)",
      "  -cluster-config FILE Hazelcast XML (default: the bundled conf/cluster.xml, loopback only)",
      "  --help               this text");

  private RunCommand() {}

  static int run(String[] argv, PrintStream out, PrintStream err) {
    Args args = Args.parse(argv, Set.of("-conf", "--conf", "-cluster-host", "--cluster-host", "-cluster-config",
        "--cluster-config"), Set.of("--help", "-h", "-cluster", "--cluster"));
    if (args.has("--help") || args.has("-h")) {
      out.println(USAGE);
      return 0;
    }
    if (!args.positional().isEmpty()) {
      throw new Args.UsageException("unexpected argument '" + args.positional().get(0) + "'");
    }
    String conf = args.get("-conf", args.get("--conf", null));
    Path file = conf == null ? null : Paths.get(conf);
    KlaggConfig config;
    try {
      config = KlaggConfig.load(file, System.getenv());
    } catch (KlaggConfig.ConfigException e) {
      err.println("klagg run: " + e.getMessage());
      return 2;
    }
    config.warnings().forEach(w -> err.println("klagg run: warning: " + w));
    boolean cluster = args.has("-cluster") || args.has("--cluster");
    String host = args.get("-cluster-host", args.get("--cluster-host", "127.0.0.1"));
    String hzFile = args.get("-cluster-config", args.get("--cluster-config", null));
    Vertx vertx;
    try {
      VertxOptions options = new VertxOptions().setEventLoopPoolSize(config.eventLoopPoolSize());
      vertx = cluster ? Clustering.start(host, hzFile == null ? null : Paths.get(hzFile), options) : Vertx.vertx(options);
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
