package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * docker/ cannot be run here (no Docker engine), so its files are checked against the code: image
 * names, ports, paths, commands, config files and environment keys.
 */
class DockerFilesTest {
  static final Path ROOT = root();

  static Path root() {
    for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("docker")) && Files.exists(p.resolve("conf/klagg.json"))) {
        return p;
      }
    }
    throw new IllegalStateException("repository root not found");
  }

  final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

  @Test
  void dockerfileBuildsTheFatJarAsANonRootUserWithAHealthCheck() throws Exception {
    List<String> lines = Files.readAllLines(ROOT.resolve("docker/Dockerfile"));
    String all = String.join("\n", lines);
    assertThat(lines).anyMatch(l -> l.startsWith("FROM eclipse-temurin:17"));
    assertThat(all).contains("COPY modules/service/target/klagg.jar /opt/klagg/klagg.jar");
    assertThat(lines.stream().filter(l -> l.startsWith("USER ")).findFirst()).hasValueSatisfying(
        u -> assertThat(u).isNotIn("USER root", "USER 0"));
    long port = KlaggConfig.of(new JsonObject(), Map.of()).getLong("http.port");
    assertThat(all).contains("EXPOSE " + port).contains("http://127.0.0.1:" + port + "/health");
    assertThat(all).contains("\"-jar\", \"/opt/klagg/klagg.jar\"");
    // every file the image copies exists
    for (String l : lines) {
      if (l.startsWith("COPY ")) {
        String[] parts = l.split("\\s+");
        for (int i = 1; i < parts.length - 1; i++) {
          String src = parts[i];
          if (src.contains("*")) {
            assertThat(Files.newDirectoryStream(ROOT.resolve(src.substring(0, src.lastIndexOf('/'))),
                src.substring(src.lastIndexOf('/') + 1))).as(src).isNotEmpty();
          } else if (!src.startsWith("modules/service/target")) {
            assertThat(ROOT.resolve(src)).as(src).exists();
          }
        }
      }
    }
  }

  @Test
  void composeRunsPostgresAMainNodeTwoWorkerNodesPrometheusAndGrafana() throws Exception {
    JsonNode compose = yaml.readTree(ROOT.resolve("docker/compose.yml").toFile());
    JsonNode services = compose.get("services");
    TreeSet<String> names = new TreeSet<>();
    services.fieldNames().forEachRemaining(names::add);
    assertThat(names)
        .containsExactly("grafana", "klagg-main", "klagg-worker-1", "klagg-worker-2", "postgres", "prometheus");
    assertThat(services.get("postgres").get("image").asText()).isEqualTo("postgres:15");
    // nothing is published on a public interface: the web port serves /metrics, /health and the
    // bridge, Prometheus and Grafana have no login; only the main node, Prometheus and Grafana publish
    List<String> published = new ArrayList<>();
    for (String n : names) {
      JsonNode ports = services.get(n).get("ports");
      if (ports != null) {
        for (JsonNode p : ports) {
          assertThat(p.asText()).as(n + " publishes " + p.asText()).startsWith("127.0.0.1:");
          published.add(n);
        }
      }
    }
    assertThat(published).containsExactly("grafana", "klagg-main", "prometheus");
    assertThat(services.get("prometheus").get("image").asText()).startsWith("prom/prometheus");

    Map<Integer, String> shardOwner = new HashMap<>();
    TreeSet<String> metricsTargets = new TreeSet<>();
    int total = -1;
    for (String name : List.of("klagg-main", "klagg-worker-1", "klagg-worker-2")) {
      JsonNode svc = services.get(name);
      assertThat(svc.get("image").asText()).isEqualTo("klagg:latest");
      List<String> cmd = new ArrayList<>();
      svc.get("command").forEach(n -> cmd.add(n.asText()));
      assertThat(cmd).startsWith("run", "-cluster");
      assertThat(cmd.get(cmd.indexOf("-cluster-host") + 1)).isEqualTo(name);
      String hz = cmd.get(cmd.indexOf("-cluster-config") + 1);
      assertThat(hz).isEqualTo("/opt/klagg/docker/cluster.xml");
      String conf = cmd.get(cmd.indexOf("-conf") + 1);
      Path confFile = ROOT.resolve(conf.replace("/opt/klagg/", ""));
      assertThat(confFile).as("config of %s", name).exists();
      Map<String, String> env = new HashMap<>();
      if (svc.has("environment")) {
        svc.get("environment").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
      }
      // the config file and the environment are valid for the service: no unknown key, no ignored variable
      KlaggConfig c = KlaggConfig.load(confFile, env);
      assertThat(c.warnings()).as("environment of %s", name).isEmpty();
      total = c.workers();
      int first = c.getInt("workers.first");
      for (int s = first; s < first + c.localWorkers(); s++) {
        assertThat(shardOwner.put(s, name)).as("shard %d owned twice", s).isNull();
      }
      if (name.equals("klagg-main")) {
        assertThat(c.list("roles")).containsExactlyInAnyOrder("ingest", "gateway", "persistence", "web");
        assertThat(env).containsKey("KLAGG_DB_URL");
        assertThat(env.get("KLAGG_DB_URL")).contains("@postgres:5432/");
        assertThat(env.get("KLAGG_HTTP_HOST")).isEqualTo("0.0.0.0");
        String port = Long.toString(c.getLong("http.port"));
        assertThat(svc.get("ports").get(0).asText()).endsWith(":" + port);
        // the web role serves /metrics on the web port; no second server
        assertThat(c.metricsPort()).isEqualTo(-1);
        metricsTargets.add(name + ":" + port);
      } else {
        assertThat(c.list("roles")).containsExactly("workers");
        // a workers-only node serves /metrics and /health on its own port, reachable by Prometheus
        int metricsPort = c.metricsPort();
        assertThat(metricsPort).as("metrics port of %s", name).isPositive();
        assertThat(c.getString("metrics.host")).as("metrics host of %s", name).isEqualTo("0.0.0.0");
        metricsTargets.add(name + ":" + metricsPort);
        List<String> check = new ArrayList<>();
        svc.get("healthcheck").get("test").forEach(n -> check.add(n.asText()));
        assertThat(String.join(" ", check)).contains("http://127.0.0.1:" + metricsPort + "/health");
      }
    }
    assertThat(shardOwner.keySet()).as("every worker shard has a node").hasSize(total);

    // Hazelcast members are the compose services; Prometheus scrapes the main node's /metrics
    String hz = Files.readString(ROOT.resolve("docker/cluster.xml"));
    for (String name : List.of("klagg-main", "klagg-worker-1", "klagg-worker-2")) {
      assertThat(hz).contains("<member>" + name + "</member>");
    }
    // Prometheus scrapes every node's /metrics, each at the port its config serves it on
    JsonNode prom = yaml.readTree(ROOT.resolve("docker/prometheus.yml").toFile());
    assertThat(prom.get("scrape_configs")).hasSize(1);
    JsonNode job = prom.get("scrape_configs").get(0);
    assertThat(job.get("metrics_path").asText()).isEqualTo("/metrics");
    TreeSet<String> targets = new TreeSet<>();
    for (JsonNode sc : job.get("static_configs")) {
      List<String> these = new ArrayList<>();
      sc.get("targets").forEach(t -> these.add(t.asText()));
      targets.addAll(these);
      // the dashboard groups by the node label: one per node
      assertThat(these).hasSize(1);
      assertThat(sc.get("labels").get("node").asText() + ":").isEqualTo(these.get(0).substring(0, these.get(0).indexOf(':') + 1));
    }
    assertThat(targets).isEqualTo(metricsTargets);
    List<String> depends = new ArrayList<>();
    services.get("prometheus").get("depends_on").forEach(n -> depends.add(n.asText()));
    assertThat(depends).containsExactlyInAnyOrder("klagg-main", "klagg-worker-1", "klagg-worker-2");
    // the image exposes the default metrics port of a workers-only node
    assertThat(Files.readString(ROOT.resolve("docker/Dockerfile")))
        .containsPattern("EXPOSE .*\\b" + KlaggConfig.DEFAULT_METRICS_PORT + "\\b");
  }

  @Test
  void grafanaHasAPrometheusDatasourceAndTheProvisionedDashboard() throws Exception {
    JsonNode compose = yaml.readTree(ROOT.resolve("docker/compose.yml").toFile());
    JsonNode services = compose.get("services");
    JsonNode grafana = services.get("grafana");
    assertThat(grafana.get("image").asText()).startsWith("grafana/grafana");
    // on the host's loopback only
    assertThat(grafana.get("ports")).hasSize(1);
    assertThat(grafana.get("ports").get(0).asText()).isEqualTo("127.0.0.1:3000:3000");
    Map<String, String> volumes = new HashMap<>();
    grafana.get("volumes").forEach(v -> {
      String[] p = v.asText().split(":");
      assertThat(ROOT.resolve("docker").resolve(p[0]).normalize()).as(p[0]).isDirectory();
      volumes.put(p[1], p[0]);
    });
    assertThat(volumes).containsEntry("/etc/grafana/provisioning", "./grafana/provisioning");
    List<String> depends = new ArrayList<>();
    grafana.get("depends_on").forEach(n -> depends.add(n.asText()));
    assertThat(depends).contains("prometheus");

    // the datasource is the compose Prometheus at its container port
    Path provisioning = ROOT.resolve("docker/grafana/provisioning");
    JsonNode ds = yaml.readTree(provisioning.resolve("datasources/prometheus.yml").toFile()).get("datasources").get(0);
    assertThat(ds.get("type").asText()).isEqualTo("prometheus");
    String promPort = services.get("prometheus").get("ports").get(0).asText().replaceAll(".*:", "");
    assertThat(ds.get("url").asText()).isEqualTo("http://prometheus:" + promPort);
    String uid = ds.get("uid").asText();

    // the dashboard provider reads a mounted folder that holds the dashboard JSON
    JsonNode provider = yaml.readTree(provisioning.resolve("dashboards/klagg.yml").toFile()).get("providers").get(0);
    assertThat(provider.get("type").asText()).isEqualTo("file");
    String path = provider.get("options").get("path").asText();
    assertThat(volumes).containsKey(path);
    Path dashboards = ROOT.resolve("docker").resolve(volumes.get(path)).normalize();
    assertThat(dashboards.resolve("klagg.json")).exists();
    assertThat(dashboards).isEqualTo(ROOT.resolve("docker/grafana/dashboards"));

    // every panel and query of the dashboard uses that datasource
    JsonNode d = new ObjectMapper().readTree(dashboards.resolve("klagg.json").toFile());
    assertThat(d.get("uid").asText()).isEqualTo("klagg");
    assertThat(d.get("panels")).isNotEmpty();
    TreeSet<String> titles = new TreeSet<>();
    for (JsonNode panel : d.get("panels")) {
      titles.add(panel.get("title").asText());
      assertThat(panel.get("datasource").get("uid").asText()).as(panel.get("title").asText()).isEqualTo(uid);
      assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
      for (JsonNode t : panel.get("targets")) {
        assertThat(t.get("datasource").get("uid").asText()).isEqualTo(uid);
        assertThat(t.get("expr").asText()).isNotBlank();
      }
    }
    assertThat(titles).contains("Trades/s per node", "Gateway cycle time", "Pull timeouts and open breakers",
        "Database buffer", "Late, duplicate and gap counters", "WebSocket clients", "JVM memory", "GC");
  }
}
