package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import klagg.core.Interval;
import klagg.exchange.ExchangeEndpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KlaggConfigTest {
  @TempDir
  Path tmp;

  @Test
  void defaultsComeFromTheBundledKlaggJson() {
    KlaggConfig c = KlaggConfig.of(new JsonObject(), Map.of());
    assertThat(c.getLong("gateway.pullIntervalMs")).isEqualTo(100);
    assertThat(c.getLong("gateway.pullTimeoutMs")).isEqualTo(50);
    assertThat(c.getLong("gateway.breakerThreshold")).isEqualTo(5);
    assertThat(c.intervals()).containsExactlyElementsOf(Interval.DEFAULTS);
    assertThat(c.workers()).isEqualTo(2 * Runtime.getRuntime().availableProcessors());
  }

  @Test
  void theWebCachesGlobalBoundDefaultsToAMillionKlinesAndMustBePositive() {
    assertThat(KlaggConfig.of(new JsonObject(), Map.of()).getLong("web.cacheMaxKlines")).isEqualTo(1_000_000L);
    for (long bad : new long[] {0, -1}) {
      assertThatThrownBy(() -> KlaggConfig.of(new JsonObject().put("web", new JsonObject().put("cacheMaxKlines", bad)),
          Map.of())).isInstanceOf(KlaggConfig.ConfigException.class).hasMessageContaining("web.cacheMaxKlines");
    }
  }

  @Test
  void theVenueAloneChoosesItsUrlsAndAnExplicitUrlWins() {
    ExchangeEndpoints spot = ExchangeEndpoints.fromJson(KlaggConfig.of(new JsonObject(), Map.of()).section("exchange"));
    assertThat(spot.restBaseUrl()).isEqualTo("https://api.binance.com");
    ExchangeEndpoints futures = ExchangeEndpoints.fromJson(KlaggConfig.of(
        new JsonObject().put("exchange", new JsonObject().put("venue", "futures")), Map.of()).section("exchange"));
    assertThat(futures.restBaseUrl()).isEqualTo("https://fapi.binance.com");
    assertThat(futures.restPrefix()).isEqualTo("/fapi/v1");
    ExchangeEndpoints sim = ExchangeEndpoints.fromJson(KlaggConfig.of(
        new JsonObject().put("exchange", new JsonObject().put("venue", "sim")), Map.of()).section("exchange"));
    assertThat(sim.restBaseUrl()).isEqualTo("http://127.0.0.1:9090");
    ExchangeEndpoints own = ExchangeEndpoints.fromJson(KlaggConfig.of(new JsonObject().put("exchange",
        new JsonObject().put("venue", "sim").put("baseUrl", "http://10.0.0.5:9999")), Map.of()).section("exchange"));
    assertThat(own.restBaseUrl()).isEqualTo("http://10.0.0.5:9999");
  }

  @Test
  void fileThenEnvironmentOverride() throws Exception {
    Path f = tmp.resolve("c.json");
    Files.writeString(f, "{\"gateway\":{\"pullIntervalMs\":200},\"intervals\":[\"1m\",\"1h\"]}");
    KlaggConfig c = KlaggConfig.load(f, Map.of("KLAGG_GATEWAY_PULLINTERVALMS", "300", "KLAGG_SIM_ENABLED", "true",
        "KLAGG_SYMBOLS_INCLUDE", "BTCUSDT,ETHUSDT", "KLAGG_TEST_DB_URL", "ignored", "PATH", "/bin"));
    assertThat(c.getLong("gateway.pullIntervalMs")).isEqualTo(300);
    assertThat(c.getBool("sim.enabled")).isTrue();
    assertThat(c.list("symbols.include")).containsExactly("BTCUSDT", "ETHUSDT");
    assertThat(c.intervals()).containsExactly(Interval.M1, Interval.H1);
    assertThat(c.warnings()).isEmpty();
  }

  @Test
  void unknownEnvironmentKeysAreWarnedAbout() {
    KlaggConfig c = KlaggConfig.of(new JsonObject(), Map.of("KLAGG_GATEWAY_NOPE", "1"));
    assertThat(c.warnings()).singleElement().asString().contains("KLAGG_GATEWAY_NOPE");
  }

  @Test
  void invalidConfigFailsNamingTheKey() {
    assertThatThrownBy(() -> KlaggConfig.of(new JsonObject().put("gateway", new JsonObject().put("pullTimeoutMs", 500)), Map.of()))
        .hasMessageContaining("gateway.pullTimeoutMs");
    assertThatThrownBy(() -> KlaggConfig.of(new JsonObject().put("gateway", new JsonObject().put("pullIntervalMs", "fast")), Map.of()))
        .hasMessageContaining("gateway.pullIntervalMs");
    assertThatThrownBy(() -> KlaggConfig.of(new JsonObject().put("gatway", new JsonObject()), Map.of()))
        .hasMessageContaining("gatway");
    assertThatThrownBy(() -> KlaggConfig.of(new JsonObject().put("intervals", new io.vertx.core.json.JsonArray().add("7m")), Map.of()))
        .hasMessageContaining("intervals").hasMessageContaining("7m");
    assertThatThrownBy(() -> KlaggConfig.of(new JsonObject(), Map.of("KLAGG_HTTP_PORT", "eighty")))
        .hasMessageContaining("http.port");
    assertThatThrownBy(() -> KlaggConfig.of(new JsonObject().put("http", new JsonObject().put("port", 70000)), Map.of()))
        .hasMessageContaining("http.port");
  }

  @Test
  void eventLoopsAreFourPerCoreUnlessSetAndClockSamplesArePositive() {
    int cores = Runtime.getRuntime().availableProcessors();
    assertThat(KlaggConfig.of(new JsonObject(), Map.of()).eventLoopPoolSize()).isEqualTo(Math.max(8, 4 * cores));
    assertThat(KlaggConfig.of(new JsonObject().put("eventLoops", 3), Map.of()).eventLoopPoolSize()).isEqualTo(3);
    assertThat(KlaggConfig.of(new JsonObject(), Map.of("KLAGG_EVENTLOOPS", "5")).eventLoopPoolSize()).isEqualTo(5);
    assertThatThrownBy(() -> KlaggConfig.of(new JsonObject().put("eventLoops", -1), Map.of()))
        .hasMessageContaining("eventLoops");
    assertThatThrownBy(() -> KlaggConfig.of(new JsonObject().put("clock", new JsonObject().put("samples", 0)), Map.of()))
        .hasMessageContaining("clock.samples");
  }

  @Test
  void rolesThatWouldReceiveNothingAreRefused() {
    java.util.function.Function<String[], KlaggConfig> roles = r -> {
      io.vertx.core.json.JsonArray a = new io.vertx.core.json.JsonArray();
      for (String x : r) {
        a.add(x);
      }
      return KlaggConfig.of(new JsonObject().put("roles", a).put("workers", new JsonObject().put("adopt", false)), Map.of());
    };
    // the default (every role) and the documented cluster nodes start
    KlaggConfig.of(new JsonObject(), Map.of()).checkRoles(false);
    roles.apply(new String[] {"ingest", "gateway", "persistence", "web"}).checkRoles(true);
    roles.apply(new String[] {"workers"}).checkRoles(true);
    roles.apply(new String[] {"workers"}).checkRoles(false); // waits, serves its metrics
    roles.apply(new String[] {"ingest", "workers", "gateway", "web"}).checkRoles(false);
    // persistence consumes the gateway's cycles on its own node only: refused even when clustered
    for (boolean clustered : new boolean[] {false, true}) {
      assertThatThrownBy(() -> roles.apply(new String[] {"ingest", "workers", "persistence", "web"}).checkRoles(clustered))
          .hasMessageContaining("persistence needs the gateway role on the same node");
    }
    // without a cluster each input must come from this node
    assertThatThrownBy(() -> roles.apply(new String[] {"web"}).checkRoles(false))
        .hasMessageContaining("web without gateway");
    roles.apply(new String[] {"web"}).checkRoles(true);
    assertThatThrownBy(() -> roles.apply(new String[] {"ingest", "gateway"}).checkRoles(false))
        .hasMessageContaining("ingest without workers");
    assertThatThrownBy(() -> roles.apply(new String[] {"workers", "gateway", "web"}).checkRoles(false))
        .hasMessageContaining("gateway without ingest");
    // workers.adopt (the default) puts workers on the gateway's node
    KlaggConfig.of(new JsonObject().put("roles", new io.vertx.core.json.JsonArray().add("ingest").add("gateway")), Map.of())
        .checkRoles(false);
  }

  @Test
  void workersCheckTheirFencingTokenEveryTwoSecondsUnlessSet() {
    assertThat(KlaggConfig.of(new JsonObject(), Map.of()).getLong("workers.fenceCheckMs")).isEqualTo(2000);
    assertThat(KlaggConfig.of(new JsonObject(), Map.of("KLAGG_WORKERS_FENCECHECKMS", "500")).getLong("workers.fenceCheckMs"))
        .isEqualTo(500);
    assertThatThrownBy(() -> KlaggConfig.of(new JsonObject().put("workers", new JsonObject().put("fenceCheckMs", 0)), Map.of()))
        .hasMessageContaining("workers.fenceCheckMs");
  }

  @Test
  void exchangeAnomalyKeysHaveDocumentedDefaultsAndAreChecked() {
    KlaggConfig c = KlaggConfig.of(new JsonObject(), Map.of());
    assertThat(c.getDouble("symbols.maxRemoveShare")).isEqualTo(0.1);
    assertThat(c.getLong("symbols.confirmAfterMs")).isEqualTo(5_000);
    KlaggConfig e = KlaggConfig.of(new JsonObject(), Map.of("KLAGG_SYMBOLS_MAXREMOVESHARE", "0.25",
        "KLAGG_SYMBOLS_CONFIRMAFTERMS", "800"));
    assertThat(e.getDouble("symbols.maxRemoveShare")).isEqualTo(0.25);
    assertThat(e.getLong("symbols.confirmAfterMs")).isEqualTo(800);
    assertThatThrownBy(() -> KlaggConfig.of(new JsonObject().put("symbols", new JsonObject().put("maxRemoveShare", 1.5)), Map.of()))
        .hasMessageContaining("symbols.maxRemoveShare");
    assertThatThrownBy(() -> KlaggConfig.of(new JsonObject().put("symbols", new JsonObject().put("maxRemoveShare", "a lot")), Map.of()))
        .hasMessageContaining("symbols.maxRemoveShare");
    assertThatThrownBy(() -> KlaggConfig.of(new JsonObject().put("symbols", new JsonObject().put("confirmAfterMs", -1)), Map.of()))
        .hasMessageContaining("symbols.confirmAfterMs");
  }

  @Test
  void badFilesAreClearErrors() throws Exception {
    assertThatThrownBy(() -> KlaggConfig.load(tmp.resolve("missing.json"), Map.of()))
        .hasMessageContaining("cannot read config file");
    Path f = tmp.resolve("bad.json");
    Files.writeString(f, "{not json");
    assertThatThrownBy(() -> KlaggConfig.load(f, Map.of())).hasMessageContaining("not valid JSON");
  }
}
