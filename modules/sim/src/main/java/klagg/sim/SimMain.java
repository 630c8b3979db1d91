package klagg.sim;

import io.vertx.core.Vertx;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Command line entry: {@code klagg sim [options]}. */
public final class SimMain {
  private SimMain() {}

  public static void main(String[] args) {
    int rc = run(args);
    if (rc != 0) {
      System.exit(rc);
    }
  }

  /** Starts the simulator and blocks until the JVM is stopped; returns an exit code. */
  public static int run(String[] args) {
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      System.out.println(SimConfig.usage());
      return 0;
    }
    SimConfig cfg;
    try {
      cfg = SimConfig.fromArgs(args);
    } catch (IllegalArgumentException e) {
      System.err.println("klagg sim: " + e.getMessage());
      return 2;
    }
    Vertx vertx = Vertx.vertx();
    Simulator sim;
    try {
      sim = Simulator.start(vertx, cfg).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable c = e.getCause() != null ? e.getCause() : e;
      System.err.println("klagg sim: cannot start: " + c.getMessage());
      vertx.close();
      return 1;
    }
    System.out.println("klagg sim (" + sim.market().mode() + ", " + sim.market().symbols().size()
        + " symbols) listening");
    System.out.println("  REST " + sim.restBaseUrl() + "/api/v3/  (and /fapi/v1/)");
    System.out.println("  WS   " + sim.wsBaseUrl() + "/ws  " + sim.wsBaseUrl() + "/stream?streams=...");
    System.out.println("  admin " + sim.restBaseUrl() + "/sim/status  POST /sim/faults");
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        sim.close().compose(v -> vertx.close()).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // shutting down
      }
      done.countDown();
    }));
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
