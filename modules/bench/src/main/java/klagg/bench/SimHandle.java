package klagg.bench;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import klagg.sim.SimClock;
import klagg.sim.SimConfig;
import klagg.sim.SimMarket;
import klagg.sim.Simulator;
import klagg.sim.SyntheticMarket;

/**
 * The e2e harness's view of the simulator: the one the service started in this JVM, or one in its own
 * JVM ({@code e2e --sim-process}, driven over the child's stdin/stdout by {@link SimProcess}) so this
 * JVM's CPU time is the service's. Blocking calls, for the harness's main thread.
 */
abstract class SimHandle {
  abstract long now();

  abstract void hold(boolean hold) throws Exception;

  abstract JsonObject tally() throws Exception;

  abstract JsonObject status() throws Exception;

  abstract void faults(JsonObject cmd) throws Exception;

  /** The deterministic market (the simulator's own, or an identical one built here). */
  abstract SimMarket market();

  abstract String restBaseUrl();

  abstract String wsBaseUrl();

  /** CPU time (user + system, clock ticks of 10 ms) of the simulator's own process; -1 in this JVM. */
  long cpuTicks() {
    return -1;
  }

  void close() throws Exception {}

  static SimHandle inProcess(Simulator s) {
    return new SimHandle() {
      @Override
      long now() {
        return s.now();
      }

      @Override
      void hold(boolean hold) throws Exception {
        E2e.await(s.holdFirehose(hold));
      }

      @Override
      JsonObject tally() throws Exception {
        return E2e.await(s.firehoseTally());
      }

      @Override
      JsonObject status() throws Exception {
        return E2e.await(s.status());
      }

      @Override
      void faults(JsonObject cmd) throws Exception {
        E2e.await(s.applyFaults(cmd));
      }

      @Override
      SimMarket market() {
        return s.market();
      }

      @Override
      String restBaseUrl() {
        return s.restBaseUrl();
      }

      @Override
      String wsBaseUrl() {
        return s.wsBaseUrl();
      }
    };
  }

  /**
   * Starts {@link SimProcess} with simulator config {@code sim} in a new JVM (this bench jar,
   * ParallelGC, 1 GB heap) and waits for it to listen. The market's clock is the machine's plus
   * {@code offsetMs}, as in the child (its {@code timeOffsetMs}).
   */
  static SimHandle child(JsonObject sim, long offsetMs) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    String jar = Path.of(SimHandle.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-XX:+UseParallelGC", "-Xmx1g", "-cp", jar,
        SimProcess.class.getName(), sim.encode()));
    Path log = Files.createTempFile("klagg-e2e-sim-", ".log");
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(p.getOutputStream(), true, StandardCharsets.UTF_8);
    JsonObject hello = read(in, p, log);
    System.out.println("simulator process " + p.pid() + " at " + hello.getString("rest") + " (log " + log + ")");
    // the same market as the child's (Simulator.start builds it so from the same config)
    SimConfig cfg = SimConfig.fromJson(sim);
    SimClock clock = new SimClock(1, offsetMs);
    double rate = cfg.firehose && cfg.firehoseRate > 0 ? cfg.firehoseRate : cfg.rate;
    SyntheticMarket market = new SyntheticMarket(clock, cfg.seed, cfg.symbols, rate,
        cfg.historyStartMs != 0 ? cfg.historyStartMs
        : Math.floorDiv(clock.now(), 86_400_000L) * 86_400_000L - 86_400_000L);
    return new SimHandle() {
      synchronized JsonObject call(JsonObject c) throws Exception {
        out.println(c.encode());
        JsonObject r = read(in, p, log);
        if (r.containsKey("error")) {
          throw new IllegalStateException("simulator process: " + r.getString("error"));
        }
        return r;
      }

      @Override
      long now() {
        return clock.now();
      }

      @Override
      void hold(boolean hold) throws Exception {
        call(new JsonObject().put("op", "hold").put("hold", hold));
      }

      @Override
      JsonObject tally() throws Exception {
        return call(new JsonObject().put("op", "tally"));
      }

      @Override
      JsonObject status() throws Exception {
        return call(new JsonObject().put("op", "status"));
      }

      @Override
      void faults(JsonObject f) throws Exception {
        call(new JsonObject().put("op", "faults").put("faults", f));
      }

      @Override
      SimMarket market() {
        return market;
      }

      @Override
      String restBaseUrl() {
        return hello.getString("rest");
      }

      @Override
      String wsBaseUrl() {
        return hello.getString("ws");
      }

      @Override
      long cpuTicks() {
        try {
          String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (Exception e) {
          return -1;
        }
      }

      @Override
      void close() throws Exception {
        out.close(); // end of input: the child stops its simulator and exits
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
          p.destroy();
          p.waitFor(5, TimeUnit.SECONDS);
        }
      }
    };
  }

  /** The child's next reply line ({@link SimProcess#PREFIX}); other lines are echoed. */
  private static JsonObject read(BufferedReader in, Process p, Path log) throws Exception {
    for (String line; (line = in.readLine()) != null; ) {
      if (line.startsWith(SimProcess.PREFIX)) {
        return new JsonObject(line.substring(SimProcess.PREFIX.length()));
      }
      System.out.println("sim: " + line);
    }
    throw new IllegalStateException("simulator process ended (exit " + p.waitFor() + "), see " + log);
  }
}
