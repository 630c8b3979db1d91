package klagg.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import klagg.sim.SimConfig;
import klagg.sim.Simulator;

/**
 * The simulator of {@code e2e --sim-process}, in its own JVM: {@code SimProcess CONFIG_JSON}. It
 * prints one {@link #PREFIX} line with its URLs, then answers each JSON command line on stdin
 * ({@code op}: hold, tally, status, faults) with one {@link #PREFIX} JSON line; end of input stops it.
 */
public final class SimProcess {
  static final String PREFIX = "@@sim ";

  private SimProcess() {}

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    Simulator s = E2e.await(Simulator.start(vertx, SimConfig.fromJson(new JsonObject(args[0]))));
    System.out.println(PREFIX + new JsonObject().put("rest", s.restBaseUrl()).put("ws", s.wsBaseUrl()).encode());
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      JsonObject reply;
      try {
        JsonObject cmd = new JsonObject(line);
        reply = switch (cmd.getString("op", "")) {
          case "hold" -> {
            E2e.await(s.holdFirehose(cmd.getBoolean("hold")));
            yield new JsonObject();
          }
          case "tally" -> E2e.await(s.firehoseTally());
          case "status" -> E2e.await(s.status());
          case "faults" -> E2e.await(s.applyFaults(cmd.getJsonObject("faults")));
          default -> new JsonObject().put("error", "unknown op: " + line);
        };
      } catch (Exception e) {
        reply = new JsonObject().put("error", String.valueOf(e));
      }
      System.out.println(PREFIX + reply.encode());
      System.out.flush();
    }
    E2e.await(s.close());
    E2e.await(vertx.close());
    System.exit(0);
  }
}
