package klagg.service;

import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import klagg.service.cli.Args;

/** {@code klagg run}: starts the service and keeps running until stopped (SIGTERM, Ctrl-C). */
final class RunCommand {
  static final String USAGE = String.join("\n",
      "usage: java -jar klagg.jar run [-conf FILE]",
      "",
      "Starts the service: live exact klines for every tracked symbol of the configured exchange.",
      "",
      "options:",
      "  -conf, --conf FILE   JSON configuration; keys override conf/klagg.json (the defaults).",
      "                       KLAGG_SECTION_KEY environment variables override single keys,",
      "                       e.g. KLAGG_GATEWAY_PULLINTERVALMS=50.",
      "  --help               this text");

  private RunCommand() {}

  static int run(String[] argv, PrintStream out, PrintStream err) {
    Args args = Args.parse(argv, Set.of("-conf", "--conf"), Set.of("--help", "-h"));
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
    Vertx vertx = Vertx.vertx();
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
