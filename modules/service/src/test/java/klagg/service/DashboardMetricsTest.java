package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every metric the Grafana dashboard ({@code docker/grafana/dashboards/klagg.json}) queries exists on
 * the {@code /metrics} of running nodes: a node with every role (in-process simulator, embedded
 * database) and a workers-only node, which serves {@code /metrics} and {@code /health} on its own
 * port ({@code metrics.port}).
 */
class DashboardMetricsTest {
  static final Pattern IDENT = Pattern.compile("(?<![A-Za-z0-9_:.])[A-Za-z_:][A-Za-z0-9_:]*");
  /** PromQL keywords and aggregation modifiers that are no metric names. */
  static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "and",
      "or", "unless", "bool", "offset", "le", "sum", "avg", "max", "min", "count", "rate", "irate", "increase",
      "histogram_quantile", "topk", "bottomk", "quantile", "stddev", "abs", "clamp_min", "clamp_max", "delta",
      "deriv", "inf", "nan");

  /** The metric names of a PromQL expression: identifiers outside label matchers, ranges, strings and groupings. */
  static Set<String> metricNames(String expr) {
    String e = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
        .replaceAll("\\{[^}]*}", " ")
        .replaceAll("\\[[^]]*]", " ")
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENT.matcher(e);
    while (m.find()) {
      String id = m.group();
      boolean call = e.substring(m.end()).matches("(?s)\\s*\\(.*");
      if (!call && !KEYWORDS.contains(id.toLowerCase())) {
        names.add(id);
      }
    }
    return names;
  }

  static List<String> dashboardExprs() throws Exception {
    JsonNode d = new ObjectMapper().readTree(DockerFilesTest.ROOT.resolve("docker/grafana/dashboards/klagg.json").toFile());
    List<String> exprs = new ArrayList<>();
    d.findValues("expr").forEach(n -> exprs.add(n.asText()));
    return exprs;
  }

  /** The sample names of a Prometheus text exposition. */
  static Set<String> sampleNames(String scrape) {
    Set<String> names = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        names.add(line.split("[{ ]", 2)[0]);
      }
    }
    return names;
  }

  @Test
  void theExpressionParserFindsOnlyMetricNames() {
    assertThat(metricNames("sum by (node, area) (rate(jvm_gc_pause_seconds_sum{area=\"heap\", le=\"1\"}[1m]))"))
        .containsExactly("jvm_gc_pause_seconds_sum");
    assertThat(metricNames("rate(a_sum[5m]) / rate(a_count[5m]) - b_total offset 1h"))
        .containsExactly("a_count", "a_sum", "b_total");
    assertThat(metricNames("histogram_quantile(0.99, sum by (le) (rate(x_bucket[1m])))")).containsExactly("x_bucket");
  }

  @Test
  @Timeout(240)
  void everyMetricTheDashboardQueriesExistsOnTheNodes() throws Exception {
    List<String> exprs = dashboardExprs();
    assertThat(exprs).as("dashboard queries").hasSizeGreaterThan(10);
    Set<String> wanted = new TreeSet<>();
    exprs.forEach(e -> wanted.addAll(metricNames(e)));
    assertThat(wanted).as("metrics the dashboard queries").isNotEmpty();

    Vertx mainVertx = Vertx.vertx();
    Vertx workersVertx = Vertx.vertx();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try {
      // every role, the in-process simulator and the embedded database
      Harness h = new Harness(mainVertx);
      JsonObject conf = Harness.config(System.currentTimeMillis(), 5, 7);
      conf.getJsonObject("workers").put("instances", 2);
      KlaggService main = h.start(conf).await();
      assertThat(main.metricsPort()).as("the web role serves /metrics; no second server").isEqualTo(-1);

      // a workers-only node on its own metrics port (not clustered here: its workers stay empty)
      JsonObject wconf = new JsonObject().put("roles", new JsonArray().add("workers"))
          .put("workers", new JsonObject().put("total", 2).put("instances", 2).put("adopt", false))
          .put("metrics", new JsonObject().put("port", 0));
      KlaggService workers = KlaggService.start(workersVertx, KlaggConfig.of(wconf, Map.of())).await();
      assertThat(workers.httpPort()).isEqualTo(-1);
      assertThat(workers.metricsPort()).isPositive();

      Harness.after(mainVertx, 3_000).await(); // a few gateway cycles
      System.gc(); // the GC pause timer appears with the first collection
      Thread.sleep(500);

      String mainScrape = get(http, main.httpPort(), "/metrics", 200);
      String workersScrape = get(http, workers.metricsPort(), "/metrics", 200);
      Set<String> mainNames = sampleNames(mainScrape);
      Set<String> workersNames = sampleNames(workersScrape);
      for (String name : wanted) {
        assertThat(mainNames).as("the dashboard's %s on the main node's /metrics", name).contains(name);
      }
      // the panels "per node" find the workers node too: worker, JVM and GC meters
      assertThat(workersNames).contains("klagg_worker_trades_total", "klagg_worker_symbols", "klagg_worker_symbols_live",
          "klagg_worker_repairs_in_flight", "jvm_memory_used_bytes", "jvm_memory_max_bytes",
          "jvm_gc_memory_allocated_bytes_total", "process_cpu_usage");
      assertThat(workersNames).noneMatch(n -> n.startsWith("klagg_gateway_") || n.startsWith("klagg_web_"));

      JsonObject health = new JsonObject(get(http, workers.metricsPort(), "/health", 200));
      assertThat(health.getString("status")).isEqualTo("UP");
      assertThat(health.getJsonArray("roles")).containsExactly("workers");
      assertThat(health.getJsonArray("workers")).hasSize(2);
      for (Object o : health.getJsonArray("workers")) {
        JsonObject w = (JsonObject) o;
        assertThat(w.fieldNames()).contains("worker", "symbols", "live", "notLive", "stalled");
        assertThat(w.getInteger("symbols")).isZero();
      }
      assertThat(health.getInteger("symbols")).isZero();
      get(http, workers.metricsPort(), "/nothing", 404);

      workers.stop().await();
      main.stop().await();
    } finally {
      workersVertx.close().await();
      mainVertx.close().await();
    }
  }

  private static String get(HttpClient http, int port, String path, int status) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET %s", path).isEqualTo(status);
    return r.body();
  }
}
