package klagg.sim;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Simulator configuration. Plain public fields; build with {@link #fromArgs}, {@link #fromJson} or
 * by setting fields. Time values are ms unless named otherwise.
 */
public final class SimConfig {
  public String host = "127.0.0.1";
  /** 0 = ephemeral. */
  public int port = 9090;
  /** Synthetic market: number of symbols (1..5000). */
  public int symbols = 50;
  /** Synthetic market: total trades per second over all symbols. */
  public double rate = 200;
  public long seed = 1;
  /**
   * Synthetic market: no trades before this time (ms). Default (0): start of the previous UTC day,
   * so two instances started on the same day serve the same history.
   */
  public long historyStartMs = 0;
  /** Replay: aggTrades CSV path (null = synthetic market). */
  public String replay;
  /** Replay: symbol name (default: guessed from the file name, else BTCUSDT). */
  public String symbol;
  /** Replay speed: 1, 10, ... or 0 for max. */
  public double speed = 1;
  /** Replay: true = trades at their original times (server clock set back), false = shifted to now. */
  public boolean replayOriginalTimes = false;
  /** Server clock rate (1 = real time). Scales synthetic time too; tests use it to run minutes fast. */
  public double timeScale = 1;
  /** Initial server time offset (server time = wall clock + offset). */
  public long timeOffsetMs = 0;

  public boolean firehose = false;
  /** Firehose: trades per second (0 = as fast as possible). */
  public double firehoseRate = 0;
  /**
   * Firehose at max rate: start held; until {@link Simulator#holdFirehose}(false) the ordinary
   * market streams (at {@link #rate}), then the firehose continues its ids.
   */
  public boolean firehoseHold = false;

  // Binance limits
  public int maxStreamsPerConnection = 1024;
  public int maxIncomingPerSecond = 5;
  public long pingIntervalMs = 20_000;
  public long pongTimeoutMs = 60_000;
  public long connectionLifetimeMs = 24L * 3600_000L;
  public int weightLimitPerMinute = 6000;
  public long miniTickerIntervalMs = 1000;
  public long klinePushIntervalMs = 2000;
  /** Emission tick of the live trade stream. */
  public long emitIntervalMs = 100;
  /** Seeded listing schedule: every N seconds one new symbol, one symbol to BREAK (0 = off). */
  public long listingEverySec = 0;
  /** Faults applied at start (same JSON as {@code POST /sim/faults}); null = none. */
  public JsonObject faults;

  public static SimConfig fromArgs(String[] args) {
    SimConfig c = new SimConfig();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String v = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        v = a.substring(eq + 1);
        a = a.substring(0, eq);
      }
      boolean flag = a.equals("--firehose") || a.equals("--original-times");
      if (!flag && v == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("option " + a + " needs a value");
        }
        v = args[++i];
      }
      try {
        switch (a) {
          case "--host" -> c.host = v;
          case "--port" -> c.port = Integer.parseInt(v);
          case "--symbols" -> c.symbols = Integer.parseInt(v);
          case "--rate" -> c.rate = Double.parseDouble(v);
          case "--seed" -> c.seed = Long.parseLong(v);
          case "--replay" -> c.replay = v;
          case "--symbol" -> c.symbol = v.toUpperCase();
          case "--speed" -> c.speed = "max".equalsIgnoreCase(v) ? 0 : Double.parseDouble(v);
          case "--original-times" -> c.replayOriginalTimes = true;
          case "--firehose" -> c.firehose = true;
          case "--firehose-rate" -> c.firehoseRate = Double.parseDouble(v);
          case "--time-scale" -> c.timeScale = Double.parseDouble(v);
          case "--time-offset" -> c.timeOffsetMs = Long.parseLong(v);
          case "--history-start" -> c.historyStartMs = parseTime(v);
          case "--listing-every" -> c.listingEverySec = Long.parseLong(v);
          case "--weight-limit" -> c.weightLimitPerMinute = Integer.parseInt(v);
          case "--lifetime" -> c.connectionLifetimeMs = Long.parseLong(v) * 1000;
          case "--ping-interval" -> c.pingIntervalMs = Long.parseLong(v) * 1000;
          case "--faults" -> {
            try {
              c.faults = new JsonObject(v);
            } catch (RuntimeException e) {
              throw new IllegalArgumentException("--faults needs a JSON object, got '" + v + "'");
            }
          }
          default -> throw new IllegalArgumentException("unknown option " + a + " (try --help)");
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad value for " + a + ": '" + v + "'");
      }
    }
    c.validate();
    return c;
  }

  static long parseTime(String v) {
    if (v.matches("-?\\d+")) {
      return Long.parseLong(v);
    }
    if (v.length() == 10) {
      return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }
    return Instant.parse(v).toEpochMilli();
  }

  public static SimConfig fromJson(JsonObject j) {
    SimConfig c = new SimConfig();
    c.host = j.getString("host", c.host);
    c.port = j.getInteger("port", c.port);
    c.symbols = j.getInteger("symbols", c.symbols);
    c.rate = j.getDouble("rate", c.rate);
    c.seed = j.getLong("seed", c.seed);
    c.historyStartMs = j.getLong("historyStartMs", c.historyStartMs);
    c.replay = j.getString("replay", c.replay);
    c.symbol = j.getString("symbol", c.symbol);
    Object sp = j.getValue("speed");
    if (sp instanceof String s) {
      c.speed = "max".equalsIgnoreCase(s) ? 0 : Double.parseDouble(s);
    } else if (sp instanceof Number n) {
      c.speed = n.doubleValue();
    }
    c.replayOriginalTimes = j.getBoolean("replayOriginalTimes", c.replayOriginalTimes);
    c.timeScale = j.getDouble("timeScale", c.timeScale);
    c.timeOffsetMs = j.getLong("timeOffsetMs", c.timeOffsetMs);
    c.firehose = j.getBoolean("firehose", c.firehose);
    c.firehoseRate = j.getDouble("firehoseRate", c.firehoseRate);
    c.firehoseHold = j.getBoolean("firehoseHold", c.firehoseHold);
    c.maxStreamsPerConnection = j.getInteger("maxStreamsPerConnection", c.maxStreamsPerConnection);
    c.maxIncomingPerSecond = j.getInteger("maxIncomingPerSecond", c.maxIncomingPerSecond);
    c.pingIntervalMs = j.getLong("pingIntervalMs", c.pingIntervalMs);
    c.pongTimeoutMs = j.getLong("pongTimeoutMs", c.pongTimeoutMs);
    c.connectionLifetimeMs = j.getLong("connectionLifetimeMs", c.connectionLifetimeMs);
    c.weightLimitPerMinute = j.getInteger("weightLimitPerMinute", c.weightLimitPerMinute);
    c.miniTickerIntervalMs = j.getLong("miniTickerIntervalMs", c.miniTickerIntervalMs);
    c.klinePushIntervalMs = j.getLong("klinePushIntervalMs", c.klinePushIntervalMs);
    c.emitIntervalMs = j.getLong("emitIntervalMs", c.emitIntervalMs);
    c.listingEverySec = j.getLong("listingEverySec", c.listingEverySec);
    c.faults = j.getJsonObject("faults", c.faults);
    c.validate();
    return c;
  }

  void validate() {
    if (symbols < 1 || symbols > 5000) {
      throw new IllegalArgumentException("--symbols must be 1..5000, got " + symbols);
    }
    if (rate < 0 || Double.isNaN(rate)) {
      throw new IllegalArgumentException("--rate must be >= 0");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be 0..65535");
    }
    if (speed < 0 || timeScale <= 0) {
      throw new IllegalArgumentException("--speed must be 1, 10, ... or max; --time-scale > 0");
    }
  }

  /** The effective history start of the synthetic market. */
  long effectiveHistoryStart(long now) {
    if (historyStartMs != 0) {
      return historyStartMs;
    }
    return Math.floorDiv(now, 86_400_000L) * 86_400_000L - 86_400_000L;
  }

  public static String usage() {
    return String.join("\n",
        "usage: klagg sim [options]   Binance-compatible exchange simulator",
        "  --host H              bind address (default 127.0.0.1)",
        "  --port P              port, 0 = ephemeral (default 9090)",
        "  --symbols N           synthetic market size, 1..5000 (default 50)",
        "  --rate R              total trades per second (default 200)",
        "  --seed S              market seed (default 1)",
        "  --history-start T     no synthetic trades before T (ms or ISO; default start of yesterday UTC)",
        "  --replay FILE         replay a data.binance.vision aggTrades CSV instead",
        "  --symbol SYM          symbol of the replayed file (default from the file name)",
        "  --speed 1|10|max      replay speed (default 1)",
        "  --original-times      replay at the file's own times (default: shifted so the first trade is now)",
        "  --firehose            load-test mode: trades written in pre-encoded bursts",
        "  --firehose-rate R     firehose trades per second, 0 = max (default 0)",
        "  --time-scale X        server clock runs X times real time (default 1)",
        "  --time-offset MS      server clock offset (default 0)",
        "  --listing-every SEC   seeded listing schedule: new symbol + one BREAK every SEC (default off)",
        "  --weight-limit W      REST request weight per minute (default 6000)",
        "  --lifetime SEC        WebSocket connection lifetime (default 86400)",
        "  --ping-interval SEC   WebSocket ping interval (default 20)",
        "  --faults JSON         faults applied at start, as for POST /sim/faults",
        "  --help                this text");
  }
}
