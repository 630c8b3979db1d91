package klagg.service.cli;

import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import klagg.core.Interval;
import klagg.core.Replay;

/** {@code klagg replay}: exact klines from recorded trades (aggTrades CSV, zipped CSV, WebSocket JSONL). */
public final class ReplayCommand {
  static final String USAGE = String.join("\n",
      "usage: java -jar klagg.jar replay [options] FILE...",
      "",
      "Builds exact klines from recorded Binance trades, through the same aggregation core the",
      "service runs, and writes them as CSV.",
      "",
      "FILE is a data.binance.vision aggTrades CSV (with or without header, 7 or 8 columns, time in",
      "ms or µs), the same zipped (.zip, read without unpacking), or a WebSocket capture (.jsonl: one",
      "raw or combined aggTrade frame per line). Files are read in the order given.",
      "",
      "options:",
      "  --symbol SYM        symbol of CSV input (default: from a data.binance.vision file name,",
      "                      e.g. BTCUSDT-aggTrades-2024-07-18.zip)",
      "  --intervals LIST    comma-separated intervals (default 1m,5m,15m,30m,1h,4h,1d,1w)",
      "  --grace-ms N        late trades amend the just-closed kline for N ms (default 2000)",
      "  --out FILE          write the CSV to FILE (default: standard output)",
      "  --help              this text",
      "",
      "output columns: " + Replay.HEADER,
      "A summary (trades read, accepted, rejected by reason, duplicates, gaps) goes to stderr.");

  private static final Pattern VISION_NAME = Pattern.compile("^([A-Z0-9]+)-aggTrades-.*");

  private final PrintStream out;
  private final PrintStream err;

  public ReplayCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Runs the command; returns the exit code. */
  public int run(String[] argv) {
    Args args = Args.parse(argv, Set.of("--symbol", "--intervals", "--grace-ms", "--out"), Set.of("--help", "-h"));
    if (args.has("--help") || args.has("-h")) {
      out.println(USAGE);
      return 0;
    }
    List<Interval> intervals;
    try {
      intervals = Interval.parseList(args.get("--intervals", "1m,5m,15m,30m,1h,4h,1d,1w"));
    } catch (IllegalArgumentException e) {
      throw new Args.UsageException("--intervals: " + e.getMessage());
    }
    long grace = args.getLong("--grace-ms", 2000);
    if (grace < 0) {
      throw new Args.UsageException("--grace-ms must not be negative");
    }
    if (args.positional().isEmpty()) {
      throw new Args.UsageException("no input files (see --help)");
    }
    Replay replay = new Replay(intervals, grace, System.currentTimeMillis() + 86_400_000L);
    String symbolOpt = args.get("--symbol", null);
    for (String name : args.positional()) {
      Path path = Paths.get(name);
      try {
        readFile(replay, path, symbolOpt);
      } catch (NoSuchFileException e) {
        err.println("klagg replay: no such file: " + name);
        return 1;
      } catch (InputException e) {
        err.println("klagg replay: " + name + ": " + e.getMessage());
        return 1;
      } catch (IOException e) {
        err.println("klagg replay: cannot read " + name + ": " + e.getMessage());
        return 1;
      }
    }
    String outFile = args.get("--out", null);
    long rows;
    try (Writer w = outFile == null
        ? new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.US_ASCII), 1 << 16)
        : Files.newBufferedWriter(Paths.get(outFile), StandardCharsets.US_ASCII)) {
      rows = replay.writeCsv(w);
    } catch (IOException e) {
      err.println("klagg replay: cannot write " + outFile + ": " + e.getMessage());
      return 1;
    }
    err.println("klagg replay: " + replay.summary() + "; klines written " + rows);
    return 0;
  }

  /** A file klagg cannot use; the message is one line for the user. */
  static final class InputException extends IOException {
    InputException(String message) {
      super(message);
    }
  }

  private void readFile(Replay replay, Path path, String symbolOpt) throws IOException {
    if (Files.isDirectory(path)) {
      throw new InputException("is a directory (name the files)");
    }
    String fileName = path.getFileName().toString();
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
      if (fileName.toLowerCase().endsWith(".zip")) {
        ZipInputStream zip = new ZipInputStream(raw);
        boolean any = false;
        for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
          if (e.isDirectory()) {
            continue;
          }
          String entry = Paths.get(e.getName()).getFileName().toString();
          readStream(replay, new BufferedInputStream(zip, 1 << 16), entry, symbolOpt != null ? symbolOpt : symbolFrom(entry, fileName));
          any = true;
        }
        if (!any) {
          throw new InputException("zip file has no entries");
        }
      } else {
        readStream(replay, raw, fileName, symbolOpt != null ? symbolOpt : symbolFrom(fileName, null));
      }
    }
  }

  private static String symbolFrom(String name, String fallback) {
    Matcher m = VISION_NAME.matcher(name);
    if (m.matches()) {
      return m.group(1);
    }
    if (fallback != null) {
      m = VISION_NAME.matcher(fallback);
      if (m.matches()) {
        return m.group(1);
      }
    }
    return null;
  }

  private static void readStream(Replay replay, InputStream in, String name, String symbol) throws IOException {
    in.mark(1);
    int first = in.read();
    while (first == '\n' || first == '\r' || first == ' ') {
      in.mark(1);
      first = in.read();
    }
    if (first < 0) {
      return; // empty file: nothing to replay
    }
    in.reset();
    if (first == '{') {
      JsonlInput.read(replay, in);
    } else if ((first >= '0' && first <= '9') || first == 'a') {
      if (symbol == null) {
        throw new InputException("CSV input has no symbol: pass --symbol (file name is not like BTCUSDT-aggTrades-YYYY-MM-DD.csv)");
      }
      replay.addCsv(in, symbol.toUpperCase());
    } else {
      throw new InputException("unknown format (expected aggTrades CSV or WebSocket JSONL)");
    }
  }
}
