package klagg.sim;

import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

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
    return run(args, System.out, System.err);
  }

  /** {@link #run(String[])} printing to {@code out} and {@code err}. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine cl = Cli.commandLine(new Command(out, err), out, err);
    cl.setCommandName("klagg sim");
    return cl.execute(args);
  }

  /** {@code klagg sim}: {@link SimOptions} plus starting the simulator. */
  public static final class Command extends SimOptions implements Callable<Integer> {
    private final PrintStream out;
    private final PrintStream err;

    public Command(PrintStream out, PrintStream err) {
      this.out = out;
      this.err = err;
    }

    @Override
    public Integer call() {
      return start(config(), out, err);
    }
  }

  static int start(SimConfig cfg, PrintStream out, PrintStream err) {
    Vertx vertx = Vertx.vertx();
    Simulator sim;
    try {
      sim = Simulator.start(vertx, cfg).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable c = e.getCause() != null ? e.getCause() : e;
      err.println("klagg sim: cannot start: " + c.getMessage());
      vertx.close();
      return 1;
    }
    out.println("klagg sim (" + sim.market().mode() + ", " + sim.market().symbols().size()
        + " symbols) listening");
    out.println("  REST " + sim.restBaseUrl() + "/api/v3/  (and /fapi/v1/)");
    out.println("  WS   " + sim.wsBaseUrl() + "/ws  " + sim.wsBaseUrl() + "/stream?streams=...");
    out.println("  admin " + sim.restBaseUrl() + "/sim/status  POST /sim/faults");
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
