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
  /**
   * Unsent bytes a stream connection may hold (the client reads slowly or stopped): frames that do
   * not fit are not sent (the client sees an aggregate-id gap), so the simulator's memory stays bounded.
   */
  public int maxWriteQueueBytes = 16 << 20;
  /** A connection whose write queue stays full this long is dropped as a slow consumer, as Binance does. */
  public long slowConsumerMs = 5_000;
  /** Seeded listing schedule: every N seconds one new symbol, one symbol delisted (0 = off). */
  public long listingEverySec = 0;
  /** Faults applied at start (same JSON as {@code POST /sim/faults}); null = none. */
  public JsonObject faults;

  /** Parses {@code klagg sim}'s options ({@link SimOptions}); a bad one is an IllegalArgumentException. */
  public static SimConfig fromArgs(String[] args) {
    SimOptions o = new SimOptions();
    try {
      new picocli.CommandLine(o).parseArgs(args);
    } catch (picocli.CommandLine.ParameterException e) {
      throw new IllegalArgumentException(Cli.message(e), e);
    }
    o.c.validate();
    return o.c;
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
    c.maxWriteQueueBytes = j.getInteger("maxWriteQueueBytes", c.maxWriteQueueBytes);
    c.slowConsumerMs = j.getLong("slowConsumerMs", c.slowConsumerMs);
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

  /** The generated {@code --help} of {@code klagg sim}. */
  public static String usage() {
    return new picocli.CommandLine(new SimOptions()).getUsageMessage();
  }
}
