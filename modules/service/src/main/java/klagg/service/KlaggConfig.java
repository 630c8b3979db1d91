package klagg.service;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import klagg.core.Interval;

/**
 * The service configuration: the defaults of {@code conf/klagg.json} (bundled in the jar), then the
 * {@code -conf} file, then {@code KLAGG_SECTION_KEY} environment variables for single keys. Invalid
 * configuration fails at start with a message naming the key.
 */
public final class KlaggConfig {
  /** A bad configuration: the message names the key. */
  public static final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
      super(message);
    }
  }

  private final JsonObject json;
  private final List<String> warnings;

  private KlaggConfig(JsonObject json, List<String> warnings) {
    this.json = json;
    this.warnings = warnings;
  }

  public static JsonObject defaults() {
    try (InputStream in = KlaggConfig.class.getResourceAsStream("/klagg/klagg.json")) {
      if (in == null) {
        throw new IllegalStateException("klagg/klagg.json missing from the jar");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Defaults, then the file (may be null), then the environment. */
  public static KlaggConfig load(Path file, Map<String, String> env) {
    JsonObject user = new JsonObject();
    if (file != null) {
      try {
        user = new JsonObject(Files.readString(file));
      } catch (IOException e) {
        throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
      } catch (DecodeException e) {
        throw new ConfigException("config file " + file + " is not valid JSON: " + e.getMessage());
      }
    }
    return of(user, env);
  }

  /** Defaults overridden by {@code user} and then {@code env}. */
  public static KlaggConfig of(JsonObject user, Map<String, String> env) {
    JsonObject defaults = defaults();
    JsonObject merged = defaults.copy();
    merge(merged, user, defaults, "");
    List<String> warnings = new ArrayList<>();
    env.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> applyEnv(merged, e.getKey(), e.getValue(), warnings));
    KlaggConfig c = new KlaggConfig(merged, warnings);
    c.validate();
    return c;
  }

  private static boolean freeForm(String path) {
    return path.startsWith("exchange") || path.startsWith("sim.") || path.startsWith("db.options");
  }

  private static void merge(JsonObject target, JsonObject src, JsonObject defaults, String prefix) {
    for (String key : src.fieldNames()) {
      String path = prefix + key;
      Object v = src.getValue(key);
      Object d = defaults == null ? null : defaults.getValue(key);
      if (d == null && defaults != null && !defaults.containsKey(key) && !freeForm(path)) {
        throw new ConfigException("unknown config key '" + path + "'");
      }
      if (v instanceof JsonObject && d instanceof JsonObject) {
        merge(target.getJsonObject(key), (JsonObject) v, (JsonObject) d, path + ".");
      } else if (v instanceof JsonObject && target.getValue(key) instanceof JsonObject) {
        merge(target.getJsonObject(key), (JsonObject) v, null, path + ".");
      } else {
        if (d != null && !sameKind(d, v)) {
          throw new ConfigException(path + " must be " + kind(d) + ", got " + v);
        }
        target.put(key, v);
      }
    }
  }

  private static boolean sameKind(Object d, Object v) {
    if (d instanceof Number) {
      return v instanceof Number;
    }
    if (d instanceof Boolean) {
      return v instanceof Boolean;
    }
    if (d instanceof JsonArray) {
      return v instanceof JsonArray;
    }
    if (d instanceof JsonObject) {
      return v instanceof JsonObject;
    }
    return v instanceof String;
  }

  private static String kind(Object d) {
    return d instanceof Number ? "a number" : d instanceof Boolean ? "true or false"
        : d instanceof JsonArray ? "a list" : d instanceof JsonObject ? "an object" : "a string";
  }

  /** KLAGG_GATEWAY_PULLINTERVALMS=50 sets gateway.pullIntervalMs; matched case-insensitively. */
  private static void applyEnv(JsonObject root, String name, String value, List<String> warnings) {
    if (!name.startsWith("KLAGG_") || name.startsWith("KLAGG_TEST_")) {
      return;
    }
    String[] parts = name.substring(6).toLowerCase(Locale.ROOT).split("_");
    JsonObject node = root;
    StringBuilder path = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      // a key may itself hold underscores in the variable name: try the longest match first
      String match = null;
      int used = 0;
      for (int j = parts.length; j > i && match == null; j--) {
        String joined = String.join("", java.util.Arrays.copyOfRange(parts, i, j));
        for (String k : node.fieldNames()) {
          if (k.toLowerCase(Locale.ROOT).equals(joined)) {
            match = k;
            used = j - i;
            break;
          }
        }
      }
      if (match == null) {
        warnings.add("environment variable " + name + " matches no config key; ignored");
        return;
      }
      path.append(path.length() == 0 ? "" : ".").append(match);
      i += used - 1;
      Object cur = node.getValue(match);
      if (i == parts.length - 1) {
        node.put(match, parse(path.toString(), cur, value));
        return;
      }
      if (!(cur instanceof JsonObject)) {
        warnings.add("environment variable " + name + " goes below " + path + ", which is not a section; ignored");
        return;
      }
      node = (JsonObject) cur;
    }
  }

  private static Object parse(String path, Object current, String value) {
    try {
      if (current instanceof Boolean) {
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
          throw new ConfigException(path + " must be true or false, got '" + value + "'");
        }
        return Boolean.parseBoolean(value);
      }
      if (current instanceof Integer || current instanceof Long) {
        return Long.parseLong(value.trim());
      }
      if (current instanceof Number) {
        return Double.parseDouble(value.trim());
      }
      if (current instanceof JsonArray) {
        JsonArray a = new JsonArray();
        for (String s : value.split(",")) {
          if (!s.isBlank()) {
            a.add(s.trim());
          }
        }
        return a;
      }
      if (current instanceof JsonObject) {
        return new JsonObject(value);
      }
      return value;
    } catch (NumberFormatException | DecodeException e) {
      throw new ConfigException(path + " must be " + kind(current) + ", got '" + value + "'");
    }
  }

  private void validate() {
    intervals();
    for (String r : list("roles")) {
      if (!ROLES.contains(r)) {
        throw new ConfigException("roles: unknown role '" + r + "' (expected some of ingest, workers, gateway, persistence, web)");
      }
    }
    notNegative("workers.total");
    notNegative("workers.first");
    if (getInt("workers.first") + localWorkers() > workers()) {
      throw new ConfigException("workers.first + workers.instances must not exceed workers.total (" + workers() + ")");
    }
    if (getInt("metrics.port") < -1 || getInt("metrics.port") > 65535) {
      throw new ConfigException("metrics.port must be -1 (auto), 0 (any free port) or a port, got " + getInt("metrics.port"));
    }
    positive("gateway.adoptAfterMs");
    positive("gateway.adoptSilentAfterMs");
    notNegative("backfill.days");
    positive("backfill.concurrency");
    positive("gateway.pullIntervalMs");
    positive("gateway.pullTimeoutMs");
    if (getLong("gateway.pullTimeoutMs") >= getLong("gateway.pullIntervalMs")) {
      throw new ConfigException("gateway.pullTimeoutMs must be less than gateway.pullIntervalMs");
    }
    positive("gateway.breakerThreshold");
    positive("gateway.breakerProbeMs");
    positive("clock.refreshMs");
    positive("clock.samples");
    notNegative("eventLoops");
    notNegative("clock.tickMarginMs");
    notNegative("graceMs");
    notNegative("workers.instances");
    positive("workers.fenceCheckMs");
    notNegative("symbols.max");
    positive("symbols.refreshMs");
    notNegative("symbols.confirmAfterMs");
    double share = getDouble("symbols.maxRemoveShare");
    if (!(share >= 0 && share <= 1)) {
      throw new ConfigException("symbols.maxRemoveShare must be between 0 and 1, got " + share);
    }
    notNegative("repair.delayMs");
    positive("repair.maxTrades");
    positive("ingest.maxInFlightTrades");
    positive("ingest.maxInFlightBatches");
    notNegative("ingest.resumeInFlightTrades");
    if (getLong("ingest.resumeInFlightTrades") > getLong("ingest.maxInFlightTrades")) {
      throw new ConfigException("ingest.resumeInFlightTrades must not exceed ingest.maxInFlightTrades");
    }
    positive("ingest.ackTimeoutMs");
    positive("workers.maxBufferedTrades");
    positive("workers.maxOverflowKlines");
    long port = getLong("http.port");
    if (port < 0 || port > 65535) {
      throw new ConfigException("http.port must be 0..65535, got " + port);
    }
    positive("web.cacheKlines");
    positive("web.cacheMaxKlines");
    positive("web.historyTimeoutMs");
    positive("web.statusTimeoutMs");
    positive("web.maxConnections");
    positive("web.maxStreams");
    positive("web.maxMessagesPerSecond");
    positive("web.stuckClientMs");
    positive("bridge.stuckClientMs");
    if (getLong("web.maxFrameBytes") < 256) {
      throw new ConfigException("web.maxFrameBytes must be at least 256, got " + getLong("web.maxFrameBytes"));
    }
    long tcp = getLong("bridge.tcpPort");
    if (tcp < 0 || tcp > 65535) {
      throw new ConfigException("bridge.tcpPort must be 0..65535, got " + tcp);
    }
    validateStorage();
  }

  /** The {@code db} and {@code persistence} sections (see docs/persistence.md). */
  private void validateStorage() {
    String url = getString("db.url");
    if (!url.isEmpty() && !url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
      throw new ConfigException("db.url must be empty (embedded PostgreSQL) or postgresql://user:pass@host:port/db, got '"
          + url + "'");
    }
    if (url.isEmpty() && getString("db.dataDir").isBlank()) {
      throw new ConfigException("db.dataDir must not be empty when db.url is empty (embedded PostgreSQL)");
    }
    String schema = getString("db.schema");
    if (!schema.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
      throw new ConfigException("db.schema must be a plain SQL identifier (letters, digits, _), got '" + schema + "'");
    }
    long embeddedPort = getLong("db.embeddedPort");
    if (embeddedPort < 0 || embeddedPort > 65535) {
      throw new ConfigException("db.embeddedPort must be 0..65535, got " + embeddedPort);
    }
    positive("db.poolSize");
    notNegative("db.connectTimeoutMs");
    positive("persistence.flushMs");
    positive("persistence.flushRows");
    positive("persistence.maxInFlight");
    positive("persistence.maxBufferRows");
    positive("persistence.retryBaseMs");
    positive("persistence.retryMaxMs");
    if (getLong("persistence.retryMaxMs") < getLong("persistence.retryBaseMs")) {
      throw new ConfigException("persistence.retryMaxMs must not be less than persistence.retryBaseMs");
    }
    positive("persistence.statementTimeoutMs");
    notNegative("persistence.stopTimeoutMs");
  }

  private void positive(String key) {
    if (getLong(key) <= 0) {
      throw new ConfigException(key + " must be greater than 0, got " + getLong(key));
    }
  }

  private void notNegative(String key) {
    if (getLong(key) < 0) {
      throw new ConfigException(key + " must not be negative, got " + getLong(key));
    }
  }

  // ---------------------------------------------------------------- access

  /** A copy with one top-level section replaced (e.g. the exchange URLs of an in-process simulator). */
  public KlaggConfig withSection(String key, JsonObject section) {
    JsonObject copy = json.copy();
    copy.put(key, section);
    return new KlaggConfig(copy, warnings);
  }

  public JsonObject json() {
    return json;
  }

  public List<String> warnings() {
    return warnings;
  }

  public Object value(String dotted) {
    String[] parts = dotted.split("\\.");
    Object node = json;
    for (String p : parts) {
      if (!(node instanceof JsonObject)) {
        return null;
      }
      node = ((JsonObject) node).getValue(p);
    }
    return node;
  }

  public long getLong(String key) {
    Object v = value(key);
    if (!(v instanceof Number)) {
      throw new ConfigException(key + " must be a number, got " + v);
    }
    return ((Number) v).longValue();
  }

  public double getDouble(String key) {
    Object v = value(key);
    if (!(v instanceof Number)) {
      throw new ConfigException(key + " must be a number, got " + v);
    }
    return ((Number) v).doubleValue();
  }

  public int getInt(String key) {
    return (int) getLong(key);
  }

  public boolean getBool(String key) {
    Object v = value(key);
    if (!(v instanceof Boolean)) {
      throw new ConfigException(key + " must be true or false, got " + v);
    }
    return (Boolean) v;
  }

  public String getString(String key) {
    Object v = value(key);
    return v == null ? null : v.toString();
  }

  public JsonObject section(String key) {
    Object v = value(key);
    return v instanceof JsonObject ? (JsonObject) v : new JsonObject();
  }

  public List<String> list(String key) {
    Object v = value(key);
    List<String> out = new ArrayList<>();
    if (v instanceof JsonArray) {
      for (Object o : (JsonArray) v) {
        out.add(String.valueOf(o));
      }
    }
    return out;
  }

  public List<Interval> intervals() {
    try {
      return Interval.parseList(String.join(",", list("intervals")));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("intervals: " + e.getMessage());
    }
  }

  /** The roles a node may have: which verticles it runs. */
  public static final java.util.Set<String> ROLES = java.util.Set.of("ingest", "workers", "gateway", "persistence", "web");

  public boolean hasRole(String role) {
    return list("roles").contains(role);
  }

  /**
   * Refuses a combination of roles under which a verticle would start and silently receive nothing.
   * Persistence takes the gateway's cycles on a node-local address ({@code klagg.persist}: the cycle
   * is not shipped across the cluster a second time), so it needs the gateway on its own node, clustered
   * or not. Without a cluster every input must come from this node: the web verticle needs the
   * gateway, and ingest's trades and the gateway's pulls need workers here (the workers role, or
   * {@code workers.adopt}). A workers-only node without a cluster is allowed: it serves its metrics and
   * waits (the cluster's ingest reaches it only when clustered), as the dashboard check uses it.
   *
   * @throws ConfigException naming the missing role and what to do
   */
  public void checkRoles(boolean clustered) {
    boolean localWorkers = hasRole("workers") || getBool("workers.adopt");
    if (hasRole("persistence") && !hasRole("gateway")) {
      throw new ConfigException("roles: persistence needs the gateway role on the same node (it stores the gateway's "
          + "cycles, which reach it on this node only); add \"gateway\" to roles or move persistence to the gateway's node");
    }
    if (clustered) {
      return;
    }
    if (hasRole("web") && !hasRole("gateway")) {
      throw new ConfigException("roles: web without gateway would serve no klines on a node that is not clustered; "
          + "add \"gateway\" to roles or start with -cluster beside a gateway node");
    }
    if (hasRole("ingest") && !localWorkers) {
      throw new ConfigException("roles: ingest without workers (and workers.adopt false) would send its trades to no "
          + "worker on a node that is not clustered; add \"workers\" to roles or start with -cluster");
    }
    if (hasRole("gateway") && !localWorkers) {
      throw new ConfigException("roles: gateway without workers (and workers.adopt false) would pull from no worker "
          + "on a node that is not clustered; add \"workers\" to roles or start with -cluster");
    }
    if (hasRole("gateway") && !hasRole("ingest")) {
      throw new ConfigException("roles: gateway without ingest would aggregate no trades on a node that is not "
          + "clustered; add \"ingest\" to roles or start with -cluster");
    }
  }

  /**
   * Event-loop threads for this node's Vert.x: {@code eventLoops}, or (0) {@link #autoEventLoops}.
   * With Vert.x's default of 2 x cores the ingest shares its loop with a worker or the simulator and
   * waits behind it even when a core is idle.
   */
  public int eventLoopPoolSize() {
    int n = getInt("eventLoops");
    return n > 0 ? n : autoEventLoops();
  }

  /**
   * 4 x cores, at least 8: on this 2-core machine, max rate at 200 symbols, 8 loops gave 823k-950k
   * trades/s where 4 gave 558k-642k and 12-20 gave 558k-882k (docs/performance.md).
   */
  public static int autoEventLoops() {
    return Math.max(8, 4 * Runtime.getRuntime().availableProcessors());
  }

  private static int twoPerCore() {
    return Math.max(1, 2 * Runtime.getRuntime().availableProcessors());
  }

  /**
   * Worker shards in the whole service (the symbol → shard routing uses this):
   * {@code workers.total}, else {@code workers.instances}, else 2 x cores.
   */
  public int workers() {
    int total = getInt("workers.total");
    int n = getInt("workers.instances");
    return total > 0 ? total : n > 0 ? n : twoPerCore();
  }

  /** Shards this node runs: {@code [workers.first, workers.first + localWorkers())}. */
  /** The port of this node's own metrics server: -1 when it runs none (auto: only without the web role). */
  public int metricsPort() {
    int p = getInt("metrics.port");
    return p == -1 ? (hasRole("web") ? -1 : DEFAULT_METRICS_PORT) : p;
  }

  /** The metrics port of a node without the web role (Prometheus' registered default exporter port). */
  public static final int DEFAULT_METRICS_PORT = 9464;

  public int localWorkers() {
    if (!hasRole("workers")) {
      return 0;
    }
    int n = getInt("workers.instances");
    return n > 0 ? n : workers() - getInt("workers.first");
  }
}
