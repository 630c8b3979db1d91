package klagg.exchange;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Where a venue lives and what limits it imposes, in config form. Immutable. Three presets
 * ({@link #binanceSpot()}, {@link #binanceFutures()}, {@link #sim(String)}) and {@link #fromJson}
 * where every URL and limit can be overridden.
 *
 * <p>JSON keys: {@code venue} (spot | futures | sim), {@code restBaseUrl}, {@code restPrefix},
 * {@code wsBaseUrl}, {@code wsPathPrefix}, {@code maxStreamsPerConnection},
 * {@code maxIncomingMessagesPerSecond}, {@code connectionLifetimeMs}, {@code klinesMaxLimit},
 * {@code aggTradesMaxLimit}, {@code weightLimitPerMinute}.
 */
public final class ExchangeEndpoints {

  /** Which request-weight table applies. */
  public enum Venue {
    SPOT, FUTURES, SIM;

    static Venue parse(String s) {
      switch (s.toLowerCase(Locale.ROOT)) {
        case "spot":
        case "binance-spot":
          return SPOT;
        case "futures":
        case "usdm":
        case "binance-futures":
          return FUTURES;
        case "sim":
          return SIM;
        default:
          throw new IllegalArgumentException(
              "exchange config 'venue': unknown venue '" + s + "' (expected spot, futures or sim)");
      }
    }
  }

  public static final long DAY_MS = 86_400_000L;

  private final Venue venue;
  private final String restBaseUrl;
  private final String restPrefix;
  private final String wsBaseUrl;
  private final String wsPathPrefix;
  private final int maxStreamsPerConnection;
  private final int maxIncomingMessagesPerSecond;
  private final long connectionLifetimeMs;
  private final int klinesMaxLimit;
  private final int aggTradesMaxLimit;
  private final int weightLimitPerMinute;

  public ExchangeEndpoints(Venue venue, String restBaseUrl, String restPrefix, String wsBaseUrl,
      String wsPathPrefix, int maxStreamsPerConnection, int maxIncomingMessagesPerSecond,
      long connectionLifetimeMs, int klinesMaxLimit, int aggTradesMaxLimit, int weightLimitPerMinute) {
    this.venue = Objects.requireNonNull(venue, "venue");
    this.restBaseUrl = stripSlash(checkUrl("restBaseUrl", restBaseUrl, Set.of("http", "https")));
    this.restPrefix = normPath("restPrefix", restPrefix);
    this.wsBaseUrl = stripSlash(checkUrl("wsBaseUrl", wsBaseUrl, Set.of("ws", "wss")));
    this.wsPathPrefix = normPath("wsPathPrefix", wsPathPrefix);
    this.maxStreamsPerConnection = positive("maxStreamsPerConnection", maxStreamsPerConnection);
    this.maxIncomingMessagesPerSecond =
        positive("maxIncomingMessagesPerSecond", maxIncomingMessagesPerSecond);
    this.connectionLifetimeMs = positive("connectionLifetimeMs", connectionLifetimeMs);
    this.klinesMaxLimit = positive("klinesMaxLimit", klinesMaxLimit);
    this.aggTradesMaxLimit = positive("aggTradesMaxLimit", aggTradesMaxLimit);
    this.weightLimitPerMinute = positive("weightLimitPerMinute", weightLimitPerMinute);
  }

  /** Binance spot: api.binance.com, /api/v3, stream.binance.com:9443, 1024 streams, 5 msg/s. */
  public static ExchangeEndpoints binanceSpot() {
    return new ExchangeEndpoints(Venue.SPOT, "https://api.binance.com", "/api/v3",
        "wss://stream.binance.com:9443", "", 1024, 5, DAY_MS, 1000, 1000, 6000);
  }

  /**
   * Binance USD-M futures: fapi.binance.com, /fapi/v1, fstream.binance.com under {@code /market},
   * 200 streams, 10 msg/s, klines limit 1500, 2400 weight/min (the futures REQUEST_WEIGHT limit).
   */
  public static ExchangeEndpoints binanceFutures() {
    return new ExchangeEndpoints(Venue.FUTURES, "https://fapi.binance.com", "/fapi/v1",
        "wss://fstream.binance.com", "/market", 200, 10, DAY_MS, 1500, 1000, 2400);
  }

  /** The simulator: spot paths and limits on one plain-HTTP base URL, e.g. http://127.0.0.1:9090. */
  public static ExchangeEndpoints sim(String baseUrl) {
    String b = stripSlash(Objects.requireNonNull(baseUrl, "baseUrl"));
    String ws = b.startsWith("https://") ? "wss://" + b.substring(8)
        : b.startsWith("http://") ? "ws://" + b.substring(7) : b;
    return new ExchangeEndpoints(Venue.SIM, b, "/api/v3", ws, "", 1024, 5, DAY_MS, 1000, 1000, 6000);
  }

  /**
   * Reads a venue config: {@code venue} picks the preset (default spot), every other key overrides
   * it. For {@code sim}, {@code restBaseUrl} (or {@code baseUrl}) defaults to http://127.0.0.1:9090
   * and {@code wsBaseUrl} to the same host with ws://.
   *
   * @throws IllegalArgumentException naming the offending key
   */
  public static ExchangeEndpoints fromJson(JsonObject json) {
    Objects.requireNonNull(json, "json");
    Venue venue = Venue.parse(str(json, "venue", "spot"));
    ExchangeEndpoints d;
    switch (venue) {
      case FUTURES:
        d = binanceFutures();
        break;
      case SIM:
        d = sim(str(json, "restBaseUrl", str(json, "baseUrl", "http://127.0.0.1:9090")));
        break;
      default:
        d = binanceSpot();
    }
    return new ExchangeEndpoints(venue,
        str(json, "restBaseUrl", d.restBaseUrl),
        str(json, "restPrefix", d.restPrefix),
        str(json, "wsBaseUrl", d.wsBaseUrl),
        str(json, "wsPathPrefix", d.wsPathPrefix),
        integer(json, "maxStreamsPerConnection", d.maxStreamsPerConnection),
        integer(json, "maxIncomingMessagesPerSecond", d.maxIncomingMessagesPerSecond),
        longValue(json, "connectionLifetimeMs", d.connectionLifetimeMs),
        integer(json, "klinesMaxLimit", d.klinesMaxLimit),
        integer(json, "aggTradesMaxLimit", d.aggTradesMaxLimit),
        integer(json, "weightLimitPerMinute", d.weightLimitPerMinute));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("venue", venue.name().toLowerCase(Locale.ROOT))
        .put("restBaseUrl", restBaseUrl)
        .put("restPrefix", restPrefix)
        .put("wsBaseUrl", wsBaseUrl)
        .put("wsPathPrefix", wsPathPrefix)
        .put("maxStreamsPerConnection", maxStreamsPerConnection)
        .put("maxIncomingMessagesPerSecond", maxIncomingMessagesPerSecond)
        .put("connectionLifetimeMs", connectionLifetimeMs)
        .put("klinesMaxLimit", klinesMaxLimit)
        .put("aggTradesMaxLimit", aggTradesMaxLimit)
        .put("weightLimitPerMinute", weightLimitPerMinute);
  }

  // ---- derived URLs --------------------------------------------------------------------------

  /** Full REST URL of an endpoint, e.g. {@code restUrl("klines")}. */
  public String restUrl(String endpoint) {
    return restBaseUrl + restPrefix + "/" + endpoint;
  }

  /** Combined-stream URL without streams: {@code wss://host[:port]/prefix/stream}. */
  public String combinedStreamUrl() {
    return wsBaseUrl + wsPathPrefix + "/stream";
  }

  // ---- request weights -----------------------------------------------------------------------

  public int timeWeight() {
    return 1;
  }

  public int exchangeInfoWeight() {
    return venue == Venue.FUTURES ? 1 : 20;
  }

  public int klinesWeight(int limit) {
    if (venue == Venue.FUTURES) {
      return limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10;
    }
    return 2;
  }

  public int aggTradesWeight() {
    return venue == Venue.FUTURES ? 20 : 4;
  }

  // ---- getters --------------------------------------------------------------------------------

  public Venue venue() {
    return venue;
  }

  public String restBaseUrl() {
    return restBaseUrl;
  }

  public String restPrefix() {
    return restPrefix;
  }

  public String wsBaseUrl() {
    return wsBaseUrl;
  }

  public String wsPathPrefix() {
    return wsPathPrefix;
  }

  public int maxStreamsPerConnection() {
    return maxStreamsPerConnection;
  }

  public int maxIncomingMessagesPerSecond() {
    return maxIncomingMessagesPerSecond;
  }

  public long connectionLifetimeMs() {
    return connectionLifetimeMs;
  }

  public int klinesMaxLimit() {
    return klinesMaxLimit;
  }

  public int aggTradesMaxLimit() {
    return aggTradesMaxLimit;
  }

  public int weightLimitPerMinute() {
    return weightLimitPerMinute;
  }

  @Override
  public String toString() {
    return "ExchangeEndpoints" + toJson().encode();
  }

  // ---- validation helpers ----------------------------------------------------------------------

  private static String str(JsonObject json, String key, String def) {
    Object v = json.getValue(key);
    if (v == null) {
      return def;
    }
    if (!(v instanceof String)) {
      throw new IllegalArgumentException("exchange config '" + key + "': expected a string, got " + v);
    }
    return (String) v;
  }

  private static int integer(JsonObject json, String key, int def) {
    long v = longValue(json, key, def);
    if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
      throw new IllegalArgumentException("exchange config '" + key + "': out of range: " + v);
    }
    return (int) v;
  }

  private static long longValue(JsonObject json, String key, long def) {
    Object v = json.getValue(key);
    if (v == null) {
      return def;
    }
    if (v instanceof Number) {
      Number n = (Number) v;
      if (n.doubleValue() != n.longValue()) {
        throw new IllegalArgumentException("exchange config '" + key + "': expected an integer, got " + v);
      }
      return n.longValue();
    }
    if (v instanceof String) {
      try {
        return Long.parseLong(((String) v).trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("exchange config '" + key + "': expected an integer, got '" + v + "'");
      }
    }
    throw new IllegalArgumentException("exchange config '" + key + "': expected an integer, got " + v);
  }

  private static String checkUrl(String key, String url, Set<String> schemes) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("exchange config '" + key + "': missing URL");
    }
    try {
      URI u = new URI(url.trim());
      String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
      if (scheme == null || !schemes.contains(scheme)) {
        throw new IllegalArgumentException("exchange config '" + key + "': scheme of '" + url
            + "' must be one of " + schemes);
      }
      if (u.getHost() == null || u.getHost().isEmpty()) {
        throw new IllegalArgumentException("exchange config '" + key + "': no host in '" + url + "'");
      }
      if (u.getQuery() != null || u.getFragment() != null) {
        throw new IllegalArgumentException("exchange config '" + key + "': '" + url
            + "' must not carry a query or fragment");
      }
      return url.trim();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("exchange config '" + key + "': invalid URL '" + url + "': "
          + e.getMessage());
    }
  }

  private static String normPath(String key, String p) {
    if (p == null) {
      throw new IllegalArgumentException("exchange config '" + key + "': missing");
    }
    String s = p.trim();
    if (s.isEmpty() || s.equals("/")) {
      return "";
    }
    if (s.contains("?") || s.contains("#") || s.contains(" ")) {
      throw new IllegalArgumentException("exchange config '" + key + "': invalid path '" + p + "'");
    }
    if (!s.startsWith("/")) {
      s = "/" + s;
    }
    return stripSlash(s);
  }

  private static String stripSlash(String s) {
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }

  private static int positive(String key, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException("exchange config '" + key + "': must be > 0, got " + v);
    }
    return v;
  }

  private static long positive(String key, long v) {
    if (v <= 0) {
      throw new IllegalArgumentException("exchange config '" + key + "': must be > 0, got " + v);
    }
    return v;
  }
}
