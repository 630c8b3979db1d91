package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import klagg.service.msg.Codecs;
import klagg.sim.SimConfig;
import klagg.sim.Simulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several JVMs on loopback: a main node (ingest, gateway, persistence) and a workers node, with this
 * test JVM as a third, observing cluster member that runs the simulator. Klines must equal the
 * exchange's across the node boundary, and after the workers node is killed with SIGKILL, its shards
 * come back on the main node and the series is repaired.
 */
@ExtendWith(VertxExtension.class)
class ClusterTest {
  /** The bound promised for shards to come back after their node died. */
  static final long ADOPTION_BOUND_MS = 30_000;
  static final long ADOPT_AFTER_MS = 2_000;

  @TempDir
  Path tmp;

  final List<Process> nodes = new ArrayList<>();
  Vertx observer;
  /** The running test's method name: each test's node logs are its own (the next test does not overwrite them). */
  String testName = "cluster";

  @BeforeEach
  void name(TestInfo info) {
    testName = info.getTestMethod().map(java.lang.reflect.Method::getName).orElse(testName);
  }

  @AfterEach
  void stop() throws Exception {
    for (Process p : nodes) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (observer != null) {
      observer.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
  }

  private Process node(String name, JsonObject conf) throws Exception {
    Path file = tmp.resolve(name + ".json");
    Files.writeString(file, conf.encodePrettily());
    ProcessBuilder pb = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-Xmx384m",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
        // membership changes (a member removed, the members list) are INFO: they explain a late adoption
        "-Dorg.slf4j.simpleLogger.log.com.hazelcast=info", "-cp", System.getProperty("java.class.path"), "klagg.service.Main", "run", "-cluster", "-conf", file.toString());
    pb.redirectErrorStream(true).redirectOutput(new File("target/cluster-" + testName + "-" + name + ".log"));
    Process p = pb.start();
    nodes.add(p);
    return p;
  }

  /** The cluster under test: simulator and observer in this JVM, a main node and a workers node. */
  private Harness h;
  private Process workersNode;
  private int workersMetrics;

  private void startCluster() throws Exception {
    GW.set(null); // the last status seen belongs to the previous test's cluster
    long wall = System.currentTimeMillis();
    SimConfig sc = new SimConfig();
    sc.port = 0;
    sc.symbols = 30;
    sc.rate = 200;
    sc.seed = 23;
    sc.timeOffsetMs = (wall / 60_000L + 1) * 60_000L - 5_000 - wall; // 5 s before a minute boundary
    observer = Clustering.start("127.0.0.1", null);
    Codecs.register(observer);
    h = new Harness(observer);
    h.workers = 4;
    Simulator sim = Simulator.start(observer, sc).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    h.simulator = sim;
    h.observe();
    JsonObject exchange = new JsonObject().put("venue", "sim").put("restBaseUrl", sim.restBaseUrl())
        .put("wsBaseUrl", sim.wsBaseUrl());
    JsonObject common = new JsonObject().put("exchange", exchange)
        .put("symbols", new JsonObject().put("quoteAssets", new JsonArray()).put("max", 0))
        .put("clock", new JsonObject().put("refreshMs", 1000)).put("repair", new JsonObject().put("delayMs", 100))
        .put("gateway", new JsonObject().put("pullTimeoutMs", 80).put("adoptAfterMs", ADOPT_AFTER_MS))
        .put("db", new JsonObject().put("dataDir", tmp.resolve("pg").toString()))
        .put("backfill", new JsonObject().put("days", 0))
        // neither node has the web role: each serves /metrics and /health on its own port
        .put("metrics", new JsonObject().put("port", 0));
    workersMetrics = freePort();
    node("main", common.copy().put("roles", new JsonArray().add("ingest").add("gateway").add("persistence"))
        .put("workers", new JsonObject().put("total", 4).put("adopt", true)));
    workersNode = node("workers", common.copy().put("roles", new JsonArray().add("workers"))
        .put("workers", new JsonObject().put("total", 4).put("first", 0).put("instances", 4).put("adopt", false))
        .put("metrics", new JsonObject().put("port", workersMetrics)));
  }

  @Test
  @Timeout(value = 5, timeUnit = TimeUnit.MINUTES)
  void klinesStayExactAcrossNodesAndThroughTheLossOfTheWorkersNode(VertxTestContext ctx) throws Exception {
    startCluster();
    Process workers = workersNode;
    long[] killedAt = new long[1];
    long[] backAfter = new long[1];
    long[] b = new long[2]; // the two boundaries checked: chosen once the cluster is up
    h.await("all four shards answering across nodes", 120_000, () -> allAnswering(h))
        .compose(v -> {
          long now = h.serverNow();
          b[0] = (now / 60_000L + 1) * 60_000L;
          if (b[0] - now < 15_000) {
            b[0] += 60_000;
          }
          b[1] = b[0] + 60_000;
          return h.await("the first boundary", 90_000, () -> h.serverNow() > b[0] + 4_000);
        })
        .compose(v -> h.settled(60_000))
        .compose(v -> h.names())
        .map(names -> {
          ctx.verify(() -> assertThat(h.compareWithExchange(names, b[0] + 1))
              .as("closed klines compared (collected %d in %d cycles, %d names)", h.closed.size(), h.cycles, names.size())
              .isGreaterThanOrEqualTo(30));
          return names;
        })
        // the workers-only node's /health reports its four shards and their symbols, /metrics its meters
        .compose(names -> get(workersMetrics, "/health").map(r -> {
          ctx.verify(() -> {
            JsonObject health = new JsonObject(r);
            assertThat(health.getString("status")).as(r).isEqualTo("UP");
            assertThat(health.getJsonArray("workers")).as(r).hasSize(4);
            assertThat(health.getInteger("symbols")).as(r).isEqualTo(names.size());
            assertThat(health.getInteger("live")).as(r).isEqualTo(names.size());
          });
          return null;
        }))
        .compose(v -> get(workersMetrics, "/metrics").map(r -> {
          ctx.verify(() -> assertThat(r).contains("klagg_worker_trades_total{", "jvm_memory_used_bytes{"));
          return null;
        }))
        .compose(v -> {
          workers.destroyForcibly(); // SIGKILL
          killedAt[0] = System.currentTimeMillis();
          return h.await("a breaker open", 20_000, () -> anyOpen(h));
        })
        .compose(v -> h.await("every shard back on the surviving node", ADOPTION_BOUND_MS, () -> allAnswering(h)))
        .compose(v -> {
          backAfter[0] = System.currentTimeMillis() - killedAt[0];
          return h.await("the next boundary", 120_000, () -> h.serverNow() > b[1] + 4_000);
        })
        .compose(v -> h.settled(60_000))
        .compose(v -> h.names())
        .onComplete(ctx.succeeding(names -> ctx.verify(() -> {
          int compared = h.compareWithExchange(names, b[1] + 1);
          // every symbol has every minute up to the second boundary: no hole where the node died
          for (int id : names.keySet()) {
            for (long t = b[0] - 60_000; t < b[1]; t += 60_000) {
              assertThat(h.closed).as("1m kline of %s at %d", names.get(id), t).containsKey(id + "|1m|" + t);
            }
          }
          System.out.println("cluster test: shards back " + backAfter[0] + " ms after SIGKILL; " + compared
              + " closed klines equal the exchange's");
          ctx.completeNow();
        })));
  }

  /**
   * Fencing: the workers node is paused (SIGSTOP) longer than {@code gateway.adoptAfterMs}, its shards
   * are adopted by the main node under newer fencing tokens, then it is resumed (SIGCONT). Its four
   * workers must stand down, no delta of theirs may be published after the adopters', and every closed
   * kline must equal the exchange's, with no minute missing.
   */
  @Test
  @Timeout(value = 6, timeUnit = TimeUnit.MINUTES)
  void aWorkersNodePausedPastAdoptionIsFencedWhenResumedAndNothingCountsTwice(VertxTestContext ctx) throws Exception {
    startCluster();
    long pid = workersNode.pid();
    // every delta the gateway publishes, per shard: its fencing token never goes back
    java.util.Map<Integer, Long> newest = new java.util.concurrent.ConcurrentHashMap<>();
    List<String> staleOutput = java.util.Collections.synchronizedList(new ArrayList<>());
    observer.eventBus().<klagg.service.msg.CycleUpdate>consumer(Addresses.CYCLE, m -> {
      for (klagg.core.KlineDelta d : m.body().deltas()) {
        if (d.shard() >= 0) {
          long n = newest.merge(d.shard(), d.fence(), Math::max);
          if (d.fence() < n) {
            staleOutput.add("shard " + d.shard() + " token " + d.fence() + " after " + n + " (" + d.size() + " rows)");
          }
        }
      }
    });
    long[] before = new long[4];
    long[] t = new long[4]; // paused at, resumed at, stood down at, first boundary
    long[] b = new long[1];
    h.await("all four shards answering across nodes", 120_000, () -> allAnswering(h))
        .compose(v -> {
          JsonArray ws = GW.get().getJsonArray("workers");
          for (int i = 0; i < 4; i++) {
            before[i] = ws.getJsonObject(i).getLong("fence");
          }
          t[3] = (h.serverNow() / 60_000L + 1) * 60_000L;
          signal(pid, "STOP");
          t[0] = System.currentTimeMillis();
          return h.await("a breaker open", 20_000, () -> anyOpen(h));
        })
        .compose(v -> h.await("every shard adopted under a newer fencing token", ADOPTION_BOUND_MS + 15_000,
            () -> allAnswering(h) && fencesAbove(before)))
        .compose(v -> {
          ctx.verify(() -> assertThat(System.currentTimeMillis() - t[0]).isGreaterThan(ADOPT_AFTER_MS));
          signal(pid, "CONT");
          t[1] = System.currentTimeMillis();
          return h.await("the resumed node's four workers stood down", 90_000, () -> standDowns(workersMetrics) >= 4);
        })
        .compose(v -> {
          t[2] = System.currentTimeMillis();
          long now = h.serverNow();
          b[0] = (now / 60_000L + 1) * 60_000L;
          if (b[0] - now < 10_000) {
            b[0] += 60_000;
          }
          return h.await("the boundary after the resume", 90_000, () -> h.serverNow() > b[0] + 4_000);
        })
        .compose(v -> h.settled(60_000))
        .compose(v -> h.names())
        .onComplete(ctx.succeeding(names -> ctx.verify(() -> {
          assertThat(staleOutput).as("deltas published under an older fencing token than the shard's newest").isEmpty();
          assertThat(allAnswering(h)).as("the adopters still serve every shard").isTrue();
          int compared = h.compareWithExchange(names, b[0] + 1);
          for (int id : names.keySet()) {
            for (long m = t[3]; m < b[0]; m += 60_000) {
              assertThat(h.closed).as("1m kline of %s at %d", names.get(id), m).containsKey(id + "|1m|" + m);
            }
          }
          assertThat(compared).isGreaterThanOrEqualTo(names.size() * (int) ((b[0] - t[3]) / 60_000));
          System.out.println("cluster fencing test: paused " + (t[1] - t[0]) + " ms, stood down " + (t[2] - t[1])
              + " ms after SIGCONT; " + compared + " closed klines equal the exchange's");
          ctx.completeNow();
        })));
  }

  private static void signal(long pid, String sig) {
    try {
      int rc = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start().waitFor();
      assertThat(rc).as("kill -%s %d", sig, pid).isZero();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean fencesAbove(long[] before) {
    JsonObject s = GW.get();
    if (s == null) {
      return false;
    }
    JsonArray ws = s.getJsonArray("workers");
    for (int i = 0; i < before.length; i++) {
      if (ws.getJsonObject(i).getLong("fence") <= before[i]) {
        return false;
      }
    }
    return true;
  }

  private final java.util.concurrent.atomic.AtomicReference<String> scraped = new java.util.concurrent.atomic.AtomicReference<>("");

  /** The workers node's stand-downs, from its last /metrics scrape (a new scrape is started each call). */
  private double standDowns(int port) {
    get(port, "/metrics").onSuccess(scraped::set);
    double n = 0;
    for (String line : scraped.get().split("\n")) {
      if (line.startsWith("klagg_worker_stand_downs_total{")) {
        n += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return n;
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private io.vertx.core.http.HttpClient observerHttp;

  private io.vertx.core.Future<String> get(int port, String path) {
    if (observerHttp == null) {
      observerHttp = observer.createHttpClient(); // held: an unreferenced client is closed when collected
    }
    return observerHttp.request(io.vertx.core.http.HttpMethod.GET, port, "127.0.0.1", path)
        .compose(req -> req.send()).compose(r -> r.body()).map(b -> b.toString());
  }

    private static final java.util.concurrent.atomic.AtomicReference<JsonObject> GW = new java.util.concurrent.atomic.AtomicReference<>();

  private static void poll(Harness h) {
    h.vertx.eventBus().<JsonObject>request(Addresses.STATUS_GATEWAY, new JsonObject()).onSuccess(m -> GW.set(m.body()));
  }

  private static boolean allAnswering(Harness h) {
    poll(h);
    JsonObject s = GW.get();
    if (s == null) {
      return false;
    }
    for (Object o : s.getJsonArray("workers")) {
      JsonObject w = (JsonObject) o;
      if (!"closed".equals(w.getString("breaker")) || w.getInteger("misses") > 0) {
        return false;
      }
    }
    return s.getLong("cycle") > 20;
  }

  private static boolean anyOpen(Harness h) {
    poll(h);
    JsonObject s = GW.get();
    return s != null && s.getJsonArray("workers").stream().anyMatch(o -> "open".equals(((JsonObject) o).getString("breaker")));
  }

}
