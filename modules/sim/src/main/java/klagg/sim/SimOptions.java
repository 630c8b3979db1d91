package klagg.sim;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code klagg sim}'s options, written into a {@link SimConfig}. */
@Command(name = "sim", sortOptions = false,
    description = "Binance-compatible exchange simulator: REST /api/v3/ (and /fapi/v1/), WebSocket streams, "
        + "admin /sim/status and POST /sim/faults.")
public class SimOptions {
  final SimConfig c = new SimConfig();

  @Spec
  CommandSpec spec;

  private ParameterException invalid(String option, String v, String what) {
    return new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': '" + v + "' " + what);
  }

  @Option(order = 99, names = {"-h", "--help"}, usageHelp = true, description = "this text")
  boolean help;

  @Option(order = 2, names = "--host", paramLabel = "H", description = "bind address (default 127.0.0.1)")
  void host(String v) {
    c.host = v;
  }

  @Option(order = 3, names = "--port", paramLabel = "P", description = "port, 0 = ephemeral (default 9090)")
  void port(int v) {
    c.port = v;
  }

  @Option(order = 4, names = "--symbols", paramLabel = "N", description = "synthetic market size, 1..5000 (default 50)")
  void symbols(int v) {
    c.symbols = v;
  }

  @Option(order = 5, names = "--rate", paramLabel = "R", description = "total trades per second (default 200)")
  void rate(double v) {
    c.rate = v;
  }

  @Option(order = 6, names = "--seed", paramLabel = "S", description = "market seed (default 1)")
  void seed(long v) {
    c.seed = v;
  }

  @Option(order = 7, names = "--history-start", paramLabel = "T",
      description = "no synthetic trades before T (ms or ISO; default start of yesterday UTC)")
  void historyStart(String v) {
    try {
      c.historyStartMs = SimConfig.parseTime(v);
    } catch (RuntimeException e) {
      throw invalid("--history-start", v, "is not a time (ms, 2024-07-18 or ISO)");
    }
  }

  @Option(order = 8, names = "--replay", paramLabel = "FILE", description = "replay a data.binance.vision aggTrades CSV instead")
  void replay(String v) {
    c.replay = v;
  }

  @Option(order = 9, names = "--symbol", paramLabel = "SYM", description = "symbol of the replayed file (default from the file name)")
  void symbol(String v) {
    c.symbol = v.toUpperCase();
  }

  @Option(order = 10, names = "--speed", paramLabel = "1|10|max", description = "replay speed (default 1)")
  void speed(String v) {
    try {
      c.speed = "max".equalsIgnoreCase(v) ? 0 : Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw invalid("--speed", v, "is not a number or max");
    }
  }

  @Option(order = 11, names = "--original-times",
      description = "replay at the file's own times (default: shifted so the first trade is now)")
  void originalTimes(boolean v) {
    c.replayOriginalTimes = v;
  }

  @Option(order = 12, names = "--firehose", description = "load-test mode: trades written in pre-encoded bursts")
  void firehose(boolean v) {
    c.firehose = v;
  }

  @Option(order = 13, names = "--firehose-rate", paramLabel = "R", description = "firehose trades per second, 0 = max (default 0)")
  void firehoseRate(double v) {
    c.firehoseRate = v;
  }

  @Option(order = 14, names = "--time-scale", paramLabel = "X", description = "server clock runs X times real time (default 1)")
  void timeScale(double v) {
    c.timeScale = v;
  }

  @Option(order = 15, names = "--time-offset", paramLabel = "MS", description = "server clock offset (default 0)")
  void timeOffset(long v) {
    c.timeOffsetMs = v;
  }

  @Option(order = 16, names = "--listing-every", paramLabel = "SEC",
      description = "seeded listing schedule: new symbol + one delisting every SEC (default off)")
  void listingEvery(long v) {
    c.listingEverySec = v;
  }

  @Option(order = 17, names = "--weight-limit", paramLabel = "W", description = "REST request weight per minute (default 6000)")
  void weightLimit(int v) {
    c.weightLimitPerMinute = v;
  }

  @Option(order = 18, names = "--lifetime", paramLabel = "SEC", description = "WebSocket connection lifetime (default 86400)")
  void lifetime(long v) {
    c.connectionLifetimeMs = v * 1000;
  }

  @Option(order = 19, names = "--ping-interval", paramLabel = "SEC", description = "WebSocket ping interval (default 20)")
  void pingInterval(long v) {
    c.pingIntervalMs = v * 1000;
  }

  @Option(order = 20, names = "--faults", paramLabel = "JSON", description = "faults applied at start, as for POST /sim/faults")
  void faults(String v) {
    try {
      c.faults = new JsonObject(v);
    } catch (RuntimeException e) {
      throw invalid("--faults", v, "is not a JSON object");
    }
  }

  /** The configuration, validated; a bad combination is a {@link Cli.UsageException}. */
  public SimConfig config() {
    try {
      c.validate();
    } catch (IllegalArgumentException e) {
      throw new Cli.UsageException(e.getMessage());
    }
    return c;
  }
}
